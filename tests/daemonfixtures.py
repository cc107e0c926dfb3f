"""Helpers for tests of the daemon and the HTTP server: ports, requests, processes."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nothing listens on right now (the server binds it again by number)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One GET with the path sent exactly as given: status, lower-cased headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_for(check: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    """Poll `check` until it holds or `timeout` passes; True if it held."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)


def digest_process(
    *args: str, config: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """`python -m digest ARGS --config CONFIG` as a real process, stderr captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "digest", *args, "--config", str(config)],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def seed(seeds: Path, name: str, title: str, body: str = "") -> Path:
    """A small markdown document with YAML front matter."""
    path = seeds / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        f"---\ntitle: {title}\ndate: 2025-01-10\nregion: Europe\ntheme: Energy\n---\n"
        f"{body or 'Operators agreed a plan for the winter. The plan covers reserves.'}\n"
    )
    path.write_text(text, encoding="utf-8")
    return path


class Daemon:
    """`digest run` as a real process, ready once it has told its NOTIFY_SOCKET so."""

    def __init__(self, config: Path, *args: str) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="dg", dir="/tmp"))
        self._notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        address = str(self._folder / "notify")
        self._notify.bind(address)
        self._notify.settimeout(20)
        self.proc = digest_process(
            "run", "-v", *args, config=config, env={"NOTIFY_SOCKET": address}
        )
        self.stderr = ""

    def wait_ready(self) -> None:
        assert self._notify.recv(64) == b"READY=1", "the daemon did not report READY=1"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        """Signal the process, wait for it, keep its log; the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        _, self.stderr = self.proc.communicate(timeout=timeout)
        self._notify.close()
        shutil.rmtree(self._folder, ignore_errors=True)
        return self.proc.returncode
