"""Text helpers: slugs for labels, names fit to print, text squashed to one line."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.text import label_slugs, printable, squash, strip_control


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


def squashed_by_substitution(text: str) -> str:
    return re.sub(
        r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+",
        " ",
        strip_control(text).replace("\n", " ").replace("\r", " "),
    ).strip()


SPACES = list(" \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2000\u200b\u2028\u2029\u202f\u3000\ufeff\ufffd")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text() | st.lists(st.sampled_from([*SPACES, "a", "é", "\x00"]), max_size=20).map("".join))
def test_squash_splitting_at_whitespace_gives_what_substitution_gives(text: str) -> None:
    assert squash(text) == squashed_by_substitution(text)
