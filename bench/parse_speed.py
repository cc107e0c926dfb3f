"""How long parsing takes: hostile repeated patterns, everyday documents, dates, a corpus.

    .venv/bin/python bench/parse_speed.py [--size BYTES] [--corpus DIR [--rounds N]]

Prints seconds per hostile file (a pattern repeated to --size, default 1 MB, read
as .md, .txt and .html), documents per second for the test fixtures, and what a
date costs with dateutil and with dateparser (first call and after). Wall-clock
times on a shared machine: read them as orders of magnitude.

With --corpus, it reads every file under DIR instead (such as the seeds folder
bench/perf.py writes) and prints documents per CPU second for each stage (read,
decode, parse) and for each format, and for the markdown bodies rendered by the
compiled renderer against markdown-it-py alone: best of --rounds (default 3).
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt

from digest.decode import decode
from digest.errors import DocumentError
from digest.formats import dates, markdown
from digest.formats.dates import read_date
from digest.formats.markdown import render_html
from digest.parse import parse

HOSTILE = [
    "By [A](#) ", "[](", "![", "*a ", "_a", "<", "\\", "&amp;", "[](\n\n", "# a\n", "- a\n",
    "> a\n\n", "---\n", "a\n", "By A | Mar 2, 2025\n\n", "<a href=x>", "<p>a", "<div>",
]  # fmt: skip
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "docs"


def forget() -> None:
    """Empty the parser's caches of lines and dates: they last as long as the process,
    and a document read again would find all of its own there."""
    dates._read_text.cache_clear()
    markdown._inline_text.cache_clear()


def fresh_parse(text: str, name: str) -> None:
    forget()
    parse(text, name)


def fresh_date(text: str) -> None:
    forget()
    read_date(text, dayfirst=False)


def seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def read_or_reject(text: str, name: str) -> str:
    try:
        parse(text, name)
    except DocumentError as exc:
        return f"rejected: {exc.reason}"
    return "read"


def cpu_seconds(run: Callable[[], object], rounds: int) -> float:
    """The least CPU time of `rounds` runs: the machine is shared, CPU time is the
    steadier measure, and the least is the one least disturbed."""
    best = float("inf")
    for _ in range(rounds):
        forget()
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def corpus(folder: Path, rounds: int) -> None:
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    blobs = [(str(p), p.read_bytes()) for p in paths]
    texts = [(name, decode(data, name)) for name, data in blobs]
    formats: dict[str, list[tuple[str, str]]] = {}
    for name, text in texts:
        try:
            formats.setdefault(parse(text, name).format, []).append((name, text))
        except DocumentError:
            formats.setdefault("rejected", []).append((name, text))
    # Whole markdown files, headers and all: close to the bodies the renderer gets.
    bodies = [text for name, text in texts if name.endswith(".md")]
    pure = MarkdownIt("commonmark")

    def parse_all(docs: list[tuple[str, str]]) -> None:
        for name, text in docs:
            with contextlib.suppress(DocumentError):
                parse(text, name)

    print(f"\n## Corpus: {len(paths):,} files under {folder} (documents per CPU second)\n")
    rows = [
        ("read", len(paths), lambda: [p.read_bytes() for p in paths]),
        ("decode", len(blobs), lambda: [decode(data, name) for name, data in blobs]),
        ("parse", len(texts), lambda: parse_all(texts)),
    ]
    rows += [
        (f"  parse {fmt}", len(docs), lambda d=docs: parse_all(d)) for fmt, docs in formats.items()
    ]
    rows += [
        ("markdown files, as rendered", len(bodies), lambda: [render_html(b) for b in bodies]),
        ("markdown files, markdown-it-py", len(bodies), lambda: [pure.render(b) for b in bodies]),
    ]
    for label, count, run in rows:
        print(f"{label:36} {count / cpu_seconds(run, rounds):10,.0f}  ({count:,} documents)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.corpus:
        corpus(args.corpus, args.rounds)
        return
    size = args.size

    print(f"## Hostile patterns repeated to {size:,} bytes (seconds)\n")
    print(f"{'pattern':24} {'.md':>6} {'.txt':>6} {'.html':>6}  outcome (.md)")
    for pattern in HOSTILE:
        text = pattern * (size // len(pattern))
        outcomes: list[str] = []
        times = []
        for name in ("doc.md", "doc.txt", "doc.html"):
            start = time.perf_counter()
            outcomes.append(read_or_reject(text, name))
            times.append(time.perf_counter() - start)
        cells = " ".join(f"{t:6.2f}" for t in times)
        print(f"{pattern!r:24} {cells}  {outcomes[0]}")

    docs = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.iterdir())]
    rounds = 50
    spent = seconds(lambda: [fresh_parse(text, name) for _ in range(rounds) for name, text in docs])
    print(f"\n## Everyday documents\n\n{len(docs) * rounds / spent:,.0f} documents/s "
          f"({len(docs)} fixtures x {rounds})")  # fmt: skip

    print("\n## Dates (milliseconds a call)\n")
    first = seconds(lambda: read_date("Publié le 3 mars 2025", dayfirst=False))
    for label, text in [
        ("ISO 8601 (read here)", "2025-01-10T09:30:00Z"),
        ("English text (dateutil)", "Mar 2, 2025 9:15 AM PST"),
        ("other languages (dateparser)", "3 de marzo de 2025"),
    ]:
        spent = seconds(lambda t=text: [fresh_date(t) for _ in range(200)])
        print(f"{label:36} {spent / 200 * 1000:8.3f}")
    print(f"{'first foreign date (loads dateparser)':36} {first * 1000:8.1f}")


if __name__ == "__main__":
    main()
