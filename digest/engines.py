"""The two database engines behind the Store: SQLite (the default) and PostgreSQL.

The Store's SQL is written once, in the subset both engines share (`?`
placeholders, `INSERT ... ON CONFLICT` upserts, no engine-only functions). An
engine here only connects, translates the placeholders, substitutes the column
types that must differ in the migrations, keeps the schema version, and turns
driver errors into StoreError. psycopg is imported only when a PostgreSQL URL
is opened: a build on SQLite never pays for loading it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from digest.errors import StoreError

if TYPE_CHECKING:
    import psycopg

POSTGRESQL_SCHEMES = ("postgresql", "postgres")
# The PostgreSQL advisory lock key migrations hold ("digest" in ASCII, then 1);
# other users of advisory locks on the database pick other keys.
SCHEMA_LOCK = 0x6469676573740001


class Rows(Protocol):
    """A statement's result, as both drivers' cursors give it."""

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchmany(self, size: int = ...) -> list[Any]: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class Engine(Protocol):
    kind: str  # "sqlite" or "postgresql"
    where: str  # the file or the URL (without its password), for messages
    error: type[Exception]  # the driver's root error

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Rows: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def begin(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def in_transaction(self) -> bool: ...

    def schema_version(self) -> int: ...

    def set_schema_version(self, version: int) -> None: ...

    def lock_schema(self) -> None: ...

    def ddl(self, script: str) -> str: ...

    def json_fields(self, column: str, fields: Sequence[str]) -> str: ...

    def describe(self, exc: Exception) -> str: ...

    def close(self) -> None: ...


def is_postgresql(location: Path | str) -> bool:
    return isinstance(location, str) and urlsplit(location).scheme in POSTGRESQL_SCHEMES


def connect(location: Path | str) -> Engine:
    """Open the state database: a PostgreSQL URL, or else the path of a SQLite file."""
    if is_postgresql(location):
        return PostgresEngine(str(location))
    return SqliteEngine(Path(location))


def redact(url: str) -> str:
    """The URL with its password, if any, replaced: it goes into messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def _unless_in_transaction(engine: Engine, exc: Exception) -> Exception:
    """The driver's error inside a transaction (Store.transaction() rolls back and
    reports it); outside one, a StoreError saying which database."""
    if engine.in_transaction():
        return exc
    return StoreError(f"cannot use the state database {engine.where}: {engine.describe(exc)}")


class SqliteEngine:
    kind = "sqlite"
    error: type[Exception] = sqlite3.Error

    def __init__(self, path: Path) -> None:
        self.where = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the state database {path}: {exc}") from None

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Rows:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise _unless_in_transaction(self, exc) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise _unless_in_transaction(self, exc) from None

    def begin(self) -> None:
        # IMMEDIATE: take the write lock now, so two writers queue instead of
        # one failing half-way through.
        self._db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        # SQLite may already have rolled back by itself (on a full disk, say).
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def in_transaction(self) -> bool:
        return self._db.in_transaction

    def schema_version(self) -> int:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        return int(version)

    def set_schema_version(self, version: int) -> None:
        self._db.execute(f"PRAGMA user_version = {int(version)}")

    def lock_schema(self) -> None:
        """Nothing to do: BEGIN IMMEDIATE already keeps other writers out."""

    def ddl(self, script: str) -> str:
        return script

    def json_fields(self, column: str, fields: Sequence[str]) -> str:
        """SQL for a JSON array (as text) of these top-level fields of a JSON text column."""
        paths = ", ".join(f"'$.{name}'" for name in fields)
        return f"json_extract({column}, {paths})"

    def describe(self, exc: Exception) -> str:
        return str(exc)

    def close(self) -> None:
        self._db.close()


# Column types the migrations name that PostgreSQL spells differently. TEXT
# compares byte by byte, as in SQLite, whatever the database's locale: listings
# come out in the same order on both engines.
_POSTGRES_TYPES = {"BLOB": "BYTEA", "INTEGER": "BIGINT", "TEXT": 'TEXT COLLATE "C"'}
_TYPE_NAMES = re.compile(r"\b(" + "|".join(_POSTGRES_TYPES) + r")\b")


@lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresEngine:
    kind = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self._psycopg = psycopg
        self.error: type[Exception] = psycopg.Error
        self.url = url
        self.where = redact(url)
        self._db = self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        # autocommit: outside Store.transaction() each statement stands alone,
        # as on SQLite; inside it, BEGIN and COMMIT are ours.
        try:
            return self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except self._psycopg.Error as exc:
            raise StoreError(self._refused(exc)) from None

    def _live(self) -> psycopg.Connection[Any]:
        # A server restarted under a long-running daemon: connect again between
        # transactions (never inside one, whose work would be lost unseen).
        if self._db.broken or self._db.closed:
            self._db = self._connect()
        return self._db

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Rows:
        try:
            return self._live().execute(_pyformat(sql), args)
        except self._psycopg.Error as exc:
            raise _unless_in_transaction(self, exc) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            with self._live().cursor() as cursor:
                cursor.executemany(_pyformat(sql), rows)
        except self._psycopg.Error as exc:
            raise _unless_in_transaction(self, exc) from None

    def begin(self) -> None:
        try:
            self._live().execute("BEGIN")
        except self._psycopg.OperationalError:
            if not self._db.broken:
                raise
            # The server restarted, or dropped us, since the last statement: nothing
            # was under way, so a new connection loses nothing.
            self._db = self._connect()
            self._db.execute("BEGIN")

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        if not self._db.broken and self.in_transaction():
            self._db.execute("ROLLBACK")

    def in_transaction(self) -> bool:
        # UNKNOWN, on a broken connection, is no transaction: nothing to roll back.
        status = self._psycopg.pq.TransactionStatus
        return self._db.info.transaction_status in (status.INTRANS, status.INERROR, status.ACTIVE)

    def schema_version(self) -> int:
        # Read from pg_class, not through to_regclass(): the name cache behind
        # that may not yet know of a table another instance just committed.
        (exists,) = self.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = 'schema_version' AND n.nspname = current_schema())"
        ).fetchone()
        if not exists:
            return 0
        row = self.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def set_schema_version(self, version: int) -> None:
        self.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        self.execute("DELETE FROM schema_version")
        self.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))

    def lock_schema(self) -> None:
        """Hold the schema lock until the transaction ends: one migrating instance at a time."""
        self.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))

    def ddl(self, script: str) -> str:
        return _TYPE_NAMES.sub(lambda m: _POSTGRES_TYPES[m.group(1)], script)

    def json_fields(self, column: str, fields: Sequence[str]) -> str:
        """SQL for a JSON array (as text) of these top-level fields of a JSON text column."""
        # One parse of the text per row: `->` on json would parse it again for each field.
        values = ", ".join(f"f.{name}" for name in fields)
        types = ", ".join(f"{name} json" for name in fields)
        return (
            f"(SELECT json_build_array({values})::text"
            f" FROM json_to_record({column}::json) AS f({types}))"
        )

    def describe(self, exc: Exception) -> str:
        detail = " ".join(str(exc).split())
        if self._db.broken:
            return f"{detail} (the connection to the server was lost; it is opened again next time)"
        return detail

    def _refused(self, exc: Exception) -> str:
        """Why a connection could not be opened, and what to fix."""
        detail = " ".join(str(exc).split())
        parts = urlsplit(self.url)
        name = parts.path.lstrip("/") or parts.username or "NAME"
        if "database" in detail and "does not exist" in detail:
            return (
                f"the state database {self.where} does not exist: create it"
                f" (createdb {name}) or fix the database name in the URL"
            )
        if "authentication failed" in detail or "no password supplied" in detail:
            return (
                f"PostgreSQL refused the login to {self.where}: check the user and password"
                f" in the URL (or PGPASSWORD, ~/.pgpass): {detail}"
            )
        if "role" in detail and "does not exist" in detail:
            return f"PostgreSQL has no such user for {self.where}: fix the URL's user: {detail}"
        return (
            f"cannot reach the PostgreSQL server of {self.where}: is it running, and are the"
            f" host and port in the URL right? ({detail})"
        )

    def close(self) -> None:
        self._db.close()
