"""Delivery that never stalls, tried against real SMTP servers (aiosmtpd) and the real CLI."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.cli import main
from digest.config import Config, parse_config
from digest.errors import ConfigError
from digest.mail.service import Mailer
from digest.store import Store
from tests.conftest import Clock, WriteConfig
from tests.factories import make_document
from tests.mailfixtures import Inbox, free_port, make_pki, smtp_server

# Every test here runs on SQLite and again on PostgreSQL (tests/postgres.py).
pytestmark = pytest.mark.usefixtures("engine")

A, B = "a@example.org", "b@example.org"
FULL = "full@example.org"


def configure(
    write_config: WriteConfig, port: int, extra: str = "", first_days: int = 100000, **smtp: str
) -> Config:
    smtp_lines = "".join(f"{k} = {v}\n" for k, v in smtp.items())
    return write_config(
        "[digest]\n"
        f'recipients = ["{A}", "{B}", "{FULL}"]\n'
        'sender = "digest@example.org"\n'
        # The factory's documents are years old: most tests want them in the first digest.
        f"first_days = {first_days}\n"
        f"{extra}"
        "[daemon]\nretry_seconds = 60\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\ntimeout = 2\n{smtp_lines}'
        + ("" if "security" in smtp else 'security = "none"\n')
    )


def send(config: Config, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--config", str(config.path), "send", "--now"])
    return code, capsys.readouterr().err.splitlines()


def seed(config: Config) -> None:
    (config.paths.seeds / "strike.md").write_text(
        "# Port strike ends after two weeks\n\nDockers went back to work on Monday.\n"
    )


def add_document(config: Config, n: int, clock: Clock | None = None) -> None:
    store = Store(config.paths.database)
    doc = make_document(n)
    if clock is not None:
        doc = replace(doc, first_seen=clock.now - timedelta(minutes=1))
    with store.transaction():
        store.put(doc, size=1, mtime_ns=1)
    store.close()


@contextmanager
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        listener.close()
        for conn in accepted:
            conn.close()


def test_server_down_exits_1_with_one_line_naming_the_connection_failure(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    config = configure(write_config, port)
    seed(config)
    code, err = send(config, capsys)
    assert code == 1
    assert err[-1] == (
        f"not delivered, will retry ({A}, {B}, {FULL}): smtp 127.0.0.1:{port}: cannot connect: "
        "connection refused; is the server running? check smtp.host and smtp.port"
    )


def test_a_silent_server_fails_after_one_connection_within_the_timeout(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    with silent_server() as (port, accepted):
        config = configure(write_config, port)
        seed(config)
        code, err = send(config, capsys)
        assert len(accepted) == 1
    assert code == 1
    assert err[-1].endswith(
        f"smtp 127.0.0.1:{port}: cannot connect: no answer within smtp.timeout = 2 s"
    )


def test_a_wrong_password_is_named_an_authentication_failure(
    write_config: WriteConfig,
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pki = make_pki(tmp_path_factory.mktemp("pki"), "Digest Test CA")
    monkeypatch.setenv("DIGEST_TEST_SMTP_SECRET", "wrong")
    with smtp_server(Inbox(), starttls=pki.server, users={"digest": "right"}) as port:
        config = configure(
            write_config, port, security='"starttls"', user='"digest"',
            password_env='"DIGEST_TEST_SMTP_SECRET"', ca_file=f'"{pki.ca_file}"',
        )  # fmt: skip
        seed(config)
        code, err = send(config, capsys)
    assert code == 1
    assert "authentication failed: login as smtp.user 'digest' refused (535" in err[-1]
    assert "cannot connect" not in err[-1]


def test_status_and_build_work_without_the_password_and_send_names_it(
    write_config: WriteConfig,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DIGEST_TEST_SMTP_SECRET", raising=False)
    config = configure(
        write_config, free_port(), user='"digest"', password_env='"DIGEST_TEST_SMTP_SECRET"'
    )
    assert main(["--config", str(config.path), "build"]) == 0
    assert main(["--config", str(config.path), "status"]) == 0
    capsys.readouterr()
    code, err = send(config, capsys)
    assert code == 2
    assert err[-1] == (
        "error: config: smtp.password_env: smtp.user is set but the environment variable "
        "DIGEST_TEST_SMTP_SECRET is empty or unset; sending needs the password"
    )


def test_a_recipient_refused_for_now_forever_gives_way_and_is_given_up(
    write_config: WriteConfig, clock: Clock
) -> None:
    """Five digests while one recipient's server answers 451 every time."""
    inbox = Inbox(refuse={FULL: "451 4.2.2 Mailbox full, try later"})
    with smtp_server(inbox) as port:
        config = configure(write_config, port, "retry_attempts = 3\n")
        store = Store(config.paths.database)
        mailer = Mailer(config, store, clock)
        reports = []
        for n in range(1, 6):
            add_document(config, n, clock)
            reports.append(mailer.send(force=True))
            clock.advance(hours=1)
    assert [len(inbox.to(A)), len(inbox.to(B))] == [5, 5]
    assert inbox.to(FULL) == []
    # Each digest was tried once and retried with the next; the third try gives up.
    assert reports[0].retry == [
        (FULL, f"smtp 127.0.0.1:{port} refused it: 451 4.2.2 Mailbox full, try later")
    ]
    gave_up = [
        r for report in reports for r, reason in report.failed if "gave up after 3" in reason
    ]
    assert gave_up == [FULL] * 3
    assert {d.status for d in store.deliveries() if d.recipient == FULL} == {"failed", "pending"}
    assert len(store.deliveries(status="pending")) == 2


