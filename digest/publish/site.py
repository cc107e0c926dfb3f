"""Write every output file for the published documents, and remove what no longer belongs.

Publishing is planned before anything is rendered: every output file gets a key
made of what it shows (its entries' fingerprints, its links, the site settings),
and only files whose key changed are rendered and only their documents loaded.
So a one-file change rewrites a handful of files, not the whole archive.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from digest.config import FeedSettings
from digest.enrich.themes import ThemeNames
from digest.model import DIGESTS_FEED, UNCLASSIFIED, Document, DocumentRef
from digest.publish.assets import Assets, site_assets, stylesheet_href
from digest.publish.atomic import Staged
from digest.publish.browse import Listing, site_map
from digest.publish.entries import clean, entry_of
from digest.publish.feeds import (
    Entry,
    FeedPage,
    FeedSpec,
    Format,
    Head,
    LinkOf,
    newest_update,
    paginate,
)
from digest.publish.opml import opml
from digest.publish.pages import (
    NOT_FOUND,
    STYLESHEET,
    archive_page,
    article_page,
    index_page,
    listing_page,
    not_found_page,
    page_path,
    stylesheet,
    stylesheet_version,
)
from digest.publish.renderers import RENDERERS
from digest.text import label_slugs

# Folders the build owns outright: anything in them it did not write is stale.
OWNED = ("articles", "regions", "themes", "archive")

# Documents loaded at once while rendering.
_BATCH = 1000

Loader = Callable[[Collection[str]], Mapping[str, Document]]
Render = Callable[[Sequence[Document]], bytes]


@dataclass(frozen=True, slots=True)
class PublishResult:
    written: int
    removed: int
    rendered: int
    keys: dict[str, str] = field(repr=False)
    changed: tuple[str, ...] = ()  # paths whose bytes changed, relative to the feeds folder


@dataclass(frozen=True, slots=True)
class _Job:
    path: str
    ids: tuple[str, ...]
    render: Render


def publish(
    refs: Sequence[DocumentRef],
    load: Loader,
    feed: FeedSettings,
    out: Path,
    *,
    site_key: str,
    keys: Mapping[str, str],
    since: datetime,
    themes: ThemeNames | None = None,
) -> PublishResult:
    """Bring `out` up to date with `refs` (newest first).

    `keys` are the output keys the previous publication returned, or {} to
    render everything (and sweep the owned folders of anything unknown).
    `since` is when the site first published: the `updated` of empty feeds.
    """
    by_id = {ref.id: ref for ref in refs}
    planned: dict[str, str] = {}
    jobs: list[_Job] = []

    def plan(path: str, ids: Sequence[str], render: Render, *context: object) -> None:
        if len(ids) == 1 and not context:
            # An article page: its document's fingerprint is key enough, and
            # hashing ten thousand of them on every build is not free.
            key = f"{site_key[:16]}|{by_id[ids[0]].fingerprint}"
        else:
            prints = [by_id[i].fingerprint for i in ids]
            blob = json.dumps([site_key, path, prints, repr(context)], default=str)
            key = hashlib.sha256(blob.encode()).hexdigest()[:32]
        planned[path] = key
        if keys.get(path) != key:
            jobs.append(_Job(path, tuple(ids), render))

    def link_of(doc: Document) -> str:
        return doc.article.url or feed.base_url + page_path(doc)

    assets = site_assets(feed)
    context = _Context(feed, link_of, since, assets)
    size = feed.max_entries
    all_ids = [ref.id for ref in refs]
    main = FeedSpec(feed.title, feed.subtitle, "")
    _plan_feed(plan, main, all_ids, context)

    # (group, [(title, path of the Atom document)]); "" is the top level.
    outlines: list[tuple[str, list[tuple[str, str]]]] = [
        ("", [(feed.title, "atom.xml"), (f"{feed.title} (RSS)", "rss.xml")])
    ]
    listed: list[tuple[str, list[FeedSpec]]] = [("", [main])]
    for kind, label in (("regions", "Regions"), ("themes", "Themes")):
        members: dict[str, list[str]] = {}
        for ref in refs:
            names = getattr(ref, kind) or (UNCLASSIFIED,)
            if kind == "themes" and themes is not None:
                # A label that names a taxonomy theme is in that theme's feed.
                names = tuple(dict.fromkeys(themes.group_of(n) for n in names))
            for name in names:
                members.setdefault(name, []).append(ref.id)
        entries = []
        specs = []
        slugs = label_slugs(members)
        for name in sorted(members, key=lambda n: (n == UNCLASSIFIED, n.casefold())):
            spec = FeedSpec(f"{feed.title}: {name}", f"{label}: {name}", f"{kind}/{slugs[name]}")
            _plan_feed(plan, spec, members[name], context)
            specs.append(spec)
            entries.append((spec.title, spec.path(Format.ATOM)))
        outlines.append((label, entries))
        listed.append((label, specs))
    outlines.append(("Digests", [(f"{feed.title}: digests", DIGESTS_FEED)]))

    subscriptions = _subscriptions(listed, feed.title)
    updated = newest_update(refs, since)
    plan("feeds.opml", [], lambda _: opml(feed, subscriptions, updated), subscriptions, updated)
    site = site_map(refs, themes)
    plan(
        "index.html",
        all_ids[:size],
        lambda docs: index_page(docs, feed, link_of, outlines, site, themes),
        outlines,
        _shape(site.everything),
        [_shape(listing) for listing in (*site.regions, *site.themes)],
    )
    for ref in refs:
        plan(page_path(ref), [ref.id], lambda docs: article_page(docs[0], feed, themes))
    for listing in (*site.regions, *site.themes):
        render = partial(_listing_page, listing, feed, link_of, themes)
        plan(listing.path, listing.ids[:size], render, _shape(listing))
        _plan_archive(plan, listing, feed, link_of, themes)
    _plan_archive(plan, site.everything, feed, link_of, themes)
    plan(NOT_FOUND, [], lambda _: not_found_page(feed))
    plan(STYLESHEET, [], lambda _: stylesheet(), stylesheet_version())

    changed: list[str] = []
    with Staged(out) as staged:

        def write(path: str, data: bytes) -> None:
            before = staged.count
            staged.add(path, data)
            if staged.count > before:
                changed.append(path)

        # Documents are loaded for a batch of jobs at a time, so memory stays
        # flat however large the archive.
        for batch in _batches(jobs, _BATCH):
            needed = {i for job in batch for i in job.ids}
            docs = load(needed) if needed else {}
            for job in batch:
                write(job.path, job.render([docs[i] for i in job.ids]))
        for path, data in assets.files:
            write(path, data)
        written = staged.count

    stale = set(keys) - set(planned)
    removed = _remove(out, stale) if keys else _sweep(out, keep=set(planned))
    return PublishResult(
        written=written, removed=removed, rendered=len(jobs), keys=planned, changed=tuple(changed)
    )


def _batches(jobs: Sequence[_Job], size: int) -> Iterator[list[_Job]]:
    """Consecutive jobs that together show at most about `size` documents."""
    batch: list[_Job] = []
    count = 0
    for job in jobs:
        if batch and count + len(job.ids) > size:
            yield batch
            batch, count = [], 0
        batch.append(job)
        count += len(job.ids)
    if batch:
        yield batch


@dataclass(frozen=True, slots=True)
class _Context:
    feed: FeedSettings
    link_of: LinkOf
    since: datetime
    assets: Assets
    # A document shows in three formats and in several feeds: its entry is
    # made once. Bounded like the batches that load documents.
    entries: dict[str, Entry] = field(default_factory=dict)

    def entry(self, doc: Document) -> Entry:
        found = self.entries.get(doc.id)
        if found is None:
            if len(self.entries) >= 2 * _BATCH:
                self.entries.clear()
            found = self.entries[doc.id] = entry_of(doc, self.feed, self.link_of)
        return found


def _plan_feed(
    plan: Callable[..., None], spec: FeedSpec, ids: Sequence[str], ctx: _Context
) -> None:
    for fmt in Format:
        for page in paginate(spec, fmt, ids, ctx.feed.max_entries):
            render = partial(_render, spec, fmt, page, ctx)
            plan(page.path, page.ids, render, page.links, spec, ctx.since)


_FORMAT_NAMES = {Format.ATOM: "", Format.RSS: " (RSS)", Format.JSON: " (JSON Feed)"}


def _subscriptions(
    listed: Sequence[tuple[str, Sequence[FeedSpec]]], title: str
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every feed in every format, grouped as feeds.opml lists them."""
    digests = FeedSpec(f"{title}: digests", "", DIGESTS_FEED.removesuffix(".xml"))
    return [
        (group, [(spec.title + _FORMAT_NAMES[f], spec.path(f)) for spec in specs for f in Format])
        for group, specs in [*listed, ("Digests", [digests])]
    ]


