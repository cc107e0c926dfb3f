"""Markdown bodies: rendered with markdown-it (CommonMark), then cut into blocks."""

from __future__ import annotations

import re
from html import unescape

import lxml.html
from lxml.etree import ParserError
from markdown_it import MarkdownIt

from digest.formats.blocks import Block, fragment_blocks, plain_text

# Stateless once configured: one parser serves every document.
_MARKDOWN = MarkdownIt("commonmark")
_IMAGE = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"')


def markdown_blocks(source: str) -> list[Block]:
    """The blocks of a markdown body."""
    return fragment_blocks(_MARKDOWN.render(source))


def markdown_parts(source: str) -> tuple[list[Block], str | None]:
    """The blocks of a markdown body and the address of its first image, if any."""
    html = _MARKDOWN.render(source)
    image = _IMAGE.search(html)
    return fragment_blocks(html), unescape(image.group(1)) if image else None


def inline_text(source: str) -> str:
    """Plain text of one line of markdown: `[Ana Lopes](#)` becomes `Ana Lopes`."""
    html = _MARKDOWN.renderInline(source)
    if not html.strip():
        return ""
    try:
        return plain_text(lxml.html.fragment_fromstring(html, create_parent="span"))
    except ParserError:
        return ""
