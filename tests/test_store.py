from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from digest.errors import StoreError
from digest.model import Labels
from digest.store import (
    _MIGRATIONS,
    ArchivedDigest,
    Delivery,
    DigestRender,
    Rejection,
    Store,
    page_document,
)
from digest.subscribers.model import Subscriber
from tests.factories import make_document
from tests.postgres import Cluster


def test_a_document_round_trips_through_the_store(store_location: Path | str) -> None:
    store = Store(store_location)
    doc = make_document(1, regions=("Asia", "South Asia"), inferred=True, url="https://x.org/a")
    with store.transaction():
        store.put(doc, size=10, mtime_ns=20)
    assert store.document(doc.id) == doc
    [row] = store.index().values()
    assert (row.path, row.size, row.mtime_ns, row.labelled) == ("doc-1.md", 10, 20, False)


def test_documents_come_back_newest_first(store_location: Path | str) -> None:
    store = Store(store_location)
    with store.transaction():
        for n in (2, 5, 1):
            store.put(make_document(n), size=1, mtime_ns=1)
    assert [d.path for d in store.documents()] == ["doc-5.md", "doc-2.md", "doc-1.md"]


def test_a_failed_transaction_leaves_nothing_behind(store_location: Path | str) -> None:
    store = Store(store_location)
    with pytest.raises(RuntimeError), store.transaction():
        store.put(make_document(1), size=1, mtime_ns=1)
        raise RuntimeError("crash mid-build")
    assert store.documents() == []


def test_naive_times_are_refused(store_location: Path | str) -> None:
    store = Store(store_location)
    naive = replace(make_document(1), first_seen=datetime(2025, 1, 1))
    with pytest.raises(StoreError, match="refusing to store a naive time"), store.transaction():
        store.put(naive, size=1, mtime_ns=1)


def test_a_sqlite_database_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
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
    store_location: Path | str,
) -> None:
    store = Store(store_location)
    with store.transaction():
        store.put(make_document(1, themes=("Energy",)), size=1, mtime_ns=1)
        store.put(make_document(2, themes=("Energy",)), size=1, mtime_ns=1)
        store.put(make_document(3, themes=("Health", "Energy")), size=1, mtime_ns=1)
        store.put(make_document(4, themes=("Sport",), inferred=True), size=1, mtime_ns=1)
    assert store.labelled_themes() == (3, {"Energy", "Health"})


T0 = datetime(2025, 1, 10, 7, 0, tzinfo=UTC)


def test_an_edited_document_replaces_the_row_with_its_id(store_location: Path | str) -> None:
    store = Store(store_location)
    doc = make_document(1)
    with store.transaction():
        store.put(doc, size=1, mtime_ns=1)
        store.put(replace(doc, title="Revised plan", summary="Revised."), size=2, mtime_ns=2**62)
        store.set_themes(doc.id, Labels(("Health",), True))
        store.touch(doc.id, path="moved/doc-1.md", size=3, mtime_ns=3)
    again = store.document(doc.id)
    assert again is not None
    assert (again.title, again.path, again.themes) == (
        "Revised plan", "moved/doc-1.md", Labels(("Health",), True)
    )  # fmt: skip
    assert [row.size for row in store.index().values()] == [3]
    assert store.slugs() == {"plan-1"}
    with store.transaction():
        store.delete(doc.id)
    assert store.documents() == [] and store.document(doc.id) is None


def test_each_changed_document_is_kept_as_it_was_before_its_first_change(
    store_location: Path | str,
) -> None:
    store = Store(store_location)
    kept, edited, gone = make_document(1), make_document(2), make_document(3)
    with store.transaction():
        for doc in (kept, edited, gone):
            store.put(doc, size=1, mtime_ns=1)
    assert set(store.changes()) == {kept.id, edited.id, gone.id}
    assert set(store.changes().values()) == {None}, "none of them was there before"
    store.clear_changes()
    before = {r.id: r for r in store.refs()}
    added = make_document(4)
    with store.transaction():
        store.put(replace(edited, title="Revised", content_hash="f" * 64), size=2, mtime_ns=2)
        store.set_themes(edited.id, Labels(("Health",), True))
        store.delete(gone.id)
        store.put(added, size=1, mtime_ns=1)
        store.touch(kept.id, path="moved/doc-1.md", size=3, mtime_ns=3)
    assert store.changes() == {
        edited.id: before[edited.id],
        gone.id: before[gone.id],
        added.id: None,
    }
    # The changed documents as they are now: those still published.
    now = {ref.id: ref for ref in store.refs_of([edited.id, gone.id, added.id])}
    assert now == {ref.id: ref for ref in store.refs() if ref.id in (edited.id, added.id)}
    store.clear_changes()
    assert store.changes() == {}


