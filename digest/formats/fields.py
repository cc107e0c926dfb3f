"""Metadata values as documents write them, turned into Article fields.

Front matter, header lines and HTML meta tags all name the same things with
different keys and shapes (a string, a list, a date object); this module maps
them once so every format agrees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from digest.formats.dates import DateError, read_date
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
    # What could not be read and was dropped: "date '2025-13-01' dropped: ...".
    warnings: tuple[str, ...] = ()
    language: str | None = None


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
    # A Pelican, Hugo or Zola category is the site's own theme label.
    **dict.fromkeys(("category", "categories"), "categories"),
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
    **dict.fromkeys(("lang", "language", "locale", "inlanguage", "in_language"), "language"),
}
# A BCP 47 language tag as documents write it: "en", "pt-BR", "zh-Hant", "fr_FR".
_LANGUAGE = re.compile(r"([A-Za-z]{2,3})((?:[-_][A-Za-z0-9]{2,8})*)")

_TABLES = frozenset(("taxonomies", "params", "extra"))
# A dropped value is quoted in its warning up to this length.
_SHOWN = 60


def normal_key(key: object) -> str:
    return re.sub(r"[\s-]+", "_", str(key).strip().lower())


def meta_from_mapping(raw: Mapping[str, object], *, dayfirst: bool) -> Meta:
    """Meta from front matter or header lines; unknown keys (tags, slug...) are ignored."""
    values: dict[str, object] = {}
    keys: dict[str, str] = {}
    # Zola puts labels under [taxonomies], Hugo its own fields under [params]: read
    # after the top level, which wins.
    tables = [raw, *(v for k, v in raw.items() if normal_key(k) in _TABLES)]
    items = [item for table in tables if isinstance(table, Mapping) for item in table.items()]
    for key, value in items:
        field = KEYS.get(normal_key(key))
        if field and field not in values and value not in (None, "", [], {}):
            values[field] = value
            keys[field] = str(key)
    warnings: list[str] = []
    return Meta(
        title=line(values.get("title")),
        author=authors(values.get("author")),
        published=date_field(keys.get("published"), values.get("published"), dayfirst, warnings),
        updated=date_field(keys.get("updated"), values.get("updated"), dayfirst, warnings),
        regions=names(values.get("regions")),
        themes=names(values.get("themes")) or names(values.get("categories")),
        standfirst=line(values.get("standfirst")),
        url=url_field(keys.get("url"), values.get("url"), warnings),
        rights=line(values.get("rights")),
        source=line(values.get("source")),
        series=line(values.get("series")),
        image=image_ref(values.get("image")),
        warnings=tuple(warnings),
        language=language(values.get("language")),
    )


def language(value: object) -> str | None:
    """A language tag in its usual case ("pt-BR"), or None for anything else."""
    text = line(value)
    match = _LANGUAGE.fullmatch(text or "")
    if match is None:
        return None
    subtags = [match.group(1).lower()]
    for tag in match.group(2).replace("_", "-").split("-")[1:]:
        subtags.append(tag.upper() if len(tag) == 2 else tag.title() if len(tag) == 4 else tag)
    return "-".join(subtags)


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
    """An absolute http(s) URL, or None; ValueError when it is malformed (`http://[::1`)."""
    text = squash(str(value)) if isinstance(value, str) else ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        return None
    parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    return text


def image_ref(value: object) -> str | None:
    """An image's address as written (absolute or relative), from a string or {src|url}."""
    if isinstance(value, Mapping):
        value = value.get("src") or value.get("url")
    text = squash(value) if isinstance(value, str) else ""
    return text if text and " " not in text and not text.startswith("data:") else None


def url_field(where: str | None, value: object, warnings: list[str]) -> str | None:
    """The URL a field names; a malformed one is dropped with a warning."""
    try:
        return web_url(value)
    except ValueError:
        warnings.append(dropped(where or "url", value, "not a valid URL"))
        return None


def date_field(
    where: str | None, value: object, dayfirst: bool, warnings: list[str]
) -> datetime | None:
    """The instant a date field names; one that cannot be read is dropped with a warning."""
    if value is None or value == "":
        return None
    try:
        found = read_date(value, dayfirst=dayfirst)
    except DateError as exc:
        warnings.append(dropped(where or "date", value, str(exc)))
        return None
    if found is None:
        warnings.append(dropped(where or "date", value, "not a date"))
    return found


def dropped(where: str, value: object, reason: str) -> str:
    """The warning for a field that was left out: what, where, and why."""
    shown = squash(str(value))
    if len(shown) > _SHOWN:
        shown = shown[: _SHOWN - 1] + "…"
    return f"{where} {shown!r} dropped: {reason}"
