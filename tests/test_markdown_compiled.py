"""The compiled markdown renderer writes exactly what markdown-it-py writes.

Bodies are rendered by markdown-it-pyrs where it agrees with markdown-it-py and by
markdown-it-py elsewhere (digest/formats/markdown.py). Generated markdown, from
article-shaped documents to soups of the marks that make the two differ, must
come out byte-identical to the pure-Python renderer, and so must the blocks cut
from it. HYPOTHESIS_EXAMPLES=5000 hunts for a new difference.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from digest.formats.blocks import fragment_blocks, parse_fragment, plain_text
from digest.formats.markdown import inline_text, render_html

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "150"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PURE = MarkdownIt("commonmark")

WORDS = st.sampled_from(
    [
        "the", "minister", "said", "Lisbon", "2025", "3.5%", "AT&T", "&amp;", "&copy;",
        "&bogus;", '"quoted"', "it's", "co-operation", "é", "Zürich", "𝔸", "\ue000", "(aside)",
        "x_y", "a*b", "1.", "10)", "#5", "--", "...", "\\*", "\\[", "!", ":", "%20", "www.x.y",
        "a@b.c", "http://e.com/a_b", "~~", "=",
    ]
)  # fmt: skip
TEXT = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)


@st.composite
def inline(draw: st.DrawFn) -> str:
    """A line of prose with links, images and emphasis, as articles write them."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        text = draw(TEXT)
        address = draw(st.sampled_from(["a", "a b", "a(b)", "%", ""]))
        shape = draw(st.integers(0, 7))
        parts.append(
            [
                text,
                f"*{text}*",
                f"**{text}**",
                f"_{text}_",
                f"[{text}](http://example.com/{address})",
                f'![{text}](img.png "{text}")',
                f"[{text}][ref]",
                f"{text}  \n{text}",
            ][shape]
        )
    return " ".join(parts)


@st.composite
def block(draw: st.DrawFn) -> str:
    line = draw(inline())
    prefix = draw(
        st.sampled_from(
            ["", "", "", "# ", "## ", "#### ", "- ", "* ", "1. ", "2) ", "> ", ">", "    ", "   "]
        )
    )
    if draw(st.booleans()):
        line = f"{line}\n{draw(st.sampled_from(['', '  ', '> ', '- ', '1. ']))}{draw(inline())}"
    return prefix + line


@st.composite
def article(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(block(), min_size=1, max_size=8))
    if draw(st.booleans()):
        blocks.append("[ref]: http://example.com/ref 'Title'")
    extra = st.sampled_from(["---", "***", "* * *", "```\ncode\n```", "~~~\ncode", "Title\n==="])
    blocks.extend(draw(st.lists(extra, max_size=2)))
    joiner = draw(st.sampled_from(["\n\n", "\n", "\n\n\n"]))
    tail = draw(st.sampled_from(["\n", "", "\n\n"]))
    return joiner.join(draw(st.permutations(blocks))) + tail


# The marks on which the two renderers differed, to check each is sent to markdown-it-py.
MARKS = [
    "`", "``", "```", "~~~", "\xa0", "\u2003", "\t", "<", "<div>", "</div>", "<!DOCTYPE", "<?php",
    "<pre>", "<a@b.c>", "<http://x.y/%20>", "> ", ">", "- ", "* ", "1. ", "2) ", "\n", "\n\n",
    "  \n", "\\\n", "[", "]", "(", ")", "![", "*", "_", "**", "&#35;", "&#x0;", "&amp;", "a", " ",
    "[x]: /u 't'", "[x][]", "é", "%",
]  # fmt: skip
soup = st.lists(st.sampled_from(MARKS), max_size=40).map("".join)


@PROPERTY
@given(article())
def test_article_markdown_renders_byte_identical_to_markdown_it_py(source: str) -> None:
    html = render_html(source)
    assert html == PURE.render(source)
    assert fragment_blocks(html, warnings=[]) == fragment_blocks(PURE.render(source), warnings=[])


@PROPERTY
@given(soup)
def test_marks_where_the_renderers_differ_render_as_markdown_it_py_does(source: str) -> None:
    assert render_html(source) == PURE.render(source)


def test_an_empty_quote_renders_as_markdown_it_py_writes_it() -> None:
    assert render_html("> \n\ntext\n") == PURE.render("> \n\ntext\n")


LINE_PIECES = st.sampled_from(
    ["a", " ", "\xa0", "\u2003", "\t", "&", "&amp;", "&#", "&#x41;", "&ampx", "&AMP;", "é", ">",
     '"', "'", "\u200b", "\ufeff", "#", ":", "\u2028", "*", "[", "](#)", "\\", "`", "<b>", "\n",
     "\x85"]
)  # fmt: skip
line = st.one_of(st.text(max_size=60), st.lists(LINE_PIECES, max_size=30).map("".join))


@PROPERTY
@given(line)
def test_a_line_reads_as_markdown_it_and_lxml_read_it(source: str) -> None:
    root = parse_fragment(PURE.renderInline(source), "span")
    assert inline_text(source) == ("" if root is None else plain_text(root))


@pytest.mark.parametrize("depth", [15, 19, 20, 21, 40, 100_000])
@pytest.mark.parametrize("opener", ["> ", ">", "- ", "1. ", "> - ", "-\t"])
def test_containers_nested_deep_render_as_markdown_it_py_writes_them(
    opener: str, depth: int
) -> None:
    # markdown-it-pyrs would nest past markdown-it-py's 20 levels, and crash far past them.
    source = opener * depth + "x\n"
    assert render_html(source) == PURE.render(source)


@pytest.mark.parametrize("indent", ["  ", "\t", " \t"])
def test_lists_indented_deep_render_as_markdown_it_py_writes_them(indent: str) -> None:
    source = "".join(indent * level + "- x\n" for level in range(40))
    assert render_html(source) == PURE.render(source)
