"""Region inference against Reuters-21578 PLACES (ModApte test documents).

    python bench/regions.py [BENCH_DIR]      # default: ../shared/bench beside the repo

Each story is written as a plain-text file (headline, blank line, body) and goes through
the code path `digest build` runs for every file (`digest.ingest.prepare`: read, decode,
parse, enrich) with the shipped defaults, so the figure is what a reader would see. The
dateline is never written: it names the place outright. Gold countries map to regions
through the same default table the product ships. Figures are given for even and odd
document ids apart (the rules were tuned on the even half) and for all documents.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.config import parse_config  # noqa: E402
from digest.enrich.pipeline import theme_model  # noqa: E402
from digest.enrich.regions import RegionInferrer, default_regions  # noqa: E402
from digest.ingest import make_ingest, prepare  # noqa: E402
from digest.model import UNCLASSIFIED  # noqa: E402

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
    from_cues: int = 0

    def add(
        self, gold: frozenset[str], predicted: frozenset[str], mentioned: frozenset[str]
    ) -> None:
        self.docs += 1
        self.empty += not predicted
        self.tp.update(gold & predicted)
        self.fp.update(predicted - gold)
        self.fn.update(gold - predicted)
        self.unmentioned += len(gold - mentioned)
        self.from_cues += len((gold - mentioned) & predicted)


def main(argv: Sequence[str]) -> int:
    bench = Path(argv[0]) if argv else DEFAULT_BENCH
    path = bench / DATA
    if not path.is_file():
        print(f"error: {path} not found; pass the benchmark folder as the first argument")
        return 1
    regions = default_regions()
    cases = list(_read(path, regions))
    with tempfile.TemporaryDirectory() as folder:
        predictions = _through_build(cases, Path(folder))
    inferrer = RegionInferrer()
    elapsed = min(_pass_seconds(inferrer, cases) for _ in range(3))
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
    print(
        f"\nregion inference alone: {len(cases) / elapsed:,.0f} documents/s of CPU time"
        f" (best of 3 passes over {len(cases)} documents)"
    )
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


def _pass_seconds(inferrer: RegionInferrer, cases: Sequence[Case]) -> float:
    start = time.process_time()
    for case in cases:
        inferrer.infer(case.title, case.text)
    return time.process_time() - start


def _through_build(cases: Sequence[Case], folder: Path) -> list[frozenset[str]]:
    """The inferred regions of each story, as `digest build` files it (Unclassified: none)."""
    config = parse_config({}, base=folder, path=folder / "config.toml", environ={})
    ingest = make_ingest(config, theme_model(config.themes, ()))
    predictions = []
    for case in cases:
        relpath = f"{case.number}.txt"
        (folder / relpath).write_text(f"{case.title}\n\n{case.text}\n", encoding="utf-8")
        result = prepare(ingest, (relpath, folder / relpath))
        if not isinstance(result, tuple):
            raise SystemExit(f"error: story {case.number} was rejected: {result.reason}")
        _, enriched = result
        predictions.append(frozenset(enriched.regions.names) - {UNCLASSIFIED})
    return predictions


def _mentioned(case: Case, inferrer: RegionInferrer, regions: dict[str, str]) -> frozenset[str]:
    """Regions of every country a place in the text names, before weighting and cues."""
    codes = {code for m in inferrer.mentions(case.title, case.text) for code in m.place.codes}
    return frozenset(regions[c] for c in codes if c in regions)


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
        f"  gold regions no place names {tally.unmentioned}/{gold}"
        f" ({tally.unmentioned / gold:.1%}; found from cues {tally.from_cues})"
    )


def _per_region(tally: Tally) -> None:
    print(f"\n{'region':<28}{'support':>8}{'P':>7}{'R':>7}{'F1':>7}")
    for region in sorted(set(tally.tp) | set(tally.fn) | set(tally.fp)):
        tp, fp, fn = tally.tp[region], tally.fp[region], tally.fn[region]
        precision, recall, f1 = _prf(tp, fp, fn)
        print(f"{region:<28}{tp + fn:>8}{precision:>7.3f}{recall:>7.3f}{f1:>7.3f}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
