"""The lease: one holder at a time, taken over once it expires, fencing what a stale holder does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.errors import LeaseLost
from digest.lease import Instance, Lease
from digest.store import Delivery, Store

START = 1_767_000_000.0
PERIOD = datetime(2025, 1, 10, 7, tzinfo=UTC)


class Clock:
    """Seconds since 1970, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


@pytest.fixture
def stores(db: Path) -> Iterator[list[Store]]:
    """Each instance opens the database with its own connection, as separate processes do."""
    opened: list[Store] = []
    yield opened
    for store in opened:
        store.close()


def lease(db: Path, stores: list[Store], clock: Clock, name: str) -> Lease:
    store = Store(db)
    stores.append(store)
    return Lease(store.leases, Instance.here(name), seconds=10, clock=clock)


def pending(store: Store, recipient: str) -> None:
    with store.transaction():
        store.put_delivery(
            Delivery(recipient, PERIOD, PERIOD, "<m@x>", "pending", 0, "", PERIOD, "[]")
        )


def test_only_one_of_two_instances_takes_a_free_lease(db: Path, stores: list[Store]) -> None:
    clock = Clock()
    a, b = lease(db, stores, clock, "a"), lease(db, stores, clock, "b")
    assert a.tick() is True
    assert b.tick() is False
    assert a.held() and not b.held()
    holder = a.table.holder()
    assert holder.holder == a.me.id
    assert holder.expires == datetime.fromtimestamp(START + 10, UTC)


def test_a_renewed_lease_is_never_taken_over(db: Path, stores: list[Store]) -> None:
    clock = Clock()
    a, b = lease(db, stores, clock, "a"), lease(db, stores, clock, "b")
    a.tick()
    for _ in range(10):
        clock.now += 3
        assert a.tick() is True
        assert b.tick() is False
    assert a.fence().epoch == 1


def test_a_lease_not_renewed_is_taken_over_once_it_expires_with_a_new_epoch(
    db: Path, stores: list[Store]
) -> None:
    clock = Clock()
    a, b = lease(db, stores, clock, "a"), lease(db, stores, clock, "b")
    a.tick()
    clock.now += 9.9
    assert b.tick() is False
    clock.now += 0.1
    assert not a.held()  # the holder knows its own renewal ran out
    assert b.tick() is True
    assert b.fence().epoch == 2
    assert a.tick() is False  # back from a pause: the lease is someone else's now
    with pytest.raises(LeaseLost):
        a.fence()


def test_a_released_lease_is_taken_at_once(db: Path, stores: list[Store]) -> None:
    clock = Clock()
    a, b = lease(db, stores, clock, "a"), lease(db, stores, clock, "b")
    a.tick()
    a.release()
    assert b.tick() is True
    assert [s.id for s in b.table.instances()] == [b.me.id]


def test_a_stale_holder_cannot_claim_a_delivery_and_the_new_one_can(
    db: Path, stores: list[Store]
) -> None:
    clock = Clock()
    a, b = lease(db, stores, clock, "a"), lease(db, stores, clock, "b")
    a.tick()
    stale = a.fence()
    pending(stores[0], "r1@example.org")
    pending(stores[0], "r2@example.org")
    assert a.table.claim(stale, int(clock.now * 1000), "r1@example.org", PERIOD)
    clock.now += 11
    b.tick()
    now = int(clock.now * 1000)
    assert not a.table.claim(stale, now, "r2@example.org", PERIOD)
    assert not a.table.holds(stale, now)
    assert b.table.claim(b.fence(), now, "r2@example.org", PERIOD)
    # The message the old holder had in flight is the new holder's to finish.
    assert b.table.claimed_by("r1@example.org", PERIOD) == 1
    assert b.table.claim(b.fence(), now, "r1@example.org", PERIOD)
    assert b.table.claimed_by("r1@example.org", PERIOD) == 2


def test_a_delivery_already_sent_is_not_claimed_again(db: Path, stores: list[Store]) -> None:
    clock = Clock()
    a = lease(db, stores, clock, "a")
    a.tick()
    store = stores[0]
    with store.transaction():
        store.put_delivery(
            Delivery("r@example.org", PERIOD, PERIOD, "<m@x>", "sent", 1, "", PERIOD, "[]")
        )
    assert not a.table.claim(a.fence(), int(clock.now * 1000), "r@example.org", PERIOD)


def test_every_instance_is_listed_with_its_heartbeat_and_long_silent_ones_are_forgotten(
    db: Path, stores: list[Store]
) -> None:
    clock = Clock()
    gone = lease(db, stores, clock, "gone")
    gone.tick()
    clock.now += 2 * 86400
    a, b = lease(db, stores, clock, "a"), lease(db, stores, clock, "b")
    a.tick()
    clock.now += 1
    b.tick()
    seen = {s.name: s for s in a.table.instances()}
    assert set(seen) == {"a", "b"}
    assert seen["b"].heartbeat == datetime.fromtimestamp(clock.now, UTC)
    assert seen["a"].pid == a.me.pid
