"""The body of any document as a list of blocks, and blocks back to safe HTML.

Markdown is rendered to HTML first, so markdown and HTML pages share one path:
an lxml tree is cleaned of page furniture, cut into blocks (paragraphs, list
items, headings), and each block keeps both its plain text (for summaries and
boilerplate checks) and its inline HTML (for feeds). Filtering blocks keeps the
two in step: a paragraph dropped from the text is dropped from the HTML too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from itertools import count
from urllib.parse import urljoin, urlsplit

import lxml.html
import nh3
from lxml.etree import ParserError

from digest.text import squash

ALLOWED_TAGS = frozenset(
    (
        "p", "a", "em", "strong", "blockquote", "ul", "ol", "li", "h2", "h3", "h4", "figure",
        "figcaption", "br", "code", "pre",
    )
)  # fmt: skip
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# nh3 writes these back as they were; a quotation mark it unescapes in text, so not that.
_SHIELD = {"&amp;": "\ue010", "&lt;": "\ue011", "&gt;": "\ue012"}
_SHIELDS = re.compile("[\ue010-\ue012]")

_BLOCK_TAGS = frozenset(
    (
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p",
        "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    )
)  # fmt: skip
# Never article text: scripts, embeds, forms, and the page's own navigation.
_DROP_TAGS = frozenset(
    (
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
        "video", "audio", "map", "form", "button", "input", "select", "textarea", "dialog",
        "nav", "header", "footer", "aside", "head", "title", "meta", "link",
    )
)  # fmt: skip
# Words in a class or id that mark widgets around an article, not the article.
_FURNITURE = frozenset(
    (
        "share", "sharing", "sharebar", "social", "comments", "comment", "related",
        "newsletter", "subscribe", "subscription", "promo", "advert", "advertisement", "ad",
        "ads", "sponsor", "sponsored", "cookie", "cookies", "breadcrumb", "breadcrumbs",
        "byline", "dateline", "toolbar", "popup", "modal", "paywall", "signup", "disqus",
        "outbrain", "taboola", "sidebar", "menu", "navbar", "masthead",
    )
)  # fmt: skip
_WORDS = re.compile(r"[a-z0-9]+")
_HEADINGS = {"h1": "h1", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
# A block of nothing but asterisks, dashes or dots: a section break, not text.
_BREAK_TEXT = re.compile(r"[*\-–—_.·•#~ ]+")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-like piece of a body."""

    kind: str  # p, li, h1-h4, pre, figcaption, or "break" for a rule or a lone "*"
    text: str  # plain text, one line
    html: str = ""  # inline HTML, sanitised when the body is rendered
    wrap: tuple[str, int] | None = None  # enclosing ul/ol/blockquote/figure, numbered
    emphasised: bool = False  # the whole block is in italics: a standfirst when it leads

    @property
    def prose(self) -> bool:
        """Body text proper: not a heading, caption, code or break."""
        return self.kind in ("p", "li")


def fragment_blocks(
    html: str, base_url: str | None = None, warnings: list[str] | None = None
) -> list[Block]:
    """The blocks of an HTML fragment (such as rendered markdown)."""
    root = parse_fragment(html, "div")
    return [] if root is None else element_blocks(root, base_url, warnings)


def parse_fragment(html: str, parent: str) -> lxml.html.HtmlElement | None:
    """An HTML fragment under one `parent` element; None when there is nothing to parse."""
    if not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent=parent)
    except (ParserError, ValueError, AssertionError):
        # lxml asserts rather than raises when a fragment holds a whole page ("<html>").
        return None


def element_blocks(
    root: lxml.html.HtmlElement, base_url: str | None = None, warnings: list[str] | None = None
) -> list[Block]:
    """The blocks of one element of a parsed page; the element is cleaned in place.

    A link whose address is malformed loses its link (its words stay), noted in `warnings`.
    """
    clean_tree(root, base_url, warnings if warnings is not None else [])
    return list(_container(root, None, False, count(1)))


def first_image(root: lxml.html.HtmlElement, base_url: str | None = None) -> str | None:
    """The address of the first image a cleaned tree shows; tracking pixels do not count."""
    for img in root.iter("img"):
        src = squash(img.get("src") or "")
        pixel = "1" in (img.get("width"), img.get("height"))
        if src and not src.startswith("data:") and not pixel:
            try:
                return urljoin(base_url, src) if base_url else src
            except ValueError:
                continue  # a malformed address ("http://[::1") shows nothing
    return None


