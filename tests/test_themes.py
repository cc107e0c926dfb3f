from __future__ import annotations

from digest.enrich.themes import ThemeModel, default_taxonomy

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


def test_default_taxonomy_loads_the_eleven_shipped_themes_with_keywords() -> None:
    taxonomy = default_taxonomy()
    assert tuple(taxonomy) == SHIPPED
    assert all(8 <= len(words) <= 20 for words in taxonomy.values())


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


def test_examples_teach_a_theme_the_taxonomy_does_not_name() -> None:
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
    assert ThemeModel(KITCHEN, examples).infer(text) == ("Astronomy",)


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
    assert ThemeModel(default_taxonomy()).infer(text) == ("Energy", "Climate & Environment")


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
