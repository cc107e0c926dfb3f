"""Group documents by primary region, then primary theme, as digests and the index show them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from digest.enrich.themes import ThemeNames
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


def group(
    documents: Iterable[Document], themes: ThemeNames | None = None
) -> tuple[RegionGroup, ...]:
    """Each document once, under its primary region and theme; largest groups first.

    With the taxonomy's `themes`, labels are grouped under the theme they name
    ("Global Economy" under "Economy & Trade"), so one subject is one section.
    """
    tree: dict[str, dict[str, list[Document]]] = {}
    for doc in documents:
        theme = primary_theme(doc, themes)
        tree.setdefault(doc.regions.primary, {}).setdefault(theme, []).append(doc)
    regions = []
    for region, by_theme in tree.items():
        groups = [
            ThemeGroup(name, tuple(sorted(docs, key=lambda d: (d.published, d.id), reverse=True)))
            for name, docs in by_theme.items()
        ]
        groups.sort(key=lambda g: _order(g.name, len(g.documents)))
        regions.append(RegionGroup(region, tuple(groups)))
    regions.sort(key=lambda g: _order(g.name, g.count))
    return tuple(regions)


def primary_theme(doc: Document, themes: ThemeNames | None) -> str:
    """The section of a document's first theme: the taxonomy theme it names, else as written."""
    primary = doc.themes.primary
    return themes.group_of(primary) if themes is not None else primary


def _order(name: str, size: int) -> tuple[bool, int, str]:
    return (name in _LAST, -size, name.casefold())
