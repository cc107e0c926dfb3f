"""Markdown bodies: rendered with markdown-it (CommonMark), then cut into blocks.

Bodies are rendered by markdown-it-pyrs, the Rust port of markdown-it, about ten
times faster than markdown-it-py and byte-identical to it on everything but a few
corners (found by generating markdown, tests/test_markdown_compiled.py): a source
in one of those goes to markdown-it-py, so the HTML is always what markdown-it-py
writes.

markdown-it-py spends up to 20 µs on each bracket, bang or emphasis mark it
must try as the start of a link or emphasis, so a hostile megabyte of `[](`
would take many seconds. Past a budget of such marks, the densest paragraphs
are kept as plain text instead of being parsed: no real article comes near it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from html import escape, unescape
from typing import TYPE_CHECKING

import markdown_it_pyrs

from digest.formats.blocks import Block, fragment_blocks, parse_fragment, plain_text
from digest.text import squash

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Stateless once configured: one parser of each serves every document.
_COMPILED = markdown_it_pyrs.MarkdownIt("commonmark")
# Where the two differ, markdown-it-py renders (see _compiled_differs). The
# characters Python's str.isspace() accepts, less " \t\n": written out, because
# finding them among all code points took 0.2 s of every process that parses
# (a test holds the two to the same set).
_ODD_SPACES = (
    "\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ODD_SPACE = re.compile(f"[{re.escape(_ODD_SPACES)}]")
_HTML = re.compile(r"<[A-Za-z/?!]")
_IMAGE_ALT = re.compile(r"!\[[^\]]*[&\\\[\n]")
# Patterns on whole lines are searched for after a newline put in front of the
# source: a literal first character is what makes a search fast.
_EMPTY_ITEM = re.compile(r"\n {0,3}(?:[*+-]|\d{1,9}[.)])[ \t]*(?:\n|$)")
_QUOTE = re.compile(r"\n {0,3}>")
_LIST_AFTER_TEXT = re.compile(r"\n[ \t]*\S[^\n]*\n {0,3}(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
_STARS = re.compile(r"\*+")
# A line opening containers (quotes, list items) many levels deep: markdown-it-py stops
# nesting at 20 levels and markdown-it-pyrs does not (its stack overflows, killing the
# process, some thousands deep). Each level takes at least one character of the line's
# prefix, so a prefix shorter than this stays below 20 levels; a tab, which stands for
# up to four columns, sends the source to markdown-it-py wherever it is in a prefix.
_DEEP = re.compile(r"\n[ >*+\-\d.)]*(?:\t|[ >*+\-\d.)]{16})")
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
# What markdown-it reads as inline markup (or normalises) in a line, and what lxml
# may not hand back as it was: a line with none of these is its own plain text. An
# ampersand starts a character reference only before a letter, a digit or "#".
_INLINE_MARKUP = re.compile(
    r"[\\`*_\[\]!<\n\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd-\uffff]"
    r"|&[#A-Za-z0-9]"
)
# A line of metadata is short: a longer one is body text, never parsed as a header.
MAX_INLINE = 500


def markdown_parts(source: str, warnings: list[str]) -> tuple[list[Block], str | None]:
    """The blocks of a markdown body and the address of its first image, if any;
    links dropped for a malformed address are noted in `warnings`."""
    source, literal = _defuse(_SLOT_CHARS.sub("", source))
    html = render_html(source)
    if literal:
        html = _SLOT.sub(lambda m: escape(literal[int(m.group(1))]), html)
    image = _IMAGE.search(html)
    return fragment_blocks(html, warnings=warnings), unescape(image.group(1)) if image else None


def render_html(source: str) -> str:
    """The HTML of a CommonMark `source`, byte for byte as markdown-it-py writes it."""
    if not _compiled_differs(source):
        try:
            html = _COMPILED.render(source)
        except BaseException as exc:
            # A Rust panic arrives as pyo3's PanicException, a BaseException.
            if type(exc).__name__ != "PanicException":
                raise
        else:
            # The one difference that a replacement mends: raw HTML never gets here.
            return html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    pure: str = _markdown().render(source)
    return pure


@cache
def _markdown() -> MarkdownIt:
    """markdown-it-py, made on first use: most sources never need it, and importing
    and configuring it costs a one-file build about 0.05 s."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _compiled_differs(source: str) -> bool:
    """Whether `source` holds a construct on which markdown-it-pyrs and markdown-it-py
    differ (found by generating markdown: tests/test_markdown_compiled.py)."""
    lines = "\n" + source
    return (
        _DEEP.search(lines) is not None
        # Code spans: markdown-it-pyrs 0.4 panics on some unclosed backtick runs.
        or "`" in source
        # Unicode spaces, which markdown-it-py trims at line ends like ASCII ones.
        or _ODD_SPACE.search(source) is not None
        # Raw HTML and autolinks: block ends, declarations, percent-escapes.
        or ("<" in source and _HTML.search(source) is not None)
        # An image description holding a character reference, an escape, a bracket or
        # a line break: markdown-it-py leaves references and escapes out of `alt`.
        or ("![" in source and _IMAGE_ALT.search(source) is not None)
        # A fence left open at the end: markdown-it-pyrs ends its code with a newline.
        or ("~~~" in source and not source.endswith("\n"))
        # An empty list item, which markdown-it-py lets interrupt a paragraph.
        or _EMPTY_ITEM.search(lines) is not None
        # A quote's lazy continuation line that opens a list item.
        or (
            ">" in source
            and _QUOTE.search(lines) is not None
            and _LIST_AFTER_TEXT.search(lines) is not None
        )
        or ("*" in source and _ambiguous_asterisks(source))
    )


def _ambiguous_asterisks(source: str) -> bool:
    """Whether a run of asterisks stands between two letters or two punctuation marks,
    so that it may both open and close emphasis (the two renderers pair such runs
    differently), or next to a symbol, which the two may class differently."""
    for run in _STARS.finditer(source):
        before = _side(source[run.start() - 1 : run.start()])
        after = _side(source[run.end() : run.end() + 1])
        if before and after and (before == after or _SYMBOL in (before, after)):
            return True
    return False


_SPACE, _ALNUM, _PUNCT, _SYMBOL = range(4)


def _side(char: str) -> int:
    """What stands beside a run of asterisks, as CommonMark's flanking rules see it."""
    if char in ("", " ", "\t", "\n"):
        return _SPACE  # the edge of the text, or (other spaces never get here) a space
    if char.isascii():
        return _ALNUM if char.isalnum() else _PUNCT
    category = unicodedata.category(char)
    return _PUNCT if category[0] == "P" else _SYMBOL if category[0] == "S" else _ALNUM


def inline_text(source: str) -> str:
    """Plain text of one line of markdown: `[Ana Lopes](#)` becomes `Ana Lopes`."""
    if len(source) > MAX_INLINE:
        return ""
    return _inline_text(source)


@lru_cache(maxsize=8192)
def _inline_text(source: str) -> str:
    # Cached: a header line is read as several kinds of line, and looked at ahead.
    if _INLINE_MARKUP.search(source) is None:
        return squash(source)
    root = parse_fragment(_markdown().renderInline(source), "span")
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
