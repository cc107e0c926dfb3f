"""Serve the feeds folder over HTTP: Starlette's StaticFiles behind gzip, run by uvicorn.

StaticFiles already does what a feed host needs: ETag and Last-Modified with 304
answers, HEAD, and refusing any path that resolves outside the folder (`..`,
percent-encoded or not, and symlinks pointing out). This module adds the feed
content types and runs the server on a thread, so the daemon can host it beside
its own work and `digest serve` can stop it cleanly on a signal.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path, PurePosixPath

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import NotModifiedResponse, PathLike, StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from digest.config import ServerSettings
from digest.daemon.notify import notify
from digest.daemon.signals import SignalWaiter
from digest.errors import DigestError
from digest.httpheaders import MISSING, cache_control, last_modified
from digest.logs import NOTICE

log = logging.getLogger("digest.serve")
access_log = logging.getLogger("digest.access")

ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
_BY_SUFFIX = {
    ".xml": ATOM,  # every XML file the build writes is Atom, except RSS's *.rss.xml
    ".json": "application/feed+json",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    # What browsers expect of an XSL stylesheet they apply to a feed.
    ".xsl": "text/xsl; charset=utf-8",
}


# A browser opening a feed asks for HTML first. Served as plain XML it applies
# the feed's XSL stylesheet and shows a page; as atom+xml or rss+xml it shows
# raw text or offers a download. Feed readers never ask for text/html.
BROWSER_XML = "application/xml; charset=utf-8"


def content_type(relpath: str, accept: str = "") -> str | None:
    """The Content-Type of a file in the feeds folder; None lets Starlette guess."""
    path = PurePosixPath(relpath)
    if path.name == "rss.xml" or path.name.endswith(".rss.xml"):
        kind: str | None = RSS
    else:
        kind = _BY_SUFFIX.get(path.suffix)
    if kind in (ATOM, RSS) and "text/html" in accept.lower():
        return BROWSER_XML
    return kind


class FeedFiles(StaticFiles):
    """StaticFiles with the content types feed readers expect."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True, follow_symlink=False)
        self._root = os.path.realpath(directory)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        # Dotfiles are not published: the build's staging files (`.atom.xml.*.tmp`),
        # possibly half-written or left by a killed build, above all.
        if any(part.startswith(".") for part in PurePosixPath(path.replace(os.sep, "/")).parts):
            return "", None
        return super().lookup_path(path)

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope,
        status_code: int = 200,
    ) -> Response:  # fmt: skip
        # The build replaces files by rename while readers fetch them. Streaming
        # by path after a separate stat could mix the old size with the new
        # bytes, so the body, its length and its validators all come from one
        # open file. Every file here is small enough to read whole.
        relpath = Path(os.path.relpath(full_path, self._root)).as_posix()
        try:
            with open(full_path, "rb") as stream:
                opened = os.fstat(stream.fileno())
                body = stream.read()
        except OSError:
            raise HTTPException(status_code=404) from None
        request = Headers(scope=scope)
        media_type = content_type(relpath, request.get("accept", ""))
        headers = FileResponse(full_path, stat_result=opened, media_type=media_type).headers
        if content_type(relpath) in (ATOM, RSS):
            headers["vary"] = "Accept"
        changed = last_modified(relpath, body, opened.st_mtime, datetime.now(UTC))
        headers["last-modified"] = formatdate(changed.timestamp(), usegmt=True)
        # Set before the 304 check: a 304 carries Cache-Control (and Vary) too.
        headers["cache-control"] = cache_control(relpath)
        if self.is_not_modified(headers, request):
            return NotModifiedResponse(headers)
        names = ("etag", "last-modified", "cache-control", "vary")
        kept = {k: headers[k] for k in names if k in headers}
        response = Response(body, status_code=status_code, headers=kept)
        response.headers["content-type"] = headers["content-type"]
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
            # No 404.html in the folder (nothing built yet): a plain page still.
            response = HTMLResponse(_NOT_FOUND, status_code=404)
        if response.status_code == 404:
            response.headers["cache-control"] = MISSING
        return response


