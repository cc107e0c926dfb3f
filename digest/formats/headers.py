"""Markdown under `Key: value` header lines, as Pelican and MultiMarkdown write it.

    Title: Grid operators agree winter plan
    Date: 2025-01-07 09:30
    Region: Europe

    Body text...

The news-site layout also has `Region:` lines, but under a `# Title` and with
blank lines between them; here the header is one block at the very top, and it
names a title or a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from digest.formats.article import assemble
from digest.formats.fields import KEYS, meta_from_mapping, normal_key
from digest.formats.markdown import markdown_parts
from digest.model import Article

_HEADER = re.compile(r"([A-Za-z][\w -]{0,30}):(?:\s+(.*))?")
# Pelican keys with no Article field: known, so they count as header lines, then ignored.
_OTHER_KEYS = frozenset(
    (
        "tags", "keywords", "slug", "lang", "status", "template",
        "save_as", "translation",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Headers:
    values: dict[str, str]
    body: str


def read_headers(text: str) -> Headers | None:
    """The header lines and body, or None when the text does not open with a header block."""
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    values: dict[str, str] = {}
    last: str | None = None
    end = len(lines)
    for n in range(start, len(lines)):
        line = lines[n]
        if not line.strip():
            end = n
            break
        if last and line[:1].isspace():
            values[last] = f"{values[last]} {line.strip()}"  # a folded continuation line
            continue
        match = _HEADER.fullmatch(line.rstrip())
        key = normal_key(match.group(1)) if match else ""
        if not match or (key not in KEYS and key not in _OTHER_KEYS):
            return None
        last = match.group(1)
        values.setdefault(last, (match.group(2) or "").strip())
    if not {KEYS.get(normal_key(k)) for k in values} & {"title", "published"}:
        return None
    return Headers(values, "\n".join(lines[end + 1 :]))


def headers_article(found: Headers, *, dayfirst: bool) -> Article:
    meta = meta_from_mapping(found.values, dayfirst=dayfirst)
    warnings: list[str] = []
    blocks, image = markdown_parts(found.body, warnings)
    return assemble("headers", replace(meta, image=meta.image or image), blocks, tuple(warnings))
