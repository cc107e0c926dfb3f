"""What every feed document is made of, whatever its format: a head, entries and pages.

A logical feed (the main one, one per region, one per theme) is written in
three formats, Atom 1.0, RSS 2.0 and JSON Feed 1.1, each as a main document
with the newest entries plus RFC 5005 archive documents. The renderers
(`atom`, `rss`, `jsonfeed`) turn the same `Head` and `Entry` values into
bytes, so the three formats cannot drift apart.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from digest.model import Document
from digest.publish.periods import periods

LinkOf = Callable[[Document], str]


class Dated(Protocol):
    @property
    def updated(self) -> datetime: ...


class Format(enum.Enum):
    """A feed format: its archive file suffix and its media type."""

    ATOM = (".xml", "application/atom+xml")
    RSS = (".rss.xml", "application/rss+xml")
    JSON = (".json", "application/feed+json")

    @property
    def suffix(self) -> str:
        return self.value[0]

    @property
    def media_type(self) -> str:
        return self.value[1]


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One logical feed: its title and where each format's documents live."""

    title: str
    subtitle: str
    stem: str  # "" for the main feed, else e.g. "regions/europe"

    def path(self, fmt: Format) -> str:
        """The main document of `fmt`, relative to the feeds folder."""
        if not self.stem:
            return {Format.ATOM: "atom.xml", Format.RSS: "rss.xml", Format.JSON: "feed.json"}[fmt]
        return self.stem + fmt.suffix

    def archive(self, fmt: Format, name: str) -> str:
        """The archive document `name` ("2025-01", "2025-01-2") of `fmt`."""
        if not self.stem:
            folder = {Format.ATOM: "atom", Format.RSS: "rss", Format.JSON: "feed"}[fmt]
            return f"archive/{folder}/{name}{fmt.suffix}"
        return f"archive/{self.stem}/{name}{fmt.suffix}"


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One document of a feed: the main one or an RFC 5005 archive."""

    path: str
    ids: tuple[str, ...]  # newest first
    links: tuple[tuple[str, str], ...]  # (rel, path relative to the feeds folder)
    archive: bool


# A month (a day) with more entries than this many documents' worth is archived
# day by day (hour by hour): an old entry added or removed then re-cuts one day
# of a crowded month, not the whole month (see periods.py).
BY_DAY = 4

Period = tuple[str, tuple[str, ...]]  # (archive document name, ids oldest first)


def archive_periods(stamps: Sequence[tuple[str, str]], size: int) -> list[Period]:
    """A feed's archive documents, oldest first, from its (id, UTC stamp) newest first.

    The archive is cut by calendar month of publication (by day in a month of
    more than `BY_DAY` documents' worth, by hour in such a day: see
    periods.py), then into documents of `size` counted from the oldest of the
    period. So an entry added or removed, however old, changes only the
    documents of its own period, and the pages around them only when its
    period gains or loses a document.
    """
    out: list[Period] = []
    for period, ids in periods(reversed(stamps), BY_DAY * size):
        out += _parts(period, ids, size)
    return out


def _parts(period: str, ids: list[str], size: int) -> list[Period]:
    return [
        (period if n == 0 else f"{period}-{n // size + 1}", tuple(ids[n : n + size]))
        for n in range(0, len(ids), size)
    ]


def paginate(
    spec: FeedSpec, fmt: Format, ids: Sequence[str], periods: Sequence[Period], size: int
) -> list[FeedPage]:
    """A feed's main document, with the newest `size` entries, and its RFC 5005 archive.

    When there are more entries than that, the whole history is also written
    as archive documents (see `archive_periods`), each linked to its
    neighbours (prev-archive, next-archive) and to the main document
    (current). The newest archive document overlaps the main one; RFC 5005
    readers merge entries by id.
    """
    main = spec.path(fmt)
    names = [spec.archive(fmt, name) for name, _ in periods]
    pages = [
        FeedPage(main, tuple(ids[:size]), (("prev-archive", names[-1]),) if names else (), False)
    ]
    for n, (name, (_, chunk)) in enumerate(zip(names, periods, strict=True)):
        links = [("current", main)]
        if n > 0:
            links.append(("prev-archive", names[n - 1]))
        if n + 1 < len(names):
            links.append(("next-archive", names[n + 1]))
        pages.append(FeedPage(name, tuple(reversed(chunk)), tuple(links), True))
    return pages


@dataclass(frozen=True, slots=True)
class Head:
    """A feed document's own metadata. Every URL is absolute except `stylesheet`."""

    id: str  # the URL of the feed's main Atom document: one id for all its pages
    title: str
    subtitle: str
    self_url: str
    home_url: str
    updated: datetime
    language: str
    author: str
    links: tuple[tuple[str, str], ...] = ()  # (rel, absolute URL): paging
    archive: bool = False
    icon: str = ""
    logo: str = ""
    hubs: tuple[str, ...] = ()
    stylesheet: str = ""  # relative to the document, so it stays same-origin


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry as every format shows it. Text is clean (no XML-illegal characters)."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str
    summary: str
    content_html: str = ""
    categories: tuple[tuple[str, str], ...] = ()  # (term, scheme URL)
    rights: str = ""
    via: str = ""  # the original's URL, when the document names one
    source: str = ""  # the original publisher's name
    image: str = ""  # absolute URL


def newest_update(items: Sequence[Dated], since: datetime) -> datetime:
    """What a feed's `updated` is: its newest entry's, never the build time.

    `since` dates a feed with no entries: when the site first published, a
    time that never churns and is not the 1970 epoch.
    """
    return max((d.updated for d in items), default=since)
