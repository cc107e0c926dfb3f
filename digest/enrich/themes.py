"""Infer a document's themes from the taxonomy, labelled documents and the corpus itself.

Each theme is a centroid in a TF-IDF space of lightly stemmed words (Rocchio's
method): the theme's weighted description makes one pseudo-document worth a few
real ones, and every labelled example adds its own unit vector. The unlabelled
documents of the build then teach the model (self-training): those it files
most confidently join their theme's centroid, in a few rounds that take in more
each time, so the names and jargon no description lists are learnt from the
corpus. A document takes the theme whose centroid is nearest by cosine, or no
theme when that one stands out too little from the rest to be trusted.

Only the taxonomy's themes are ever inferred. A label a document gives itself
is filed under the taxonomy theme it names (ThemeNames), or teaches nothing.

Pure Python: a build imports this on every run, and a handful of dictionaries
infer thousands of documents a second.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from digest.config import ThemeSettings

# Confidence (see ThemeModel.confidences) below which a document stays unclassified.
# Chosen on the tuning half of the BBC corpus and on short items (headline and two
# sentences) made from it: 4% of those short items fall below it, and off-topic
# notes (recipes, gardening) score 0.01-0.03.
DEFAULT_THRESHOLD = 0.03
# How many labelled documents the keyword pseudo-document is worth: enough to
# steer a theme with two or three examples, little once it has dozens.
KEYWORD_WEIGHT = 3.0
# What a term of each tier of the shipped descriptions weighs.
TIER_WEIGHTS = {"core": 3.0, "common": 1.5, "related": 0.5}
# A title states the subject; its words count as if written this many times.
TITLE_WEIGHT = 2
# A second theme is reported only when it scores nearly as high as the first.
SECOND_THEME_RATIO = 0.8
# Self-training over the build's own documents: one round per share, each
# letting that share of every theme's most confident documents teach it; and
# what one such document is worth beside a labelled one.
SELF_TRAINING_SHARES = (0.3, 0.6, 0.9)
SELF_TRAINING_WEIGHT = 0.25
# Words each centroid keeps, its heaviest: the long tail of words seen once
# in one document weighs next to nothing and would only slow inference.
CENTROID_WORDS = 2000
# At inference a word's postings under this share of its largest (after what
# it adds to all themes alike is taken out) are dropped: a quarter fewer
# multiplications on a self-trained model, no change on the tuning half.
PRUNE_SHARE = 0.2
# Bump when inference changes, so stored inferred themes are recomputed.
MODEL_VERSION = "2"

# A theme's description: terms, or terms with their weights.
Terms = Sequence[str] | Mapping[str, float]

_NAME_WORD = re.compile(r"\w+")
# Where a compound theme name splits into halves: "Law & Justice", "Science and Technology".
_HALVES = re.compile(r"\s*(?:&|\band\b|/|,)\s*", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z0-9]+")
_STOPWORDS = frozenset((
    "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
    "him", "himself", "his", "how", "if", "in", "into", "is", "it", "its", "itself", "just", "me",
    "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only",
    "or", "other", "our", "ours", "ourselves", "out", "over", "own", "said", "same", "say", "says",
    "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
    "yourselves", "mr", "mrs", "ms", "one", "two", "three", "new", "year", "years", "last",
    "first", "told", "like", "get", "got", "make", "made", "many", "much", "may", "might", "must",
    "us", "per"
))  # fmt: skip
# Suffixes stripped by the light stemmer, longest first; each leaves a stem of 3+ letters.
_SUFFIXES = (
    ("ies", "y"),
    ("sses", "ss"),
    ("ings", ""),
    ("ing", ""),
    ("ed", ""),
    ("s", ""),
)


def default_taxonomy() -> dict[str, dict[str, float]]:
    """The shipped taxonomy (digest/data/themes.toml): theme name -> weighted terms."""
    return {name: dict(terms) for name, terms in _shipped()["taxonomy"].items()}


def default_aliases() -> dict[str, str]:
    """The shipped aliases: labels sites commonly use -> shipped theme."""
    return dict(_shipped()["aliases"])


@cache
def _shipped() -> dict[str, Any]:
    raw = tomllib.loads(
        resources.files("digest").joinpath("data/themes.toml").read_text(encoding="utf-8")
    )
    taxonomy: dict[str, dict[str, float]] = {}
    for name, tiers in raw["taxonomy"].items():
        terms = taxonomy[name] = {}
        for tier, weight in TIER_WEIGHTS.items():
            for term in tiers.get(tier, ()):
                terms[term] = terms.get(term, 0.0) + weight
    return {"taxonomy": taxonomy, "aliases": dict(raw["aliases"])}


def theme_names(settings: ThemeSettings) -> ThemeNames:
    """The names of a configuration's taxonomy, with the shipped and configured aliases."""
    return ThemeNames(settings.taxonomy or default_taxonomy(), configured_aliases(settings))


