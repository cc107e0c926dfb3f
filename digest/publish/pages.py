"""HTML pages the build writes: articles, the landing page, region, theme and archive pages.

The stylesheet is a file of its own beside the pages, linked from each of them:
CSS never passes through the HTML templates, so autoescaping cannot mangle it,
and browsers fetch it once for every page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2

from digest.config import FeedSettings
from digest.enrich.themes import ThemeNames
from digest.grouping import group
from digest.model import Document, DocumentRef
from digest.publish.assets import FAVICON, site_assets
from digest.publish.browse import ArchivePage, Listing, SiteMap, listing_url
from digest.publish.entries import image_url
from digest.publish.feeds import LinkOf

STYLESHEET = "page.css"
NOT_FOUND = "404.html"

# Search engines show about 160 characters of a description; sharing cards a few more.
_DESCRIPTION = 200


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
def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)


def keep_compiled_templates(folder: Path) -> None:
    """Keep the page templates, once compiled, in `folder` for the processes that follow:
    compiling them cost every build that publishes from the command line about 0.06 s,
    loading them a few milliseconds."""
    env = _environment()
    cache = env.bytecode_cache
    if not isinstance(cache, _CompiledTemplates) or cache.directory != str(folder):
        with suppress(OSError):
            folder.mkdir(exist_ok=True)
        env.bytecode_cache = _CompiledTemplates(str(folder), _compiled_by(env))


def _compiled_by(env: jinja2.Environment) -> str:
    """What shapes a template's compiled code besides its source, which Jinja's own
    check (a checksum of the source) leaves out."""
    return repr(
        (
            jinja2.__version__,
            env.autoescape,
            env.trim_blocks,
            env.lstrip_blocks,
            env.keep_trailing_newline,
            env.newline_sequence,
            sorted(env.extensions),
        )
    )


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, keyed by what compiled them too; a folder
    that cannot be read or written, or a damaged file, costs compiling, never the build."""

    def __init__(self, directory: str, compiled_by: str) -> None:
        super().__init__(directory)
        self._compiled_by = compiled_by

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = f"{self._compiled_by}\0{name}\0{filename}"
        return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            # Unreadable or damaged (Jinja reads a truncated file's checksum unguarded).
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


def warm_templates() -> None:
    """Compile every page template now rather than on the first page of each kind."""
    for name in ("article.html", "index.html", "listing.html", "404.html"):
        _template(name)


@cache
def stylesheet() -> bytes:
    """The pages' CSS, as written to the feeds folder."""
    return resources.files("digest").joinpath(f"templates/{STYLESHEET}").read_bytes()


def stylesheet_version() -> str:
    return hashlib.sha256(stylesheet()).hexdigest()[:10]


def describe(text: str, limit: int = _DESCRIPTION) -> str:
    """`text` cut at a word boundary to at most `limit` characters, for meta descriptions."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return cut + "…"


@cache
def _site_images(feed: FeedSettings) -> tuple[str, str]:
    """The site's icon and logo URLs, as the feeds carry them."""
    assets = site_assets(feed)
    return assets.icon, assets.logo


@dataclass(frozen=True, slots=True)
class Card:
    """What a list of articles shows of one, worked out before the template runs
    (calls from inside a template cost several times more)."""

    title: str
    url: str
    byline: str
    iso: str
    date: str
    summary: str
    tags: tuple[tuple[str, str], ...]  # (absolute URL of the region or theme page, name)


class _Links:
    """The pages a region or theme name links to, for one render."""

    def __init__(self, feed: FeedSettings, themes: ThemeNames | None) -> None:
        self._base = feed.base_url
        self._themes = themes
        self._urls: dict[tuple[str, str], str] = {}

    def __call__(self, kind: str, name: str) -> str:
        """The page's path relative to the feeds folder."""
        key = (kind, name)
        if key not in self._urls:
            # A label that names a taxonomy theme is listed on that theme's page.
            if kind == "themes" and self._themes is not None:
                name = self._themes.group_of(name)
            self._urls[key] = listing_url(kind, name)
        return self._urls[key]

    def tags(self, doc: Document, skip_first: bool) -> tuple[tuple[str, str], ...]:
        first = 1 if skip_first else 0
        named = [("regions", n) for n in doc.regions.names[first:]]
        named += [("themes", n) for n in doc.themes.names[first:]]
        return tuple((self._base + self(kind, name), name) for kind, name in named)


