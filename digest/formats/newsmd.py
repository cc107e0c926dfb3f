"""Markdown articles as news sites export them, and plain markdown.

The top of such an article is a run of short lines separated by blank lines:

    # Title
    By [Author](#)
    Site, January 10, 2025
    Region: [Europe](#), [Russia and FSU](#)
    Theme: [Intelligence](#)
    In-depth Report: [UKRAINE REPORT](#)

Every such line is optional and they come in any order; the first line that is
none of them starts the body (often an italic standfirst).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from digest.formats.article import assemble
from digest.formats.fields import KEYS, Meta, normal_key, parse_date, web_url
from digest.formats.fields import names as name_list
from digest.formats.markdown import inline_text, markdown_parts
from digest.model import Article

_HEADING = re.compile(r"#\s+(.+?)(?:\s+#+)?\s*")
_BYLINE = re.compile(r"by\s+(\S.{0,100})", re.IGNORECASE)
_KEY_LINE = re.compile(r"([A-Za-z][A-Za-z -]{0,30}):\s+(\S.*)")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# "January 10, 2025", "10 January 2025" or "2025-01-10", maybe with a time after it.
_DAY = rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|\d{{4}}-\d\d-\d\d)"
_CLOCK = (
    r"(?:[ T,]+\d{1,2}:\d\d(?::\d\d)?(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4}|\s*[+-]\d\d:?\d\d|Z)?)"
)
_DATE = re.compile(f"{_DAY}{_CLOCK}?", re.IGNORECASE)
# A site name is capitalised words ("Global Research", "The Valley Courier"), so a
# period label such as "Year to December 31, 1986" is not a dateline.
_SITE = re.compile(r"(?:(?:[A-Z0-9][\w.'’&-]*|of|the|and|de|du|la|le|&)(?:\s+|$))*")


@dataclass
class _Header:
    """What the header lines said, and where the body starts."""

    values: dict[str, object] = field(default_factory=dict)
    body_start: int = 0

    def set(self, name: str, value: object) -> None:
        if value is not None:
            self.values.setdefault(name, value)


def is_news_markdown(text: str) -> bool:
    """Whether `text` opens with a markdown title or news header lines."""
    return bool(_read_header(text.split("\n"), dayfirst=False).values)


def parse_news_markdown(text: str, *, dayfirst: bool) -> Article:
    lines = text.split("\n")
    header = _read_header(lines, dayfirst=dayfirst)
    v = header.values
    meta = Meta(
        title=_str(v.get("title")),
        author=_str(v.get("author")),
        published=_date(v.get("published")),
        updated=_date(v.get("updated")),
        regions=name_list(v.get("regions")),
        themes=name_list(v.get("themes")),
        standfirst=_str(v.get("standfirst")),
        url=web_url(v.get("url")),
        rights=_str(v.get("rights")),
        source=_str(v.get("source")),
        series=_str(v.get("series")),
    )
    blocks, image = markdown_parts("\n".join(lines[header.body_start :]))
    fmt = "news-markdown" if set(v) - {"title"} else "markdown"
    return assemble(fmt, replace(meta, image=image), blocks)


def _read_header(lines: list[str], *, dayfirst: bool) -> _Header:
    header = _Header()
    for n, raw in enumerate(lines):
        stripped = raw.strip()
        if not stripped:
            continue
        if not _header_line(stripped, header, dayfirst=dayfirst):
            header.body_start = n
            return header
    header.body_start = len(lines)
    return header


def _header_line(line: str, header: _Header, *, dayfirst: bool) -> bool:
    """Record what one header line says; False when it is body text."""
    if heading := _HEADING.fullmatch(line):
        if "title" in header.values:
            return False
        header.set("title", inline_text(heading.group(1)))
        return True
    if (byline := _BYLINE.fullmatch(line)) and not line.endswith("."):
        author = inline_text(byline.group(1))
        if author[:1].isupper():
            header.set("author", author)
            return True
    if key_line := _KEY_LINE.fullmatch(line):
        label, value = key_line.group(1).strip(), key_line.group(2)
        name = KEYS.get(normal_key(label))
        if name == "series" and normal_key(label) != "series":
            value = f"{label}: {value}"  # "In-depth Report: X" keeps its label
        if name in ("published", "updated"):
            header.set(name, parse_date(inline_text(value), dayfirst=dayfirst))
            return True
        if name and name != "title":
            header.set(name, value if name in ("regions", "themes") else inline_text(value))
            return True
    return _dateline(line, header, dayfirst=dayfirst)


def _dateline(line: str, header: _Header, *, dayfirst: bool) -> bool:
    """ "Global Research, January 10, 2025": the site and the publication date."""
    text = inline_text(line)
    found = _DATE.search(text)
    if not found or len(text) > 120 or text[found.end() :].strip(" .,"):
        return False
    published = parse_date(found.group(), dayfirst=dayfirst)
    if published is None:
        return False
    site = text[: found.start()].strip(" ,|-–—")
    if len(site.split()) > 8 or not _SITE.fullmatch(site):
        return False
    header.set("published", published)
    if site:
        header.set("source", site)
    return True


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _date(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None
