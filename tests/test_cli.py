"""The command line as a user runs it: a real process, its output and exit status."""

from __future__ import annotations

import email
import email.policy
import json
import re
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli import COMMANDS, readable_time
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
    assert built.stdout == "published 1, updated 0, unchanged 0, rejected 1\n"
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


@pytest.mark.parametrize("command", ["build", "send", "run"])
def test_a_missing_seeds_folder_exits_2_naming_it_before_creating_the_state_folder(
    write_config: WriteConfig, project: Path, command: str
) -> None:
    write_config()
    (project / "seeds").rmdir()
    result = digest(command, cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: config: paths.seeds: folder not found: {project / 'seeds'}; "
        "create it or set [paths] seeds\n"
    )
    assert not (project / ".digest").exists()


def test_status_shows_times_as_people_read_them(write_config: WriteConfig, project: Path) -> None:
    write_config()
    assert digest("build", cwd=project).returncode == 0
    shown = digest("status", cwd=project).stdout
    built = re.search(r"^last build: (.*)$", shown, re.M)
    assert built is not None, shown
    assert re.fullmatch(r"\w{3} \d{1,2} \w{3} \d{4} \d\d:\d\d UTC \(just now\)", built.group(1))
    nxt = re.search(r"^next digest: (.*)$", shown, re.M)
    assert nxt is not None and re.search(r"07:00 UTC \(in \d+ (hours?|minutes?)\)$", nxt.group(1))


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2025-01-10T08:00:00+00:00", "Fri 10 Jan 2025 08:00 UTC (just now)"),
        ("2025-01-10T06:59:00+00:00", "Fri 10 Jan 2025 06:59 UTC (1 hour ago)"),
        ("2025-01-07T08:00:00+00:00", "Tue 7 Jan 2025 08:00 UTC (3 days ago)"),
        ("2025-01-10T09:00:00+01:00", "Fri 10 Jan 2025 09:00 UTC+0100 (just now)"),
        ("2025-01-10T08:05:30+00:00", "Fri 10 Jan 2025 08:05 UTC (in 5 minutes)"),
    ],
)
def test_readable_times_say_when_relative_to_now(stamp: str, expected: str) -> None:
    now = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
    assert readable_time(stamp, now) == expected


def test_a_sender_with_a_display_name_is_used_as_the_from_header(
    write_config: WriteConfig, project: Path
) -> None:
    write_config(
        '[digest]\nsender = "World Desk <desk@example.org>"\nrecipients = ["a@example.org"]\n'
    )
    (project / "seeds" / "strike.md").write_text(DOC)
    sent = digest("send", "--now", "--dry-run", cwd=project)
    assert sent.returncode == 0, sent.stderr
    [eml] = (project / ".digest" / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["From"] == "World Desk <desk@example.org>"
    assert "wrote " in sent.stdout, "the send report is the command's output"


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
    assert "rejected 0" in result.stdout
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


def test_a_file_name_with_a_newline_cannot_forge_a_report_line(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    (project / "seeds" / "strike.md").write_text(DOC)
    (project / "seeds" / "x\npublished 99, updated 0\x1b[2K.txt").write_bytes(b"\x00\x01" * 40)
    built = digest("build", cwd=project)
    assert built.returncode == 0, built.stderr
    assert built.stderr.splitlines() == [
        "rejected: x\\npublished 99, updated 0\\x1b[2K.txt: not text: binary content"
    ]
    listed = digest("status", cwd=project).stdout
    assert "  x\\npublished 99, updated 0\\x1b[2K.txt: not text: binary content\n" in listed


def test_a_full_disk_under_the_state_folder_is_one_error_line(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    for n in range(40):
        text = DOC.replace("two weeks", f"{n} weeks") + "Dockers voted to return. " * 100
        (project / "seeds" / f"{n}.md").write_text(text)

    def small_disk() -> None:
        # Writes past 60 kB fail as they would on a full disk (EFBIG instead of ENOSPC).
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    built = subprocess.run(
        [sys.executable, "-m", "digest", "build"],
        cwd=project, capture_output=True, text=True, timeout=60, preexec_fn=small_disk,
    )  # fmt: skip
    assert built.returncode == 1
    state = project / ".digest" / "state.sqlite3"
    assert built.stderr.startswith(f"error: cannot write the state database {state}: "), (
        built.stderr
    )
    assert built.stderr.count("\n") == 1


def staging_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*.tmp") if p.is_file()]


@pytest.mark.slow
def test_staging_files_left_by_a_build_killed_mid_publication_go_at_the_next_build(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    for n in range(300):
        (project / "seeds" / f"{n}.md").write_text(DOC.replace("two weeks", f"{n} weeks"))
    feeds = project / "feeds"
    build = subprocess.Popen([sys.executable, "-m", "digest", "build"], cwd=project)
    deadline = time.monotonic() + 60
    while not (feeds.is_dir() and staging_files(feeds)) and build.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    build.kill()
    build.wait()
    assert staging_files(feeds), "the build finished before it could be killed mid-publication"
    rebuilt = digest("build", cwd=project)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert staging_files(feeds) == []
    assert len(list((feeds / "articles").iterdir())) == 300
