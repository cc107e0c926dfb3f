"""Lead images: found in every input format, carried into every feed format as absolute URLs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import feedparser
from lxml import etree

from digest.config import Config
from digest.parse import parse
from digest.publish.site import publish
from tests.conftest import WriteConfig
from tests.factories import make_document, ref_of

MEDIA = "{http://search.yahoo.com/mrss/}"


def test_front_matter_image_is_the_lead_image() -> None:
    article = parse(
        "---\ntitle: Port strike ends\nimage: https://cdn.example.com/port.jpg\n---\n"
        "Dock workers voted to end the strike on Monday.\n\n![Cranes](other.jpg)\n",
        "a.md",
    )
    assert article.image == "https://cdn.example.com/port.jpg"


def test_the_first_body_image_stands_in_and_its_caption_stays_text() -> None:
    article = parse(
        "Title: Solar farm opens\n\nThe plant began supplying power on Friday.\n\n"
        "![A field of panels](https://cdn.example.com/solar.png)\n\n*Panels near Antofagasta.*\n",
        "b.txt",
    )
    assert article.image == "https://cdn.example.com/solar.png"
    assert "Panels near Antofagasta." in article.content_html


def test_og_image_of_an_html_page_is_made_absolute_against_its_canonical_url() -> None:
    page = (
        '<html><head><meta property="og:title" content="Clinics expand">'
        '<meta property="og:image" content="/media/clinic.png">'
        '<link rel="canonical" href="https://health.example.net/2025/clinics"></head>'
        "<body><article><h1>Clinics expand</h1><p>Six new clinics opened this week in the "
        "county, bringing the total to forty.</p></article></body></html>"
    )
    assert parse(page, "c.html").image == "https://health.example.net/media/clinic.png"


def test_an_html_body_image_counts_but_a_tracking_pixel_or_furniture_does_not() -> None:
    page = (
        '<html><head><link rel="canonical" href="https://n.example.org/a/1"></head><body>'
        '<nav><img src="/logo.png"></nav><article><h1>Clinics expand</h1>'
        '<img src="https://t.example.org/p.gif" width="1" height="1">'
        "<p>Six new clinics opened this week in the county, bringing the total to forty.</p>"
        '<figure><img src="door.jpg" alt=""><figcaption>A new clinic in Kibera.</figcaption>'
        "</figure></article></body></html>"
    )
    article = parse(page, "d.html")
    assert article.image == "https://n.example.org/a/door.jpg"
    assert "A new clinic in Kibera." in article.content_html


def build(config: Config, docs: list) -> None:  # type: ignore[type-arg]
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


def with_image(n: int, image: str, url: str | None = None):  # type: ignore[no-untyped-def]
    doc = make_document(n, url=url)
    return replace(doc, article=replace(doc.article, image=image))


def test_every_feed_format_carries_the_image_as_an_absolute_url(
    write_config: WriteConfig,
) -> None:
    config = write_config()
    build(config, [with_image(2, "img/lead.jpg", url="https://paper.example.com/a/2")])
    out = config.paths.feeds
    want = "https://paper.example.com/a/img/lead.jpg"
    atom = etree.parse(str(out / "atom.xml")).getroot()
    entry = atom.find("{http://www.w3.org/2005/Atom}entry")
    assert entry is not None
    enclosure = entry.find("{http://www.w3.org/2005/Atom}link[@rel='enclosure']")
    assert enclosure is not None
    assert (enclosure.get("href"), enclosure.get("type")) == (want, "image/jpeg")
    thumbnail = entry.find(f"{MEDIA}thumbnail")
    assert thumbnail is not None and thumbnail.get("url") == want
    rss = feedparser.parse((out / "regions/europe.rss.xml").read_bytes())
    assert rss.entries[0].media_content[0]["url"] == want
    item = json.loads((out / "themes/energy.json").read_text())["items"][0]
    assert item["image"] == want


def test_a_relative_image_of_a_document_with_no_address_is_left_out(
    write_config: WriteConfig,
) -> None:
    config = write_config()
    build(config, [with_image(3, "images/local.jpg")])
    item = json.loads((config.paths.feeds / "feed.json").read_text())["items"][0]
    assert "image" not in item
    assert b"enclosure" not in (config.paths.feeds / "atom.xml").read_bytes()
