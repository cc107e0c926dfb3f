"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) with the Atom documents' entries.

Paging is `next_url`: the main document points at the newest archive page,
each archive page at the one before it, so following it walks back in time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from digest.publish.feeds import Entry, Head


def json_document(head: Head, entries: Sequence[Entry]) -> bytes:
    data: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": head.title,
        "home_page_url": head.home_url,
        "feed_url": head.self_url,
        "description": head.subtitle,
        "language": head.language,
        "authors": [{"name": head.author}],
    }
    if head.icon:
        data["icon"] = data["favicon"] = head.icon
    if head.hubs:
        data["hubs"] = [{"type": "WebSub", "url": hub} for hub in head.hubs]
    for rel, href in head.links:
        if rel == "prev-archive":
            data["next_url"] = href
    data["items"] = [_item(e) for e in entries]
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _item(e: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": e.id,
        "url": e.link,
        "title": e.title,
        "summary": e.summary,
        "content_html": e.content_html,
        "date_published": e.published.isoformat(),
        "date_modified": e.updated.isoformat(),
        "authors": [{"name": e.author}],
        "tags": [term for term, _ in e.categories],
    }
    if e.via:
        item["external_url"] = e.via
    if e.image:
        item["image"] = e.image
    return item
