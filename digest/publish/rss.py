"""RSS 2.0 documents with the Atom documents' entries, paging links and hubs.

RSS has no paging or hub of its own: both are `atom:link` elements, as RFC
5005 and WebSub describe. Images are `media:content`, since an RSS
`<enclosure>` must state a length this publisher cannot know.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import format_datetime

from lxml import etree

from digest import __version__
from digest.publish.atom import ATOM_NS, DC_NS, HISTORY_NS, MEDIA_NS, image_type, serialise
from digest.publish.feeds import Entry, Format, Head

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def rss_document(head: Head, entries: Sequence[Entry]) -> bytes:
    """One RSS 2.0 document; `entries` newest first."""
    nsmap = {"atom": ATOM_NS, "dc": DC_NS, "content": CONTENT_NS}
    if head.archive:
        nsmap["fh"] = HISTORY_NS
    if any(e.image for e in entries):
        nsmap["media"] = MEDIA_NS
    root = etree.Element("rss", nsmap=nsmap, version="2.0")
    channel = etree.SubElement(root, "channel")
    _text(channel, "title", head.title)
    _text(channel, "link", head.home_url)
    _text(channel, "description", head.subtitle or head.title)
    _text(channel, "language", head.language)
    _text(channel, "lastBuildDate", format_datetime(head.updated))
    _text(channel, "generator", f"digest {__version__}")
    _text(channel, "docs", "https://www.rssboard.org/rss-specification")
    _atom_link(channel, "self", head.self_url, Format.RSS.media_type)
    for rel, href in head.links:
        _atom_link(channel, rel, href, Format.RSS.media_type)
    for hub in head.hubs:
        _atom_link(channel, "hub", hub)
    if head.icon:
        image = etree.SubElement(channel, "image")
        _text(image, "url", head.icon)
        _text(image, "title", head.title)
        _text(image, "link", head.home_url)
    if head.archive:
        etree.SubElement(channel, f"{{{HISTORY_NS}}}archive")
    for entry in entries:
        _item(channel, entry)
    return serialise(root, head.stylesheet)


def _item(channel: etree._Element, e: Entry) -> None:
    item = etree.SubElement(channel, "item")
    _text(item, "title", e.title)
    _text(item, "link", e.link)
    _text(item, "description", e.summary)
    etree.SubElement(item, f"{{{CONTENT_NS}}}encoded").text = e.content_html or "<p></p>"
    _text(item, "guid", e.id).set("isPermaLink", "false")
    _text(item, "pubDate", format_datetime(e.published))
    etree.SubElement(item, f"{{{DC_NS}}}creator").text = e.author
    for term, scheme in e.categories:
        _text(item, "category", term).set("domain", scheme)
    # RSS's own <source> names an RSS channel, which the original rarely is.
    if e.via:
        etree.SubElement(item, f"{{{DC_NS}}}source").text = e.via
    if e.source:
        etree.SubElement(item, f"{{{DC_NS}}}publisher").text = e.source
    if e.rights:
        etree.SubElement(item, f"{{{DC_NS}}}rights").text = e.rights
    if e.image:
        media = etree.SubElement(item, f"{{{MEDIA_NS}}}content", url=e.image, medium="image")
        if kind := image_type(e.image):
            media.set("type", kind)


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    el = etree.SubElement(parent, tag)
    el.text = text
    return el


def _atom_link(parent: etree._Element, rel: str, href: str, kind: str = "") -> None:
    el = etree.SubElement(parent, f"{{{ATOM_NS}}}link", rel=rel, href=href)
    if kind:
        el.set("type", kind)
