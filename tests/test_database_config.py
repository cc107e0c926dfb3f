"""Where the state database is: [paths].database and DIGEST_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import load_config
from digest.errors import ConfigError

URL = "postgresql://digest@db.internal:5432/news"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_state_database_is_sqlite_in_the_state_folder_by_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[paths]\nstate = "var"\n'), environ={})
    assert config.paths.database == tmp_path / "var" / "state.sqlite3"


def test_a_postgresql_url_is_kept_as_it_is(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, f'[paths]\ndatabase = "{URL}"\n'), environ={})
    assert config.paths.database == URL


def test_the_environment_variable_wins_over_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[paths]\ndatabase = "postgresql://a@b/c"\n')
    config = load_config(path, environ={"DIGEST_DATABASE_URL": URL})
    assert config.paths.database == URL


def test_a_sqlite_url_or_a_plain_path_names_a_sqlite_file_beside_the_config(
    tmp_path: Path,
) -> None:
    plain = load_config(write(tmp_path, '[paths]\ndatabase = "db/state.db"\n'), environ={})
    assert plain.paths.database == tmp_path / "db" / "state.db"
    url = load_config(write(tmp_path, '[paths]\ndatabase = "sqlite:///srv/state.db"\n'), {})
    assert url.paths.database == Path("/srv/state.db")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("postgresql://digest@db.internal:5432", "the URL names no database"),
        ("sqlite://", "expected sqlite:///PATH/TO/FILE"),
    ],
)
def test_a_database_the_product_cannot_use_is_refused_naming_the_key(
    tmp_path: Path, value: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=f"paths.database: {problem}"):
        load_config(write(tmp_path, f'[paths]\ndatabase = "{value}"\n'), environ={})
    with pytest.raises(ConfigError, match=f"DIGEST_DATABASE_URL: {problem}"):
        load_config(write(tmp_path, ""), environ={"DIGEST_DATABASE_URL": value})
