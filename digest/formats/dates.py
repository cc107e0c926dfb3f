"""Dates as publishers write them, read to the instant.

ISO 8601 and numeric forms are read here, strictly, so an impossible value
(`2025-13-01`, an hour of 25, an offset of 24 hours) is reported rather than
guessed at. English text goes to dateutil, which is fast and already loaded;
only what it cannot read (month names in French, Spanish, German, Portuguese
or Italian) goes to dateparser, imported on first need because loading its
language data costs a fifth of a second that most builds never pay.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from digest.text import squash


class DateError(ValueError):
    """A value that claims to be a date but cannot be one; the message says why."""


# Standard zone abbreviations at their real offsets (hours). Where one is ambiguous
# the reading news in English most often means wins: CST is US Central, IST India.
_ZONES: dict[str, float] = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5,
    "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    "BRT": -3, "ART": -3, "SAST": 2, "WAT": 1, "CAT": 2, "EAT": 3, "PKT": 5, "ICT": 7,
    "WIB": 7, "HKT": 8, "SGT": 8, "PHT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5,
    "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}  # fmt: skip
# Generic names follow daylight saving: their offset depends on the date.
_REGIONAL = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}  # fmt: skip

# Words that label a date ("Published on", "Publié le") and say which date it is.
_LABEL = re.compile(
    r"(?P<label>(?:last\s+)?updated|modified|published|posted|first\s+published|"
    r"mis\s+à\s+jour|publié|actualizado|publicado|atualizado|aktualisiert|"
    r"zuletzt\s+aktualisiert|veröffentlicht|erschienen|stand|aggiornato|pubblicato)"
    r"(?:\s+(?:on|le|el|em|am|il|at))?\s*:?\s+",
    re.IGNORECASE,
)
_UPDATED_LABELS = re.compile(r"updated|modified|mis|actualizado|atualizado|aktualisiert|stand|aggi")

# A date needs a year: four digits, or a short numeric date such as 10/01/25.
_HAS_YEAR = re.compile(r"\d{4}|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2}\b")
_ZONE = r"(?P<zone>Z|[+-]\d\d(?::?\d\d)?|[A-Z]{2,5})"
_CLOCK = (
    r"(?:[T ,]+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d\d)(?::(?P<second>\d\d)(?:[.,]\d+)?)?"
    rf"(?:\s*(?P<ampm>[ap])\.?m\.?)?(?:\s*{_ZONE})?)?"
)
_ISO = re.compile(rf"(?P<year>\d{{4}})-(?P<month>\d\d?)-(?P<day>\d\d?){_CLOCK}", re.IGNORECASE)
# 07.05.2024, 04/11/2024, 2024/11/04, 7-5-24.
_NUMERIC = re.compile(
    rf"(?P<a>\d{{1,4}})(?P<sep>[./-])(?P<b>\d{{1,2}})(?P=sep)(?P<c>\d{{2,4}})\.?{_CLOCK}",
    re.IGNORECASE,
)
# "14h30" (French, Portuguese) is a clock time; "1er" is the first of the month.
_H_CLOCK = re.compile(r"\b(\d{1,2})\s*h\s*(\d\d)\b")
_FIRST = re.compile(r"\b1(?:er|º|°)(?=\s)", re.IGNORECASE)
# Words between a date and its time: "at", "à", "às", "a las", "alle", "um", and "Uhr".
_CONNECTORS = re.compile(r"\s+(?:at|à|às|a\s+las|alle|um|ore)\s+|\s+uhr\b", re.IGNORECASE)
# An article before the date ("le 3 mars", "el 5 de mayo") that the label rule left.
_ARTICLE = re.compile(r"^(?:on|le|el|il|am|em|the)\s+", re.IGNORECASE)
# "GMT+0200" means two hours east, not the POSIX reading dateutil gives it.
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)(?=[+-]\d)")
_TRAILING_ZONE = re.compile(r"\s+([A-Z]{2,5})$")
_WORD = re.compile(r"[^\W\d_]{3,}")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_DAY_YEAR = re.compile(
    rf"(?P<month>{'|'.join(_MONTHS)}) (?P<day>\d{{1,2}}), (?P<year>\d{{4}})", re.IGNORECASE
)
# Longer than any date line a publisher writes: no reason to hand it to a parser.
_MAX_CHARS = 100
# Missing parts of a date are filled from this, never from today.
_DEFAULT = datetime(2000, 1, 1)
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "REQUIRE_PARTS": ["day", "month", "year"],
    # Absolute dates only: "il y a 3 jours" would date a document by when it is read.
    "PARSERS": ["custom-formats", "absolute-time"],
}
_LANGUAGES = ["en", "fr", "es", "de", "pt", "it"]


def split_label(text: str) -> tuple[str | None, str]:
    """("published" or "updated", the rest) for "Publié le 3 mars 2025"; (None, text) unlabelled."""
    found = _LABEL.match(text)
    if not found:
        return None, text
    kind = "updated" if _UPDATED_LABELS.search(found.group("label").lower()) else "published"
    return kind, text[found.end() :]


def read_date(value: object, *, dayfirst: bool, foreign: bool = True) -> datetime | None:
    """The instant `value` names (UTC when it names no zone), or None when it names no date.

    Raises DateError when `value` has the shape of a date but no such instant exists.
    `foreign=False` skips the other languages, for a caller with several guesses to try.
    """
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    if not isinstance(value, str):
        return None
    if len(value) > _MAX_CHARS * 2:  # read uncached: the cache would hold long strings
        return _text_date(value, dayfirst=dayfirst, foreign=foreign)
    found = _read_text(value, dayfirst, foreign)
    if isinstance(found, str):
        raise DateError(found)
    return found


@lru_cache(maxsize=8192)
def _read_text(value: str, dayfirst: bool, foreign: bool) -> datetime | str | None:
    """read_date of a string, or why it is impossible. Cached: a header line is tried
    as a dateline, a byline and a label, and its lines are looked at again ahead."""
    try:
        return _text_date(value, dayfirst=dayfirst, foreign=foreign)
    except DateError as exc:
        return str(exc)


def _text_date(value: str, *, dayfirst: bool, foreign: bool) -> datetime | None:
    text = squash(value).strip(" .,;")
    if len(text) > _MAX_CHARS or not _HAS_YEAR.search(text):
        return None
    text = split_label(text)[1]
    if found := _ISO.fullmatch(text):
        return _build(found, int(found["year"]), int(found["month"]), int(found["day"]))
    if found := _NUMERIC.fullmatch(text):
        return _numeric(found, dayfirst=dayfirst)
    if not _WORD.search(text):
        return None
    text = _CONNECTORS.sub(" ", _FIRST.sub("1", _H_CLOCK.sub(r"\1:\2", text)))
    text = _GMT_OFFSET.sub("", _ARTICLE.sub("", text))
    english = _month_day_year(text) or _english(text, dayfirst=dayfirst)
    return english if english or not foreign else _other_language(text)


def _month_day_year(text: str) -> datetime | None:
    """ "January 10, 2025", the commonest English shape, read as dateutil reads it (a
    tenth of its time); None for anything else, or a day the month does not have."""
    found = _MONTH_DAY_YEAR.fullmatch(text)
    if found is None:
        return None
    month = _MONTHS[found["month"].lower()]
    try:
        return datetime(int(found["year"]), month, int(found["day"]), tzinfo=UTC)
    except ValueError:
        return None  # dateutil says why


def _numeric(found: re.Match[str], *, dayfirst: bool) -> datetime:
    a, b, c = (int(found[k]) for k in "abc")
    if len(found["a"]) == 4:
        year, month, day = a, b, c
    else:
        year = c + 2000 if len(found["c"]) == 2 else c
        # A value over 12 can only be the day; dots are the day-first countries' mark.
        day_first = a > 12 or (b <= 12 and (dayfirst or found["sep"] == "."))
        day, month = (a, b) if day_first else (b, a)
    return _build(found, year, month, day)


def _build(found: re.Match[str], year: int, month: int, day: int) -> datetime:
    """The datetime of matched parts, or DateError naming the impossible one."""
    hour = int(found["hour"] or 0)
    minute = int(found["minute"] or 0)
    second = int(found["second"] or 0)
    if found["ampm"]:
        if not 1 <= hour <= 12:
            raise DateError(f"hour {hour} with a.m./p.m.")
        hour = hour % 12 + (12 if found["ampm"].lower() == "p" else 0)
    try:
        zone = _zone(found["zone"], date(year, month, day)) if found["zone"] else UTC
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError as exc:
        raise DateError(str(exc)) from None


def _zone(name: str, day: date) -> tzinfo:
    if name.upper() == "Z":
        return UTC
    if name[0] in "+-":
        digits = name[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours >= 24 or minutes >= 60:
            raise DateError(f"offset {name} is not a time zone")
        sign = -1 if name[0] == "-" else 1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    offset = zone_offset(name, day)
    if offset is None:
        raise DateError(f"unknown time zone {name}")
    return timezone(offset) if offset else UTC


def zone_offset(name: str, day: date) -> timedelta | None:
    """The offset a zone abbreviation (EST, CET, IST, ET...) stands for on `day`."""
    upper = name.upper()
    if upper in _ZONES:
        return timedelta(hours=_ZONES[upper])
    if upper in _REGIONAL:
        return ZoneInfo(_REGIONAL[upper]).utcoffset(datetime.combine(day, time(12)))
    return None


def _english(text: str, *, dayfirst: bool) -> datetime | None:
    unknown: list[str] = []

    def zones(name: str | None, offset: int | None) -> tzinfo | None:
        if name is None:
            return None if offset is None else timezone(timedelta(seconds=offset))
        found = _ZONES.get(name.upper())
        if found is not None:
            return timezone(timedelta(hours=found)) if found else UTC
        if name.upper() in _REGIONAL:
            return ZoneInfo(_REGIONAL[name.upper()])
        unknown.append(name)
        return None

    try:
        found = dateutil_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT, tzinfos=zones)
    except dateutil_parser.ParserError as exc:
        message = str(exc)
        # An out-of-range part ("hour must be in 0..23") is a broken date, not a foreign one.
        if "must be in" in message or "out of range" in message:
            raise DateError(message.partition(":")[0]) from None
        return None
    except (ValueError, OverflowError) as exc:
        if "offset must be" in str(exc):
            raise DateError("offset of 24 hours or more") from None
        raise DateError(str(exc)) from None
    if unknown:
        raise DateError(f"unknown time zone {unknown[0]}")
    return _aware(found)


def _other_language(text: str) -> datetime | None:
    # Imported here, not at the top: see the module docstring.
    from dateparser import parse as dateparser_parse

    # Zones are read here, so every format agrees on what "CET" means.
    zone = _TRAILING_ZONE.search(text)
    offset = None
    if zone:
        offset = zone_offset(zone.group(1), date(2000, 1, 1))
        text = text[: zone.start()] if offset is not None else text
    try:
        found = dateparser_parse(text, languages=_LANGUAGES, settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, LookupError, TypeError):
        # Hostile text can trip the library in many ways; none of them is a date.
        return None
    if found is None:
        return None
    if zone and offset is not None:
        offset = zone_offset(zone.group(1), found.date())
        return found.replace(tzinfo=timezone(offset) if offset else UTC)
    return _aware(found)


def _aware(found: datetime) -> datetime:
    offset = found.utcoffset()
    if offset is None:
        return found.replace(tzinfo=UTC)
    # dateutil hands back tzlocal() for an offset equal to this machine's, and regional
    # zones are resolved here: pin a fixed offset so every machine reads the same instant.
    return found.replace(tzinfo=UTC if not offset else timezone(offset))