def clean_tree(root: lxml.html.HtmlElement, base_url: str | None, warnings: list[str]) -> None:
    """Drop furniture and hidden parts, normalise inline tags and links, in place.

    Elements are removed or unwrapped one parent at a time, in one pass over its
    children: lxml's own drop_tree and drop_tag join text by repeated concatenation
    and search the parent for the child, which turns a page of many small links or
    widgets quadratic.
    """
    limit = len(root.text_content()) / 2
    removed: dict[lxml.html.HtmlElement, set[lxml.html.HtmlElement]] = {}
    unwrapped: dict[lxml.html.HtmlElement, set[lxml.html.HtmlElement]] = {}
    stack = list(reversed(root))
    while stack:
        el = stack.pop()
        parent = el.getparent()
        if (
            not isinstance(el.tag, str)  # comments and processing instructions
            or el.tag in _DROP_TAGS
            or _hidden(el)
            or _furniture(el, limit)
        ):
            removed.setdefault(parent, set()).add(el)
            continue
        if el.tag == "b":
            el.tag = "strong"
        elif el.tag == "i":
            el.tag = "em"
        elif el.tag == "a" and not _fix_link(el, base_url, warnings):
            unwrapped.setdefault(parent, set()).add(el)
        stack.extend(reversed(el))
    # Deepest parents first, so a parent's children are settled before it is spliced.
    parents = [el for el in root.iter() if el in removed or el in unwrapped]
    # A reversed copy: mypyc (bench/compiled.py) fails on reversed() over untyped lxml elements.
    for parent in parents[::-1]:
        _splice(parent, removed.get(parent, set()), unwrapped.get(parent, set()))


def _splice(
    parent: lxml.html.HtmlElement,
    removed: set[lxml.html.HtmlElement],
    unwrapped: set[lxml.html.HtmlElement],
) -> None:
    """Rebuild `parent`'s children without `removed` (their tails kept) and with
    `unwrapped` replaced by their content."""
    kept: list[lxml.html.HtmlElement] = []
    texts: list[list[str]] = [[parent.text or ""]]  # texts[n + 1] follows kept[n]

    def add(el: lxml.html.HtmlElement, *, top: bool) -> None:
        if top and el in removed:
            pass
        elif top and el in unwrapped:
            texts[-1].append(el.text or "")
            for child in el:
                add(child, top=False)
        else:
            kept.append(el)
            texts.append([])
        texts[-1].append(el.tail or "")

    for child in parent:
        add(child, top=True)
    parent[:] = kept
    parent.text = "".join(texts[0]) or None
    for el, pieces in zip(kept, texts[1:], strict=True):
        el.tail = "".join(pieces) or None


def render(blocks: list[Block]) -> str:
    """Sanitised HTML of the blocks, lists and quotes regrouped."""
    parts: list[str] = []
    current: tuple[str, int] | None = None
    for block in blocks:
        if block.kind == "break":
            continue
        if block.wrap != current:
            if current:
                parts.append(f"</{current[0]}>")
            if block.wrap:
                parts.append(f"<{block.wrap[0]}>")
            current = block.wrap
        parts.append(_element(block))
    if current:
        parts.append(f"</{current[0]}>")
    return sanitise("\n".join(parts))


def sanitise(html: str) -> str:
    """Only the tags a feed entry may carry; links keep nothing but an http(s)/mailto href."""
    # nh3 slows down more than linearly on character references in one long text
    # (a megabyte of "&amp;" takes seconds), so the few escapes markup uses travel
    # through it as private-use characters, which it passes as they are.
    shielded = _SHIELDS.sub("", html)
    for escaped, shield in _SHIELD.items():
        shielded = shielded.replace(escaped, shield)
    clean: str = nh3.clean(
        shielded,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href"}},
        url_schemes=set(_LINK_SCHEMES),
        link_rel=None,
        clean_content_tags={"script", "style"},
    )
    for escaped, shield in _SHIELD.items():
        clean = clean.replace(shield, escaped)
    return clean


def is_break(text: str) -> bool:
    """Whether a line is only a section break ("*", "* * *", "---")."""
    return bool(_BREAK_TEXT.fullmatch(text.strip()))


def plain_text(el: lxml.html.HtmlElement) -> str:
    """The text of an element on one line; a <br> counts as a space."""
    return squash("".join(_text_parts(el)))


def _text_parts(el: lxml.html.HtmlElement) -> Iterator[str]:
    if el.tag == "br":
        yield " "
    elif isinstance(el.tag, str):
        yield el.text or ""
        for child in el:
            yield from _text_parts(child)
            yield child.tail or ""


