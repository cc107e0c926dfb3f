"""End-to-end builds: real files in, real feeds out, read back by real parsers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from digest.app import make_app
from digest.config import Config
from tests.conftest import Clock, WriteConfig
from tests.validate import assert_valid_atom

ARTICLE = """---
title: {title}
author: Mira Okafor
date: 2025-01-{day:02d}
region: Europe
theme: Energy
---
Grid operators across the continent agreed on a joint winter reserve on Tuesday.

The plan pools spare capacity from eleven countries and runs until March.
"""


def write(
    seeds: Path, name: str, title: str = "Grid operators agree winter plan", day: int = 7
) -> Path:
    path = seeds / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(title=title, day=day), encoding="utf-8")
    return path


def entries(config: Config) -> list:  # type: ignore[type-arg]
    return list(feedparser.parse((config.paths.feeds / "atom.xml").read_bytes()).entries)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_first_build_publishes_every_document_as_valid_feeds(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    write(project / "seeds", "a.md", "Grid operators agree winter plan", 7)
    write(project / "seeds", "sub/b.md", "Rail unions accept new pay offer", 8)
    result = make_app(config, _now=clock).build()
    assert (result.published, result.rejected) == (2, [])
    parsed = assert_valid_atom(config.paths.feeds / "atom.xml")
    assert [e.title for e in parsed.entries] == [
        "Rail unions accept new pay offer",
        "Grid operators agree winter plan",
    ]
    assert parsed.entries[0].author == "Mira Okafor"
    assert_valid_atom(config.paths.feeds / "regions" / "europe.xml")
    assert_valid_atom(config.paths.feeds / "themes" / "energy.xml")


def test_a_rebuild_with_nothing_changed_reads_nothing_and_writes_the_same_bytes(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    write(project / "seeds", "a.md")
    make_app(config, _now=clock).build()
    before = snapshot(config.paths.feeds)
    clock.advance(hours=1)
    result = make_app(config, _now=clock).build()
    assert (result.published, result.updated, result.unchanged) == (0, 0, 1)
    assert snapshot(config.paths.feeds) == before


def test_an_edit_updates_the_same_entry(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    path = write(project / "seeds", "a.md", "Grid operators agree winter plan")
    make_app(config, _now=clock).build()
    [first] = entries(config)
    clock.advance(hours=2)
    path.write_text(path.read_text().replace("winter plan", "winter reserve plan"))
    result = make_app(config, _now=clock).build()
    assert result.updated == 1
    [second] = entries(config)
    assert second.id == first.id
    assert second.title == "Grid operators agree winter reserve plan"
    assert second.updated > first.updated


def test_a_rename_keeps_the_entry_id(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    path = write(project / "seeds", "a.md")
    make_app(config, _now=clock).build()
    [before] = entries(config)
    path.rename(project / "seeds" / "renamed.md")
    result = make_app(config, _now=clock).build()
    assert (result.renamed, result.published, result.removed) == (1, 0, 0)
    [after] = entries(config)
    assert after.id == before.id
    status = make_app(config, _now=clock).status()
    assert [d["path"] for d in status["documents"]] == ["renamed.md"]


def test_a_deleted_document_leaves_the_feeds_and_its_page_goes(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    write(project / "seeds", "a.md", "Grid operators agree winter plan", 7)
    gone = write(project / "seeds", "b.md", "Rail unions accept new pay offer", 8)
    make_app(config, _now=clock).build()
    page = config.paths.feeds / "articles" / "rail-unions-accept-new-pay-offer.html"
    assert page.exists()
    gone.unlink()
    result = make_app(config, _now=clock).build()
    assert result.removed == 1
    assert [e.title for e in entries(config)] == ["Grid operators agree winter plan"]
    assert not page.exists()


def test_the_same_content_under_two_names_publishes_once(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    write(project / "seeds", "a.md")
    write(project / "seeds", "copy.md")
    result = make_app(config, _now=clock).build()
    assert result.published == 1
    assert [(r.path, r.reason) for r in result.rejected] == [
        ("copy.md", "same content as a.md; published once")
    ]
    assert len(entries(config)) == 1


def test_bad_files_are_rejected_with_a_reason_and_the_rest_publishes(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config("[ingest]\nmax_bytes = 2000\n")
    seeds = project / "seeds"
    write(seeds, "good.md")
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (seeds / "huge.txt").write_text("Word " * 1000)
    result = make_app(config, _now=clock).build()
    reasons = {r.path: r.reason for r in result.rejected}
    assert result.published == 1
    assert set(reasons) == {"empty.txt", "image.txt", "huge.txt"}
    assert reasons["huge.txt"] == "too large: 5000 bytes, over ingest.max_bytes = 2000"
    assert "binary" in reasons["image.txt"]
    assert "empty" in reasons["empty.txt"]
    status = make_app(config, _now=clock).status()
    assert {r["path"] for r in status["rejected"]} == set(reasons)


def test_a_fixed_file_leaves_the_rejected_list(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    bad = project / "seeds" / "later.md"
    bad.write_bytes(b"")
    assert make_app(config, _now=clock).build().rejected
    write(project / "seeds", "later.md")
    result = make_app(config, _now=clock).build()
    assert (result.published, result.rejected) == (1, [])
    assert make_app(config, _now=clock).status()["rejected"] == []


def test_the_reference_seeds_publish_with_their_metadata_and_without_the_footer(
    write_config: WriteConfig, project: Path, clock: Clock, shared: Path
) -> None:
    config = write_config()
    for seed in (shared / "seeds").iterdir():
        shutil.copy(seed, project / "seeds" / seed.name)
    result = make_app(config, _now=clock).build()
    assert (result.published, result.rejected) == (2, [])
    docs = {d["path"][:3]: d for d in make_app(config, _now=clock).status()["documents"]}
    news = docs["000"]
    assert news["title"] == (
        "Macron Urges Kiev to be Realistic as French-trained Ukrainian Soldiers Desert"
    )
    assert news["author"] == "Ahmed Adel"
    assert news["published"].startswith("2025-01-10")
    assert (news["regions"], news["regions_inferred"]) == (["Europe", "Russia and FSU"], False)
    assert (news["themes"], news["themes_inferred"]) == (["Intelligence"], False)
    plain = docs["003"]
    assert plain["author"] is None
    # Undated: first seen in this build (each document at its own microsecond).
    assert plain["published"].startswith(clock.now.isoformat()[:19])
    assert plain["regions_inferred"] and plain["themes_inferred"]
    for rel, data in snapshot(config.paths.feeds).items():
        if rel.endswith((".png", ".ico")):
            continue
        text = data.decode("utf-8")
        for footer in ("reader-funded", "Disclaimer", "Click the share button", "Featured image"):
            assert footer not in text, f"{footer!r} leaked into {rel}"
    parsed = assert_valid_atom(config.paths.feeds / "atom.xml")
    assert len(parsed.entries) == 2


def test_a_large_first_build_spreads_over_processes_and_gives_the_same_result(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    from digest.parallel import MIN_ITEMS

    config = write_config()
    total = MIN_ITEMS + 16
    for n in range(total):
        path = write(project / "seeds", f"batch/{n:03d}.md", f"Council budget line {n}", n % 28 + 1)
        if n % 8:  # most documents name no theme: their themes are inferred in workers too
            path.write_text(path.read_text().replace("theme: Energy\n", ""))
    (project / "seeds" / "batch" / "bad.md").write_bytes(b"\x00\x01\x02" * 50)
    result = make_app(config, _now=clock).build()
    assert (result.published, [r.path for r in result.rejected]) == (total, ["batch/bad.md"])
    parsed = assert_valid_atom(config.paths.feeds / "atom.xml")
    assert len(parsed.entries) == config.feed.max_entries
    docs = make_app(config, _now=clock).status()["documents"]
    inferred = [d for d in docs if d["themes_inferred"]]
    assert len(inferred) == total - total // 8
    assert {tuple(d["themes"]) for d in inferred} == {("Energy",)}


UNLABELLED = """---
title: Farmers report a late harvest
date: 2025-02-03
---
Farmers in the valley said the grain harvest came late this year after a cold spring.
Growers expect lower yields of wheat and barley, and cooperatives plan to pool their silos.
"""

LABELLED = """---
title: {title}
date: 2025-02-0{day}
theme: {theme}
---
{body}
"""

FARM_EXAMPLES = [
    ("Wheat growers expand silos", "Grain growers and farmers built new silos for wheat."),
    ("Barley yields rise", "Farmers said barley and wheat yields rose as the harvest ended."),
    (
        "Cooperatives buy harvesters",
        "Farm cooperatives bought harvesters before the grain harvest.",
    ),
]

FARM_TAXONOMY = (
    '[themes.taxonomy]\n"Farming & Food" = ["tractor", "livestock", "dairy"]\n'
    'Markets = ["shares", "stocks", "index", "investors"]\n'
    'Weather = ["rain", "storm", "flood", "forecast"]\n'
)


def write_farm_examples(seeds: Path, theme: str) -> None:
    for day, (title, body) in enumerate(FARM_EXAMPLES, start=4):
        text = LABELLED.format(title=title, day=day, body=body, theme=theme)
        (seeds / f"farm-{day}.md").write_text(text)


def test_labelled_documents_teach_the_taxonomy_theme_their_label_names(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config(FARM_TAXONOMY + '[themes.aliases]\n"Agriculture" = "Farming & Food"\n')
    seeds = project / "seeds"
    (seeds / "harvest.md").write_text(UNLABELLED)
    make_app(config, _now=clock).build()
    [doc] = make_app(config, _now=clock).status()["documents"]
    assert (doc["themes"], doc["themes_inferred"]) == (["Unclassified"], True)

    write_farm_examples(seeds, "Agriculture")
    result = make_app(config, _now=clock).build()
    assert result.published == 3
    docs = {d["path"]: d for d in make_app(config, _now=clock).status()["documents"]}
    assert (docs["harvest.md"]["themes"], docs["harvest.md"]["themes_inferred"]) == (
        ["Farming & Food"],
        True,
    )
    # The label stays as the document wrote it; its feed is the theme's.
    assert (docs["farm-4.md"]["themes"], docs["farm-4.md"]["themes_inferred"]) == (
        ["Agriculture"],
        False,
    )
    parsed = assert_valid_atom(config.paths.feeds / "themes" / "farming-and-food.xml")
    assert "Farmers report a late harvest" in [e.title for e in parsed.entries]
    assert "Wheat growers expand silos" in [e.title for e in parsed.entries]
    assert not (config.paths.feeds / "themes" / "agriculture.xml").exists()
    assert not (config.paths.feeds / "themes" / "unclassified.xml").exists()


def test_a_label_outside_the_taxonomy_keeps_its_feed_and_is_never_inferred(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config(FARM_TAXONOMY)
    seeds = project / "seeds"
    (seeds / "harvest.md").write_text(UNLABELLED)
    write_farm_examples(seeds, "Grain Belt")
    make_app(config, _now=clock).build()
    docs = {d["path"]: d for d in make_app(config, _now=clock).status()["documents"]}
    assert (docs["harvest.md"]["themes"], docs["harvest.md"]["themes_inferred"]) == (
        ["Unclassified"],
        True,
    )
    parsed = assert_valid_atom(config.paths.feeds / "themes" / "grain-belt.xml")
    assert sorted(e.title for e in parsed.entries) == sorted(t for t, _ in FARM_EXAMPLES)


def test_feeds_that_cannot_be_written_are_an_error_and_the_next_build_retries(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    from digest.errors import PublishError

    config = write_config()
    write(project / "seeds", "a.md")
    config.paths.feeds.write_text("a file where the feeds folder should be")
    with pytest.raises(PublishError, match=f"^cannot write {re.escape(str(config.paths.feeds))}"):
        make_app(config, _now=clock).build()
    config.paths.feeds.unlink()
    result = make_app(config, _now=clock).build()
    assert (result.published, result.unchanged) == (0, 1)
    assert [e.title for e in entries(config)] == ["Grid operators agree winter plan"]


def test_a_one_cpu_build_of_300_documents_publishes_every_one(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config("[ingest]\nworkers = 1\n", max_entries=400)
    for n in range(300):
        path = write(project / "seeds", f"{n:03d}.md", f"Harbour report number {n}", n % 28 + 1)
        if n % 3:  # themes inferred for most: the re-inference covers every one of them too
            path.write_text(path.read_text().replace("theme: Energy\n", ""))
    result = make_app(config, _now=clock).build()
    assert (result.published, result.rejected) == (300, [])
    assert len(assert_valid_atom(config.paths.feeds / "atom.xml").entries) == 300


def test_a_rejected_edit_keeps_the_previous_version_published(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    doc = write(project / "seeds", "a.md", "Grid operators agree winter plan")
    write(project / "seeds", "b.md", "Rail unions accept new pay offer")
    make_app(config, _now=clock).build()
    doc.write_bytes(b"\x00\x01\x02" * 50)
    clock.advance(hours=1)
    result = make_app(config, _now=clock).build()
    assert [r.path for r in result.rejected] == ["a.md"]
    titles = {e.title for e in entries(config)}
    assert titles == {"Grid operators agree winter plan", "Rail unions accept new pay offer"}
    status = make_app(config, _now=clock).status()
    assert [d["path"] for d in status["documents"]] == ["b.md", "a.md"]
    assert [r["path"] for r in status["rejected"]] == ["a.md"]
    # Still the same on the next build: the rejection is remembered, the entry kept.
    again = make_app(config, _now=clock).build()
    assert ([r.path for r in again.rejected], len(entries(config))) == (["a.md"], 2)


def test_a_document_over_the_time_limit_is_rejected_and_the_rest_stays_published(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    write(project / "seeds", "good.md", "Grid operators agree winter plan")
    make_app(write_config(), _now=clock).build()
    config = write_config("[ingest]\ntimeout_seconds = 0.05\n")
    paragraph = "The committee met again on Monday and heard the same witnesses. " * 20
    (project / "seeds" / "long.md").write_text(
        "# A very long record\n\n" + f"{paragraph}\n\n" * 1500, encoding="utf-8"
    )
    result = make_app(config, _now=clock).build()
    assert [(r.path, r.reason) for r in result.rejected] == [
        ("long.md", "took longer than ingest.timeout_seconds = 0.05 s; stopped")
    ]
    assert [e.title for e in entries(config)] == ["Grid operators agree winter plan"]


def test_the_documents_of_a_build_teach_the_theme_model_their_vocabulary(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config(
        '[themes.taxonomy]\nBaking = ["bread", "oven", "flour", "cake"]\n'
        'Markets = ["shares", "investors", "stocks", "prices"]\n'
    )
    seeds = project / "seeds"
    bakery = [
        "The new bakery bakes bread and cake in a wood oven; its sourdough sells out.",
        "Bakers say rye flour for sourdough bread costs more, and cake flour too.",
        "A hot oven and a good sourdough starter make the best bread, bakers say.",
        "Rye bread needs a sourdough starter, flour, water and a slow oven.",
    ]
    for n, text in enumerate(bakery):
        (seeds / f"bakery-{n}.txt").write_text(text + "\n")
    (seeds / "starter.txt").write_text("A sourdough starter wants rye and warm water daily.\n")
    make_app(config, _now=clock).build()
    docs = {d["path"]: d for d in make_app(config, _now=clock).status()["documents"]}
    assert (docs["starter.txt"]["themes"], docs["starter.txt"]["themes_inferred"]) == (
        ["Baking"],
        True,
    )


def test_a_link_out_of_the_seeds_folder_is_rejected_with_its_reason_in_status(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    write(project / "seeds", "a.md")
    private = write(project / "private", "secret.md", "Private notes")
    (project / "seeds" / "secret.md").symlink_to(private)
    result = make_app(config, _now=clock).build()
    assert result.published == 1
    reason = f"symbolic link to {private.resolve()}, outside the seeds folder; not followed"
    assert [(r.path, r.reason) for r in result.rejected] == [("secret.md", reason)]
    status = make_app(config, _now=clock).status()
    assert [(r["path"], r["reason"]) for r in status["rejected"]] == [("secret.md", reason)]
    assert "Private notes" not in {e.title for e in entries(config)}


def test_labels_that_slugify_alike_get_distinct_feed_files_listed_in_the_opml(
    write_config: WriteConfig, project: Path, clock: Clock
) -> None:
    config = write_config()
    for n, label in enumerate(["Boats & Harbours", "Boats and Harbours", "boats & harbours"]):
        path = write(project / "seeds", f"{n}.md", f"Harbour story {n}", n + 1)
        path.write_text(path.read_text().replace("theme: Energy", f"theme: {label}"))
    make_app(config, _now=clock).build()
    urls = {
        o.get("title"): o.get("xmlUrl")
        for o in etree.parse(config.paths.feeds / "feeds.opml").iter("outline")
        if "arbours" in o.get("title", "")
    }
    # The Atom documents (each also comes as RSS and JSON).
    outlines = {
        title: url
        for title, url in urls.items()
        if url.endswith(".xml") and not url.endswith(".rss.xml")
    }
    base = config.feed.base_url
    assert len(set(outlines.values())) == 3
    assert outlines["Test Desk: Boats & Harbours"] == f"{base}themes/boats-and-harbours.xml"
    for title, url in outlines.items():
        feed = feedparser.parse((config.paths.feeds / url.removeprefix(base)).read_bytes())
        [entry] = feed.entries
        label = title.removeprefix("Test Desk: ")
        n = ["Boats & Harbours", "Boats and Harbours", "boats & harbours"].index(label)
        assert entry.title == f"Harbour story {n}"


@pytest.mark.parametrize(
    ("name", "pattern", "size"),
    [("bylines.md", "By [A](#) ", 320_000), ("brackets.md", "[](", 1_000_000)],
)
def test_a_file_of_one_pattern_repeated_is_read_in_linear_time_and_published(
    write_config: WriteConfig, project: Path, clock: Clock, name: str, pattern: str, size: int
) -> None:
    # Quadratic work in any stage would take minutes on these and be cut off by the
    # time limit (rejected); linear work publishes them well inside it.
    config = write_config("[ingest]\ntimeout_seconds = 30\n")
    write(project / "seeds", "good.md")
    (project / "seeds" / name).write_text(pattern * (size // len(pattern)), encoding="utf-8")
    result = make_app(config, _now=clock).build()
    assert [r.path for r in result.rejected] == []
    assert result.published == 2


@pytest.mark.slow
def test_a_build_writes_the_same_bytes_with_one_worker_and_with_two(
    write_config: WriteConfig, project: Path
) -> None:
    for n in range(100):
        path = write(project / "seeds", f"{n:03d}.md", f"Harbour report number {n}", n % 28 + 1)
        if n % 3:
            path.write_text(path.read_text().replace("theme: Energy\n", ""))
    trees = []
    for workers in (1, 2):
        shutil.rmtree(project / "feeds", ignore_errors=True)
        shutil.rmtree(project / ".digest", ignore_errors=True)
        config = write_config(f"[ingest]\nworkers = {workers}\n", max_entries=7)
        app = make_app(config, _now=Clock())
        try:
            assert app.build().published == 100
        finally:
            app.close()
        trees.append(snapshot(config.paths.feeds))
    one, two = trees
    assert len(one) > 150
    assert sorted(two) == sorted(one)
    assert [path for path in one if two[path] != one[path]] == []
