"""Markdown bodies: rendered with markdown-it (CommonMark), then cut into blocks."""

from __future__ import annotations

import lxml.html
from lxml.etree import ParserError
from markdown_it import MarkdownIt

from digest.formats.blocks import Block, fragment_blocks, plain_text

# Stateless once configured: one parser serves every document.
_MARKDOWN = MarkdownIt("commonmark")


def markdown_blocks(source: str) -> list[Block]:
    """The blocks of a markdown body."""
    return fragment_blocks(_MARKDOWN.render(source))


def inline_text(source: str) -> str:
    """Plain text of one line of markdown: `[Ana Lopes](#)` becomes `Ana Lopes`."""
    html = _MARKDOWN.renderInline(source)
    if not html.strip():
        return ""
    try:
        return plain_text(lxml.html.fragment_fromstring(html, create_parent="span"))
    except ParserError:
        return ""
