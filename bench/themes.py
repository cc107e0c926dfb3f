"""Theme inference on the BBC topics corpus: keywords only, then with 10% labelled.

    python bench/themes.py [BENCH_DIR]       # default: ../shared/bench beside the repo

Reads `bbc_news_topics.jsonl`, drops duplicate bodies, and classifies every
document with the five-theme taxonomy in bench/bbc_themes.toml. A document
left "Unclassified" counts as wrong. Also prints how fast the model builds and
infers, and how a topic missing from the taxonomy is handled (the threshold's
job is to leave it unclassified rather than file it under a wrong theme).
"""

from __future__ import annotations

import json
import random
import sys
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

from digest.enrich.themes import ThemeModel
from digest.model import UNCLASSIFIED

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = REPO.parent / "shared" / "bench"
CORPUS = "bbc_news_topics.jsonl"
TAXONOMY = Path(__file__).resolve().parent / "bbc_themes.toml"
LABELS = {
    "business": "Business",
    "entertainment": "Entertainment",
    "politics": "Politics",
    "sport": "Sport",
    "tech": "Technology",
}
SEED = 20250110
LABELLED_SHARE = 0.10

Doc = tuple[str, str]  # (title + "\n" + body, gold theme)


def main(argv: Sequence[str]) -> int:
    bench = Path(argv[0]) if argv else DEFAULT_BENCH
    path = bench / CORPUS
    if not path.is_file():
        print(
            f"error: {path} not found; pass the bench folder: python bench/themes.py DIR",
            file=sys.stderr,
        )
        return 1
    docs = load(path)
    taxonomy = tomllib.loads(TAXONOMY.read_text(encoding="utf-8"))["themes"]["taxonomy"]
    print(f"{len(docs)} documents after dropping duplicate bodies; taxonomy {TAXONOMY.name}")

    print("\n(a) keywords only, no labelled documents")
    model = ThemeModel(taxonomy)
    report(model, docs)
    open_set(taxonomy, docs, [])

    print(f"\n(b) {LABELLED_SHARE:.0%} of documents labelled (seed {SEED}), the rest inferred")
    shuffled = random.Random(SEED).sample(docs, len(docs))
    cut = round(len(docs) * LABELLED_SHARE)
    labelled, rest = shuffled[:cut], shuffled[cut:]
    examples = [(text, (gold,)) for text, gold in labelled]
    started = time.perf_counter()
    model = ThemeModel(taxonomy, examples)
    print(f"model build with {len(examples)} examples: {time.perf_counter() - started:.3f} s")
    report(model, rest)
    open_set(taxonomy, rest, labelled)

    thousand = [(text, (gold,)) for text, gold in shuffled[:1000]]
    started = time.perf_counter()
    ThemeModel(taxonomy, thousand)
    print(f"\nmodel build with 1000 examples: {time.perf_counter() - started:.3f} s")
    return 0


def load(path: Path) -> list[Doc]:
    seen: set[str] = set()
    docs = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            docs.append((f"{row['title']}\n{row['text']}", LABELS[row["label"]]))
    return docs


def report(model: ThemeModel, docs: Sequence[Doc]) -> float:
    """Print per-theme precision/recall/F1 of the primary theme and return macro-F1."""
    started = time.perf_counter()
    predicted = [(model.infer(text) or (UNCLASSIFIED,))[0] for text, _ in docs]
    elapsed = time.perf_counter() - started
    gold = [g for _, g in docs]
    print(f"{'theme':<15}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    f1s = []
    for theme in LABELS.values():
        tp = sum(p == g == theme for p, g in zip(predicted, gold, strict=True))
        n_pred = predicted.count(theme)
        n_gold = gold.count(theme)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f1)
        print(f"{theme:<15}{p:>7.3f}{r:>7.3f}{f1:>7.3f}{n_gold:>6}")
    macro = sum(f1s) / len(f1s)
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    unclassified = predicted.count(UNCLASSIFIED) / len(predicted)
    print(f"macro-F1 {macro:.3f}  accuracy {accuracy:.3f}  unclassified {unclassified:.1%}")
    print(f"inference: {len(docs) / elapsed:,.0f} docs/s ({len(docs)} docs, {elapsed:.2f} s)")
    return macro


def open_set(taxonomy: dict[str, list[str]], docs: Sequence[Doc], labelled: Sequence[Doc]) -> None:
    """Leave each theme out in turn: how many of its documents stay unclassified?"""
    left_out = []
    for missing in LABELS.values():
        kept = {name: words for name, words in taxonomy.items() if name != missing}
        examples = [(text, (gold,)) for text, gold in labelled if gold != missing]
        model = ThemeModel(kept, examples)
        theirs = [text for text, gold in docs if gold == missing]
        share = sum(not model.infer(text) for text in theirs) / len(theirs)
        left_out.append(f"{missing} {share:.0%}")
    print("left out of the taxonomy, share unclassified: " + ", ".join(left_out))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
