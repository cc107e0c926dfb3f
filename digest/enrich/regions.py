"""Infer the regions a story is about from the places it names.

Where a story is set outweighs what it mentions on the way. In order of weight: a
dateline ("BUENOS AIRES, March 3 -", in any case), the headline, the lead, the rest of
the text. Names come from `gazetteer.places()` (matched anywhere, in one compiled regex)
and `gazetteer.towns()` (believed only after "in", "near", "outside" or before
"-based", or in a dateline). A place named as a trade partner, a supplier, a buyer or
a comparison ("exports to Japan", "compared with France") or as one of a list of
three or more ("Britain, France, Italy and Japan") is a passing mention: it weighs a
fraction and does not count as the story's own place. When the text names no place of
its own, cues decide (`cues.CueReader`: stock codes, exchanges, currencies, national
institutions); failing those, the passing mentions. Of the countries found, only
those close to the top one count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from digest.enrich.cues import CueReader
from digest.enrich.gazetteer import (
    Place,
    fold,
    places,
    read_toml,
    town_place,
    towns,
    trie_pattern,
)

__all__ = ["Mention", "Place", "RegionInferrer", "default_regions", "places"]

# A dateline says where the story was filed; a headline names what it is about; the
# lead usually says where it happened.
DATELINE_WEIGHT = 4.0
TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
LEAD_CHARS = 400
# A trade partner, a comparison, a member of a list: a fraction of a mention.
PASSING_WEIGHT = 0.25
LIST_LENGTH = 3
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
# What joins the members of a list of places.
_LIST_GAP = re.compile(r"(?:,\s*|\s*/\s*|,?\s+(?:and|or)\s+)(?:the\s+)?")

# The words before a place that make it someone the story deals with rather than where
# it is set: a trade partner or supplier, a comparison. Searched in the few words
# before each match, anchored at the match.
_PASSING_BEFORE = re.compile(
    r"(?:\b(?:exports?|exported|exporting|exporters?|imports?|imported|importing|importers?"
    r"|shipments?|shipped|shipping|sales|sold|sell|sells|selling|deliveries|delivered"
    r"|supplies|supplied|supplying|suppliers?|purchases|purchased|bought|buying|buyers?"
    r"|orders?)\b[^.;:\n]{0,40}?\b(?:to|from)"
    r"|\b(?:trade|surplus|deficit)\s+with"
    r"|\b(?:compared\s+(?:with|to)|than|like|unlike|such\s+as|versus|vs\.?|rather\s+than"
    r"|as\s+well\s+as|ahead\s+of|behind)"
    r"|\b(?:buyers?|customers?|clients?|suppliers?|importers?|partners?|competitors?|rivals?)"
    r"\s+(?:in|from|of|such\s+as|like))"
    r"\s+(?:the\s+|that\s+(?:of|in)\s+|those\s+(?:of|in)\s+)?$",
    re.IGNORECASE,
)
_PASSING_AFTER = re.compile(
    r"(?:'s)?\s+(?:buyers?|customers?|clients?|importers?|suppliers?|competitors?|rivals?)\b",
    re.IGNORECASE,
)
_PASSING_WINDOW = 60
# The last word of every phrase above, and what may stand between it and the place:
# most places follow none, and testing the last words spares the full search.
_CONNECTORS = frozenset(
    {"to", "from", "with", "than", "like", "as", "versus", "vs", "vs.", "of", "behind", "in"}
)
_ARTICLES = frozenset({"the", "that", "those"})
_CONNECTOR_WINDOW = 20
# Of the phrases above, only "customers in" and the like end in "in" (or "that in",
# "those in"), and each phrase holds one of these keys: in lowercase ASCII text, a
# window that lacks them is not searched (most places follow a plain "in").
_PARTIES = (
    "buyer", "buyers", "customer", "customers", "client", "clients", "supplier", "suppliers",
    "importer", "importers", "partner", "partners", "competitor", "competitors", "rival",
    "rivals",
)  # fmt: skip
_PASSING_KEYS = (
    "export", "import", "ship", "sales", "sold", "sell", "deliver", "suppl", "purchase",
    "bought", "buy", "order", "trade", "surplus", "deficit", "compared", "than", "like",
    "such", "versus", "vs", "well", "ahead", "behind", "customer", "client", "partner",
    "competitor", "rival",
)  # fmt: skip

# A capitalised place name of up to four words, as a town is written.
_PHRASE = (
    r"[A-Z][\w'’]*(?:[ -](?:(?:de|del|la|las|los|el|do|da|dos|das|di|du|le|les|sur|am|an"
    r"|upon|on)[ -])?[A-Z][\w'’]*){0,3}"
)
# Where copy uses a capitalised name as a place: "in X", "near X", "X-based". Each
# word opens on a plain letter, with what may not precede it checked once it is read:
# the regex engine then skips ahead to those letters instead of trying every position.
_TOWN_WORDS = ("In", "in", "Near", "near", "Outside", "outside", "Around", "around")
_TOWN = re.compile(
    "(?:" + "|".join(rf"{word}(?<!\w{'.' * len(word)})" for word in _TOWN_WORDS) + ")"
    rf"\s+(?P<town>{_PHRASE})"
)
_BASED = "-based"
_BASED_TOWN = re.compile(rf"(?<![\w-])(?P<town>{_PHRASE})$")
_PHRASE_CHARS = 40
# "a stake in X", "shares in X": X is a company, whatever town shares its name.
_HOLDING_IN = re.compile(
    r"\b(?:stakes?|interests?|holdings?|shares|investments?|invest|invested|investing"
    r"|position)\s+$"
)
_HOLDING_WINDOW = 20
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
_AGENCY = r"\((?:[A-Z][\w.]*)(?:\s+[A-Z][\w.]*)*\)"
# A dateline opening a paragraph: "BUENOS AIRES, March 3 -", "Pergamino, Argentina,
# March 3 (Reuters) -", "ROSARIO (AP) -". Place words may be in capitals.
_DATELINE = re.compile(
    rf"[ \t]*(?P<place>[A-Z][\w'’.]*(?:[ -][A-Za-z][\w'’.]*){{0,3}}?)"
    rf"(?:,\s*(?P<area>[A-Z][\w'’.]*(?:\s[A-Z][\w'’.]*){{0,2}}))?"
    rf"(?:,?\s*{_MONTH})?(?:\s*{_AGENCY})?\s*[-–—]{{1,2}}\s",
)
_DASHES = re.compile(r"[-–—]")
_DATELINE_CHARS = 120
_LOWER = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class Mention:
    place: Place
    weight: float
    own: bool  # where the story is set, not a partner, comparison or list member


class RegionInferrer:
    """Places named in a text -> countries -> regions; build once, reuse for every story."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self._region_of = {**default_regions(), **(overrides or {})}
        self._places = places()
        self._towns = towns()
        # A name ending in a full stop may touch the next word ("U.S.Senate").
        self._pattern = re.compile(trie_pattern(self._places, guard=r"(?<!\w)") + r"(?!(?<=\w)\w)")
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
        for code, score in self.weights(title, body).items():
            region = self._region_of.get(code)
            if region is not None:
                regions[region] = regions.get(region, 0.0) + score
        if not regions:
            return ()
        top = max(regions.values())
        ranked = sorted(regions, key=lambda name: -regions[name])
        return tuple(name for name in ranked if regions[name] >= REGION_SHARE * top)

    def weights(self, title: str, body: str) -> dict[str, float]:
        """Country weights: the story's own places, else its cues, else passing mentions."""
        mentions = self.mentions(title, body)
        if any(m.own and m.place.codes for m in mentions):
            return _resolve(mentions)
        return self._cues.weights(title, body) or _resolve(mentions)

    def mentions(self, title: str, body: str) -> list[Mention]:
        """Every place the text names, weighted by where and how it is named."""
        title, body = self._headline_case(fold(title)), fold(body)
        found: list[Mention] = []
        body = self._datelines(body, found)
        lead_end = _lead_end(body)
        for text, is_title in ((title, True), (body, False)):
            matches = self._matches(text)
            lists = _list_lengths(text, matches)
            for index, match in enumerate(matches):
                place = self._places[match.group()]
                if index + 1 < len(matches) and _is_inside(
                    match, place, matches[index + 1], self._places
                ):
                    continue
                start = match.start()
                weight = TITLE_WEIGHT if is_title else LEAD_WEIGHT if start < lead_end else 1.0
                own = lists[index] < LIST_LENGTH and not _passing(text, match)
                found.append(Mention(place, weight if own else weight * PASSING_WEIGHT, own))
            for match in self._town_mentions(text):
                town = self._town(match.group("town"))
                start = match.start()
                if town is not None and not _held(text, start):
                    weight = TITLE_WEIGHT if is_title else LEAD_WEIGHT if start < lead_end else 1.0
                    found.append(Mention(town, weight, own=True))
        return found

    def _matches(self, text: str) -> list[re.Match[str]]:
        """Every name matched in the text, less person-like ones beside another name."""
        places = self._places
        return [
            m
            for m in self._pattern.finditer(text)
            if not (places[m.group()].person_like and _beside_a_name(text, m.start(), m.end()))
        ]

    def _town_mentions(self, text: str) -> list[re.Match[str]]:
        """Where the text uses a capitalised name as a place: "in X", "X-based"."""
        found = list(_TOWN.finditer(text))
        based = text.find(_BASED)
        while based >= 0:
            # Only a few stories say "-based": finding it beats a regex over every word.
            if match := _BASED_TOWN.search(text, max(0, based - _PHRASE_CHARS), based):
                found.append(match)
            based = text.find(_BASED, based + 1)
        return found

    def _datelines(self, body: str, found: list[Mention]) -> str:
        """Count each dateline's place once, heavily; blank it out of the text it returns."""
        start = 0
        while start < len(body):
            end = body.find("\n", start)
            end = len(body) if end < 0 else end
            # Most lines hold no dash near their start: skip them without the regex.
            if _DASHES.search(body, start, min(end, start + _DATELINE_CHARS)):
                body = self._dateline(body, start, found)
            start = end + 1
        return body

    def _dateline(self, body: str, start: int, found: list[Mention]) -> str:
        match = _DATELINE.match(body, start)
        if match is None:
            return body
        names = [self._caps_to_case(match.group("place"))]
        if match.group("area"):
            names.append(self._caps_to_case(match.group("area")))
        located = [p for p in map(self._named, names) if p is not None and p.codes]
        for place in located:
            found.append(Mention(place, DATELINE_WEIGHT / len(located), own=True))
        if not located:
            return body
        begin, end = match.span()
        return body[:begin] + " " * (end - begin) + body[end:]

    def _named(self, name: str) -> Place | None:
        return self._places.get(name) or self._town(name)

    def _town(self, phrase: str) -> Place | None:
        """The town `phrase` names; a longer phrase ("Santa Fe Southern Pacific") is no town."""
        codes = self._towns.get(phrase)
        return None if codes is None else town_place(codes)

    def _headline_case(self, title: str) -> str:
        """An all-capitals headline in the case body text uses, so names match."""
        if _LOWER.search(title):
            return title
        return self._caps_to_case(title)

    def _caps_to_case(self, text: str) -> str:
        def fix(match: re.Match[str]) -> str:
            word = match.group()
            return word if word in self._acronyms else word.capitalize()

        return _CAPS_WORD.sub(fix, text)


