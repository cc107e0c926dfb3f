"""Atom 1.0 and RSS 2.0 documents, rendered with feedgen.

feedgen has traps this module keeps away from the output: `add_entry`
prepends unless told otherwise, `updated` defaults to the build time, entry
links lose every attribute but `href` (upstream issue #135), and XML-illegal
characters raise deep inside lxml. Every string goes through `strip_control`,
every time is set explicitly, and entry links and sources are written by a
small feedgen extension instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from digest import __version__
from digest.config import FeedSettings
from digest.model import UNCLASSIFIED, Document
from digest.text import strip_control

ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"
# Feeds with no entries still need a stable `updated`: the epoch never churns.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

LinkOf = Callable[[Document], str]


class Dated(Protocol):
    @property
    def updated(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One logical feed: where its main document lives and what it is called."""

    path: str  # relative to the feeds folder, e.g. "atom.xml" or "regions/europe.xml"
    title: str
    subtitle: str


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One Atom document of a feed: the main one or an RFC 5005 archive."""

    path: str
    ids: tuple[str, ...]  # newest first
    links: tuple[tuple[str, str], ...]  # (rel, path relative to the feeds folder)
    archive: bool


def paginate(path: str, ids: Sequence[str], size: int) -> list[FeedPage]:
    """Split a feed's entries (newest first) into its main and archive documents.

    The main document holds the newest `size` entries. Older entries fill
    archive pages from the oldest up, so a full page never changes again; each
    page links to its neighbours (prev-archive, next-archive) and to the main
    document (current).
    """
    current, older = tuple(ids[:size]), tuple(reversed(ids[size:]))
    chunks = [older[i : i + size] for i in range(0, len(older), size)]
    stem = path.removesuffix(".xml")
    names = [f"archive/{stem}/{n}.xml" for n in range(1, len(chunks) + 1)]
    pages = [FeedPage(path, current, (("prev-archive", names[-1]),) if names else (), False)]
    for n, (name, chunk) in enumerate(zip(names, chunks, strict=True)):
        links = [("current", path)]
        if n > 0:
            links.append(("prev-archive", names[n - 1]))
        if n + 1 < len(names):
            links.append(("next-archive", names[n + 1]))
        pages.append(FeedPage(name, tuple(reversed(chunk)), tuple(links), True))
    return pages


def atom_page(
    spec: FeedSpec,
    page: FeedPage,
    documents: Sequence[Document],
    feed: FeedSettings,
    link_of: LinkOf,
) -> bytes:
    """One Atom document; `documents` are the page's entries, newest first."""
    fg = generator(spec, feed, newest_update(documents), self_path=page.path)
    fg.link(href=feed.base_url + "index.html", rel="alternate", type="text/html")
    for rel, path in page.links:
        fg.link(href=feed.base_url + path, rel=rel, type="application/atom+xml")
    if page.archive:
        fg.register_extension("history", _ArchiveMark, _NoEntryExtension, rss=False)
    fg.register_extension("digest", _NoFeedExtension, _EntryExtras, rss=False)
    for doc in documents:
        fe = _entry(fg, doc, feed)
        fe.digest.set(doc, link_of(doc))
    data: bytes = fg.atom_str(pretty=True)
    return data


def rss_document(
    spec: FeedSpec, documents: Sequence[Document], feed: FeedSettings, link_of: LinkOf
) -> bytes:
    """RSS 2.0 with the same newest entries as the main Atom document."""
    fg = generator(spec, feed, newest_update(documents))
    fg.link(href=feed.base_url + "index.html", rel="alternate")
    fg.description(_clean(spec.subtitle) or _clean(spec.title))
    for doc in documents:
        fe = _entry(fg, doc, feed)
        fe.guid(doc.id, permalink=False)
        fe.link(href=link_of(doc))
        fe.dc.dc_creator(_clean(doc.author or feed.author))
        if doc.article.url and doc.article.source:
            fe.source(url=doc.article.url, title=_clean(doc.article.source))
    data: bytes = fg.rss_str(pretty=True)
    return data


def newest_update(items: Sequence[Dated]) -> datetime:
    """What a feed's `updated` is: its newest entry's, never the build time."""
    return max((d.updated for d in items), default=EPOCH)


def generator(
    spec: FeedSpec, feed: FeedSettings, updated: datetime, *, self_path: str | None = None
) -> FeedGenerator:
    """A feedgen generator with this product's feed metadata, `updated` set explicitly."""
    self_path = self_path or spec.path
    fg = FeedGenerator()
    fg.id(feed.base_url + spec.path)
    fg.title(_clean(spec.title))
    if spec.subtitle:
        fg.subtitle(_clean(spec.subtitle))
    fg.author({"name": _clean(feed.author)})
    fg.language(feed.language)
    fg.generator("digest", version=__version__)
    self_type = "application/rss+xml" if spec.path.endswith("rss.xml") else "application/atom+xml"
    fg.link(href=feed.base_url + self_path, rel="self", type=self_type)
    fg.updated(updated)
    fg.load_extension("dc", atom=False, rss=True)
    return fg


def _entry(fg: FeedGenerator, doc: Document, feed: FeedSettings) -> Any:
    fe = fg.add_entry(order="append")
    fe.id(doc.id)
    fe.title(_clean(doc.title))
    fe.updated(doc.updated)
    fe.published(doc.published)
    fe.author({"name": _clean(doc.author or feed.author)})
    fe.summary(_clean(doc.summary) or _clean(doc.title))
    fe.content(_clean(doc.article.content_html) or "<p></p>", type="html")
    for scheme, labels in (("regions", doc.regions), ("themes", doc.themes)):
        for name in labels.names or (UNCLASSIFIED,):
            fe.category(term=_clean(name), scheme=feed.base_url + scheme + "/", label=_clean(name))
    if doc.article.rights:
        fe.rights(_clean(doc.article.rights))
    return fe


def _clean(text: str) -> str:
    return strip_control(text).strip()


class _NoFeedExtension(BaseExtension):  # type: ignore[misc]
    pass


class _NoEntryExtension(BaseEntryExtension):  # type: ignore[misc]
    pass


class _ArchiveMark(BaseExtension):  # type: ignore[misc]
    """Marks an RFC 5005 archive document with <fh:archive/>."""

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        etree.SubElement(feed, f"{{{HISTORY_NS}}}archive")
        return feed


class _EntryExtras(BaseEntryExtension):  # type: ignore[misc]
    """Writes what feedgen's own entry code gets wrong or lacks: the link and the source."""

    def __init__(self) -> None:
        self._doc: Document | None = None
        self._href = ""

    def set(self, doc: Document, href: str) -> None:
        self._doc = doc
        self._href = href

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        etree.SubElement(
            entry, f"{{{ATOM_NS}}}link", rel="alternate", type="text/html", href=self._href
        )
        article = self._doc.article if self._doc else None
        if article and (article.source or article.url):
            source = etree.SubElement(entry, f"{{{ATOM_NS}}}source")
            if article.source:
                etree.SubElement(source, f"{{{ATOM_NS}}}title").text = _clean(article.source)
            if article.url:
                etree.SubElement(source, f"{{{ATOM_NS}}}link", rel="alternate", href=article.url)
        return entry
