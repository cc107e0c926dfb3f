"""Plain text with no markup: paragraphs from blank lines, or from runs of sentence lines.

Some tools write one sentence per line with no blank lines at all; those lines
are grouped a few at a time so the article reads as paragraphs, not a list.
A short first line standing alone, without a full stop, is the title; under
it, lines standing alone may be a byline and a dateline, read as news headers are
("By Ana Lopes | March 3, 2025", "Publié le 3 mars 2025").
"""

from __future__ import annotations

import re
from html import escape

from digest.boilerplate import is_boilerplate
from digest.formats.article import assemble
from digest.formats.blocks import Block, is_break
from digest.formats.fields import Meta
from digest.formats.newsmd import Header, byline, dateline
from digest.model import Article
from digest.text import squash

_SENTENCE_END = re.compile(r"[.!?…:][\"”’'»)\]]*$")
# Header lines (a byline, a dateline) read under a title.
_MAX_HEADER_LINES = 3
# Sentence lines per paragraph, and the share of lines that must end a sentence
# for a block to count as one sentence a line rather than hard-wrapped prose.
_LINES_PER_PARAGRAPH = 3
_SENTENCE_LINES = 0.8
_MAX_TITLE = 150


def parse_plain(text: str, *, dayfirst: bool = False) -> Article:
    chunks = [
        [line.strip() for line in chunk.split("\n") if line.strip()]
        for chunk in re.split(r"\n\s*\n", text)
    ]
    chunks = [chunk for chunk in chunks if chunk]
    title = None
    header = Header()
    if len(chunks) > 1 and _title_line(chunks[0]):
        title = squash(chunks.pop(0)[0])
        for _ in range(_MAX_HEADER_LINES):
            if len(chunks) < 2 or len(chunks[0]) > 1:
                break
            line = chunks[0][0]
            if not (
                byline(line, header, dayfirst=dayfirst) or dateline(line, header, dayfirst=dayfirst)
            ):
                break
            chunks.pop(0)
    meta = Meta(
        title=title,
        author=header.text("author"),
        published=header.instant("published"),
        updated=header.instant("updated"),
        source=header.text("source"),
        warnings=tuple(header.warnings),
    )
    blocks = [block for chunk in chunks for block in _blocks(chunk)]
    return assemble("plain", meta, blocks)


def _title_line(chunk: list[str]) -> bool:
    return len(chunk) == 1 and len(chunk[0]) <= _MAX_TITLE and not _SENTENCE_END.search(chunk[0])


def _blocks(lines: list[str]) -> list[Block]:
    ends = sum(1 for line in lines if _SENTENCE_END.search(line))
    if len(lines) == 1 or ends < _SENTENCE_LINES * len(lines):
        return [_block(" ".join(lines))]
    blocks: list[Block] = []
    group: list[str] = []
    for line in lines:
        if is_boilerplate(line) or is_break(line):
            # Alone, so dropping it takes no article sentence with it.
            blocks.extend([_block(" ".join(group))] if group else [])
            blocks.append(_block(line))
            group = []
            continue
        group.append(line)
        if len(group) == _LINES_PER_PARAGRAPH:
            blocks.append(_block(" ".join(group)))
            group = []
    if group:
        blocks.append(_block(" ".join(group)))
    return blocks


def _block(text: str) -> Block:
    text = squash(text)
    return Block("break", "") if is_break(text) else Block("p", text, escape(text, quote=False))