_NOT_FOUND = """<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Not found</title>
<h1>Not found</h1><p>Nothing is published at this address. <a href="/">Latest articles</a></p>
</html>
"""


class _Representation:
    """Headers that depend on the encoding chosen: a weak ETag when gzipped, and Vary.

    Every answer varies with Accept-Encoding, 304s included (a cache that keyed a
    304 without it could pair a gzip validator with a plain body), and says so once.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def amend(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag")
                if etag and headers.get("content-encoding") and not etag.startswith("W/"):
                    headers["etag"] = "W/" + etag
                vary = [v.strip() for h in headers.getlist("vary") for v in h.split(",")]
                if "accept-encoding" not in (v.lower() for v in vary):
                    vary.append("Accept-Encoding")
                headers["vary"] = ", ".join(dict.fromkeys(v for v in vary if v))
            await send(message)

        await self.app(scope, receive, amend)


class _AccessLog:
    """One line per request: client, request line, status, bytes sent, time taken."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 0
        sent = 0

        async def count(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, count)
        finally:
            client = (scope.get("client") or ("-", 0))[0]
            target = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            access_log.info(
                '%s "%s %s HTTP/%s" %d %d %.1fms', client, scope["method"], target,
                scope.get("http_version", "1.1"), status, sent, (time.monotonic() - started) * 1000,
            )  # fmt: skip


def feeds_app(feeds: Path, routes: Sequence[BaseRoute] = ()) -> ASGIApp:
    """The feeds folder, behind `routes` (the subscriber pages) when given."""
    # The Starlette app turns StaticFiles' HTTPExceptions (405) into responses.
    return Starlette(
        routes=[*routes, Mount("/", app=FeedFiles(feeds))],
        middleware=[
            Middleware(_AccessLog),
            Middleware(_Representation),
            Middleware(GZipMiddleware, minimum_size=500),
        ],
    )


class FeedServer:
    """An HTTP server for the feeds folder on a background thread."""

    def __init__(
        self, settings: ServerSettings, feeds: Path, routes: Sequence[BaseRoute] = ()
    ) -> None:
        self.settings = settings
        self.feeds = feeds
        self.routes = routes
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> None:
        """Listen now (so a busy port fails here, with its reason) and serve in the background."""
        self.feeds.mkdir(parents=True, exist_ok=True)
        sock = _listen(self.settings.host, self.settings.port)
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
        config = uvicorn.Config(
            feeds_app(self.feeds, self.routes), log_config=None, lifespan="off",
            server_header=False, loop="asyncio", http="h11", access_log=False,
        )  # fmt: skip
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="digest-http", daemon=True
        )
        self._thread.start()
        log.log(NOTICE, "serving %s at %s", self.feeds, self.url)

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join()
        self._server = self._thread = None


def serve(
    settings: ServerSettings,
    feeds: Path,
    notify_socket: str | None,
    *,
    ready: Callable[[str], None] | None = None,
    routes: Sequence[BaseRoute] = (),
) -> int:
    """`digest serve`: serve until SIGTERM or SIGINT, then stop cleanly.

    `ready` is told the server's URL once it listens.
    """
    # Serving is this command's whole job: its access log shows without -v.
    if access_log.level == logging.NOTSET:
        access_log.setLevel(logging.INFO)
    with SignalWaiter((signal.SIGTERM, signal.SIGINT, signal.SIGHUP)) as signals:
        server = FeedServer(settings, feeds, routes)
        server.start()
        notify(notify_socket, "READY=1")
        if ready is not None:
            ready(server.url)
        try:
            # The server reads files as they are on each request: a reload (SIGHUP,
            # as `systemctl reload` sends) has nothing to do and must not stop it.
            while (received := signals.wait()) is signal.SIGHUP:
                log.info("SIGHUP: nothing to reload; still serving %s", feeds)
            log.info("%s: stopping", received.name)
        finally:
            notify(notify_socket, "STOPPING=1")
            server.stop()
    return 0


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        raise DigestError(f"cannot serve on {host}:{port}: {exc}; check [server] host") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise DigestError(
            f"cannot serve on {host}:{port}: {exc.strerror or exc}; "
            "change [server] host or port (or digest serve --host, --port)"
        ) from None
    return sock
