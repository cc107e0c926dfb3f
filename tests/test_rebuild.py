"""A rebuild with nothing to do takes a shortcut; it must tell and write exactly what a
full pass over the same files would."""

from __future__ import annotations

import os
from pathlib import Path

from digest.app import BuildResult, make_app
from digest.config import Config
from tests.conftest import Clock, WriteConfig
from tests.test_build import snapshot, write


def build(config: Config, clock: Clock, *, full: bool = False) -> BuildResult:
    app = make_app(config, _now=clock)
    try:
        if full:
            # Forget what the last build saw: this pass reads the whole index.
            app.store.set_meta("unchanged_key", "")
        return app.build()
    finally:
        app.close()


def told(result: BuildResult) -> tuple[str, list[tuple[str, str]], list[tuple[str, str]]]:
    return result.line(), [(r.path, r.reason) for r in result.rejected], result.warnings


def a_messy_folder(project: Path) -> None:
    seeds = project / "seeds"
    write(seeds, "a.md", "Grid operators agree winter plan", 7)
    write(seeds, "sub/b.md", "Rail unions accept new pay offer", 8)
    write(seeds, "copy.md", "Grid operators agree winter plan", 7)
    (seeds / "empty.txt").write_bytes(b"")
    private = write(project / "private", "secret.md", "Private notes")
    (seeds / "secret.md").symlink_to(private)


def test_a_rebuild_with_nothing_changed_reports_what_a_full_pass_reports(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    a_messy_folder(project)
    first = build(config, clock)
    assert first.published == 2 and len(first.rejected) == 3
    app = make_app(config, _now=clock)
    assert app.store.get_meta("unchanged_key"), "a complete build records what it saw"
    app.close()
    before = snapshot(config.paths.feeds)
    clock.advance(hours=1)
    quick = build(config, clock)
    full = build(config, clock, full=True)
    assert told(quick) == told(full)
    assert told(quick)[0] == "published 0, updated 0, unchanged 2, rejected 3"
    assert snapshot(config.paths.feeds) == before


def test_a_rebuild_with_nothing_changed_is_recorded_as_the_last_build(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    write(project / "seeds", "a.md")
    build(config, clock)
    build(config, clock)
    later = clock.advance(hours=3)
    build(config, clock)
    app = make_app(config, _now=clock)
    assert app.status()["last_build"] == later.isoformat()
    app.close()


def test_a_touched_file_with_the_same_content_takes_the_full_pass_and_stays_unchanged(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    path = write(project / "seeds", "a.md")
    build(config, clock)
    before = snapshot(config.paths.feeds)
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    assert told(build(config, clock))[0] == "published 0, updated 0, unchanged 1, rejected 0"
    assert told(build(config, clock))[0] == "published 0, updated 0, unchanged 1, rejected 0"
    assert snapshot(config.paths.feeds) == before


def test_a_missing_feed_or_a_new_setting_is_published_again_though_no_file_changed(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    write(project / "seeds", "a.md")
    build(config, clock)
    (config.paths.feeds / "atom.xml").unlink()
    assert build(config, clock).files_written > 0
    assert (config.paths.feeds / "atom.xml").exists()
    retitled = write_config(title="Another Desk")
    assert build(retitled, clock).files_written > 0
    assert "Another Desk" in (config.paths.feeds / "atom.xml").read_text(encoding="utf-8")


def test_a_file_added_and_removed_after_a_rebuild_with_nothing_changed_is_seen(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    write(project / "seeds", "a.md")
    build(config, clock)
    build(config, clock)
    added = write(project / "seeds", "b.md", "Rail unions accept new pay offer", 8)
    assert build(config, clock).published == 1
    added.unlink()
    assert build(config, clock).removed == 1
    assert told(build(config, clock))[0] == "published 0, updated 0, unchanged 1, rejected 0"
