"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) with the Atom feed's entries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from digest.config import FeedSettings
from digest.model import Document
from digest.publish.feeds import FeedSpec, LinkOf
from digest.text import strip_control


def json_feed(
    spec: FeedSpec, documents: Sequence[Document], feed: FeedSettings, link_of: LinkOf
) -> bytes:
    items = []
    for doc in documents:
        item: dict[str, Any] = {
            "id": doc.id,
            "url": link_of(doc),
            "title": strip_control(doc.title),
            "summary": strip_control(doc.summary),
            "content_html": strip_control(doc.article.content_html),
            "date_published": doc.published.isoformat(),
            "date_modified": doc.updated.isoformat(),
            "authors": [{"name": strip_control(doc.author or feed.author)}],
            "tags": [*doc.regions.names, *doc.themes.names],
        }
        if doc.article.url:
            item["external_url"] = doc.article.url
        items.append(item)
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": strip_control(spec.title),
        "home_page_url": feed.base_url + "index.html",
        "feed_url": feed.base_url + spec.path,
        "description": strip_control(spec.subtitle),
        "language": feed.language,
        "authors": [{"name": strip_control(feed.author)}],
        "items": items,
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
