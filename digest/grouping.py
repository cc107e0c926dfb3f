"""Group documents by primary region, then primary theme, as digests and the index show them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from digest.model import UNCLASSIFIED, Document

# Groups that say "we could not place this" go last whatever their size.
_LAST = {UNCLASSIFIED, "Other"}


@dataclass(frozen=True, slots=True)
class ThemeGroup:
    name: str
    documents: tuple[Document, ...]


@dataclass(frozen=True, slots=True)
class RegionGroup:
    name: str
    themes: tuple[ThemeGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(t.documents) for t in self.themes)


def group(documents: Iterable[Document]) -> tuple[RegionGroup, ...]:
    """Each document once, under its primary region and theme; largest groups first."""
    tree: dict[str, dict[str, list[Document]]] = {}
    for doc in documents:
        tree.setdefault(doc.regions.primary, {}).setdefault(doc.themes.primary, []).append(doc)
    regions = []
    for region, themes in tree.items():
        groups = [
            ThemeGroup(name, tuple(sorted(docs, key=lambda d: (d.published, d.id), reverse=True)))
            for name, docs in themes.items()
        ]
        groups.sort(key=lambda g: _order(g.name, len(g.documents)))
        regions.append(RegionGroup(region, tuple(groups)))
    regions.sort(key=lambda g: _order(g.name, g.count))
    return tuple(regions)


def _order(name: str, size: int) -> tuple[bool, int, str]:
    return (name in _LAST, -size, name.casefold())
