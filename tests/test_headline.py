"""Derived titles: the lead's main clause as a headline, never cut inside a phrase."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from digest.enrich.headline import derive_title, headline


def test_a_long_lead_becomes_its_main_clause_without_an_ellipsis() -> None:
    lead = (
        "Dock workers in the northern port walked off the job on Monday after talks over "
        "pay and shift patterns collapsed for the third time this year."
    )
    assert headline(lead) == "Dock workers in the northern port walked off the job"


def test_a_short_lead_is_kept_whole_without_its_full_stop() -> None:
    assert headline("The bridge reopened.") == "The bridge reopened"


def test_a_trailing_attribution_is_dropped() -> None:
    lead = "The ferry service to the islands will stop for the winter, the operator said."
    assert headline(lead) == "The ferry service to the islands will stop for the winter"


def test_a_reporting_frame_is_dropped() -> None:
    lead = "Police said on Monday that a man had been arrested over the warehouse fire."
    assert headline(lead) == "A man had been arrested over the warehouse fire"


def test_an_opening_subordinate_clause_is_dropped() -> None:
    lead = "After weeks of talks in the capital, the union agreed to a two-year pay deal."
    assert headline(lead) == "The union agreed to a two-year pay deal"


def test_a_long_clause_with_no_boundary_is_kept_whole_rather_than_cut() -> None:
    lead = (
        "The regional water authority's newly appointed chief executive Margarethe "
        "Vandenbroucke-Oyelaran resigned."
    )
    assert headline(lead) == lead[:-1]


def test_a_headline_never_ends_inside_a_quotation() -> None:
    lead = (
        'The minister called the decision "a betrayal of every family in the valley, and of '
        'the promises made to them" before leaving the chamber in protest on Tuesday.'
    )
    title = headline(lead)
    assert title.count('"') % 2 == 0
    assert not title.endswith("…")


WORDS = st.sampled_from(
    "the a council voted to close port workers after talks on Monday which said and of "
    "in for with because harbour plan, city new rules that is was were".split()
)


@given(st.lists(WORDS, min_size=1, max_size=60))
def test_a_headline_is_always_the_leads_own_words_in_order(words: list[str]) -> None:
    lead = " ".join(words) + "."
    title = headline(lead)
    assert "…" not in title
    remaining = iter(re.findall(r"\w+", lead.lower()))
    assert all(word in remaining for word in re.findall(r"\w+", title.lower()))
    last = title.split()[-1].lower() if title else ""
    if last != words[-1].lower():
        # Cut short: never on a word that needs what followed it.
        assert last not in {"the", "a", "of", "to", "and", "that", "which"}


def test_a_title_is_derived_from_the_first_sentence_fit_for_a_summary() -> None:
    paragraphs = [
        "By Ana Ruiz",
        "LONDON (Reuters) - The central bank raised its main interest rate to 5 percent.",
        "Markets had expected the move.",
    ]
    title, lead = derive_title(paragraphs)
    assert title == "The central bank raised its main interest rate to 5 percent"
    assert lead == "The central bank raised its main interest rate to 5 percent."


def test_a_document_of_fragments_gets_its_opening_words_and_no_lead() -> None:
    assert derive_title(["Rain", "More later"]) == ("Rain", None)
    assert derive_title([]) == ("", None)


def test_a_relative_clause_is_never_taken_for_the_main_clause() -> None:
    lead = (
        "A flu outbreak that closed more than thirty schools in the valley since December "
        "is over, the regional health authority declared on Friday."
    )
    assert headline(lead) == (
        "A flu outbreak that closed more than thirty schools in the valley since December is over"
    )


def test_an_adverb_before_the_cut_goes_with_what_followed() -> None:
    lead = (
        "The former harbour master will need to keep his lawyers even after being cleared "
        "of every charge brought against him by the port authority last year."
    )
    assert headline(lead) == "The former harbour master will need to keep his lawyers"


def test_a_cut_never_leaves_what_was_said_without_its_verb() -> None:
    lead = (
        "Harbour Freight Lines said sales for the five weeks ended in April were up 15 "
        "percent to 54 million pounds from a year before."
    )
    title = headline(lead)
    assert title != "Harbour Freight Lines said sales"
    assert title.startswith("Harbour Freight Lines said sales for the five weeks")


def test_a_cut_never_leaves_an_infinitive_without_its_object() -> None:
    lead = (
        "Wenlow Proteins said it has agreed to sell in a private placement 330,000 common "
        "shares to a subsidiary of a Dutch trading house."
    )
    assert not headline(lead).endswith("to sell")
