"""The link secret lives in the state database, so every instance signs the same links."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from digest.config import Config
from digest.store import Store
from digest.subscribers.tokens import UNSUBSCRIBE, tokens_for
from tests.conftest import WriteConfig


def instance(config: Config, state: Path, database: Path | str) -> Config:
    """One instance: a state folder of its own, the shared database."""
    paths = replace(config.paths, state=state, database=database)
    return replace(config, paths=paths, digest=replace(config.digest, secret=None))


def test_two_instances_with_their_own_state_folders_read_each_others_links(
    write_config: WriteConfig, store_location: Path | str, tmp_path: Path
) -> None:
    config = write_config()
    first = instance(config, tmp_path / "one", store_location)
    second = instance(config, tmp_path / "two", store_location)
    with closing(Store(store_location)) as a, closing(Store(store_location)) as b:
        token = tokens_for(first, a).make(UNSUBSCRIBE, "subscriber-1")
        assert tokens_for(second, b).read(UNSUBSCRIBE, token) == "subscriber-1"
    assert not (tmp_path / "one" / "secret").exists()


def test_a_state_that_kept_its_secret_in_a_file_keeps_its_links_working(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    config = instance(write_config(), tmp_path / "state", tmp_path / "state.sqlite3")
    config.paths.state.mkdir()
    (config.paths.state / "secret").write_text("an-older-secret\n", encoding="ascii")
    with closing(Store(config.paths.database)) as store:
        tokens_for(config, store)
        assert store.get_meta("link_secret") == "an-older-secret"


def test_the_environment_variable_wins_over_the_stored_secret(
    write_config: WriteConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = instance(write_config(), tmp_path / "state", tmp_path / "state.sqlite3")
    with closing(Store(config.paths.database)) as store:
        stored = tokens_for(config, store).make(UNSUBSCRIBE, "s")
        given = replace(config, digest=replace(config.digest, secret="from-the-environment"))
        assert tokens_for(given, store).make(UNSUBSCRIBE, "s") != stored
        assert tokens_for(config, store).make(UNSUBSCRIBE, "s") == stored