def default_regions() -> dict[str, str]:
    """The shipped country -> region table (ISO 3166 alpha-2 code -> region name)."""
    table = read_toml("regions.toml")
    return {code: region for region, codes in table.items() for code in codes}


def _resolve(found: list[Mention]) -> dict[str, float]:
    """Sum the weight of each country; ambiguous names go where the rest of the text points."""
    scores: dict[str, float] = {}
    for mention in found:
        place = mention.place
        if not place.ambiguous:
            for code in place.codes:
                scores[code] = scores.get(code, 0.0) + mention.weight / len(place.codes)
    support = dict(scores)
    for mention in found:
        place = mention.place
        if place.ambiguous:
            code = max(place.codes, key=lambda c: support.get(c, 0.0))
            # A town several countries share is left out when nothing else supports one.
            if place.town and not support.get(code):
                continue
            scores[code] = scores.get(code, 0.0) + mention.weight
    return scores


def _held(text: str, start: int) -> bool:
    return _HOLDING_IN.search(text, max(0, start - _HOLDING_WINDOW), start) is not None


def _passing(text: str, match: re.Match[str]) -> bool:
    start, end = match.span()
    if _PASSING_AFTER.match(text, end) is not None:
        return True
    words = text[max(0, start - _CONNECTOR_WINDOW) : start].lower().split()
    if not words:
        return False
    if words[-1] in _ARTICLES and len(words) > 1:
        words.pop()
    if words[-1] not in _CONNECTORS:
        return False
    begin = max(0, start - _PASSING_WINDOW)
    window = text[begin:start]
    if window.isascii() and not _may_be_passing(window.lower()):
        return False
    return _PASSING_BEFORE.search(text, begin, start) is not None


