"""The lease: one holder at a time, taken over once it expires, fencing what a stale holder does."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.daemon.leader import Leadership, lock_excludes_others
from digest.errors import ConfigError, LeaseLost
from digest.lease import Fence, Instance, Lease
from digest.store import Delivery, Store
from tests.conftest import WriteConfig

START = 1_767_000_000.0
PERIOD = datetime(2025, 1, 10, 7, tzinfo=UTC)


class Clock:
    """Seconds since 1970, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(store_location: Path | str) -> Path | str:
    """Each test runs on a SQLite file, then on a fresh PostgreSQL database."""
    return store_location


@pytest.fixture
def stores(db: Path | str) -> Iterator[list[Store]]:
    """Each instance opens the database with its own connection, as separate processes do."""
    opened: list[Store] = []
    yield opened
    for store in opened:
        store.close()


class Node:
    """One instance: its own connection to the database, its own side of the lease."""

    def __init__(self, db: Path | str, stores: list[Store], clock: Clock, name: str) -> None:
        self.store = Store(db)
        stores.append(self.store)
        self.table = self.store.leases
        self.lease = Lease(Instance.here(name), seconds=10, clock=clock)
        self.me = self.lease.me

    def tick(self) -> bool:
        return self.lease.tick(self.table)

    def held(self) -> bool:
        return self.lease.held()

    def fence(self) -> Fence:
        return self.lease.fence()


def pending(store: Store, recipient: str) -> None:
    with store.transaction():
        store.put_delivery(
            Delivery(recipient, PERIOD, PERIOD, "<m@x>", "pending", 0, "", PERIOD, "[]")
        )


def test_only_one_of_two_instances_takes_a_free_lease(db: Path | str, stores: list[Store]) -> None:
    clock = Clock()
    a, b = Node(db, stores, clock, "a"), Node(db, stores, clock, "b")
    assert a.tick() is True
    assert b.tick() is False
    assert a.held() and not b.held()
    holder = a.table.holder()
    assert holder.holder == a.me.id
    assert holder.expires == datetime.fromtimestamp(START + 10, UTC)


def test_a_renewed_lease_is_never_taken_over(db: Path | str, stores: list[Store]) -> None:
    clock = Clock()
    a, b = Node(db, stores, clock, "a"), Node(db, stores, clock, "b")
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
    a, b = Node(db, stores, clock, "a"), Node(db, stores, clock, "b")
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


def test_a_released_lease_is_taken_at_once(db: Path | str, stores: list[Store]) -> None:
    clock = Clock()
    a, b = Node(db, stores, clock, "a"), Node(db, stores, clock, "b")
    a.tick()
    a.lease.release(a.table)
    assert b.tick() is True
    assert [s.id for s in b.table.instances()] == [b.me.id]


def test_a_lease_whose_holder_died_on_this_host_is_taken_at_once(
    db: Path, stores: list[Store]
) -> None:
    clock = Clock()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    a, b = Node(db, stores, clock, "a"), Node(db, stores, clock, "b")
    host = socket.gethostname()
    a.lease.me = Instance(f"{host}:{gone.pid}:dead", "a", host, gone.pid)
    assert a.tick() is True
    assert b.tick() is True
    assert b.fence().epoch == 2


def test_a_lease_held_by_a_live_process_or_another_host_is_waited_out(
    db: Path, stores: list[Store]
) -> None:
    clock = Clock()
    a, b = Node(db, stores, clock, "a"), Node(db, stores, clock, "b")
    a.tick()  # this very process: alive
    assert b.tick() is False
    elsewhere = Node(db, stores, clock, "c")
    elsewhere.lease.me = Instance("another-host:1:x", "c", "another-host", 1)
    clock.now += 10
    assert elsewhere.tick() is True
    assert b.tick() is False


def test_a_stale_holder_cannot_claim_a_delivery_and_the_new_one_can(
    db: Path, stores: list[Store]
) -> None:
    clock = Clock()
    a, b = Node(db, stores, clock, "a"), Node(db, stores, clock, "b")
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