def test_retries_stop_once_the_retry_window_has_passed(
    write_config: WriteConfig, clock: Clock
) -> None:
    inbox = Inbox(refuse={FULL: "451 try later"})
    with smtp_server(inbox) as port:
        config = configure(write_config, port, "retry_hours = 1\n")
        store = Store(config.paths.database)
        mailer = Mailer(config, store, clock)
        add_document(config, 1, clock)
        assert [r for r, _ in mailer.send(force=True).retry] == [FULL]
        clock.advance(minutes=61)
        report = mailer.send()
    assert report.failed == [
        (FULL, f"smtp 127.0.0.1:{port} refused it: 451 try later (gave up after 2 attempts)")
    ]
    assert store.deliveries(status="pending") == []


def test_the_first_digest_on_an_old_archive_covers_only_the_recent_window(
    write_config: WriteConfig, clock: Clock
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = configure(write_config, port, first_days=7)
        store = Store(config.paths.database)
        with store.transaction():
            for n, age in ((1, 30), (2, 8), (3, 6), (4, 1)):
                doc = replace(make_document(n), first_seen=clock.now - timedelta(days=age))
                store.put(doc, size=1, mtime_ns=1)
        report = Mailer(config, store, clock).send(force=True)
    assert report.label == "3-10 Jan 2025"
    assert report.articles == 2
    text = inbox.to(A)[0].get_body(("plain",)).get_content()
    assert "winter plan number 3" in text and "winter plan number 4" in text
    assert "winter plan number 2" not in text


_HOSTILE = '\x00\x85\r\n\t \u2028\u200b\x7f\ufeffé<>",;@'
_LOCAL = st.text(alphabet="abc.+-_" + _HOSTILE, min_size=1, max_size=12)
_DOMAIN = st.sampled_from(
    ["example.org", "exa\x85mple.org", "bücher.de", "localhost", "x\ny.org", "a..b.org", ""]
)
_TEXT = st.one_of(st.text(max_size=30), st.text(alphabet="ab. -" + _HOSTILE, max_size=30))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    recipient=st.builds(lambda a, b: f"{a}@{b}", _LOCAL, _DOMAIN),
    sender=st.builds(lambda a, b: f"{a}@{b}", _LOCAL, _DOMAIN),
    title=_TEXT,
    subject=_TEXT,
    list_id=st.one_of(_TEXT, st.just("news.example.org")),
)
def test_whatever_passes_the_configuration_check_can_be_sent(
    tmp_path_factory: pytest.TempPathFactory,
    recipient: str,
    sender: str,
    title: str,
    subject: str,
    list_id: str,
) -> None:
    raw = {
        "feed": {"title": title, "base_url": "https://news.example.org/"},
        "digest": {
            "recipients": [recipient], "sender": sender, "subject": subject,
            "list_id": list_id, "first_days": 100000,
        },
    }  # fmt: skip
    base = tmp_path_factory.mktemp("hostile")
    try:
        config = parse_config(raw, base=base, path=base / "config.toml", environ={})
    except ConfigError:
        return
    store = Store(config.paths.database)
    with store.transaction():
        store.put(make_document(1), size=1, mtime_ns=1)
    report = Mailer(config, store, Clock()).send(force=True)
    store.close()
    assert report.sent == [config.digest.recipients[0].address]
