"""The newcomer's path: the Makefile's install step and the venv check it runs first."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def make_question(folder: Path, target: str) -> int:
    """`make -q`: 0 when `target` is up to date, 1 when its recipe would run."""
    return subprocess.run(
        ["make", "-q", "-f", str(REPO / "Makefile"), target, "VENV=venv"],
        cwd=folder,
        capture_output=True,
        timeout=30,
    ).returncode


def test_the_install_step_is_skipped_while_the_venv_is_newer_than_pyproject(
    tmp_path: Path,
) -> None:
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / "venv").mkdir()
    stamp = tmp_path / "venv" / ".installed"
    stamp.touch()
    os.utime(tmp_path / "pyproject.toml", (1_000_000, 1_000_000))
    assert make_question(tmp_path, "install") == 0
    os.utime(tmp_path / "pyproject.toml")  # a dependency was added: install again
    assert make_question(tmp_path, "install") == 1


def test_a_missing_venv_module_is_reported_with_the_package_to_install(tmp_path: Path) -> None:
    # Debian's python3 without python3-venv: ensurepip cannot be imported.
    stub = tmp_path / "stub" / "ensurepip"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ImportError('ensurepip is not available')\n")
    env = {**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(stub.parent)}
    result = subprocess.run(
        [str(REPO / "scripts" / "make-venv"), str(tmp_path / "venv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "install it with: sudo apt-get install python3-venv" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_ci_runs_the_readmes_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "\n    make check\n" in readme
    assert ci.rstrip().endswith("make check")
