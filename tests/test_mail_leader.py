"""Two instances on one database: only the lease holder sends; a takeover sends the rest once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from digest.config import Config
from digest.errors import LeaseLost
from digest.lease import Instance, Lease
from digest.mail.service import Mailer
from digest.store import Store
from digest.subscribers.manage import Subscribers
from tests.conftest import WriteConfig
from tests.factories import make_document
from tests.mailfixtures import Inbox, Received, smtp_server

RECIPIENTS = [f"r{n}@example.org" for n in range(6)]
NOW = datetime(2025, 1, 11, 7, 30, tzinfo=UTC)


class Seconds:
    """The lease's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_767_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    with smtp_server(box) as port:
        yield box, port


def configure(write_config: WriteConfig, port: int) -> Config:
    config = write_config(
        f"[digest]\nrecipients = {RECIPIENTS!r}\n".replace("'", '"')
        + 'sender = "digest@example.org"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 5\n'
    )
    store = open_store(config)
    with store.transaction():
        store.put(make_document(1), size=1, mtime_ns=1)
        store.set_meta("digest_period_end", "2025-01-01T07:00:00+00:00")
    store.close()
    return config


def open_store(config: Config) -> Store:
    return Store(config.paths.database)


class Node:
    """One instance: its own connection, its own lease, its own Mailer."""

    def __init__(self, config: Config, clock: Seconds, name: str) -> None:
        self.store = open_store(config)
        self.lease = Lease(Instance.here(name), seconds=10, clock=clock)
        self.mailer = Mailer(config, self.store, lambda: NOW, lease=self.lease)


def test_an_instance_without_the_lease_refuses_to_send(
    write_config: WriteConfig, inbox: tuple[Inbox, int], engine: str
) -> None:
    box, port = inbox
    config = configure(write_config, port)
    clock = Seconds()
    a, b = Node(config, clock, "a"), Node(config, clock, "b")
    assert a.lease.tick(a.store.leases)
    assert not b.lease.tick(b.store.leases)
    with pytest.raises(LeaseLost, match="does not hold the lease"):
        b.mailer.send()
    assert box.received == []
    assert a.mailer.send().line().endswith("sent 6, failed 0, retrying 0")


def test_a_holder_that_lost_the_lease_mid_send_stops_and_the_new_one_sends_the_rest_once(
    write_config: WriteConfig, inbox: tuple[Inbox, int], engine: str
) -> None:
    box, port = inbox
    config = configure(write_config, port)
    clock = Seconds()
    a, b = Node(config, clock, "a"), Node(config, clock, "b")
    a.lease.tick(a.store.leases)

    def pause_a_on_second(mail: Received) -> str | None:
        if len(box.received) == 1:
            # `a` stalls past its lease while the server holds its 2nd message, and `b`
            # takes the lease (on a connection of the server's thread, as SQLite wants).
            clock.now += 11
            store = open_store(config)
            assert Lease(b.lease.me, seconds=10, clock=clock).tick(store.leases)
            store.close()
        return None

    box.on_data = pause_a_on_second
    with pytest.raises(LeaseLost, match="took the lease over"):
        a.mailer.send()
    assert len(box.received) == 2
    box.on_data = None
    assert b.lease.tick(b.store.leases)
    report = b.mailer.send()
    assert report.line().endswith("sent 4, failed 0, retrying 0")
    assert report.resent == []
    assert {r: len(box.to(r)) for r in RECIPIENTS} == dict.fromkeys(RECIPIENTS, 1)
    assert {d.status for d in b.store.deliveries()} == {"sent"}
    assert b.store.get_meta("digest_period_end") == "2025-01-11T07:00:00+00:00"


def test_a_holder_that_lost_the_lease_unawares_cannot_open_a_period(
    write_config: WriteConfig, inbox: tuple[Inbox, int], engine: str
) -> None:
    box, port = inbox
    config = configure(write_config, port)
    # `a` was paused (or its clock lags): by its own clock its lease has not run out.
    clock_a, clock_b = Seconds(), Seconds()
    a, b = Node(config, clock_a, "a"), Node(config, clock_b, "b")
    a.lease.tick(a.store.leases)
    clock_a.now += 1
    clock_b.now += 11
    assert b.lease.tick(b.store.leases)
    assert a.lease.held()
    with pytest.raises(LeaseLost, match="took the lease over"):
        a.mailer.send()
    assert box.received == []
    assert a.store.deliveries() == []
    assert b.mailer.send().line().endswith("sent 6, failed 0, retrying 0")


def test_an_unsubscribe_recorded_by_another_instance_mid_send_stops_that_message(
    write_config: WriteConfig, inbox: tuple[Inbox, int], engine: str
) -> None:
    box, port = inbox
    config = configure(write_config, port)
    clock = Seconds()
    a = Node(config, clock, "a")
    a.lease.tick(a.store.leases)

    def unsubscribe_r4_elsewhere(mail: Received) -> str | None:
        if len(box.received) == 1:
            other = open_store(config)
            Subscribers(config, other, lambda: NOW).remove("r4@example.org")
            other.close()
        return None

    box.on_data = unsubscribe_r4_elsewhere
    report = a.mailer.send()
    assert box.to("r4@example.org") == []
    assert report.line().endswith("sent 5, failed 0, retrying 0")
    assert {d.recipient: d.status for d in a.store.deliveries()}["r4@example.org"] == "cancelled"
