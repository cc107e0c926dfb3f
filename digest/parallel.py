"""Spread per-document work over the machine's cores when there is enough of it."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import chain, islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a process pool costs more than it saves.
MIN_ITEMS = 64
_CHUNK = 32
# Items handed to the pool at once: enough to keep every worker busy.
_WINDOW = 2048

_state: Any = None


def map_documents(
    fn: Callable[[Any, T], R], state: Any, items: Iterable[T], *, workers: int | None = None
) -> Iterator[R]:
    """`fn(state, item)` for every item, in order, in worker processes when it pays.

    `state` (settings, models) is sent to each worker once. Items are taken a
    window at a time, so a long stream is never all in memory. Workers come
    from a fork server, not a fork of this process: the daemon has threads, and
    forking a threaded process can copy a lock some thread was holding.
    """
    workers = workers or min(os.cpu_count() or 1, 8)
    stream = iter(items)
    first = list(islice(stream, MIN_ITEMS))
    if workers < 2 or len(first) < MIN_ITEMS:
        return (fn(state, item) for item in first)
    return _pooled(fn, state, chain(first, stream), workers)


def _pooled(fn: Callable[[Any, T], R], state: Any, items: Iterator[T], workers: int) -> Iterator[R]:
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, context, initializer=_remember, initargs=(state,)) as pool:
        while window := list(islice(items, _WINDOW)):
            yield from pool.map(_call, [fn] * len(window), window, chunksize=_CHUNK)


def _remember(state: Any) -> None:
    global _state
    _state = state


def _call(fn: Callable[[Any, T], R], item: T) -> R:
    return fn(_state, item)
