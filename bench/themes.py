"""Theme inference with the shipped taxonomy on the BBC topics corpus, and a short-item proxy.

    python bench/themes.py [BENCH_DIR]       # default: ../shared/bench beside the repo

Reads `bbc_news_topics.jsonl`, drops duplicate bodies, and splits the rest in two halves
by a hash of each id: the tuning half (every weight and threshold was chosen on it) and
the held-out half, the headline figure. Each half is classified as `digest build` would
classify a folder of unlabelled documents: the shipped taxonomy, no labels, and
self-training over that half's own documents.

BBC's five labels map one-to-one onto shipped themes (LABELS below); a document filed
under any other shipped theme (Law & Justice for a fraud trial the BBC files under
business, say) or left "Unclassified" counts as wrong.

The short-item proxy was never tuned on: titles with the first two sentences of the
held-out BBC half (business, politics, sport, tech) and of 400 Reuters-21578 stories
(all business wire), scored on four coarse classes (COARSE below). It stands in for
held-out four-class wire news, which is measured outside the project.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.enrich.themes import ThemeModel, default_aliases, default_taxonomy  # noqa: E402
from digest.model import UNCLASSIFIED  # noqa: E402

DEFAULT_BENCH = ROOT.parent / "shared" / "bench"
CORPUS = "bbc_news_topics.jsonl"
REUTERS = "reuters21578_places.jsonl"
LABELS = {
    "business": "Economy & Trade",
    "entertainment": "Society & Culture",
    "politics": "Politics & Elections",
    "sport": "Sport",
    "tech": "Science & Technology",
}
# Four wire-news classes, and the shipped themes each one takes in.
COARSE = {
    "Economy & Trade": "business",
    "Energy": "business",
    "Sport": "sport",
    "Science & Technology": "sci/tech",
    "Health": "sci/tech",
    "Climate & Environment": "sci/tech",
    "Politics & Elections": "world",
    "Conflict & Defense": "world",
    "Intelligence": "world",
    "Law & Justice": "world",
    "Society & Culture": "world",
}
BBC_COARSE = {"business": "business", "politics": "world", "sport": "sport", "tech": "sci/tech"}
REUTERS_ITEMS = 400
SEED = 20250110
LABELLED_SHARE = 0.10
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")

Doc = tuple[str, str, str]  # (title, body, gold label)


def main(argv: Sequence[str]) -> int:
    bench = Path(argv[0]) if argv else DEFAULT_BENCH
    if not (bench / CORPUS).is_file():
        print(f"error: {bench / CORPUS} not found; pass the bench folder", file=sys.stderr)
        return 1
    tuning, held_out = load_bbc(bench / CORPUS)
    taxonomy = default_taxonomy()
    print(
        f"{len(tuning) + len(held_out)} BBC documents after dropping duplicate bodies: "
        f"{len(tuning)} tuning, {len(held_out)} held out; shipped taxonomy "
        f"({len(taxonomy)} themes, {sum(map(len, taxonomy.values()))} weighted terms)"
    )
    print("labels: " + ", ".join(f"{k} -> {v}" for k, v in LABELS.items()))

    print("\n(a) shipped taxonomy, no labels, self-training over each half's own documents")
    for name, docs in (("tuning half", tuning), ("held-out half", held_out)):
        print(f"\n{name}")
        report(docs, ThemeModel(taxonomy, corpus=[text_of(d) for d in docs]))
    print("\nheld-out half without self-training (descriptions alone)")
    report(held_out, ThemeModel(taxonomy))
    open_set(taxonomy, held_out)

    print(f"\n(b) held-out half, {LABELLED_SHARE:.0%} labelled as the BBC writes its labels")
    shuffled = random.Random(SEED).sample(held_out, len(held_out))
    cut = round(len(shuffled) * LABELLED_SHARE)
    labelled, rest = shuffled[:cut], shuffled[cut:]
    examples = [(text_of(d), (d[2],)) for d in labelled]
    model = ThemeModel(
        taxonomy, examples, aliases=default_aliases(), corpus=[text_of(d) for d in rest]
    )
    report(rest, model)

    if (bench / REUTERS).is_file():
        short_items(held_out, bench / REUTERS, taxonomy)
    speed(taxonomy, held_out)
    return 0


def load_bbc(path: Path) -> tuple[list[Doc], list[Doc]]:
    seen: set[str] = set()
    halves: tuple[list[Doc], list[Doc]] = ([], [])
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            halves[_half(row["id"])].append((row["title"], row["text"], row["label"]))
    return halves


def _half(doc_id: str) -> int:
    return int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 2


def text_of(doc: Doc) -> str:
    return f"{doc[0]}\n{doc[1]}"


def short_text(title: str, body: str) -> str:
    """A wire item: the headline and the first two sentences of the first paragraph."""
    first = body.strip().split("\n\n")[0] if body.strip() else ""
    return f"{title}\n{' '.join(_SENTENCE_END.split(first)[:2])}"


def report(docs: Sequence[Doc], model: ThemeModel) -> float:
    """Print per-theme precision/recall/F1 of the primary theme and return macro-F1."""
    predicted = [(model.infer(text_of(d)) or (UNCLASSIFIED,))[0] for d in docs]
    gold = [LABELS[d[2]] for d in docs]
    print(f"{'theme':<22}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    f1s = []
    for theme in LABELS.values():
        p, r, f1 = _prf(predicted, gold, theme)
        f1s.append(f1)
        print(f"{theme:<22}{p:>7.3f}{r:>7.3f}{f1:>7.3f}{gold.count(theme):>6}")
    macro = sum(f1s) / len(f1s)
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    unclassified = predicted.count(UNCLASSIFIED) / len(predicted)
    print(f"macro-F1 {macro:.3f}  accuracy {accuracy:.3f}  unclassified {unclassified:.1%}")
    return macro


def _prf(predicted: Sequence[str], gold: Sequence[str], label: str) -> tuple[float, float, float]:
    tp = sum(p == g == label for p, g in zip(predicted, gold, strict=True))
    n_pred, n_gold = predicted.count(label), gold.count(label)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def open_set(taxonomy: dict[str, dict[str, float]], docs: Sequence[Doc]) -> None:
    """Leave each theme out in turn: how many of its documents stay unclassified?"""
    left_out = []
    for label, missing in LABELS.items():
        kept = {name: terms for name, terms in taxonomy.items() if name != missing}
        model = ThemeModel(kept, corpus=[text_of(d) for d in docs])
        theirs = [text_of(d) for d in docs if d[2] == label]
        share = sum(not model.infer(text) for text in theirs) / len(theirs)
        left_out.append(f"{missing} {share:.0%}")
    print("left out of the taxonomy, share of its documents unclassified: " + ", ".join(left_out))


def short_items(
    held_out: Sequence[Doc], reuters: Path, taxonomy: dict[str, dict[str, float]]
) -> None:
    items = [
        (short_text(t, b), BBC_COARSE[label]) for t, b, label in held_out if label in BBC_COARSE
    ]
    rows = [json.loads(line) for line in reuters.open(encoding="utf-8")]
    rows = [r for r in rows if _half(r["id"]) == 1]
    for row in random.Random(SEED).sample(rows, REUTERS_ITEMS):
        items.append((short_text(row["title"], row["text"]), "business"))
    texts = [text for text, _ in items]
    model = ThemeModel(taxonomy, corpus=texts)
    predicted = [
        COARSE[found[0]] if (found := model.infer(text)) else UNCLASSIFIED for text in texts
    ]
    gold = [label for _, label in items]
    words = sum(len(text.split()) for text in texts) / len(texts)
    print(
        f"\n(c) short-item proxy, never tuned on: {len(items)} items "
        f"({len(items) - REUTERS_ITEMS} BBC held-out, {REUTERS_ITEMS} Reuters), "
        f"{words:.0f} words on average"
    )
    print("classes: " + "; ".join(
        f"{c} = {', '.join(t for t, k in COARSE.items() if k == c)}"
        for c in ("world", "business", "sport", "sci/tech")
    ))  # fmt: skip
    print(f"{'class':<10}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for label in ("world", "business", "sport", "sci/tech"):
        p, r, f1 = _prf(predicted, gold, label)
        print(f"{label:<10}{p:>7.3f}{r:>7.3f}{f1:>7.3f}{gold.count(label):>6}")
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    unclassified = predicted.count(UNCLASSIFIED) / len(predicted)
    print(f"accuracy {accuracy:.3f}  unclassified {unclassified:.1%}")


def speed(taxonomy: dict[str, dict[str, float]], docs: Sequence[Doc]) -> None:
    texts = [text_of(d) for d in docs]
    started = time.process_time()
    model = ThemeModel(taxonomy, corpus=texts)
    built = time.process_time() - started
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for text in texts:
            model.infer(text)
        best = min(best, time.process_time() - started)
    print(
        f"\nspeed (CPU time, one core): model build with self-training over {len(texts)} "
        f"documents {built:.2f} s; inference {len(texts) / best:,.0f} docs/s (best of 3)"
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
