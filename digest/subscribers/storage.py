"""The subscribers table: plain SQL on the state database's connection.

Store (digest/store.py) owns the connection, the transactions and the numbered
migrations; this module owns the table's SQL, so subscribers are one domain of
the storage beside documents and deliveries. The statements are portable: the
same ones run on SQLite and on PostgreSQL (digest/engines.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from digest.subscribers.model import Subscriber

if TYPE_CHECKING:
    from digest.engines import Engine

# A migration of the state database (see Store's list of migrations).
SCHEMA = """
CREATE TABLE subscribers (
    key TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    regions TEXT NOT NULL,
    themes TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    confirmed TEXT,
    unsubscribed TEXT,
    bounced TEXT,
    preferences_changed TEXT,
    bounces INTEGER NOT NULL
);
CREATE INDEX subscribers_status ON subscribers (status)
"""

_COLUMNS = (
    "address, id, name, status, source, regions, themes, created, updated,"
    " confirmed, unsubscribed, bounced, preferences_changed, bounces"
)


def key_of(address: str) -> str:
    """Two spellings of one mailbox that differ only in case are one subscriber."""
    return address.casefold()


class SubscriberTable:
    def __init__(self, db: Engine) -> None:
        self._db = db

    def get(self, address: str) -> Subscriber | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM subscribers WHERE key = ?", (key_of(address),)
        ).fetchone()
        return _subscriber(row) if row else None

    def by_id(self, subscriber_id: str) -> Subscriber | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM subscribers WHERE id = ?", (subscriber_id,)
        ).fetchone()
        return _subscriber(row) if row else None

    def all(self, status: str | None = None) -> list[Subscriber]:
        """Every subscriber (or those with one status), by address."""
        query = f"SELECT {_COLUMNS} FROM subscribers"
        args: tuple[str, ...] = ()
        if status:
            query += " WHERE status = ?"
            args = (status,)
        return [_subscriber(row) for row in self._db.execute(query + " ORDER BY key", args)]

    def put(self, s: Subscriber) -> None:
        """Insert or replace the subscriber with this address (call inside a transaction)."""
        self._db.execute("DELETE FROM subscribers WHERE key = ?", (key_of(s.address),))
        self._db.execute(
            f"INSERT INTO subscribers (key, {_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key_of(s.address), s.address, s.id, s.name, s.status, s.source,
                json.dumps(list(s.regions)), json.dumps(list(s.themes)),
                s.created.isoformat(), s.updated.isoformat(), _text(s.confirmed),
                _text(s.unsubscribed), _text(s.bounced), _text(s.preferences_changed), s.bounces,
            ),
        )  # fmt: skip


def _text(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _subscriber(row: tuple[Any, ...]) -> Subscriber:
    return Subscriber(
        address=row[0],
        id=row[1],
        name=row[2],
        status=row[3],
        source=row[4],
        regions=tuple(json.loads(row[5])),
        themes=tuple(json.loads(row[6])),
        created=datetime.fromisoformat(row[7]),
        updated=datetime.fromisoformat(row[8]),
        confirmed=_time(row[9]),
        unsubscribed=_time(row[10]),
        bounced=_time(row[11]),
        preferences_changed=_time(row[12]),
        bounces=row[13],
    )
