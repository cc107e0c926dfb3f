"""When the daemon wakes by itself: digests on the cron schedule, rescans, send retries.

APScheduler's defaults do not suit a digest: a one-second misfire grace silently
drops a fire that ran late (a suspended laptop, a slow build), and without
coalescing a late scheduler would replay every missed fire. So a late fire always
runs, and all missed fires run as one. Jobs only hand a task to the worker, so
they never overlap; the memory of what was sent is the Mailer's record in the state
database, not the job store, and the state lock keeps a second process out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from digest.config import Config
from digest.mail.periods import schedule as digest_trigger

JOB_DEFAULTS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


def make_scheduler() -> BackgroundScheduler:
    # One executor thread: jobs only enqueue work, and doing so in order keeps it simple.
    return BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )


class Timetable:
    """The daemon's jobs on one scheduler, replaceable when the configuration changes."""

    def __init__(
        self, scheduler: BackgroundScheduler, send: Callable[[], None], rescan: Callable[[], None]
    ) -> None:
        self._scheduler = scheduler
        self._send = send
        self._rescan = rescan

    def apply(self, config: Config) -> None:
        """(Re)schedule the digest and the rescan for this configuration."""
        digest = config.digest
        self._scheduler.add_job(
            self._send, digest_trigger(digest.schedule, digest.timezone),
            id="digest", name="digest", replace_existing=True,
        )  # fmt: skip
        self._scheduler.add_job(
            self._rescan, IntervalTrigger(seconds=config.daemon.rescan_seconds),
            id="rescan", name="rescan", replace_existing=True,
        )  # fmt: skip

    def retry_send(self, seconds: float) -> None:
        """Try the digest again in `seconds`; a retry already planned is replaced."""
        when = datetime.now(UTC) + timedelta(seconds=seconds)
        self._scheduler.add_job(
            self._send, "date", run_date=when, id="send-retry", name="send retry",
            replace_existing=True,
        )  # fmt: skip
