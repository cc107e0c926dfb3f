"""Wait for signals on the main thread without polling.

Python runs signal handlers only on the main thread, between bytecodes; doing real
work there (or taking locks other threads hold) can deadlock. Instead the C-level
handler writes the signal number to a socket (`signal.set_wakeup_fd`) and the main
thread blocks reading it, then acts on the signal as ordinary code.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterable
from types import FrameType, TracebackType


def _ignore(signum: int, frame: FrameType | None) -> None:
    """Replaces the default action so the wakeup byte is all that happens."""


class SignalWaiter:
    """Catches the given signals from construction until close()."""

    def __init__(self, signals: Iterable[signal.Signals]) -> None:
        self._signals = tuple(signals)
        self._read, self._write = socket.socketpair()
        self._write.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        self._previous = {sig: signal.signal(sig, _ignore) for sig in self._signals}

    def wait(self) -> signal.Signals:
        """Block until one of the signals arrives and return it."""
        while True:
            data = self._read.recv(1)
            if data and data[0] in self._signals:
                return signal.Signals(data[0])

    def close(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._read.close()
        self._write.close()

    def __enter__(self) -> SignalWaiter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
