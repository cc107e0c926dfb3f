"""The daemon: its parts in-process, then `digest run` as a real process on a temp folder."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session
from apscheduler.triggers.interval import IntervalTrigger

from digest.app import make_app
from digest.config import load_config
from digest.daemon.schedule import make_scheduler
from digest.daemon.watch import Batcher
from tests.daemonfixtures import Daemon, digest_process, fetch, free_port, seed, wait_for

# Batching, in-process


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.called = threading.Event()

    def __call__(self) -> None:
        self.calls += 1
        self.called.set()


@pytest.fixture
def batcher_and_counter() -> Iterator[tuple[Batcher, Counter]]:
    counter = Counter()
    batcher = Batcher(counter, quiet=0.2, stall=5.0)
    batcher.start()
    yield batcher, counter
    batcher.stop()


def test_changes_arriving_together_make_one_rebuild(
    batcher_and_counter: tuple[Batcher, Counter],
) -> None:
    batcher, counter = batcher_and_counter
    for n in range(20):
        batcher.changed(finished=f"seeds/{n}.md")
    assert counter.called.wait(3)
    time.sleep(0.4)
    assert counter.calls == 1


def test_a_file_being_written_holds_the_rebuild_until_it_is_closed(
    batcher_and_counter: tuple[Batcher, Counter],
) -> None:
    batcher, counter = batcher_and_counter
    batcher.changed(writing="seeds/slow.md")
    assert not counter.called.wait(0.6), "rebuilt while the file was still open"
    batcher.changed(finished="seeds/slow.md")
    assert counter.called.wait(3)
    assert counter.calls == 1


def test_a_file_never_closed_is_taken_as_finished_after_the_stall_time() -> None:
    counter = Counter()
    batcher = Batcher(counter, quiet=0.1, stall=0.5)
    batcher.start()
    try:
        batcher.changed(writing="seeds/touched.md")
        assert counter.called.wait(3)
    finally:
        batcher.stop()


# Scheduling, in-process


def test_a_fire_missed_by_minutes_still_runs_and_only_once() -> None:
    # APScheduler's default one-second grace would skip it, and without coalescing
    # it would run once per missed fire (here four).
    calls: list[datetime] = []
    ran = threading.Event()

    def fire() -> None:
        calls.append(datetime.now(UTC))
        ran.set()

    scheduler = make_scheduler()
    scheduler.start()
    try:
        scheduler.add_job(
            fire,
            IntervalTrigger(seconds=10),
            next_run_time=datetime.now(UTC) - timedelta(seconds=35),
        )
        assert ran.wait(5), "the late fire was dropped"
        time.sleep(0.5)
        assert len(calls) == 1
    finally:
        scheduler.shutdown()


# The daemon as a real process


class Inbox:
    """A real SMTP server on 127.0.0.1 that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def write_config(project: Path, port: int, extra: str = "") -> Path:
    path = project / "config.toml"
    path.write_text(
        '[feed]\ntitle = "Test Desk"\nbase_url = "https://news.example.org/"\n'
        f'[server]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n'
        "[daemon]\nquiet_seconds = 0.2\nretry_seconds = 0.5\n" + extra,
        encoding="utf-8",
    )
    return path


def titles(port: int) -> list[str]:
    status, _, body = fetch(port, "/atom.xml")
    return [e.title for e in feedparser.parse(body).entries] if status == 200 else []


@pytest.fixture
def daemon(project: Path) -> Iterator[tuple[Daemon, int]]:
    port = free_port()
    seed(project / "seeds", "first.md", "Grid operators agree winter plan")
    proc = Daemon(write_config(project, port))
    try:
        proc.wait_ready()
        assert wait_for(lambda: titles(port) != [], timeout=15), "the first build did not publish"
        yield proc, port
    finally:
        proc.stop(signal.SIGKILL) if proc.proc.poll() is None else None


@pytest.mark.slow
def test_a_dropped_file_is_in_the_served_feed_within_the_second(
    daemon: tuple[Daemon, int], project: Path
) -> None:
    proc, port = daemon
    started = time.monotonic()
    seed(project / "seeds" / "sub", "dropped.md", "Port strike ends after two weeks")
    assert wait_for(lambda: "Port strike ends after two weeks" in titles(port), timeout=3)
    latency = time.monotonic() - started
    print(f"drop-to-feed latency: {latency:.3f} s")
    assert proc.stop() == 0
    assert "build: published 1" in proc.stderr


