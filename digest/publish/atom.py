"""Atom 1.0 (RFC 4287) documents, with RFC 5005 archive links and WebSub hubs.

Rendered with feedgen. feedgen writes its Atom elements unqualified under a
literal `xmlns` attribute, so anything an extension adds in the Atom
namespace by its qualified name comes out as `ns0:`; the extensions here
write Atom elements unqualified like feedgen does, and every other
namespace is declared once on the root through `extend_ns`. feedgen's own
entry links keep only `href` (upstream issue #135), so entry links are
written by the extension too. Every time comes from the data: feedgen is
given `updated` explicitly and never stamps the build time.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from urllib.parse import urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from digest import __version__
from digest.publish.feeds import Entry, Format, Head

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
GENERATOR_URI = "https://pypi.org/project/digest/"
# feedgen refuses or drops an empty title, author or summary; an entry whose
# text cleans to nothing is given this, emptied again once feedgen is done.
BLANK = " "


def atom_document(head: Head, entries: Sequence[Entry]) -> bytes:
    """One Atom feed document; `entries` newest first."""
    fg = FeedGenerator()
    fg.id(head.id)
    fg.title(head.title)
    if head.subtitle:
        fg.subtitle(head.subtitle)
    fg.updated(head.updated)
    fg.language(head.language)
    fg.author({"name": head.author})
    fg.link(href=head.self_url, rel="self", type=Format.ATOM.media_type)
    fg.link(href=head.home_url, rel="alternate", type="text/html")
    for rel, href in head.links:
        fg.link(href=href, rel=rel, type=Format.ATOM.media_type)
    for hub in head.hubs:
        fg.link(href=hub, rel="hub")
    fg.generator("digest", version=__version__, uri=GENERATOR_URI)
    if head.icon:
        fg.icon(head.icon)
    if head.logo:
        fg.logo(head.logo)
    fg.register_extension("digest", Namespaces, AtomExtras, rss=False)
    fg.digest.declare(head, entries)
    for entry in entries:
        _entry(fg, entry)
    # The tree rather than `atom_str`: the stylesheet instruction goes before the root.
    root, _ = fg._create_atom()
    return serialise(root, head.stylesheet)


def _entry(fg: FeedGenerator, e: Entry) -> None:
    fe = fg.add_entry(order="append")
    fe.id(e.id)
    fe.title(e.title or BLANK)
    fe.published(e.published)
    fe.updated(e.updated)
    fe.author({"name": e.author or BLANK})
    fe.summary(e.summary or BLANK)
    fe.content(e.content_html or "<p></p>", type="html")
    for term, scheme in e.categories:
        fe.category(term=term, scheme=scheme, label=term)
    if e.rights:
        fe.rights(e.rights)
    fe.digest.entry = e


class Namespaces(BaseExtension):  # type: ignore[misc]
    """Declares on the root only the namespaces a document uses, and marks archives."""

    def __init__(self) -> None:
        self.nsmap: dict[str, str] = {}
        self.archive = False

    def declare(self, head: Head, entries: Sequence[Entry]) -> None:
        self.archive = head.archive
        if head.archive:
            self.nsmap["fh"] = HISTORY_NS
        if any(e.source and not e.via for e in entries):
            self.nsmap["dc"] = DC_NS
        if any(e.image for e in entries):
            self.nsmap["media"] = MEDIA_NS

    def extend_ns(self) -> dict[str, str]:
        return self.nsmap

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        if self.archive:
            etree.SubElement(feed, f"{{{HISTORY_NS}}}archive")
        return feed

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        if self.archive:
            etree.SubElement(rss[0], f"{{{HISTORY_NS}}}archive")
        return rss


class AtomExtras(BaseEntryExtension):  # type: ignore[misc]
    """What feedgen's Atom entry lacks: typed links, the original and the image."""

    entry: Entry | None = None

    def extend_atom(self, el: etree._Element) -> etree._Element:
        e = self.entry
        if e is None:
            return el
        unblank(el, {"title": e.title, "author/name": e.author, "summary": e.summary})
        # Unqualified, as feedgen writes Atom: the root's xmlns makes them Atom.
        _link(el, "alternate", e.link, "text/html")
        if e.via:
            via = _link(el, "via", e.via)
            if e.source:
                via.set("title", e.source)
        elif e.source:
            # atom:source describes an Atom feed the entry was copied from, with
            # an id and updated time no plain document has: the name alone is
            # the original's publisher.
            etree.SubElement(el, f"{{{DC_NS}}}publisher").text = e.source
        if e.image:
            _link(el, "enclosure", e.image, image_type(e.image))
            etree.SubElement(el, f"{{{MEDIA_NS}}}thumbnail", url=e.image)
        return el


def unblank(el: etree._Element, texts: dict[str, str]) -> None:
    """Empties again the elements given `BLANK` for an empty text."""
    for path, text in texts.items():
        if not text and (child := el.find(path)) is not None:
            child.text = ""


def _link(parent: etree._Element, rel: str, href: str, kind: str = "") -> etree._Element:
    el = etree.SubElement(parent, "link", rel=rel, href=href)
    if kind:
        el.set("type", kind)
    return el


def image_type(url: str) -> str:
    """The image's media type from its file name; "" when the name does not say."""
    kind = mimetypes.guess_type(urlsplit(url).path)[0] or ""
    return kind if kind.startswith("image/") else ""


def serialise(root: etree._Element, stylesheet: str) -> bytes:
    """The document with its XML declaration and, when given, its XSL stylesheet."""
    if stylesheet:
        root.addprevious(
            etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet}"')
        )
    data: bytes = etree.tostring(
        root.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return data