def _hidden(el: lxml.html.HtmlElement) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return (
        el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


def _furniture(el: lxml.html.HtmlElement, limit: float) -> bool:
    if el.get("role") in ("navigation", "complementary", "banner", "contentinfo"):
        return True
    marks = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if _FURNITURE.isdisjoint(_WORDS.findall(marks)) or el.tag in ("article", "main"):
        return False
    # Blogs tag whole articles with classes like "tag-social": a widget is never most of a page.
    return len(el.text_content()) < limit


def _fix_link(a: lxml.html.HtmlElement, base_url: str | None, warnings: list[str]) -> bool:
    """Make a link absolute; False when it must go (its words stay): a placeholder,
    a script, an unresolvable relative link, or a malformed address."""
    href = (a.get("href") or "").strip()
    try:
        if href and not href.startswith("#") and base_url:
            href = urljoin(base_url, href)
        parts = urlsplit(href)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        warnings.append(f"link {squash(href)[:60]!r} dropped: not a valid URL")
        return False
    if href.startswith("#") or parts.scheme not in _LINK_SCHEMES:
        return False
    a.attrib.clear()
    a.set("href", href)
    return True


def _has_block(el: lxml.html.HtmlElement) -> bool:
    return any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in el.iterdescendants())


def _container(
    el: lxml.html.HtmlElement, wrap: tuple[str, int] | None, item: bool, numbers: Iterator[int]
) -> Iterator[Block]:
    """Blocks of an element with block children; loose inline runs become paragraphs."""
    run: list[lxml.html.HtmlElement | str] = [el.text] if el.text else []
    for child in el:
        if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
            yield from _run_block(run, wrap, item)
            run = []
            yield from _visit(child, wrap, item, numbers)
        else:
            run.append(child)
        if child.tail:
            run.append(child.tail)
    yield from _run_block(run, wrap, item)


def _visit(
    el: lxml.html.HtmlElement, wrap: tuple[str, int] | None, item: bool, numbers: Iterator[int]
) -> Iterator[Block]:
    tag = el.tag
    if tag == "hr":
        yield Block("break", "")
    elif tag in ("ul", "ol"):
        yield from _container(el, (tag, next(numbers)), False, numbers)
    elif tag in ("blockquote", "figure"):
        inner = (tag, next(numbers))
        if _has_block(el):
            yield from _container(el, inner, item, numbers)
        else:
            yield from _leaf(el, inner, item)
    elif not _has_block(el):
        yield from _leaf(el, wrap, item)
    else:
        yield from _container(el, wrap, item or tag == "li", numbers)


def _leaf(el: lxml.html.HtmlElement, wrap: tuple[str, int] | None, item: bool) -> Iterator[Block]:
    text = plain_text(el)
    if not text:
        return
    tag = el.tag
    if tag == "pre":
        yield Block("pre", text, escape(el.text_content()), wrap)
        return
    if tag in _HEADINGS:
        kind = _HEADINGS[tag]
    elif tag == "figcaption":
        kind = "figcaption"
    else:
        kind = "li" if item or tag == "li" else "p"
    if kind in ("p", "li") and _BREAK_TEXT.fullmatch(text):
        yield Block("break", "")
        return
    inner = escape(el.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode", with_tail=True) for child in el
    )
    yield Block(kind, text, inner, wrap, _emphasised(el))


def _run_block(
    run: list[lxml.html.HtmlElement | str], wrap: tuple[str, int] | None, item: bool
) -> Iterator[Block]:
    if not run:
        return
    html = "".join(
        escape(part) if isinstance(part, str) else
        lxml.html.tostring(part, encoding="unicode", with_tail=False)
        for part in run
    )  # fmt: skip
    text = squash(
        "".join(part if isinstance(part, str) else "".join(_text_parts(part)) for part in run)
    )
    if text and not _BREAK_TEXT.fullmatch(text):
        yield Block("li" if item else "p", text, html, wrap)


def _emphasised(el: lxml.html.HtmlElement) -> bool:
    children = list(el)
    return (
        len(children) == 1
        and children[0].tag == "em"
        and not (el.text or "").strip()
        and not (children[0].tail or "").strip()
    )


def _element(block: Block) -> str:
    if block.kind == "h1":
        return f"<h2>{block.html}</h2>"
    if block.kind == "li" and (block.wrap is None or block.wrap[0] not in ("ul", "ol")):
        return f"<p>{block.html}</p>"
    return f"<{block.kind}>{block.html}</{block.kind}>"
