"""Extractive summaries on CNN/DailyMail: ROUGE against Lead-3, and speed.

    python bench/summaries.py [BENCH_DIR]          # default: ../shared/bench beside the repo
    python bench/summaries.py [BENCH_DIR] --tune   # also redo the parameter search

Reads `cnndm_test_first500.jsonl`. Lead-3 is the first three sentences by our own
splitter, measured in the same run; "digest" is `summary_sentences` at the same
three-sentence budget. Both are joined by newlines and scored with rouge-score
(R-1, R-2, R-Lsum F-measure with stemming, mean x100) on all rows, on rows 0-249
(never used for tuning) and on rows 250-499 (where the parameters were tuned).
Speed is `summarize` alone in one process (CPU time), ROUGE excluded.

Then, on `bbc_news_topics.jsonl` through the product's own enrichment (shipped
defaults, paragraphs split on blank lines, the corpus's titles as given):

- half quotations: the share of summaries holding a sentence with an unmatched double
  quotation mark (an odd number of `"`, or unequal numbers of `“` and `”`), that is a
  quotation cut by the splitter or continued from another paragraph;
- derived titles: the same documents without their titles, the share of derived titles
  ending in an ellipsis and of summaries repeating the sentence a title was made from;
- summarise + infer: documents per second of CPU time for `Enricher.enrich` (title,
  summary, regions, themes) on one core, the titles removed so that every field is derived.

Needs the `bench` extra (`pip install -e '.[bench]'`, for rouge-score).
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from digest.config import parse_config
from digest.enrich.cleanup import candidate_sentences, half_quoted
from digest.enrich.headline import derive_title
from digest.enrich.pipeline import Enricher, theme_model
from digest.enrich.sentences import split_sentences
from digest.enrich.summarize import (
    SCORING,
    Scoring,
    select,
    similarities,
    summarize,
    summary_sentences,
)
from digest.model import Article

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "bench"
CORPUS = "cnndm_test_first500.jsonl"
BBC = "bbc_news_topics.jsonl"
METRICS = ("rouge1", "rouge2", "rougeLsum")
BUDGET = 3
REPEATS = 3
TUNE_ROWS = slice(250, 500)
PARTS = (("all", slice(0, 500)), ("0-249", slice(0, 250)), ("250-499", TUNE_ROWS))
GRID = {
    "threshold": (0.0, 0.1, 0.3),
    "backward": (-2.0, -1.0, -0.5, 0.0),
    "lead": (0.5, 0.75, 1.0, 2.0),
    "decay": (0.5, 1.0),
    "quote": (0.0, 0.2, 0.4),
    "length": (0.0, 0.1, 0.2),
}

Row = dict[str, str]
Summarizer = Callable[[str], list[str]]


def main(argv: Sequence[str]) -> int:
    paths = [arg for arg in argv if not arg.startswith("--")]
    bench = Path(paths[0]) if paths else DEFAULT_BENCH
    path = bench / CORPUS
    if not path.is_file():
        print(f"error: {path} not found; pass the bench folder: python bench/summaries.py DIR")
        return 1
    try:
        from rouge_score import rouge_scorer
    except ImportError:
        print("error: rouge-score is not installed; pip install -e '.[bench]'")
        return 1
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)

    scoring = tune(rows[TUNE_ROWS], scorer) if "--tune" in argv else SCORING
    print(f"{len(rows)} documents; budget {BUDGET} sentences; parameters {asdict(scoring)}")
    systems: dict[str, Summarizer] = {
        "Lead-3": lambda text: split_sentences(text)[:BUDGET],
        "digest": lambda text: summary_sentences([text], sentences=BUDGET, scoring=scoring),
    }
    print(f"\n{'system':<8} {'rows':<9} {'R-1':>6} {'R-2':>6} {'R-Lsum':>6}")
    for name, system in systems.items():
        outputs = [system(row["text"]) for row in rows]
        for label, part in PARTS:
            means = rouge(scorer, rows[part], outputs[part])
            print(f"{name:<8} {label:<9} " + " ".join(f"{m:6.2f}" for m in means))

    texts = [row["text"] for row in rows]
    rate = throughput(lambda text: summarize([text], sentences=BUDGET), texts)
    print(f"\nsummarize: {rate:.0f} documents/s of CPU time (best of {REPEATS} passes)")
    rate = throughput(split_sentences, texts)
    print(f"split_sentences: {rate:.0f} documents/s of CPU time (best of {REPEATS} passes)")
    if (bench / BBC).is_file():
        enrichment(bench / BBC)
    else:
        print(f"\n{bench / BBC} not found: BBC figures skipped")
    return 0


def enrichment(path: Path) -> None:
    """Half quotations, derived titles and enrichment speed on BBC news."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    config = parse_config({}, base=REPO, path=REPO / "config.toml", environ={})
    enricher = Enricher(config.summary, config.regions, theme_model(config.themes, []))
    titled = [_article(row, with_title=True) for row in rows]
    untitled = [_article(row, with_title=False) for row in rows]
    half = sum(_half_quoted(enricher.enrich(article).summary) for article in titled)
    print(f"\nBBC news, {len(rows)} documents, shipped defaults")
    print(f"summaries holding half a quotation: {half} ({100 * half / len(rows):.1f}%)")
    ellipsis = repeated = 0
    for article in untitled:
        done = enricher.enrich(article)
        _, lead = derive_title(article.paragraphs)
        ellipsis += done.title.endswith(("…", "..."))
        repeated += lead is not None and lead in done.summary
    print(
        f"derived titles ending in an ellipsis: {ellipsis}; "
        f"summaries repeating the title's sentence: {repeated}"
    )
    rate = throughput(enricher.enrich, untitled)
    print(f"summarise + infer (Enricher.enrich): {rate:.0f} documents/s of CPU time, one core")


