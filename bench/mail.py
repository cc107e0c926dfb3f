"""Mail benchmark (issue 11): one digest to many subscribers, and kill -9 during the send.

    .venv/bin/python bench/mail.py [--subscribers 10000] [--sets 20] [--kills 3]

Sets up a state folder with 60 articles across regions and themes and N confirmed
subscribers spread over S distinct choices of regions and themes, starts a local
aiosmtpd server in its own process (it logs recipient and SHA-256 of every message it
accepts), and runs `Mailer.send` in a subprocess:

1. one clean send: wall time, the sender's peak RSS, messages delivered, and the state
   database's growth per delivered message (after a WAL checkpoint);
2. on a fresh copy of the same state, the sender is killed with SIGKILL at random
   moments (--kills times), then run to completion: every subscriber must have received
   the digest exactly once, or several byte-identical copies of one message.

Prints a markdown table against the targets. Nothing is written to the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from digest.config import load_config  # noqa: E402
from digest.store import Store  # noqa: E402
from digest.subscribers.model import Subscriber  # noqa: E402
from tests.factories import make_document  # noqa: E402

NOW = datetime(2025, 1, 11, 7, 30, tzinfo=UTC)
REGIONS = ("Europe", "Asia", "USA", "Sub-Saharan Africa", "South Asia")
THEMES = ("Energy", "Health", "Economy & Trade", "Conflict & Security")

SERVER = r"""
import hashlib, socket, sys, time
from aiosmtpd.controller import Controller
log = open(sys.argv[1], "a", buffering=1)
class Handler:
    async def handle_DATA(self, server, session, envelope):
        digest = hashlib.sha256(envelope.original_content).hexdigest()
        for rcpt in envelope.rcpt_tos:
            log.write(f"{rcpt} {digest}\n")
        return "250 OK"
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print(controller.port, flush=True)
while True:
    time.sleep(3600)
"""

SEND = r"""
import resource, sys, time
from datetime import datetime
from pathlib import Path
from digest.config import load_config
from digest.mail.service import Mailer
from digest.store import Store
config = load_config(Path(sys.argv[1]))
started = time.monotonic()
report = Mailer(config, Store(config.paths.state / "state.sqlite3"),
                lambda: datetime.fromisoformat(sys.argv[2])).send(force=True)
elapsed = time.monotonic() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{len(report.sent)} {len(report.failed)} {len(report.retry)} {elapsed:.2f} {rss:.1f}")
"""


def choices(sets: int) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    out: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())]
    for region in REGIONS:
        for theme in THEMES:
            out.append(((region,), (theme,)))
    return out[:sets]


def prepare(work: Path, port: int, subscribers: int, sets: int) -> Path:
    (work / "seeds").mkdir(parents=True)
    config_path = work / "config.toml"
    config_path.write_text(
        '[feed]\ntitle = "World Desk"\nbase_url = "https://news.example.org/"\n'
        '[digest]\nsender = "digest@example.org"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\ntimeout = 10\n'
    )
    config = load_config(config_path, environ={"DIGEST_SECRET": "bench-secret"})
    store = Store(config.paths.state / "state.sqlite3")
    rng = random.Random(11)
    with store.transaction():
        for n in range(60):
            doc = make_document(
                n, regions=(REGIONS[n % len(REGIONS)],), themes=(THEMES[n % len(THEMES)],)
            )
            store.put(
                replace(doc, first_seen=NOW - timedelta(hours=1 + n % 20)), size=1, mtime_ns=1
            )
        store.set_meta("digest_period_end", (NOW - timedelta(days=1)).isoformat())
        sets_list = choices(sets)
        for i in range(subscribers):
            regions, themes = sets_list[i % len(sets_list)]
            store.subscribers.put(
                Subscriber(
                    address=f"reader{i:05d}@example.org", id=f"id{i:05d}{rng.randrange(10**9)}",
                    status="confirmed", source="operator", created=NOW, updated=NOW,
                    confirmed=NOW, regions=regions, themes=themes,
                )
            )  # fmt: skip
    store.close()
    return config_path


def db_bytes(state: Path) -> int:
    store = Store(state / "state.sqlite3")
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return sum(p.stat().st_size for p in state.glob("state.sqlite3*"))


def sender(config_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SEND, str(config_path), NOW.isoformat()],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), "DIGEST_SECRET": "bench-secret"},
    )  # fmt: skip


def received(log: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for line in log.read_text().splitlines():
        rcpt, digest = line.split()
        out[rcpt].append(digest)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--sets", type=int, default=20)
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="digest-mail-bench-"))
    rows: list[tuple[str, str, str]] = []
    try:
        for name in ("clean", "killed"):
            log = root / f"{name}.log"
            log.touch()
            server = subprocess.Popen(
                [sys.executable, "-c", SERVER, str(log)], text=True, stdout=subprocess.PIPE
            )
            assert server.stdout is not None
            port = int(server.stdout.readline())
            try:
                work = root / name
                config_path = prepare(work, port, args.subscribers, args.sets)
                before = db_bytes(work / ".digest")
                if name == "clean":
                    run = sender(config_path)
                    out, err = run.communicate()
                    if run.returncode != 0:
                        raise SystemExit(err)
                    sent, failed, retry, elapsed, rss = out.split()
                    growth = (db_bytes(work / ".digest") - before) / max(int(sent), 1)
                    got = received(log)
                    rows += [
                        (f"{args.subscribers:,} subscribers, {args.sets} choices: delivered",
                         f"{sent} sent, {failed} failed, {retry} retrying; {len(got):,} received",
                         "all"),
                        ("time to send", f"{float(elapsed):.1f} s", "<= 100 s"),
                        ("sender peak RSS", f"{float(rss):.0f} MB", "<= 300 MB"),
                        ("state growth per delivered message", f"{growth:.0f} bytes", "<= 1 KB"),
                    ]  # fmt: skip
                    clean_elapsed = float(elapsed)
                    continue
                rng = random.Random(5)
                for _ in range(args.kills):
                    run = sender(config_path)
                    time.sleep(rng.uniform(0.2, max(clean_elapsed * 0.6, 0.5)))
                    run.kill()
                    run.wait()
                run = sender(config_path)
                out, err = run.communicate()
                if run.returncode != 0:
                    raise SystemExit(err)
                got = received(log)
                counts = Counter(len(v) for v in got.values())
                repeated = [r for r, v in got.items() if len(v) > 1]
                distinct = [r for r in repeated if len(set(got[r])) > 1]
                missing = args.subscribers - len(got)
                copies = dict(sorted(counts.items()))
                rows.append(
                    (f"kill -9 {args.kills} times during the send, then resend",
                     f"{len(got):,} received, {missing} missing; {len(repeated)} got a repeat, "
                     f"{len(distinct)} of them differing bytes (copies: {copies})",
                     "each once, or byte-identical copies"),
                )  # fmt: skip
            finally:
                server.kill()
                server.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("| measure | result | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(json.dumps({"cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
