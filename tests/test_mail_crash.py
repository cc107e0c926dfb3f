"""A sending process killed mid-run, then restarted: every digest arrives, none twice but one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from digest.store import Store
from tests.conftest import REPO, WriteConfig
from tests.factories import make_document
from tests.mailfixtures import Inbox, Received, smtp_server

# The sending side as its own process, so it can really be killed.
SEND = """
import sys
from datetime import datetime
from pathlib import Path
from digest.config import load_config
from digest.mail.service import Mailer
from digest.store import Store
config = load_config(Path(sys.argv[1]))
now = datetime.fromisoformat(sys.argv[2])
report = Mailer(config, Store(config.paths.database), lambda: now).send()
print(report.line())
"""
RECIPIENTS = [f"r{n}@example.org" for n in range(6)]
NOW = "2025-01-11T07:30:00+00:00"


def run_sender(config_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SEND, str(config_path), NOW],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("accepted", [False, True], ids=["before-acceptance", "after-acceptance"])
def test_killed_sender_restarts_and_delivers_every_digest(
    write_config: WriteConfig, accepted: bool
) -> None:
    """Killed while the server holds the 3rd message: before it accepted it, or just after.

    Only in the second case can that one message arrive twice, with the same Message-ID.
    """
    inbox = Inbox()
    victim: list[subprocess.Popen[str]] = []

    def kill_on_third(mail: Received) -> str | None:
        if len(inbox.received) != 2 or not victim:
            return None
        if accepted:
            inbox.received.append(mail)
        victim[0].send_signal(signal.SIGKILL)
        victim[0].wait()
        return "451 4.3.0 sender went away"

    inbox.on_data = kill_on_third
    with smtp_server(inbox) as port:
        config = write_config(
            f"[digest]\nrecipients = {RECIPIENTS!r}\n".replace("'", '"')
            + 'sender = "digest@example.org"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 5\n'
        )
        store = Store(config.paths.database)
        with store.transaction():
            store.put(make_document(1), size=1, mtime_ns=1)
            store.set_meta("digest_period_end", "2025-01-01T07:00:00+00:00")
        store.close()

        first = run_sender(config.path)
        victim.append(first)
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        assert len(inbox.received) == (3 if accepted else 2)

        victim.clear()
        second = run_sender(config.path)
        out, err = second.communicate(timeout=30)
        assert second.returncode == 0, err
        third = run_sender(config.path)
        again, _ = third.communicate(timeout=30)

    by_recipient = {r: [m["Message-ID"] for m in inbox.to(r)] for r in RECIPIENTS}
    twice = {r: ids for r, ids in by_recipient.items() if len(ids) != 1}
    if accepted:
        assert list(twice) == ["r2@example.org"]
        assert len(set(twice["r2@example.org"])) == 1  # the same message, repeated
        copies = {r.data for r in inbox.received if r.rcpt_tos == ["r2@example.org"]}
        assert len(copies) == 1  # byte for byte, though only its render was stored
    else:
        assert twice == {}
    assert all(by_recipient.values())
    assert out.strip().endswith("failed 0, retrying 0")
    assert again.strip() == "no digest due (next 2025-01-12 07:00 UTC)"
    store = Store(config.paths.database)
    assert {d.status for d in store.deliveries()} == {"sent"}
    assert store.get_meta("digest_period_end") == "2025-01-11T07:00:00+00:00"
