"""Write every output file for the published documents, and remove what no longer belongs.

Publishing is planned before anything is rendered: every output file gets a key
made of what it shows (its entries' fingerprints, its links, the site settings),
and only files whose key changed are rendered and only their documents loaded.
So a one-file change rewrites a handful of files, not the whole archive.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
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
from digest.publish.browse import Listing, SiteMap, filed_under, site_map_of
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
from digest.publish.periods import stamp
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
    changes: Changes | None = None,
) -> PublishResult:
    """Bring `out` up to date with `refs` (newest first).

    `keys` are the output keys the previous publication returned, or {} to
    render everything (and sweep the owned folders of anything unknown).
    `changes` are the documents changed since that publication, as it showed
    them (None: not shown): given them, only the files they touch are planned
    again, and every other keeps its key. Without them everything is planned.
    `since` is when the site first published: the `updated` of empty feeds.
    `load` gives, for some ids, what `decode` makes their documents of;
    `run` renders tasks, in this process or in workers (see render.py).
    """
    if changes is not None and (not keys or len(changes) > _MOST_CHANGES):
        changes = None
    plan = _Plan({ref.id: ref.fingerprint for ref in refs}, site_key, keys)
    assets = site_assets(feed)
    site = _Site.of(refs, feed, themes, since)
    if changes is None or not _plan_changes(plan, site, changes):
        plan = _Plan(plan.prints, site_key, keys)
        _plan_everything(plan, site)
        stale = set(keys) - set(plan.planned)
        planned = plan.planned
    else:
        stale = plan.dropped - set(plan.planned)
        planned = {path: key for path, key in keys.items() if path not in stale}
        planned.update(plan.planned)
    jobs = list(plan.jobs.values())

    changed: list[str] = []
    renderer = Renderer(feed, themes, since, out, decode)
    age = {doc_id: -n for n, doc_id in enumerate(site.all_ids)}
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

    removed = _remove(out, stale) if keys else _sweep(out, keep=set(planned))
    return PublishResult(
        written=written, removed=removed, rendered=len(jobs), keys=planned, changed=tuple(changed)
    )


# Documents changed since the last publication, as it showed them (None: not at all).
Changes = Mapping[str, DocumentRef | None]

# Past this many changed documents (a new taxonomy re-files them all), planning
# everything is as quick as working out what they touch.
_MOST_CHANGES = 500


class _Plan:
    """The output files planned so far: each one's key, and the jobs to render
    those whose key is not the one they were last rendered from."""

    def __init__(self, prints: Mapping[str, str], site_key: str, keys: Mapping[str, str]) -> None:
        self.prints = prints
        self.site_key = site_key
        self.keys = keys
        self.planned: dict[str, str] = {}
        self.jobs: dict[str, Job] = {}
        # Paths that may no longer belong to the site (see _plan_changes).
        self.dropped: set[str] = set()
        # The formats of a feed page show the same documents, planned one after
        # the other: their fingerprints are hashed once.
        self._last: tuple[Sequence[str], Any] = ((), hashlib.sha256())

    def __call__(self, path: str, ids: Sequence[str], render: Render, *context: object) -> None:
        if len(ids) == 1 and not context:
            # An article page: its document's fingerprint is key enough, and
            # hashing ten thousand of them on every build is not free.
            key = f"{self.site_key[:16]}|{self.prints[ids[0]]}"
        else:
            if ids != self._last[0]:
                joined = "\n".join(self.prints[i] for i in ids)
                self._last = (ids, hashlib.sha256(joined.encode()))
            digest = self._last[1].copy()
            digest.update(f"\0{self.site_key}\0{path}\0{context!r}".encode())
            key = digest.hexdigest()[:32]
        self.planned[path] = key
        if self.keys.get(path) != key:
            self.jobs[path] = Job(path, tuple(ids), render)


@dataclass(frozen=True, slots=True)
class _Feed:
    """One logical feed and its listing: the main one (kind "") or a region's or theme's."""

    kind: str
    name: str
    spec: FeedSpec
    ids: Sequence[str]  # newest first


@dataclass(slots=True)
class _Site:
    """What planning knows of the whole site, from its documents' refs alone."""

    feed: FeedSettings
    themes: ThemeNames | None
    since: datetime
    refs: Sequence[DocumentRef]
    all_ids: list[str]
    stamps: dict[str, str]  # each document's periods.stamp: files it in archives
    feeds: list[_Feed]  # the main feed, then regions', then themes'
    outlines: list[tuple[str, list[tuple[str, str]]]]
    subscriptions: list[tuple[str, list[tuple[str, str]]]]
    slugs: dict[str, dict[str, str]]  # kind -> label -> slug
    groups: dict[tuple[str, ...], tuple[str, ...]]
    site: SiteMap

    @classmethod
    def of(
        cls,
        refs: Sequence[DocumentRef],
        feed: FeedSettings,
        themes: ThemeNames | None,
        since: datetime,
    ) -> _Site:
        all_ids = [ref.id for ref in refs]
        stamps = {ref.id: stamp(ref.published) for ref in refs}
        main = FeedSpec(feed.title, feed.subtitle, "")
        feeds = [_Feed("", "", main, all_ids)]
        # (group, [(title, path of the Atom document)]); "" is the top level.
        outlines: list[tuple[str, list[tuple[str, str]]]] = [
            ("", [(feed.title, "atom.xml"), (f"{feed.title} (RSS)", "rss.xml")])
        ]
        listed: list[tuple[str, list[FeedSpec]]] = [("", [main])]
        groups: dict[tuple[str, ...], tuple[str, ...]] = {}
        all_slugs: dict[str, dict[str, str]] = {}
        by_kind: dict[str, dict[str, list[str]]] = {}
        for kind, label in (("regions", "Regions"), ("themes", "Themes")):
            members: dict[str, list[str]] = {}
            by_kind[kind] = members
            for ref in refs:
                for name in _filed(ref, kind, themes, groups):
                    members.setdefault(name, []).append(ref.id)
            entries = []
            specs = []
            slugs = all_slugs[kind] = label_slugs(members)
            for name in sorted(members, key=lambda n: (n == UNCLASSIFIED, n.casefold())):
                title, subtitle = f"{feed.title}: {name}", f"{label}: {name}"
                spec = FeedSpec(title, subtitle, f"{kind}/{slugs[name]}")
                feeds.append(_Feed(kind, name, spec, members[name]))
                specs.append(spec)
                entries.append((spec.title, spec.path(Format.ATOM)))
            outlines.append((label, entries))
            listed.append((label, specs))
        outlines.append(("Digests", [(f"{feed.title}: digests", DIGESTS_FEED)]))
        site = site_map_of(all_ids, by_kind, stamps)
        return cls(
            feed, themes, since, refs, all_ids, stamps, feeds, outlines,
            _subscriptions(listed, feed.title), all_slugs, groups, site,
        )  # fmt: skip

    def listing(self, kind: str, name: str) -> Listing:
        if not kind:
            return self.site.everything
        listings = self.site.regions if kind == "regions" else self.site.themes
        return next(listing for listing in listings if listing.name == name)


