"""The daemon starts its worker processes before the first change, not on it."""

from __future__ import annotations

import threading
from pathlib import Path

from digest.app import make_app
from digest.config import Config
from tests.conftest import Clock, WriteConfig
from tests.test_build import entries, write


def daemon_like(config: Config, clock: Clock, seeds: Path, seen: list[object]) -> None:
    # As the daemon's worker does: the App opened, warmed and used on a thread of its
    # own, where work goes to the processes.
    app = make_app(config, _now=clock)
    try:
        app.build()
        app.warm()
        assert app._workers is not None
        seen.append([w.ready and w.process.is_alive() for w in app._workers.workers])
        write(seeds, "b.md", "Rail unions accept new pay offer", 8)
        seen.append(app.build().published)
    finally:
        app.close()


def test_warming_starts_every_worker_process_and_the_next_build_publishes(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config("[ingest]\nworkers = 2\n")
    write(project / "seeds", "a.md", "Grid operators agree winter plan", 7)
    seen: list[object] = []
    worker = threading.Thread(target=daemon_like, args=(config, clock, project / "seeds", seen))
    worker.start()
    worker.join(120)
    assert seen == [[True, True], 1]
    assert [e.title for e in entries(config)] == [
        "Rail unions accept new pay offer",
        "Grid operators agree winter plan",
    ]