@pytest.mark.slow
def test_a_slowly_written_file_is_published_once_whole(
    daemon: tuple[Daemon, int], project: Path
) -> None:
    proc, port = daemon
    lines = ["---\n", "title: Slow transfer arrives\n", "date: 2025-01-10\n"]
    lines += ["region: Europe\n", "theme: Energy\n", "---\n"]
    lines += [f"Paragraph {n} of the slow transfer arrived in time.\n" for n in range(4)]
    with (project / "seeds" / "slow.md").open("w", encoding="utf-8") as out:
        for chunk in (lines[:2], lines[2:6], lines[6:8], lines[8:]):
            out.writelines(chunk)
            out.flush()
            time.sleep(0.4)
    assert wait_for(lambda: "Slow transfer arrives" in titles(port), timeout=3)
    time.sleep(0.5)
    assert proc.stop() == 0
    builds = [line.split("build: ")[1] for line in proc.stderr.splitlines() if "build: " in line]
    assert builds == [
        "published 1, updated 0, unchanged 0, rejected 0",  # the fixture's first document
        "published 1, updated 0, unchanged 1, rejected 0",  # the slow one, once, when closed
    ], proc.stderr
    assert "rejected:" not in proc.stderr


@pytest.mark.slow
def test_editor_leftovers_do_not_trigger_a_build(daemon: tuple[Daemon, int], project: Path) -> None:
    proc, _ = daemon
    time.sleep(0.5)
    for name in (".first.md.swp", "first.md~", ".#first.md", "upload.part", "x.tmp"):
        (project / "seeds" / name).write_text("half")
    time.sleep(1.0)
    assert proc.stop() == 0
    assert proc.stderr.count("build: ") == 1, proc.stderr


@pytest.mark.slow
def test_sigterm_stops_the_daemon_promptly_with_exit_0(daemon: tuple[Daemon, int]) -> None:
    proc, _ = daemon
    started = time.monotonic()
    assert proc.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 5
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_sigint_stops_it_too(daemon: tuple[Daemon, int]) -> None:
    proc, _ = daemon
    assert proc.stop(signal.SIGINT) == 0


@pytest.mark.slow
def test_a_second_daemon_on_the_same_state_is_refused_with_exit_2(
    daemon: tuple[Daemon, int], project: Path
) -> None:
    second = digest_process("run", config=project / "config.toml")
    _, err = second.communicate(timeout=20)
    assert second.returncode == 2
    assert err.startswith("error: another digest process (pid ")
    assert "is running on the state folder" in err
    assert err.count("\n") == 1, err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (
            lambda text: text + "[digest]\nschedule = 'every morning'\n",
            "config: digest.schedule",
        ),
        (
            lambda text: text.replace("[daemon]\n", "[daemon]\ninstance = 'renamed'\n"),
            "config: daemon.instance: cannot change while the daemon runs; restart it",
        ),
    ],
    ids=["a broken config", "a renamed instance, which takes a restart"],
)
def test_sighup_with_a_config_it_cannot_take_keeps_the_running_one(
    daemon: tuple[Daemon, int], project: Path, change: Callable[[str], str], refusal: str
) -> None:
    proc, port = daemon
    config = project / "config.toml"
    config.write_text(change(config.read_text()))
    proc.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    seed(project / "seeds", "after.md", "Ferry service resumes")
    assert wait_for(lambda: "Ferry service resumes" in titles(port), timeout=3)
    assert proc.stop() == 0
    assert f"configuration not reloaded, keeping the running one: {refusal}" in proc.stderr


@pytest.mark.slow
def test_a_failing_build_is_logged_and_the_daemon_keeps_going(
    daemon: tuple[Daemon, int], project: Path
) -> None:
    proc, port = daemon
    feeds = project / "feeds"
    (feeds / "regions").rename(project / "regions-moved")
    (feeds / "regions").write_text("a file where the build needs a folder")
    seed(project / "seeds", "blocked.md", "Rail freight strike called off")
    time.sleep(1.5)
    (feeds / "regions").unlink()
    seed(project / "seeds", "later.md", "Harbour reopens after storm")
    assert wait_for(lambda: "Harbour reopens after storm" in titles(port), timeout=3)
    assert proc.stop() == 0
    # A foreseeable fault is one clear line naming the file, not a traceback.
    assert "ERROR digest.daemon: build failed: cannot write" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_once_builds_and_exits(project: Path) -> None:
    seed(project / "seeds", "once.md", "Grid operators agree winter plan")
    once = digest_process("run", "--once", config=write_config(project, free_port()))
    _, err = once.communicate(timeout=30)
    assert once.returncode == 0, err
    assert (project / "feeds" / "atom.xml").exists()


# Digests: a real SMTP server, a minutely schedule


def digest_config(project: Path, smtp_port: int) -> tuple[Path, int]:
    """A minutely digest to a real SMTP port; the config and the feeds' HTTP port."""
    http_port = free_port()
    return write_config(
        project,
        http_port,
        '[digest]\nschedule = "* * * * *"\nrecipients = ["reader@example.org"]\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n',
    ), http_port


