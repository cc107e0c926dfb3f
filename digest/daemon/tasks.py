"""What the daemon does on each wake-up: a build, or a build then a send.

Failures are logged and reported by return value, never raised: the daemon
keeps running after a bad build or a failed delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import TypeVar

from digest.app import App
from digest.errors import DigestError
from digest.logs import NOTICE
from digest.text import printable

log = logging.getLogger("digest.daemon")
T = TypeVar("T")


class Outcome(Enum):
    DONE = "done"
    FAILED = "failed"
    RETRY = "retry"  # a temporary delivery failure: try the send again later


def build(app: App) -> Outcome:
    started = datetime.now(UTC)
    result = _attempt("build", app.build)
    if result is None:
        return Outcome.FAILED
    for rejection in result.rejected:
        # Rejections the store already knew were reported when they happened.
        fresh = rejection.seen >= started
        path, reason = printable(rejection.path), printable(rejection.reason)
        log.log(logging.WARNING if fresh else logging.DEBUG, "rejected: %s: %s", path, reason)
    # Only documents read in this build carry warnings: each is reported once.
    for path, warning in result.warnings:
        log.warning("warning: %s: %s", printable(path), printable(warning))
    log.log(NOTICE if result.changed else logging.INFO, "build: %s", result.line())
    return Outcome.DONE


def send(app: App) -> Outcome:
    """Build first, so a digest covers everything in the seeds folder, then send what is due."""
    if build(app) is Outcome.FAILED:
        return Outcome.FAILED
    report = _attempt("send", app.send)
    if report is None:
        return Outcome.FAILED
    level = NOTICE if report.sent else logging.INFO
    if report.failed or report.retry:
        level = logging.ERROR if report.failed else logging.WARNING
    log.log(level, "send: %s", report.line())
    for problem in report.problems():
        log.log(level, "send: %s", problem)
    return Outcome.RETRY if report.retry or report.waiting else Outcome.DONE


def warm(app: App) -> None:
    """Start the worker processes before the first change arrives (see App.warm)."""
    _attempt("starting the worker processes", app.warm)


def _attempt(what: str, call: Callable[[], T]) -> T | None:
    """Run one step; log its failure (a traceback only for the unforeseen) and return None."""
    try:
        return call()
    except DigestError as exc:
        log.error("%s failed: %s", what, exc)
    except OSError as exc:
        # A full disk or a read-only folder: the next wake-up tries again.
        where = f"{printable(str(exc.filename))}: " if exc.filename else ""
        log.error("%s failed: %s%s", what, where, exc.strerror or exc)
    except Exception:
        log.exception("%s failed", what)
    return None
