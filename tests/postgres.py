"""A throwaway PostgreSQL server for the tests: one cluster per test run, one database per test.

The cluster is made with Debian's `postgresql` package (binaries under
/usr/lib/postgresql/N/bin, or `initdb` on PATH): `initdb` into a temporary
folder, `pg_ctl start` listening on a unix socket in that folder and on
127.0.0.1 at a free port, `pg_ctl stop` when the session ends. Tests that ask for
it are skipped, saying why, only where no PostgreSQL can be found.

PostgreSQL refuses to run as root, so under root the folder is handed to the
`postgres` user the package creates (or `nobody`) and the server runs as that
user. Local connections are trusted; TCP connections need the password
`PASSWORD`, so a test can also see what a refused login looks like.

Fixtures (wired in tests/conftest.py):
- `postgres_cluster` (session): the running `Cluster`.
- `postgres_url`: a fresh, empty database for this test, as a URL of the form
  SPEC.md gives (`postgresql://postgres@/NAME?host=/socket/dir&port=N`).
- `store_location`: runs the test on each engine; a SQLite path or a PostgreSQL URL
  to open a Store on.
- `engine`: runs the test on each engine through DIGEST_DATABASE_URL, so configs
  loaded by the test and the processes it starts all use that engine.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from digest.config import DATABASE_ENV

SUPERUSER = "postgres"
PASSWORD = "digest-test"


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: the newest Debian version, else PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: _version_key(p.parent.parent.name),
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


class Cluster:
    """A running PostgreSQL server in its own temporary folder."""

    def __init__(self, bindir: Path, root: Path, user: str | None) -> None:
        self.bindir = bindir
        self.root = root  # holds data/, the socket and the server's log
        self.user = user  # the account the server runs as, when we are root
        self.port = 0
        self._names = itertools.count(1)

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, dbname: str = "postgres") -> str:
        """A URL reaching `dbname` through the unix socket, as the trusted superuser."""
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, dbname: str = "postgres", password: str = PASSWORD) -> str:
        """A URL reaching `dbname` over 127.0.0.1, where the password is checked."""
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database behind `url`, closing whatever a test left connected to it."""
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def start(self) -> None:
        data = self.root / "data"
        pwfile = self.root / "pwfile"
        pwfile.write_text(PASSWORD + "\n")
        self._give(pwfile)
        self._run(
            "initdb", "-D", str(data), "-U", SUPERUSER, "--pwfile", str(pwfile),
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-instructions",
        )  # fmt: skip
        # A free port can be taken between our probe and the server's bind: try a few.
        for _attempt in range(5):
            port = _free_port()
            options = (
                f"-k {self.root} -p {port} -c listen_addresses=127.0.0.1"
                # Nothing here outlives the session: durability would only cost time.
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                " -c max_connections=200"
            )
            started = self._run(
                "pg_ctl", "-D", str(data), "-l", str(self.root / "server.log"),
                "-o", options, "-w", "-t", "60", "start", check=False,
            )  # fmt: skip
            if started.returncode == 0:
                self.port = port
                return
        log = (self.root / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the test PostgreSQL server would not start:\n{log}")

    def stop(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop", check=False
        )

    def _give(self, path: Path) -> None:
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.bindir / tool), *args],
            user=self.user,
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({result.returncode}): {result.stderr or result.stdout}"
            )
        return result


def start_cluster() -> Cluster:
    """initdb and start a server in a new temporary folder; skip if PostgreSQL is missing."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL is not installed: no initdb under /usr/lib/postgresql/*/bin or on PATH"
            " (apt-get install postgresql; .ci/run does it where apt can run)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"psycopg cannot be imported ({exc}): pip install 'psycopg[binary]'")
    user = _server_user()
    # Not under pytest's own tmp folder: that one is private to root, and the
    # server's account must be able to reach its data folder.
    cluster = Cluster(bindir, Path(tempfile.mkdtemp(prefix="digest-pg-")), user)
    cluster._give(cluster.root)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(cluster.root, ignore_errors=True)
        raise
    return cluster


def _server_user() -> str | None:
    """The account to run the server as: None unless we are root, whom PostgreSQL refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    pytest.skip("running as root and neither a postgres nor a nobody account exists for initdb")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)


ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a Store opens, once on each engine: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "state.sqlite3"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test once on each engine: DIGEST_DATABASE_URL names a fresh PostgreSQL
    database on the second run (child processes inherit it), and is unset on the first."""
    if request.param == "sqlite":
        monkeypatch.delenv(DATABASE_ENV, raising=False)
    else:
        monkeypatch.setenv(DATABASE_ENV, request.getfixturevalue("postgres_url"))
    kind: str = request.param
    return kind
