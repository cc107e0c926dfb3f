"""How long parsing takes: hostile repeated patterns, everyday documents, dates.

    .venv/bin/python bench/parse_speed.py [--size BYTES]

Prints seconds per hostile file (a pattern repeated to --size, default 1 MB, read
as .md, .txt and .html), documents per second for the test fixtures, and what a
date costs with dateutil and with dateparser (first call and after). Wall-clock
times on a shared machine: read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from digest.errors import DocumentError
from digest.formats.dates import read_date
from digest.parse import parse

HOSTILE = [
    "By [A](#) ", "[](", "![", "*a ", "_a", "<", "\\", "&amp;", "[](\n\n", "# a\n", "- a\n",
    "> a\n\n", "---\n", "a\n", "By A | Mar 2, 2025\n\n", "<a href=x>", "<p>a", "<div>",
]  # fmt: skip
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "docs"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    size = parser.parse_args().size

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
    spent = seconds(lambda: [parse(text, name) for _ in range(rounds) for name, text in docs])
    print(f"\n## Everyday documents\n\n{len(docs) * rounds / spent:,.0f} documents/s "
          f"({len(docs)} fixtures x {rounds})")  # fmt: skip

    print("\n## Dates (milliseconds a call)\n")
    first = seconds(lambda: read_date("Publié le 3 mars 2025", dayfirst=False))
    for label, text in [
        ("ISO 8601 (read here)", "2025-01-10T09:30:00Z"),
        ("English text (dateutil)", "Mar 2, 2025 9:15 AM PST"),
        ("other languages (dateparser)", "3 de marzo de 2025"),
    ]:
        spent = seconds(lambda t=text: [read_date(t, dayfirst=False) for _ in range(200)])
        print(f"{label:36} {spent / 200 * 1000:8.3f}")
    print(f"{'first foreign date (loads dateparser)':36} {first * 1000:8.1f}")


if __name__ == "__main__":
    main()
