"""Run per-document work so that no one document can crash, stall or lose the rest.

`map_documents(fn, state, items)` yields `fn(state, item)` for every item, in
order. An exception in `fn` or a document that takes longer than the time
limit becomes `failed(item, reason)` for that item alone. Large runs spread
over worker processes; a worker that overruns the limit (stuck in C code that
no signal interrupts) or dies is killed and replaced, and the items it had not
started go to the others.

Small runs on the main thread stay in this process, bounded by an interval
timer (SIGALRM): starting processes would cost more than the work. Off the
main thread (the daemon builds on a worker thread) no timer can interrupt, so
even a small run goes to a worker process; the fork server that starts them
lives as long as this process and has the worker code imported already, so
that costs a fork, not an interpreter start.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from itertools import chain, islice
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, Generic, TypeVar

from digest.errors import describe

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a process pool costs more than it saves.
MIN_ITEMS = 64
_CHUNK = 16
# Items taken from the stream ahead of the one being yielded: keeps every
# worker busy while a long stream is never all in memory.
_WINDOW = 1024
# A worker past the limit is killed; a little grace lets it answer first when
# the limit is hit exactly as it finishes.
_GRACE = 0.25

Failed = Callable[[T, str], R]


class _Overrun(BaseException):
    """Raised by the interval timer inside an item's work; not an Exception, so
    the work's own `except Exception` cannot swallow it."""


def overrun_reason(limit: float) -> str:
    return f"took longer than ingest.timeout_seconds = {limit:g} s; stopped"


