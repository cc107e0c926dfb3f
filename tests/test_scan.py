"""Finding documents in the seeds folder: real files and real symlinks on tmp_path."""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.errors import DocumentError
from digest.scan import _leftover, scan, signature


def touch(root: Path, *relpaths: str) -> None:
    for relpath in relpaths:
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Article at {relpath}.\n", encoding="utf-8")


def relpaths(seeds: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    return [c.relpath for c in scan(seeds, ignore)]


def test_files_in_subfolders_are_found_sorted_by_posix_relpath(tmp_path: Path) -> None:
    touch(tmp_path, "b.md", "a.txt", "briefs/z.txt", "briefs/deep/c.html")
    assert relpaths(tmp_path) == ["a.txt", "b.md", "briefs/deep/c.html", "briefs/z.txt"]


def test_candidate_carries_the_size_and_mtime_of_the_file(tmp_path: Path) -> None:
    touch(tmp_path, "a.txt")
    [found] = scan(tmp_path)
    info = (tmp_path / "a.txt").stat()
    assert (found.path, found.size, found.mtime_ns) == (
        tmp_path / "a.txt", info.st_size, info.st_mtime_ns,
    )  # fmt: skip


def test_editor_and_download_leftovers_are_skipped(tmp_path: Path) -> None:
    leftovers = [
        ".hidden.md", ".#draft.md", "draft.md~", ".draft.md.swp", ".draft.md.swx",
        "page.html.part", "upload.TMP", "report.crdownload", "#autosave.md#", "~$notes.docx",
        ".git/config.md", ".obsidian/note.md",
    ]  # fmt: skip
    touch(tmp_path, "kept.md", *leftovers)
    assert relpaths(tmp_path) == ["kept.md"]


def test_ignore_patterns_match_names_folders_and_relpaths(tmp_path: Path) -> None:
    touch(tmp_path, "a.md", "a.bak", "drafts/b.md", "archive/old.txt", "archive/keep.md")
    ignore = ("*.bak", "drafts", "archive/*.txt")
    assert relpaths(tmp_path, ignore) == ["a.md", "archive/keep.md"]


def test_symlink_to_a_file_inside_the_seeds_folder_is_followed(tmp_path: Path) -> None:
    touch(tmp_path, "real/a.md")
    (tmp_path / "alias.md").symlink_to(tmp_path / "real" / "a.md")
    found = {c.relpath: c for c in scan(tmp_path)}
    assert sorted(found) == ["alias.md", "real/a.md"]
    assert found["alias.md"].path == (tmp_path / "real" / "a.md").resolve()


def test_symlinks_pointing_outside_the_seeds_folder_are_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    seeds, outside = tmp_path / "seeds", tmp_path / "private"
    touch(seeds, "a.md")
    touch(outside, "secret.md", "folder/secret.md")
    (seeds / "secret.md").symlink_to(outside / "secret.md")
    (seeds / "folder").symlink_to(outside / "folder")
    (seeds / "relative.md").symlink_to("../private/secret.md")
    refused = {c.relpath: c.refused for c in scan(seeds)}
    why = "symbolic link to {}, outside the seeds folder; not followed"
    outside = outside.resolve()
    assert refused == {
        "a.md": None,
        "folder": why.format(outside / "folder"),
        "relative.md": why.format(outside / "secret.md"),
        "secret.md": why.format(outside / "secret.md"),
    }


def test_dangling_symlinks_and_link_loops_are_skipped(tmp_path: Path) -> None:
    touch(tmp_path, "sub/a.md")
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing.md")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    (tmp_path / "self.md").symlink_to(tmp_path / "self.md")
    assert relpaths(tmp_path) == ["sub/a.md"]


def test_only_regular_files_are_candidates(tmp_path: Path) -> None:
    touch(tmp_path, "a.md")
    os.mkfifo(tmp_path / "pipe.md")
    assert relpaths(tmp_path) == ["a.md"]


def test_a_missing_seeds_folder_is_a_document_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        scan(tmp_path / "nowhere")
    assert (caught.value.path, caught.value.reason) == (
        str(tmp_path / "nowhere"), "seeds folder not found",
    )  # fmt: skip


# The leftovers as shell patterns, the way editors and browsers name them.
LEFTOVER_PATTERNS = ("*~", "#*#", "~$*", "*.swp", "*.swx", "*.part", "*.partial", "*.tmp",
                     "*.crdownload")  # fmt: skip


@given(st.text(st.sampled_from("#~$.aptmswxcrdownl"), min_size=1, max_size=14))
def test_the_leftover_test_agrees_with_the_shell_patterns(name: str) -> None:
    assert _leftover(name) == any(fnmatchcase(name, p) for p in LEFTOVER_PATTERNS)


def test_the_signature_changes_with_a_path_a_size_or_an_mtime(tmp_path: Path) -> None:
    touch(tmp_path, "a.md", "b/c.txt")
    before = signature(scan(tmp_path))
    assert signature(scan(tmp_path)) == before
    os.utime(tmp_path / "a.md", ns=(1, 1))
    touched = signature(scan(tmp_path))
    (tmp_path / "b/c.txt").rename(tmp_path / "b/d.txt")
    moved = signature(scan(tmp_path))
    assert len({before, touched, moved}) == 3