def _article(row: Row, *, with_title: bool) -> Article:
    paragraphs = tuple(p.strip() for p in row["text"].split("\n\n") if p.strip())
    return Article(
        format="plain", title=row["title"] if with_title else None, paragraphs=paragraphs
    )


def _half_quoted(summary: str) -> bool:
    # Unbalanced as a whole, or in any one sentence (two halves may balance each other).
    return half_quoted(summary) or any(half_quoted(s) for s in split_sentences(summary))


def throughput(work: Callable[[Any], object], texts: Sequence[Any]) -> float:
    # CPU time of this process, best of a few passes: other processes sharing the
    # machine only ever slow a pass down.
    fastest = float("inf")
    for _ in range(REPEATS):
        started = time.process_time()
        for text in texts:
            work(text)
        fastest = min(fastest, time.process_time() - started)
    return len(texts) / fastest


def rouge(scorer: Any, rows: Sequence[Row], outputs: Sequence[list[str]]) -> tuple[float, ...]:
    totals = [0.0] * len(METRICS)
    for row, output in zip(rows, outputs, strict=True):
        scores = scorer.score(row["reference"], "\n".join(output))
        for k, metric in enumerate(METRICS):
            totals[k] += scores[metric].fmeasure
    return tuple(100 * total / len(rows) for total in totals)


def tune(rows: Sequence[Row], scorer: Any) -> Scoring:
    """Grid search on `rows` for the best mean of the three ROUGE figures."""
    print(f"tuning on {len(rows)} rows over {GRID}")
    documents = [candidate_sentences([row["text"]]) for row in rows]
    matrices = [similarities(candidates) for candidates in documents]
    memo: dict[tuple[int, tuple[int, ...]], tuple[float, ...]] = {}
    best: tuple[float, Scoring] = (-1.0, SCORING)
    for values in itertools.product(*GRID.values()):
        scoring = replace(SCORING, **dict(zip(GRID, values, strict=True)))
        totals = [0.0] * len(METRICS)
        for k, (row, candidates, matrix) in enumerate(zip(rows, documents, matrices, strict=True)):
            chosen = tuple(select(candidates, matrix, sentences=BUDGET, scoring=scoring))
            if (k, chosen) not in memo:
                summary = "\n".join(candidates[i] for i in chosen)
                scores = scorer.score(row["reference"], summary)
                memo[k, chosen] = tuple(scores[m].fmeasure for m in METRICS)
            totals = [t + f for t, f in zip(totals, memo[k, chosen], strict=True)]
        score = 100 * sum(totals) / len(METRICS) / len(rows)
        if score > best[0]:
            best = (score, scoring)
            print(f"  mean {score:.2f} with {asdict(scoring)}", flush=True)
    return best[1]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
