"""Subscribers in the state database: the CLI, CSV import and export, and who gets a digest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import Config
from digest.mail.service import Mailer
from digest.store import Store
from digest.subscribers.manage import Subscribers
from digest.subscribers.model import SubscriberError
from tests.conftest import Clock, WriteConfig
from tests.factories import make_document
from tests.mailfixtures import Inbox, smtp_server

# Every test here runs on SQLite and again on PostgreSQL (tests/postgres.py).
pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with smtp_server(handler) as port:
        yield handler, port


def configure(write_config: WriteConfig, port: int | None = None, extra: str = "") -> Config:
    smtp = f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n' if port else ""
    return write_config(
        '[digest]\nrecipients = ["fixed@example.org"]\nsender = "digest@example.org"\n'
        f"first_days = 100000\n{extra}{smtp}"
    )


def cli(config: Config, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config.path), "subscribers", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_operators_add_list_and_remove_subscribers_from_the_command_line(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    config = configure(write_config)
    assert cli(config, capsys, "add", "Ann@Example.org", "--region", "europe", "--theme", "ENERGY")[
        :2
    ] == (0, "Ann@example.org: confirmed\n")
    assert cli(config, capsys, "add", "bo@example.org")[0] == 0
    assert cli(config, capsys, "remove", "BO@example.org")[:2] == (
        0,
        "bo@example.org: unsubscribed\n",
    )
    code, out, _ = cli(config, capsys, "list", "--json")
    listed = {s["address"]: s for s in json.loads(out)}
    assert code == 0 and set(listed) == {"Ann@example.org", "bo@example.org", "fixed@example.org"}
    ann = listed["Ann@example.org"]
    assert (ann["status"], ann["regions"], ann["themes"]) == ("confirmed", ["Europe"], ["Energy"])
    assert ann["confirmed"] is not None and ann["source"] == "operator"
    assert listed["bo@example.org"]["status"] == "unsubscribed"
    assert listed["bo@example.org"]["unsubscribed"] is not None
    assert listed["fixed@example.org"]["source"] == "config"


def test_bad_input_to_subscriber_commands_is_one_line_and_a_nonzero_exit(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    config = configure(write_config)
    code, _, err = cli(config, capsys, "remove", "nobody@example.org")
    assert (code, err) == (1, "error: nobody@example.org: no such subscriber\n")
    code, _, err = cli(config, capsys, "add", "x@example.org", "--region", "Atlantis")
    assert code == 1 and err.startswith("error: unknown region 'Atlantis'; regions are: ")
    code, _, err = cli(config, capsys, "add", "x\x85@example.org")
    assert code == 1 and "is not an email address" in err and len(err.splitlines()) == 1


def test_import_adds_and_updates_rows_and_reports_each_bad_one_by_line(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = configure(write_config)
    cli(config, capsys, "add", "old@example.org")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "Address,name,regions,themes\n"
        "new@example.org,New One,Europe;Asia,\n"
        "old@example.org,,,Energy\n"
        "not-an-address,,,\n"
        "far@example.org,,Atlantis,\n",
        encoding="utf-8",
    )
    code, out, err = cli(config, capsys, "import", str(csv_file))
    assert code == 0
    assert out == "imported: added 1, updated 1, rejected 2\n"
    assert err.splitlines()[0].startswith(f"rejected: {csv_file}:4: 'not-an-address' is not")
    assert err.splitlines()[1].startswith(f"rejected: {csv_file}:5: unknown region 'Atlantis'")
    code, out, _ = cli(config, capsys, "list", "--json")
    listed = {s["address"]: s for s in json.loads(out)}
    assert listed["new@example.org"]["regions"] == ["Europe", "Asia"]
    assert listed["new@example.org"]["name"] == "New One"
    assert listed["old@example.org"]["themes"] == ["Energy"]


def test_export_then_import_keeps_everyone_who_left_out(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = configure(write_config)
    cli(config, capsys, "add", "stay@example.org", "--theme", "Energy")
    cli(config, capsys, "add", "left@example.org")
    cli(config, capsys, "remove", "left@example.org")
    code, exported, _ = cli(config, capsys, "export")
    assert code == 0
    assert exported.splitlines()[0].startswith("address,name,status,regions,themes")
    assert "left@example.org,,unsubscribed," in exported
    (tmp_path / "back.csv").write_text(exported)
    other = write_config(config.path.read_text().split("\n", 4)[-1])
    cli(other, capsys, "import", str(tmp_path / "back.csv"))
    code, out, _ = cli(other, capsys, "list", "--json")
    status = {s["address"]: (s["status"], s["themes"]) for s in json.loads(out)}
    assert status["stay@example.org"] == ("confirmed", ["Energy"])
    assert status["left@example.org"][0] == "unsubscribed"


def test_digests_go_to_confirmed_subscribers_each_with_the_groups_they_chose(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    config = configure(write_config, port)
    store = Store(config.paths.database)
    book = Subscribers(config, store, clock)
    book.add("europe@example.org", regions=["Europe"])
    book.add("asia@example.org", regions=["Asia"])
    book.add("gone@example.org")
    book.remove("gone@example.org")
    assert book.request("pending@example.org") is not None
    with store.transaction():
        store.put(make_document(1, regions=("Europe",)), size=1, mtime_ns=1)
        store.put(make_document(2, regions=("Asia",)), size=1, mtime_ns=1)
    report = Mailer(config, store, clock).send(force=True)
    assert sorted(report.sent) == ["asia@example.org", "europe@example.org", "fixed@example.org"]
    europe = handler.to("europe@example.org")[0].get_body(("plain",)).get_content()
    assert "winter plan number 1" in europe and "winter plan number 2" not in europe
    fixed = handler.to("fixed@example.org")[0].get_body(("plain",)).get_content()
    assert "winter plan number 1" in fixed and "winter plan number 2" in fixed
    assert handler.to("gone@example.org") == [] and handler.to("pending@example.org") == []
    # Rendered once per choice, each message then carries its own address and links.
    headers = {m["To"]: m["List-Unsubscribe"] for r in handler.received for m in [r.message]}
    assert len(set(headers.values())) == 3
    for address, header in headers.items():
        assert address not in header and "%40" not in header
        body = handler.to(address)[0].get_body(("html",)).get_content()
        assert f"at {address}." in body and header.strip("<>") in body
        assert "placeholder" not in body


def test_repeated_permanent_refusals_mark_a_subscriber_bounced(
    write_config: WriteConfig, inbox: tuple[Inbox, int], clock: Clock
) -> None:
    handler, port = inbox
    handler.refuse["gone@example.org"] = "550 5.1.1 No such user"
    config = configure(write_config, port, "bounce_limit = 2\n")
    store = Store(config.paths.database)
    book = Subscribers(config, store, clock)
    book.add("gone@example.org")
    mailer = Mailer(config, store, clock)
    reports = []
    for n in range(1, 4):
        doc = replace(make_document(n), first_seen=clock.now - timedelta(minutes=1))
        with store.transaction():
            store.put(doc, size=1, mtime_ns=1)
        reports.append(mailer.send(force=True))
        clock.advance(hours=1)
    assert [len(r.failed) for r in reports] == [1, 1, 0]
    assert reports[1].problems()[-1] == (
        "marked bounced after repeated permanent refusals: gone@example.org"
    )
    gone = book.get("gone@example.org")
    assert (
        gone is not None
        and gone.status == "bounced"
        and gone.bounced == clock.now.replace(hour=clock.now.hour - 2)
    )
    assert len(handler.to("fixed@example.org")) == 3


def test_an_unsubscribe_cancels_a_retry_still_pending(
    write_config: WriteConfig, clock: Clock
) -> None:
    inbox = Inbox(refuse={"full@example.org": "452 Mailbox full"})
    with smtp_server(inbox) as port:
        config = configure(write_config, port)
        store = Store(config.paths.database)
        book = Subscribers(config, store, clock)
        full = book.add("full@example.org")
        with store.transaction():
            store.put(make_document(1), size=1, mtime_ns=1)
        mailer = Mailer(config, store, clock)
        assert [r for r, _ in mailer.send(force=True).retry] == ["full@example.org"]
        inbox.refuse.clear()
        book.unsubscribe(full.id)
        clock.advance(hours=1)
        report = mailer.send()
    assert report.sent == [] and inbox.to("full@example.org") == []
    assert [d.status for d in store.deliveries() if d.recipient == "full@example.org"] == [
        "cancelled"
    ]


def test_a_subscriber_cannot_choose_a_region_or_theme_that_does_not_exist(
    write_config: WriteConfig, clock: Clock
) -> None:
    config = configure(write_config)
    book = Subscribers(config, Store(config.paths.database), clock)
    with pytest.raises(SubscriberError, match="unknown theme 'Gardening'"):
        book.add("a@example.org", themes=["Gardening"])
    assert book.add("a@example.org", themes=["economy"]).themes == ("Economy & Trade",)
