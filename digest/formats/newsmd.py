"""Markdown articles as news sites export them, and plain markdown.

The top of such an article is a run of short lines separated by blank lines:

    # Title
    By [Author](#) | Staff reporter
    Site, January 10, 2025
    Region: [Europe](#), [Russia and FSU](#)
    Theme: [Intelligence](#)
    In-depth Report: [UKRAINE REPORT](#)

Every such line is optional and they come in any order. A line that is none of
them ends the header, unless a header line follows close below it: then it is
page furniture ("Share", "Photo: ...", a dateline in a form no one reads) and is
dropped, so the labels and the standfirst under it are still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from digest.formats.article import assemble
from digest.formats.dates import DateError, read_date, split_label
from digest.formats.fields import KEYS, Meta, dropped, normal_key, url_field
from digest.formats.fields import names as name_list
from digest.formats.markdown import MAX_INLINE, inline_text, markdown_parts
from digest.model import Article

_HEADING = re.compile(r"#\s+(.+?)(?:\s+#+)?\s*")
# "By", and the same word in French, Spanish and Portuguese, German, Italian, Dutch, Swedish.
_BYLINE = re.compile(r"(?:by|par|por|von|di|door|av)\s+(\S.*)", re.IGNORECASE)
_KEY_LINE = re.compile(r"([A-Za-z][A-Za-z -]{0,30}):\s+(\S.*)")
# Bylines and datelines split into parts at these: "By A. Writer | Mar 2, 2025".
_PARTS = re.compile(r"\s+[|·•—–]\s+|\s*[|·•]\s*")
# Between several authors: "A, B and C", "A et B", "A y B", "A und B", "A e B".
_JOINERS = re.compile(r"\s+(?:and|&|et|y|e|und)\s+")
_ROLE = re.compile(
    r"\b(?:writer|reporter|correspondent|editor|contributor|staff|columnist|journalist|"
    r"analyst|photographer|chief|producer|fellow|author|special|envoyé|correspondant|"
    r"rédaction|redacción|corresponsal|redação|redaktion|korrespondent|redazione|inviato)",
    re.IGNORECASE,
)
# Lowercase words a name may hold: "Ana de la Cruz", "Ursula von der Leyen".
_PARTICLES = frozenset(
    "de da das do dos du la le van von der den ter al el bin ibn di del della y".split()
)
_MAX_NAME_WORDS = 5
_MAX_CAPS_NAME_WORDS = 3
_MAX_DATELINE = 120
# A site name is capitalised words ("Global Research", "The Valley Courier"), so a
# period label such as "Year to December 31, 1986" is not a dateline.
_SITE = re.compile(r"(?:(?:[A-Z0-9][\w.'’&-]*|of|the|and|de|du|la|le|&)(?:\s+|$))*")
_MAX_SITE_WORDS = 8
# How far below an unknown line a header line may be, and how many such lines a
# header may hold, before the unknown line is taken as the start of the body.
_LOOKAHEAD = 2
_MAX_NOISE = 3
# No header runs longer than this: the lines after it are the body whatever they say.
_MAX_HEADER_LINES = 30


@dataclass
class Header:
    """What the header lines said, and where the body starts."""

    values: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    body_start: int = 0

    def set(self, name: str, value: object) -> None:
        if value is not None:
            self.values.setdefault(name, value)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) and value else None

    def instant(self, name: str) -> datetime | None:
        value = self.values.get(name)
        return value if isinstance(value, datetime) else None


def is_news_markdown(text: str) -> bool:
    """Whether `text` opens with a markdown title or news header lines."""
    return bool(_read_header(text.split("\n"), dayfirst=False).values)


def parse_news_markdown(text: str, *, dayfirst: bool) -> Article:
    lines = text.split("\n")
    header = _read_header(lines, dayfirst=dayfirst)
    v = header.values
    meta = Meta(
        title=header.text("title"),
        author=header.text("author"),
        published=header.instant("published"),
        updated=header.instant("updated"),
        regions=name_list(v.get("regions")),
        themes=name_list(v.get("themes")),
        standfirst=header.text("standfirst"),
        url=url_field("url", v.get("url"), header.warnings),
        rights=header.text("rights"),
        source=header.text("source"),
        series=header.text("series"),
        warnings=tuple(header.warnings),
    )
    body_warnings: list[str] = []
    blocks, image = markdown_parts("\n".join(lines[header.body_start :]), body_warnings)
    fmt = "news-markdown" if set(v) - {"title"} else "markdown"
    return assemble(fmt, replace(meta, image=image), blocks, tuple(body_warnings))


def _read_header(lines: list[str], *, dayfirst: bool) -> Header:
    header = Header()
    filled = [n for n, line in enumerate(lines) if line.strip()]
    noise = 0
    for at, n in enumerate(filled):
        if at == _MAX_HEADER_LINES:
            header.body_start = n
            return header
        if _header_line(lines[n].strip(), header, dayfirst=dayfirst):
            continue
        ahead = filled[at + 1 : at + 1 + _LOOKAHEAD]
        if header.values and noise < _MAX_NOISE and any(_is_header(lines[m]) for m in ahead):
            noise += 1
            continue
        header.body_start = n
        return header
    header.body_start = len(lines)
    return header


def _is_header(line: str) -> bool:
    """Whether a line would be read as a header line (a trial: nothing is kept)."""
    return _header_line(line.strip(), Header(), dayfirst=False)


def _header_line(line: str, header: Header, *, dayfirst: bool) -> bool:
    """Record what one header line says; False when it is body text."""
    if len(line) > MAX_INLINE:
        return False
    if heading := _HEADING.fullmatch(line):
        if "title" in header.values:
            return False
        header.set("title", inline_text(heading.group(1)))
        return True
    if byline(line, header, dayfirst=dayfirst):
        return True
    if key_line := _KEY_LINE.fullmatch(line):
        label, value = key_line.group(1).strip(), key_line.group(2)
        name = KEYS.get(normal_key(label))
        if name == "series" and normal_key(label) != "series":
            value = f"{label}: {value}"  # "In-depth Report: X" keeps its label
        if name in ("published", "updated"):
            text = inline_text(value)
            try:
                found = read_date(text, dayfirst=dayfirst)
            except DateError as exc:
                header.warnings.append(dropped(label, text, str(exc)))
                return True
            if found is None:
                header.warnings.append(dropped(label, text, "not a date"))
            header.set(name, found)
            return True
        if name and name != "title":
            header.set(name, value if name in ("regions", "themes") else inline_text(value))
            return True
    return dateline(line, header, dayfirst=dayfirst)


def byline(line: str, header: Header, *, dayfirst: bool) -> bool:
    """ "By A. Writer and B. Other | Staff | Mar 2, 2025 9:15 AM PST": authors and dates."""
    found = _BYLINE.fullmatch(line)
    if not found or line.endswith("."):
        return False
    first, *rest = _PARTS.split(inline_text(found.group(1)))
    names, dates = _split_dates(first, dayfirst=dayfirst)
    people = _people(names)
    if not people:
        return False
    header.set("author", people[0] if len(people) == 1 else _joined(people))
    for part in rest:
        dates.extend(_dates(part, dayfirst=dayfirst))
    _record_dates(dates, header)
    return True


def _people(names: str) -> list[str]:
    """The authors in "A, B and C"; a role or an agency after a comma ("Jane Doe,
    Staff Writer", "Jane Doe, Reuters") is not one. [] when these are not names."""
    first, *others = (part.strip() for part in names.split(","))
    groups = [first] + [p for p in others if len(p.split()) > 1 and not _ROLE.search(p)]
    # A role in the first group is someone's name ("A. Writer"); after it, a role.
    people = [
        person
        for n, group in enumerate(groups)
        for person in _JOINERS.split(group)
        if person and not (n and _ROLE.search(person))
    ]
    return people if people and all(_is_name(person) for person in people) else []


def _is_name(text: str) -> bool:
    words = text.split()
    if text.isupper() and len(words) > _MAX_CAPS_NAME_WORDS:
        return False  # a headline in capitals ("DI GIORGIO TO EVALUATE OFFER"), not a name
    return 0 < len(words) <= _MAX_NAME_WORDS and all(
        word[:1].isupper() or word in _PARTICLES for word in words
    )


def _joined(people: list[str]) -> str:
    return f"{', '.join(people[:-1])} and {people[-1]}"


def dateline(line: str, header: Header, *, dayfirst: bool) -> bool:
    """ "Global Research, January 10, 2025", "Publié le 3 mars 2025 | Mis à jour le 4 mars":
    the site and the dates."""
    text = inline_text(line)
    if not text or len(text) > _MAX_DATELINE:
        return False
    dates: list[tuple[str, datetime | DateError]] = []
    site = None
    for part in _PARTS.split(text):
        head, found = _split_dates(part, dayfirst=dayfirst, site_heads=True)
        head = head.strip(" ,-")
        if not _is_site(head):
            return False  # a part that is neither a date nor a site: not a dateline
        site = site or head or None
        dates.extend(found)
    if not dates:
        return False
    _record_dates(dates, header)
    if site:
        header.set("source", site)
    return True


def _is_site(head: str) -> bool:
    """Whether what comes before a dateline's date may be a site's name (or is nothing)."""
    return not head or (_SITE.fullmatch(head) is not None and len(head.split()) <= _MAX_SITE_WORDS)


def _split_dates(
    text: str, *, dayfirst: bool, site_heads: bool = False
) -> tuple[str, list[tuple[str, datetime | DateError]]]:
    """(what comes before, the date) of "Site, January 10, 2025": the date is the
    longest tail after a comma that reads as one.

    `site_heads`: the caller wants a date only after a site's name (a dateline), so
    the other languages, which cost milliseconds a try, are tried only there. Only
    the first two cuts can have such a head (a later one holds the first comma), and
    a date found at any other cut, or none, is the same refusal to that caller.
    """
    cuts = [0, *(m.end() for m in re.finditer(r",\s*", text))]
    # English and numeric readings first: the other languages cost more to try.
    for foreign in (False, True):
        for n, cut in enumerate(cuts):
            if foreign and site_heads and n and (n > 1 or not _is_site(_head(text, cut))):
                break
            found = _dates(text[cut:], dayfirst=dayfirst, foreign=foreign)
            if found:
                return text[:cut].rstrip(", "), found
    return text, []


def _head(text: str, cut: int) -> str:
    return text[:cut].rstrip(", ").strip(" ,-")


def _dates(
    text: str, *, dayfirst: bool, foreign: bool = True
) -> list[tuple[str, datetime | DateError]]:
    """[("published" or "updated", the instant or why it is impossible)], or [] for no date."""
    kind, rest = split_label(text.strip())
    try:
        found = read_date(rest, dayfirst=dayfirst, foreign=foreign)
    except DateError as exc:
        return [(kind or "published", DateError(f"{text.strip()!r}: {exc}"))]
    return [(kind or "published", found)] if found else []


def _record_dates(dates: list[tuple[str, datetime | DateError]], header: Header) -> None:
    for kind, found in dates:
        if isinstance(found, DateError):
            header.warnings.append(f"{kind} date dropped: {found}")
        else:
            header.set(kind, found)
