"""What the server says about each file of the feeds folder: caching and modification time.

Pure functions of a file's path and bytes, so the policy is tested without a server.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath

# Feeds and the pages listing the newest articles change with every build:
# readers should come back soon. Article pages and complete archive documents
# rarely change once written. Stylesheets, XSL and images change only with a
# release, and their links carry a version.
SHORT = "public, max-age=300"
MEDIUM = "public, max-age=3600"
LONG = "public, max-age=86400"
MISSING = "public, max-age=60"

_STATIC = {".css", ".xsl", ".ico", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".woff2"}
_SETTLED = ("articles/", "digests/")

# The feed-level date is written before the first entry or item.
_ATOM_UPDATED = re.compile(rb"<(?:\w+:)?updated>([^<]+)</(?:\w+:)?updated>")
_RSS_BUILD_DATE = re.compile(rb"<lastBuildDate>([^<]+)</lastBuildDate>")
_FIRST_ENTRY = re.compile(rb"<(?:\w+:)?(?:entry|item)[\s>/]")


def cache_control(relpath: str) -> str:
    path = PurePosixPath(relpath)
    if path.suffix in _STATIC:
        return LONG
    if relpath.startswith(_SETTLED) or (relpath.startswith("archive/") and path.suffix == ".xml"):
        return MEDIUM
    return SHORT


def feed_updated(body: bytes) -> datetime | None:
    """When an Atom or RSS document says it last changed (its own `updated`), if it says."""
    head = body[: m.start()] if (m := _FIRST_ENTRY.search(body)) else body
    try:
        if atom := _ATOM_UPDATED.search(head):
            when = datetime.fromisoformat(atom.group(1).decode("ascii").strip())
        elif rss := _RSS_BUILD_DATE.search(head):
            when = parsedate_to_datetime(rss.group(1).decode("ascii").strip())
        else:
            return None
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def last_modified(relpath: str, body: bytes, mtime: float, now: datetime) -> datetime:
    """A feed's own `updated` (what changed for its readers), else the file's time.

    Never later than now: HTTP forbids a Last-Modified in the future, and a
    document may be dated ahead.
    """
    when = feed_updated(body) if relpath.endswith(".xml") else None
    if when is None:
        when = datetime.fromtimestamp(mtime, UTC)
    return min(when, now)
