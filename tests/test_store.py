from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from digest.errors import StoreError
from digest.store import Store
from tests.factories import make_document


def test_a_document_round_trips_through_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    doc = make_document(1, regions=("Asia", "South Asia"), inferred=True, url="https://x.org/a")
    with store.transaction():
        store.put(doc, size=10, mtime_ns=20)
    assert store.document(doc.id) == doc
    [row] = store.index().values()
    assert (row.path, row.size, row.mtime_ns, row.labelled) == ("doc-1.md", 10, 20, False)


def test_documents_come_back_newest_first(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    with store.transaction():
        for n in (2, 5, 1):
            store.put(make_document(n), size=1, mtime_ns=1)
    assert [d.path for d in store.documents()] == ["doc-5.md", "doc-2.md", "doc-1.md"]


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    with pytest.raises(RuntimeError), store.transaction():
        store.put(make_document(1), size=1, mtime_ns=1)
        raise RuntimeError("crash mid-build")
    assert store.documents() == []


def test_naive_times_are_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    naive = replace(make_document(1), first_seen=datetime(2025, 1, 1))
    with pytest.raises(StoreError, match="refusing to store a naive time"), store.transaction():
        store.put(naive, size=1, mtime_ns=1)


def test_a_database_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="written by a newer version of digest"):
        Store(path)


def test_an_unwritable_state_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the state database"):
        Store(blocker / "state.sqlite3")


def test_labelled_themes_counts_each_labelled_document_and_names_each_theme_once(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "state.sqlite3")
    with store.transaction():
        store.put(make_document(1, themes=("Energy",)), size=1, mtime_ns=1)
        store.put(make_document(2, themes=("Energy",)), size=1, mtime_ns=1)
        store.put(make_document(3, themes=("Health", "Energy")), size=1, mtime_ns=1)
        store.put(make_document(4, themes=("Sport",), inferred=True), size=1, mtime_ns=1)
    assert store.labelled_themes() == (3, {"Energy", "Health"})
