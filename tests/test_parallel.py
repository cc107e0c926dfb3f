"""Per-document work in this process and in worker processes: every item answered, in order,
whatever one item does (raise, stall, kill its process)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest

from digest.parallel import MIN_ITEMS, Workers, map_documents

# Work functions live at module level: worker processes import them by name.


def square(state: int, item: int) -> int:
    return state + item * item


def troubled(state: int, item: int) -> int:
    """Raises on 13, stalls on 17, ends its process on 19; squares the rest."""
    if item == 13:
        raise ValueError("unlucky")
    if item == 17:
        time.sleep(120)
    if item == 19 and os.getpid() != state:
        os._exit(3)
    return item * item


def failed(item: int, reason: str) -> str:
    return f"{item}: {reason}"


def run(fn: Any, items: list[int], state: int = 0, **options: Any) -> list[Any]:
    return list(map_documents(fn, state, items, failed=failed, **options))


def test_one_worker_answers_every_item_not_only_the_first_window() -> None:
    items = list(range(300))
    assert run(square, items, workers=1) == [n * n for n in items]


def test_worker_processes_answer_every_item_in_order() -> None:
    items = list(range(3 * MIN_ITEMS))
    assert run(square, items, 1, workers=2) == [1 + n * n for n in items]


def test_an_item_that_raises_fails_alone_in_this_process() -> None:
    results = run(troubled, [12, 13, 14], os.getpid())
    assert results[0::2] == [144, 196]
    assert results[1] == "13: unexpected ValueError: unlucky"


@pytest.mark.slow
def test_in_worker_processes_a_raising_a_stalled_and_a_dying_item_fail_alone() -> None:
    items = list(range(MIN_ITEMS + 10))
    started = time.monotonic()
    results = run(troubled, items, os.getpid(), workers=2, limit=1.0)
    # Far below the stalled item's two minutes: it was stopped at the limit.
    assert time.monotonic() - started < 60
    assert results[13] == "13: unexpected ValueError: unlucky"
    assert results[17] == "17: took longer than ingest.timeout_seconds = 1 s; stopped"
    assert results[19] == "19: the process reading it stopped (exit status 3)"
    others = [r for n, r in enumerate(results) if n not in (13, 17, 19)]
    assert others == [n * n for n in items if n not in (13, 17, 19)]


def test_a_stalled_item_is_stopped_at_the_limit_in_this_process() -> None:
    started = time.monotonic()
    results = run(troubled, [16, 17, 18], os.getpid(), limit=0.5)
    assert time.monotonic() - started < 60
    assert results == [256, "17: took longer than ingest.timeout_seconds = 0.5 s; stopped", 324]


@pytest.mark.slow
def test_off_the_main_thread_even_a_few_items_are_bounded_by_the_limit() -> None:
    # No timer can interrupt a thread other than the main one: the work goes
    # to a worker process that can be killed.
    results: list[Any] = []
    thread = threading.Thread(
        target=lambda: results.extend(run(troubled, [16, 17, 18], os.getpid(), limit=0.5))
    )
    started = time.monotonic()
    thread.start()
    thread.join(90)
    assert time.monotonic() - started < 60
    assert results == [256, "17: took longer than ingest.timeout_seconds = 0.5 s; stopped", 324]


def pid(state: int, item: int) -> int:
    return os.getpid()


def pid_and_state(state: int, item: int) -> tuple[int, int]:
    return os.getpid(), state


def test_kept_workers_serve_the_next_run_and_each_run_its_own_state() -> None:
    pool = Workers(2)
    try:
        items = list(range(MIN_ITEMS))
        first = set(map_documents(pid, 1, items, failed=failed, pool=pool))
        again = set(map_documents(pid, 1, items, failed=failed, pool=pool))
        other = set(map_documents(pid_and_state, 2, items, failed=failed, pool=pool))
        back = set(map_documents(pid_and_state, 1, items, failed=failed, pool=pool))
        # More states than a worker keeps: the oldest is sent again when needed.
        for state in (3, 4, 5):
            set(map_documents(pid, state, items, failed=failed, pool=pool))
        last = set(map_documents(pid_and_state, 2, items, failed=failed, pool=pool))
    finally:
        pool.close()
    assert os.getpid() not in first
    assert again <= first
    assert {p for p, _ in other} <= first and {s for _, s in other} == {2}
    assert {p for p, _ in back} <= first and {s for _, s in back} == {1}
    assert {p for p, _ in last} <= first and {s for _, s in last} == {2}
