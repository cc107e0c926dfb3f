from __future__ import annotations

from digest.enrich.themes import ThemeNames, default_aliases, default_taxonomy
from digest.grouping import group
from tests.factories import make_document

NAMES = ThemeNames(default_taxonomy(), default_aliases())


def sections(groups: tuple) -> dict[str, list[str]]:  # type: ignore[type-arg]
    return {
        region.name: [f"{t.name}:{len(t.documents)}" for t in region.themes] for region in groups
    }


def test_labels_naming_one_taxonomy_theme_make_one_section() -> None:
    docs = [
        make_document(1, themes=("Global Economy",)),
        make_document(2, themes=("Economy & Trade",)),
        make_document(3, themes=("economy and trade",), inferred=True),
    ]
    assert sections(group(docs, NAMES)) == {"Europe": ["Economy & Trade:3"]}


def test_without_the_taxonomy_labels_are_grouped_as_written() -> None:
    docs = [make_document(1, themes=("Global Economy",)), make_document(2)]
    assert sections(group(docs)) == {"Europe": ["Energy:1", "Global Economy:1"]}


def test_a_label_outside_the_taxonomy_keeps_a_section_of_its_own() -> None:
    docs = [
        make_document(1, themes=("Fishing Fleets",)),
        make_document(2, themes=("Fishing Fleets",)),
        make_document(3, themes=("Oil and Energy",)),
    ]
    assert sections(group(docs, NAMES)) == {"Europe": ["Fishing Fleets:2", "Energy:1"]}


def test_the_first_label_decides_the_section() -> None:
    docs = [make_document(1, themes=("Markets", "Fishing Fleets"))]
    assert sections(group(docs, NAMES)) == {"Europe": ["Economy & Trade:1"]}
