"""One small parser per input format; `digest.parse` detects the format and dispatches."""

from __future__ import annotations


class FormatError(ValueError):
    """The document claims a format but breaks it (bad front matter, say): the reason to report."""
