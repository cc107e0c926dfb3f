"""Which instance publishes and sends: a lease row in the state database, renewed by its holder.

Several `digest run` instances may share one state database. All of them watch
and serve; only the holder of the lease builds, publishes and sends. The lease
is one row, taken or renewed by a single UPDATE that matches only when the row
is free, expired or already ours, so two instances never both hold it, on
either engine: PostgreSQL re-checks a concurrent UPDATE's WHERE clause against
the row the other one committed, and SQLite runs one writer at a time.

The holder renews it every `daemon.renew_seconds`; when the holder dies, the
row expires `daemon.lease_seconds` after its last renewal and the first
instance to look afterwards takes it: a takeover waits at most lease + renew
seconds. Every change of holder bumps the epoch, a fencing token. A delivery is
claimed, and a digest period opened or closed, only by a statement that checks
in the same transaction that the lease is still held at that epoch, so an
instance that lost the lease (paused, cut off from the database) cannot send
again: at most the one message it had already handed to the server goes out
twice, and byte-identical, since a message is rebuilt from what the database
recorded.

Times are milliseconds since 1970 from each instance's own clock, compared in
SQL the same way on both engines; instances' clocks must agree to well within
the lease, which NTP does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from digest.errors import LeaseLost

# A migration of the state database (see Store's list of migrations). Times are
# BIGINT milliseconds: INTEGER is 32 bits in PostgreSQL.
SCHEMA = """
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    started BIGINT NOT NULL,
    heartbeat BIGINT NOT NULL
);
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    since BIGINT NOT NULL,
    expires BIGINT NOT NULL
);
INSERT INTO leases (name, holder, epoch, since, expires) VALUES ('leader', '', 0, 0, 0);
ALTER TABLE deliveries ADD COLUMN claim BIGINT NOT NULL DEFAULT 0
"""

# Instances silent this long are forgotten (by the next one to start).
_FORGET_MS = 24 * 3600 * 1000


class Database(Protocol):
    """What the lease needs of the Store: run one statement of its own, get its rows."""

    def execute(self, sql: str, args: Sequence[Any] = ..., /) -> list[tuple[Any, ...]]: ...


@dataclass(frozen=True, slots=True)
class Instance:
    """One running process: `id` is new at every start, the rest is for people."""

    id: str
    name: str
    host: str
    pid: int

    @classmethod
    def here(cls, name: str = "") -> Instance:
        host = _hostname()
        pid = os.getpid()
        return cls(f"{host}:{pid}:{os.urandom(4).hex()}", name or host, host, pid)

    def describe(self) -> str:
        return describe(self.name, self.host, self.pid)


def describe(name: str, host: str, pid: int) -> str:
    """How logs and `status` name an instance: "desk-1 (host web1, pid 4242)"."""
    return f"{name} (host {host}, pid {pid})"


@dataclass(frozen=True, slots=True)
class Fence:
    """The lease as held at one epoch: what a claim checks is still true."""

    holder: str
    epoch: int


@dataclass(frozen=True, slots=True)
class Seen:
    """An instance as its heartbeat row shows it."""

    id: str
    name: str
    host: str
    pid: int
    started: datetime
    heartbeat: datetime

    def describe(self) -> str:
        return describe(self.name, self.host, self.pid)


@dataclass(frozen=True, slots=True)
class Holder:
    """The lease row: who holds it (an instance id, "" when released), since when, until when."""

    holder: str
    epoch: int
    since: datetime
    expires: datetime


class LeaseTable:
    """The lease and heartbeat tables: plain SQL, the same on both engines, through the Store."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def take(self, holder: str, now: int, until: int, *, dead: str = "") -> int | None:
        """Take or renew the lease until `until`; its epoch, or None when someone else holds it.

        `dead`: a holder known to have died, whose lease is taken before it runs out.
        """
        rows = self._db.execute(
            "UPDATE leases SET"
            " epoch = CASE WHEN holder = ? THEN epoch ELSE epoch + 1 END,"
            " since = CASE WHEN holder = ? THEN since ELSE ? END,"
            " holder = ?, expires = ?"
            " WHERE name = 'leader' AND (holder = ? OR expires <= ? OR (holder = ? AND ? <> ''))"
            " RETURNING epoch",
            (holder, holder, now, holder, until, holder, now, dead, dead),
        )
        return int(rows[0][0]) if rows else None

    def release(self, holder: str) -> None:
        """Give the lease up now, so another instance need not wait for it to expire."""
        self._db.execute(
            "UPDATE leases SET holder = '', expires = 0 WHERE name = 'leader' AND holder = ?",
            (holder,),
        )

    def holds(self, fence: Fence, now: int) -> bool:
        """Whether the lease is still held at this epoch.

        Inside a transaction, the row stays locked until it ends (PostgreSQL
        holds the row lock of an UPDATE; SQLite the write lock), so what the
        transaction writes lands while the lease is held.
        """
        rows = self._db.execute(
            "UPDATE leases SET expires = expires"
            " WHERE name = 'leader' AND holder = ? AND epoch = ? AND expires > ?"
            " RETURNING epoch",
            (fence.holder, fence.epoch, now),
        )
        return bool(rows)

    def claim(self, fence: Fence, now: int, recipient: str, period_start: datetime) -> bool:
        """Mark a pending delivery as being sent at this epoch, if the lease is still held."""
        rows = self._db.execute(
            "UPDATE deliveries SET claim = ?"
            " WHERE recipient = ? AND period_start = ? AND status = 'pending'"
            " AND EXISTS (SELECT 1 FROM leases WHERE name = 'leader'"
            " AND holder = ? AND epoch = ? AND expires > ?)"
            " RETURNING claim",
            (fence.epoch, recipient, period_start.astimezone(UTC).isoformat(),
             fence.holder, fence.epoch, now),
        )  # fmt: skip
        return bool(rows)

    def claimed_by(self, recipient: str, period_start: datetime) -> int:
        """The epoch that last claimed a delivery (0: never claimed)."""
        rows = self._db.execute(
            "SELECT claim FROM deliveries WHERE recipient = ? AND period_start = ?",
            (recipient, period_start.astimezone(UTC).isoformat()),
        )
        return int(rows[0][0]) if rows else 0

    def in_flight(self, fence: Fence) -> set[tuple[str, datetime]]:
        """(recipient, period start) of pending deliveries an earlier epoch claimed."""
        rows = self._db.execute(
            "SELECT recipient, period_start FROM deliveries"
            " WHERE status = 'pending' AND claim > 0 AND claim < ?",
            (fence.epoch,),
        )
        return {(r[0], datetime.fromisoformat(r[1])) for r in rows}

    def holder(self) -> Holder:
        (row,) = self._db.execute(
            "SELECT holder, epoch, since, expires FROM leases WHERE name = 'leader'"
        )
        return Holder(row[0], int(row[1]), _time(row[2]), _time(row[3]))

    def beat(self, me: Instance, now: int, started: int) -> None:
        """Say this instance is alive."""
        self._db.execute(
            "INSERT INTO instances (id, name, host, pid, started, heartbeat)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET heartbeat = excluded.heartbeat",
            (me.id, me.name, me.host, me.pid, started, now),
        )

    def leave(self, instance_id: str) -> None:
        self._db.execute("DELETE FROM instances WHERE id = ?", (instance_id,))

    def forget_silent(self, before: int) -> None:
        self._db.execute("DELETE FROM instances WHERE heartbeat < ?", (before,))

    def instances(self) -> list[Seen]:
        rows = self._db.execute(
            "SELECT id, name, host, pid, started, heartbeat FROM instances ORDER BY name, started"
        )
        return [Seen(r[0], r[1], r[2], int(r[3]), _time(r[4]), _time(r[5])) for r in rows]


