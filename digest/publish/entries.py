"""Published documents as feed entries: what every format shows of one document."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from digest.config import FeedSettings
from digest.model import UNCLASSIFIED, Document
from digest.publish.feeds import Entry, LinkOf
from digest.text import strip_control


def entry_of(doc: Document, feed: FeedSettings, link_of: LinkOf) -> Entry:
    article = doc.article
    link = link_of(doc)
    categories = tuple(
        (clean(name), f"{feed.base_url}{scheme}/")
        for scheme, labels in (("regions", doc.regions), ("themes", doc.themes))
        for name in labels.names or (UNCLASSIFIED,)
    )
    return Entry(
        id=doc.id,
        title=clean(doc.title),
        link=link,
        published=doc.published,
        # An entry is never older in this feed than the moment it entered it:
        # documents dated only by day (or not at all) would otherwise share
        # one `updated`, which readers and the W3C validator take for a
        # generator stamping its build time.
        updated=max(doc.updated, doc.first_seen),
        author=clean(doc.author or feed.author),
        summary=clean(doc.summary) or clean(doc.title),
        content_html=clean(article.content_html),
        categories=categories,
        rights=clean(article.rights or ""),
        via=article.url or "",
        source=clean(article.source or ""),
        # A relative image of a document with no address of its own points
        # into the seeds folder, which is not published: it is left out.
        image=image_url(article.image, article.url or ""),
    )


def image_url(image: str | None, base: str) -> str:
    """`image` made absolute against the page it belongs to; "" unless http(s)."""
    if not image:
        return ""
    url = urljoin(base, strip_control(image).strip())
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else ""


def clean(text: str) -> str:
    return strip_control(text).strip()
