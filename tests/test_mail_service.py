from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html

from digest.config import Config
from digest.mail.service import Mailer
from digest.model import Document
from digest.store import Store
from tests.conftest import Clock, WriteConfig
from tests.factories import make_document
from tests.mailfixtures import Inbox, free_port, smtp_server
from tests.validate import assert_valid_atom

# Every test here runs on SQLite and again on PostgreSQL (tests/postgres.py).
pytestmark = pytest.mark.usefixtures("engine")

A, B = "a@example.org", "b@example.org"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with smtp_server(handler) as port:
        yield handler, port


def configure(
    write_config: WriteConfig, port: int | None, recipients: str = f'["{A}", "{B}"]'
) -> Config:
    smtp = (
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 5\n'
        if port
        else ""
    )
    return write_config(
        "[digest]\n"
        'schedule = "0 7 * * *"\n'
        'timezone = "UTC"\n'
        f"recipients = {recipients}\n"
        'sender = "digest@example.org"\n'
        'subject = "World Desk Digest"\n'
        # The factory's documents are years old: most tests want them in the first digest.
        "first_days = 100000\n"
        "[daemon]\nretry_seconds = 60\n" + smtp
    )


def open_store(config: Config) -> Store:
    return Store(config.paths.database)


def seen(doc: Document, when: datetime) -> Document:
    return dataclasses.replace(doc, first_seen=when)


def add(store: Store, *docs: Document) -> None:
    with store.transaction():
        for doc in docs:
            store.put(doc, size=1, mtime_ns=1)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 1, day, hour, tzinfo=UTC)


