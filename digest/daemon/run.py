"""The daemon's life: take the state lock, start every part, wait for signals, stop in order.

Threads: the main thread only waits for signals and reloads; the worker runs
every build and send; the watcher, the scheduler and the HTTP server only hand
work to the worker; the lease keeper renews this instance's lease.

Several instances may share one state database (digest/lease.py). Every one
watches and serves (subscribe forms included); only the lease holder's worker
builds, publishes and sends, so only its scheduler's digest job does anything.
APScheduler 3's job store is never shared (its documentation forbids it): each
instance keeps its own in memory, and what makes a takeover send each digest
period once is what the database records (the periods closed, every delivery),
not the job store. An instance that gains the lease builds and sends what is
due at once, finishing a digest the previous holder left half sent.

The file lock stays: it guards the state folder's own files (outbox, link
secret) and, with SQLite, whose database lives on this one machine, keeps a
second daemon off the same state there. Instances on other machines cannot see
a file lock; they meet in the database, through the lease.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable

from digest.app import make_app
from digest.config import Config
from digest.daemon import tasks
from digest.daemon.leader import Leadership, lead_or_refuse
from digest.daemon.notify import notify
from digest.daemon.schedule import Timetable, make_scheduler
from digest.daemon.signals import SignalWaiter
from digest.daemon.watch import SeedWatcher
from digest.daemon.worker import Task, Worker
from digest.errors import ConfigError
from digest.lock import StateLock
from digest.logs import NOTICE
from digest.scan import is_skipped
from digest.serve import FeedServer

log = logging.getLogger("digest.daemon")

_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def run_once(config: Config) -> int:
    """`digest run --once`: one build and any due digest, then exit (1 if either failed)."""
    with StateLock(config.paths.state):
        leadership = Leadership(config)
        lead_or_refuse(config, leadership, "run --once", wait=config.daemon.lease_seconds)
        try:
            app = make_app(config, lease=leadership.lease)
            try:
                outcome = tasks.send(app)
            finally:
                app.close()
        finally:
            leadership.stop()
    return 0 if outcome is tasks.Outcome.DONE else 1


def run(config: Config, reload: Callable[[], Config], notify_socket: str | None) -> int:
    """`digest run`: serve until SIGTERM or SIGINT, reloading the configuration on SIGHUP."""
    with StateLock(config.paths.state), SignalWaiter(_SIGNALS) as signals:
        daemon = _Daemon(config, notify_socket)
        try:
            daemon.start()
            while (received := signals.wait()) is signal.SIGHUP:
                daemon.reload(reload)
            log.info("%s: stopping", received.name)
        finally:
            daemon.stop()
    return 0


class _Daemon:
    def __init__(self, config: Config, notify_socket: str | None) -> None:
        self.config = config
        self._notify_socket = notify_socket
        self._scheduler = make_scheduler()
        self._timetable = Timetable(
            self._scheduler,
            send=lambda: self._worker.submit(Task.SEND),
            rescan=lambda: self._worker.submit(Task.BUILD),
        )
        # Gaining the lease (at start, or from a holder that stopped): build and send what is due.
        self._leadership = Leadership(config, gained=lambda: self._worker.submit(Task.SEND))
        self._worker = Worker(config, on_retry=self._retry, lease=self._leadership.lease)
        self._watcher = self._make_watcher(config)
        self._server: FeedServer | None = None

    def _make_watcher(self, config: Config) -> SeedWatcher:
        ignore = config.ingest.ignore
        return SeedWatcher(
            config.paths.seeds,
            changed=lambda: self._worker.submit(Task.BUILD),
            quiet=config.daemon.quiet_seconds,
            skip=lambda relpath: is_skipped(relpath, ignore),
        )

    def _retry(self) -> None:
        self._timetable.retry_send(self.config.daemon.retry_seconds)

    def start(self) -> None:
        self._worker.start()
        # Watch before the first build, so nothing dropped meanwhile is missed.
        self._watcher.start()
        # Once the lease is ours (now or later), the Mailer sends a digest that fell due
        # while no instance ran.
        if not self._leadership.start() and self._leadership.first_error:
            log.error("lease: cannot reach the state database: %s", self._leadership.first_error)
        self._timetable.apply(self.config)
        self._scheduler.start()
        self._start_server(self.config)
        notify(self._notify_socket, "READY=1")
        log.log(NOTICE, "watching %s; digests on %r (%s)", self.config.paths.seeds,
                self.config.digest.schedule, self.config.digest.timezone)  # fmt: skip

    def _start_server(self, config: Config) -> None:
        if config.server.enabled:
            from digest.subscribers.web import subscriber_routes

            self._server = FeedServer(config.server, config.paths.feeds, subscriber_routes(config))
            self._server.start()

    def reload(self, load: Callable[[], Config]) -> None:
        """Switch to the configuration file as it is now; keep the old one if it is bad."""
        try:
            new = load()
            # The state lock, the database connection and the lease were taken with these.
            for key, then, now in (
                ("paths.state", self.config.paths.state, new.paths.state),
                ("paths.database", self.config.paths.database, new.paths.database),
                (
                    "daemon.lease_seconds",
                    self.config.daemon.lease_seconds,
                    new.daemon.lease_seconds,
                ),
                (
                    "daemon.renew_seconds",
                    self.config.daemon.renew_seconds,
                    new.daemon.renew_seconds,
                ),
                ("daemon.instance", self.config.daemon.instance, new.daemon.instance),
            ):
                if then != now:
                    raise ConfigError(key, "cannot change while the daemon runs; restart it")
        except ConfigError as exc:
            log.error("configuration not reloaded, keeping the running one: %s", exc)
            return
        old, self.config = self.config, new
        self._worker.reconfigure(new)
        self._timetable.apply(new)
        if (new.paths.seeds, new.daemon, new.ingest) != (old.paths.seeds, old.daemon, old.ingest):
            self._watcher.stop()
            self._watcher = self._make_watcher(new)
            self._watcher.start()
        if (new.server, new.paths.feeds) != (old.server, old.paths.feeds):
            self._stop_server()
            self._start_server(new)
        self._worker.submit(Task.BUILD)
        log.log(NOTICE, "configuration reloaded from %s", new.path)

    def _stop_server(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def stop(self) -> None:
        notify(self._notify_socket, "STOPPING=1")
        self._watcher.stop()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._stop_server()
        self._worker.stop()
        # Only now that nothing is being sent: another instance may take over at once.
        self._leadership.stop()
        log.info("stopped")