def test_a_delivery_already_sent_is_not_claimed_again(db: Path | str, stores: list[Store]) -> None:
    clock = Clock()
    a = Node(db, stores, clock, "a")
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
    gone = Node(db, stores, clock, "gone")
    gone.tick()
    clock.now += 2 * 86400
    a, b = Node(db, stores, clock, "a"), Node(db, stores, clock, "b")
    a.tick()
    clock.now += 1
    b.tick()
    seen = {s.name: s for s in a.table.instances()}
    assert set(seen) == {"a", "b"}
    assert seen["b"].heartbeat == datetime.fromtimestamp(clock.now, UTC)
    assert seen["a"].pid == a.me.pid


def test_status_names_the_lease_holder_and_the_other_instances(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    config = write_config('[daemon]\ninstance = "desk-1"\n')
    store = Store(config.paths.database)
    first = Lease(Instance.here("desk-1"), seconds=10, clock=time.time)
    second = Lease(Instance.here("desk-2"), seconds=10, clock=time.time)
    assert first.tick(store.leases) and not second.tick(store.leases)
    store.close()

    assert main(["--config", str(config.path), "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["daemon_running"] is True
    assert status["lease"]["name"] == "desk-1"
    assert status["lease"]["pid"] == os.getpid()
    assert [(i["name"], i["leader"], i["alive"]) for i in status["instances"]] == [
        ("desk-1", True, True),
        ("desk-2", False, True),
    ]
    assert main(["--config", str(config.path), "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    host = socket.gethostname()
    assert f"lease: desk-1 (host {host}, pid {os.getpid()}), since " in lines[-3]
    assert lines[-2] == "other instances: 1"
    assert lines[-1].startswith(f"  desk-2 (host {host}, pid {os.getpid()}): following, last heard")


def test_status_says_when_no_instance_holds_the_lease(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    config = write_config()
    assert main(["--config", str(config.path), "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["lease"], status["instances"], status["daemon_running"]) == (None, [], False)
    assert main(["--config", str(config.path), "status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "lease: not held (no instance publishes or sends)"


def test_a_renewal_slower_than_half_the_lease_is_refused_naming_the_key(
    write_config: WriteConfig,
) -> None:
    with pytest.raises(ConfigError) as caught:
        write_config("[daemon]\nlease_seconds = 10\nrenew_seconds = 6\n")
    assert str(caught.value) == (
        "config: daemon.renew_seconds: must be at most half of daemon.lease_seconds (10), "
        "so one late renewal does not lose the lease; got 6"
    )


def test_on_sqlite_a_write_transaction_longer_than_the_lease_does_not_cost_the_leadership(
    write_config: WriteConfig, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config("[daemon]\nlease_seconds = 1\nrenew_seconds = 0.2\n")
    leadership = Leadership(config)
    assert leadership.start() is True
    build = Store(config.paths.database)
    try:
        with build.transaction():  # as a cold build holds SQLite's write lock
            build.set_meta("busy", "1")
            time.sleep(2.5)
            assert leadership.lease.held()
            fence = leadership.lease.fence()
        pending(build, "r1@example.org")
        now = leadership.lease.now_ms()
        assert build.leases.claim(fence, now, "r1@example.org", PERIOD)
    finally:
        leadership.stop()
        build.close()
    # A WebSub thread that an earlier test's build left retrying may log meanwhile.
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in warned if not r.name.startswith("digest.websub")]


def test_on_sqlite_the_lease_is_taken_from_whoever_the_row_names(
    write_config: WriteConfig,
) -> None:
    config = write_config()
    store = Store(config.paths.database)
    elsewhere = Lease(Instance("far-host:7:x", "far", "far-host", 7), seconds=10, clock=time.time)
    assert elsewhere.tick(store.leases)
    store.close()
    leadership = Leadership(config)
    try:
        # The state lock proves the instance the row names is gone (a state copied
        # from another machine, say): no need to wait for its lease to run out.
        assert leadership.start() is True
    finally:
        leadership.stop()


def test_only_a_sqlite_file_in_the_state_folder_makes_the_state_lock_enough(
    write_config: WriteConfig,
) -> None:
    """Another SQLite file may be shared by instances with their own state folders."""
    assert lock_excludes_others(write_config())
    assert not lock_excludes_others(write_config('[paths]\ndatabase = "shared/state.sqlite3"\n'))
    url = 'database = "postgresql://digest@db.example.org/digest"\n'
    assert not lock_excludes_others(write_config("[paths]\n" + url))
