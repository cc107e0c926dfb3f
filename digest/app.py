"""The application: one object that runs builds and answers status for a configuration.

`make_app` is the only factory; tests build it with a real store on tmp_path
and, where time matters, their own clock.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from digest import __version__
from digest.config import Config
from digest.errors import PublishError, describe
from digest.future_dates import trusted_dates
from digest.lease import Lease, survey
from digest.lock import is_locked
from digest.model import DIGESTS_FEED, Article, Document, DocumentRef, Rejected
from digest.publish.atomic import sweep_staging, write_atomic
from digest.scan import Candidate, scan, signature
from digest.store import IndexRow, Rejection, Store
from digest.text import slugify

# Parsing, enrichment, rendering and mail pull in heavy libraries; they are
# imported where they are used so that a rebuild with nothing to do (and
# `status`) starts in a fraction of the time.
if TYPE_CHECKING:
    from digest.enrich.pipeline import Enriched
    from digest.enrich.themes import ThemeModel
    from digest.ingest import Ingest
    from digest.mail.service import Mailer, SendReport
    from digest.parallel import Workers
    from digest.publish.site import Changes, PublishResult
    from digest.publish.websub import HubNotifier

Clock = Callable[[], datetime]
T = TypeVar("T")
R = TypeVar("R")

# Labelled documents a theme learns from, newest first (see Store.labelled_examples).
EXAMPLES_PER_THEME = 500
# Unlabelled documents, newest first, the theme model teaches itself from: enough
# to learn a corpus's vocabulary, few enough to train in about a second.
SELF_TRAINING_DOCUMENTS = 2000
# The state folder's subfolder of compiled page templates (see keep_compiled_templates).
COMPILED_TEMPLATES = "templates"


class Progress(Protocol):
    """What a build reports as it goes; the CLI draws it, tests may count it."""

    def start(self, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass(slots=True)
class BuildResult:
    published: int = 0
    updated: int = 0
    unchanged: int = 0
    renamed: int = 0
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # (path, warning) for every field a document read this build dropped or flagged.
    warnings: list[tuple[str, str]] = field(default_factory=list)
    files_written: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.published or self.updated or self.renamed or self.removed)

    def line(self) -> str:
        return (
            f"published {self.published}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {len(self.rejected)}"
            + (f", renamed {self.renamed}" if self.renamed else "")
            + (f", removed {self.removed}" if self.removed else "")
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def make_app(
    config: Config,
    *,
    lease: Lease | None = None,
    _store: Store | None = None,
    _now: Clock | None = None,
) -> App:
    """`lease`: this instance's, when several share the database; it sends only while held."""
    store = _store or Store(config.paths.database)
    return App(config, store, _now or _utc_now, lease)