def _filed(
    ref: DocumentRef,
    kind: str,
    themes: ThemeNames | None,
    groups: dict[tuple[str, ...], tuple[str, ...]],
) -> tuple[str, ...]:
    """The regions or themes whose feeds and pages list a document."""
    names: tuple[str, ...] = getattr(ref, kind) or (UNCLASSIFIED,)
    if kind == "themes" and themes is not None:
        # A label that names a taxonomy theme is in that theme's feed.
        names = filed_under(themes, names, groups)
    return names


def _plan_everything(plan: _Plan, site: _Site) -> None:
    feed = site.feed
    for each in site.feeds:
        _plan_feed(plan, each.spec, each.ids, site.stamps, feed, site.since)
    _plan_index(plan, site)
    for ref in site.refs:
        plan(page_path(ref), [ref.id], _article_page)
    for listing in (*site.site.regions, *site.site.themes):
        _plan_listing(plan, listing, feed.max_entries)
        _plan_archive(plan, listing)
    _plan_archive(plan, site.site.everything)
    _plan_fixed(plan)


def _plan_index(plan: _Plan, site: _Site) -> None:
    """feeds.opml and index.html, which show every feed and listing."""
    updated = newest_update(site.refs, site.since)
    subscriptions = site.subscriptions
    plan("feeds.opml", [], partial(_opml, subscriptions, updated), subscriptions, updated)
    listings = site.site
    plan(
        "index.html",
        site.all_ids[: site.feed.max_entries],
        partial(_index_page, site.outlines, listings),
        site.outlines,
        _shape(listings.everything),
        [_shape(listing) for listing in (*listings.regions, *listings.themes)],
    )


