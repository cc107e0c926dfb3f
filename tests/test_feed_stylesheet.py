"""A feed opened in a browser: its XSL stylesheet makes a readable page with subscribe help."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from digest.config import Config, ServerSettings
from digest.publish.site import publish
from digest.serve import FeedServer
from tests.conftest import WriteConfig
from tests.daemonfixtures import fetch, free_port
from tests.factories import make_document, ref_of

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
READER = "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"


@pytest.fixture
def site(write_config: WriteConfig) -> Config:
    config = write_config(max_entries=2)
    lead = make_document(3, url="https://paper.example.com/a/3")
    docs = [
        replace(lead, article=replace(lead.article, image="https://cdn.example.com/3.jpg")),
        make_document(2),
        make_document(1),
    ]
    by_id = {d.id: d for d in docs}
    publish(
        [ref_of(d) for d in docs],
        lambda ids: {i: by_id[i] for i in ids},
        config.feed,
        config.paths.feeds,
        site_key="test",
        keys={},
        since=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return config


def shown(feed_file: Path) -> lxml.html.HtmlElement:
    """The page a browser shows: the document's own stylesheet applied by libxslt."""
    document = etree.parse(str(feed_file))
    pi = document.getroot().getprevious()
    assert pi is not None and pi.target == "xml-stylesheet"
    xsl = etree.parse(str(feed_file.parent / pi.get("href")))
    html = str(etree.XSLT(xsl)(document))
    return lxml.html.document_fromstring(html)


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml", "regions/europe.rss.xml"])
def test_a_feed_shows_its_entries_and_how_to_subscribe(site: Config, name: str) -> None:
    page = shown(site.paths.feeds / name)
    assert page.findtext(".//h1") == "Test Desk" or "Europe" in page.findtext(".//h1")
    assert page.xpath("//input/@value") == [f"https://news.example.org/{name}"]
    assert "This is a web feed" in page.text_content()
    titles = [a.text_content() for a in page.xpath("//article/h3/a")]
    assert titles == [
        "Grid operators agree winter plan number 3",
        "Grid operators agree winter plan number 2",
    ]
    assert page.xpath("//article/h3/a/@href")[0] == "https://paper.example.com/a/3"
    assert page.xpath("//article/img/@src") == ["https://cdn.example.com/3.jpg"]
    older = page.xpath("//a[text()='Older articles']/@href")
    assert older and "/archive/" in older[0]


def test_an_empty_feed_says_nothing_is_published_yet(write_config: WriteConfig) -> None:
    config = write_config()
    publish(
        [], lambda ids: {}, config.feed, config.paths.feeds,
        site_key="test", keys={}, since=datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    page = shown(config.paths.feeds / "atom.xml")
    assert "Nothing has been published in this feed yet." in page.text_content()


@pytest.fixture
def port(site: Config) -> Iterator[int]:
    server = FeedServer(
        ServerSettings(enabled=True, host="127.0.0.1", port=free_port()), site.paths.feeds
    )
    server.start()
    try:
        yield server.settings.port
    finally:
        server.stop()


def test_a_browser_gets_the_feed_as_xml_so_it_applies_the_stylesheet(port: int) -> None:
    for path in ("/atom.xml", "/regions/europe.rss.xml"):
        _, browser, body = fetch(port, path, {"Accept": BROWSER})
        assert browser["content-type"] == "application/xml; charset=utf-8"
        assert "accept" in browser["vary"].lower()
        assert b'<?xml-stylesheet type="text/xsl"' in body
    _, reader, _ = fetch(port, "/atom.xml", {"Accept": READER})
    assert reader["content-type"] == "application/atom+xml; charset=utf-8"
    _, rss, _ = fetch(port, "/rss.xml", {"Accept": READER})
    assert rss["content-type"] == "application/rss+xml; charset=utf-8"
    status, sheet, _ = fetch(port, "/feed.xsl")
    assert (status, sheet["content-type"]) == (200, "text/xsl; charset=utf-8")