def survey(table: LeaseTable, now: datetime, lease_seconds: float) -> dict[str, Any]:
    """Who holds the lease and which instances are alive, for `digest status --json`.

    An instance is alive while its heartbeat is younger than one lease, the time
    after which the lease would be taken from it.
    """
    lease = table.holder()
    rows = table.instances()
    leader = lease.holder if lease.holder and lease.expires > now else ""
    named = {seen.id: seen for seen in rows}

    def entry(seen: Seen) -> dict[str, Any]:
        return {
            "name": seen.name,
            "host": seen.host,
            "pid": seen.pid,
            "started": seen.started.isoformat(),
            "heartbeat": seen.heartbeat.isoformat(),
            "leader": seen.id == leader,
            "alive": (now - seen.heartbeat).total_seconds() < lease_seconds,
        }

    holder = None
    if leader:
        holder = entry(named[leader]) if leader in named else {"name": leader}
        holder.update(since=lease.since.isoformat(), expires=lease.expires.isoformat())
    return {"lease": holder, "instances": [entry(seen) for seen in rows]}


class Lease:
    """One instance's side of the lease, read against the clock it is given (seconds).

    It keeps no connection: each thread hands in the table on its own one (the
    renewing thread to `tick`, the sending one to its claims), and only what
    `tick` learnt is shared, as one value replaced whole.

    `exclusive`: the state folder's file lock already makes this instance the
    only one (a SQLite database lives on one machine). The lease is then taken
    from whoever the row names and does not run out while the process lives:
    a cold build holds SQLite's write lock for longer than a lease, and
    renewals that wait for it must not cost the instance its leadership.
    """

    def __init__(
        self,
        me: Instance,
        *,
        seconds: float,
        clock: Callable[[], float],
        exclusive: bool = False,
    ) -> None:
        self.me = me
        self.seconds = seconds
        self.exclusive = exclusive
        self._clock = clock
        self._started = _ms(clock())
        self._first = True
        # (epoch, held until) from the last tick; epoch None: not held.
        self._state: tuple[int | None, float] = (None, 0.0)

    def tick(self, table: LeaseTable) -> bool:
        """Renew the lease if held, take it if free or expired, say we are alive; held now?"""
        now = self._clock()
        if self._first:
            table.forget_silent(_ms(now) - _FORGET_MS)
            self._first = False
        dead = ""
        if not self.held():
            current = table.holder()
            if current.holder != self.me.id and (self.exclusive or _died_here(current.holder)):
                dead = current.holder
        epoch = table.take(self.me.id, _ms(now), _ms(now + self.seconds), dead=dead)
        table.beat(self.me, _ms(now), self._started)
        self._state = (epoch, now + self.seconds if epoch is not None else 0.0)
        return epoch is not None

    def held(self) -> bool:
        """Whether this instance may act as the leader now (its last renewal has not run out)."""
        epoch, until = self._state
        return epoch is not None and (self.exclusive or self._clock() < until)

    def fence(self) -> Fence:
        """The token that sends and period changes are checked against; LeaseLost when not held."""
        epoch = self._state[0]
        if epoch is None or not self.held():
            raise LeaseLost("this instance does not hold the lease")
        return Fence(self.me.id, epoch)

    def now_ms(self) -> int:
        """The time claims check the lease's expiry against: never past it when exclusive."""
        return 0 if self.exclusive else _ms(self._clock())

    def release(self, table: LeaseTable) -> None:
        """Hand the lease over at once and leave the list of instances (a clean stop)."""
        self._state = (None, 0.0)
        table.release(self.me.id)
        table.leave(self.me.id)


def _died_here(instance_id: str) -> bool:
    """Whether an instance ran on this host and its process is gone.

    A daemon restarted after kill -9 (or a crash) on the same machine takes its
    own lease back at once instead of waiting for it to run out; instances on
    other hosts cannot be checked, so theirs is waited out.
    """
    host, _, rest = instance_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _hostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, as another user's process
    return False


def _hostname() -> str:
    """This machine's name, as socket.gethostname() gives it (both read uname): every
    build and send makes an instance, and importing socket cost them 5-10 ms."""
    return os.uname().nodename


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _time(ms: Any) -> datetime:
    return datetime.fromtimestamp(int(ms) / 1000, UTC)
