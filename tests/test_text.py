"""Text helpers: slugs for labels, names fit to print."""

from __future__ import annotations

from digest.text import label_slugs, printable


def test_labels_that_slugify_alike_get_distinct_slugs_the_taxonomy_spelling_plain() -> None:
    slugs = label_slugs(["Law and Justice", "Law & Justice", "law & justice", "Europe"])
    assert slugs["Law & Justice"] == "law-and-justice"
    assert slugs["Europe"] == "europe"
    assert len(set(slugs.values())) == 4


def test_a_suffixed_slug_does_not_move_when_other_labels_come_or_go() -> None:
    before = label_slugs(["Law & Justice", "Law and Justice", "LAW AND JUSTICE"])
    after = label_slugs(["LAW AND JUSTICE", "Law & Justice"])
    assert after["LAW AND JUSTICE"] == before["LAW AND JUSTICE"]
    assert after["Law & Justice"] == before["Law & Justice"] == "law-and-justice"


def test_control_characters_are_shown_as_escapes() -> None:
    assert printable("a\nb\tc\x1b[2K\u202eok") == "a\\nb\\tc\\x1b[2K\\u202eok"
    assert printable("Café – ünïcode") == "Café – ünïcode"