def _plan_listing(plan: _Plan, listing: Listing, size: int) -> None:
    plan(listing.path, listing.ids[:size], partial(_listing_page, listing), _shape(listing))


def _plan_fixed(plan: _Plan) -> None:
    plan(NOT_FOUND, [], _not_found_page)
    plan(STYLESHEET, [], _stylesheet, stylesheet_version())


def _plan_changes(plan: _Plan, site: _Site, changes: Changes) -> bool:
    """Plan only the files that `changes` touch; False when that cannot be told
    apart from planning everything (a label's slug moved).

    A changed document touches its own page, and in each feed and listing it
    was or is in: the newest documents (main feed documents, the listing's
    page), the archive documents and pages of its month, and the one on
    either side of those (their links name them). Paths planned before under
    those months, and those of feeds gone, are `plan.dropped`.
    """
    feed, size = site.feed, site.feed.max_entries
    now = {ref.id: ref for ref in site.refs if ref.id in changes}
    # (kind, name) -> UTC months touched in it, and how many documents it had then.
    touched: dict[tuple[str, str], set[str]] = {}
    had: dict[tuple[str, str], int] = {}
    groups = site.groups
    for before, weight in ((list(changes.values()), 1), (list(now.values()), -1)):
        for ref in before:
            if ref is None:
                continue
            month = ref.published.astimezone(UTC).strftime("%Y-%m")
            where = [("", "")]
            where += [("regions", n) for n in _filed(ref, "regions", site.themes, groups)]
            where += [("themes", n) for n in _filed(ref, "themes", site.themes, groups)]
            for key in where:
                touched.setdefault(key, set()).add(month)
                had[key] = had.get(key, 0) + weight
    feeds = {(each.kind, each.name): each for each in site.feeds}
    # A label come or gone can move another's slug (see label_slugs): then
    # every file of that label moves, which only planning everything sees.
    counted = {key: len(each.ids) for key, each in feeds.items()}
    then = {key: counted.get(key, 0) + had.get(key, 0) for key in {*counted, *touched}}
    slugs_then: dict[str, dict[str, str]] = {}
    for kind in ("regions", "themes"):
        slugs_then[kind] = label_slugs(n for (k, n), count in then.items() if k == kind and count)
        slugs_now = site.slugs[kind]
        if any(slugs_now[n] != slug for n, slug in slugs_then[kind].items() if n in slugs_now):
            return False
    old_paths = _by_folder(plan.keys)
    for (kind, name), months in touched.items():
        each = feeds.get((kind, name))
        if each is None:
            spec = FeedSpec("", "", f"{kind}/{slugs_then[kind][name]}")
            plan.dropped.update(spec.path(fmt) for fmt in Format)
            plan.dropped.update(_under(old_paths, _archive_folders(spec), None))
            plan.dropped.add(f"{spec.stem}.html")
            plan.dropped.update(_under(old_paths, [spec.stem], None))
            continue
        everything = min(counted[kind, name], then[kind, name]) <= size
        _plan_feed(plan, each.spec, each.ids, site.stamps, feed, site.since,
                   months=None if everything else months)  # fmt: skip
        folders = _archive_folders(each.spec)
        plan.dropped.update(_under(old_paths, folders, None if everything else months))
        listing = site.listing(kind, name)
        if kind:
            _plan_listing(plan, listing, size)
        _plan_archive(plan, listing, months)
        folder = listing.path.removesuffix(".html") if kind else "archive"
        plan.dropped.update(_under(old_paths, [folder], months))
    for doc_id, ref in changes.items():
        if doc_id in now:
            plan(page_path(now[doc_id]), [doc_id], _article_page)
        if ref is not None:
            plan.dropped.add(page_path(ref))
    _plan_index(plan, site)
    _plan_fixed(plan)
    return True


