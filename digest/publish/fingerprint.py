"""What the shipped templates look like, as a short hash, without loading Jinja.

Every build compares it to decide whether pages need rendering again; a
rebuild with nothing to do should not pay for importing the template engine.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

# Bumped whenever which file shows which documents changes (how archives are
# cut, what a page is named): the next build then plans every file again
# rather than only those its changes touch, which would mix two layouts.
LAYOUT = 3


@cache
def templates_version() -> str:
    """Changes whenever a shipped page template or the stylesheet changes, or the `LAYOUT`.

    Part of the site key, so that a new release re-renders every page even
    when its version number stayed the same.
    """
    digest = hashlib.sha256(f"layout {LAYOUT}\0".encode())
    # The folder itself, not importlib.resources: that would import zipfile, shutil
    # and tempfile into every rebuild for a package that is always a folder.
    folder = Path(__file__).resolve().parent.parent / "templates"
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.is_file():
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:16]
