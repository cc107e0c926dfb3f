"""HTML pages the build writes: one per article, the landing page, and their stylesheet.

The stylesheet is a file of its own beside the pages, linked from each of them:
CSS never passes through the HTML templates, so autoescaping cannot mangle it,
and browsers fetch it once for every page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from importlib import resources

import jinja2

from digest.config import FeedSettings
from digest.enrich.themes import ThemeNames
from digest.grouping import group
from digest.model import Document
from digest.publish.feeds import LinkOf

STYLESHEET = "page.css"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("digest", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The version in the stylesheet's URL changes with its content, so it can be
    # cached for long and a new release is still fetched at once.
    env.globals["stylesheet"] = f"{STYLESHEET}?v={stylesheet_version()}"
    return env


@cache
def stylesheet() -> bytes:
    """The pages' CSS, as written to the feeds folder."""
    return resources.files("digest").joinpath(f"templates/{STYLESHEET}").read_bytes()


def stylesheet_version() -> str:
    return hashlib.sha256(stylesheet()).hexdigest()[:10]


@cache
def templates_version() -> str:
    """Changes whenever a shipped page template or the stylesheet changes.

    Part of the site key, so that a new release re-renders every page even
    when its version number stayed the same.
    """
    digest = hashlib.sha256()
    folder = resources.files("digest").joinpath("templates")
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.is_file():
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:16]


def article_page(doc: Document, feed: FeedSettings) -> bytes:
    html = _environment().get_template("article.html").render(doc=doc, feed=feed)
    return html.encode("utf-8")


def index_page(
    documents: Sequence[Document],
    feed: FeedSettings,
    link_of: LinkOf,
    outlines: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    themes: ThemeNames | None = None,
) -> bytes:
    """The latest articles grouped like the digest, and a subscribe link for every feed."""
    html = (
        _environment()
        .get_template("index.html")
        .render(
            groups=group(documents[: feed.max_entries], themes),
            feed=feed,
            link_of=link_of,
            outlines=outlines,
        )
    )
    return html.encode("utf-8")