class App:
    def __init__(
        self, config: Config, store: Store, now: Clock, lease: Lease | None = None
    ) -> None:
        self.config = config
        self.store = store
        self.now = now
        self.lease = lease
        self._hubs: HubNotifier | None = None
        # Worker processes, started when first needed and kept until close():
        # the daemon's builds reuse them warm.
        self._workers: Workers | None = None
        # What this process published last: the daemon's next build reads only
        # the documents changed since, not every document and output key.
        self._last: _Published | None = None

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
        if self._hubs is not None:
            self._hubs.close()
        self.store.close()

    @property
    def hubs(self) -> HubNotifier:
        """The WebSub notifier, made on first use: most builds have nothing to announce."""
        if self._hubs is None:
            from digest.publish.websub import HubNotifier

            self._hubs = HubNotifier(self.config.feed.hubs)
        return self._hubs

    def build(self, progress: Progress | None = None) -> BuildResult:
        """One incremental pass: read what changed, record it, republish if needed."""
        progress = progress or _Silent()
        result = BuildResult()
        now = self.now()
        sweep_staging(self.config.paths.state, recursive=False)
        candidates = scan(self.config.paths.seeds, self.config.ingest.ignore)
        progress.start(len(candidates))
        site_key = self._site_key()
        # The folder as the last complete build left it, and what shaped its output:
        # when both are the same, a full pass would read, write and publish nothing.
        unchanged_key = hashlib.sha256(f"{site_key}\n{signature(candidates)}".encode()).hexdigest()
        if self._nothing_changed(unchanged_key):
            self._recount(candidates, result)
            progress.advance(len(candidates))
            with self.store.transaction():
                self.store.set_meta("last_build", now.isoformat())
                self.store.set_meta("last_build_result", json.dumps(result.line()))
            return result
        with self.store.transaction():
            self.store.set_meta("unchanged_key", "")
            changed_ids = self._ingest(candidates, now, result, progress)
            changed_ids |= self._reclassify()
            if changed_ids or result.removed:
                # Cleared only once the feeds are written: a failed publication
                # (disk full, permissions) is retried by the next build.
                self.store.set_meta("publish_pending", "1")
            self.store.set_meta("last_build", now.isoformat())
            self.store.set_meta("last_build_result", json.dumps(result.line()))
        feeds = self.config.paths.feeds
        outputs_missing = not all((feeds / name).exists() for name in ("atom.xml", DIGESTS_FEED))
        same_site = self.store.get_meta("site_key") == site_key
        pending = self.store.get_meta("publish_pending") == "1"
        if pending or outputs_missing or not same_site:
            if not pending:
                # Marked first, so that a publication killed half-way is redone,
                # and its staging files swept, by the next build.
                self.store.set_meta("publish_pending", "1")
            # What this process published last, if nobody published since.
            last = self._last
            if last is not None and last.token != self.store.get_meta("publication"):
                last = self._last = None
            previous = dict(last.keys) if last else self.store.output_keys()
            keys = previous if same_site and not outputs_missing else {}
            # What changed since the last publication, when it is all on record.
            tracked = keys and self.store.get_meta("changes_tracked") == "1"
            changes = self.store.changes() if tracked else None
            if last is not None and changes is not None:
                refs = _patched(last.refs, changes, self.store.refs_of(changes))
            else:
                refs = self.store.refs()
            try:
                if last is None:
                    # Temp files a publication killed half-way left (this process
                    # completed the last one, when it has `last`).
                    sweep_staging(feeds)
                written = self._publish(site_key, keys, changes, refs)
            except OSError as exc:
                self._last = None  # it may have left temp files: sweep next time
                where = exc.filename or feeds
                raise PublishError(f"cannot write {where}: {exc.strerror or exc}") from None
            except BaseException:
                self._last = None
                raise
            result.files_written = written.written
            token = os.urandom(8).hex()
            with self.store.transaction():
                self.store.save_output_keys(written.keys, previous)
                self.store.clear_changes()
                self.store.set_meta("changes_tracked", "1")
                self.store.set_meta("publication", token)
                self.store.set_meta("site_key", site_key)
                self.store.set_meta("publish_pending", "0")
            self._last = _Published(token, refs, written.keys)
            if self.config.feed.hubs:
                from digest.publish.websub import changed_topics

                self.hubs.notify(changed_topics(written.changed, self.config.feed.base_url))
        self.store.set_meta("unchanged_key", unchanged_key)
        return result

    def _nothing_changed(self, unchanged_key: str) -> bool:
        """Whether the last build completed on these very files and settings, and its
        output is still there: then a full pass, which costs reading the whole index,
        would change nothing."""
        store, feeds = self.store, self.config.paths.feeds
        return (
            store.get_meta("unchanged_key") == unchanged_key
            and store.get_meta("publish_pending") != "1"
            and all((feeds / name).exists() for name in ("atom.xml", DIGESTS_FEED))
        )

    def _recount(self, candidates: list[Candidate], result: BuildResult) -> None:
        """What a full pass over unchanged files reports: each file is published as it
        was, or rejected again for the reason recorded with its stat."""
        rejected = self.store.rejections()
        stats = {c.relpath: (c.size, c.mtime_ns) for c in candidates} if rejected else {}
        result.rejected.extend(
            rejected[path]
            for path in sorted(rejected)
            if stats.get(path) == (rejected[path].size, rejected[path].mtime_ns)
        )
        result.unchanged = len(candidates) - len(result.rejected)

    def _publish(
        self,
        site_key: str,
        keys: dict[str, str],
        changes: Changes | None,
        refs: Sequence[DocumentRef],
    ) -> PublishResult:
        from dataclasses import replace

        from digest.enrich.themes import theme_names
        from digest.mail.archive import digests_feed
        from digest.parallel import map_documents
        from digest.publish.pages import keep_compiled_templates
        from digest.publish.render import Rendered, Renderer, Task, render_failed, render_task
        from digest.publish.site import publish
        from digest.store import page_document

        def run(renderer: Renderer, tasks: Iterable[Task]) -> Iterator[Rendered]:
            # The workers that ingested render too: one pool, kept warm.
            return map_documents(
                render_task, renderer, tasks, failed=render_failed, pool=self._pool()
            )

        feeds = self.config.paths.feeds
        since = self._since()
        # Pages rendered in this process (a small change) load their templates compiled.
        keep_compiled_templates(self.config.paths.state / COMPILED_TEMPLATES)
        published = publish(
            refs,
            self.store.page_rows,
            self.config.feed,
            feeds,
            site_key=site_key,
            keys=keys,
            themes=theme_names(self.config.themes),
            since=since,
            decode=page_document,
            run=run,
            changes=changes,
        )
        # The digest archive feed is listed in feeds.opml from the start, so it
        # exists (empty until the first digest) and follows feed settings.
        digests = digests_feed(self.store.digests(), self.config.feed, since=since)
        changed = [path for path, data in digests.items() if write_atomic(feeds / path, data)]
        return replace(
            published,
            written=published.written + len(changed),
            changed=(*published.changed, *changed),
        )

    def _since(self) -> datetime:
        """When this site first published: what a feed with no entries is dated."""
        since = self.store.get_meta("first_publish")
        if since is None:
            since = self.now().isoformat()
            with self.store.transaction():
                self.store.set_meta("first_publish", since)
        return datetime.fromisoformat(since)

    def _ingest(
        self, candidates: list[Candidate], now: datetime, result: BuildResult, progress: Progress
    ) -> set[str]:
        store = self.store
        index = store.index()
        rejections = store.rejections()
        by_hash = {row.content_hash: row for row in index.values()}
        present = {c.relpath for c in candidates}
        gone = {path: row for path, row in index.items() if path not in present}
        for path in set(rejections) - present:
            store.forget_rejection(path)

        def reject(cand: Candidate, reason: str) -> None:
            rejection = Rejection(cand.relpath, reason, cand.size, cand.mtime_ns, now)
            store.reject(rejection)
            result.rejected.append(rejection)

        todo: list[tuple[Candidate, str]] = []
        claimed: dict[str, str] = {}  # content hash -> path, for this build's new content
        for cand in candidates:
            row = index.get(cand.relpath)
            if row and (row.size, row.mtime_ns) == (cand.size, cand.mtime_ns):
                result.unchanged += 1
                progress.advance()
                continue
            old = rejections.get(cand.relpath)
            if old and (old.size, old.mtime_ns) == (cand.size, cand.mtime_ns):
                result.rejected.append(old)
                progress.advance()
                continue
            if cand.refused:
                reject(cand, cand.refused)
                progress.advance()
                continue
            verdict = self._triage(cand, row, by_hash, gone, claimed, result)
            if isinstance(verdict, Rejected):
                reject(cand, verdict.reason)
            elif verdict:
                todo.append((cand, verdict))
                claimed[verdict] = cand.relpath
                continue
            progress.advance()

        for row in gone.values():
            store.delete(row.id)
            result.removed += 1

        changed: set[str] = set()
        if not todo:
            return changed
        from digest.ingest import failed, prepare

        ingest = self._ingest_models()
        # Every slug in use, read when a new document first needs one (an edit never does).
        slugs = cache(store.slugs)
        jobs = [(cand.relpath, cand.path) for cand, _ in todo]
        outcomes = self._map(prepare, ingest, jobs, failed)
        for n, ((cand, digest), outcome) in enumerate(zip(todo, outcomes, strict=True)):
            progress.advance()
            # A rejected edit leaves the previous version published: its
            # index row keeps the old stat, so the next build looks again.
            if isinstance(outcome, Rejected):
                reject(cand, outcome.reason)
                continue
            row = index.get(cand.relpath)
            old_doc = store.document(row.id) if row else None
            article, enriched = outcome
            # Each document is seen at its own instant, in scan order: entries
            # from one build stay ordered and never share one `updated`.
            seen = now + timedelta(microseconds=n)
            try:
                doc = self._document(cand, digest, article, enriched, old_doc, seen, slugs)
            except Exception as exc:
                reject(cand, f"cannot file it: {describe(exc)}")
                continue
            result.warnings.extend((cand.relpath, warning) for warning in doc.article.warnings)
            store.put(doc, size=cand.size, mtime_ns=cand.mtime_ns)
            store.forget_rejection(cand.relpath)
            changed.add(doc.id)
            if old_doc:
                result.updated += 1
            else:
                result.published += 1
        return changed

    def _triage(
        self,
        cand: Candidate,
        row: IndexRow | None,
        by_hash: dict[str, IndexRow],
        gone: dict[str, IndexRow],
        claimed: dict[str, str],
        result: BuildResult,
    ) -> str | Rejected | None:
        """What a new or touched file needs: its content hash when it must be parsed,
        a rejection, or None when nothing (same content, or a rename)."""
        limit = self.config.ingest.max_bytes
        if cand.size > limit:
            return Rejected(f"too large: {cand.size} bytes, over ingest.max_bytes = {limit}")
        try:
            data = cand.path.read_bytes()
        except OSError as exc:
            return Rejected(f"cannot read: {exc.strerror or exc}")
        digest = hashlib.sha256(data).hexdigest()
        store = self.store
        if row and row.content_hash == digest:
            store.touch(row.id, path=cand.relpath, size=cand.size, mtime_ns=cand.mtime_ns)
            result.unchanged += 1
            return None
        prior = by_hash.get(digest)
        if prior and prior.path != cand.relpath:
            if prior.path not in gone:
                return Rejected(f"same content as {prior.path}; published once")
            # Moved or renamed: the same entry, at its new path.
            del gone[prior.path]
            if row:
                store.delete(row.id)
                result.removed += 1
            store.touch(prior.id, path=cand.relpath, size=cand.size, mtime_ns=cand.mtime_ns)
            store.forget_rejection(cand.relpath)
            result.renamed += 1
            return None
        if digest in claimed:
            return Rejected(f"same content as {claimed[digest]}; published once")
        return digest

    def _document(
        self,
        cand: Candidate,
        digest: str,
        article: Article,
        enriched: Enriched,
        old: Document | None,
        now: datetime,
        slugs: Callable[[], set[str]],
    ) -> Document:
        article, stated, revised = trusted_dates(article, now)
        if old:
            doc_id, slug, first_seen = old.id, old.slug, old.first_seen
            # An edit is an update of the same entry, dated when it was seen,
            # unless the document dates its own revision later than that.
            updated = max(now, revised or now)
        else:
            first_seen = now
            doc_id = f"tag:{self.config.feed.authority},{now:%Y-%m-%d}:entry/{digest[:16]}"
            slug = _unique(slugify(enriched.title), slugs())
            updated = revised or stated or now
        published = stated or first_seen
        return Document(
            id=doc_id,
            path=cand.relpath,
            slug=slug,
            content_hash=digest,
            first_seen=first_seen,
            published=published,
            updated=max(updated, published),
            article=article,
            title=enriched.title,
            summary=enriched.summary,
            regions=enriched.regions,
            themes=enriched.themes,
        )

    def _ingest_models(self) -> Ingest:
        from digest.ingest import make_ingest

        # When _reclassify is bound to refresh the model right after ingest (a cold
        # build, a new taxonomy), it infers every unlabelled document's themes then:
        # inferring them now too would train a model and infer twice for the same labels.
        if self._themes_taxonomy() != self._last_themes_model().get("taxonomy"):
            return make_ingest(self.config, None)
        return make_ingest(self.config, self._theme_model())

    def _theme_model(self) -> ThemeModel:
        """The theme model as of its last refresh (see _reclassify), cached on disk.

        Training on thousands of labelled examples takes seconds; loading the
        trained model takes milliseconds, so one-file rebuilds stay fast.
        """
        import pickle

        from digest.enrich.pipeline import theme_model

        key = self.store.get_meta("themes_model")
        cache = self.config.paths.state / "themes.model"
        if key:
            try:
                with cache.open("rb") as stream:
                    cached_key, model = pickle.load(stream)
                if cached_key == key:
                    return cast("ThemeModel", model)
            except (OSError, pickle.PickleError, EOFError, ValueError, TypeError):
                pass  # missing, stale or from another version: train anew
        model = theme_model(
            self.config.themes,
            self.store.labelled_examples(EXAMPLES_PER_THEME),
            self.store.unlabelled_texts(SELF_TRAINING_DOCUMENTS),
        )
        if key:
            write_atomic(cache, pickle.dumps((key, model), protocol=pickle.HIGHEST_PROTOCOL))
        return model

    def _reclassify(self) -> set[str]:
        """Re-infer the themes of unlabelled documents when the model learnt enough new.

        Every labelled document teaches the model, but re-filing thousands of
        documents because one example was edited would make every small change
        cost a full pass. The model is refreshed when the taxonomy, its aliases
        or the method change, when a labelled theme appears or disappears, when
        the number of labelled examples moved by 5% (at least one), or the
        number of unlabelled documents it teaches itself from by 25%, since the
        last refresh.
        """
        count, names = self.store.labelled_themes()
        unlabelled = self.store.unlabelled_count()
        taxonomy = self._themes_taxonomy()
        current = {
            "taxonomy": taxonomy,
            "count": count,
            "themes": sorted(names),
            "unlabelled": unlabelled,
        }
        last = self._last_themes_model()
        if (
            last.get("taxonomy") == taxonomy
            and last.get("themes") == current["themes"]
            and _moved_less(count, last.get("count", 0), 0.05)
            and _moved_less(unlabelled, last.get("unlabelled", 0), 0.25)
        ):
            return set()
        # The refresh time makes the key unique, so a cached model from another
        # state database can never pass for this one's.
        self.store.set_meta("themes_model", json.dumps({**current, "at": self.now().isoformat()}))
        from digest.ingest import infer_themes, keep_themes, make_ingest

        store = self.store
        # Documents stream through in windows, carrying only what inference
        # reads: a large archive is never held in memory at once.
        changes = [
            (doc_id, themes)
            for doc_id, before, themes in self._map(
                infer_themes,
                make_ingest(self.config, self._theme_model()),
                store.inferred_themes(),
                keep_themes,
            )
            if themes != before
        ]
        for doc_id, themes in changes:
            store.set_themes(doc_id, themes)
        return {doc_id for doc_id, _ in changes}

    def _themes_taxonomy(self) -> str:
        """What the theme model is made from besides the documents: taxonomy, threshold,
        aliases and method."""
        from digest.enrich.themes import MODEL_VERSION

        cfg = self.config.themes
        return hashlib.sha256(
            json.dumps(
                [
                    MODEL_VERSION,
                    sorted(cfg.taxonomy.items()),
                    cfg.threshold,
                    sorted(cfg.aliases.items()),
                ]
            ).encode()
        ).hexdigest()

    def _last_themes_model(self) -> dict[str, Any]:
        """What the theme model was last refreshed from (see _reclassify); {} if never."""
        return cast("dict[str, Any]", json.loads(self.store.get_meta("themes_model") or "{}"))

    def _map(
        self,
        fn: Callable[[Any, T], R],
        state: Any,
        items: Iterable[T],
        failed: Callable[[T, str], R],
    ) -> Iterator[R]:
        from digest.parallel import map_documents

        settings = self.config.ingest
        return map_documents(
            fn, state, items, failed=failed, limit=settings.timeout_seconds, pool=self._pool()
        )

    def warm(self) -> None:
        """Start every worker process now, its ingest models loaded and warm: the
        daemon calls this once, so that the first change it sees does not wait for
        processes to start and import the parsing and enrichment stack."""
        size = self._pool().size
        if size > 1:
            for _ in self._map(_nothing, self._ingest_models(), range(size), _nothing):
                pass

    def _pool(self) -> Workers:
        from digest.parallel import Workers, default_workers

        if self._workers is None:
            self._workers = Workers(self.config.ingest.workers or default_workers())
        return self._workers

    def _site_key(self) -> str:
        """Everything besides the documents that shapes the output."""
        from digest.publish.fingerprint import templates_version

        feed = self.config.feed
        # The themes settings decide which feed and section a label is filed under.
        shape = [__version__, templates_version(), repr(feed), repr(self.config.themes)]
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()

    def send(self, *, force: bool = False, dry_run: bool = False) -> SendReport:
        """Send the digest that is due (or, with force, what is new since the last one)."""
        report = self._mailer().send(force=force, dry_run=dry_run)
        if report.archived and self.config.feed.hubs:
            from digest.publish.websub import changed_topics

            self.hubs.notify(changed_topics(report.archived, self.config.feed.base_url))
        return report

    def next_digest(self) -> datetime | None:
        return self._mailer().next_digest()

    def _mailer(self) -> Mailer:
        from digest.mail.service import Mailer

        return Mailer(self.config, self.store, self.now, lease=self.lease)

    def status(self) -> dict[str, Any]:
        docs = self.store.documents()
        mailer = self._mailer()
        last, upcoming = mailer.last_digest(), mailer.next_digest()
        instances = survey(self.store.leases, self.now(), self.config.daemon.lease_seconds)
        alive = any(i["alive"] for i in instances["instances"])
        return {
            "documents": [_doc_status(d) for d in docs],
            "rejected": [
                {"path": r.path, "reason": r.reason, "seen": r.seen.isoformat()}
                for r in sorted(self.store.rejections().values(), key=lambda r: r.path)
            ],
            "last_build": self.store.get_meta("last_build"),
            "last_digest": last.isoformat() if last else None,
            "next_digest": upcoming.isoformat() if upcoming else None,
            "daemon_running": alive or is_locked(self.config.paths.state, "run"),
            **instances,
        }


