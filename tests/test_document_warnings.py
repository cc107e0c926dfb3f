"""Fields a document gets wrong: dropped or flagged with a warning, shown where users look."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from digest.app import make_app
from digest.daemon import tasks
from digest.future_dates import trusted_dates
from digest.model import Article
from tests.conftest import Clock, WriteConfig
from tests.test_cli import digest

NOW = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)


def doc(date: str, title: str = "Port strike ends") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n---\nDockers voted to return to work.\n"


def test_a_date_years_ahead_is_kept_on_the_article_but_flagged_and_not_trusted() -> None:
    article = Article("yaml", published=datetime(2031, 5, 1, tzinfo=UTC))
    flagged, published, updated = trusted_dates(article, NOW)
    assert flagged.published == datetime(2031, 5, 1, tzinfo=UTC)
    assert (published, updated) == (None, None)
    assert flagged.warnings == (
        "date 2031-05-01T00:00:00+00:00 is in the future; not used to order feeds",
    )


def test_a_date_hours_ahead_is_a_time_zone_not_the_future() -> None:
    article = Article("yaml", published=datetime(2025, 1, 10, 20, tzinfo=UTC))
    assert trusted_dates(article, NOW) == (article, article.published, None)


def test_a_future_date_never_tops_the_feeds_or_dates_them(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    (project / "seeds" / "old.md").write_text(doc("2025-01-07", "Rail unions accept pay offer"))
    clock.advance(days=1)
    make_app(config, _now=clock).build()
    (project / "seeds" / "future.md").write_text(doc("2031-05-01"))
    clock.advance(days=1)
    result = make_app(config, _now=clock).build()
    assert result.warnings == [
        ("future.md", "date 2031-05-01T00:00:00+00:00 is in the future; not used to order feeds")
    ]
    feed = feedparser.parse((config.paths.feeds / "atom.xml").read_bytes())
    assert datetime.fromisoformat(feed.feed.updated) == clock.now
    assert [e.title for e in feed.entries] == ["Port strike ends", "Rail unions accept pay offer"]
    assert feed.entries[0].published.startswith(f"{clock.now:%Y-%m-%d}")


def test_warnings_are_reported_by_build_and_listed_by_status(
    write_config: WriteConfig, project: Path
) -> None:
    write_config()
    (project / "seeds" / "bad-date.md").write_text(doc("2025-13-01"))
    built = digest("build", cwd=project)
    assert built.returncode == 0, built.stderr
    warning = "date '2025-13-01' dropped: month must be in 1..12"
    assert f"warning: bad-date.md: {warning}" in built.stderr.splitlines()
    data = json.loads(digest("status", "--json", cwd=project).stdout)
    assert [d["warnings"] for d in data["documents"]] == [[warning]]
    assert f"      warning: {warning}" in digest("status", cwd=project).stdout.splitlines()


def test_the_daemon_logs_each_warning_once_when_the_document_is_read(
    write_config: WriteConfig, project: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config()
    (project / "seeds" / "bad-date.md").write_text(doc("2025-13-01"))
    app = make_app(config, _now=clock)
    with caplog.at_level(logging.WARNING, logger="digest.daemon"):
        assert tasks.build(app) is tasks.Outcome.DONE
        clock.advance(minutes=1)
        tasks.build(app)
    warning = "warning: bad-date.md: date '2025-13-01' dropped: month must be in 1..12"
    assert [r.getMessage() for r in caplog.records].count(warning) == 1
