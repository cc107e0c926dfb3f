"""HTML pages the build writes: one per article, and the landing page."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import jinja2

from digest.config import FeedSettings
from digest.grouping import group
from digest.model import Document
from digest.publish.feeds import LinkOf


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("digest", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css() -> str:
    return resources.files("digest").joinpath("templates/page.css").read_text(encoding="utf-8")


def article_page(doc: Document, feed: FeedSettings) -> bytes:
    html = _environment().get_template("article.html").render(doc=doc, feed=feed, css=_css())
    return html.encode("utf-8")


def index_page(
    documents: Sequence[Document],
    feed: FeedSettings,
    link_of: LinkOf,
    outlines: Sequence[tuple[str, Sequence[tuple[str, str]]]],
) -> bytes:
    """The latest articles grouped like the digest, and a subscribe link for every feed."""
    html = (
        _environment()
        .get_template("index.html")
        .render(
            groups=group(documents[: feed.max_entries]),
            feed=feed,
            link_of=link_of,
            outlines=outlines,
            css=_css(),
        )
    )
    return html.encode("utf-8")
