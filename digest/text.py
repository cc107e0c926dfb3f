"""Small text helpers shared by every stage."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# Characters XML 1.0 forbids, plus C1 controls and the replacement character that
# a bad decode leaves behind: none may reach a feed, a page or a message.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ufffd]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# Text without these squashes by splitting at whitespace (three times faster): the
# rest of what str.split() splits at is what _SPACES and newlines cover.
_SPLIT_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u1680\u2028\u2029\ufffd-\uffff]"
)


def strip_control(text: str) -> str:
    """Remove characters that are illegal in XML or invisible controls."""
    return _ILLEGAL.sub("", text)


def squash(text: str) -> str:
    """One line of clean text: controls removed, runs of spaces made single."""
    if _SPLIT_UNSAFE.search(text) is None:
        return " ".join(text.split())
    return _SPACES.sub(" ", strip_control(text).replace("\n", " ").replace("\r", " ")).strip()


def slugify(text: str, *, max_length: int = 60) -> str:
    """A lowercase ASCII slug for file names and URLs ("Middle East & North Africa" -> ...)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("&", " and "))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "untitled"


def label_slugs(names: Iterable[str]) -> dict[str, str]:
    """A distinct slug for each label: "Law & Justice" and "Law and Justice" must
    not share a feed file.

    Of the names that slugify alike, the shortest (then the first in code point
    order) keeps the plain slug, as the shipped taxonomy spells its names with
    "&"; each other one gets a suffix made from its own text, so its file never
    moves when labels come or go.
    """
    groups: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        groups.setdefault(slugify(name), []).append(name)
    slugs: dict[str, str] = {}
    for slug, spellings in groups.items():
        first = min(spellings, key=lambda n: (len(n), n))
        for name in spellings:
            suffix = hashlib.sha256(name.encode()).hexdigest()[:6]
            slugs[name] = slug if name == first else f"{slug}-{suffix}"
    return slugs


# Controls, line and paragraph separators and bidi overrides: in a file name
# they could forge report lines or reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control character shown as its escape (`\\n`, `\\x1b`, `\\u202e`)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\n\r":
        return repr(char)[1:-1]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
