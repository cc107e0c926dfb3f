"""Enrichment of one article: explicit labels win, inference fills the gaps."""

from __future__ import annotations

from digest.config import RegionSettings, SummarySettings, ThemeSettings
from digest.enrich.pipeline import Enricher, theme_model
from digest.model import Article, Labels

TEXT = (
    "Paris hosted the talks on Monday as French and German ministers met their Polish "
    "counterparts.",
    "The ministers agreed to pool spending on air defence and to buy missiles together.",
)


def enricher(examples: list[tuple[str, tuple[str, ...]]] | None = None) -> Enricher:
    themes = ThemeSettings(taxonomy={}, threshold=0.0)
    return Enricher(
        SummarySettings(sentences=1, max_chars=300),
        RegionSettings(countries={}),
        theme_model(themes, examples or []),
    )


def test_explicit_regions_and_themes_win_and_are_kept_as_written() -> None:
    article = Article(
        format="yaml",
        title="Ministers agree joint air defence",
        regions=("Asia-Pacific desk",),
        themes=("Defence Procurement",),
        paragraphs=TEXT,
    )
    done = enricher().enrich(article)
    assert done.regions == Labels(("Asia-Pacific desk",), inferred=False)
    assert done.themes == Labels(("Defence Procurement",), inferred=False)


def test_missing_labels_are_inferred_and_marked_so() -> None:
    article = Article(format="plain", paragraphs=TEXT)
    done = enricher().enrich(article)
    assert done.regions.inferred and "Europe" in done.regions.names
    assert done.themes.inferred and done.themes.names[0] == "Conflict & Defense"


def test_a_story_that_names_no_place_is_unclassified() -> None:
    article = Article(
        format="plain",
        paragraphs=("The committee met on Tuesday and approved the minutes of its last meeting.",),
    )
    assert enricher().enrich(article).regions == Labels(("Unclassified",), inferred=True)


def test_a_missing_title_becomes_a_headline_from_the_leads_main_clause() -> None:
    done = enricher().enrich(Article(format="plain", paragraphs=TEXT))
    assert done.title == "Paris hosted the talks"
    assert "…" not in done.title


def test_the_summary_does_not_repeat_the_sentence_a_title_was_made_from() -> None:
    done = enricher().enrich(Article(format="plain", paragraphs=TEXT))
    assert done.summary == TEXT[1]


def test_an_explicit_title_leaves_the_lead_in_the_summary() -> None:
    article = Article(format="yaml", title="Ministers meet in Paris", paragraphs=TEXT)
    assert enricher().enrich(article).summary == TEXT[0]


def test_a_one_sentence_description_is_completed_from_the_body() -> None:
    summary = SummarySettings(sentences=2, max_chars=600)
    themes = theme_model(ThemeSettings(taxonomy={}, threshold=0.0), [])
    article = Article(
        format="yaml",
        title="Ministers agree joint air defence",
        standfirst="French, German and Polish ministers agreed to pool air defence spending.",
        paragraphs=TEXT,
    )
    done = Enricher(summary, RegionSettings(countries={}), themes).enrich(article)
    assert done.summary.startswith(article.standfirst)
    assert done.summary.endswith(TEXT[0]) or done.summary.endswith(TEXT[1])


def test_a_derived_title_is_not_repeated_by_a_near_identical_sentence() -> None:
    bulletins = tuple(
        f"The coast road between Wenlow and Astby remains closed to all traffic, update {n}."
        for n in range(1, 5)
    )
    others = (
        "Engineers expect to reopen the Wenlow bridge once the wind drops below gale force.",
        "Schools on the eastern coast will stay shut until the storm has passed.",
    )
    summary = SummarySettings(sentences=3, max_chars=600)
    themes = theme_model(ThemeSettings(taxonomy={}, threshold=0.0), [])
    article = Article(format="plain", paragraphs=(*bulletins, *others))
    done = Enricher(summary, RegionSettings(countries={}), themes).enrich(article)
    assert done.title == bulletins[0][:-1]
    assert done.summary == " ".join(others)