def _may_be_passing(window: str) -> bool:
    """False when _PASSING_BEFORE cannot match at the end of `window` (lowercase ASCII)."""
    words = window.split()
    if len(words) >= 2 and words[-1] == "in" and words[-2] not in ("that", "those"):
        return words[-2].endswith(_PARTIES)
    if len(words) >= 3 and words[-2:] == ["in", "the"]:
        return words[-3].endswith(_PARTIES)
    return any(key in window for key in _PASSING_KEYS)


def _list_lengths(text: str, matches: list[re.Match[str]]) -> list[int]:
    """For each match, how many places stand in the list it belongs to (1: none)."""
    lengths = [1] * len(matches)
    if len(matches) < LIST_LENGTH:
        return lengths
    start = 0
    for index in range(1, len(matches) + 1):
        joined = index < len(matches) and _LIST_GAP.fullmatch(
            text, matches[index - 1].end(), matches[index].start()
        )
        if not joined:
            for member in range(start, index):
                lengths[member] = index - start
            start = index
    return lengths


def _beside_a_name(text: str, start: int, end: int) -> bool:
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    after = _WORD_AFTER.match(text[end : end + 40])
    return any(m is not None and m.group(1) not in _FUNCTION_WORDS for m in (before, after))


def _is_inside(
    match: re.Match[str], place: Place, following: re.Match[str], table: Mapping[str, Place]
) -> bool:
    """True for the town in "Paris, Texas": the state that follows places it."""
    return (
        following.start() - match.end() == len(_SUBDIVISION_GAP)
        and match.string[match.end() : following.start()] == _SUBDIVISION_GAP
        and table[following.group()].subdivision
        and not place.subdivision
    )


def _lead_end(body: str) -> int:
    stripped = body.lstrip()
    offset = len(body) - len(stripped)
    newline = stripped.find("\n")
    length = len(stripped) if newline < 0 else newline
    return offset + min(length, LEAD_CHARS)
