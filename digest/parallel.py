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
even a small run goes to worker processes; the daemon keeps them (`Workers`)
from one build to the next, warm, so a one-file change costs milliseconds.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
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

from digest.errors import DigestError, describe

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
# Seconds between repeated alarms once a document is past its limit.
_REPEAT = 0.05

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
    pool: Workers | None = None,
) -> Iterator[R]:
    """`fn(state, item)` for every item, in order; `failed(item, reason)` where it
    raised or ran past `limit` seconds.

    `state` (settings, models) is sent to each worker process once. Workers
    come from a fork server, not a fork of this process: the daemon has
    threads, and forking a threaded process can copy a lock some thread held.
    """
    workers = pool.size if pool is not None else workers or default_workers()
    stream = iter(items)
    first = list(islice(stream, MIN_ITEMS))
    if not first:
        return iter(())
    on_main = threading.current_thread() is threading.main_thread()
    if (workers < 2 or len(first) < MIN_ITEMS) and (on_main or limit is None):
        _warm(state)  # the first document's time is its own, not the caches'
        return (_guarded(fn, state, item, failed, limit) for item in chain(first, stream))
    chunk = max(1, min(_CHUNK, len(first) // (min(workers, len(first)) * 4)))
    if pool is not None:
        items_ = chain(first, stream)
        return pool.map(fn, state, items_, failed, limit, wanted=len(first), chunk=chunk)
    return _once(
        Workers(workers), fn, state, chain(first, stream), failed, limit, len(first), chunk
    )


def _once(
    pool: Workers,
    fn: Callable[[Any, T], R],
    state: Any,
    items: Iterator[T],
    failed: Failed[T, R],
    limit: float | None,
    wanted: int,
    chunk: int,
) -> Iterator[R]:
    try:
        yield from pool.map(fn, state, items, failed, limit, wanted=wanted, chunk=chunk)
    finally:
        pool.close()


def default_workers() -> int:
    return min(os.cpu_count() or 1, 8)


def _warm(state: Any) -> None:
    """Build the state's lazy caches, if it has any (see Ingest.warm)."""
    warm = getattr(state, "warm", None)
    if callable(warm):
        warm()


def _guarded(
    fn: Callable[[Any, T], R], state: Any, item: T, failed: Failed[T, R], limit: float | None
) -> R:
    previous = signal.signal(signal.SIGALRM, _overrun) if limit else None
    try:
        if limit:
            # The alarm repeats until the work stops: an overrun raised where it
            # cannot propagate (a finaliser, a gc callback) is swallowed, and one
            # single alarm would then let the work run on unbounded.
            signal.setitimer(signal.ITIMER_REAL, limit, _REPEAT)
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

    def __init__(self, context: BaseContext, key: bytes, state: Any) -> None:
        parent, child = context.Pipe()
        self.conn: Connection = parent
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child, key, state), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False  # set once it has loaded and warmed its state
        self.keys = [key]  # the states it holds, oldest first
        self.queue: deque[tuple[int, Any]] = deque()
        self.since = time.monotonic()  # when the item at the head of the queue started

    def load(self, key: bytes, state: Any) -> None:
        """Hand it another state; it is not ready until it has warmed it."""
        self.conn.send((_STATE, key, state))
        # It forgets the oldest beyond _KEPT, as this list does.
        self.keys = [*self.keys, key][-_KEPT:]
        self.ready = False

    def send(self, key: bytes, fn: Callable[[Any, Any], Any], batch: list[tuple[int, Any]]) -> None:
        self.conn.send((key, fn, batch))
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


class Workers:
    """Worker processes that outlive one `map`: the daemon keeps them between
    builds, so a one-file change costs no process start and finds their
    caches (the gazetteer, the theme model) warm.

    One pool serves every stage: each `map` names its state (ingest models,
    publishing settings), which is sent to a worker once and kept beside the
    others, so a build that ingests then renders starts no second pool and
    loses no warm cache.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.workers: list[_Worker] = []
        self._key = b""
        self._state: Any = None
        self._context = multiprocessing.get_context("forkserver")
        # The fork server imports the work's modules once; every worker forked
        # from it starts with them loaded.
        self._context.set_forkserver_preload([__name__, "digest.ingest", "digest.publish.render"])

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def map(
        self,
        fn: Callable[[Any, T], R],
        state: Any,
        items: Iterator[T],
        failed: Failed[T, R],
        limit: float | None,
        *,
        wanted: int,
        chunk: int,
    ) -> Iterator[R]:
        key = hashlib.sha256(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)).digest()
        self._key, self._state = key, state
        while len(self.workers) < min(wanted, self.size):
            self.workers.append(_Worker(self._context, key, state))
        run = _Run(self, key, state, fn, failed, limit, chunk)
        try:
            yield from run.results(items)
        finally:
            # A worker still busy (the caller stopped early) cannot be reused.
            for n, worker in enumerate(self.workers):
                if worker.queue:
                    worker.kill()
                    self.workers[n] = _Worker(self._context, key, state)

    def replace(self, n: int) -> _Worker:
        self.workers[n].kill()
        self.workers[n] = _Worker(self._context, self._key, self._state)
        return self.workers[n]


class _Run(Generic[T, R]):
    """One `map` over the workers: dispatch, deadlines, answers in order."""

    def __init__(
        self,
        pool: Workers,
        key: bytes,
        state: Any,
        fn: Callable[[Any, T], R],
        failed: Failed[T, R],
        limit: float | None,
        chunk: int,
    ) -> None:
        self.pool, self.fn, self.failed, self.limit, self.chunk = pool, fn, failed, limit, chunk
        self.key, self.state = key, state
        self.done: dict[int, R] = {}
        self.retry: deque[tuple[int, Any]] = deque()

    def results(self, items: Iterator[T]) -> Iterator[R]:
        workers = self.pool.workers
        taken = 0  # items read from the stream so far
        yielded = 0
        exhausted = False
        while not exhausted or yielded < taken:
            for n, worker in enumerate(workers):
                if worker.queue or not worker.ready:
                    continue
                if not worker.process.is_alive():
                    worker = self.pool.replace(n)
                    continue
                if self.key not in worker.keys:
                    worker.load(self.key, self.state)
                    continue
                batch = [self.retry.popleft() for _ in range(min(self.chunk, len(self.retry)))]
                if len(batch) < self.chunk and not exhausted:
                    room = min(self.chunk - len(batch), yielded + _WINDOW - taken)
                    fresh = list(islice(items, room)) if room > 0 else []
                    batch += [(taken + i, item) for i, item in enumerate(fresh)]
                    taken += len(fresh)
                    exhausted = room > 0 and len(fresh) < room
                if batch:
                    worker.send(self.key, self.fn, batch)
            self._wait(workers)
            for n, worker in enumerate(workers):
                if not self._collect(worker):
                    self.pool.replace(n)
            while yielded in self.done:
                yield self.done.pop(yielded)
                yielded += 1

    def _wait(self, workers: list[_Worker]) -> None:
        """Until some worker answers, becomes ready, dies or reaches its deadline."""
        watched = [w for w in workers if w.queue or not w.ready]
        busy = [w for w in watched if w.queue]
        timeout = None
        if self.limit is not None and busy:
            deadline = min(w.since for w in busy) + self.limit + _GRACE
            timeout = max(0.0, deadline - time.monotonic())
        if watched:
            wait([w.conn for w in watched] + [w.process.sentinel for w in watched], timeout)

    def _collect(self, worker: _Worker) -> bool:
        """Take what `worker` answered; False when it failed and must be replaced."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message == _READY:
                    worker.ready = True
                    continue
                index, ok, value = message
                _, item = worker.queue.popleft()
                self.done[index] = value if ok else self.failed(item, value)
                worker.since = time.monotonic()
        except (EOFError, OSError):
            pass  # it died: handled below
        alive = worker.process.is_alive()
        if not worker.ready and not alive:
            raise DigestError(
                f"a worker process could not start ({_exit(worker.process.exitcode)}); "
                "set [ingest] workers = 1 to build in one process"
            )
        overdue = self.limit is not None and time.monotonic() > worker.since + self.limit + _GRACE
        if not worker.queue or (alive and not overdue):
            return True
        # Overran the limit or died: the item it was on fails, the rest go elsewhere.
        index, item = worker.queue.popleft()
        if alive:
            reason = overrun_reason(self.limit or 0)
        else:
            reason = f"the process reading it stopped ({_exit(worker.process.exitcode)})"
        self.done[index] = self.failed(item, reason)
        self.retry.extendleft(reversed(worker.queue))
        worker.queue.clear()
        return False


def _exit(code: int | None) -> str:
    if code is not None and code < 0:
        return signal.Signals(-code).name
    return f"exit status {code}"


_READY = "ready"
_STATE = "state"
# States a worker keeps: a build's ingest and publishing, and one to spare
# while a changed configuration replaces them.
_KEPT = 3


def _serve(conn: Connection, key: bytes, state: Any) -> None:
    """A worker's loop: warm up, say so, then answer each item as soon as it is done."""
    # Stopping is the parent's business: a Ctrl-C or a service manager's SIGTERM
    # reaches the whole group, and the parent, finishing its build, ends the
    # workers. Killed here, their documents would be rejected as crashes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    states = {key: state}
    _warm(state)  # before the first item's clock starts
    conn.send(_READY)
    while (message := conn.recv()) is not None:
        if message[0] == _STATE:
            _, key, state = message
            states[key] = state
            while len(states) > _KEPT:
                del states[next(iter(states))]
            _warm(state)
            conn.send(_READY)
            continue
        key, fn, batch = message
        state = states[key]
        for index, item in batch:
            try:
                conn.send((index, True, fn(state, item)))
            except Exception as exc:
                conn.send((index, False, describe(exc)))
