from __future__ import annotations

from pathlib import Path

import pytest

from digest.publish.atomic import Staged, sweep_staging, write_atomic


def test_write_atomic_replaces_the_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "feeds" / "atom.xml"
    assert write_atomic(target, b"<feed>1</feed>") is True
    assert write_atomic(target, b"<feed>2</feed>") is True
    assert target.read_bytes() == b"<feed>2</feed>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["atom.xml"]


def test_identical_content_is_not_rewritten_so_the_mtime_holds(tmp_path: Path) -> None:
    target = tmp_path / "atom.xml"
    write_atomic(target, b"same")
    before = target.stat().st_mtime_ns
    assert write_atomic(target, b"same") is False
    assert target.stat().st_mtime_ns == before


def test_a_failed_render_midway_leaves_every_old_file_in_place(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(b"old a")
    (tmp_path / "b.xml").write_bytes(b"old b")
    with pytest.raises(RuntimeError), Staged(tmp_path) as staged:
        staged.add("a.xml", b"new a")
        raise RuntimeError("render of b.xml failed")
    assert (tmp_path / "a.xml").read_bytes() == b"old a"
    assert (tmp_path / "b.xml").read_bytes() == b"old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xml", "b.xml"]


def test_staged_files_all_land_on_commit(tmp_path: Path) -> None:
    with Staged(tmp_path) as staged:
        staged.add("regions/europe.xml", b"e")
        staged.add("atom.xml", b"a")
        assert not (tmp_path / "atom.xml").exists()
    assert staged.count == 2
    assert (tmp_path / "regions" / "europe.xml").read_bytes() == b"e"
    assert not list(tmp_path.rglob("*.tmp"))


def test_sweeping_removes_only_staging_files(tmp_path: Path) -> None:
    kept = ["atom.xml", ".htaccess", "notes.tmp", ".well-known/x.tmp", "regions/europe.xml"]
    stale = [".atom.xml.k2j4h_x0.tmp", "regions/.europe.xml.a8b7c6d5.tmp"]
    for rel in kept + stale:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    assert sweep_staging(tmp_path) == 2
    remaining = sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
    )
    assert remaining == sorted(kept)


def test_a_shallow_sweep_leaves_subfolders_alone(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".themes.model.abcdefgh.tmp").write_bytes(b"x")
    (tmp_path / "sub" / ".a.xml.abcdefgh.tmp").write_bytes(b"x")
    assert sweep_staging(tmp_path, recursive=False) == 1
    assert (tmp_path / "sub" / ".a.xml.abcdefgh.tmp").exists()
