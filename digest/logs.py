"""Logging for the long-running commands: one plain line per event on stderr.

Quiet by default: warnings, errors, and NOTICE lines (one per build or send that
changed something). `-v` adds info, `-vv` debug. No colours: the lines end up in
journald or a log file as often as on a terminal.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

# Between INFO and WARNING: what an operator wants to see without asking for more.
NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def level_for(verbosity: int) -> int:
    """The threshold for a count of -v flags."""
    if verbosity <= 0:
        return NOTICE
    return logging.INFO if verbosity == 1 else logging.DEBUG


def setup_logging(verbosity: int, stream: TextIO | None = None) -> None:
    """Send every logger's records at or above the threshold to `stream` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT, _DATE_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level_for(verbosity))
    logging.captureWarnings(True)
