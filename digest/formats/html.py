"""Saved web pages: metadata from <meta> and <link> tags, the body from <article> or <main>.

Section, tag and keyword metadata are not regions or themes: only tags named
`region(s)` or `theme(s)` are, so a site's own taxonomy never passes for one
the document states.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.etree import ParserError

from digest.formats import FormatError
from digest.formats.article import assemble
from digest.formats.blocks import element_blocks, first_image, plain_text
from digest.formats.fields import Meta, date_field, dropped, language, names, url_field
from digest.model import Article
from digest.text import squash

_HTML_START = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|article|meta)\b",
    re.IGNORECASE | re.DOTALL,
)
# Elements of an article's body that are read: cleaning costs up to 25 µs each, so
# this bounds a hostile page to half a second; a long article has a few thousand.
MAX_ELEMENTS = 20_000
# libxml2 stops nesting at 256 elements and loses what lies deeper.
MAX_DEPTH = 250
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Title separators before a site name: "Headline | Site", "Headline — Site".
_SEPARATORS = (" | ", " – ", " — ", " :: ", " · ", " - ")
# Class words of the paragraph under a headline that sums the story up.
_STANDFIRST = frozenset(
    (
        "standfirst", "lede", "lead", "dek", "deck", "intro", "subheadline", "subtitle",
    )
)  # fmt: skip

_PUBLISHED = (
    "article:published_time", "datepublished", "date", "pubdate", "publish-date",
    "publish_date", "dc.date", "dc.date.issued", "dcterms.created", "dcterms.issued",
)  # fmt: skip
_UPDATED = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
_IMAGES = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image")
_RIGHTS = ("copyright", "dc.rights", "dcterms.rights")


def is_html(text: str, suffix: str) -> bool:
    """Whether `text` is an HTML page (or fragment, for an .html file)."""
    head = text[:2000]
    return bool(_HTML_START.match(head)) or (
        suffix in _HTML_SUFFIXES and head.lstrip().startswith("<")
    )


def parse_html(text: str, *, dayfirst: bool) -> Article:
    try:
        page = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (ParserError, ValueError) as exc:
        raise FormatError(f"HTML page cannot be parsed: {exc}") from None
    if _too_deep(page):
        raise FormatError(f"HTML nested more than {MAX_DEPTH} elements deep")
    warnings: list[str] = []
    metas = _metas(page)
    source = _first(metas, "og:site_name", "application-name")
    root = _body_root(page)
    if sum(1 for _ in root.iter()) > MAX_ELEMENTS:
        raise FormatError(f"HTML article has more than {MAX_ELEMENTS:,} elements")
    canonical = _canonical(page)
    where = "canonical link" if canonical else "og:url"
    url = url_field(where, canonical or metas.get("og:url"), warnings)
    title = _title(page, root, metas, source)
    standfirst = _take_standfirst(root)
    for h1 in root.iter("h1"):
        if title and plain_text(h1).casefold() == title.casefold():
            h1.drop_tree()
            break
    meta = Meta(
        title=title,
        author=_author(page, metas),
        published=date_field(
            "published time", _first(metas, *_PUBLISHED) or _time(root), dayfirst, warnings
        ),
        updated=date_field("modified time", _first(metas, *_UPDATED), dayfirst, warnings),
        regions=names(_first(metas, "region", "regions")),
        themes=names(_first(metas, "theme", "themes")),
        standfirst=standfirst,
        url=url,
        rights=_first(metas, *_RIGHTS),
        source=source,
        image=_image(_first(metas, *_IMAGES), url, warnings),
        warnings=tuple(warnings),
        language=language(page.get("lang") or _first(metas, "og:locale", "language")),
    )
    body_warnings: list[str] = []
    blocks = element_blocks(root, url, body_warnings)
    image = meta.image or first_image(root, url)
    return assemble("html", replace(meta, image=image), blocks, tuple(body_warnings))


def _image(value: str | None, url: str | None, warnings: list[str]) -> str | None:
    """The page's own image, absolute against its URL when it has one."""
    if not value:
        return None
    try:
        return urljoin(url, value) if url else value
    except ValueError:
        warnings.append(dropped("og:image", value, "not a valid URL"))
        return None


