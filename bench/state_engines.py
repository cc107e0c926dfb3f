"""The state database on SQLite and on PostgreSQL: builds timed as a user runs them.

    .venv/bin/python bench/state_engines.py [--docs 500] [--repeat 3]

Writes the synthetic corpus of bench/perf.py into a temporary project, then, on each
engine: a cold `digest build`, then no-change rebuilds (the median of --repeat),
each a real process. PostgreSQL is a throwaway local cluster (tests/postgres.py:
unix socket, fsync off, so it measures the engine's own work, not a disk's). Finally
`digest migrate-state` copies the SQLite state into an empty PostgreSQL database.
Wall and CPU seconds of the process; on a shared machine trust the CPU column more.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.perf import seed_file, write_corpus  # noqa: E402
from tests.postgres import start_cluster  # noqa: E402


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the child) and stdout of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    ran = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if ran.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {ran.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, ran.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digest-engines-"))
    cluster = start_cluster()
    try:
        write_corpus(work / "seeds", args.docs, seed_file)
        digest = [sys.executable, "-m", "digest", "--config", str(work / "config.toml")]
        rows = []
        for engine in ("sqlite", "postgresql"):
            env = dict(os.environ)
            env.pop("DIGEST_DATABASE_URL", None)
            if engine == "postgresql":
                env["DIGEST_DATABASE_URL"] = cluster.create_database()
            (work / "config.toml").write_text('[feed]\ntitle = "Bench"\n')
            shutil.rmtree(work / "feeds", ignore_errors=True)
            shutil.rmtree(work / ".digest", ignore_errors=True)
            cold = timed([*digest, "build"], work, env)
            again = [timed([*digest, "build"], work, env) for _ in range(args.repeat)]
            rows.append((engine, "cold build", cold[0], cold[1], cold[2]))
            rows.append((
                engine, "no-change build (median)",
                statistics.median(r[0] for r in again), statistics.median(r[1] for r in again),
                again[-1][2],
            ))  # fmt: skip
        # The SQLite state is gone with the loop's second pass: make it again to copy.
        env = {k: v for k, v in os.environ.items() if k != "DIGEST_DATABASE_URL"}
        shutil.rmtree(work / ".digest", ignore_errors=True)
        timed([*digest, "build"], work, env)
        target = cluster.create_database()
        copy = timed([*digest, "migrate-state", "--to", target], work, env)
        rows.append(("sqlite -> postgresql", "migrate-state", copy[0], copy[1], copy[2]))
        print(f"{args.docs} documents, {os.cpu_count()} CPUs, PostgreSQL at {cluster.bindir}")
        print(f"{'engine':<22}{'step':<28}{'wall s':>8}{'cpu s':>8}  output")
        for engine, step, wall, cpu, out in rows:
            last = out.splitlines()[-1] if out else ""
            print(f"{engine:<22}{step:<28}{wall:8.2f}{cpu:8.2f}  {last}")
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
