"""Page templates compiled once and loaded by the processes that follow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from digest.app import COMPILED_TEMPLATES
from tests.conftest import WriteConfig

# Renders the 404 page; with "forbid", any template compiled in this process fails.
RENDER = """
import sys
from pathlib import Path
from digest.config import load_config
from digest.publish import pages
pages.keep_compiled_templates(Path(sys.argv[1]))
if sys.argv[3] == "forbid":
    def compile(*args, **kwargs):
        raise AssertionError("compiled a template")
    pages._environment().compile = compile
sys.stdout.buffer.write(pages.not_found_page(load_config(Path(sys.argv[2])).feed))
"""


def _render(folder: Path, project: Path, mode: str = "") -> bytes:
    ran = subprocess.run(
        [sys.executable, "-c", RENDER, str(folder), str(project / "config.toml"), mode or "allow"],
        capture_output=True,
        check=True,
    )
    return ran.stdout


def test_a_later_process_renders_from_the_compiled_templates_the_same_page(
    write_config: WriteConfig, project: Path, tmp_path: Path
) -> None:
    write_config()
    folder = tmp_path / "compiled"
    first = _render(folder, project)
    assert any(folder.iterdir())
    assert _render(folder, project, "forbid") == first
    assert b"<html" in first


def test_compiled_templates_in_a_folder_that_cannot_be_written_cost_only_compiling(
    write_config: WriteConfig, project: Path, tmp_path: Path
) -> None:
    write_config()
    (tmp_path / "file").write_text("not a folder")
    assert _render(tmp_path / "file" / "compiled", project) == _render(tmp_path / "c", project)


def test_a_damaged_compiled_template_is_compiled_again(
    write_config: WriteConfig, project: Path, tmp_path: Path
) -> None:
    write_config()
    folder = tmp_path / "compiled"
    first = _render(folder, project)
    for cached in folder.iterdir():
        cached.write_bytes(cached.read_bytes()[:40])
    assert _render(folder, project) == first
    assert _render(folder, project, "forbid") == first


def test_a_build_keeps_its_compiled_templates_in_the_state_folder(
    write_config: WriteConfig, project: Path
) -> None:
    (project / "seeds" / "a.md").write_text("# Title\n\nA paragraph of text.\n", "utf-8")
    config = write_config()
    # A process of its own, as the command line runs: this one may hold them compiled.
    argv = ["--config", str(project / "config.toml"), "build"]
    build = f"from digest.cli import main\nmain({argv!r})"
    subprocess.run([sys.executable, "-c", build], capture_output=True, check=True)
    assert any((config.paths.state / COMPILED_TEMPLATES).iterdir())
