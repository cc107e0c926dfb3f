"""Two `digest run` daemons on one PostgreSQL database: the leader killed mid-send, the other
finishes the digest, and no subscriber gets it twice but for the one message in flight."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.daemonfixtures import Daemon, digest_process, seed, wait_for
from tests.mailfixtures import Inbox, Received, smtp_server

SUBSCRIBERS = [f"reader{n:02}@example.org" for n in range(40)]
# The leader dies while the server holds this message, after accepting it.
KILL_AT = 10
LEASE, RENEW = 4.0, 1.0


def write_config(folder: Path, name: str, database: str, port: int) -> Path:
    folder.mkdir(parents=True)
    recipients = ", ".join(f'"{a}"' for a in SUBSCRIBERS)
    path = folder / "config.toml"
    path.write_text(
        f'[paths]\nseeds = "../seeds"\nfeeds = "../feeds"\nstate = ".digest"\n'
        f'database = "{database}"\n'
        '[feed]\ntitle = "Desk"\nbase_url = "https://news.example.org/"\n'
        f'[digest]\nrecipients = [{recipients}]\nsender = "digest@example.org"\n'
        f'[daemon]\ninstance = "{name}"\nlease_seconds = {LEASE}\nrenew_seconds = {RENEW}\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 10\n',
        encoding="utf-8",
    )
    return path


def open_period(database: str) -> None:
    """Make a digest due now: the documents seen yesterday, the last digest before that."""
    import psycopg

    with psycopg.connect(database, autocommit=True) as db:
        db.execute("UPDATE documents SET first_seen = '2025-01-10T00:00:00+00:00'")
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('digest_period_end', %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("2025-01-09T07:00:00+00:00",),
        )


@pytest.mark.slow
def test_a_leader_killed_mid_send_is_replaced_and_every_subscriber_gets_the_digest_once(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Instances share the secret that signs links, or the same message would differ.
    monkeypatch.setenv("DIGEST_SECRET", "shared-by-every-instance")
    seeds = tmp_path / "seeds"
    for n in range(3):
        seed(seeds, f"story{n}.md", f"Grid operators agree winter plan {n}")
    inbox = Inbox()
    two_ready = threading.Event()
    leader: list[Daemon] = []
    killed_at: list[float] = []
    arrivals: list[float] = []

    def slow_server_killing_the_leader(mail: Received) -> str | None:
        time.sleep(0.05)  # a slow server: the send takes a while
        arrivals.append(time.monotonic())
        if len(inbox.received) != KILL_AT - 1 or killed_at:
            return None
        assert two_ready.wait(60), "the second instance never became ready"
        inbox.received.append(mail)  # accepted, but the leader dies before it hears so
        leader[0].proc.send_signal(signal.SIGKILL)
        leader[0].proc.wait()
        killed_at.append(time.monotonic())
        return "451 4.3.0 sender went away"

    inbox.on_data = slow_server_killing_the_leader
    with smtp_server(inbox) as port:
        one = write_config(tmp_path / "one", "one", postgres_url, port)
        two = write_config(tmp_path / "two", "two", postgres_url, port)
        build = digest_process("build", config=one)
        _, err = build.communicate(timeout=60)
        assert build.returncode == 0, err
        open_period(postgres_url)

        first = Daemon(one)
        leader.append(first)
        first.wait_ready()
        second = Daemon(two)
        try:
            second.wait_ready()
            two_ready.set()
            assert wait_for(lambda: len(inbox.received) >= len(SUBSCRIBERS) + 1, timeout=40), (
                f"only {len(inbox.received)} messages arrived"
            )
            status = digest_process("status", "--json", config=two)
            out, err = status.communicate(timeout=30)
        finally:
            first.stop(signal.SIGKILL)
            second.stop()

    by_recipient = {r: [m.data for m in inbox.received if r in m.rcpt_tos] for r in SUBSCRIBERS}
    twice = {r: copies for r, copies in by_recipient.items() if len(copies) > 1}
    assert all(by_recipient.values()), [r for r, copies in by_recipient.items() if not copies]
    in_flight = SUBSCRIBERS[KILL_AT - 1]
    assert list(twice) == [in_flight]
    assert len(set(twice[in_flight])) == 1  # resent byte for byte
    assert len(inbox.received) == len(SUBSCRIBERS) + 1

    took_over = next(t for t in arrivals if t > killed_at[0])
    failover = took_over - killed_at[0]
    print(
        f"\nfailover: the next message {failover:.2f} s after the leader was killed"
        f" (lease {LEASE:g} s, renewed every {RENEW:g} s: at most {LEASE + RENEW:g} s)"
    )
    assert "took the lease over from one" in second.stderr, second.stderr
    assert "sent again, byte-identical" in second.stderr
    state = json.loads(out)
    assert state["lease"]["name"] == "two"
    assert {(i["name"], i["alive"]) for i in state["instances"]} >= {("two", True)}