def test_documents_are_found_by_id_by_period_and_as_refs(store_location: Path | str) -> None:
    store = Store(store_location)
    docs = [make_document(n, inferred=n % 2 == 0) for n in range(1, 8)]
    with store.transaction():
        for doc in docs:
            store.put(doc, size=1, mtime_ns=1)
    assert set(store.documents_by_id([d.id for d in docs[:3]] + ["nope"])) == {
        d.id for d in docs[:3]
    }
    between = store.documents_seen_between(docs[1].first_seen, docs[3].first_seen)
    assert [d.path for d in between] == ["doc-4.md", "doc-3.md"]
    assert [r.id for r in store.refs()] == [d.id for d in reversed(docs)]
    with_standfirst = replace(docs[1], article=replace(docs[1].article, standfirst="In short."))
    with store.transaction():
        store.put(with_standfirst, size=1, mtime_ns=1)
    docs[1] = with_standfirst
    assert sorted(store.inferred_themes()) == sorted(
        (d.id, d.themes, d.title, d.article.text) for d in docs if d.themes.inferred
    )
    assert store.unlabelled_count() == 3
    assert len(store.unlabelled_texts(2)) == 2
    assert [themes for _, themes in store.labelled_examples(per_theme=2)] == [("Energy",)] * 2


def test_rejections_output_keys_and_meta_are_kept_and_replaced(
    store_location: Path | str,
) -> None:
    store = Store(store_location)
    with store.transaction():
        store.reject(Rejection("bad.md", "empty", 0, 5, T0))
        store.reject(Rejection("bad.md", "still empty", 0, 6, T0))
        store.reject(Rejection("gone.md", "empty", 0, 5, T0))
        store.forget_rejection("gone.md")
        store.save_output_keys({"a.xml": "1", "b.xml": "2"}, {})
        store.save_output_keys({"a.xml": "1", "c.xml": "3"}, {"a.xml": "1", "b.xml": "2"})
        store.set_meta("last_build", "one")
        store.set_meta("last_build", "two")
    assert store.rejections() == {"bad.md": Rejection("bad.md", "still empty", 0, 6, T0)}
    assert store.output_keys() == {"a.xml": "1", "c.xml": "3"}
    assert (store.get_meta("last_build"), store.get_meta("never")) == ("two", None)


def test_deliveries_renders_messages_and_the_archive_round_trip(
    store_location: Path | str,
) -> None:
    store = Store(store_location)
    end = T0 + timedelta(days=1)
    pending = Delivery("b@example.org", T0, end, "<1@x>", "pending", 0, "", T0, "all")
    message = bytes(range(256)) * 4  # every byte value, NUL included
    render = DigestRender(T0, "all", "digests/1.html", end, "Subject", 2, "<p>h</p>", "t")
    with store.transaction():
        store.put_delivery(pending)
        store.put_delivery(replace(pending, recipient="a@example.org", status="sent"))
        store.put_delivery(replace(pending, attempts=1, detail="greylisted"))
        store.put_delivery_message("b@example.org", T0, message)
        store.put_render(render)
        store.put_digest(ArchivedDigest(T0, end, "digests/1.html", "Title", "Sum", 2))
        store.put_digest(ArchivedDigest(end, end + timedelta(days=1), "digests/2.html", "T", "", 0))
    assert [d.recipient for d in store.deliveries()] == ["a@example.org", "b@example.org"]
    [waiting] = store.deliveries(status="pending")
    assert waiting == replace(pending, attempts=1, detail="greylisted")
    assert store.delivery("b@example.org", T0) == waiting
    assert [d.status for d in store.period_deliveries(T0)] == ["sent", "pending"]
    assert store.delivery_message("b@example.org", T0) == message
    assert store.render(T0, "all") == render
    assert [d.page for d in store.digests()] == ["digests/2.html", "digests/1.html"]
    with store.transaction():
        store.drop_delivery_message("b@example.org", T0)
        store.drop_finished_renders(keep=None)  # still pending: kept
    assert store.delivery_message("b@example.org", T0) is None
    assert store.render(T0, "all") == render
    with store.transaction():
        store.put_delivery(replace(waiting, status="sent"))
        store.drop_finished_renders(keep=None)
    assert store.render(T0, "all") is None