def _archive_folders(spec: FeedSpec) -> list[str]:
    return [spec.archive(fmt, "").rpartition("/")[0] for fmt in Format]


def _by_folder(keys: Mapping[str, str]) -> dict[str, list[str]]:
    """Output paths by folder."""
    folders: dict[str, list[str]] = {}
    for path in keys:
        folders.setdefault(path.rpartition("/")[0], []).append(path)
    return folders


def _under(
    by_folder: Mapping[str, list[str]], folders: Iterable[str], months: Collection[str] | None
) -> list[str]:
    """Paths in these folders (not below them) of these months ("2025-01..."; None: any)."""
    found = []
    for folder in folders:
        for path in by_folder.get(folder, ()):
            name = path[len(folder) + 1 :]
            if months is None or name[:7] in months:
                found.append(path)
    return found


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
    plan: Callable[..., None], spec: FeedSpec, ids: Sequence[str], stamps: Mapping[str, str],
    feed: FeedSettings, since: datetime, months: Collection[str] | None = None,
) -> None:  # fmt: skip
    """Plan a feed's documents: all of them, or with `months` (UTC, "2025-01") the
    main ones and the archive documents of those months and beside them."""
    # The formats of one page show the same entries: planned side by side,
    # they are rendered in one task, which makes each entry once.
    size = feed.max_entries
    stamped = [(i, stamps[i]) for i in ids] if len(ids) > size else []
    if months is not None and stamped:
        # Months are cut alone: those touched, the two non-empty ones on either
        # side (what the documents beside them link to) and the newest (what
        # the main document links to) are all the planned documents show.
        held = sorted({stamp[:7] for _, stamp in stamped})
        wanted = {held[-1]}
        for month in months:
            first, last = bisect_left(held, month), bisect_right(held, month)
            wanted.update(held[max(first - 2, 0) : last + 2])
        stamped = [item for item in stamped if item[1][:7] in wanted]
    periods = archive_periods(stamped, size)
    pages = [paginate(spec, fmt, ids, periods, size) for fmt in Format]
    if months is None:
        chosen: Iterable[int] = range(len(pages[0]))
    else:
        # pages[0] is the main document; the archive documents follow, oldest first.
        around = _around([name[:7] for name, _ in periods], months)
        chosen = [0, *(1 + n for n in around)]
    for n in chosen:
        for fmt, formats in zip(Format, pages, strict=True):
            page = formats[n]
            plan(page.path, page.ids, partial(_render, spec, fmt, page), page.links, spec, since)


def _around(months: Sequence[str], touched: Collection[str]) -> list[int]:
    """Indexes in `months` (sorted) of the items of the touched months, and of the
    items on either side of those (or of where they would be)."""
    chosen: set[int] = set()
    for month in touched:
        first, last = bisect_left(months, month), bisect_right(months, month)
        chosen.update(range(max(first - 1, 0), min(last + 1, len(months))))
    return sorted(chosen)


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


def _plan_archive(
    plan: Callable[..., None], listing: Listing, months: Collection[str] | None = None
) -> None:
    """Plan a listing's archive pages: all, or those of `months` and beside them."""
    pages = listing.pages
    chosen = range(len(pages)) if months is None else _around([p.month for p in pages], months)
    for index in chosen:
        page = pages[index]
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