@dataclass(frozen=True, slots=True)
class _Published:
    token: str  # meta "publication" as this publication left it
    refs: Sequence[DocumentRef]
    keys: Mapping[str, str]


def _patched(
    refs: Sequence[DocumentRef], changes: Changes, now: Sequence[DocumentRef]
) -> list[DocumentRef]:
    """`refs` with the changed documents as they are `now` (newest first)."""
    out = [ref for ref in refs if ref.id not in changes]
    out += now
    # Nearly in order already: the sort is about linear.
    out.sort(key=lambda d: (d.published, d.id), reverse=True)
    return out


def _nothing(_: object, __: object) -> None:
    """The work that warms a worker (see App.warm); also what it gives if that fails."""
    return None


def _moved_less(now: int, then: int, share: float) -> bool:
    """Whether a count moved by less than `share` of what it was (and at least one)."""
    return abs(now - then) < max(1, math.ceil(share * then))


def _doc_status(doc: Document) -> dict[str, Any]:
    return {
        "path": doc.path,
        "id": doc.id,
        "title": doc.title,
        "author": doc.author,
        "published": doc.published.isoformat(),
        "updated": doc.updated.isoformat(),
        "first_seen": doc.first_seen.isoformat(),
        "regions": list(doc.regions.names),
        "regions_inferred": doc.regions.inferred,
        "themes": list(doc.themes.names),
        "themes_inferred": doc.themes.inferred,
        "summary": doc.summary,
        "url": doc.article.url,
        "format": doc.article.format,
        "warnings": list(doc.article.warnings),
    }


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate
