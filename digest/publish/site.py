"""Write every output file for a set of documents, and remove what no longer belongs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from digest.config import FeedSettings
from digest.model import UNCLASSIFIED, Document
from digest.publish.atomic import write_atomic
from digest.publish.feeds import FeedSpec, atom_documents, newest_update, rss_document
from digest.publish.jsonfeed import json_feed
from digest.publish.opml import opml
from digest.publish.pages import article_page, index_page
from digest.text import slugify

# Folders the build owns outright: anything in them it did not write is stale.
OWNED = ("articles", "regions", "themes", "archive")


@dataclass(frozen=True, slots=True)
class PublishResult:
    written: int
    removed: int


def page_path(doc: Document) -> str:
    return f"articles/{doc.slug}.html"


def publish(
    documents: Sequence[Document],
    feed: FeedSettings,
    out: Path,
    *,
    pages_for: Collection[str] | None = None,
) -> PublishResult:
    """Write feeds, archives, pages, the OPML index and the landing page under `out`.

    `documents` are newest first. `pages_for` limits article pages to those ids
    (plus any page that is missing); None renders every page.
    """

    def link_of(doc: Document) -> str:
        return doc.article.url or feed.base_url + page_path(doc)

    files: dict[str, bytes] = {}
    main = FeedSpec("atom.xml", feed.title, feed.subtitle, tuple(documents))
    files.update(atom_documents(main, feed, link_of))
    files["rss.xml"] = rss_document(
        FeedSpec("rss.xml", feed.title, feed.subtitle, main.documents), feed, link_of
    )
    files["feed.json"] = json_feed(main, feed, link_of, path="feed.json")

    outlines: list[tuple[str, list[tuple[str, str]]]] = [
        ("", [(feed.title, "atom.xml"), (f"{feed.title} (RSS)", "rss.xml")])
    ]
    for kind, label in (("regions", "Regions"), ("themes", "Themes")):
        members: dict[str, list[Document]] = {}
        for doc in documents:
            labels = doc.regions if kind == "regions" else doc.themes
            for name in labels.names or (UNCLASSIFIED,):
                members.setdefault(name, []).append(doc)
        entries = []
        for name in sorted(members, key=lambda n: (n == UNCLASSIFIED, n.casefold())):
            path = f"{kind}/{slugify(name)}.xml"
            spec = FeedSpec(path, f"{feed.title}: {name}", f"{label}: {name}", tuple(members[name]))
            files.update(atom_documents(spec, feed, link_of))
            entries.append((f"{feed.title}: {name}", path))
        outlines.append((label, entries))
    outlines.append(("Digests", [(f"{feed.title}: digests", "digests.xml")]))

    files["feeds.opml"] = opml(feed, outlines, newest_update(documents))
    files["index.html"] = index_page(documents, feed, link_of, outlines)

    wanted_pages = {page_path(doc) for doc in documents}
    for doc in documents:
        path = page_path(doc)
        if pages_for is None or doc.id in pages_for or not (out / path).exists():
            files[path] = article_page(doc, feed)

    written = sum(write_atomic(out / rel, data) for rel, data in files.items())
    removed = _prune(out, keep=set(files) | wanted_pages)
    return PublishResult(written=written, removed=removed)


def _prune(out: Path, *, keep: set[str]) -> int:
    removed = 0
    for folder in OWNED:
        base = out / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            rel = path.relative_to(out).as_posix()
            if path.is_file() and rel not in keep:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return removed
