"""The cue fallback: where a story naming no place is set, from what it does carry."""

from __future__ import annotations

import pytest

from digest.enrich.cues import CueReader
from digest.enrich.regions import RegionInferrer

ASIA = "Asia"
EUROPE = "Europe"
USA = "USA"


@pytest.fixture(scope="module")
def inferrer() -> RegionInferrer:
    return RegionInferrer()


def test_stock_code_with_a_tokyo_suffix_places_the_story_in_asia(
    inferrer: RegionInferrer,
) -> None:
    body = "Acme Holdings Co <ACME.T> said group profit would rise by a fifth this year."
    assert inferrer.infer("Acme raises profit forecast", body) == (ASIA,)


def test_bare_wire_stock_code_is_a_new_york_listing(inferrer: RegionInferrer) -> None:
    body = "Widget Corp said first-quarter net income rose on higher sales."
    assert inferrer.infer("WIDGET CORP <WDGT> 1ST QTR NET", body) == (USA,)


def test_company_name_in_angle_brackets_is_not_a_stock_code() -> None:
    assert CueReader().weights("Deal", "Shares of <Acme Holdings Ltd> rose.") == {}


def test_amount_in_yen_places_the_story_in_asia(inferrer: RegionInferrer) -> None:
    body = "The group expects pretax profit of 12 billion yen on sales that rose 4 pct."
    assert inferrer.infer("Forecast raised", body) == (ASIA,)


def test_marks_after_an_amount_are_a_currency_but_not_as_a_verb(
    inferrer: RegionInferrer,
) -> None:
    assert inferrer.infer("Results", "Net profit rose to 40 mln marks last year.") == (EUROPE,)
    assert inferrer.infer("Results", "The deal marks a change of course for the group.") == ()


def test_central_bank_by_name_places_the_story(inferrer: RegionInferrer) -> None:
    body = "The Bundesbank left its discount rate unchanged after its council met."
    assert inferrer.infer("Rates unchanged", body) == (EUROPE,)


def test_us_regulator_places_unplaced_company_copy_in_the_usa(inferrer: RegionInferrer) -> None:
    body = (
        "In a filing with the Securities and Exchange Commission, the group said it holds 5.3 pct."
    )
    assert inferrer.infer("Investor takes stake", body) == (USA,)


def test_cues_count_only_when_no_place_is_named(inferrer: RegionInferrer) -> None:
    body = "The Brazilian unit of the group <ACME.T> earned 3 billion yen in Sao Paulo."
    assert inferrer.infer("Brazil unit profits", body) == ("Latin America & Caribbean",)


def test_no_cue_and_no_place_gives_no_region(inferrer: RegionInferrer) -> None:
    body = "Net profit rose 4 pct to 12 mln dlrs on higher sales, the company said."
    assert inferrer.infer("Quarterly results", body) == ()


def test_share_class_before_the_exchange_suffix_is_skipped(inferrer: RegionInferrer) -> None:
    body = "First Maple Inc <FMPL.A.TO> said it planned a two-for-one stock split."
    assert inferrer.infer("Stock split", body) == ("Canada",)


def test_nasdaq_code_of_a_foreign_issuer_places_nothing() -> None:
    assert CueReader().weights("Net", "Maple Mines Ltd <MAPLF> said net rose.") == {}