def test_first_send_waits_for_the_next_scheduled_time_then_sends_once(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    config = configure(write_config, port)
    store = open_store(config)
    mailer = Mailer(config, store, clock)
    assert mailer.send().line() == "no digest due (next 2025-01-11 07:00 UTC)"
    add(store, seen(make_document(1), at(10)), seen(make_document(2), at(10, 20)))
    clock.advance(days=1)  # 11 Jan 08:00, an hour after the scheduled time
    report = mailer.send()
    assert report.line() == "digest until 11 Jan 2025: 2 articles; sent 2, failed 0, retrying 0"
    assert sorted(report.sent) == [A, B]
    assert mailer.last_digest() == at(11, 7)
    assert mailer.next_digest() == at(12, 7)
    again = mailer.send()
    assert again.sent == [] and again.period_end is None
    assert [r.rcpt_tos for r in handler.received] == [[A], [B]]


def test_missed_periods_coalesce_into_one_digest(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    config = configure(write_config, port, f'["{A}"]')
    store = open_store(config)
    mailer = Mailer(config, store, clock)
    add(store, seen(make_document(1), at(9)))
    mailer.send(force=True)  # the first digest: 10 Jan 08:00
    add(store, seen(make_document(2), at(10, 12)), seen(make_document(3), at(12, 12)))
    # Seen after the last missed 07:00: it waits for the next digest.
    add(store, seen(make_document(4), datetime(2025, 1, 13, 7, 30, tzinfo=UTC)))
    clock.now = at(13, 8)  # the daemon was down on the 11th, 12th and 13th
    report = mailer.send()
    assert report.line() == "digest 10-13 Jan 2025: 2 articles; sent 1, failed 0, retrying 0"
    assert (report.period_start, report.period_end) == (at(10, 8), at(13, 7))
    subjects = [m["Subject"] for m in handler.to(A)]
    assert subjects == [
        "World Desk Digest, until 10 Jan 2025: 1 new article",
        "World Desk Digest, 10-13 Jan 2025: 2 new articles",
    ]
    clock.now = at(14, 7)
    assert mailer.send().articles == 1


def test_both_parts_list_the_same_articles_in_the_same_order(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    config = configure(write_config, port, f'["{A}"]')
    store = open_store(config)
    add(
        store,
        make_document(1, regions=("Asia",), themes=("Shipping",)),
        make_document(2, regions=("Europe",), themes=("Energy",)),
        make_document(3, regions=("Europe", "Asia"), themes=("Shipping", "Energy")),
        make_document(4, regions=(), themes=(), url="https://source.example.com/story?id=4"),
    )
    Mailer(config, store, clock).send(force=True)
    (message,) = handler.to(A)
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, page = text_part.get_content(), lxml_html.fromstring(html_part.get_content())
    html_items = [
        (a.text_content(), a.get("href")) for a in page.iter("a") if "plan" in a.text_content()
    ]
    text_items = [
        (line[2:], next_line.strip())
        for line, next_line in zip(text.splitlines(), text.splitlines()[1:], strict=False)
        if line.startswith("* ")
    ]
    assert html_items == text_items
    assert [title for title, _ in text_items] == [
        "Grid operators agree winter plan number 2",  # Europe (2): Energy, then Shipping
        "Grid operators agree winter plan number 3",
        "Grid operators agree winter plan number 1",  # Asia (1)
        "Grid operators agree winter plan number 4",  # Unclassified, last
    ]
    assert text_items[3][1] == "https://source.example.com/story?id=4"
    assert "Also filed under: Asia, Energy" in text
    assert "Also filed under: Asia, Energy" in page.text_content()
    assert "<" not in text


def test_recipients_get_only_the_regions_and_themes_they_asked_for(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    recipients = (
        '[{address = "eu@example.org", regions = ["Europe"]},'
        ' {address = "asia-energy@example.org", regions = ["Asia"], themes = ["energy"]},'
        ' {address = "sport@example.org", themes = ["Sport"]}, "all@example.org"]'
    )
    config = configure(write_config, port, recipients)
    store = open_store(config)
    add(
        store,
        make_document(1, title="Europe energy", regions=("Europe",), themes=("Energy",)),
        make_document(2, title="Asia trade", regions=("Asia",), themes=("Trade", "Energy")),
        make_document(3, title="Africa health", regions=("Africa", "Europe"), themes=("Health",)),
        make_document(4, title="Asia health", regions=("Asia",), themes=("Health",)),
    )
    report = Mailer(config, store, clock).send(force=True)
    assert report.skipped == ["sport@example.org"]

    def titles(address: str) -> list[str]:
        (message,) = handler.to(address)
        body = message.get_body(("plain",))
        assert body is not None
        return [line[2:] for line in body.get_content().splitlines() if line.startswith("* ")]

    assert titles("eu@example.org") == ["Africa health", "Europe energy"]
    assert titles("asia-energy@example.org") == ["Asia trade"]
    assert len(titles("all@example.org")) == 4
    assert handler.to("sport@example.org") == []
    assert handler.to("eu@example.org")[0]["Subject"].endswith(": 2 new articles")


def test_nothing_new_sends_nothing_unless_send_empty(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    config = configure(write_config, port, f'["{A}"]')
    store = open_store(config)
    report = Mailer(config, store, clock).send(force=True)
    assert report.sent == [] and report.skipped == [A]
    assert handler.received == []
    empty = dataclasses.replace(config, digest=dataclasses.replace(config.digest, send_empty=True))
    clock.advance(hours=1)
    Mailer(empty, store, clock).send(force=True)
    (message,) = handler.to(A)
    assert message["Subject"] == "World Desk Digest, 10 Jan 2025: no new articles"


def test_server_down_then_up_gets_the_digest_once_with_the_same_message_id(
    write_config: WriteConfig, clock: Clock
) -> None:
    port = free_port()
    config = configure(write_config, port)
    store = open_store(config)
    mailer = Mailer(config, store, clock)
    add(store, make_document(1))
    down = mailer.send(force=True)
    assert [r for r, _ in down.retry] == [A, B]
    assert "connection refused" in down.problems()[0]
    pending = store.delivery(A, down.period_start or clock.now)
    assert pending is not None and (pending.status, pending.attempts) == ("pending", 1)
    # The period is closed all the same: its retries never hold back the next digest.
    assert mailer.last_digest() == down.period_end

    handler = Inbox()
    with smtp_server(handler, port=port):
        waiting = mailer.send()  # too early: backing off, nothing attempted
        assert waiting.sent == [] and handler.received == []
        clock.advance(seconds=61)
        up = mailer.send()
        assert sorted(up.sent) == [A, B]
        assert mailer.send().sent == []
    (message,) = handler.to(A)
    assert message["Message-ID"] == pending.message_id
    assert len(handler.to(B)) == 1
    assert mailer.last_digest() == down.period_end


def test_backoff_doubles_with_each_failed_attempt(write_config: WriteConfig, clock: Clock) -> None:
    config = configure(write_config, free_port(), f'["{A}"]')
    store = open_store(config)
    mailer = Mailer(config, store, clock)
    add(store, make_document(1))
    mailer.send(force=True)
    clock.advance(seconds=60)
    second = mailer.send()
    assert "connection refused" in second.retry[0][1]
    assert store.deliveries()[0].attempts == 2
    clock.advance(seconds=119)
    assert mailer.send().waiting == [(A, "next attempt at 2025-01-10 08:03:00 UTC")]
    assert store.deliveries()[0].attempts == 2


def test_a_refused_recipient_fails_without_holding_back_the_others(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    handler.refuse["gone@example.org"] = "550 5.1.1 No such user"
    config = configure(write_config, port, f'["gone@example.org", "{A}"]')
    store = open_store(config)
    mailer = Mailer(config, store, clock)
    add(store, make_document(1))
    report = mailer.send(force=True)
    assert report.sent == [A]
    assert report.failed == [
        ("gone@example.org", f"smtp 127.0.0.1:{port} refused it: 550 5.1.1 No such user")
    ]
    assert mailer.last_digest() == clock.now
    assert mailer.send(force=True).period_end is None


def test_dry_run_writes_the_messages_to_the_outbox_and_marks_nothing_sent(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    config = configure(write_config, port)
    store = open_store(config)
    mailer = Mailer(config, store, clock)
    add(store, make_document(1))
    report = mailer.send(force=True, dry_run=True)
    outbox = config.paths.state / "outbox"
    assert report.written == [
        outbox / "20250110T080000Z-a@example.org.eml",
        outbox / "20250110T080000Z-b@example.org.eml",
    ]
    assert report.line() == (
        "digest until 10 Jan 2025: 1 article; dry run: 2 message(s) written to the outbox"
    )
    assert b"Grid operators agree winter plan number 1" in report.written[0].read_bytes()
    assert handler.received == [] and store.deliveries() == []
    assert mailer.last_digest() is None
    assert not (config.paths.feeds / "digests.xml").exists()
    assert sorted(mailer.send(force=True).sent) == [A, B]


def test_without_smtp_table_messages_go_to_the_outbox_as_delivered(
    write_config: WriteConfig, clock: Clock
) -> None:
    config = configure(write_config, None)
    assert config.smtp is None
    store = open_store(config)
    mailer = Mailer(config, store, clock)
    add(store, make_document(1))
    report = mailer.send(force=True)
    assert report.sent == [A, B]
    assert [p.name for p in report.written] == [
        "20250110T080000Z-a@example.org.eml",
        "20250110T080000Z-b@example.org.eml",
    ]
    assert {d.status for d in store.deliveries()} == {"sent"}
    assert mailer.last_digest() == clock.now


def test_each_digest_is_archived_as_a_page_and_an_atom_entry(
    write_config: WriteConfig, clock: Clock
) -> None:
    config = configure(write_config, None, f'["{A}"]')
    store = open_store(config)
    mailer = Mailer(config, store, clock)
    add(store, seen(make_document(1), at(10, 7)))
    mailer.send(force=True)
    add(store, seen(make_document(2), at(10, 9)))
    clock.advance(hours=2)
    mailer.send(force=True)
    feeds = config.paths.feeds
    first, second = feeds / "digests/2025-01-10.html", feeds / "digests/2025-01-10-100000.html"
    for page in (first, second):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower()
        assert "unsubscribe" not in text.lower()
    assert "winter plan number 2" in second.read_text(encoding="utf-8")
    parsed = assert_valid_atom(feeds / "digests.xml")
    assert [(e.title, e.link) for e in parsed.entries] == [
        (
            "World Desk Digest, 10 Jan 2025: 1 new article",
            "https://news.example.org/digests/2025-01-10-100000.html",
        ),
        (
            "World Desk Digest, until 10 Jan 2025: 1 new article",
            "https://news.example.org/digests/2025-01-10.html",
        ),
    ]
    assert parsed.entries[0].summary == "1 article: Europe (1)"
    assert [p.name for p in feeds.joinpath("digests").iterdir() if p.name.startswith(".")] == []
    rss = feedparser.parse((feeds / "digests.rss.xml").read_bytes())
    assert [e.link for e in rss.entries] == [e.link for e in parsed.entries]
    items = json.loads((feeds / "digests.json").read_text(encoding="utf-8"))["items"]
    assert [i["url"] for i in items] == [e.link for e in parsed.entries]


def test_messages_render_the_override_templates_first(
    write_config: WriteConfig, clock: Clock, project: Path
) -> None:
    (project / "mail").mkdir()
    (project / "mail" / "digest.txt").write_text("Custom {{ count }} for {{ recipient }}\n")
    config = configure(write_config, None, f'["{A}"]')
    config = dataclasses.replace(
        config, digest=dataclasses.replace(config.digest, templates=project / "mail")
    )
    store = open_store(config)
    add(store, make_document(1))
    report = Mailer(config, store, clock).send(force=True)
    data = report.written[0].read_bytes()
    assert b"Custom 1 for a@example.org" in data
    assert b"winter plan number 1" in data  # the shipped HTML template still renders
