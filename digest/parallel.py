"""Spread per-document work over the machine's cores when there is enough of it."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a process pool costs more than it saves.
MIN_ITEMS = 64
_CHUNK = 32

_state: Any = None


def map_documents(
    fn: Callable[[Any, T], R], state: Any, items: Sequence[T], *, workers: int | None = None
) -> Iterator[R]:
    """`fn(state, item)` for every item, in order, in worker processes when it pays.

    `state` (settings, models) is sent to each worker once. Workers come from
    a fork server, not a fork of this process: the daemon has threads, and
    forking a threaded process can copy a lock some thread was holding.
    """
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers < 2 or len(items) < MIN_ITEMS:
        return (fn(state, item) for item in items)
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(workers, context, initializer=_remember, initargs=(state,))
    results = pool.map(_call, [fn] * len(items), items, chunksize=_CHUNK)
    return _closing(pool, results)


def _closing(pool: ProcessPoolExecutor, results: Iterator[R]) -> Iterator[R]:
    with pool:
        yield from results


def _remember(state: Any) -> None:
    global _state
    _state = state


def _call(fn: Callable[[Any, T], R], item: T) -> R:
    return fn(_state, item)
