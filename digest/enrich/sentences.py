"""Split news text into sentences.

One compiled regex finds every place a sentence could end (terminal punctuation,
optional closing quotes, then space); a few cheap checks on the word before and
the word after decide. That keeps the splitter at several thousand articles a
second, where a rule engine such as pysbd manages a few dozen.

A sentence never ends inside a quotation that closes later in the same block: a
quoted passage of several sentences stays one sentence, so a summary never holds
half of it.

Line breaks matter too: a blank line always ends a sentence, and so does a
single newline before a capitalised line (one-sentence-per-line layouts),
unless the paragraph is hard-wrapped prose, where a newline is only a space.
"""

from __future__ import annotations

import re
from bisect import bisect_left

# A possible end: terminal marks, closing quotes or brackets, then whitespace.
_END = re.compile(r"(?:[.!?]+|…)[\"”’'»)\]]*\s+")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
# What a new sentence may open with, before its first letter.
_OPENERS = "\"“‘'«([*•-–—"

_QUOTE_MARK = re.compile('["“”«»]')
_HAS_QUOTE = _QUOTE_MARK
_BEFORE_OPENING = "([{—–-/"
# A quotation running on longer than this is a quote left open by mistake.
_LONGEST_QUOTE = 600

# Periods after these never end a sentence: a name or number always follows.
_TITLES = frozenset(
    """
    mr mrs ms messrs dr prof gov sen rep reps gen col lt maj capt cmdr sgt cpl adm
    st rev fr hon pres supt insp det amb atty
    jan feb mar apr jun jul aug sep sept oct nov dec
    no nos vol fig figs art ch sec para pp
    vs v approx est ca cf al
    """.split()
)

# Periods after these end a sentence only when a typical sentence opener follows
# ("at Acme Inc. The company ..." but "Acme Inc. chief", "U.S. President").
_AMBIGUOUS = frozenset(
    """
    inc corp co ltd llc plc bros jr sr esq etc ave blvd rd mt ft
    a.m p.m e.g i.e u.s u.k u.n e.u u.s.a d.c ph.d
    """.split()
)

# Capitalised words that usually open a sentence and rarely follow an abbreviation.
_STARTERS = frozenset(
    """
    a an the this that these those there here it its he she they we i you his her
    their our my your but and or so yet if when while as after before since
    although though because in on at for from with by of to during under over
    what who why how where which one some many most all both each no not
    however meanwhile still also then now later earlier today yesterday last next
    according officials police authorities
    """.split()
)

_SINGLE_LETTER = re.compile(r"[A-Za-z]")
_DOTTED = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}")
_WORD = re.compile(r"[\w'’-]+")
_LIST_MARKER = re.compile(r"(?:\d{1,3}|[A-Za-z]|[ivxIVX]{1,4})")


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, in order."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sentences: list[str] = []
    for paragraph in _PARAGRAPHS.split(text):
        for block in _blocks(paragraph):
            sentences.extend(_split_block(block))
    return sentences


def _blocks(paragraph: str) -> list[str]:
    """Runs of lines that can share a sentence: lines join unless the next is capitalised."""
    lines = [line.strip() for line in paragraph.split("\n")]
    lines = [line for line in lines if line]
    if len(lines) < 2 or _hard_wrapped(lines):
        return [" ".join(lines)] if lines else []
    blocks = [lines[0]]
    for line in lines[1:]:
        if _opens_sentence(line):
            blocks.append(line)
        else:
            blocks[-1] = f"{blocks[-1]} {line}"
    return blocks


def _hard_wrapped(lines: list[str]) -> bool:
    # Wrapped prose has every line but the last filled to nearly the same width;
    # one-sentence-per-line text has ragged lines.
    body = [len(line) for line in lines[:-1]]
    return len(lines) >= 3 and min(body) >= 40 and max(body) - min(body) <= 16


def _opens_sentence(line: str) -> bool:
    first = line.lstrip(_OPENERS)[:1]
    return first.isupper() or first.isdigit() or first != line[:1]


def _split_block(block: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    marks = _quote_marks(block) if _HAS_QUOTE.search(block) else None
    for match in _END.finditer(block):
        end = match.end()
        if end >= len(block):
            break
        if _ends_here(block, start, match.start(), match.group(), end) and not (
            marks and _inside_quote(marks, start, end)
        ):
            sentence = block[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = end
    tail = block[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _quote_marks(block: str) -> tuple[list[int], list[bool]]:
    """Positions of the double quotation marks in `block`, and whether each opens a quote.

    A straight mark opens when it stands before a word and after a space or a
    bracket, and closes otherwise; curly marks say which they are.
    """
    positions: list[int] = []
    opens: list[bool] = []
    for match in _QUOTE_MARK.finditer(block):
        k = match.start()
        mark = match.group()
        if mark == '"':
            before = block[k - 1] if k else " "
            after = block[k + 1 : k + 2] or " "
            opening = (before.isspace() or before in _BEFORE_OPENING) and not after.isspace()
        else:
            opening = mark in "“«"
        positions.append(k)
        opens.append(opening)
    return positions, opens


def _inside_quote(marks: tuple[list[int], list[bool]], start: int, end: int) -> bool:
    """Whether `end` falls inside a quotation opened since `start` that closes soon after.

    News often leaves a quotation open at a paragraph's end and reopens it in the
    next one; such a quote, and one that never closes, is split as usual.
    """
    positions, opens = marks
    k = bisect_left(positions, end) - 1
    if k < 0 or positions[k] < start or not opens[k] or k + 1 == len(positions):
        return False
    return not opens[k + 1] and positions[k + 1] - end <= _LONGEST_QUOTE


def _ends_here(block: str, start: int, mark: int, ending: str, after: int) -> bool:
    rest = block[after : after + 40]
    next_text = rest.lstrip(_OPENERS)
    first = next_text[:1]
    if not first or first.islower():
        return False
    capital = first.isupper() or first.isdigit() or first != rest[:1]
    if ending.startswith(("…", "..")):
        # An ellipsis often marks words left out of a quote, mid-sentence.
        return first.isupper()
    if ending[0] != ".":
        return capital
    space = block.rfind(" ", start, mark)
    word_start = start if space < 0 else space + 1
    word = block[word_start:mark].lstrip(_OPENERS)
    if not word:
        return capital
    lowered = word.lower()
    if lowered in _TITLES:
        return False
    if lowered in _AMBIGUOUS or _SINGLE_LETTER.fullmatch(word) or _DOTTED.fullmatch(word):
        next_word = _WORD.match(next_text)
        return next_word is not None and next_word.group().lower() in _STARTERS
    if word_start == start and _LIST_MARKER.fullmatch(word):
        # "1. Preheat the oven" or "A. Introduction": a list label, not a sentence.
        return False
    return capital
