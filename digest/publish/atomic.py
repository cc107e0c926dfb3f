"""Atomic file output: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` via a temp file and rename; False when unchanged.

    Skipping identical content keeps mtimes (and so Last-Modified and ETags
    downstream) stable across rebuilds that change nothing.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_many(out: Path, files: Mapping[str, bytes]) -> int:
    """Write many files atomically with one flush to disk instead of one per file.

    Each changed file is staged as a temp file beside its target; one sync
    makes them all durable; then each is renamed into place. Readers still see
    old or new files, never halves, and a build of thousands of pages is not
    bound by thousands of fsync calls. Returns how many files changed.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for rel, data in files.items():
            path = out / rel
            try:
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    continue
            except FileNotFoundError:
                pass
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
            os.chmod(tmp, 0o644)
        if staged:
            os.sync()
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    return len(staged)
