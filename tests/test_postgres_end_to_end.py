"""The product run by a user against PostgreSQL: real processes, a real SMTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import WriteConfig
from tests.mailfixtures import Inbox, smtp_server

DOC = (
    "---\ntitle: Port strike ends after two weeks\ndate: 2025-01-09\n---\n"
    "Dockers voted to return on Monday, after two weeks on strike.\n"
)


def digest(*args: str, cwd: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digest", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "DIGEST_DATABASE_URL": url},
        timeout=60,
    )


@pytest.mark.slow
def test_build_send_and_status_keep_all_their_state_in_postgresql(
    write_config: WriteConfig, project: Path, postgres_url: str
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        write_config(
            '[digest]\nrecipients = ["a@example.org"]\nsender = "digest@example.org"\n'
            "first_days = 100000\n"
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        )
        (project / "seeds" / "strike.md").write_text(DOC)
        built = digest("build", cwd=project, url=postgres_url)
        assert built.returncode == 0, built.stderr
        assert built.stdout.startswith("published 1,")
        added = digest("subscribers", "add", "b@example.org", cwd=project, url=postgres_url)
        assert added.returncode == 0, added.stderr
        sent = digest("send", "--now", cwd=project, url=postgres_url)
        assert sent.returncode == 0, sent.stderr
        again = digest("send", "--now", cwd=project, url=postgres_url)
        assert again.returncode == 0, again.stderr
        status = digest("status", "--json", cwd=project, url=postgres_url)
    assert status.returncode == 0, status.stderr
    [shown] = json.loads(status.stdout)["documents"]
    assert shown["title"] == "Port strike ends after two weeks"
    assert sorted(r for m in inbox.received for r in m.rcpt_tos) == [
        "a@example.org", "b@example.org"
    ]  # fmt: skip
    assert (project / "feeds" / "atom.xml").is_file()
    assert not list((project / ".digest").glob("state.sqlite3*"))
    with psycopg.connect(postgres_url) as db:
        sent_rows = db.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone()
    assert sent_rows == (2,)


def test_an_unreachable_database_is_one_line_and_exit_1(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    built = digest("build", cwd=project, url="postgresql://digest@127.0.0.1:1/news")
    assert built.returncode == 1
    assert built.stderr.startswith("error: cannot reach the PostgreSQL server of postgresql://")
    assert built.stderr.count("\n") == 1, built.stderr
