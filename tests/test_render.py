"""Rendering in worker processes writes what rendering in the build's process writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.config import Config
from digest.model import Document
from digest.parallel import Workers
from digest.publish.render import Rendered, Renderer, Task, render_failed, render_task
from digest.publish.site import publish
from digest.store import Store, page_document
from tests.conftest import WriteConfig
from tests.factories import make_document, ref_of

SINCE = datetime(2025, 1, 1, tzinfo=UTC)


def varied_documents(count: int) -> list[Document]:
    """Documents over three months with every field publishing shows, set or not."""
    docs = []
    for n in range(count):
        doc = make_document(
            n,
            regions=(("Asia",), ("Europe", "Asia"), ())[n % 3],
            themes=(("Energy",), ("Trade", "Energy"), ())[n % 4 % 3],
            published=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=37 * n),
            author=None if n % 5 == 0 else f"Writer {n % 7}",
            url=f"https://wire.example.net/story/{n}" if n % 4 == 1 else None,
            source="Wire Service" if n % 3 == 1 else None,
            rights="© The Wire" if n % 6 == 2 else None,
            content_html=f"<p>Body of <em>story</em> {n} &amp; more.</p>",
        )
        article = replace(
            doc.article,
            image="/img/lead.jpg" if n % 4 == 1 else None,
            language="fr" if n % 9 == 4 else None,
            standfirst="A standfirst." if n % 2 else None,
            warnings=("date dropped",) if n % 8 == 3 else (),
        )
        docs.append(replace(doc, article=article))
    return sorted(docs, key=lambda d: (d.published, d.id), reverse=True)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def publish_in_process(config: Config, docs: list[Document], out: Path) -> None:
    """The reference: whole documents, rendered here."""
    by_id = {d.id: d for d in docs}
    publish(
        [ref_of(d) for d in docs],
        lambda ids: {i: by_id[i] for i in ids},
        config.feed,
        out,
        site_key="test",
        keys={},
        since=SINCE,
    )


def test_pages_and_feeds_rendered_by_two_workers_from_stored_rows_are_byte_identical(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    config = write_config(max_entries=7)
    docs = varied_documents(90)
    publish_in_process(config, docs, tmp_path / "reference")

    store = Store(tmp_path / "state.sqlite3")
    with store.transaction():
        for doc in docs:
            store.put(doc, size=1, mtime_ns=1)
    pool = Workers(2)
    pids: set[int] = set()

    def in_workers(renderer: Renderer, tasks: Iterable[Task]) -> Iterator[Rendered]:
        # Straight to the pool, however few the tasks: this is what is tested.
        yield from pool.map(
            render_task, renderer, iter(tasks), render_failed, None, wanted=2, chunk=1
        )
        pids.update(w.process.pid or 0 for w in pool.workers)

    try:
        publish(
            store.refs(),
            store.page_rows,
            config.feed,
            tmp_path / "workers",
            site_key="test",
            keys={},
            since=SINCE,
            decode=page_document,
            run=in_workers,
        )
    finally:
        pool.close()
        store.close()
    assert len(pids) == 2
    reference, pooled = tree(tmp_path / "reference"), tree(tmp_path / "workers")
    assert len(reference) > 150
    assert sorted(pooled) == sorted(reference)
    assert [p for p in reference if pooled[p] != reference[p]] == []
