"""Hostile text in any field never breaks a feed document and reads back as written."""

from __future__ import annotations

import json

import feedparser
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from digest.config import FeedSettings
from digest.publish.entries import entry_of
from digest.publish.feeds import Format, Head
from digest.publish.renderers import RENDERERS
from digest.text import strip_control
from tests.factories import make_document

FEED = FeedSettings(
    title="Desk", subtitle="", base_url="https://n.example.org/", author="Desk",
    max_entries=50, language="en",
)  # fmt: skip
A = "{http://www.w3.org/2005/Atom}"
hostile = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def head(path: str) -> Head:
    when = make_document(1).updated
    return Head(
        id="https://n.example.org/atom.xml", title="Desk & <Co>", subtitle='"Quoted"',
        self_url="https://n.example.org/" + path, home_url="https://n.example.org/index.html",
        updated=when, language="en", author="Desk", stylesheet="feed.xsl",
    )  # fmt: skip


def kept(value: str) -> str:
    """What a reader sees: XML-illegal characters gone, outer white space trimmed."""
    return strip_control(value).strip()


@settings(max_examples=60, deadline=None)
@given(title=hostile, author=hostile, source=hostile, content=hostile)
def test_any_text_reads_back_from_atom_rss_and_json(
    title: str, author: str, source: str, content: str
) -> None:
    doc = make_document(
        1,
        title=f"T{title}",
        author=f"A{author}",
        source=f"S{source}",
        url='https://paper.example.com/a?b=1&c="2"',
        content_html=f"<p>{content}</p>",
    )
    entry = entry_of(doc, FEED, lambda d: "https://n.example.org/a?x=1&y=2")
    atom = etree.fromstring(RENDERERS[Format.ATOM](head("atom.xml"), [entry]))
    e = atom.find(f"{A}entry")
    assert e is not None
    assert e.findtext(f"{A}title") == kept(f"T{title}")
    assert e.findtext(f"{A}author/{A}name") == kept(f"A{author}")
    assert e.findtext(f"{A}content") == kept(f"<p>{content}</p>")
    via = e.find(f"{A}link[@rel='via']")
    assert via is not None and via.get("title") == kept(f"S{source}")
    assert via.get("href") == 'https://paper.example.com/a?b=1&c="2"'
    rss_bytes = RENDERERS[Format.RSS](head("rss.xml"), [entry])
    item = etree.fromstring(rss_bytes).find("channel/item")
    assert item is not None and item.findtext("title") == kept(f"T{title}")
    assert item.findtext("{http://purl.org/dc/elements/1.1/}publisher") == kept(f"S{source}")
    parsed = feedparser.parse(rss_bytes)
    assert not parsed.bozo, parsed.bozo_exception
    item_json = json.loads(RENDERERS[Format.JSON](head("feed.json"), [entry]))["items"][0]
    assert item_json["title"] == kept(f"T{title}")
