"""An OPML 2.0 index of every feed, for one-step subscription."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from digest.config import FeedSettings
from digest.text import strip_control


def opml(
    feed: FeedSettings, outlines: Sequence[tuple[str, Sequence[tuple[str, str]]]], updated: datetime
) -> bytes:
    """`outlines` is (group title, [(feed title, relative path)]); "" is the top level."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = strip_control(feed.title)
    etree.SubElement(head, "dateModified").text = updated.strftime("%a, %d %b %Y %H:%M:%S %z")
    body = etree.SubElement(root, "body")
    for group, feeds in outlines:
        parent = body
        if group:
            parent = etree.SubElement(body, "outline", text=group, title=group)
        for title, path in feeds:
            kind = "rss"
            etree.SubElement(
                parent, "outline", type=kind, text=strip_control(title),
                title=strip_control(title), xmlUrl=feed.base_url + path,
                htmlUrl=feed.base_url + "index.html",
            )  # fmt: skip
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
