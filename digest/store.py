"""The state database: every document, rejected file and digest the product knows.

The database is SQLite in the state folder, or PostgreSQL when `[paths].database`
(or DIGEST_DATABASE_URL) is a `postgresql://` URL. The SQL here, and in the
per-domain tables it hands out (subscribers: digest/subscribers/storage.py), is
written once for both; digest/engines.py connects, translates placeholders and
column types, and turns driver errors into StoreError. The schema is one script
per version, applied in order; the version is kept by the engine (PRAGMA
user_version, or a schema_version table).

Coordinating several instances (the PostgreSQL lease) goes through this class
too: `kind` says which engine is behind it, `execute()` runs a statement of the
caller's own, `transaction()` groups statements. A statement run while a
transaction is open on this Store joins that transaction; work that must commit
on its own meanwhile (a heartbeat) opens a second Store on `location`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from digest.engines import Engine, Rows, connect, is_postgresql
from digest.errors import StoreError
from digest.lease import SCHEMA as LEASE_SCHEMA
from digest.lease import LeaseTable
from digest.model import Article, Document, DocumentRef, Labels
from digest.subscribers.storage import SCHEMA as SUBSCRIBERS_SCHEMA
from digest.subscribers.storage import SubscriberTable

_MIGRATIONS = (
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        slug TEXT NOT NULL UNIQUE,
        content_hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        published TEXT NOT NULL,
        updated TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        regions TEXT NOT NULL,
        regions_inferred INTEGER NOT NULL,
        themes TEXT NOT NULL,
        themes_inferred INTEGER NOT NULL,
        labelled INTEGER NOT NULL,
        article TEXT NOT NULL
    );
    CREATE INDEX documents_hash ON documents (content_hash);
    CREATE INDEX documents_first_seen ON documents (first_seen);
    CREATE TABLE rejected (
        path TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        seen TEXT NOT NULL
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        recipient TEXT NOT NULL,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        message_id TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT '',
        updated TEXT NOT NULL,
        PRIMARY KEY (recipient, period_start)
    );
    """,
    """
    CREATE TABLE delivery_messages (
        recipient TEXT NOT NULL,
        period_start TEXT NOT NULL,
        message BLOB NOT NULL,
        PRIMARY KEY (recipient, period_start)
    );
    CREATE TABLE digests (
        period_start TEXT PRIMARY KEY,
        period_end TEXT NOT NULL,
        page TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        articles INTEGER NOT NULL
    );
    """,
    """
    CREATE TABLE outputs (
        path TEXT PRIMARY KEY,
        key TEXT NOT NULL
    );
    """,
    SUBSCRIBERS_SCHEMA,
    """
    ALTER TABLE deliveries ADD COLUMN choice TEXT NOT NULL DEFAULT '';
    CREATE TABLE digest_renders (
        period_start TEXT NOT NULL,
        choice TEXT NOT NULL,
        page TEXT NOT NULL,
        date TEXT NOT NULL,
        subject TEXT NOT NULL,
        count INTEGER NOT NULL,
        html TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (period_start, choice)
    );
    """,
    LEASE_SCHEMA,
    # Covering indexes for the questions every build asks: the whole index of files
    # (path and stat), and the labelled documents and their themes. Read from these,
    # a build does not scan the table, whose rows carry every article's full text.
    """
    CREATE INDEX documents_files ON documents (path, size, mtime_ns, id, content_hash, labelled);
    CREATE INDEX documents_labelled ON documents (labelled, themes);
    """,
    # What each document changed since the last publication was as it was then
    # published (no slug: not published then): publishing plans only what they touch.
    """
    CREATE TABLE changed_documents (
        id TEXT PRIMARY KEY,
        slug TEXT,
        published TEXT,
        updated TEXT,
        regions TEXT,
        themes TEXT,
        content_hash TEXT
    );
    """,
)


# Every table that holds the product's state, in the order a copy reads them.
STATE_TABLES = (
    "documents", "rejected", "meta", "outputs", "deliveries", "delivery_messages",
    "digest_renders", "digests", "subscribers", "changed_documents",
)  # fmt: skip


