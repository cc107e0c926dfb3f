"""Watch the seeds folder and ask for one rebuild per batch of finished changes.

inotify (through watchdog) tells us when a writer closes a file, so a document
being written is published once, whole, when it is closed. Where inotify is not
available watchdog's PollingObserver stands in, and a file counts as finished once
its size and mtime have stopped changing for two polls.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from digest.errors import DigestError

log = logging.getLogger("digest.daemon")

# Opened/closed-without-writing events are left out: the build itself reads every
# seed, and reacting to that would rebuild forever.
_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileMovedEvent, FileDeletedEvent,
    DirCreatedEvent, DirMovedEvent, DirDeletedEvent,
]  # fmt: skip

POLL_SECONDS = 1.0
# A file modified and never closed (an attribute-only change, a writer that keeps it
# open) is taken as finished after this long without further events.
STALL_SECONDS = 5.0


class Batcher:
    """Collects change events and calls `ready` once they have been quiet long enough.

    `quiet` is the debounce: changes arriving together make one rebuild. A file
    still being written holds the batch until it is closed or `stall` passes.
    """

    def __init__(self, ready: Callable[[], None], quiet: float, stall: float) -> None:
        self._ready = ready
        self._quiet = quiet
        self._stall = stall
        self._last = 0.0
        self._dirty = False
        self._writing: dict[str, float] = {}
        self._stopped = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="digest-batcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        self._thread.join()

    def changed(self, *, writing: str | None = None, finished: str | None = None) -> None:
        with self._cond:
            now = time.monotonic()
            if writing is not None:
                self._writing[writing] = now
            if finished is not None:
                self._writing.pop(finished, None)
            self._last, self._dirty = now, True
            self._cond.notify()

    def _due(self) -> float:
        return max([self._last + self._quiet, *(t + self._stall for t in self._writing.values())])

    def _loop(self) -> None:
        with self._cond:
            while not self._stopped:
                if not self._dirty:
                    self._cond.wait()
                    continue
                wait = self._due() - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                self._dirty = False
                self._writing.clear()
                self._ready()


class _Handler(FileSystemEventHandler):
    def __init__(
        self, root: Path, batcher: Batcher, skip: Callable[[str], bool], closes: bool
    ) -> None:
        self._root = root
        self._batcher = batcher
        self._skip = skip
        self._closes = closes

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [os.fsdecode(p) for p in (event.src_path, event.dest_path) if p]
        if all(self._skip(Path(os.path.relpath(p, self._root)).as_posix()) for p in paths):
            return
        path = paths[-1]
        log.debug("%s %s", event.event_type, " -> ".join(paths))
        if isinstance(event, FileModifiedEvent) or (
            isinstance(event, FileCreatedEvent) and self._opened_for_writing(path)
        ):
            self._batcher.changed(writing=path)
        else:
            self._batcher.changed(finished=path)

    def _opened_for_writing(self, path: str) -> bool:
        # inotify reports a file renamed in from outside as created, with no close
        # to follow; one created by open() is still empty when the event arrives.
        if not self._closes:
            return True
        try:
            return os.stat(path).st_size == 0
        except OSError:
            return False


class SeedWatcher:
    """Watches one folder recursively and calls `changed` after each quiet batch.

    `skip` takes a path relative to the folder and says whether the scan ignores it.
    """

    def __init__(
        self, seeds: Path, changed: Callable[[], None], quiet: float, skip: Callable[[str], bool]
    ) -> None:
        self.seeds = seeds
        self._changed = changed
        self._quiet = quiet
        self._skip = skip
        self._observer: BaseObserver | None = None
        self._batcher: Batcher | None = None

    def start(self) -> None:
        if not self.seeds.is_dir():
            raise DigestError(f"the seeds folder {self.seeds} does not exist; create it first")
        try:
            self._observer = self._watch(Observer(), closes=True, stall=STALL_SECONDS)
        except OSError as exc:
            log.warning("file events unavailable (%s); polling %s every %ss instead",
                        exc, self.seeds, POLL_SECONDS)  # fmt: skip
            polling = PollingObserver(timeout=POLL_SECONDS)
            self._observer = self._watch(polling, closes=False, stall=2 * POLL_SECONDS)

    def _watch(self, observer: BaseObserver, *, closes: bool, stall: float) -> BaseObserver:
        batcher = Batcher(self._changed, self._quiet, max(stall, self._quiet))
        handler = _Handler(self.seeds, batcher, self._skip, closes)
        observer.schedule(handler, str(self.seeds), recursive=True, event_filter=_EVENTS)
        try:
            observer.start()
        except BaseException:
            observer.stop()
            raise
        batcher.start()
        self._batcher = batcher
        return observer

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None
        if self._batcher is not None:
            self._batcher.stop()
            self._batcher = None