def ran_before(config_path: Path, minutes: int) -> None:
    """Leave the state as a daemon that ran `minutes` ago and then went down would."""
    config = load_config(config_path)
    app = make_app(config, _now=lambda: datetime.now(UTC) - timedelta(minutes=minutes))
    try:
        app.build()
        app.send()
    finally:
        app.close()


def clear_of_minute_boundary(margin: float = 6.0) -> None:
    """Wait out the last seconds of a minute, so a fire cannot land mid-step."""
    second = datetime.now(UTC).second + datetime.now(UTC).microsecond / 1e6
    if second > 60 - margin:
        time.sleep(60.5 - second)


@pytest.mark.slow
def test_a_digest_missed_while_down_is_sent_once_then_the_schedule_is_kept(
    project: Path, inbox: tuple[Inbox, int]
) -> None:
    messages, smtp_port = inbox
    config, port = digest_config(project, smtp_port)
    seed(project / "seeds", "first.md", "Grid operators agree winter plan")
    clear_of_minute_boundary()
    ran_before(config, minutes=3)  # three minutely fires missed since

    first = Daemon(config)
    try:
        first.wait_ready()
        assert wait_for(lambda: len(messages.messages) == 1, timeout=10), "missed digest not sent"
        sent_at = datetime.now(UTC)
        seed(project / "seeds", "second.md", "Port strike ends after two weeks")
        next_fire = sent_at.replace(second=0, microsecond=0) + timedelta(minutes=1)
        wait = (next_fire - datetime.now(UTC)).total_seconds() + 10
        assert wait_for(lambda: len(messages.messages) == 2, timeout=wait), "no scheduled digest"
        assert b"Port strike ends after two weeks" in messages.messages[1]
        assert b"Grid operators agree winter plan" not in messages.messages[1]
        for n in range(5):
            seed(project / "seeds", f"burst-{n}.md", f"Ferry timetable change number {n}")
        time.sleep(0.3)
    finally:
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL

    second = Daemon(config)
    try:
        second.wait_ready()
        expected = {f"Ferry timetable change number {n}" for n in range(5)}
        # It builds once the killed daemon's lease has run out: up to lease_seconds (10).
        assert wait_for(lambda: expected <= set(titles(port)), timeout=25)
        time.sleep(1)
    finally:
        assert second.stop() == 0
    parsed = feedparser.parse((project / "feeds" / "atom.xml").read_bytes())
    assert not parsed.bozo
    assert len(parsed.entries) == 7
    assert len(messages.messages) == 2, "a digest was sent twice"
    assert "send: no digest due" in second.stderr


@pytest.mark.slow
def test_a_digest_that_cannot_be_delivered_yet_is_retried(project: Path) -> None:
    smtp_port = free_port()
    config, _ = digest_config(project, smtp_port)
    seed(project / "seeds", "first.md", "Grid operators agree winter plan")
    clear_of_minute_boundary()
    ran_before(config, minutes=2)
    daemon = Daemon(config)
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    try:
        daemon.wait_ready()
        time.sleep(1.5)  # the first attempts find no server
        controller.start()
        try:
            assert wait_for(lambda: len(handler.messages) == 1, timeout=15), "never retried"
        finally:
            controller.stop()
    finally:
        assert daemon.stop() == 0
    assert "WARNING digest.daemon: send:" in daemon.stderr


@pytest.mark.slow
def test_a_document_over_the_time_limit_is_rejected_and_the_daemon_goes_on(
    project: Path,
) -> None:
    port = free_port()
    seed(project / "seeds", "first.md", "Grid operators agree winter plan")
    proc = Daemon(write_config(project, port, "[ingest]\ntimeout_seconds = 0.1\n"))
    try:
        proc.wait_ready()
        assert wait_for(lambda: titles(port) != [], timeout=15), "the first build did not publish"
        # Far more than 0.1 s of parsing (about half a second on a fast machine).
        paragraph = "The committee met again on Monday and heard the same witnesses. " * 20
        text = "# A very long record\n\n" + f"{paragraph}\n\n" * 1500
        # Moved in whole: a build that read it half-written could publish the half
        # within the limit, and the whole might only be read after the daemon stops.
        (project / "long.md").write_text(text, encoding="utf-8")
        (project / "long.md").replace(project / "seeds" / "long.md")
        seed(project / "seeds", "next.md", "Rail unions accept new pay offer")
        # Generous: the overrunning worker is killed and a new one started, which on
        # a loaded machine takes seconds.
        assert wait_for(lambda: "Rail unions accept new pay offer" in titles(port), timeout=60)
        assert proc.stop() == 0
    finally:
        proc.stop(signal.SIGKILL) if proc.proc.poll() is None else None
    reason = "took longer than ingest.timeout_seconds = 0.1 s; stopped"
    # The whole log on failure: this has failed once in a loaded CI run, reason unknown.
    assert f"rejected: long.md: {reason}" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
