"""The command line: the only module that parses arguments or prints."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from digest import __version__
from digest.app import App, BuildResult, make_app
from digest.config import config_path, load_config
from digest.errors import DigestError

COMMANDS = {
    "build": "ingest the seeds folder incrementally and write every feed",
    "status": "show published documents, rejected files, last build and digests",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(config_path(args.config, os.environ))
        app = make_app(config)
        try:
            handler = _HANDLERS[args.command]
            return handler(app, args)
        finally:
            app.close()
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="configuration file (default: $DIGEST_CONFIG, else ./config.toml)",
    )
    common.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, help="log more (repeatable)"
    )
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Publish a folder of news articles as feeds and email digests.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("build", help=COMMANDS["build"], description=COMMANDS["build"], parents=[common])
    status = sub.add_parser(
        "status", help=COMMANDS["status"], description=COMMANDS["status"], parents=[common]
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(config=None, verbose=0)
    return parser


class _Bar:
    """A progress bar on a terminal, nothing otherwise."""

    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, total: int) -> None:
        if sys.stderr.isatty() and total > 1:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="doc", leave=False, file=sys.stderr)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _report(result: BuildResult) -> None:
    for rejection in result.rejected:
        print(f"rejected: {rejection.path}: {rejection.reason}", file=sys.stderr)
    print(result.line(), file=sys.stderr)


def _build(app: App, args: argparse.Namespace) -> int:
    bar = _Bar()
    try:
        result = app.build(progress=bar)
    finally:
        bar.close()
    _report(result)
    return 0


def _status(app: App, args: argparse.Namespace) -> int:
    status = app.status()
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    print(f"documents published: {len(status['documents'])}")
    for doc in status["documents"]:
        regions = ", ".join(doc["regions"]) + (" (inferred)" if doc["regions_inferred"] else "")
        themes = ", ".join(doc["themes"]) + (" (inferred)" if doc["themes_inferred"] else "")
        print(f"  {doc['path']}: {doc['title']}")
        print(f"      {doc['published'][:10]} · {regions} · {themes}")
    print(f"files rejected: {len(status['rejected'])}")
    for rej in status["rejected"]:
        print(f"  {rej['path']}: {rej['reason']}")
    print(f"last build: {status['last_build'] or 'never'}")
    print(f"last digest: {status['last_digest'] or 'never'}")
    print(f"next digest: {status['next_digest'] or 'not scheduled'}")
    print(f"daemon running: {'yes' if status['daemon_running'] else 'no'}")
    return 0


_HANDLERS = {"build": _build, "status": _status}
