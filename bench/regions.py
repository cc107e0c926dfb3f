"""Region inference against Reuters-21578 PLACES (ModApte test documents).

    python bench/regions.py [BENCH_DIR]      # default: ../shared/bench beside the repo

Gold countries map to regions through the same default table the product ships. The
dateline is never shown to the inferrer: it names the place outright. Figures are
given for even and odd document ids apart (the rules were tuned on the even half)
and for all documents.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.enrich.regions import RegionInferrer, default_regions  # noqa: E402

DATA = "reuters21578_places.jsonl"
DEFAULT_BENCH = ROOT.parent / "shared" / "bench"


@dataclass(frozen=True, slots=True)
class Case:
    number: int
    title: str
    text: str
    gold: frozenset[str]
    gold_countries: frozenset[str]


@dataclass(slots=True)
class Tally:
    docs: int = 0
    empty: int = 0
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    unmentioned: int = 0

    def add(
        self, gold: frozenset[str], predicted: frozenset[str], mentioned: frozenset[str]
    ) -> None:
        self.docs += 1
        self.empty += not predicted
        self.tp.update(gold & predicted)
        self.fp.update(predicted - gold)
        self.fn.update(gold - predicted)
        self.unmentioned += len(gold - mentioned)


def main(argv: Sequence[str]) -> int:
    bench = Path(argv[0]) if argv else DEFAULT_BENCH
    path = bench / DATA
    if not path.is_file():
        print(f"error: {path} not found; pass the benchmark folder as the first argument")
        return 1
    regions = default_regions()
    cases = list(_read(path, regions))
    inferrer = RegionInferrer()
    start = time.perf_counter()
    predictions = [frozenset(inferrer.infer(c.title, c.text)) for c in cases]
    elapsed = time.perf_counter() - start
    mentioned = [_mentioned(c, inferrer, regions) for c in cases]

    halves = {"even ids (tuning)": 0, "odd ids (held out)": 1}
    for label, parity in halves.items():
        tally = _tally(
            (c, p, m) for c, p, m in zip(cases, predictions, mentioned, strict=True)
            if c.number % 2 == parity
        )  # fmt: skip
        _summary(label, tally)
    everything = _tally(zip(cases, predictions, mentioned, strict=True))
    _summary("all documents", everything)
    _per_region(everything)
    print(f"\nspeed: {len(cases) / elapsed:,.0f} docs/s ({len(cases)} docs in {elapsed:.2f} s)")
    return 0


def _read(path: Path, regions: dict[str, str]) -> Iterable[Case]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            countries = frozenset(row["countries"])
            yield Case(
                number=int(row["id"].rsplit("/", 1)[-1]),
                title=row["title"],
                text=row["text"],
                gold=frozenset(regions[c] for c in countries if c in regions),
                gold_countries=countries,
            )


def _mentioned(case: Case, inferrer: RegionInferrer, regions: dict[str, str]) -> frozenset[str]:
    """Regions of every country the text names at all, before weighting: a recall ceiling."""
    return frozenset(regions[c] for c in inferrer.weights(case.title, case.text) if c in regions)


def _tally(rows: Iterable[tuple[Case, frozenset[str], frozenset[str]]]) -> Tally:
    tally = Tally()
    for case, predicted, mentioned in rows:
        tally.add(case.gold, predicted, mentioned)
    return tally


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _summary(label: str, tally: Tally) -> None:
    tp, fp, fn = (sum(c.values()) for c in (tally.tp, tally.fp, tally.fn))
    precision, recall, f1 = _prf(tp, fp, fn)
    gold = tp + fn
    print(
        f"{label:<20} docs {tally.docs:>5}  P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}"
        f"  no prediction {tally.empty / tally.docs:.1%}"
        f"  gold regions not named in text {tally.unmentioned}/{gold}"
        f" ({tally.unmentioned / gold:.1%}, recall ceiling {1 - tally.unmentioned / gold:.3f},"
        f" recall of named regions {tp / (gold - tally.unmentioned):.3f})"
    )


def _per_region(tally: Tally) -> None:
    print(f"\n{'region':<28}{'support':>8}{'P':>7}{'R':>7}{'F1':>7}")
    for region in sorted(set(tally.tp) | set(tally.fn) | set(tally.fp)):
        tp, fp, fn = tally.tp[region], tally.fp[region], tally.fn[region]
        precision, recall, f1 = _prf(tp, fp, fn)
        print(f"{region:<28}{tp + fn:>8}{precision:>7.3f}{recall:>7.3f}{f1:>7.3f}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