def map_documents(
    fn: Callable[[Any, T], R],
    state: Any,
    items: Iterable[T],
    *,
    failed: Failed[T, R],
    limit: float | None = None,
    workers: int | None = None,
) -> Iterator[R]:
    """`fn(state, item)` for every item, in order; `failed(item, reason)` where it
    raised or ran past `limit` seconds.

    `state` (settings, models) is sent to each worker process once. Workers
    come from a fork server, not a fork of this process: the daemon has
    threads, and forking a threaded process can copy a lock some thread held.
    """
    workers = workers or min(os.cpu_count() or 1, 8)
    stream = iter(items)
    first = list(islice(stream, MIN_ITEMS))
    if not first:
        return iter(())
    on_main = threading.current_thread() is threading.main_thread()
    if (workers < 2 or len(first) < MIN_ITEMS) and (on_main or limit is None):
        return (_guarded(fn, state, item, failed, limit) for item in chain(first, stream))
    workers = min(workers, len(first))
    chunk = max(1, min(_CHUNK, len(first) // (workers * 4)))
    return _Pool(fn, state, failed, limit, workers, chunk).map(chain(first, stream))


def _guarded(
    fn: Callable[[Any, T], R], state: Any, item: T, failed: Failed[T, R], limit: float | None
) -> R:
    previous = signal.signal(signal.SIGALRM, _overrun) if limit else None
    try:
        if limit:
            signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            return fn(state, item)
        finally:
            if limit:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _Overrun:
        return failed(item, overrun_reason(limit or 0))
    except Exception as exc:
        return failed(item, describe(exc))
    finally:
        if limit:
            signal.signal(signal.SIGALRM, previous)


def _overrun(signum: int, frame: FrameType | None) -> None:
    raise _Overrun


class _Worker:
    """One worker process, the items sent to it and not yet answered, in order."""

    def __init__(self, context: BaseContext, fn: Callable[[Any, T], Any], state: Any) -> None:
        parent, child = context.Pipe()
        self.conn: Connection = parent
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, fn, state), daemon=True
        )
        self.process.start()
        child.close()
        self.queue: deque[tuple[int, Any]] = deque()
        self.since = time.monotonic()  # when the item at the head of the queue started

    def send(self, batch: list[tuple[int, Any]]) -> None:
        self.conn.send(batch)
        self.queue.extend(batch)
        self.since = time.monotonic()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        with suppress(OSError):
            self.conn.send(None)
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class _Pool(Generic[T, R]):
    def __init__(
        self,
        fn: Callable[[Any, T], R],
        state: Any,
        failed: Failed[T, R],
        limit: float | None,
        workers: int,
        chunk: int,
    ) -> None:
        self.fn, self.state, self.failed, self.limit = fn, state, failed, limit
        self.size, self.chunk = workers, chunk
        context = multiprocessing.get_context("forkserver")
        # The fork server imports the work's module once; every worker forked
        # from it then starts with it loaded.
        context.set_forkserver_preload([fn.__module__])
        self.context = context

    def map(self, items: Iterator[T]) -> Iterator[R]:
        done: dict[int, R] = {}
        retry: deque[tuple[int, Any]] = deque()
        taken = 0  # items read from the stream so far
        yielded = 0
        exhausted = False
        workers = [_Worker(self.context, self.fn, self.state) for _ in range(self.size)]
        try:
            while not exhausted or yielded < taken:
                for n, worker in enumerate(workers):
                    if worker.queue:
                        continue
                    if not worker.process.is_alive():
                        worker.kill()
                        worker = workers[n] = _Worker(self.context, self.fn, self.state)
                    batch = [retry.popleft() for _ in range(min(self.chunk, len(retry)))]
                    if len(batch) < self.chunk and not exhausted:
                        room = min(self.chunk - len(batch), yielded + _WINDOW - taken)
                        fresh = list(islice(items, room)) if room > 0 else []
                        batch += [(taken + n, item) for n, item in enumerate(fresh)]
                        taken += len(fresh)
                        exhausted = room > 0 and len(fresh) < room
                    if batch:
                        worker.send(batch)
                self._wait(workers)
                workers = [self._collect(w, done, retry) for w in workers]
                while yielded in done:
                    yield done.pop(yielded)
                    yielded += 1
        finally:
            for worker in workers:
                worker.stop()

    def _wait(self, workers: list[_Worker]) -> None:
        """Until some busy worker answers, dies or reaches its deadline."""
        busy = [w for w in workers if w.queue]
        timeout = None
        if self.limit is not None and busy:
            deadline = min(w.since for w in busy) + self.limit + _GRACE
            timeout = max(0.0, deadline - time.monotonic())
        if busy:
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)

    def _collect(
        self, worker: _Worker, done: dict[int, R], retry: deque[tuple[int, Any]]
    ) -> _Worker:
        """Take what `worker` answered; the worker to use from now on (a new one if it failed)."""
        if not worker.queue:
            return worker
        try:
            while worker.queue and worker.conn.poll():
                index, ok, value = worker.conn.recv()
                _, item = worker.queue.popleft()
                done[index] = value if ok else self.failed(item, value)
                worker.since = time.monotonic()
        except (EOFError, OSError):
            pass  # it died: handled below
        alive = worker.process.is_alive()
        overdue = self.limit is not None and time.monotonic() > worker.since + self.limit + _GRACE
        if not worker.queue or (alive and not overdue):
            return worker
        # Overran the limit or died: the item it was on fails, the rest go elsewhere.
        worker.kill()
        index, item = worker.queue.popleft()
        if alive:
            reason = overrun_reason(self.limit or 0)
        else:
            reason = f"the process reading it stopped ({_exit(worker.process.exitcode)})"
        done[index] = self.failed(item, reason)
        retry.extendleft(reversed(worker.queue))
        return _Worker(self.context, self.fn, self.state)


def _exit(code: int | None) -> str:
    if code is not None and code < 0:
        return signal.Signals(-code).name
    return f"exit status {code}"


def _serve(conn: Connection, fn: Callable[[Any, Any], Any], state: Any) -> None:
    """A worker's loop: answer each item of each batch as soon as it is done."""
    # Stopping is the parent's business: a Ctrl-C reaches the whole process
    # group, and the parent's clean-up ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while (batch := conn.recv()) is not None:
        for index, item in batch:
            try:
                conn.send((index, True, fn(state, item)))
            except Exception as exc:
                conn.send((index, False, describe(exc)))
