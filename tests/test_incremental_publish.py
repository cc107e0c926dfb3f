"""Publishing only what a change touches writes what publishing everything writes."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.app import make_app
from digest.config import Config
from digest.model import Document, DocumentRef
from digest.publish.site import PublishResult, publish
from tests.conftest import Clock, WriteConfig
from tests.factories import make_document, ref_of
from tests.test_build import snapshot, write

SINCE = datetime(2025, 1, 1, tzinfo=UTC)
START = datetime(2025, 1, 30, tzinfo=UTC)

# Few labels, two of which slugify alike, so labels come, go and collide.
REGIONS = ((), ("Europe",), ("Asia",), ("Europe", "Asia"), ("Law & Justice",), ("Law and Justice",))
THEMES = ((), ("Energy",), ("Trade", "Energy"), ("Law and Justice",))

Step = tuple[str, int, int, int, tuple[str, ...], tuple[str, ...]]

# (kind, which document, day offset, hour, regions, themes). Days -2..35 from 30 January:
# three months, crowded on a few days, so that months are cut by day and parts shift.
step = st.tuples(
    st.sampled_from(("add", "add", "edit", "delete")),
    st.integers(0, 60),
    st.integers(-2, 35).map(lambda d: d if d % 3 else 1),
    st.integers(0, 23),
    st.sampled_from(REGIONS),
    st.sampled_from(THEMES),
)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


class Site:
    """One output folder, published either from the changes or in full."""

    def __init__(self, config: Config, out: Path) -> None:
        self.config, self.out = config, out
        self.keys: dict[str, str] = {}
        self.shown: dict[str, DocumentRef] = {}  # as the last publication showed them

    def publish(self, docs: Mapping[str, Document], *, incremental: bool) -> PublishResult:
        ordered = sorted(docs.values(), key=lambda d: (d.published, d.id), reverse=True)
        refs = [ref_of(d) for d in ordered]
        changes = {
            doc_id: self.shown.get(doc_id)
            for doc_id in {*docs, *self.shown}
            if doc_id not in self.shown
            or doc_id not in docs
            or self.shown[doc_id] != ref_of(docs[doc_id])
        }
        result = publish(
            refs,
            lambda ids: {i: docs[i] for i in ids},
            self.config.feed,
            self.out,
            site_key="test",
            keys=self.keys,
            since=SINCE,
            changes=changes if incremental else None,
        )
        self.keys = result.keys
        self.shown = {ref.id: ref for ref in refs}
        return result


def apply(docs: dict[str, Document], made: dict[int, Document], change: Step) -> None:
    kind, n, day, hour, regions, themes = change
    when = START + timedelta(days=day, hours=hour)
    if kind == "add" and n not in made:
        doc = make_document(n, regions=regions, themes=themes, published=when)
        made[n] = docs[doc.id] = doc
        return
    if n not in made or made[n].id not in docs:
        return
    doc = made[n]
    if kind == "delete":
        del docs[doc.id]
        return
    revision = replace(doc.article, content_html=f"<p>Revised at {when:%d %H}.</p>")
    made[n] = docs[doc.id] = replace(
        doc, published=when, updated=when, article=revision, content_hash=f"{n}-{day}-{hour}",
        regions=replace(doc.regions, names=regions), themes=replace(doc.themes, names=themes),
    )  # fmt: skip


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(step.map(lambda s: ("add", *s[1:])), min_size=1, max_size=30),
    later=st.lists(st.lists(step, min_size=1, max_size=3), min_size=1, max_size=4),
)
def test_publishing_only_what_changes_touch_writes_the_same_files_as_publishing_everything(
    write_config: WriteConfig, first: list[Step], later: list[list[Step]]
) -> None:
    # One entry a feed document: archives of many documents, cut by day in a month of
    # more than twenty.
    config = write_config(max_entries=1)
    docs: dict[str, Document] = {}
    made: dict[int, Document] = {}
    with tempfile.TemporaryDirectory() as folder:
        partial, full = Site(config, Path(folder, "partial")), Site(config, Path(folder, "full"))
        for change in first:
            apply(docs, made, change)
        partial.publish(docs, incremental=False)
        full.publish(docs, incremental=False)
        for changes in later:
            for change in changes:
                apply(docs, made, change)
            partial.publish(docs, incremental=True)
            full.publish(docs, incremental=False)
            assert partial.keys == full.keys
            assert tree(partial.out) == tree(full.out)


def test_builds_after_edits_additions_and_deletions_write_what_a_full_publication_writes(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config(max_entries=2)
    seeds = project / "seeds"
    for day in range(1, 9):
        write(seeds, f"d{day}.md", f"Grid operators agree winter plan {day}", day)
    app = make_app(config, _now=clock)
    app.build()
    # A publication leaves nothing on record as changed, and says the record is whole.
    assert app.store.changes() == {} and app.store.get_meta("changes_tracked") == "1"
    clock.advance(hours=1)
    write(seeds, "d3.md", "Grid operators revise their winter plan", 3)
    (seeds / "d5.md").unlink()
    write(seeds, "new.md", "Rail unions accept new pay offer", 4)
    result = app.build()
    assert (result.published, result.updated, result.removed) == (1, 1, 1)
    # Another process publishes a change meanwhile: what this one published last
    # is no longer what the feeds show, so its next build reads every document.
    clock.advance(hours=1)
    write(seeds, "other.md", "Port workers end strike", 6)
    other = make_app(config, _now=clock)
    other.build()
    other.close()
    clock.advance(hours=1)
    (seeds / "d7.md").unlink()
    write(seeds, "d2.md", "Grid operators drop their winter plan", 2)
    app.build()
    app.close()
    # The same state published in full, into a folder of its own.
    elsewhere = replace(config, paths=replace(config.paths, feeds=project / "elsewhere"))
    app = make_app(elsewhere, _now=clock)
    app.build()
    app.close()
    assert snapshot(config.paths.feeds) == snapshot(project / "elsewhere")
