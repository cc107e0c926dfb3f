"""Dates as publishers write them, each pinned to the exact instant it names."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from dateutil import parser as dateutil_parser
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.formats.dates import DateError, read_date, split_label


def at(*parts: int, hours: float = 0) -> datetime:
    zone = timezone(timedelta(hours=hours)) if hours else UTC
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        # ISO 8601 and RFC 2822, as feeds and front matter write them.
        ("2025-01-10", at(2025, 1, 10)),
        ("2025-01-10T09:30:00Z", at(2025, 1, 10, 9, 30)),
        ("2025-01-10 09:30:00+05:30", at(2025, 1, 10, 9, 30, hours=5.5)),
        ("2025-01-10T09:30-0800", at(2025, 1, 10, 9, 30, hours=-8)),
        ("Fri, 10 Jan 2025 09:30:00 +0100", at(2025, 1, 10, 9, 30, hours=1)),
        ("10 Jan 2025 10:00:00 GMT+0200", at(2025, 1, 10, 10, hours=2)),
        # Ordinals and weekdays.
        ("June 3rd, 2024", at(2024, 6, 3)),
        ("1st March 2025", at(2025, 3, 1)),
        ("Tue, 11 Mar 2025", at(2025, 3, 11)),
        ("Tuesday, March 11, 2025 at 3:30 p.m. EST", at(2025, 3, 11, 15, 30, hours=-5)),
        # Named zones at their real offsets; the generic US ones follow daylight saving.
        ("Mar 2, 2025 9:15 AM PST", at(2025, 3, 2, 9, 15, hours=-8)),
        ("Mar 2, 2025 9:15 AM EDT", at(2025, 3, 2, 9, 15, hours=-4)),
        ("Jan 12, 2025 9:15 AM ET", at(2025, 1, 12, 9, 15, hours=-5)),
        ("Jul 12, 2025 9:15 AM ET", at(2025, 7, 12, 9, 15, hours=-4)),
        ("11 March 2025, 14:05 CET", at(2025, 3, 11, 14, 5, hours=1)),
        ("11 July 2025, 14:05 CEST", at(2025, 7, 11, 14, 5, hours=2)),
        ("May 5, 2025 10:00 IST", at(2025, 5, 5, 10, hours=5.5)),
        ("May 5, 2025 10:00 JST", at(2025, 5, 5, 10, hours=9)),
        ("May 5, 2025 10:00 GMT", at(2025, 5, 5, 10)),
        # Numeric forms decided by their values, whatever the day-first setting.
        ("13/04/2024", at(2024, 4, 13)),
        ("04/13/2024", at(2024, 4, 13)),
        ("2024/11/04", at(2024, 11, 4)),
        ("07.05.2024", at(2024, 5, 7)),
        ("07.05.2024 14:30", at(2024, 5, 7, 14, 30)),
        # Other languages, their labels, clock forms and connecting words.
        ("Publié le 3 mars 2025", at(2025, 3, 3)),
        ("lundi 3 février 2025 à 14h30", at(2025, 2, 3, 14, 30)),
        ("1er mars 2025", at(2025, 3, 1)),
        ("le 3 mars 2025 à 10h00 CET", at(2025, 3, 3, 10, hours=1)),
        ("3 de marzo de 2025", at(2025, 3, 3)),
        ("Publicado el 5 de mayo de 2024 a las 14:00 CEST", at(2024, 5, 5, 14, hours=2)),
        ("3. März 2025", at(2025, 3, 3)),
        ("Veröffentlicht am 5. Mai 2024 um 14:00 Uhr", at(2024, 5, 5, 14)),
        ("3 de março de 2025 às 10h30", at(2025, 3, 3, 10, 30)),
        ("sábado, 1 de março de 2025", at(2025, 3, 1)),
        ("Pubblicato il 5 maggio 2024 alle 14:00", at(2024, 5, 5, 14)),
        ("martedì 11 marzo 2025", at(2025, 3, 11)),
    ],
)
def test_every_layout_is_read_to_the_exact_instant(text: str, instant: datetime) -> None:
    for dayfirst in (False, True):
        found = read_date(text, dayfirst=dayfirst)
        assert found == instant
        assert found is not None and found.utcoffset() == instant.utcoffset()


@pytest.mark.parametrize(
    ("text", "dayfirst", "instant"),
    [
        ("04/11/2024", False, at(2024, 4, 11)),
        ("04/11/2024", True, at(2024, 11, 4)),
        ("04-11-24", False, at(2024, 4, 11)),
        ("04-11-24", True, at(2024, 11, 4)),
    ],
)
def test_the_day_first_setting_decides_only_ambiguous_numeric_dates(
    text: str, dayfirst: bool, instant: datetime
) -> None:
    assert read_date(text, dayfirst=dayfirst) == instant


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-13-01", "month must be in 1..12"),
        ("2025-02-30", "day is out of range for month"),
        ("2025-01-01 25:00", "hour must be in 0..23"),
        ("2025-01-01T10:00:00+24:00", "offset +24:00 is not a time zone"),
        ("Jan 5, 2025 10:00 +2400", "offset of 24 hours or more"),
        ("Mar 2, 2025 25:15", "hour must be in 0..23"),
        ("13/13/2024", "month must be in 1..12"),
        ("Mar 2, 2025 9:15 AM XYZT", "unknown time zone XYZT"),
    ],
)
def test_an_impossible_date_is_an_error_that_says_why(text: str, reason: str) -> None:
    with pytest.raises(DateError, match=f"^{re.escape(reason)}$"):
        read_date(text, dayfirst=False)


@pytest.mark.parametrize(
    "text", ["", "2025", "The 2024 report", "il y a 3 jours", "Reuters", "x" * 500, "12:30"]
)
def test_text_that_names_no_day_is_not_a_date(text: str) -> None:
    assert read_date(text, dayfirst=False) is None


def test_date_objects_from_front_matter_become_aware_instants() -> None:
    assert read_date(date(2025, 1, 10), dayfirst=False) == at(2025, 1, 10)
    assert read_date(datetime(2025, 1, 10, 9), dayfirst=False) == at(2025, 1, 10, 9)
    assert read_date(20250110, dayfirst=False) is None


def test_labels_say_whether_a_date_is_the_publication_or_the_update() -> None:
    assert split_label("Publié le 3 mars 2025") == ("published", "3 mars 2025")
    assert split_label("Mis à jour le 4 mars 2025") == ("updated", "4 mars 2025")
    assert split_label("Last updated: May 5, 2025") == ("updated", "May 5, 2025")
    assert split_label("Aktualisiert am 5. Mai 2024") == ("updated", "5. Mai 2024")
    assert split_label("March 3, 2025") == (None, "March 3, 2025")


MONTH_NAMES = [
    "January", "Jan", "february", "FEB", "March", "April", "May", "June", "Jul", "August",
    "Sept", "Sep", "September", "October", "nov", "December",
]  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(MONTH_NAMES), st.integers(0, 40), st.integers(1000, 9999), st.booleans())
def test_month_day_year_reads_as_dateutil_reads_it(
    month: str, day: int, year: int, dayfirst: bool
) -> None:
    text = f"{month} {day}, {year}"
    try:
        expected: datetime | None = dateutil_parser.parse(text, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        with pytest.raises(DateError):
            read_date(text, dayfirst=dayfirst)
        return
    assert expected is not None
    assert read_date(text, dayfirst=dayfirst) == expected.replace(tzinfo=UTC)
