"""The browsable archive: a page per region and per theme, and every article by month.

Archive pages are cut by calendar month (of publication, UTC), then into parts
of `PAGE` articles counted from the oldest. Adding an article, even an old one,
changes only the pages of its own month; every other page keeps its address and
its bytes, so links to them and caches of them stay good.

Everything here is planned from `DocumentRef`s alone: which page shows which
documents is known before any document is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC

from digest.enrich.themes import ThemeNames
from digest.model import UNCLASSIFIED, DocumentRef
from digest.text import label_slugs, slugify

PAGE = 100  # articles on one archive page

_MONTHS = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """One page of a listing's archive: part of one month, newest first."""

    path: str
    month: str  # "2025-01"
    part: int  # 1 for the oldest articles of the month
    parts: int
    ids: tuple[str, ...]

    @property
    def label(self) -> str:
        year, month = self.month.split("-")
        name = f"{_MONTHS[int(month) - 1]} {year}"
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
        """One link per month, newest first."""
        firsts = [p for p in self.pages if p.part == 1]
        counts: dict[str, int] = {}
        for page in self.pages:
            counts[page.month] = counts.get(page.month, 0) + len(page.ids)
        return tuple(MonthLink(p.month, p.label, p.path, counts[p.month]) for p in reversed(firsts))

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
    months: Mapping[str, str] | None = None,
) -> SiteMap:
    """Every listing of the site, from `refs` newest first.

    With the taxonomy's `themes`, a label is listed under the theme it names,
    as in the theme feeds. `months` is each document's UTC month ("2025-01"),
    when the caller knows it already.
    """
    if months is None:
        months = {ref.id: ref.published.astimezone(UTC).strftime("%Y-%m") for ref in refs}
    everything = _listing("", "", "index.html", "archive", refs, months)
    kinds = []
    groups: dict[tuple[str, ...], tuple[str, ...]] = {}
    for kind in ("regions", "themes"):
        members: dict[str, list[DocumentRef]] = {}
        for ref in refs:
            names = getattr(ref, kind) or (UNCLASSIFIED,)
            if kind == "themes" and themes is not None:
                names = filed_under(themes, names, groups)
            for name in names:
                members.setdefault(name, []).append(ref)
        names = sorted(members, key=lambda n: (n == UNCLASSIFIED, n.casefold()))
        slugs = label_slugs(names)
        kinds.append(
            tuple(
                _listing(kind, name, f"{kind}/{slugs[name]}.html", f"{kind}/{slugs[name]}",
                         members[name], months)
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
    refs: Sequence[DocumentRef],
    months: Mapping[str, str],
) -> Listing:
    by_month: dict[str, list[str]] = {}
    for ref in reversed(refs):  # oldest first
        by_month.setdefault(months[ref.id], []).append(ref.id)
    pages = []
    for month in sorted(by_month):
        ids = by_month[month]
        chunks = [ids[i : i + PAGE] for i in range(0, len(ids), PAGE)]
        for part, chunk in enumerate(chunks, start=1):
            page_path = f"{folder}/{month}.html" if part == 1 else f"{folder}/{month}-{part}.html"
            pages.append(ArchivePage(page_path, month, part, len(chunks), tuple(reversed(chunk))))
    return Listing(kind, name, path, tuple(r.id for r in refs), tuple(pages))