def configured_aliases(settings: ThemeSettings) -> dict[str, str]:
    return {**default_aliases(), **settings.aliases}


def theme_key(name: str) -> str:
    """What two spellings of one theme share: case, `&`/`and`, punctuation and spacing aside."""
    words = _NAME_WORD.findall(name.casefold())
    return " ".join(w for w in words if w != "and")


class ThemeNames:
    """Files any label under the taxonomy theme it names, if it names one.

    A label names a theme when it is spelt like it (`economy and trade`,
    `ECONOMY & TRADE`), when an alias points it there, or when it is one
    unambiguous half of a theme's name (`Economy` for `Economy & Trade`).
    Aliases whose theme is not in the taxonomy are ignored here; the
    configuration refuses them where the operator wrote them.
    """

    def __init__(self, taxonomy: Iterable[str], aliases: Mapping[str, str] | None = None) -> None:
        self.themes = tuple(taxonomy)
        exact = {theme_key(name): name for name in self.themes}
        halves: dict[str, list[str]] = {}
        for name in self.themes:
            for half in _HALVES.split(name):
                if theme_key(half) and theme_key(half) != theme_key(name):
                    halves.setdefault(theme_key(half), []).append(name)
        known: dict[str, str] = {k: v[0] for k, v in halves.items() if len(v) == 1}
        for label, target in (aliases or {}).items():
            if theme_key(target) in exact:
                known[theme_key(label)] = exact[theme_key(target)]
        known.update(exact)
        self._known = known

    def theme_of(self, label: str) -> str | None:
        """The taxonomy theme `label` is filed under, or None when it names none."""
        return self._known.get(theme_key(label))

    def filed(self, labels: Iterable[str]) -> tuple[str, ...]:
        """The taxonomy themes `labels` name, in order, each once."""
        found = (self.theme_of(label) for label in labels)
        return tuple(dict.fromkeys(theme for theme in found if theme))

    def group_of(self, label: str) -> str:
        """Where a label is grouped: its taxonomy theme, or itself as written."""
        return self._known.get(theme_key(label), label)


