"""Cutting a history into periods: by month, by day in a crowded month, by hour in a
crowded day.

Feed archives and archive pages are cut this way, then into parts counted from each
period's oldest document. A document added or removed, however old, then changes
only the parts of its own period, and a crowded period is small: a cold build of
thousands of undated documents (all seen within minutes) is one hour, so a document
dated that day but not timed (midnight) does not shift its thousands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

_MONTHS = (
    "January February March April May June July August September October November December"
).split()

# A stamp's prefixes: month "2025-01", day "2025-01-31", hour "2025-01-31T09".
_WIDTHS = (7, 10, 13)


def stamp(when: datetime) -> str:
    """The UTC hour of a time, "2025-01-31T09": every period it falls in is a prefix."""
    return when.astimezone(UTC).isoformat()[:13]


def periods(stamped: Iterable[tuple[str, str]], most: int) -> list[tuple[str, list[str]]]:
    """(period, ids oldest first), oldest period first, from (id, stamp) oldest first.

    By month; a month of more than `most` documents by day; such a day by hour.
    """
    return _cut(list(stamped), 0, most)


def _cut(items: Sequence[tuple[str, str]], level: int, most: int) -> list[tuple[str, list[str]]]:
    width = _WIDTHS[level]
    groups: dict[str, list[tuple[str, str]]] = {}
    for item in items:
        groups.setdefault(item[1][:width], []).append(item)
    out: list[tuple[str, list[str]]] = []
    for key in sorted(groups):
        members = groups[key]
        if len(members) > most and level + 1 < len(_WIDTHS):
            out += _cut(members, level + 1, most)
        else:
            out.append((key, [doc_id for doc_id, _ in members]))
    return out


def period_name(period: str) -> str:
    """ "January 2025", "31 January 2025" or "31 January 2025, 09:00"."""
    date, _, hour = period.partition("T")
    year, month, *day = date.split("-")
    name = f"{_MONTHS[int(month) - 1]} {year}"
    if day:
        name = f"{int(day[0])} {name}"
    return f"{name}, {hour}:00" if hour else name
