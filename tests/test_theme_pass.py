"""A cold build infers themes once, with the model trained on everything it ingested."""

from __future__ import annotations

from pathlib import Path

from digest.app import make_app
from digest.config import Config
from tests.conftest import Clock, WriteConfig

STORIES = [
    "Shares fell on Wall Street as investors weighed the central bank's interest rate decision.",
    "The striker scored twice in the second half and the club moved top of the league table.",
    "Parliament passed the budget bill after the opposition party lost a late vote on taxes.",
    "Doctors at the hospital said the new vaccine cut infections among patients by half.",
    "Engineers unveiled a faster chip for smartphones and data centres at the software fair.",
    "Troops and tanks massed near the border as the defence ministry warned of air strikes.",
    "The court jailed the former mayor for fraud after prosecutors presented bank records.",
    "Drought and record heat dried the river, and scientists blamed climate change and emissions.",
    "Oil prices rose after the pipeline closed and the refinery cut its gas output for winter.",
    "The festival opened with a new film, and the actors and the director walked the red carpet.",
]
LABELLED = """---
title: {title}
theme: {theme}
---
{body}
"""


def write_corpus(seeds: Path) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    for n, story in enumerate(STORIES * 3):
        opening = ("Officials said on Monday that", "Reports this week said", "In brief:")[n // 10]
        (seeds / f"story-{n}.txt").write_text(f"{opening} {story.lower()}\n\n{story}\n")
    (seeds / "labelled.md").write_text(
        LABELLED.format(
            title="Markets close higher",
            theme="Economy & Trade",
            body="Shares and bonds rallied as investors bet on lower interest rates.",
        )
    )


def themes_of(config: Config, clock: Clock) -> dict[str, tuple[list[str], bool]]:
    documents = make_app(config, _now=clock).status()["documents"]
    return {d["path"]: (d["themes"], d["themes_inferred"]) for d in documents}


def test_a_cold_build_files_every_document_as_inferring_during_ingest_then_again_would(
    write_config: WriteConfig, tmp_path: Path, clock: Clock
) -> None:
    cold = write_config()
    write_corpus(cold.paths.seeds)
    make_app(cold, _now=clock).build()

    # The two-pass path: a model refreshed on an empty folder infers during ingest,
    # then the refresh that the new documents call for re-infers them all.
    other = tmp_path / "other"
    (other / "seeds").mkdir(parents=True)
    two_pass = write_config(
        f'[paths]\nseeds = "{other / "seeds"}"\nstate = "{other / "state"}"\n'
        f'feeds = "{other / "feeds"}"\n'
    )
    make_app(two_pass, _now=clock).build()
    write_corpus(two_pass.paths.seeds)
    make_app(two_pass, _now=clock).build()

    expected = themes_of(two_pass, clock)
    assert themes_of(cold, clock) == expected
    # The corpus teaches the model: not everything ends up unclassified.
    assert len({tuple(names) for names, _ in expected.values()}) > 3
    assert expected["labelled.md"] == (["Economy & Trade"], False)
