"""Every feed file of a realistic build passes the W3C Feed Validator with no warning."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from digest.app import make_app
from digest.config import Config
from tests.conftest import REPO, SHARED, Clock, WriteConfig

W3C_CHECK = SHARED / "validators" / "w3c_check.py"

# Documents a publisher meets, written the ways people write them: two
# front-matter articles dated the same day with no time, one with an image,
# a header-lines post, an HTML page with og: metadata, undated plain text,
# markup-hostile characters and a story that names no place.
VARIED = {
    "yaml-same-day-1.md": """---
title: Port workers vote to end strike
author: Lena Brandt
date: 2025-03-04
region: Europe
theme: Economy & Trade
image: https://cdn.example.com/img/port.jpg
---
Dock workers in Rotterdam voted on Monday to end a nine-day strike after the
port authority agreed to a new shift schedule.

Container traffic is expected to return to normal by the end of the week.
""",
    "yaml-same-day-2.md": """---
title: "Rail freight rates rise <again> & again"
author: Lena Brandt
date: 2025-03-04
region: Europe
source: Freight Weekly
---
Rail freight operators in Germany raised their rates for the third time this
year, citing energy costs.

Shippers said the increase would push more cargo back onto roads.
""",
    "toml-article.md": """+++
title = "Ministers meet on fishing quotas"
author = "Sofia Nunes"
date = 2025-02-20T14:30:00Z
region = ["Europe"]
theme = ["Economy & Trade", "Climate & Environment"]
+++
Fisheries ministers met in Brussels on Thursday to set next year's quotas for
cod and herring in the Baltic Sea.

Scientists had urged deep cuts after another poor spawning season.
""",
    "headers-post.txt": """Title: Solar farm opens in the Atacama
Author: Diego Ruiz
Date: 2025-02-21 09:15
Region: Latin America & Caribbean
Theme: Energy

The largest solar plant in Chile began supplying power to the national grid on
Friday, its operator said.

The plant covers 1,200 hectares of desert north of Antofagasta.
""",
    "page.html": """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Clinic network expands in Nairobi | City Health News</title>
<meta property="og:title" content="Clinic network expands in Nairobi">
<meta property="og:site_name" content="City Health News">
<meta property="og:image" content="/media/clinic.png">
<meta name="author" content="Grace Wanjiru">
<meta property="article:published_time" content="2025-02-22T08:00:00+03:00">
<link rel="canonical" href="https://health.example.net/2025/clinics">
</head><body>
<nav><a href="/">Home</a></nav>
<article><h1>Clinic network expands in Nairobi</h1>
<p>Nairobi county opened six new community clinics this week, bringing the
total to forty.</p>
<figure><img src="/media/clinic-door.jpg" alt="A clinic door">
<figcaption>A new clinic in Kibera.</figcaption></figure>
<p>Each clinic offers maternal care and vaccinations free of charge.</p>
</article><footer>Copyright City Health News</footer>
</body></html>
""",
    "undated-note.txt": """A regional court in Bavaria fined a delivery company for
breaking rest-time rules for its drivers on Wednesday. The company said it
would appeal. Unions welcomed the ruling and called for more inspections.
""",
    "nowhere.md": """---
title: Researchers publish open dataset of bird songs
author: Ana Lopes
date: 2025-02-25T10:00:00Z
---
A team of researchers released more than 40,000 recordings of bird songs under
an open licence on Tuesday.

The recordings were collected by volunteers over ten years.
""",
}


@pytest.fixture
def validator() -> Path:
    if not W3C_CHECK.exists():
        pytest.skip("../shared/validators/w3c_check.py is not beside this checkout")
    return W3C_CHECK


@pytest.fixture
def clock() -> Clock:
    """Some months after the documents' own dates, as on a real server."""
    return Clock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def realistic(write_config: WriteConfig, clock: Clock) -> Config:
    """The shipped seeds, the reference seeds and varied documents, built twice."""
    config = write_config(max_entries=3, hub="https://hub.example.org/")
    seeds = config.paths.seeds
    shutil.copytree(REPO / "seeds", seeds, dirs_exist_ok=True)
    if (SHARED / "seeds").is_dir():
        shutil.copytree(SHARED / "seeds", seeds / "reference", dirs_exist_ok=True)
    for name, text in VARIED.items():
        (seeds / "varied" / name).parent.mkdir(parents=True, exist_ok=True)
        (seeds / "varied" / name).write_text(text, encoding="utf-8")
    with closing(make_app(config, _now=clock)) as app:
        app.build()
    # A later build adds one more undated document: feeds now mix builds.
    clock.advance(hours=3)
    (seeds / "later.txt").write_text(
        "Flood barriers were raised in Venice on Sunday as a high tide arrived.\n"
        "The barriers held back water for the fourth time this month.\n",
        encoding="utf-8",
    )
    # Closed, so that its WebSub notifier stops retrying the hub during later tests.
    with closing(make_app(config, _now=clock)) as app:
        app.build()
    return config


def feed_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xml") if p.is_file())


@pytest.mark.slow
def test_every_feed_file_of_a_realistic_build_has_no_w3c_error_or_warning(
    realistic: Config, validator: Path
) -> None:
    files = feed_files(realistic.paths.feeds)
    # Main, region and theme feeds in Atom and RSS, their archives, digests.xml.
    assert len(files) > 40
    assert any("/archive/" in p.as_posix() and p.name.endswith(".rss.xml") for p in files)
    # Lead images (front matter, og:image) and hubs are among what is checked.
    assert sum(b'rel="enclosure"' in p.read_bytes() for p in files) >= 2
    assert b'rel="hub"' in (realistic.paths.feeds / "atom.xml").read_bytes()
    run = subprocess.run(
        [sys.executable, str(validator), "--strict", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [line for line in run.stdout.splitlines() if "ERROR" in line or "WARNING" in line]
    assert run.returncode == 0 and not problems, "\n".join(problems) or run.stderr


def test_every_json_feed_is_json_feed_1_1_and_every_feed_parses(realistic: Config) -> None:
    out = realistic.paths.feeds
    for path in feed_files(out):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.bozo_exception!r}"
    jsons = sorted(out.rglob("*.json"))
    assert len(jsons) > 15
    for path in jsons:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert all(item["id"] and item["url"].startswith("https://") for item in data["items"])


def test_an_empty_digest_feed_is_dated_when_the_site_first_published(
    realistic: Config, clock: Clock
) -> None:
    parsed = feedparser.parse((realistic.paths.feeds / "digests.xml").read_bytes())
    assert parsed.entries == []
    assert parsed.feed.updated == "2025-06-02T08:00:00+00:00"
    rss = feedparser.parse((realistic.paths.feeds / "digests.rss.xml").read_bytes())
    assert rss.feed.updated == "Mon, 02 Jun 2025 08:00:00 +0000"
    assert json.loads((realistic.paths.feeds / "digests.json").read_text())["items"] == []