def _render(
    spec: FeedSpec, fmt: Format, page: FeedPage, ctx: _Context, docs: Sequence[Document]
) -> bytes:
    feed, base = ctx.feed, ctx.feed.base_url
    entries = [ctx.entry(doc) for doc in docs]
    head = Head(
        id=base + spec.path(Format.ATOM),
        title=clean(spec.title),
        subtitle=clean(spec.subtitle),
        self_url=base + page.path,
        # A region's or theme's feed belongs to its page; the main feed to the landing page.
        home_url=base + (f"{spec.stem}.html" if spec.stem else "index.html"),
        updated=newest_update(entries, ctx.since),
        language=feed.language,
        author=clean(feed.author),
        links=tuple((rel, base + path) for rel, path in page.links),
        archive=page.archive,
        icon=ctx.assets.icon,
        logo=ctx.assets.logo,
        hubs=feed.hubs,
        stylesheet=stylesheet_href(page.path) if fmt is not Format.JSON else "",
    )
    return RENDERERS[fmt](head, entries)


def _shape(listing: Listing) -> tuple[object, ...]:
    """What a page shows of a listing besides its documents: its name, size and months."""
    return (listing.name, listing.path, len(listing.ids), listing.months)


def _plan_archive(
    plan: Callable[..., None],
    listing: Listing,
    feed: FeedSettings,
    link_of: LinkOf,
    themes: ThemeNames | None,
) -> None:
    for index, page in enumerate(listing.pages):
        older, newer = listing.neighbours(index)
        render = partial(_archive_page, listing, index, feed, link_of, themes)
        neighbours = [p and (p.path, p.label) for p in (older, newer)]
        plan(page.path, page.ids, render, page.label, neighbours, listing.name, listing.path)


def _listing_page(
    listing: Listing,
    feed: FeedSettings,
    link_of: LinkOf,
    themes: ThemeNames | None,
    docs: Sequence[Document],
) -> bytes:
    return listing_page(listing, docs, feed, link_of, themes)


def _archive_page(
    listing: Listing,
    index: int,
    feed: FeedSettings,
    link_of: LinkOf,
    themes: ThemeNames | None,
    docs: Sequence[Document],
) -> bytes:
    return archive_page(listing, index, docs, feed, link_of, themes)


def _remove(out: Path, stale: set[str]) -> int:
    removed = 0
    for rel in sorted(stale):
        path = out / rel
        if rel.split("/", 1)[0] in OWNED and path.is_file():
            path.unlink()
            removed += 1
            _drop_empty_parents(path.parent, out)
    return removed


def _sweep(out: Path, *, keep: set[str]) -> int:
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


def _drop_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
