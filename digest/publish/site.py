"""Write every output file for the published documents, and remove what no longer belongs.

Publishing is planned before anything is rendered: every output file gets a key
made of what it shows (its entries' fingerprints, its links, the site settings),
and only files whose key changed are rendered and only their documents loaded.
So a one-file change rewrites a handful of files, not the whole archive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from digest.config import FeedSettings
from digest.enrich.themes import ThemeNames
from digest.errors import PublishError
from digest.model import DIGESTS_FEED, UNCLASSIFIED, Document, DocumentRef
from digest.publish.assets import site_assets, stylesheet_href
from digest.publish.atomic import Staged
from digest.publish.browse import Listing, SiteMap, filed_under, site_map
from digest.publish.entries import clean
from digest.publish.feeds import (
    FeedPage,
    FeedSpec,
    Format,
    Head,
    archive_periods,
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
from digest.publish.render import (
    Context,
    Decode,
    Job,
    Render,
    Renderer,
    Run,
    as_document,
    in_process,
    tasks,
)
from digest.publish.renderers import RENDERERS
from digest.text import label_slugs

# Folders the build owns outright: anything in them it did not write is stale.
OWNED = ("articles", "regions", "themes", "archive")

# Documents one rendering task shows (see render.tasks).
_TASK = 100

Loader = Callable[[Collection[str]], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class PublishResult:
    written: int
    removed: int
    rendered: int
    keys: dict[str, str] = field(repr=False)
    changed: tuple[str, ...] = ()  # paths whose bytes changed, relative to the feeds folder


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
    decode: Decode = as_document,
    run: Run = in_process,
) -> PublishResult:
    """Bring `out` up to date with `refs` (newest first).

    `keys` are the output keys the previous publication returned, or {} to
    render everything (and sweep the owned folders of anything unknown).
    `since` is when the site first published: the `updated` of empty feeds.
    `load` gives, for some ids, what `decode` makes their documents of;
    `run` renders tasks, in this process or in workers (see render.py).
    """
    prints = {ref.id: ref.fingerprint for ref in refs}
    planned: dict[str, str] = {}
    jobs: list[Job] = []
    # The formats of a feed page show the same documents, planned one after
    # the other: their fingerprints are hashed once.
    last: list[Any] = [(), hashlib.sha256()]

    def plan(path: str, ids: Sequence[str], render: Render, *context: object) -> None:
        if len(ids) == 1 and not context:
            # An article page: its document's fingerprint is key enough, and
            # hashing ten thousand of them on every build is not free.
            key = f"{site_key[:16]}|{prints[ids[0]]}"
        else:
            if ids != last[0]:
                last[:] = [ids, hashlib.sha256("\n".join(prints[i] for i in ids).encode())]
            digest = last[1].copy()
            digest.update(f"\0{site_key}\0{path}\0{context!r}".encode())
            key = digest.hexdigest()[:32]
        planned[path] = key
        if keys.get(path) != key:
            jobs.append(Job(path, tuple(ids), render))

    assets = site_assets(feed)
    size = feed.max_entries
    all_ids = [ref.id for ref in refs]
    # The UTC day of each document's publication, which files it in archives.
    days = {ref.id: ref.published.astimezone(UTC).date().isoformat() for ref in refs}
    main = FeedSpec(feed.title, feed.subtitle, "")
    _plan_feed(plan, main, all_ids, days, feed, since)

    # (group, [(title, path of the Atom document)]); "" is the top level.
    outlines: list[tuple[str, list[tuple[str, str]]]] = [
        ("", [(feed.title, "atom.xml"), (f"{feed.title} (RSS)", "rss.xml")])
    ]
    listed: list[tuple[str, list[FeedSpec]]] = [("", [main])]
    groups: dict[tuple[str, ...], tuple[str, ...]] = {}
    for kind, label in (("regions", "Regions"), ("themes", "Themes")):
        members: dict[str, list[str]] = {}
        for ref in refs:
            names = getattr(ref, kind) or (UNCLASSIFIED,)
            if kind == "themes" and themes is not None:
                # A label that names a taxonomy theme is in that theme's feed.
                names = filed_under(themes, names, groups)
            for name in names:
                members.setdefault(name, []).append(ref.id)
        entries = []
        specs = []
        slugs = label_slugs(members)
        for name in sorted(members, key=lambda n: (n == UNCLASSIFIED, n.casefold())):
            spec = FeedSpec(f"{feed.title}: {name}", f"{label}: {name}", f"{kind}/{slugs[name]}")
            _plan_feed(plan, spec, members[name], days, feed, since)
            specs.append(spec)
            entries.append((spec.title, spec.path(Format.ATOM)))
        outlines.append((label, entries))
        listed.append((label, specs))
    outlines.append(("Digests", [(f"{feed.title}: digests", DIGESTS_FEED)]))

    subscriptions = _subscriptions(listed, feed.title)
    updated = newest_update(refs, since)
    plan("feeds.opml", [], partial(_opml, subscriptions, updated), subscriptions, updated)
    site = site_map(refs, themes, months={i: day[:7] for i, day in days.items()})
    plan(
        "index.html",
        all_ids[:size],
        partial(_index_page, outlines, site),
        outlines,
        _shape(site.everything),
        [_shape(listing) for listing in (*site.regions, *site.themes)],
    )
    for ref in refs:
        plan(page_path(ref), [ref.id], _article_page)
    for listing in (*site.regions, *site.themes):
        plan(listing.path, listing.ids[:size], partial(_listing_page, listing), _shape(listing))
        _plan_archive(plan, listing)
    _plan_archive(plan, site.everything)
    plan(NOT_FOUND, [], _not_found_page)
    plan(STYLESHEET, [], _stylesheet, stylesheet_version())

    changed: list[str] = []
    renderer = Renderer(feed, themes, since, out, decode)
    age = {doc_id: -n for n, doc_id in enumerate(all_ids)}
    jobs.sort(key=lambda job: _near(job, age))
    with Staged(out) as staged:
        for done in run(renderer, tasks(jobs, load, _TASK)):
            for path, tmp in done.staged:
                if tmp is not None:
                    staged.adopt(path, tmp)
                    changed.append(path)
            if done.error:
                raise PublishError(done.error)
        for path, data in assets.files:
            before = staged.count
            staged.add(path, data)
            if staged.count > before:
                changed.append(path)
        written = staged.count

    stale = set(keys) - set(planned)
    removed = _remove(out, stale) if keys else _sweep(out, keep=set(planned))
    return PublishResult(
        written=written, removed=removed, rendered=len(jobs), keys=planned, changed=tuple(changed)
    )


def _near(job: Job, age: Mapping[str, int]) -> tuple[str, int]:
    """Where a job's documents sit: its region or theme ("" for the whole site)
    and the age of its oldest document.

    Jobs in that order share documents with their neighbours: a month's
    archive pages, its feed archive documents and its articles fall into the
    same tasks, so each document's row is loaded once per listing, not once
    per file.
    """
    path = job.path.removeprefix("archive/")
    group = path.rsplit("/", 1)[0] if path.startswith(("regions/", "themes/")) else ""
    return group, age[job.ids[-1]] if job.ids else 0


def _plan_feed(
    plan: Callable[..., None], spec: FeedSpec, ids: Sequence[str], days: Mapping[str, str],
    feed: FeedSettings, since: datetime,
) -> None:  # fmt: skip
    # The formats of one page show the same entries: planned side by side,
    # they are rendered in one task, which makes each entry once.
    size = feed.max_entries
    periods = archive_periods([(i, days[i]) for i in ids], size) if len(ids) > size else []
    pages = [paginate(spec, fmt, ids, periods, size) for fmt in Format]
    for same in zip(*pages, strict=True):
        for fmt, page in zip(Format, same, strict=True):
            plan(page.path, page.ids, partial(_render, spec, fmt, page), page.links, spec, since)


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
    spec: FeedSpec, fmt: Format, page: FeedPage, ctx: Context, docs: Sequence[Document]
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


def _plan_archive(plan: Callable[..., None], listing: Listing) -> None:
    for index, page in enumerate(listing.pages):
        older, newer = listing.neighbours(index)
        # An archive page shows its listing's name and its neighbours, not
        # the listing's every id: only those travel with its task.
        around = tuple(p for p in (older, page, newer) if p is not None)
        slim = replace(listing, ids=(), pages=around)
        render = partial(_archive_page, slim, 1 if older else 0)
        neighbours = [p and (p.path, p.label) for p in (older, newer)]
        plan(page.path, page.ids, render, page.label, neighbours, listing.name, listing.path)


def _opml(
    subscriptions: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    updated: datetime,
    ctx: Context,
    docs: Sequence[Document],
) -> bytes:
    return opml(ctx.feed, subscriptions, updated)


def _index_page(
    outlines: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    site: SiteMap,
    ctx: Context,
    docs: Sequence[Document],
) -> bytes:
    return index_page(docs, ctx.feed, ctx.link_of, outlines, site, ctx.themes)


def _article_page(ctx: Context, docs: Sequence[Document]) -> bytes:
    return article_page(docs[0], ctx.feed, ctx.themes)


def _listing_page(listing: Listing, ctx: Context, docs: Sequence[Document]) -> bytes:
    return listing_page(listing, docs, ctx.feed, ctx.link_of, ctx.themes)


def _archive_page(listing: Listing, index: int, ctx: Context, docs: Sequence[Document]) -> bytes:
    return archive_page(listing, index, docs, ctx.feed, ctx.link_of, ctx.themes)


def _not_found_page(ctx: Context, docs: Sequence[Document]) -> bytes:
    return not_found_page(ctx.feed)


def _stylesheet(ctx: Context, docs: Sequence[Document]) -> bytes:
    return stylesheet()


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
