"""Keeping the lease: a thread that renews it (or waits to take it) and says when that changes.

It has its own connection to the state database, so a long build or send on
the worker never delays a renewal. Leader and followers look every
`daemon.renew_seconds`; a dead leader's lease runs out `daemon.lease_seconds`
after its last renewal, so a follower takes over within the sum of the two.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from digest.config import Config
from digest.engines import is_postgresql
from digest.errors import DigestError, LockedError
from digest.lease import Instance, Lease, LeaseTable
from digest.store import Store
from digest.text import printable


def _log(level: str, message: str, *args: object) -> None:
    """Log on the daemon's logger at `level`: "debug", "notice", "warning" or "error".

    Until something imports logging nothing can have configured it, and a record
    below a warning goes nowhere: a one-shot command (build, send), whose lease has
    only a notice to give, skips importing it (about 10 ms of each run).
    """
    if level in ("debug", "notice") and "logging" not in sys.modules:
        return
    import logging

    from digest.logs import NOTICE

    number = {"debug": logging.DEBUG, "notice": NOTICE, "warning": logging.WARNING}
    logging.getLogger("digest.daemon").log(number.get(level, logging.ERROR), message, *args)


def open_store(config: Config) -> Store:
    return Store(config.paths.database)


def lock_excludes_others(config: Config) -> bool:
    """Whether the state lock, held by every command that leads, keeps every other instance
    off the database: a SQLite file in the state folder. A SQLite file elsewhere may be
    shared by instances with state folders of their own, which the lease must arbitrate."""
    database = config.paths.database
    return not is_postgresql(database) and Path(database).parent == config.paths.state


class Leadership:
    """This instance's lease, kept by a thread; `gained`/`lost` run on that thread."""

    def __init__(
        self,
        config: Config,
        *,
        gained: Callable[[], None] = lambda: None,
        lost: Callable[[], None] = lambda: None,
    ) -> None:
        daemon = config.daemon
        self.lease = Lease(
            Instance.here(printable(daemon.instance)),
            seconds=daemon.lease_seconds,
            clock=time.time,
            exclusive=lock_excludes_others(config),
        )
        self._config = config
        self._gained = gained
        self._lost = lost
        self._stop = threading.Event()
        self._looked = threading.Event()
        self._held = threading.Event()
        # Why the first look failed: the caller reports it (a one-shot command stops on it).
        self.first_error: DigestError | None = None
        self._thread = threading.Thread(target=self._loop, name="digest-lease", daemon=True)

    def start(self) -> bool:
        """Start keeping the lease; whether this instance holds it after the first look."""
        self._thread.start()
        self._looked.wait()
        return self.lease.held()

    def wait_held(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the lease (a holder that died lets it run out)."""
        return self._held.wait(timeout)

    def stop(self) -> None:
        """Hand the lease over at once (call when nothing is being sent any more)."""
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        store: Store | None = None
        held = False
        try:
            while True:
                try:
                    store = store or open_store(self._config)
                    now_held, note = self._look(store.leases, held)
                except DigestError as exc:
                    # The database is out of reach: lead on only until the lease runs out.
                    # An exclusive lease does not run out: its renewal waits for this
                    # instance's own build to let go of SQLite's write lock.
                    if self.lease.exclusive and self.lease.held():
                        _log("debug", "lease: not renewed: %s", exc)
                    elif self._looked.is_set():
                        _log("error", "lease: cannot reach the state database: %s", exc)
                    else:
                        self.first_error = exc
                    if store is not None:
                        store.close()
                        store = None
                    now_held, note = self.lease.held(), ""
                if now_held != held:
                    held = now_held
                    (self._held.set if held else self._held.clear)()
                    _log("notice" if held else "warning", "%s", note or _LOST)
                    (self._gained if held else self._lost)()
                elif note and not self._looked.is_set():
                    _log("notice", "%s", note)
                self._looked.set()
                if self._stop.wait(self._config.daemon.renew_seconds):
                    break
        finally:
            self._looked.set()
            if store is not None:
                try:
                    self.lease.release(store.leases)
                except DigestError as exc:
                    _log("error", "lease: could not hand it over: %s", exc)
                store.close()

    def _look(self, table: LeaseTable, held: bool) -> tuple[bool, str]:
        """One renewal or attempt; what to log if leadership changed (or on the first look)."""
        before = table.holder()
        now_held = self.lease.tick(table)
        if now_held == held and self._looked.is_set():
            return now_held, ""
        if now_held:
            if before.holder and before.holder != self.lease.me.id:
                ago = time.time() - before.expires.timestamp()
                return True, (
                    f"leading: took the lease over from {holder_name(table, before.holder)}, "
                    f"whose lease ran out {ago:.1f} s ago; this instance publishes and sends"
                )
            return True, "leading: this instance publishes and sends"
        current = table.holder().holder
        return False, (
            f"following: {holder_name(table, current)} holds the lease and publishes and sends; "
            "this instance watches and serves, and takes over if it stops"
        )


_LOST = "lease lost to another instance: this instance stops publishing and sending"


def holder_name(table: LeaseTable, holder: str) -> str:
    """An instance as people know it, from its heartbeat row."""
    for seen in table.instances():
        if seen.id == holder:
            return seen.describe()
    return f"instance {holder}"


def lead_or_refuse(config: Config, leadership: Leadership, command: str, wait: float) -> None:
    """For one-shot commands: take the lease, waiting up to `wait` seconds, or stop naming
    the instance that holds it."""
    if leadership.start():
        return
    if leadership.first_error is not None:
        leadership.stop()
        raise leadership.first_error
    if leadership.wait_held(wait):
        return
    leadership.stop()
    store = open_store(config)
    try:
        holder = holder_name(store.leases, store.leases.holder().holder)
    finally:
        store.close()
    raise LockedError(
        f"{holder} holds the lease on the state database and publishes and sends; "
        f"`digest {command}` would do the same work: stop it or let it do so"
    )