class ThemeModel:
    """Nearest-centroid theme classifier, built once per build, used for every document."""

    def __init__(
        self,
        taxonomy: Mapping[str, Terms],
        examples: Iterable[tuple[str, Sequence[str]]] = (),
        threshold: float | None = None,
        aliases: Mapping[str, str] | None = None,
        corpus: Iterable[str] = (),
    ) -> None:
        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        # Examples teach the taxonomy theme their labels name; a label that
        # names none (a site's own section) teaches nothing and is never inferred.
        known = ThemeNames(taxonomy, aliases)
        labelled = [(text, known.filed(labels)) for text, labels in examples]
        labelled = [(text, labels) for text, labels in labelled if labels]
        texts = list(corpus)
        self._fingerprint = _fingerprint(taxonomy, labelled, texts, self.threshold)

        bags = [_bag(text) for text, _ in labelled]
        corpus_bags = [_bag(text) for text in texts]
        idf = _idf(bags + corpus_bags)
        # Words no document used weigh most: they are the rarest the model knows of.
        unseen = math.log(len(bags) + len(corpus_bags) + 1) + 1.0

        def vector(bag: Mapping[str, float]) -> dict[str, float]:
            return _unit({w: _tf(c) * idf.get(w, unseen) for w, c in bag.items()})

        self.themes = tuple(taxonomy)
        seed: list[dict[str, float]] = []
        for name in self.themes:
            terms = {w: c * idf.get(w, unseen) for w, c in _keyword_bag(taxonomy[name]).items()}
            seed.append(_scaled(_unit(terms), KEYWORD_WEIGHT))
        index = {name: i for i, name in enumerate(self.themes)}
        for bag, (_, names) in zip(bags, labelled, strict=True):
            example = vector(bag)
            for name in names:
                _add(seed[index[name]], example)
        postings = _postings([_unit(c) for c in seed])
        # Self-training: the documents the model is sure of teach it the
        # vocabulary of the rest (names, jargon no description lists).
        vectors = [vector(bag) for bag in corpus_bags]
        for share in SELF_TRAINING_SHARES if vectors else ():
            sums = [dict(c) for c in seed]
            by_theme: dict[int, list[tuple[float, int]]] = {}
            for n, unit in enumerate(vectors):
                theme, confidence = _ranked(_dot(unit, postings, len(seed)), 1.0)[0]
                if confidence >= self.threshold and confidence > 0.0:
                    by_theme.setdefault(theme, []).append((confidence, n))
            for theme, found in by_theme.items():
                found.sort(reverse=True)
                for _, n in found[: math.ceil(share * len(found))]:
                    _add(sums[theme], _scaled(vectors[n], SELF_TRAINING_WEIGHT))
            postings = _postings([_unit(c) for c in sums])
        # One look-up per word of a document at inference: its IDF and postings.
        themes = len(self.themes)
        self._terms = {
            w: (idf.get(w, unseen), _sparse(postings.get(w, ()), themes)) for w in idf | postings
        }
        self._unseen: tuple[float, tuple[tuple[int, float], ...]] = (unseen, ())

    @property
    def fingerprint(self) -> str:
        """Changes whenever taxonomy, examples, corpus, threshold or the method change."""
        return self._fingerprint

    def confidences(self, text: str) -> list[tuple[str, float]]:
        """Every theme with its confidence for `text`, most confident first.

        Confidence is the cosine to the theme's centroid less the mean cosine to
        the others: shared everyday words lift every score alike, and a document
        on a subject outside the taxonomy lands about as near to every theme.
        """
        # The document's TF-IDF vector is weighed and normalised on the fly:
        # inference runs on every document of every build.
        scores = [0.0] * len(self.themes)
        terms, unseen, tf = self._terms, self._unseen, _TF
        norm = 0.0
        for word, count in _bag(text).items():
            idf, entries = terms.get(word, unseen)
            weight = (tf[count] if count < 64 else 1.0 + math.log(count)) * idf
            norm += weight * weight
            for theme, centroid_weight in entries:
                scores[theme] += weight * centroid_weight
        ranked = _ranked(scores, 1.0 / math.sqrt(norm) if norm else 1.0)
        return [(self.themes[i], c) for i, c in ranked]

    def infer(self, text: str) -> tuple[str, ...]:
        """The themes of `text` (title on its first line), most confident first; () if unsure."""
        ranked = [(n, c) for n, c in self.confidences(text) if c > 0.0 and c >= self.threshold]
        if not ranked:
            return ()
        best = ranked[0][1]
        return tuple(name for name, c in ranked[:2] if c >= SECOND_THEME_RATIO * best)


def _dot(
    unit: Mapping[str, float], postings: Mapping[str, Sequence[tuple[int, float]]], themes: int
) -> list[float]:
    scores = [0.0] * themes
    for word, weight in unit.items():
        for theme, centroid_weight in postings.get(word, ()):
            scores[theme] += weight * centroid_weight
    return scores


def _ranked(scores: Sequence[float], scale: float) -> list[tuple[int, float]]:
    """Theme indexes by confidence: the scaled score less the mean of the others."""
    total, others = sum(scores) * scale, max(len(scores) - 1, 1)
    ranked = [(i, s * scale - (total - s * scale) / others) for i, s in enumerate(scores)]
    return sorted(ranked, key=lambda item: -item[1])


