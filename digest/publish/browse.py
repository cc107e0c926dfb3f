"""The browsable archive: a page per region and per theme, and every article by month.

Archive pages are cut by calendar month (of publication, UTC), or by day in a
month of more than `BY_DAY` pages' worth (by hour in such a day: periods.py),
then into parts of `PAGE` articles counted from the oldest. Adding an article,
even an old one, changes only the pages of its own period; every other page
keeps its address and its bytes, so links to them and caches of them stay good.

Everything here is planned from `DocumentRef`s alone: which page shows which
documents is known before any document is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.enrich.themes import ThemeNames
from digest.model import UNCLASSIFIED, DocumentRef
from digest.publish.periods import period_name, periods, stamp
from digest.text import label_slugs, slugify

PAGE = 100  # articles on one archive page
# A month of more articles than this many pages' worth is cut by day: an old
# article added or removed then re-cuts the pages of one day, not of a month.
BY_DAY = 4


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """One page of a listing's archive: part of one month or day, newest first."""

    path: str
    period: str  # "2025-01", or "2025-01-31" in a month cut by day, "2025-01-31T09" by hour
    part: int  # 1 for the oldest articles of the period
    parts: int
    ids: tuple[str, ...]

    @property
    def month(self) -> str:
        return self.period[:7]

    @property
    def label(self) -> str:
        name = period_name(self.period)
        return name if self.parts == 1 else f"{name} ({self.part} of {self.parts})"


@dataclass(frozen=True, slots=True)
class MonthLink:
    month: str
    label: str
    path: str  # the month's first page
    count: int


@dataclass(frozen=True, slots=True)
class Listing:
    """Every article of one region, one theme, or the whole site ("")."""

    kind: str  # "regions", "themes" or "" for everything
    name: str
    path: str  # the listing's own page; "index.html" for the whole site
    ids: tuple[str, ...]  # newest first
    pages: tuple[ArchivePage, ...]  # oldest first

    @property
    def months(self) -> tuple[MonthLink, ...]:
        """One link per month, to its oldest page, newest first."""
        firsts: dict[str, ArchivePage] = {}
        counts: dict[str, int] = {}
        for page in self.pages:
            firsts.setdefault(page.month, page)
            counts[page.month] = counts.get(page.month, 0) + len(page.ids)
        return tuple(
            MonthLink(m, p.label if p.period == m else period_name(m), p.path, counts[m])
            for m, p in reversed(firsts.items())
        )

    def neighbours(self, index: int) -> tuple[ArchivePage | None, ArchivePage | None]:
        """The pages of older and of newer articles beside page `index`."""
        older = self.pages[index - 1] if index > 0 else None
        newer = self.pages[index + 1] if index + 1 < len(self.pages) else None
        return older, newer


@dataclass(frozen=True, slots=True)
class SiteMap:
    everything: Listing
    regions: tuple[Listing, ...]
    themes: tuple[Listing, ...]


def site_map(
    refs: Sequence[DocumentRef],
    themes: ThemeNames | None = None,
    *,
    stamps: Mapping[str, str] | None = None,
) -> SiteMap:
    """Every listing of the site, from `refs` newest first.

    With the taxonomy's `themes`, a label is listed under the theme it names,
    as in the theme feeds. `stamps` are the documents' `periods.stamp`, when
    the caller knows them already.
    """
    if stamps is None:
        stamps = {ref.id: stamp(ref.published) for ref in refs}
    groups: dict[tuple[str, ...], tuple[str, ...]] = {}
    members: dict[str, dict[str, list[str]]] = {}
    for kind in ("regions", "themes"):
        named = members[kind] = {}
        for ref in refs:
            names = getattr(ref, kind) or (UNCLASSIFIED,)
            if kind == "themes" and themes is not None:
                names = filed_under(themes, names, groups)
            for name in names:
                named.setdefault(name, []).append(ref.id)
    return site_map_of([ref.id for ref in refs], members, stamps)


def site_map_of(
    ids: Sequence[str],
    members: Mapping[str, Mapping[str, Sequence[str]]],
    stamps: Mapping[str, str],
) -> SiteMap:
    """Every listing of the site, from every id and each region's and theme's
    (`members["regions"]`, `members["themes"]`), newest first."""
    everything = _listing("", "", "index.html", "archive", ids, stamps)
    kinds = []
    for kind in ("regions", "themes"):
        named = members[kind]
        names = sorted(named, key=lambda n: (n == UNCLASSIFIED, n.casefold()))
        slugs = label_slugs(names)
        kinds.append(
            tuple(
                _listing(kind, name, f"{kind}/{slugs[name]}.html", f"{kind}/{slugs[name]}",
                         named[name], stamps)
                for name in names
            )
        )  # fmt: skip
    return SiteMap(everything, kinds[0], kinds[1])


def filed_under(
    themes: ThemeNames, names: tuple[str, ...], seen: dict[tuple[str, ...], tuple[str, ...]]
) -> tuple[str, ...]:
    """The taxonomy themes a document's theme labels file it under, each once.

    Thousands of documents share a few label lists: `seen` keeps the answers.
    """
    found = seen.get(names)
    if found is None:
        found = seen[names] = tuple(dict.fromkeys(themes.group_of(n) for n in names))
    return found


def listing_url(kind: str, name: str) -> str:
    """The page of one region or theme, relative to the feeds folder."""
    return f"{kind}/{slugify(name)}.html"


def _listing(
    kind: str,
    name: str,
    path: str,
    folder: str,
    ids: Sequence[str],
    stamps: Mapping[str, str],
) -> Listing:
    pages = []
    for period, held in periods([(i, stamps[i]) for i in reversed(ids)], BY_DAY * PAGE):
        chunks = [held[i : i + PAGE] for i in range(0, len(held), PAGE)]
        for part, chunk in enumerate(chunks, start=1):
            page = f"{folder}/{period}.html" if part == 1 else f"{folder}/{period}-{part}.html"
            pages.append(ArchivePage(page, period, part, len(chunks), tuple(reversed(chunk))))
    return Listing(kind, name, path, tuple(ids), tuple(pages))