def _too_deep(page: lxml.html.HtmlElement) -> bool:
    """Whether the parser reached its depth limit, past which libxml2 silently drops content."""
    depth = 0
    for event, _ in etree.iterwalk(page, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth >= MAX_DEPTH:
            return True
    return False


def _metas(page: lxml.html.HtmlElement) -> dict[str, str]:
    """Every <meta> by its name, property or itemprop (lowercased); the first one wins."""
    found: dict[str, str] = {}
    for meta in page.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        value = squash(meta.get("content") or meta.get("datetime") or "")
        if key and value:
            found.setdefault(key.strip().lower(), value)
    for el in page.xpath("//*[@itemprop and (@datetime or @content)][not(self::meta)]"):
        found.setdefault(el.get("itemprop").lower(), el.get("datetime") or el.get("content"))
    return found


def _first(metas: dict[str, str], *keys: str) -> str | None:
    return next((metas[k] for k in keys if metas.get(k)), None)


def _body_root(page: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    articles = page.xpath("//article")
    if articles:
        # A page may list teasers as small <article>s around the real one.
        return max(articles, key=lambda a: len(a.text_content()))
    for path in ("//main", "//*[@role='main']", "//body"):
        found = page.xpath(path)
        if found:
            return found[0]
    return page


def _canonical(page: lxml.html.HtmlElement) -> str | None:
    rel = "contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')"
    hrefs = page.xpath(f"//link[{rel}]/@href")
    return str(hrefs[0]).strip() if hrefs else None


def _title(
    page: lxml.html.HtmlElement,
    root: lxml.html.HtmlElement,
    metas: dict[str, str],
    site: str | None,
) -> str | None:
    if metas.get("og:title"):
        return _without_site(metas["og:title"], site)
    for scope in (root, page):
        h1 = next(scope.iter("h1"), None)
        if h1 is not None and plain_text(h1):
            return plain_text(h1)
    titles = page.xpath("//title")
    text = plain_text(titles[0]) if titles else ""
    return _without_site(text, site) or None


def _without_site(title: str, site: str | None) -> str:
    """ "Headline | Site" -> "Headline"; a short tail after a strong separator counts as a site."""
    title = squash(title)
    for sep in _SEPARATORS:
        if site and title.casefold().startswith(f"{site}{sep}".casefold()):
            return title[len(site) + len(sep) :].strip()
        head, found, tail = title.rpartition(sep)
        if not found or not head.strip():
            continue
        if site and tail.strip().casefold() == site.casefold():
            return head.strip()
        if sep != " - " and len(tail.split()) <= 4 and len(tail) < len(head):
            return head.strip()
    return title


def _author(page: lxml.html.HtmlElement, metas: dict[str, str]) -> str | None:
    for key in ("author", "article:author", "dc.creator", "dcterms.creator"):
        value = metas.get(key)
        if value and not value.startswith(("http://", "https://")):
            return value
    for path in ("//*[@rel='author']", "//*[@itemprop='author']"):
        for el in page.xpath(path):
            name = plain_text(el).removeprefix("By ").removeprefix("by ").strip()
            if name:
                return name
    return None


def _time(root: lxml.html.HtmlElement) -> str | None:
    stamps = root.xpath(".//time/@datetime")
    return str(stamps[0]) if stamps else None


def _take_standfirst(root: lxml.html.HtmlElement) -> str | None:
    """The text of a paragraph marked as the standfirst, removed from the body."""
    for el in root.iter("p", "div", "h2"):
        words = set(re.findall(r"[a-z0-9]+", (el.get("class") or "").lower()))
        if words & _STANDFIRST:
            text = plain_text(el)
            el.drop_tree()
            return text or None
    return None