# Term frequency dampened by log, precomputed for the counts most words have.
_TF = tuple(1.0 + math.log(c) if c else 0.0 for c in range(64))


def _tf(count: float) -> float:
    return _TF[count] if isinstance(count, int) and count < 64 else 1.0 + math.log(count)


def _bag(text: str) -> dict[str, int]:
    title, _, body = text.partition("\n")
    bag: dict[str, int] = {}
    count_of = bag.get
    # Each distinct word is stemmed once, however often it occurs.
    for word, count in Counter(_WORD.findall(body.lower())).items():
        if stem := _stem(word):
            bag[stem] = count_of(stem, 0) + count
    for stem in _stems(title):
        bag[stem] = count_of(stem, 0) + TITLE_WEIGHT
    return bag


def _keyword_bag(terms: Terms) -> dict[str, float]:
    # Each term counts its weight once; a phrase shares it among its words.
    weighted = terms.items() if isinstance(terms, Mapping) else ((t, 1.0) for t in terms)
    bag: dict[str, float] = {}
    for term, weight in weighted:
        stems = _stems(term)
        for stem in stems:
            bag[stem] = bag.get(stem, 0.0) + weight / len(stems)
    return bag


def _stems(text: str) -> list[str]:
    return [stem for w in _WORD.findall(text.lower()) if (stem := _stem(w))]


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """The stem of a word, or "" for a stopword."""
    if word in _STOPWORDS:
        return ""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word[-2] in "su":
                return word
            stem = word[: -len(suffix)] + replacement
            # running -> run, stopped -> stop, but spelling -> spell
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]
            return stem
    return word


def _postings(centroids: Sequence[Mapping[str, float]]) -> dict[str, tuple[tuple[int, float], ...]]:
    # Indexed by word, a document's dot products with every centroid take one pass.
    lists: dict[str, list[tuple[int, float]]] = {}
    for theme, centroid in enumerate(centroids):
        kept = sorted(centroid.items(), key=lambda item: -item[1])[:CENTROID_WORDS]
        for word, weight in kept:
            lists.setdefault(word, []).append((theme, weight))
    return {word: tuple(entries) for word, entries in lists.items()}


def _sparse(entries: Sequence[tuple[int, float]], themes: int) -> tuple[tuple[int, float], ...]:
    """A word's postings with what it adds to every theme alike taken out.

    Confidence subtracts the mean of the other themes, so a weight a word
    gives all themes cancels: the smallest, when every theme has the word, is
    subtracted from each. Entries under PRUNE_SHARE of the word's largest
    change no ranking worth having and are dropped.
    """
    if not entries:
        return ()
    low = min(w for _, w in entries) if len(entries) == themes else 0.0
    top = max(w for _, w in entries) - low
    return tuple((t, w - low) for t, w in entries if w - low > PRUNE_SHARE * top)


def _idf(bags: Sequence[Mapping[str, int]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    return {w: math.log((n + 1) / (d + 1)) + 1.0 for w, d in df.items()}


def _scaled(vector: Mapping[str, float], factor: float) -> dict[str, float]:
    return {w: v * factor for w, v in vector.items()}


def _add(into: dict[str, float], vector: Mapping[str, float]) -> None:
    for w, v in vector.items():
        into[w] = into.get(w, 0.0) + v


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {w: v / norm for w, v in vector.items()} if norm else {}


def _fingerprint(
    taxonomy: Mapping[str, Terms],
    examples: Sequence[tuple[str, Sequence[str]]],
    corpus: Sequence[str],
    threshold: float,
) -> str:
    # Examples are hashed as a sorted set: the order a store lists them in must not matter.
    hashed = sorted(
        hashlib.sha256(json.dumps([text, list(names)]).encode()).hexdigest()
        for text, names in examples
    )
    texts = sorted(hashlib.sha256(text.encode()).hexdigest() for text in corpus)
    terms = {k: sorted(_keyword_bag(v).items()) for k, v in taxonomy.items()}
    payload = json.dumps(
        [MODEL_VERSION, terms, hashed, texts, repr(threshold)],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