class IndexRow(NamedTuple):
    """What the store knows of a document without loading it.

    A named tuple, not a dataclass: every build that reads a file reads one per
    document, and making 10,000 frozen dataclasses took it about 0.03 s.
    """

    id: str
    path: str
    content_hash: str
    size: int
    mtime_ns: int
    labelled: bool


@dataclass(frozen=True, slots=True)
class Rejection:
    path: str
    reason: str
    size: int
    mtime_ns: int
    seen: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One digest for one recipient and period, and how far its sending got."""

    recipient: str
    period_start: datetime
    period_end: datetime
    message_id: str
    status: str  # "pending", "sent", "failed" or "cancelled"
    attempts: int
    detail: str
    updated: datetime
    # The recipient's choice of regions and themes: names the render it is made from.
    choice: str = ""


@dataclass(frozen=True, slots=True)
class DigestRender:
    """A period's digest rendered once for one choice of regions and themes.

    Each recipient's message is made from it by substitution, so a message is
    rebuilt byte for byte from this and its delivery row: no message is stored.
    """

    period_start: datetime
    choice: str
    page: str
    date: datetime
    subject: str
    count: int
    html: str
    text: str


@dataclass(frozen=True, slots=True)
class ArchivedDigest:
    """A digest that went out, as the archive page and digests.xml list it."""

    period_start: datetime
    period_end: datetime
    page: str  # relative to the feeds folder
    title: str
    summary: str
    articles: int


class Store:
    """The state database, opened for one process: a SQLite file or a PostgreSQL URL."""

    def __init__(self, location: Path | str) -> None:
        # A Path, or a string that is not a PostgreSQL URL, names a SQLite file.
        self.location: Path | str = location if is_postgresql(location) else Path(location)
        self._db: Engine = connect(self.location)
        self.kind = self._db.kind
        self.where = self._db.where
        try:
            self._migrate()
        except self._db.error as exc:
            self._db.close()
            raise StoreError(
                f"cannot open the state database {self.where}: {self._db.describe(exc)}"
            ) from None
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        self._db.close()

    @property
    def subscribers(self) -> SubscriberTable:
        """The subscribers, a domain of its own (digest/subscribers/storage.py)."""
        return SubscriberTable(self._db)

    @property
    def leases(self) -> LeaseTable:
        """Which instance leads, and which are alive (digest/lease.py)."""
        return LeaseTable(self)

    def execute(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (`?` placeholders) and return its rows, if it has any.

        For callers with queries of their own (the instances' lease): the SQL
        must run on both engines, as the Store's own does.
        """
        try:
            rows = self._db.execute(sql, args)
            return [tuple(row) for row in rows] if _has_rows(rows) else []
        except self._db.error as exc:
            raise StoreError(
                f"cannot use the state database {self.where}: {self._db.describe(exc)}"
            ) from None

    def _migrate(self) -> None:
        version = self._db.schema_version()
        if version > len(_MIGRATIONS):
            raise StoreError(
                f"{self.where} was written by a newer version of digest (schema {version})"
            )
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                # Read again under the lock: two instances starting together on
                # one database apply each step once.
                self._db.lock_schema()
                if self._db.schema_version() >= number:
                    continue
                for statement in self._db.ddl(script).split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.set_schema_version(number)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside lands together or not at all."""
        error = self._db.error
        try:
            self._db.begin()
        except error as exc:
            raise StoreError(
                f"cannot write the state database {self.where}: {self._db.describe(exc)}"
            ) from None
        try:
            yield
        except error as exc:
            # A full disk or a folder turned read-only shows up mid-transaction.
            self._rollback()
            raise StoreError(
                f"cannot write the state database {self.where}: {self._db.describe(exc)}"
            ) from None
        except BaseException:
            self._rollback()
            raise
        try:
            self._db.commit()
        except error as exc:
            self._rollback()
            raise StoreError(
                f"cannot write the state database {self.where}: {self._db.describe(exc)}"
            ) from None

    def _rollback(self) -> None:
        # When the connection is gone, its transaction went with it.
        with suppress(self._db.error):
            self._db.rollback()

    # Moving the state to another database

    def copy_into(self, target: Store) -> dict[str, int]:
        """Copy every row of this state into `target`, an empty database, in one transaction.

        Both are at the latest schema (opening a Store migrates it), so the
        columns match by name. The lease and the list of running instances are
        not copied: they describe processes, not state. Returns rows per table.
        """
        if self.location == target.location:
            raise StoreError(f"cannot copy the state database {self.where} onto itself")
        counts: dict[str, int] = {}
        # The source's transaction keeps a build from writing while it is read.
        with self.transaction(), target.transaction():
            for table in STATE_TABLES:
                (held,) = target._db.execute(f"SELECT count(*) FROM {table}").fetchone()
                if held:
                    raise StoreError(
                        f"{target.where} already holds {held} rows in {table}: the state"
                        " is copied only into an empty database"
                    )
            for table in STATE_TABLES:
                rows = self._db.execute(f"SELECT * FROM {table}")
                names = [column[0] for column in rows.description]
                insert = (
                    f"INSERT INTO {table} ({', '.join(names)})"
                    f" VALUES ({', '.join('?' * len(names))})"
                )
                counts[table] = 0
                while batch := rows.fetchmany(500):
                    target._db.executemany(insert, batch)
                    counts[table] += len(batch)
        return counts

    # Documents

    def index(self) -> dict[str, IndexRow]:
        rows = self._db.execute(
            "SELECT id, path, content_hash, size, mtime_ns, labelled FROM documents"
        )
        new = tuple.__new__  # a named tuple's own constructor is a slower Python call
        return {
            row[1]: new(IndexRow, (row[0], row[1], row[2], row[3], row[4], bool(row[5])))
            for row in rows
        }

    def documents(self) -> list[Document]:
        """Every published document, newest first (ties broken by id, so order is stable)."""
        rows = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents")
        docs = [_document(row) for row in rows]
        docs.sort(key=lambda d: (d.published, d.id), reverse=True)
        return docs

    def inferred_themes(self) -> Iterator[tuple[str, Labels, str, str]]:
        """(id, themes, title, text) of every document whose themes were inferred, a few
        hundred rows at a time: what re-inferring them reads, and no more (no Document
        is built, no date parsed)."""
        cursor = self._db.execute(
            "SELECT id, themes, title, article FROM documents WHERE themes_inferred = 1"
        )
        while rows := cursor.fetchmany(500):
            for doc_id, themes, title, article in rows:
                yield doc_id, Labels(tuple(json.loads(themes)), True), title, _article_text(article)

    def documents_seen_between(self, start: datetime, end: datetime) -> list[Document]:
        """Documents first seen in (start, end], newest first: what a digest period covers."""
        rows = self._db.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE first_seen > ? AND first_seen <= ?",
            (_utc_text(start), _utc_text(end)),
        )
        docs = [_document(row) for row in rows]
        docs.sort(key=lambda d: (d.published, d.id), reverse=True)
        return docs

    def refs(self) -> list[DocumentRef]:
        """Every published document, light enough to plan publishing; newest first."""
        rows = self._db.execute(f"SELECT id, {_REF_COLUMNS} FROM documents")
        refs = _refs(rows)
        refs.sort(key=lambda d: (d.published, d.id), reverse=True)
        return refs

    def refs_of(self, ids: Collection[str]) -> list[DocumentRef]:
        """The refs of these documents, those still published, in no particular order."""
        wanted = list(ids)
        rows = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, {_REF_COLUMNS} FROM documents WHERE id IN ({marks})"
            rows += self._db.execute(sql, chunk).fetchall()
        return _refs(rows)

    def documents_by_id(self, ids: Collection[str]) -> dict[str, Document]:
        out: dict[str, Document] = {}
        wanted = list(ids)
        # SQLite caps the number of bound parameters; ask in slices.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE id IN ({marks})", chunk
            )
            out.update((row[0], _document(row)) for row in rows)
        return out

    def page_rows(self, ids: Collection[str]) -> dict[str, tuple[Any, ...]]:
        """What pages and feeds show of these documents, undecoded: see `page_document`.

        The database takes out of the article's JSON only the fields publishing
        shows, so bodies' paragraphs are never decoded, and the rows go to
        worker processes as plain text.
        """
        # The one expression the engines spell differently (json_extract, ->).
        columns = _DOC_COLUMNS.replace("article", self._db.json_fields("article", _PAGE_FIELDS))
        out: dict[str, tuple[Any, ...]] = {}
        wanted = list(ids)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT {columns} FROM documents WHERE id IN ({marks})", chunk)
            out.update((row[0], tuple(row)) for row in rows)
        return out

    def document(self, doc_id: str) -> Document | None:
        row = self._db.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return _document(row) if row else None

    def labelled_examples(self, per_theme: int) -> list[tuple[str, tuple[str, ...]]]:
        """(text, themes) of documents that name their own themes, newest first.

        A theme's centroid is as good after a few hundred examples as after
        thousands, so at most `per_theme` are taken for each theme: a large
        archive does not hold every labelled text in memory to train.
        """
        cursor = self._db.execute(
            "SELECT title, article, themes FROM documents WHERE labelled = 1"
            " ORDER BY first_seen DESC, id"
        )
        taken: dict[str, int] = {}
        out = []
        while rows := cursor.fetchmany(500):
            for title, article, themes in rows:
                names = tuple(json.loads(themes))
                if all(taken.get(name, 0) >= per_theme for name in names):
                    continue
                for name in names:
                    taken[name] = taken.get(name, 0) + 1
                out.append((f"{title}\n{_article(article).text}", names))
        return out

    def unlabelled_texts(self, limit: int) -> list[str]:
        """Title and text of the newest `limit` documents whose themes were inferred."""
        cursor = self._db.execute(
            "SELECT title, article FROM documents WHERE labelled = 0"
            " ORDER BY first_seen DESC, id LIMIT ?",
            (limit,),
        )
        return [f"{title}\n{_article(article).text}" for title, article in cursor]

    def unlabelled_count(self) -> int:
        (count,) = self._db.execute("SELECT count(*) FROM documents WHERE labelled = 0").fetchone()
        return int(count)

    def labelled_themes(self) -> tuple[int, set[str]]:
        """How many documents name their own themes, and which themes they name."""
        # Counted and deduplicated by SQLite: every build asks, and decoding each
        # labelled row's list in Python costs more than the rest of a no-change build.
        (count,) = self._db.execute("SELECT count(*) FROM documents WHERE labelled = 1").fetchone()
        rows = self._db.execute("SELECT DISTINCT themes FROM documents WHERE labelled = 1")
        return int(count), {name for (themes,) in rows for name in json.loads(themes)}

    def slugs(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT slug FROM documents")}

    def put(self, doc: Document, *, size: int, mtime_ns: int) -> None:
        """Insert or replace a document (matched on its id)."""
        self._note_change(doc.id)
        self._db.execute(
            _PUT_DOCUMENT,
            (
                doc.id, doc.path, doc.slug, doc.content_hash,
                _utc_text(doc.first_seen), _utc_text(doc.published), _utc_text(doc.updated),
                doc.title, doc.summary,
                json.dumps(doc.regions.names), int(doc.regions.inferred),
                json.dumps(doc.themes.names), int(doc.themes.inferred),
                json.dumps(_article_dict(doc.article), ensure_ascii=False),
                size, mtime_ns, int(not doc.themes.inferred),
            ),
        )  # fmt: skip

    def set_themes(self, doc_id: str, themes: Labels) -> None:
        self._note_change(doc_id)
        self._db.execute(
            "UPDATE documents SET themes = ?, themes_inferred = ? WHERE id = ?",
            (json.dumps(themes.names), int(themes.inferred), doc_id),
        )

    def touch(self, doc_id: str, *, path: str, size: int, mtime_ns: int) -> None:
        """Record a new path or file stamp for content that did not change."""
        self._db.execute(
            "UPDATE documents SET path = ?, size = ?, mtime_ns = ? WHERE id = ?",
            (path, size, mtime_ns, doc_id),
        )

    def delete(self, doc_id: str) -> None:
        self._note_change(doc_id)
        self._db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def _note_change(self, doc_id: str) -> None:
        """Keep the document as the last publication showed it, the first time it changes."""
        self._db.execute(_NOTE_CHANGE, (doc_id, doc_id))

    def changes(self) -> dict[str, DocumentRef | None]:
        """Each document changed since `clear_changes`, as it was then (None: it was not)."""
        rows = self._db.execute(f"SELECT id, {_REF_COLUMNS} FROM changed_documents")
        before = list(rows)
        known = _refs(row for row in before if row[1] is not None)
        return {row[0]: None for row in before} | {ref.id: ref for ref in known}

    def clear_changes(self) -> None:
        """Forget the changes: the output now shows every document as it is."""
        self._db.execute("DELETE FROM changed_documents")

    # Rejected files

    def rejections(self) -> dict[str, Rejection]:
        rows = self._db.execute("SELECT path, reason, size, mtime_ns, seen FROM rejected")
        return {r[0]: Rejection(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows}

    def reject(self, rejection: Rejection) -> None:
        self._db.execute(
            _PUT_REJECTION,
            (rejection.path, rejection.reason, rejection.size, rejection.mtime_ns,
             _utc_text(rejection.seen)),
        )  # fmt: skip

    def forget_rejection(self, path: str) -> None:
        self._db.execute("DELETE FROM rejected WHERE path = ?", (path,))

    # Output files and the keys they were rendered from

    def output_keys(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT path, key FROM outputs").fetchall())

    def save_output_keys(self, keys: Mapping[str, str], previous: Mapping[str, str]) -> None:
        """Record the keys of this publication, writing only what differs from the last."""
        gone = [(path,) for path in previous if path not in keys]
        self._db.executemany("DELETE FROM outputs WHERE path = ?", gone)
        changed = [(p, k) for p, k in keys.items() if previous.get(p) != k]
        self._db.executemany(_PUT_OUTPUT_KEY, changed)

    # Small named values: last build, last digest, publication fingerprints

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(_PUT_META, (key, value))

    def first_meta(self, key: str, value: str) -> str:
        """The value under `key`, storing `value` there first if it has none.

        Instances racing to store one get the same answer: the first write wins.
        """
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, value)
        )
        stored = self.get_meta(key)
        return value if stored is None else stored

    # Digest deliveries

    def deliveries(self, *, status: str | None = None) -> list[Delivery]:
        query = f"SELECT {_DELIVERY_COLUMNS} FROM deliveries"
        args: tuple[Any, ...] = ()
        if status:
            query += " WHERE status = ?"
            args = (status,)
        rows = self._db.execute(query + " ORDER BY period_start, recipient", args)
        return [_delivery(row) for row in rows]

    def delivery(self, recipient: str, period_start: datetime) -> Delivery | None:
        row = self._db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE recipient = ? AND period_start = ?",
            (recipient, _utc_text(period_start)),
        ).fetchone()
        return _delivery(row) if row else None

    def put_delivery(self, d: Delivery) -> None:
        self._db.execute(
            _PUT_DELIVERY,
            (d.recipient, _utc_text(d.period_start), _utc_text(d.period_end), d.message_id,
             d.status, d.attempts, d.detail, _utc_text(d.updated), d.choice),
        )  # fmt: skip

    def put_render(self, r: DigestRender) -> None:
        self._db.execute(
            _PUT_RENDER,
            (_utc_text(r.period_start), r.choice, r.page, _utc_text(r.date), r.subject, r.count,
             r.html, r.text),
        )  # fmt: skip

    def render(self, period_start: datetime, choice: str) -> DigestRender | None:
        row = self._db.execute(
            "SELECT page, date, subject, count, html, text FROM digest_renders"
            " WHERE period_start = ? AND choice = ?",
            (_utc_text(period_start), choice),
        ).fetchone()
        if row is None:
            return None
        return DigestRender(period_start, choice, row[0], _time(row[1]), *row[2:])

    def drop_finished_renders(self, keep: datetime | None) -> None:
        """Forget the renders no pending delivery needs any more (`keep`: a period open now)."""
        self._db.execute(
            "DELETE FROM digest_renders WHERE period_start NOT IN"
            " (SELECT period_start FROM deliveries WHERE status = 'pending')"
            " AND period_start != ?",
            (_utc_text(keep) if keep else "",),
        )

    def period_deliveries(self, period_start: datetime) -> list[Delivery]:
        """Every delivery of the digest period that starts at `period_start`."""
        rows = self._db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE period_start = ? ORDER BY recipient",
            (_utc_text(period_start),),
        )
        return [_delivery(row) for row in rows]

    def put_delivery_message(self, recipient: str, period_start: datetime, data: bytes) -> None:
        """Keep the exact bytes of a pending digest, so a retry resends the same message."""
        self._db.execute(
            _PUT_DELIVERY_MESSAGE,
            (recipient, _utc_text(period_start), data),
        )

    def delivery_message(self, recipient: str, period_start: datetime) -> bytes | None:
        row = self._db.execute(
            "SELECT message FROM delivery_messages WHERE recipient = ? AND period_start = ?",
            (recipient, _utc_text(period_start)),
        ).fetchone()
        return bytes(row[0]) if row else None

    def drop_delivery_message(self, recipient: str, period_start: datetime) -> None:
        self._db.execute(
            "DELETE FROM delivery_messages WHERE recipient = ? AND period_start = ?",
            (recipient, _utc_text(period_start)),
        )

    def put_digest(self, d: ArchivedDigest) -> None:
        self._db.execute(
            _PUT_DIGEST,
            (_utc_text(d.period_start), _utc_text(d.period_end), d.page, d.title, d.summary,
             d.articles),
        )  # fmt: skip

    def digests(self) -> list[ArchivedDigest]:
        """Every digest sent, newest first."""
        rows = self._db.execute(
            "SELECT period_start, period_end, page, title, summary, articles FROM digests"
            " ORDER BY period_end DESC"
        )
        return [ArchivedDigest(_time(r[0]), _time(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def _has_rows(rows: Rows) -> bool:
    return rows.description is not None


_DOC_COLUMNS = (
    "id, path, slug, content_hash, first_seen, published, updated, title, summary,"
    " regions, regions_inferred, themes, themes_inferred, article"
)
_DELIVERY_COLUMNS = (
    "recipient, period_start, period_end, message_id, status, attempts, detail, updated, choice"
)


def upsert(table: str, columns: str, key: str) -> str:
    """INSERT that replaces the row with the same `key`: one statement both engines run."""
    names = [name.strip() for name in columns.split(",")]
    keys = {name.strip() for name in key.split(",")}
    marks = ", ".join("?" * len(names))
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name not in keys)
    return (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


_PUT_DOCUMENT = upsert("documents", f"{_DOC_COLUMNS}, size, mtime_ns, labelled", "id")
_PUT_REJECTION = upsert("rejected", "path, reason, size, mtime_ns, seen", "path")
# What planning publication reads of a document, after its id (see `_refs`).
_REF_COLUMNS = "slug, published, updated, regions, themes, content_hash"
# The ON CONFLICT clause needs the WHERE before it, or SQLite reads it as the join's.
_NOTE_CHANGE = (
    f"INSERT INTO changed_documents (id, {_REF_COLUMNS})"
    " SELECT ?, d.slug, d.published, d.updated, d.regions, d.themes, d.content_hash"
    " FROM (SELECT 1 AS one) AS o LEFT JOIN documents d ON d.id = ? WHERE 1 = 1"
    " ON CONFLICT (id) DO NOTHING"
)
_PUT_OUTPUT_KEY = upsert("outputs", "path, key", "path")
_PUT_META = upsert("meta", "key, value", "key")
_PUT_DELIVERY = upsert("deliveries", _DELIVERY_COLUMNS, "recipient, period_start")
_PUT_RENDER = upsert(
    "digest_renders", "period_start, choice, page, date, subject, count, html, text",
    "period_start, choice",
)  # fmt: skip
_PUT_DELIVERY_MESSAGE = upsert(
    "delivery_messages", "recipient, period_start, message", "recipient, period_start"
)
_PUT_DIGEST = upsert(
    "digests", "period_start, period_end, page, title, summary, articles", "period_start"
)


def _utc_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise StoreError(f"refusing to store a naive time {value!r}")
    return value.isoformat()


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _refs(rows: Iterable[tuple[Any, ...]]) -> list[DocumentRef]:
    """DocumentRefs from rows of (id, `_REF_COLUMNS`)."""
    # Label lists repeat across thousands of documents: decode each one once.
    labels: dict[str, tuple[str, ...]] = {}

    def decoded(text: str) -> tuple[str, ...]:
        if text not in labels:
            labels[text] = tuple(json.loads(text))
        return labels[text]

    return [
        DocumentRef(
            id=r[0],
            slug=r[1],
            published=_time(r[2]),
            updated=_time(r[3]),
            regions=decoded(r[4]),
            themes=decoded(r[5]),
            fingerprint=f"{r[6]}|{r[3]}|{r[4]}|{r[5]}",
        )
        for r in rows
    ]


def _document(row: tuple[Any, ...], read: Callable[[str], Article] | None = None) -> Document:
    return Document(
        id=row[0],
        path=row[1],
        slug=row[2],
        content_hash=row[3],
        first_seen=_time(row[4]),
        published=_time(row[5]),
        updated=_time(row[6]),
        title=row[7],
        summary=row[8],
        regions=Labels(tuple(json.loads(row[9])), bool(row[10])),
        themes=Labels(tuple(json.loads(row[11])), bool(row[12])),
        article=(read or _article)(row[13]),
    )


# The article fields pages and feeds show, in the order _page_article reads them.
_PAGE_FIELDS = ("format", "author", "url", "rights", "source", "image", "content_html", "language")


def page_document(row: tuple[Any, ...]) -> Document:
    """A row of `Store.page_rows` as a Document whose article holds what publishing shows."""
    return _document(row, _page_article)


def _page_article(text: str) -> Article:
    return Article(**dict(zip(_PAGE_FIELDS, json.loads(text), strict=True)))


def _delivery(row: tuple[Any, ...]) -> Delivery:
    return Delivery(
        recipient=row[0],
        period_start=_time(row[1]),
        period_end=_time(row[2]),
        message_id=row[3],
        status=row[4],
        attempts=row[5],
        detail=row[6],
        updated=_time(row[7]),
        choice=row[8],
    )


# Read field by field: dataclasses.asdict deep-copies every value (a third of the
# cost of storing a document), and an article holds only strings, tuples and dates.
_ARTICLE_FIELDS = tuple(field.name for field in fields(Article))


def _article_dict(article: Article) -> dict[str, Any]:
    data = {name: getattr(article, name) for name in _ARTICLE_FIELDS}
    for key in ("published", "updated"):
        if data[key] is not None:
            data[key] = data[key].isoformat()
    return data


def _article_text(text: str) -> str:
    """`Article.text` of an article's JSON."""
    data = json.loads(text)
    parts = [data["standfirst"]] if data["standfirst"] else []
    parts.extend(data["paragraphs"])
    return "\n".join(parts)


def _article(text: str) -> Article:
    data = json.loads(text)
    for key in ("published", "updated"):
        if data[key] is not None:
            data[key] = datetime.fromisoformat(data[key])
    for key in ("regions", "themes", "paragraphs", "warnings"):
        data[key] = tuple(data.get(key, ()))
    return Article(**data)
