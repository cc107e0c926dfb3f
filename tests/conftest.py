"""Shared fixtures: a project folder on tmp_path, and the ../shared files when present."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.config import DATABASE_ENV, Config, load_config

# The PostgreSQL fixtures, for any test to ask for (see tests/postgres.py).
from tests.postgres import engine, postgres_cluster, postgres_url, store_location  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _database_from_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DIGEST_DATABASE_URL in the developer's shell must not reach the tests' configs."""
    monkeypatch.delenv(DATABASE_ENV, raising=False)


@pytest.fixture
def shared() -> Path:
    """../shared beside the checkout (CI has it; a user's own clone may not)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout (it holds the reference seeds)")
    return SHARED


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project: a seeds folder and nothing else."""
    (tmp_path / "seeds").mkdir()
    return tmp_path


WriteConfig = Callable[..., Config]


@pytest.fixture
def write_config(project: Path) -> WriteConfig:
    """Write config.toml in the project (extra TOML appended) and load it."""

    def write(extra: str = "", **feed: object) -> Config:
        settings = {"title": "Test Desk", "base_url": "https://news.example.org/", "author": "Desk"}
        settings.update({k: v for k, v in feed.items()})
        lines = ["[feed]"] + [
            f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"'
            for k, v in settings.items()
        ]
        text = "\n".join(lines) + "\n" + textwrap.dedent(extra)
        path = project / "config.toml"
        path.write_text(text, encoding="utf-8")
        return load_config(path)

    return write


class Clock:
    """A clock the test moves by hand: builds get distinct, known times."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 1, 10, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
