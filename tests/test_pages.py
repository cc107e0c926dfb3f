"""The HTML pages, as a browser gets them: files written by a real build, read back by lxml."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from digest.app import make_app
from digest.config import Config
from digest.publish.pages import article_page, describe
from tests.conftest import Clock, WriteConfig
from tests.factories import make_document

BASE = "https://news.example.org/"

ARTICLE = """---
title: {title}
author: Mira Okafor
date: 2025-{month:02d}-{day:02d}
region: {region}
theme: {theme}
---
Grid operators across the continent agreed on a joint winter reserve on Tuesday.

The plan pools spare capacity from eleven countries and runs until March.
"""


def write(
    seeds: Path,
    name: str,
    title: str,
    *,
    month: int = 1,
    day: int = 7,
    region: str = "Europe",
    theme: str = "Energy",
) -> None:
    text = ARTICLE.format(title=title, month=month, day=day, region=region, theme=theme)
    (seeds / name).write_text(text, encoding="utf-8")


def local(config: Config, url: str) -> Path:
    """The written file a URL under base_url names."""
    assert url.startswith(BASE), url
    return config.paths.feeds / urlsplit(url).path.lstrip("/")


def page(config: Config, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((config.paths.feeds / rel).read_bytes())


@pytest.fixture
def built(write_config: WriteConfig, project: Path, clock: Clock) -> Config:
    config = write_config()
    write(project / "seeds", "grid.md", "Grid operators agree winter plan")
    write(project / "seeds", "rail.md", "Rail unions accept new pay offer", day=8, theme="Economy")
    make_app(config, _now=clock).build()
    return config


@pytest.mark.parametrize("rel", ["index.html", "articles/grid-operators-agree-winter-plan.html"])
def test_pages_link_a_stylesheet_file_whose_body_rule_survives_intact(
    built: Config, rel: str
) -> None:
    html = page(built, rel)
    assert html.xpath("//style") == [], "CSS inside the HTML would be escaped by the templates"
    [href] = html.xpath("//link[@rel='stylesheet']/@href")
    css = local(built, href).read_text(encoding="utf-8")
    assert "&#" not in css and "&quot;" not in css
    body = re.search(r"(?m)^body \{([^}]*)\}", css)
    assert body is not None, "the stylesheet has no body rule"
    assert re.search(r'font: [^;]*Georgia, "Times New Roman", serif', body.group(1))


def test_a_changed_stylesheet_gets_a_new_url_so_long_caching_is_safe(built: Config) -> None:
    from digest.publish.pages import stylesheet_version

    [href] = page(built, "index.html").xpath("//link[@rel='stylesheet']/@href")
    assert href == f"{BASE}page.css?v={stylesheet_version()}"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.html")}


def test_every_link_on_every_page_leads_to_a_written_file(built: Config) -> None:
    feeds = built.paths.feeds
    pages = sorted(feeds.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        for href in lxml.html.fromstring(path.read_bytes()).xpath("//a/@href | //link/@href"):
            if not href.startswith(BASE):
                continue
            target = local(built, href.split("#")[0].split("?")[0])
            if target == feeds:
                target = feeds / "index.html"
            assert target.is_file(), f"{path.relative_to(feeds)} links to missing {href}"


def test_the_landing_page_links_every_region_theme_and_month(built: Config) -> None:
    index = page(built, "index.html")
    hrefs = set(index.xpath("//a/@href"))
    for rel in ("regions/europe.html", "themes/energy.html", "themes/economy-and-trade.html"):
        assert BASE + rel in hrefs
    assert BASE + "archive/2025-01.html" in hrefs
    assert index.xpath("//*[@id='regions']") and index.xpath("//*[@id='archive']")


def test_an_article_page_links_to_the_pages_of_its_region_and_theme(built: Config) -> None:
    article = page(built, "articles/rail-unions-accept-new-pay-offer.html")
    tags = article.xpath("//p[@class='tags']/a")
    assert [(a.text, a.get("href")) for a in tags] == [
        ("Europe", BASE + "regions/europe.html"),
        # A label naming a taxonomy theme is listed on that theme's page.
        ("Economy", BASE + "themes/economy-and-trade.html"),
    ]


def test_a_region_page_lists_its_articles_newest_first_and_its_months(built: Config) -> None:
    europe = page(built, "regions/europe.html")
    assert europe.findtext(".//h1") == "Europe"
    titles = [a.text for a in europe.xpath("//article[@class='item']/h3/a")]
    assert titles == ["Rail unions accept new pay offer", "Grid operators agree winter plan"]
    assert europe.xpath("//ul[@class='months']//a/@href") == [BASE + "regions/europe/2025-01.html"]
    assert europe.xpath("//link[@rel='alternate']/@href")[-1] == BASE + "regions/europe.xml"


def test_adding_an_old_article_changes_only_its_own_months_archive_page(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    # Built after the last of them: a date more than a day ahead would be flagged as future.
    clock.now = datetime(2025, 4, 1, tzinfo=UTC)
    seeds = project / "seeds"
    write(seeds, "jan.md", "Grid operators agree winter plan", month=1)
    write(seeds, "feb.md", "Rail unions accept new pay offer", month=2)
    write(seeds, "mar.md", "Port strike ends after two weeks", month=3)
    make_app(config, _now=clock).build()
    before = snapshot(config.paths.feeds / "archive")
    write(seeds, "old.md", "Ferry operators add winter crossings", month=2, day=1)
    make_app(config, _now=clock).build()
    after = snapshot(config.paths.feeds / "archive")
    assert sorted(after) == ["2025-01.html", "2025-02.html", "2025-03.html"]
    assert {rel for rel in after if after[rel] != before[rel]} == {"2025-02.html"}
    february = lxml.html.fromstring(after["2025-02.html"])
    assert [a.text for a in february.xpath("//article/h3/a")] == [
        "Rail unions accept new pay offer",
        "Ferry operators add winter crossings",
    ]
    assert set(february.xpath("//a[@rel='next']/@href")) == {BASE + "archive/2025-01.html"}
    assert set(february.xpath("//a[@rel='prev']/@href")) == {BASE + "archive/2025-03.html"}


def test_an_article_page_carries_its_description_and_open_graph_tags(built: Config) -> None:
    rel = "articles/grid-operators-agree-winter-plan.html"
    article = page(built, rel)

    def meta(key: str) -> str:
        [value] = article.xpath(f"//meta[@property='{key}' or @name='{key}']/@content")
        return str(value)

    own = BASE + rel
    assert article.xpath("//link[@rel='canonical']/@href") == [own]
    assert meta("og:url") == own
    assert meta("og:type") == "article"
    assert meta("og:title") == "Grid operators agree winter plan"
    assert meta("description") == meta("og:description")
    assert meta("description").startswith("Grid operators across the continent agreed")
    assert meta("article:published_time") == "2025-01-07T00:00:00+00:00"
    assert article.get("lang") == "en"


def test_the_landing_page_describes_the_site_for_sharing(built: Config) -> None:
    index = page(built, "index.html")
    assert index.xpath("//meta[@property='og:type']/@content") == ["website"]
    assert index.xpath("//meta[@property='og:url']/@content") == [BASE]
    assert index.xpath("//link[@rel='canonical']/@href") == [BASE]
    assert index.xpath("//meta[@name='description']/@content")


def test_the_pages_speak_the_configured_language(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config(language="fr")
    write(project / "seeds", "grid.md", "Grid operators agree winter plan")
    make_app(config, _now=clock).build()
    article = page(config, "articles/grid-operators-agree-winter-plan.html")
    assert article.get("lang") == "fr"
    assert article.xpath("//meta[@property='og:locale']/@content") == ["fr"]


def test_a_404_page_in_the_sites_look_is_written(built: Config) -> None:
    missing = page(built, "404.html")
    assert missing.findtext(".//h1") == "Not found"
    assert missing.xpath("//link[@rel='stylesheet']")
    assert BASE in missing.xpath("//a/@href")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short enough.", "Short enough."),
        ("word " * 100, ("word " * 39).strip() + "…"),
        ("  spaced\n\nout  text ", "spaced out text"),
    ],
)
def test_descriptions_are_cut_at_a_word_boundary(text: str, expected: str) -> None:
    assert describe(text) == expected


def render_article(
    config: Config, image: str | None, url: str | None = None
) -> lxml.html.HtmlElement:
    doc = make_document(3, url=url)
    doc = replace(doc, article=replace(doc.article, image=image))
    return lxml.html.fromstring(article_page(doc, config.feed))


@pytest.mark.parametrize(
    ("image", "url", "expected"),
    [
        ("https://cdn.example.net/port.jpg", None, "https://cdn.example.net/port.jpg"),
        (
            "/media/port.jpg",
            "https://paper.example.com/2025/port",
            "https://paper.example.com/media/port.jpg",
        ),
    ],
)
def test_an_articles_lead_image_is_shown_and_shared_with_an_absolute_url(
    write_config: WriteConfig, image: str, url: str | None, expected: str
) -> None:
    html = render_article(write_config(), image, url)
    assert html.xpath("//figure[@class='lead']/img/@src") == [expected]
    assert html.xpath("//meta[@property='og:image']/@content") == [expected]
    assert html.xpath("//meta[@name='twitter:card']/@content") == ["summary_large_image"]


@pytest.mark.parametrize("image", [None, "javascript:alert(1)", "data:image/png;base64,AAAA"])
def test_without_a_usable_image_the_page_shares_the_site_logo_and_shows_none(
    write_config: WriteConfig, image: str | None
) -> None:
    html = render_article(write_config(), image)
    assert html.xpath("//figure") == []
    assert html.xpath("//meta[@property='og:image']/@content") == [BASE + "logo.png"]
    assert html.xpath("//meta[@name='twitter:card']/@content") == ["summary"]


@pytest.mark.parametrize(
    ("name", "text", "lang"),
    [
        ("fr.md", "---\ntitle: Accord sur le gaz\nlang: fr\n---\nLes pays ont signé.\n", "fr"),
        ("pt.md", "Title: Acordo sobre o gás\nLang: pt_BR\n\nOs países assinaram.\n", "pt-BR"),
        (
            "de.html",
            '<!doctype html><html lang="de-AT"><head><title>Gasabkommen</title></head>'
            "<body><article><h1>Gasabkommen</h1><p>Die Länder haben unterschrieben.</p>"
            "</article></body></html>",
            "de-AT",
        ),
        ("odd.md", "---\ntitle: Gas deal signed\nlang: not a language\n---\nSigned.\n", "en"),
    ],
)
def test_an_article_page_speaks_the_language_its_document_declares(
    write_config: WriteConfig, project: Path, clock: Clock, name: str, text: str, lang: str
) -> None:
    config = write_config()
    (project / "seeds" / name).write_text(text, encoding="utf-8")
    make_app(config, _now=clock).build()
    [path] = (config.paths.feeds / "articles").glob("*.html")
    article = lxml.html.fromstring(path.read_bytes())
    assert article.get("lang") == lang
    assert article.xpath("//meta[@property='og:locale']/@content") == [lang.replace("-", "_")]
