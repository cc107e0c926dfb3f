from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.enrich.themes import (
    ThemeModel,
    ThemeNames,
    default_aliases,
    default_taxonomy,
    theme_key,
)

SHIPPED = (
    "Politics & Elections",
    "Conflict & Defense",
    "Intelligence",
    "Economy & Trade",
    "Energy",
    "Climate & Environment",
    "Health",
    "Science & Technology",
    "Law & Justice",
    "Society & Culture",
    "Sport",
)

MATCH_REPORT = (
    "Harbour Town win the cup final\n"
    "The home team scored a late goal to win the championship match. Their coach praised "
    "every player in the squad after a long season in the league."
)

PASTRY = (
    "Layers of butter\n"
    "Fold the dough three times, chill it between folds and bake until the layers rise."
)

KITCHEN = {
    "Baking": ["bread", "oven", "flour", "cake"],
    "Markets": ["shares", "investors", "stocks", "prices"],
}

BAKING_EXAMPLES = [
    (
        "Croissants at dawn\nThe dough is folded with butter and chilled before it is baked.",
        ["Baking"],
    ),
    ("Puff pastry\nRoll the dough, fold in the butter, chill, and repeat the folds.", ["Baking"]),
]

MARKET_EXAMPLES = [
    ("Shares slide\nInvestors sold stocks as prices fell for a third day.", ["Markets"]),
    ("Bond yields climb\nInvestors moved out of shares as prices of bonds dropped.", ["Markets"]),
]


def test_default_taxonomy_describes_each_of_the_eleven_shipped_themes_in_weighted_terms() -> None:
    taxonomy = default_taxonomy()
    assert tuple(taxonomy) == SHIPPED
    assert all(len(terms) >= 150 for terms in taxonomy.values())
    assert taxonomy["Sport"]["football"] > taxonomy["Sport"]["game"] > 0


def test_keywords_alone_pick_the_obvious_theme() -> None:
    assert ThemeModel(default_taxonomy()).infer(MATCH_REPORT) == ("Sport",)


def test_text_that_matches_no_keyword_is_unclassified() -> None:
    assert ThemeModel(KITCHEN).infer(PASTRY) == ()


def test_evidence_below_the_threshold_is_unclassified() -> None:
    assert ThemeModel(default_taxonomy()).infer(MATCH_REPORT) == ("Sport",)
    assert ThemeModel(default_taxonomy(), threshold=0.9).infer(MATCH_REPORT) == ()


def test_labelled_documents_teach_the_theme_of_an_unlabelled_one() -> None:
    model = ThemeModel(KITCHEN, BAKING_EXAMPLES + MARKET_EXAMPLES)
    assert model.infer(PASTRY) == ("Baking",)


def test_labelled_documents_can_overturn_what_the_keywords_suggest() -> None:
    # "prices" is a Markets keyword, but the editors file price lists for flour under Baking.
    flour = "At the mill\nMill prices for rye and spelt, and which loaves each one suits."
    assert ThemeModel(KITCHEN).infer(flour) == ("Markets",)
    examples = [
        ("Rye and spelt\nThe mill lists its prices for rye, spelt and wholemeal.", ["Baking"]),
        (
            "Choosing a grain\nSpelt gives a nutty loaf; rye a dense one. Mill prices vary.",
            ["Baking"],
        ),
        *MARKET_EXAMPLES,
    ]
    assert ThemeModel(KITCHEN, examples).infer(flour) == ("Baking",)


def test_a_label_outside_the_taxonomy_is_never_inferred_however_many_examples_it_has() -> None:
    examples = [
        (
            "Comet returns\nThe comet will be visible from the southern hemisphere at dusk.",
            ["Astronomy"],
        ),
        (
            "A new moon for Saturn\nTelescopes found a small moon orbiting the ringed planet.",
            ["Astronomy"],
        ),
        *MARKET_EXAMPLES,
    ]
    text = "Planet hunters\nA telescope in Chile spotted a comet passing a distant planet."
    model = ThemeModel(KITCHEN, examples)
    assert model.themes == ("Baking", "Markets")
    assert model.infer(text) == ()


def test_inference_chooses_only_among_the_taxonomy_themes() -> None:
    examples = [(text, ["Pastry Corner", "baking"]) for text, _ in BAKING_EXAMPLES]
    model = ThemeModel(KITCHEN, examples + MARKET_EXAMPLES)
    assert model.themes == ("Baking", "Markets")
    assert model.infer(PASTRY) == ("Baking",)


