"""Every enrichment output over the bench corpora, fingerprinted, and enrichment speed.

    python bench/enrich_outputs.py [BENCH_DIR] [--dump FILE]

For a change meant to make enrichment faster without changing what it gives: run it
on the checkout before and after (PYTHONPATH=<checkout>) and compare the fingerprints
(or the files written by --dump). It enriches every BBC, CNN/DailyMail and Reuters
document with and without its title (derived title, summary, regions, themes), with
three theme models (no corpus; self-trained on BBC documents; labelled examples plus
self-training on Reuters), and records each model's fingerprint and the confidences
it gives a sample of documents. Then it prints `Enricher.enrich` documents a second of
CPU time on one core (BBC without titles, no-corpus model, best of three passes).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from digest.config import parse_config
from digest.enrich.pipeline import Enriched, Enricher, theme_model
from digest.enrich.summarize import summary_sentences
from digest.model import Article

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "bench"
PASSES = 3


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    dump = None
    if "--dump" in args:
        at = args.index("--dump")
        dump = Path(args[at + 1])
        del args[at : at + 2]
    bench = Path(args[0]) if args else DEFAULT_BENCH
    try:
        bbc, cnn, reuters = (
            _rows(bench / name)
            for name in (
                "bbc_news_topics.jsonl",
                "cnndm_test_first500.jsonl",
                "reuters21578_places.jsonl",
            )
        )
    except FileNotFoundError as exc:
        print(f"error: {exc.filename} not found; pass the bench folder as the first argument")
        return 1
    config = parse_config({}, base=REPO, path=REPO / "config.toml", environ={})
    models = {
        "plain": theme_model(config.themes, []),
        "self-trained": theme_model(config.themes, [], corpus=[_text(r) for r in bbc[:1200]]),
        "labelled": theme_model(
            config.themes,
            [(_text(r), [r["label"]]) for r in bbc[1200:1500]],
            corpus=[_text(r) for r in reuters[:800]],
        ),
    }
    outputs: dict[str, Any] = {"fingerprints": [m.fingerprint for m in models.values()]}
    for name, model in models.items():
        enricher = Enricher(config.summary, config.regions, model)
        done: list[Any] = []
        for row in [*bbc, *(reuters if name == "plain" else [])]:
            done.append(_fields(enricher.enrich(_article(row, titled=True))))
            done.append(_fields(enricher.enrich(_article(row, titled=False))))
        if name == "plain":
            for row in cnn:
                done.append(_fields(enricher.enrich(_article(row, titled=False))))
                done.append(summary_sentences([row["text"]], sentences=3))
                done.append(
                    summary_sentences(
                        [row["text"]], title="News of the day", description=row["text"][:300]
                    )
                )
        outputs[name] = done
        sample = [*bbc[::7], *reuters[::7]]
        outputs[f"{name} confidences"] = [model.confidences(_text(r)) for r in sample]
    text = json.dumps(outputs, sort_keys=True)
    if dump is not None:
        dump.write_text(text, encoding="utf-8")
    print(f"outputs fingerprint: {hashlib.sha256(text.encode()).hexdigest()[:16]}")

    enricher = Enricher(config.summary, config.regions, models["plain"])
    untitled = [_article(row, titled=False) for row in bbc]
    fastest = float("inf")
    for _ in range(PASSES):
        started = time.process_time()
        for article in untitled:
            enricher.enrich(article)
        fastest = min(fastest, time.process_time() - started)
    print(
        f"summarise + infer (Enricher.enrich): {len(untitled) / fastest:.0f} documents/s "
        f"of CPU time, one core (best of {PASSES} passes)"
    )
    return 0


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _text(row: dict[str, Any]) -> str:
    return f"{row['title']}\n{row['text']}"


def _article(row: dict[str, Any], *, titled: bool) -> Article:
    paragraphs = tuple(p.strip() for p in row["text"].split("\n\n") if p.strip())
    return Article(
        format="plain", title=row.get("title") if titled else None, paragraphs=paragraphs
    )


def _fields(done: Enriched) -> list[Any]:
    return [done.title, done.summary, done.regions.names, done.themes.names]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
