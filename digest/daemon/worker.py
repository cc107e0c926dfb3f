"""One thread that owns the App and runs builds and sends one after another.

The store is one SQLite connection, usable only on the thread that opened it,
and two builds at once would race on the feeds folder; so every watcher event,
scheduled digest and rescan becomes a request to this one thread. With several
instances on one database, it runs them only while this instance holds the
lease: the holder publishes and sends for all.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum

from digest.app import App, make_app
from digest.config import Config
from digest.daemon import tasks
from digest.errors import DigestError
from digest.lease import Lease

log = logging.getLogger("digest.daemon")


class Task(Enum):
    BUILD = "build"
    SEND = "send"


class Worker:
    """Runs queued tasks in order; a task already queued is not queued twice."""

    def __init__(
        self, config: Config, on_retry: Callable[[], None], lease: Lease | None = None
    ) -> None:
        self._config = config
        self._lease = lease
        self._replaced = False
        self._on_retry = on_retry
        self._pending: list[Task] = []
        self._warm = False  # worker processes started (after the first task)
        self._stopping = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="digest-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, task: Task) -> None:
        with self._cond:
            if not self._stopping and task not in self._pending:
                self._pending.append(task)
                self._cond.notify()

    def reconfigure(self, config: Config) -> None:
        """Use `config` from the next task on (the App is rebuilt on the worker thread)."""
        with self._cond:
            self._config = config
            self._replaced = True

    def stop(self) -> None:
        """Finish the task in progress, drop the queued ones, close the App."""
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._cond.notify()
        self._thread.join()

    def _next(self) -> tuple[Task, Config, bool] | None:
        with self._cond:
            while not self._pending and not self._stopping:
                self._cond.wait()
            if self._stopping:
                return None
            replaced, self._replaced = self._replaced, False
            return self._pending.pop(0), self._config, replaced

    def _loop(self) -> None:
        app: App | None = None
        try:
            while (job := self._next()) is not None:
                task, config, replaced = job
                if app is not None and replaced:
                    app.close()
                    app = None
                    self._warm = False
                app = app or _open(config, self._lease)
                if app is not None:
                    self._run(app, task)
        finally:
            if app is not None:
                app.close()

    def _run(self, app: App, task: Task) -> None:
        if self._lease is not None and not self._lease.held():
            log.debug("%s: not run, another instance holds the lease", task.value)
            return
        if task is Task.BUILD:
            tasks.build(app)
        elif tasks.send(app) is tasks.Outcome.RETRY:
            self._on_retry()
        if not self._warm:
            self._warm = True
            tasks.warm(app)


def _open(config: Config, lease: Lease | None) -> App | None:
    try:
        return make_app(config, lease=lease)
    except DigestError as exc:
        log.error("cannot open the state: %s", exc)
        return None
