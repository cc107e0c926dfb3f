"""Atomic file output: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import re
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` via a temp file and rename; False when unchanged.

    Skipping identical content keeps mtimes (and so Last-Modified and ETags
    downstream) stable across rebuilds that change nothing.
    """
    if _unchanged(path, data):
        return False
    tmp = _stage(path, data, durable=True)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


# What _stage names a temp file: `.` + the target's name + mkstemp's 8 characters + `.tmp`.
_STAGING = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def sweep_staging(folder: Path, *, recursive: bool = True) -> int:
    """Remove the temp files a killed writer left in `folder`; how many there were.

    Only a process holding the state lock may call this: another writer's
    files in progress look the same.
    """
    removed = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            if _STAGING.fullmatch(name):
                Path(parent, name).unlink(missing_ok=True)
                removed += 1
        if not recursive:
            break
    return removed


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        return False


def _stage(path: Path, data: bytes, *, durable: bool) -> str:
    """Write `data` to a temp file beside `path` (fsynced when `durable`); its name."""
    # Imported here: a rebuild with nothing to write only sweeps, and tempfile
    # brings in shutil and random.
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def stage_changed(out: Path, rel: str, data: bytes) -> str | None:
    """`data` written to a temp file beside `out / rel`, not yet durable, unless
    the file already holds it; the temp file's name. See `Staged`."""
    path = out / rel
    return None if _unchanged(path, data) else _stage(path, data, durable=False)


# Past this many files, one sync of everything is quicker than a flush of each.
_SYNC_ALL = 100


class Staged:
    """Many files written atomically with one flush to disk instead of one per file.

    `add` stages each changed file as a temp file beside its target; `commit`
    makes them all durable with one sync, then renames each into place.
    Readers still see old or new files, never halves, and a build of
    thousands of pages is not bound by thousands of fsync calls.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self._staged: list[tuple[str, Path]] = []

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def add(self, rel: str, data: bytes) -> None:
        if (tmp := stage_changed(self.out, rel, data)) is not None:
            self.adopt(rel, tmp)

    def adopt(self, rel: str, tmp: str) -> None:
        """Take a temp file `stage_changed` wrote (in any process) as the new `rel`."""
        self._staged.append((tmp, self.out / rel))

    @property
    def count(self) -> int:
        return len(self._staged)

    def commit(self) -> None:
        if len(self._staged) > _SYNC_ALL:
            os.sync()
        else:
            # A few files (a change's): a sync of the whole machine would wait
            # for every other program's writes too.
            for tmp, _ in self._staged:
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        for tmp, path in self._staged:
            os.replace(tmp, path)

    def discard(self) -> None:
        for tmp, _ in self._staged:
            Path(tmp).unlink(missing_ok=True)