def test_an_aliased_label_teaches_the_theme_it_points_to() -> None:
    examples = [(text, ["Patisserie"]) for text, _ in BAKING_EXAMPLES] + MARKET_EXAMPLES
    assert ThemeModel(KITCHEN, examples).infer(PASTRY) == ()
    model = ThemeModel(KITCHEN, examples, aliases={"Patisserie": "Baking"})
    assert model.infer(PASTRY) == ("Baking",)


def test_example_themes_take_the_taxonomy_spelling_whatever_their_case() -> None:
    examples = [(text, ["baking"]) for text, _ in BAKING_EXAMPLES] + MARKET_EXAMPLES
    model = ThemeModel(KITCHEN, examples)
    assert model.themes == ("Baking", "Markets")
    assert model.infer(PASTRY) == ("Baking",)


def test_unclassified_examples_teach_nothing() -> None:
    examples = [(PASTRY, ["Unclassified"])]
    model = ThemeModel(KITCHEN, examples)
    assert model.themes == ("Baking", "Markets")
    assert model.fingerprint == ThemeModel(KITCHEN).fingerprint


def test_a_close_second_theme_is_reported_after_the_first() -> None:
    text = (
        "Plant closes\n"
        "The coal power plant cut carbon emissions and pollution as the grid turned to "
        "solar, while climate groups welcomed lower emissions."
    )
    found = ThemeModel(default_taxonomy()).infer(text)
    assert set(found) == {"Energy", "Climate & Environment"}


def test_title_words_outweigh_the_same_words_in_the_body() -> None:
    taxonomy = {"Baking": ["oven", "bread"], "Markets": ["shares", "investors"]}
    baking_title = "Oven bread\nInvestors bought shares. Oven bread."
    market_title = "Investors shares\nOven bread. Investors bought shares."
    model = ThemeModel(taxonomy)
    assert model.infer(baking_title)[0] == "Baking"
    assert model.infer(market_title)[0] == "Markets"


def test_fingerprint_is_stable_for_the_same_inputs_in_any_order() -> None:
    examples = BAKING_EXAMPLES + MARKET_EXAMPLES
    first = ThemeModel(KITCHEN, examples).fingerprint
    assert ThemeModel(KITCHEN, list(reversed(examples))).fingerprint == first
    assert len(first) == 16


def test_fingerprint_changes_when_examples_threshold_or_taxonomy_change() -> None:
    base = ThemeModel(KITCHEN, BAKING_EXAMPLES).fingerprint
    relabelled = [(text, ["Markets"]) for text, _ in BAKING_EXAMPLES]
    changed = {
        ThemeModel(KITCHEN, BAKING_EXAMPLES[:1]).fingerprint,
        ThemeModel(KITCHEN, relabelled).fingerprint,
        ThemeModel(KITCHEN, BAKING_EXAMPLES, threshold=0.2).fingerprint,
        ThemeModel({**KITCHEN, "Baking": ["bread"]}, BAKING_EXAMPLES).fingerprint,
    }
    assert base not in changed
    assert len(changed) == 4


def test_no_threshold_means_the_calibrated_default() -> None:
    default = ThemeModel(KITCHEN, threshold=None)
    assert default.fingerprint == ThemeModel(KITCHEN).fingerprint
    assert default.threshold > 0.0


@pytest.mark.parametrize(
    "spelling",
    ["Economy & Trade", "economy and trade", "ECONOMY AND TRADE", "Economy  &  Trade.",
     "economy, trade", "Economy/Trade", "Economy"],
)  # fmt: skip
def test_spellings_of_a_theme_name_file_under_that_theme(spelling: str) -> None:
    assert ThemeNames(default_taxonomy()).theme_of(spelling) == "Economy & Trade"


def test_theme_key_ignores_case_ampersands_and_punctuation() -> None:
    assert theme_key("Law & Justice") == theme_key("law and justice!") == "law justice"


def test_shipped_aliases_file_common_site_labels_under_shipped_themes() -> None:
    names = ThemeNames(default_taxonomy(), default_aliases())
    assert names.theme_of("Global Economy") == "Economy & Trade"
    assert names.theme_of("oil and energy") == "Energy"
    assert names.theme_of("Sports") == "Sport"
    assert set(default_aliases().values()) <= set(SHIPPED)


