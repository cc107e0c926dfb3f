"""`digest migrate-state`: an existing SQLite state copied into an empty PostgreSQL database."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.config import Config
from digest.store import STATE_TABLES, DigestRender, Store
from tests.conftest import WriteConfig

DOCS = {
    "strike.md": "# Port strike ends after two weeks\n\nDockers went back to work on Monday.\n",
    "grid.md": "# Grid operators agree winter plan\n\nThe plan covers the coldest weeks.\n",
    "empty.md": "   \n",
}


def everything(store: Store) -> dict[str, Any]:
    """What the product reads back from a state, table by table."""
    return {
        "documents": store.documents(),
        "rejections": store.rejections(),
        "outputs": store.output_keys(),
        "meta": store.execute("SELECT key, value FROM meta ORDER BY key"),
        "deliveries": store.deliveries(),
        "digests": store.digests(),
        "subscribers": store.subscribers.all(),
        "renders": store.execute("SELECT * FROM digest_renders ORDER BY period_start, choice"),
        "messages": store.execute(
            "SELECT * FROM delivery_messages ORDER BY recipient, period_start"
        ),
    }


@pytest.fixture
def state(write_config: WriteConfig, project: Path, capsys: pytest.CaptureFixture[str]) -> Config:
    """A SQLite state made by the real commands: documents, a rejection, subscribers, a digest."""
    config = write_config(
        '[digest]\nrecipients = ["desk@example.org"]\nsender = "digest@example.org"\n'
        "first_days = 100000\n"
    )
    for name, text in DOCS.items():
        (project / "seeds" / name).write_text(text)
    for args in (["build"], ["subscribers", "add", "Ana@example.org", "--region", "Europe"]):
        assert main(["--config", str(config.path), *args]) == 0
    assert main(["--config", str(config.path), "send", "--now"]) == 0
    capsys.readouterr()
    # A send held up half-way keeps its render and the exact bytes of a message.
    store = Store(config.paths.database)
    start = datetime(2025, 1, 10, 7, tzinfo=UTC)
    with store.transaction():
        store.put_render(DigestRender(start, "", "digests/x.html", start, "S", 1, "<p>", "t"))
        store.put_delivery_message("desk@example.org", start, b"\x00\xff raw message")
    store.close()
    return config


def test_the_whole_state_is_copied_and_read_back_the_same(
    state: Config, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--config", str(state.path), "migrate-state", "--to", postgres_url])
    out = capsys.readouterr().out
    assert code == 0, out
    old, new = Store(state.paths.database), Store(postgres_url)
    counts = {table: old.execute(f"SELECT count(*) FROM {table}")[0][0] for table in STATE_TABLES}
    assert (counts["documents"], counts["rejected"], counts["subscribers"]) == (2, 1, 2)
    assert out.splitlines()[:-1] == [f"{table}: {n}" for table, n in counts.items()]
    assert out.splitlines()[-1].endswith(f"rows from {state.paths.database} into {postgres_url}")
    before = everything(old)
    assert all(before.values())
    assert everything(new) == before


def test_a_build_on_the_copy_finds_nothing_to_do(
    state: Config,
    postgres_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["--config", str(state.path), "migrate-state", "--to", postgres_url]) == 0
    monkeypatch.setenv("DIGEST_DATABASE_URL", postgres_url)
    capsys.readouterr()
    assert main(["--config", str(state.path), "build"]) == 0
    assert capsys.readouterr().out == "published 0, updated 0, unchanged 2, rejected 1\n"


def test_a_target_that_already_holds_state_is_refused_and_left_alone(
    state: Config, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(state.path), "migrate-state", "--to", postgres_url]) == 0
    before = everything(Store(postgres_url))
    capsys.readouterr()
    assert main(["--config", str(state.path), "migrate-state", "--to", postgres_url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "already holds 2 rows in documents" in err
    assert err.count("\n") == 1
    assert everything(Store(postgres_url)) == before


def test_a_source_that_does_not_exist_or_a_target_that_is_not_postgresql_is_refused(
    write_config: WriteConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config()
    url = "postgresql://digest@127.0.0.1:1/news"
    assert main(["--config", str(config.path), "migrate-state", "--to", url]) == 1
    assert "no state database to copy" in capsys.readouterr().err
    assert not config.paths.state.joinpath("state.sqlite3").exists()
    assert main(["--config", str(config.path), "migrate-state", "--to", "/tmp/x.db"]) == 2
    assert "--to: expected postgresql://" in capsys.readouterr().err


def test_every_table_of_the_state_is_copied_but_the_instances_coordination(
    tmp_path: Path,
) -> None:
    Store(tmp_path / "state.sqlite3").close()
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert tables - set(STATE_TABLES) == {"leases", "instances"}
