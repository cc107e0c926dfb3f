"""One process at a time per state folder: an advisory lock the kernel drops when the process dies.

The daemon holds it for its life; `build` and `send` for their run. The lock
file says who holds it ("<pid> <command>"), so a refused command can name the
holder and `status` can tell a running daemon from a build.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from digest.errors import LockedError, StoreError

_NAME = "daemon.lock"
_POLL = 0.05


class StateLock:
    """Held until released, or until the process ends, even by kill -9."""

    def __init__(self, state: Path, command: str = "run", *, wait: float = 0.0) -> None:
        self.path = state / _NAME
        self.command = command
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, waiting up to `wait` seconds for its holder to finish."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(
                f"cannot use the state folder {self.path.parent}: {exc.strerror or exc}"
            ) from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockedError(
                        f"another digest process ({_holder(self.path)}) is running on the "
                        f"state folder {self.path.parent}; wait for it to finish or stop it "
                        "(one daemon, build or send at a time)"
                    ) from None
                time.sleep(_POLL)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {self.command}".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StateLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def is_locked(state: Path, command: str | None = None) -> bool:
    """Whether some process holds the lock right now (running `command`, if given)."""
    path = state / _NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return command is None or _holder(path).endswith(f"digest {command}")
    finally:
        os.close(fd)
    return False


def _holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it down: "pid 123, digest run"."""
    try:
        pid, _, command = path.read_text().strip().partition(" ")
    except OSError:
        pid, command = "", ""
    return f"pid {pid or 'unknown'}, digest {command or 'run'}"
