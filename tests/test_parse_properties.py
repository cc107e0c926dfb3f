"""Hostile and random text in, an Article or a DocumentError out: never anything else.

Documents are built from the pieces that broke parsers before (fences, bylines,
impossible dates, malformed URLs, deep nesting, long repetitions, control
characters) mixed with random text. Time is not asserted here (the machine is
shared); bench/parse_speed.py prints how long the worst patterns take.
"""

from __future__ import annotations

import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.decode import decode
from digest.errors import DocumentError
from digest.formats import frontmatter
from digest.model import Article
from digest.parse import parse

# Derandomised so the suite is the same on every run; HYPOTHESIS_EXAMPLES=2000 to hunt.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PIECES = [
    "---\n", "+++\n", "...\n", "# ", "## ", "By ", "Par ", "Von ", "Di ", "Por ", "[", "]", "(",
    ")", "](", "![", "[](", "](#)", "*", "**", "_", "<", ">", "`", "```\n", "~~~\n", "\\", "&amp;",
    "&#", "|", " · ", " — ", " | ", ", ", "Date: ", "Region: ", "Theme: ", "Title: ",
    "Category: ", "Updated: ", "url: ", "date: ", "2025-13-01", "2025-01-01 25:00", "+24:00",
    "T10:00:00+2400", "http://[::1", "http://x:port/", "<a href='http://[::1'>x</a>",
    "<link rel=canonical href='http://[::1'>", "<html>", "<body>", "<div>", "</div>", "<p>",
    "<article>", "<script>", "<!--", "-->", "[[", "]]", "{", "}", ": ", "- ", "> ", "1. ",
    "\n", "\n\n", "\t", "\x00", "\x0b", "\x85", "\x93", "\ufeff", "\u202e", "\ue000", "\ue010",
    "\ufffd", "Publié le 3 mars 2025", "June 3rd, 2024", "Tue, 11 Mar 2025",
    "Mar 2, 2025 9:15 AM PST", "07.05.2024", "04/11/2024", "13/13/2024", "2031-01-01",
    "9999-12-31T23:59:59-23:59", "0001-01-01", "Global Research, ", "Staff Writer",
    "A. Writer", "[taxonomies]\n", "[params]\n", "regions = [", '"Europe"', "x = 1\n",
]  # fmt: skip
NAMES = st.sampled_from(["doc.md", "doc.txt", "doc.html", "doc.markdown", "noext"])
piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=12))
mixed = st.lists(piece, max_size=80).map("".join)
repeated = st.tuples(st.lists(piece, min_size=1, max_size=4), st.integers(1, 3000)).map(
    lambda t: "".join(t[0]) * t[1]
)
# Nested lists and mappings as YAML or TOML-ish front matter over a body.
nested = st.recursive(
    st.one_of(st.sampled_from(PIECES), st.integers(), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=30,
)
KEYS = ["title", "author", "date", "updated", "url", "regions", "themes", "image", "summary"]
front = st.dictionaries(st.sampled_from([*KEYS, "taxonomies", "params"]), nested, max_size=6)


def assert_article_or_rejected(text: str, name: str) -> None:
    try:
        article = parse(text, name)
    except DocumentError as exc:
        assert exc.path == name and exc.reason
    else:
        assert isinstance(article, Article) and article.paragraphs
        assert all(isinstance(w, str) and "\n" not in w for w in article.warnings)


@PROPERTY
@given(mixed, NAMES)
def test_any_mix_of_hostile_pieces_is_read_or_rejected(text: str, name: str) -> None:
    assert_article_or_rejected(text, name)


@PROPERTY
@given(repeated, NAMES)
def test_long_repetitions_are_read_or_rejected(text: str, name: str) -> None:
    assert_article_or_rejected(text, name)


@PROPERTY
@given(front, mixed, st.booleans())
def test_any_front_matter_is_read_or_rejected(
    values: dict[str, object], body: str, deep: bool
) -> None:
    if deep:
        values = {"title": "T", "x": [[[[[[[[values]]]]]]]] * 8}
    text = f"---\n{yaml.safe_dump(values, allow_unicode=True)}---\n{body}\nThe body.\n"
    assert_article_or_rejected(text, "doc.md")


@PROPERTY
@given(st.binary(max_size=400), st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_any_bytes_decode_to_text_or_are_rejected(data: bytes, text: str) -> None:
    for raw in (data, text.encode("utf-8"), text.encode("utf-16"), data + text.encode()):
        try:
            decoded = decode(raw, "doc.txt")
        except DocumentError as exc:
            assert exc.path == "doc.txt"
        else:
            assert "\ufffd" not in decoded and "\r" not in decoded
            assert_article_or_rejected(decoded, "doc.txt")


_YAML_ATOMS = [
    "Kenya", "2024-10-28T09:30:00+00:00", "2024-13-45", "12", "0x1F", "1.5", ".inf", "yes",
    "No", "~", "null", "Jane O'Neil", "a: b", "a:b", "x #y", '"quoted: x"', '"esc \\x41 \\u00e9"',
    '"bad \\q"', "'single ''q'''", "'", '"', "-dash", "Café", "中文", "http://x.org/a?b=c",
    "50%", "@at", "`tick`", "a, b", "[x]", "['a', \"b\"]", "[]", "{a: 1}", "[x", "?q", "|", ">",
    "&anchor", "*alias", "!tag", "!!str 5", "%p", "", "\\", "\xa0", "<<", "...", ":", "\t",
    "\x85", "\u2028", "\ufeff", "\r",
]  # fmt: skip
_YAML_KEYS = ["title", "tags", "theme", "date", "a b", "x:", '"q k"', "1", "? k", "- k"]
_yaml_scalar = st.lists(st.sampled_from(_YAML_ATOMS), min_size=1, max_size=3).map(" ".join)
_yaml_flow = st.lists(
    st.one_of(st.sampled_from(["Health", "'Law & Order'", '"A, B"', "x-y", "Café"]), _yaml_scalar),
    max_size=3,
).map(lambda items: "[" + ", ".join(items) + "]")
_yaml_line = st.tuples(
    st.sampled_from(["", "  ", "    ", "- ", "  - "]),
    st.sampled_from(_YAML_KEYS),
    st.sampled_from([": ", ":", ": |\n  ", ": >\n  ", ":\n  - "]),
    st.one_of(_yaml_scalar, _yaml_flow),
).map("".join)
_yaml_text = st.lists(_yaml_line, min_size=1, max_size=6).map("\n".join)


def _pyyaml(raw: str) -> object:
    try:
        return ("read", yaml.load(raw, Loader=frontmatter._Loader))
    except yaml.YAMLError as exc:
        return ("refused", str(exc))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_yaml_text)
def test_front_matter_reads_as_pyyaml_reads_it_whichever_parser_reads_it(raw: str) -> None:
    # libyaml reads what it reads as PyYAML does; the rest goes to PyYAML.
    try:
        found: object = ("read", frontmatter._load_yaml(raw))
    except yaml.YAMLError as exc:
        found = ("refused", str(exc))
    assert found == _pyyaml(raw)


def test_everyday_front_matter_is_read_by_libyaml() -> None:
    raw = 'title: "Kenya Moves to Expand Hospital Programme"\ndate: 2024-10-28T09:30:00+00:00\n'
    raw += "tags: [Health, 'Law and Order', Public policy]\nauthors:\n  - Chidi Volkova\n"
    assert frontmatter._NOT_FOR_LIBYAML.search(raw) is None
    assert frontmatter._load_yaml(raw)["date"] == "2024-10-28T09:30:00+00:00"
