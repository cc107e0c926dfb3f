"""Rendering planned output files, in whichever process runs it.

Publishing is planned in the build's process (site.py) and rendered in tasks:
a few files and the rows of the documents they show. A task renders and
stages its files (temp files beside their targets, see `Staged`) and answers
only their names, so the worker processes that ingested the documents also
render them, and no page's bytes cross a pipe. Everything in a task pickles:
render functions are module-level, bound with `partial`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from digest.config import FeedSettings
from digest.enrich.themes import ThemeNames
from digest.errors import PublishError
from digest.model import Document
from digest.publish.assets import Assets, site_assets
from digest.publish.atomic import stage_changed
from digest.publish.entries import entry_of
from digest.publish.feeds import Entry
from digest.publish.pages import page_path, warm_templates


def as_document(row: Any) -> Document:
    """For sources that hand over whole documents (tests do)."""
    assert isinstance(row, Document)
    return row


Decode = Callable[[Any], Document]


@dataclass(frozen=True, slots=True)
class LinkTo:
    """Where an entry links: the original when the document names one, else its page."""

    base_url: str

    def __call__(self, doc: Document) -> str:
        return doc.article.url or self.base_url + page_path(doc)


@dataclass(frozen=True, slots=True)
class Renderer:
    """What every task needs besides its documents: sent once to each worker."""

    feed: FeedSettings
    themes: ThemeNames | None
    since: datetime
    out: Path
    decode: Decode = as_document

    def warm(self) -> None:
        """Compile the templates before the first task, once per process."""
        warm_templates()
        _assets(self.feed)

    def context(self) -> Context:
        return Context(self.feed, LinkTo(self.feed.base_url), self.since, _assets(self.feed),
                       self.themes)  # fmt: skip


@cache
def _assets(feed: FeedSettings) -> Assets:
    return site_assets(feed)


@dataclass(frozen=True, slots=True)
class Context:
    """What render functions are given besides their documents, for one task."""

    feed: FeedSettings
    link_of: LinkTo
    since: datetime
    assets: Assets
    themes: ThemeNames | None
    # A document shows in three formats of a feed, rendered in one task: its
    # entry is made once.
    entries: dict[str, Entry] = field(default_factory=dict)

    def entry(self, doc: Document) -> Entry:
        found = self.entries.get(doc.id)
        if found is None:
            found = self.entries[doc.id] = entry_of(doc, self.feed, self.link_of)
        return found


Render = Callable[[Context, Sequence[Document]], bytes]


@dataclass(frozen=True, slots=True)
class Job:
    path: str  # relative to the feeds folder
    ids: tuple[str, ...]  # the documents it shows, in order
    render: Render


@dataclass(frozen=True, slots=True)
class Task:
    jobs: tuple[Job, ...]
    rows: Mapping[str, Any]  # id -> what Renderer.decode reads


@dataclass(frozen=True, slots=True)
class Rendered:
    staged: list[tuple[str, str | None]]  # (path, its temp file, or None when unchanged)
    error: str = ""  # why the files after these could not be written


def render_task(renderer: Renderer, task: Task) -> Rendered:
    docs = {doc_id: renderer.decode(row) for doc_id, row in task.rows.items()}
    ctx = renderer.context()
    staged: list[tuple[str, str | None]] = []
    for job in task.jobs:
        data = job.render(ctx, [docs[i] for i in job.ids])
        try:
            staged.append((job.path, stage_changed(renderer.out, job.path, data)))
        except OSError as exc:
            where = exc.filename or renderer.out / job.path
            return Rendered(staged, f"cannot write {where}: {exc.strerror or exc}")
    return Rendered(staged)


def render_failed(task: Task, reason: str) -> Rendered:
    """A task that raised stops the publication: a page left out would be a broken link."""
    raise PublishError(f"cannot render {task.jobs[0].path}: {reason}")


Run = Callable[[Renderer, Iterable[Task]], Iterator[Rendered]]


def in_process(renderer: Renderer, tasks: Iterable[Task]) -> Iterator[Rendered]:
    renderer.warm()
    return (render_task(renderer, task) for task in tasks)


def tasks(
    jobs: Iterable[Job], load: Callable[[set[str]], Mapping[str, Any]], size: int
) -> Iterator[Task]:
    """Consecutive jobs that together show at most about `size` documents, with their rows.

    Rows are loaded as tasks are taken, so memory stays flat however large
    the archive.
    """
    batch: list[Job] = []
    ids: set[str] = set()
    for job in jobs:
        new = ids.union(job.ids)
        if batch and len(new) > size:
            yield Task(tuple(batch), load(ids) if ids else {})
            batch, new = [], set(job.ids)
        batch.append(job)
        ids = new
    if batch:
        yield Task(tuple(batch), load(ids) if ids else {})
