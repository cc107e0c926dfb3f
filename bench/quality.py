"""Every quality figure in one run: summaries (ROUGE vs Lead-3), regions, themes.

    python bench/quality.py [BENCH_DIR]      # default: ../shared/bench beside the repo

Needs the `bench` extra (`pip install -e '.[bench]'`, for rouge-score).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import regions
import summaries
import themes


def main(argv: list[str]) -> int:
    status = 0
    for name, module in (("Summaries", summaries), ("Regions", regions), ("Themes", themes)):
        print(f"\n## {name}\n", flush=True)
        status |= module.main(argv)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
