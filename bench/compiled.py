"""What compiling the per-document modules with mypyc buys (issue 12).

    .venv/bin/python bench/compiled.py [--corpus SEEDS] [--docs N] [--rounds N]
                                       [--modules PATH ...] [--keep DIR]

Copies the `digest` package to a temporary folder and compiles the given modules there
with mypyc (the hot pure-Python modules of `digest.ingest.prepare` by default); nothing
in the checkout changes. Then it times the same documents in child processes, the
pure-Python package and the compiled copy alternating, each round: parsing
(decode + parse), summarising, inferring regions and the whole of `prepare`, in CPU
milliseconds per document (best of the rounds; every child skips its first 20 documents
and builds the region matcher before timing). Every child also fingerprints what it
produced (articles and enrichments) and the two variants must agree.

The corpus is the first N files of a seeds folder (`bench/perf.py --out DIR` writes one),
or N articles generated like bench/perf.py's when --corpus is not given. CPU time on a
shared machine is still noisy (other processes share the caches): compare the variants
within one run, and read the spread between rounds as the noise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HOT_MODULES = (
    "digest/enrich/summarize.py",
    "digest/enrich/cleanup.py",
    "digest/enrich/sentences.py",
    "digest/enrich/regions.py",
    "digest/formats/blocks.py",
    "digest/formats/newsmd.py",
    "digest/formats/dates.py",
    "digest/boilerplate.py",
)
STAGES = ("parse", "summarize", "regions", "prepare")
# The checkout's mypy settings for third-party packages without type information;
# the copy compiles outside the checkout, away from its pyproject.toml.
MYPY_INI = """\
[mypy]
python_version = 3.11
[mypy-feedgen.*,yagmail.*,apscheduler.*,nh3.*,tqdm.*,aiosmtpd.*,feedparser.*,premailer.*,lxml.*]
ignore_missing_imports = True
"""

# Runs in each child: time the stages over the corpus, fingerprint the outputs.
CHILD = r"""
import hashlib, json, sys, time
from pathlib import Path
import digest
from digest.config import parse_config
from digest.decode import decode
from digest.enrich.headline import derive_title
from digest.enrich.summarize import summarize
from digest.ingest import make_ingest, prepare
from digest.parse import parse

seeds, n = Path(sys.argv[1]), int(sys.argv[2])
config = parse_config({}, base=seeds, path=seeds / "config.toml", environ={})
ingest = make_ingest(config, None)
ingest.warm()
files = sorted(p for p in seeds.rglob("*") if p.is_file())[: n + 20]
jobs = [(str(p.relative_to(seeds)), p) for p in files]
for job in jobs[:20]:
    prepare(ingest, job)
jobs = jobs[20:]
data = [(rel, path.read_bytes()) for rel, path in jobs]
settings = config.summary
seconds = {}

def timed(name, work):
    started = time.process_time()
    result = work()
    seconds[name] = (time.process_time() - started) * 1000 / len(jobs)
    return result

articles = timed("parse", lambda: [parse(decode(d, r), r) for r, d in data])
titles = [
    a.title or derive_title(((a.standfirst,) if a.standfirst else ()) + tuple(a.paragraphs))[0]
    for a in articles
]
timed("summarize", lambda: [
    summarize(a.paragraphs, sentences=settings.sentences, max_chars=settings.max_chars,
              title=t, description=a.standfirst, exclude=None)
    for a, t in zip(articles, titles)
])
regions = ingest.enricher.regions
timed("regions", lambda: [regions.infer(t, a.text) for a, t in zip(articles, titles)])
results = timed("prepare", lambda: [prepare(ingest, job) for job in jobs])
print(json.dumps({
    "root": str(Path(digest.__file__).parent.parent),
    "compiled": sorted(
        name for name, module in sys.modules.items()
        if name.startswith("digest") and (getattr(module, "__file__", None) or "").endswith(".so")
    ),
    "ms": seconds,
    "fingerprint": hashlib.sha256(repr(results).encode()).hexdigest(),
}))
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="a seeds folder (default: generate one)")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modules", nargs="+", default=list(HOT_MODULES))
    parser.add_argument("--keep", type=Path, help="compile into DIR and leave it there")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="digest-compiled-") as tmp:
        work = args.keep or Path(tmp)
        seeds = args.corpus or _generate(work / "seeds", args.docs + 20)
        compiled = work / "compiled"
        try:
            seconds = _compile(compiled, args.modules)
        except subprocess.CalledProcessError as exc:
            tail = (exc.stdout + exc.stderr).decode(errors="replace").strip().splitlines()[-5:]
            print("error: mypyc failed (a C compiler and the Python headers are needed):")
            print("\n".join(tail))
            return 1
        print(f"mypyc: {len(args.modules)} modules compiled in {seconds:.0f} s (wall)")
        runs: dict[str, list[dict[str, float]]] = {"pure": [], "compiled": []}
        prints: dict[str, set[str]] = {"pure": set(), "compiled": set()}
        for round_ in range(args.rounds):
            order = ("pure", "compiled") if round_ % 2 == 0 else ("compiled", "pure")
            for name in order:
                root = REPO if name == "pure" else compiled
                out = _child(root, seeds, args.docs)
                expected = len(args.modules) if name == "compiled" else 0
                if out["root"] != str(root) or len(out["compiled"]) != expected:
                    print(f"error: the {name} child imported {out['root']}: {out['compiled']}")
                    return 1
                runs[name].append(out["ms"])
                prints[name].add(out["fingerprint"])
        _report(runs, args.docs)
        same = len(prints["pure"] | prints["compiled"]) == 1
        print(f"outputs: {'identical' if same else 'DIFFERENT'} between the two variants")
        return 0 if same else 1


def _generate(seeds: Path, n: int) -> Path:
    sys.path.insert(0, str(REPO / "bench"))
    from perf import seed_file, write_corpus

    write_corpus(seeds, n, seed_file)
    return seeds


def _compile(target: Path, modules: Sequence[str]) -> float:
    shutil.copytree(REPO / "digest", target / "digest", ignore=shutil.ignore_patterns("*.so"))
    (target / "mypy.ini").write_text(MYPY_INI, encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mypyc", *modules], cwd=target, check=True, capture_output=True
    )
    return time.perf_counter() - started


def _child(root: Path, seeds: Path, n: int) -> dict[str, Any]:
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-P", "-c", CHILD, str(seeds), str(n)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _report(runs: dict[str, list[dict[str, float]]], n: int) -> None:
    print(f"\nCPU ms per document, {n} documents, best (median) of {len(runs['pure'])} rounds")
    print("| stage | pure Python | compiled | speed-up (best) |")
    print("|---|---|---|---|")
    for stage in STAGES:
        pure = [r[stage] for r in runs["pure"]]
        comp = [r[stage] for r in runs["compiled"]]
        print(
            f"| {stage} | {min(pure):.3f} ({statistics.median(pure):.3f}) "
            f"| {min(comp):.3f} ({statistics.median(comp):.3f}) | {min(pure) / min(comp):.2f}x |"
        )


if __name__ == "__main__":
    sys.exit(main())
