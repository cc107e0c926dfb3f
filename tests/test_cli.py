"""The command line as a user runs it: a real process, its output and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cli import COMMANDS
from tests.conftest import REPO, WriteConfig

DOC = (
    "---\ntitle: Port strike ends after two weeks\ndate: 2025-01-09\n---\n"
    "Dockers voted to return.\n"
)


def digest(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digest", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_build_then_status_json_reports_the_document(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    (project / "seeds" / "strike.md").write_text(DOC)
    (project / "seeds" / "blank.txt").write_text("  \n")
    built = digest("build", cwd=project)
    assert built.returncode == 0, built.stderr
    assert built.stderr.splitlines()[-1] == "published 1, updated 0, unchanged 0, rejected 1"
    assert "rejected: blank.txt:" in built.stderr
    status = digest("status", "--json", cwd=project)
    assert status.returncode == 0
    data = json.loads(status.stdout)
    assert set(data) >= {
        "documents",
        "rejected",
        "last_build",
        "last_digest",
        "next_digest",
        "daemon_running",
    }
    [doc] = data["documents"]
    assert doc["path"] == "strike.md"
    assert doc["title"] == "Port strike ends after two weeks"
    assert doc["id"].startswith("tag:news.example.org,")
    assert data["rejected"][0]["path"] == "blank.txt"
    assert data["daemon_running"] is False


def test_the_config_option_works_before_or_after_the_command(
    write_config: WriteConfig, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    write_config()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    cfg = str(project / "config.toml")
    assert digest("--config", cfg, "build", cwd=elsewhere).returncode == 0
    assert digest("build", "--config", cfg, cwd=elsewhere).returncode == 0
    env = {"DIGEST_CONFIG": cfg, "PATH": "/usr/bin:/bin"}
    assert digest("status", cwd=elsewhere, env=env).returncode == 0


def test_a_bad_config_exits_2_with_one_line_naming_the_key(project: Path) -> None:
    (project / "config.toml").write_text("[feed]\nmax_entries = -1\n")
    result = digest("build", cwd=project)
    assert result.returncode == 2
    assert result.stderr == "error: config: feed.max_entries: expected an integer >= 1, got -1\n"


def test_a_missing_seeds_folder_is_an_error_not_a_traceback(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    (project / "seeds").rmdir()
    result = digest("build", cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_every_command_has_help_and_appears_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for command, text in COMMANDS.items():
        assert f"`digest {command}" in readme, command
        result = digest(command, "--help", cwd=REPO)
        assert result.returncode == 0 and text in result.stdout


def test_the_shipped_seeds_build_cleanly(tmp_path: Path) -> None:
    shutil_copy = __import__("shutil").copytree
    shutil_copy(REPO / "seeds", tmp_path / "seeds")
    (tmp_path / "config.toml").write_text((REPO / "config.toml").read_text())
    result = digest("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "rejected 0" in result.stderr
    assert (tmp_path / "feeds" / "atom.xml").exists()


def test_a_reader_closing_the_pipe_early_is_not_a_traceback(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    # More status than a pipe buffers (64 KiB), so the writer meets the closed pipe.
    for n in range(150):
        (project / "seeds" / f"s{n}.md").write_text(DOC.replace("two weeks", f"{n} weeks"))
    assert digest("build", cwd=project).returncode == 0
    shown = subprocess.run(
        f"{sys.executable} -m digest status --json | head -c 10",
        shell=True,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout == '{\n  "docum'
    assert "Traceback" not in shown.stderr
