"""Metadata values as documents write them, turned into Article fields.

Front matter, header lines and HTML meta tags all name the same things with
different keys and shapes (a string, a list, a date object); this module maps
them once so every format agrees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timezone
from urllib.parse import urlsplit

from dateutil import parser as dateparser

from digest.formats.markdown import inline_text
from digest.text import squash


@dataclass(frozen=True, slots=True)
class Meta:
    """What a document says about itself, before its body is read."""

    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    regions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    standfirst: str | None = None
    url: str | None = None
    rights: str | None = None
    source: str | None = None
    series: str | None = None
    image: str | None = None


# Normalised key (lowercase, "_" for "-" and " ") -> Meta field.
KEYS: Mapping[str, str] = {
    **dict.fromkeys(("title", "headline"), "title"),
    **dict.fromkeys(("author", "authors", "by", "byline", "creator"), "author"),
    **dict.fromkeys(
        ("date", "published", "pubdate", "publish_date", "published_at", "date_published"),
        "published",
    ),
    **dict.fromkeys(
        ("updated", "modified", "lastmod", "last_modified", "date_modified", "updated_at"),
        "updated",
    ),
    **dict.fromkeys(("region", "regions"), "regions"),
    **dict.fromkeys(("theme", "themes"), "themes"),
    **dict.fromkeys(
        ("description", "summary", "standfirst", "subtitle", "dek", "lede", "excerpt"),
        "standfirst",
    ),
    **dict.fromkeys(("url", "link", "canonical", "canonical_url", "permalink"), "url"),
    **dict.fromkeys(("source", "publication", "site", "site_name", "publisher"), "source"),
    **dict.fromkeys(("rights", "copyright", "license"), "rights"),
    **dict.fromkeys(("series", "in_depth_report"), "series"),
    **dict.fromkeys(
        ("image", "featured_image", "cover", "cover_image", "og_image", "thumbnail", "banner"),
        "image",
    ),
}

# A date needs a year: "2025", or a short numeric date such as 10/01/25.
_HAS_YEAR = re.compile(r"\d{4}|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2}\b")
# Missing parts of a date are filled from this, never from today.
_DATE_DEFAULT = datetime(2000, 1, 1)


def normal_key(key: object) -> str:
    return re.sub(r"[\s-]+", "_", str(key).strip().lower())


def meta_from_mapping(raw: Mapping[str, object], *, dayfirst: bool) -> Meta:
    """Meta from front matter or header lines; unknown keys (tags, slug...) are ignored."""
    values: dict[str, object] = {}
    for key, value in raw.items():
        field = KEYS.get(normal_key(key))
        if field and field not in values and value not in (None, "", [], {}):
            values[field] = value
    return Meta(
        title=line(values.get("title")),
        author=authors(values.get("author")),
        published=parse_date(values.get("published"), dayfirst=dayfirst),
        updated=parse_date(values.get("updated"), dayfirst=dayfirst),
        regions=names(values.get("regions")),
        themes=names(values.get("themes")),
        standfirst=line(values.get("standfirst")),
        url=web_url(values.get("url")),
        rights=line(values.get("rights")),
        source=line(values.get("source")),
        series=line(values.get("series")),
        image=image_ref(values.get("image")),
    )


def line(value: object) -> str | None:
    """One line of plain text from a scalar value; markdown links and emphasis dropped."""
    if value is None or isinstance(value, Mapping | list | tuple):
        return None
    text = inline_text(squash(str(value)))
    return text or None


def names(value: object) -> tuple[str, ...]:
    """Region or theme names as written: a list, or one string separated by commas."""
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        text = line(item)
        if text:
            out.extend(part.strip() for part in re.split(r"[,;]", text) if part.strip())
    return tuple(dict.fromkeys(out))


def authors(value: object) -> str | None:
    """One author line: "Ana Lopes", or "Ana Lopes and Tom Field" from a list."""
    items = value if isinstance(value, list | tuple) else [value]
    found: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("name")
        text = line(item)
        if text:
            found.append(text)
    if len(found) > 1:
        return f"{', '.join(found[:-1])} and {found[-1]}"
    return found[0] if found else None


def web_url(value: object) -> str | None:
    """An absolute http(s) URL, or None."""
    text = squash(str(value)) if isinstance(value, str) else ""
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc and " " not in text else None


def image_ref(value: object) -> str | None:
    """An image's address as written (absolute or relative), from a string or {src|url}."""
    if isinstance(value, Mapping):
        value = value.get("src") or value.get("url")
    text = squash(value) if isinstance(value, str) else ""
    return text if text and " " not in text and not text.startswith("data:") else None


def parse_date(value: object, *, dayfirst: bool) -> datetime | None:
    """A timezone-aware datetime (UTC when none is given), or None when it is not a date."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, date):
        found = datetime.combine(value, time())
    elif isinstance(value, str) and _HAS_YEAR.search(value):
        try:
            found = dateparser.parse(value, dayfirst=dayfirst, default=_DATE_DEFAULT)
        except (ValueError, OverflowError):
            return None
    else:
        return None
    offset = found.utcoffset()
    if offset is None:
        return found.replace(tzinfo=UTC)
    # dateutil hands back tzlocal() for an offset equal to this machine's: pin it to a
    # fixed offset so the result is the same wherever the build runs.
    return found.replace(tzinfo=UTC if not offset else timezone(offset))
