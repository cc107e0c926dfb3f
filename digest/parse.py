"""Read one decoded document into an Article, whatever its format.

The format is detected from the content, because publishers name files
carelessly (a news-site markdown export saved as .txt, an HTML page saved as
.md). The extension only breaks ties: an .html file starting with "<" is HTML,
an .md file with no other sign is markdown. In order:

1. HTML pages (a doctype, <html>, <head> or <body> at the top);
2. YAML (`---`) or TOML (`+++`) front matter over a markdown body;
3. `Key: value` header lines (Pelican) naming a title or date, over markdown;
4. markdown opening with a `# Title` or news header lines (By, Region, Theme...);
5. plain text.

Plain text usually has no title; `title` is then None and enrichment makes one
(digest.enrich.headline).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from digest.errors import DocumentError
from digest.formats import FormatError
from digest.formats.frontmatter import front_matter_article, read_front_matter
from digest.formats.headers import headers_article, read_headers
from digest.formats.html import is_html, parse_html
from digest.formats.newsmd import is_news_markdown, parse_news_markdown
from digest.formats.plain import parse_plain
from digest.model import Article
from digest.text import strip_control

_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})
NO_BODY = "no body text"
# Lines of a text document that are read. Markdown costs up to 0.1 ms a line, so
# this bounds a hostile file to half a second; real articles stay far below it.
MAX_LINES = 5_000


def parse(text: str, path: str, *, dayfirst: bool = False) -> Article:
    """The Article in `text`; raise DocumentError when nothing publishable remains."""
    suffix = PurePosixPath(path).suffix.lower()
    # Page breaks end lines; other controls are noise no parser may choke on.
    text = strip_control(text.replace("\f", "\n").replace("\v", "\n"))
    try:
        article = _dispatch(text, suffix, dayfirst=dayfirst)
    except FormatError as exc:
        raise DocumentError(path, str(exc)) from None
    if not article.paragraphs:
        raise DocumentError(path, NO_BODY)
    return article


def _dispatch(text: str, suffix: str, *, dayfirst: bool) -> Article:
    if is_html(text, suffix):
        return parse_html(text, dayfirst=dayfirst)
    lines = text.split("\n", MAX_LINES)
    if len(lines) <= MAX_LINES:
        return _text_article(text, suffix, dayfirst=dayfirst)
    article = _text_article("\n".join(lines[:MAX_LINES]), suffix, dayfirst=dayfirst)
    note = f"text after line {MAX_LINES:,} dropped: too many lines for an article"
    return replace(article, warnings=(*article.warnings, note))


def _text_article(text: str, suffix: str, *, dayfirst: bool) -> Article:
    if (front := read_front_matter(text)) is not None:
        return front_matter_article(front, dayfirst=dayfirst)
    if (headers := read_headers(text)) is not None:
        return headers_article(headers, dayfirst=dayfirst)
    if suffix in _MARKDOWN_SUFFIXES or is_news_markdown(text):
        return parse_news_markdown(text, dayfirst=dayfirst)
    return parse_plain(text, dayfirst=dayfirst)
