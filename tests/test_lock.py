"""The state lock: one daemon, build or send at a time, and a refusal that names the holder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.errors import LockedError, StoreError
from digest.lock import StateLock, is_locked
from tests.conftest import REPO, WriteConfig

DOC = "---\ntitle: Port strike ends after {n} weeks\ndate: 2025-01-09\n---\nDockers voted {n}.\n"


def test_a_second_holder_waits_then_is_refused_naming_the_first(tmp_path: Path) -> None:
    with StateLock(tmp_path, "run"), pytest.raises(LockedError) as caught:
        StateLock(tmp_path, "build", wait=0.2).acquire()
    assert str(caught.value) == (
        f"another digest process (pid {os.getpid()}, digest run) is running on the state "
        f"folder {tmp_path}; wait for it to finish or stop it (one daemon, build or send at a time)"
    )
    assert caught.value.exit_code == 2


def test_the_lock_is_free_again_once_released(tmp_path: Path) -> None:
    with StateLock(tmp_path, "build"):
        assert is_locked(tmp_path)
        assert not is_locked(tmp_path, "run")  # a build is not a running daemon
    assert not is_locked(tmp_path)
    with StateLock(tmp_path, "send", wait=0.2):
        pass


def test_a_state_folder_that_cannot_be_created_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError) as caught:
        StateLock(tmp_path / "file" / "state").acquire()
    assert str(caught.value).startswith(f"cannot use the state folder {tmp_path}/file/state: ")


@pytest.mark.slow
def test_ten_concurrent_builds_each_build_or_wait_and_none_gives_a_traceback(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    for n in range(5):
        (project / "seeds" / f"{n}.md").write_text(DOC.format(n=n), encoding="utf-8")
    command = [sys.executable, "-m", "digest", "build", "--config", str(project / "config.toml")]
    builds = [
        subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(10)
    ]
    outcomes = [(b.communicate(timeout=120)[1], b)[::-1] for b in builds]
    outcomes = [(b.returncode, err) for b, err in outcomes]
    for code, err in outcomes:
        assert "Traceback" not in err, err
        if code == 2:
            assert err.startswith("error: another digest process (pid "), err
            assert err.count("\n") == 1, err
        else:
            assert code == 0, err
    assert sum(code == 0 for code, _ in outcomes) >= 1
    assert len(list((project / "feeds" / "articles").iterdir())) == 5
