"""The command line: the only module that parses arguments or prints."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from digest import __version__
from digest.app import App, BuildResult, make_app
from digest.config import Config, config_path, load_config
from digest.errors import ConfigError, DigestError
from digest.lease import Lease
from digest.lock import StateLock
from digest.text import printable

COMMANDS = {
    "build": "ingest the seeds folder incrementally and write every feed",
    "send": "build, then send the digest that is due",
    "status": "show published documents, rejected files, last build and digests",
    "run": "watch the seeds folder, republish on every change, send digests on schedule",
    "serve": "serve the feeds folder over HTTP",
    "subscribers": "list, add, remove, import or export the digest's subscribers",
    "migrate-state": "copy the SQLite state into an empty PostgreSQL database (--to URL)",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # Options shared by every subcommand default to "not given" so that a value
    # before the command is not overwritten by the subcommand's own default.
    args.config = getattr(args, "config", None)
    args.verbose = getattr(args, "verbose", 0)
    try:
        config = load_config(config_path(args.config, os.environ))
        if args.command in _READS_SEEDS:
            _check_seeds(config)
        if args.command in _DAEMONS:
            return _DAEMONS[args.command](config, args)
        with _lock(config, args.command) as lease:
            app = make_app(config, lease=lease)
            try:
                handler = _HANDLERS[args.command]
                return handler(app, args)
            finally:
                app.close()
    except DigestError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output (head, less) went away: nothing is wrong here.
        # Point stdout at /dev/null so the interpreter's final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        # A full disk or a read-only folder met where no step foresaw it: still
        # one line that says which file and why.
        where = f"{printable(str(exc.filename))}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


# Commands that change the state take its lock; one waits this long for
# another build or send to finish before giving up.
LOCK_WAIT = 10.0


def _lock(config: Config, command: str) -> AbstractContextManager[Lease | None]:
    if command in ("build", "send"):
        return _leading(config, command)
    return nullcontext()


@contextmanager
def _leading(config: Config, command: str) -> Iterator[Lease]:
    """The state lock, then the lease: instances on other machines publish and send too."""
    from digest.daemon.leader import Leadership, lead_or_refuse

    with StateLock(config.paths.state, command, wait=LOCK_WAIT):
        leadership = Leadership(config)
        lead_or_refuse(config, leadership, command, wait=LOCK_WAIT)
        try:
            yield leadership.lease
        finally:
            leadership.stop()


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
    send = sub.add_parser(
        "send", help=COMMANDS["send"], description=COMMANDS["send"], parents=[common]
    )
    send.add_argument(
        "--now",
        action="store_true",
        help="send what is new since the last digest, whatever the schedule",
    )
    send.add_argument(
        "--dry-run",
        action="store_true",
        help="write the messages to the outbox and mark nothing sent",
    )
    status = sub.add_parser(
        "status", help=COMMANDS["status"], description=COMMANDS["status"], parents=[common]
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    run = sub.add_parser("run", help=COMMANDS["run"], description=COMMANDS["run"], parents=[common])
    run.add_argument("--once", action="store_true", help="do one pass of everything, then exit")
    serve = sub.add_parser(
        "serve", help=COMMANDS["serve"], description=COMMANDS["serve"], parents=[common]
    )
    serve.add_argument("--host", help="address to listen on (default: [server] host)")
    serve.add_argument("--port", type=int, help="port to listen on (default: [server] port)")
    _subscribers_parser(sub, common)
    return parser


def _subscribers_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    what = COMMANDS["subscribers"]
    subscribers = sub.add_parser("subscribers", help=what, description=what, parents=[common])
    actions = subscribers.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", help="every subscriber with status and preferences", parents=[common]
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    add = actions.add_parser(
        "add", help="add a confirmed subscriber (no confirmation mail)", parents=[common]
    )
    add.add_argument("address")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--region", action="append", default=[], help="only this region (repeatable)")
    add.add_argument("--theme", action="append", default=[], help="only this theme (repeatable)")
    remove = actions.add_parser("remove", help="unsubscribe an address", parents=[common])
    remove.add_argument("address")
    imports = actions.add_parser(
        "import",
        help="add or update subscribers from a CSV file (columns address, name, regions, themes)",
        parents=[common],
    )
    imports.add_argument("file", metavar="FILE.csv")
    actions.add_parser("export", help="every subscriber as CSV on stdout", parents=[common])
    what = COMMANDS["migrate-state"]
    migrate = sub.add_parser("migrate-state", help=what, description=what, parents=[common])
    migrate.add_argument(
        "--to", required=True, metavar="URL", help="postgresql://USER@HOST:PORT/DBNAME, empty"
    )
    migrate.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        help="the SQLite file to copy (default: the one the configuration names)",
    )


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
    # Rejections are warnings (stderr); the report itself is the command's
    # output, so `digest build > log` keeps it.
    for rejection in result.rejected:
        print(
            f"rejected: {printable(rejection.path)}: {printable(rejection.reason)}", file=sys.stderr
        )
    for path, warning in result.warnings:
        print(f"warning: {printable(path)}: {printable(warning)}", file=sys.stderr)
    print(result.line(), flush=True)


def _check_seeds(config: Config) -> None:
    """A missing seeds folder stops the command before anything is created."""
    seeds = config.paths.seeds
    if not seeds.is_dir():
        problem = "not a folder" if seeds.exists() else "folder not found"
        raise ConfigError("paths.seeds", f"{problem}: {seeds}; create it or set [paths] seeds")


def _build(app: App, args: argparse.Namespace) -> int:
    bar = _Bar()
    try:
        result = app.build(progress=bar)
    finally:
        bar.close()
    _report(result)
    return 0


def _send(app: App, args: argparse.Namespace) -> int:
    _build(app, args)
    report = app.send(force=args.now, dry_run=args.dry_run)
    print(report.line())
    for problem in report.problems():
        print(printable(problem), file=sys.stderr)
    for path in report.written:
        print(f"wrote {printable(str(path))}")
    return 1 if report.undelivered else 0


def _status(app: App, args: argparse.Namespace) -> int:
    status = app.status()
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    print(f"documents published: {len(status['documents'])}")
    for doc in status["documents"]:
        regions = ", ".join(doc["regions"]) + (" (inferred)" if doc["regions_inferred"] else "")
        themes = ", ".join(doc["themes"]) + (" (inferred)" if doc["themes_inferred"] else "")
        print(f"  {printable(doc['path'])}: {printable(doc['title'])}")
        print(f"      {doc['published'][:10]} · {regions} · {themes}")
        for warning in doc["warnings"]:
            print(f"      warning: {printable(warning)}")
    print(f"files rejected: {len(status['rejected'])}")
    for rej in status["rejected"]:
        print(f"  {printable(rej['path'])}: {printable(rej['reason'])}")
    now = datetime.now(UTC)
    print(f"last build: {readable_time(status['last_build'], now) or 'never'}")
    print(f"last digest: {readable_time(status['last_digest'], now) or 'never'}")
    print(f"next digest: {readable_time(status['next_digest'], now) or 'not scheduled'}")
    print(f"daemon running: {'yes' if status['daemon_running'] else 'no'}")
    _print_instances(status, now)
    return 0


def _print_instances(status: dict[str, Any], now: datetime) -> None:
    lease = status["lease"]
    if lease is None:
        print("lease: not held (no instance publishes or sends)")
    else:
        since = readable_time(lease["since"], now)
        print(f"lease: {_instance(lease)}, since {since}")
    others = [i for i in status["instances"] if not i["leader"]]
    if others:
        print(f"other instances: {len(others)}")
    for i in others:
        state = "following" if i["alive"] else "silent"
        print(f"  {_instance(i)}: {state}, last heard {readable_time(i['heartbeat'], now)}")


def _instance(entry: dict[str, Any]) -> str:
    if "host" not in entry:
        return f"instance {printable(entry['name'])}"
    return f"{printable(entry['name'])} (host {printable(entry['host'])}, pid {entry['pid']})"


def readable_time(stamp: str | None, now: datetime) -> str | None:
    """An RFC 3339 time as people read it: 'Fri 10 Jan 2025 08:00 UTC (2 hours ago)'."""
    if not stamp:
        return None
    when = datetime.fromisoformat(stamp)
    offset = when.utcoffset()
    zone = "UTC" if not offset else when.strftime("UTC%z")
    return f"{when:%a %-d %b %Y %H:%M} {zone} ({_relative(when - now)})"


def _relative(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    span = abs(seconds)
    if span < 60:
        return "just now"
    unit, size = next(
        (u, n) for u, n in (("day", 86400), ("hour", 3600), ("minute", 60)) if span >= n
    )
    count = int(span // size)
    amount = f"{count} {unit}{'s' if count != 1 else ''}"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def _subscribers(app: App, args: argparse.Namespace) -> int:
    from digest.subscribers.manage import Subscribers

    book = Subscribers(app.config, app.store, app.now)
    if args.action == "list":
        everyone = book.all()
        if args.json:
            print(json.dumps([s.as_json() for s in everyone], ensure_ascii=False, indent=2))
            return 0
        for s in everyone:
            wants = " · ".join(", ".join(names) for names in (s.regions, s.themes) if names)
            print(f"{s.address}\t{s.status}\t{printable(wants) or 'everything'}")
        print(f"{len(everyone)} subscriber{'s' * (len(everyone) != 1)}", file=sys.stderr)
    elif args.action == "add":
        added = book.add(args.address, args.region, args.theme, args.name)
        print(f"{added.address}: {added.status}")
    elif args.action == "remove":
        print(f"{book.remove(args.address).address}: unsubscribed")
    elif args.action == "import":
        try:
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise DigestError(f"{args.file}: cannot read: {exc}") from None
        result = book.import_csv(text)
        for line, reason in result.rejected:
            print(f"rejected: {args.file}:{line}: {printable(reason)}", file=sys.stderr)
        print(result.line())
    else:
        sys.stdout.write(book.export_csv())
    return 0


_HANDLERS = {"build": _build, "send": _send, "status": _status, "subscribers": _subscribers}
_READS_SEEDS = {"build", "send", "run"}


# The long-running commands. They get the configuration, not an App: the daemon
# opens its App on its worker thread (SQLite connections stay on their thread),
# and `serve` needs no state at all. Their modules are imported here, not at the
# top, so the watcher and server libraries do not slow down the other commands.
# `migrate-state` is among them because it opens two databases of its own.


def _run(config: Config, args: argparse.Namespace) -> int:
    from digest.daemon.run import run, run_once
    from digest.logs import setup_logging

    setup_logging(args.verbose)
    if args.once:
        return run_once(config)
    return run(config, lambda: load_config(config.path), os.environ.get("NOTIFY_SOCKET"))


def _serve(config: Config, args: argparse.Namespace) -> int:
    from digest.logs import setup_logging
    from digest.serve import serve
    from digest.subscribers.web import subscriber_routes

    setup_logging(args.verbose)
    server = config.server
    if args.host is not None:
        server = replace(server, host=args.host)
    if args.port is not None:
        if not 0 <= args.port <= 65535:
            raise ConfigError("--port", f"expected a port number 0-65535, got {args.port}")
        server = replace(server, port=args.port)

    def ready(url: str) -> None:
        print(f"landing page: {url} (Ctrl-C stops the server)", flush=True)

    return serve(
        server,
        config.paths.feeds,
        os.environ.get("NOTIFY_SOCKET"),
        ready=ready,
        routes=subscriber_routes(config),
    )


def _migrate_state(config: Config, args: argparse.Namespace) -> int:
    from digest.engines import is_postgresql
    from digest.store import Store

    if not is_postgresql(args.to):
        raise ConfigError("--to", f"expected postgresql://USER@HOST:PORT/DBNAME, got {args.to!r}")
    database = config.paths.database
    # The source: --from, else the configuration's SQLite file, also when
    # DIGEST_DATABASE_URL already points at the new database.
    source = Path(args.source) if args.source else database
    if not isinstance(source, Path):
        source = config.paths.state / "state.sqlite3"
    if not source.is_file():
        raise DigestError(f"{source}: no state database to copy (pass --from PATH)")
    # No build or send may write the file while it is copied.
    with (
        StateLock(config.paths.state, "migrate-state", wait=LOCK_WAIT),
        closing(Store(source)) as old,
        closing(Store(args.to)) as new,
    ):
        counts = old.copy_into(new)
    for table, count in counts.items():
        print(f"{table}: {count}")
    print(f"copied {sum(counts.values())} rows from {source} into {new.where}")
    print(
        "point [paths].database (or DIGEST_DATABASE_URL) at it; the SQLite file stays in place",
        file=sys.stderr,
    )
    return 0


_DAEMONS = {"run": _run, "serve": _serve, "migrate-state": _migrate_state}
