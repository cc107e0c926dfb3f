"""Markdown bodies: rendered with markdown-it (CommonMark), then cut into blocks.

markdown-it-py spends up to 20 µs on each bracket, bang or emphasis mark it
must try as the start of a link or emphasis, so a hostile megabyte of `[](`
would take many seconds. Past a budget of such marks, the densest paragraphs
are kept as plain text instead of being parsed: no real article comes near it.
"""

from __future__ import annotations

import re
from html import escape, unescape

from markdown_it import MarkdownIt

from digest.formats.blocks import Block, fragment_blocks, parse_fragment, plain_text

# Stateless once configured: one parser serves every document.
_MARKDOWN = MarkdownIt("commonmark")
_IMAGE = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"')
# The marks that make markdown-it try a link, an image, emphasis, HTML, code, an
# escape or a character reference.
_MARKS = re.compile(r"[\[\]!*_<`\\&]")
# Marks per document parsed as markdown: about half a second at the worst cost per mark.
MARK_BUDGET = 25_000
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
# Stand-ins for paragraphs kept as text: private-use characters no publisher writes.
_SLOT = re.compile("\ue000(\\d+)\ue001")
_SLOT_CHARS = re.compile("[\ue000\ue001]")
# A line of metadata is short: a longer one is body text, never parsed as a header.
MAX_INLINE = 500


def markdown_parts(source: str, warnings: list[str]) -> tuple[list[Block], str | None]:
    """The blocks of a markdown body and the address of its first image, if any;
    links dropped for a malformed address are noted in `warnings`."""
    source, literal = _defuse(_SLOT_CHARS.sub("", source))
    html = _MARKDOWN.render(source)
    if literal:
        html = _SLOT.sub(lambda m: escape(literal[int(m.group(1))]), html)
    image = _IMAGE.search(html)
    return fragment_blocks(html, warnings=warnings), unescape(image.group(1)) if image else None


def inline_text(source: str) -> str:
    """Plain text of one line of markdown: `[Ana Lopes](#)` becomes `Ana Lopes`."""
    if len(source) > MAX_INLINE:
        return ""
    root = parse_fragment(_MARKDOWN.renderInline(source), "span")
    return "" if root is None else plain_text(root)


def _defuse(source: str) -> tuple[str, list[str]]:
    """`source` with its densest paragraphs swapped for stand-ins until the marks
    left fit the budget, and the text of each stand-in."""
    if len(_MARKS.findall(source)) <= MARK_BUDGET:
        return source, []
    paragraphs = _PARAGRAPHS.split(source)
    marks = [len(_MARKS.findall(p)) for p in paragraphs]
    total = sum(marks)
    literal: list[str] = []
    for n in sorted(range(len(paragraphs)), key=lambda n: -marks[n] / (len(paragraphs[n]) + 1)):
        if total <= MARK_BUDGET:
            break
        total -= marks[n]
        literal.append(" ".join(paragraphs[n].split()))
        paragraphs[n] = f"\ue000{len(literal) - 1}\ue001"
    return "\n\n".join(paragraphs), literal