def test_a_label_that_names_no_theme_is_grouped_as_written() -> None:
    names = ThemeNames(default_taxonomy(), default_aliases())
    assert names.theme_of("Fishing Fleets") is None
    assert names.group_of("Fishing Fleets") == "Fishing Fleets"
    assert names.theme_of("Unclassified") is None


def test_a_half_name_shared_by_two_themes_names_neither() -> None:
    names = ThemeNames(["Arts & Culture", "Food & Culture", "Sport"])
    assert names.theme_of("Culture") is None
    assert names.theme_of("Arts") == "Arts & Culture"


def test_an_alias_to_a_theme_outside_the_taxonomy_is_ignored() -> None:
    names = ThemeNames(["Sport"], {"Football": "Sport", "Money": "Economy & Trade"})
    assert names.theme_of("football") == "Sport"
    assert names.theme_of("Money") is None


def test_an_operator_alias_can_refile_a_label_the_shipped_aliases_place() -> None:
    names = ThemeNames(default_taxonomy(), {**default_aliases(), "Markets": "Energy"})
    assert names.theme_of("markets") == "Energy"


def test_a_heavier_term_says_more_about_its_theme() -> None:
    text = "Stalls\nThe stall sold bread and shares."
    heavy_bread = {"Baking": {"bread": 3.0, "oven": 1.0}, "Markets": {"shares": 1.0, "stocks": 3.0}}
    heavy_shares = {
        "Baking": {"bread": 1.0, "oven": 3.0},
        "Markets": {"shares": 3.0, "stocks": 1.0},
    }
    assert ThemeModel(heavy_bread).infer(text) == ("Baking",)
    assert ThemeModel(heavy_shares).infer(text) == ("Markets",)


SOURDOUGH = "Feeding a starter\nA sourdough starter wants rye and warm water every morning."
CORPUS = [
    "Bakery opens\nThe new bakery bakes bread and cake in a wood oven; its sourdough sells out.",
    "Flour prices\nBakers say rye flour for sourdough bread costs more, and cake flour too.",
    "Oven tips\nA hot oven and a good sourdough starter make the best bread, bakers say.",
    "Rye loaves\nRye bread needs a sourdough starter, flour, water and a slow oven.",
    "Shares slide\nInvestors sold stocks as prices fell for a third day.",
    "Bond yields climb\nInvestors moved out of shares and stocks as prices of bonds dropped.",
]


def test_the_corpus_teaches_a_theme_the_vocabulary_its_description_lacks() -> None:
    assert ThemeModel(KITCHEN).infer(SOURDOUGH) == ()
    assert ThemeModel(KITCHEN, corpus=CORPUS).infer(SOURDOUGH) == ("Baking",)


def test_a_corpus_of_unrelated_documents_teaches_no_theme() -> None:
    model = ThemeModel(KITCHEN, corpus=[PASTRY, "Knitting\nCast on forty stitches of wool."])
    assert model.infer(PASTRY) == ()


def test_the_fingerprint_follows_the_corpus() -> None:
    assert ThemeModel(KITCHEN, corpus=CORPUS).fingerprint != ThemeModel(KITCHEN).fingerprint
    reordered = ThemeModel(KITCHEN, corpus=list(reversed(CORPUS))).fingerprint
    assert reordered == ThemeModel(KITCHEN, corpus=CORPUS).fingerprint


@given(st.text(max_size=40))
def test_any_label_is_filed_under_a_taxonomy_theme_or_none(label: str) -> None:
    names = ThemeNames(default_taxonomy(), default_aliases())
    assert names.theme_of(label) in (None, *SHIPPED)
    assert names.group_of(label) in (label, *SHIPPED)


@given(
    st.sampled_from(SHIPPED),
    st.sampled_from([" & ", " and ", " AND ", "&", " / ", ", "]),
    st.sampled_from([str.lower, str.upper, str.title, str]),
    st.sampled_from(["", " ", ".", "!"]),
)
def test_a_theme_spelt_any_common_way_is_that_theme(
    theme: str, joiner: str, case: Callable[[str], str], tail: str
) -> None:
    spelt = case(joiner.join(part.strip() for part in theme.split("&"))) + tail
    assert ThemeNames(default_taxonomy()).theme_of(spelt) == theme