def _card(doc: Document, link_of: LinkOf, links: _Links, skip_first: bool = False) -> Card:
    byline = " · ".join(p for p in (doc.author, doc.article.source) if p)
    return Card(
        title=doc.title,
        url=link_of(doc),
        byline=byline,
        iso=doc.published.isoformat(),
        date=doc.published.strftime("%-d %b %Y"),
        summary=doc.summary,
        tags=links.tags(doc, skip_first),
    )


def _render(template: str, links: _Links, feed: FeedSettings, **context: object) -> bytes:
    icon, logo = _site_images(feed)
    page = _template(template).render(
        listing_url=links, feed=feed, favicon=feed.base_url + FAVICON, icon=icon, logo=logo,
        **context,
    )  # fmt: skip
    return page.encode("utf-8")


def page_path(doc: Document | DocumentRef) -> str:
    """An article's page, relative to the feeds folder."""
    return f"articles/{doc.slug}.html"


def article_page(doc: Document, feed: FeedSettings, themes: ThemeNames | None = None) -> bytes:
    own = feed.base_url + page_path(doc)
    links = _Links(feed, themes)
    return _render(
        "article.html",
        links,
        tags=links.tags(doc, skip_first=False),
        doc=doc,
        feed=feed,
        canonical=doc.article.url or own,
        og_title=doc.title,
        og_type="article",
        description=describe(doc.summary),
        image=image_url(doc.article.image, doc.article.url or own),
    )


def index_page(
    documents: Sequence[Document],
    feed: FeedSettings,
    link_of: LinkOf,
    outlines: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    site: SiteMap,
    themes: ThemeNames | None = None,
) -> bytes:
    """The latest articles grouped like the digest, the ways into the archive, every feed."""
    links = _Links(feed, themes)
    return _render(
        "index.html",
        links,
        card=lambda doc: _card(doc, link_of, links, skip_first=True),
        groups=group(documents[: feed.max_entries], themes),
        feed=feed,
        link_of=link_of,
        outlines=outlines,
        site=site,
        canonical=feed.base_url,
        description=describe(feed.subtitle or f"The latest articles from {feed.title}."),
    )


def listing_page(
    listing: Listing,
    documents: Sequence[Document],
    feed: FeedSettings,
    link_of: LinkOf,
    themes: ThemeNames | None = None,
) -> bytes:
    """A region's or a theme's page: its newest articles, then its months."""
    label = "Region" if listing.kind == "regions" else "Theme"
    intro = f"{label}: {len(listing.ids)} article{'s' if len(listing.ids) != 1 else ''}"
    links = _Links(feed, themes)
    return _render(
        "listing.html",
        links,
        listing=listing,
        cards=[_card(doc, link_of, links) for doc in documents],
        feed=feed,
        link_of=link_of,
        heading=listing.name,
        intro=intro
        + (f", the newest {len(documents)} here" if len(documents) < len(listing.ids) else ""),
        feed_path=listing.path.removesuffix(".html") + ".xml",
        show_months=True,
        canonical=feed.base_url + listing.path,
        og_title=f"{listing.name} · {feed.title}",
        description=describe(f"{label} {listing.name}: the latest articles from {feed.title}."),
    )


def archive_page(
    listing: Listing,
    index: int,
    documents: Sequence[Document],
    feed: FeedSettings,
    link_of: LinkOf,
    themes: ThemeNames | None = None,
) -> bytes:
    """One page of a listing's archive, with links to the pages of older and newer articles."""
    page: ArchivePage = listing.pages[index]
    older, newer = listing.neighbours(index)
    name = f"{listing.name}, {page.label}" if listing.name else page.label
    up, up_label = (listing.path, listing.name) if listing.name else ("#archive", "All months")
    count = len(page.ids)
    links = _Links(feed, themes)
    return _render(
        "listing.html",
        links,
        listing=listing,
        cards=[_card(doc, link_of, links) for doc in documents],
        feed=feed,
        link_of=link_of,
        heading=name,
        intro=f"{count} article{'s' if count != 1 else ''}, newest first",
        feed_path="",
        show_months=False,
        older=older,
        newer=newer,
        up=up,
        up_label=up_label,
        canonical=feed.base_url + page.path,
        og_title=f"{name} · {feed.title}",
        description=describe(f"Articles of {name} from {feed.title}."),
    )


def not_found_page(feed: FeedSettings) -> bytes:
    return _render("404.html", _Links(feed, None), feed, og_title=f"Not found · {feed.title}")