def test_subscribers_list_in_the_same_byte_order_on_both_engines(
    store_location: Path | str,
) -> None:
    store = Store(store_location)
    addresses = ["zoe@example.org", "Bob@example.org", "_desk@example.org", "ana@example.org"]
    with store.transaction():
        for n, address in enumerate(addresses):
            store.subscribers.put(
                Subscriber(address, f"id{n}", "confirmed", "operator", T0, T0, regions=("Asia",))
            )
        store.subscribers.put(
            Subscriber("ZOE@example.org", "id9", "unsubscribed", "form", T0, T0, unsubscribed=T0)
        )
    assert [s.address for s in store.subscribers.all()] == [
        "_desk@example.org", "ana@example.org", "Bob@example.org", "ZOE@example.org"
    ]  # fmt: skip
    assert [s.address for s in store.subscribers.all("confirmed")][-1] == "Bob@example.org"
    found = store.subscribers.get("bob@EXAMPLE.org")
    assert found is not None and found.regions == ("Asia",)
    assert store.subscribers.by_id("id9") == store.subscribers.get("zoe@example.org")


def test_a_store_opened_twice_on_one_database_migrates_it_once(
    store_location: Path | str,
) -> None:
    first = Store(store_location)
    with first.transaction():
        first.put(make_document(1), size=1, mtime_ns=1)
    second = Store(store_location)
    assert [d.id for d in second.documents()] == [make_document(1).id]
    first.close()
    second.close()


def test_execute_runs_a_callers_statement_inside_the_stores_transaction(
    store_location: Path | str,
) -> None:
    store = Store(store_location)
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("holder", "a"))
        assert store.execute("SELECT value FROM meta WHERE key = ?", ("holder",)) == [("a",)]
        raise RuntimeError("rolled back")
    assert store.execute("SELECT value FROM meta") == []
    with pytest.raises(StoreError, match="cannot use the state database"):
        store.execute("SELECT nothing FROM nowhere")


def test_a_postgresql_database_from_a_newer_version_is_refused_clearly(postgres_url: str) -> None:
    Store(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="written by a newer version of digest"):
        Store(postgres_url)


def test_instances_starting_together_on_an_empty_database_migrate_it_once(
    postgres_url: str,
) -> None:
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: Store(postgres_url), range(4)))
    with psycopg.connect(postgres_url) as db:
        [(version,)] = db.execute("SELECT version FROM schema_version").fetchall()
    assert version == len(_MIGRATIONS)
    for store in stores:
        store.close()


def test_an_unreachable_server_is_one_error_saying_what_to_check(
    postgres_cluster: Cluster,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        url = f"postgresql://digest@127.0.0.1:{port}/news"
        with pytest.raises(StoreError, match="cannot reach the PostgreSQL server") as caught:
            Store(url)
    assert "is it running, and are the host and port in the URL right?" in str(caught.value)


def test_a_refused_login_names_the_url_without_its_password(postgres_cluster: Cluster) -> None:
    with pytest.raises(StoreError, match="PostgreSQL refused the login") as caught:
        Store(postgres_cluster.tcp_url(password="s3cret-wrong"))
    assert "s3cret-wrong" not in str(caught.value)
    assert "check the user and password" in str(caught.value)


def test_a_missing_database_says_how_to_create_it(postgres_cluster: Cluster) -> None:
    with pytest.raises(StoreError, match="does not exist: create it") as caught:
        Store(postgres_cluster.url("no_such_db"))
    assert "createdb no_such_db" in str(caught.value)


def test_a_store_on_sqlite_never_loads_the_postgresql_driver(tmp_path: Path) -> None:
    probe = (
        "import sys; from digest.store import Store;"
        f"Store({str(tmp_path / 'state.sqlite3')!r}).close();"
        "print('psycopg' in sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "False"


def test_page_rows_carry_the_article_fields_publishing_shows(store_location: Path | str) -> None:
    store = Store(store_location)
    doc = make_document(1, url="https://x.org/é", content_html='<p>"Ünïcode" &amp; \\ </p>')
    with store.transaction():
        store.put(doc, size=1, mtime_ns=1)
    [row] = store.page_rows([doc.id]).values()
    shown = page_document(row)
    assert (shown.article.url, shown.article.content_html, shown.article.author) == (
        doc.article.url, doc.article.content_html, doc.article.author
    )  # fmt: skip
    assert shown.article.source is None and shown.title == doc.title


def test_a_store_whose_connection_was_cut_connects_again_for_its_next_transaction(
    postgres_url: str,
) -> None:
    store = Store(postgres_url)
    (pid,) = store.execute("SELECT pg_backend_pid()")[0]
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with store.transaction():
        store.set_meta("after", "restart")
    assert store.get_meta("after") == "restart"
    (pid,) = store.execute("SELECT pg_backend_pid()")[0]
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    # A statement on its own finds out, says so, and the next one reconnects.
    with pytest.raises(StoreError, match=r"cannot use the state database .* connection"):
        store.get_meta("after")
    assert store.get_meta("after") == "restart"
    assert store.execute("SELECT pg_backend_pid()")[0] != (pid,)
