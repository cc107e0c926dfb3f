"""The HTTP server, through real requests to a real server on a free port."""

from __future__ import annotations

import gzip
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from digest.config import ServerSettings
from digest.errors import DigestError
from digest.serve import FeedServer
from tests.daemonfixtures import digest_process, fetch, free_port, wait_for

ATOM = "application/atom+xml; charset=utf-8"
FILES = {
    "atom.xml": b"<feed xmlns='http://www.w3.org/2005/Atom'>" + b"<entry/>" * 200 + b"</feed>",
    "rss.xml": b"<rss version='2.0'><channel/></rss>",
    "feed.json": b'{"version": "https://jsonfeed.org/version/1.1"}',
    "feeds.opml": b"<opml version='2.0'/>",
    "digests.xml": b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
    "regions/europe.xml": b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
    "themes/energy.xml": b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
    "archive/atom/1.xml": b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
    "index.html": b"<!doctype html><title>Front page</title>",
    "articles/plan.html": b"<!doctype html><title>Plan</title>",
    "page.css": b"body { font: 1rem/1.5 Georgia, serif; }",
    "dated.xml": (
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
        b"<updated>2025-01-09T10:00:00+00:00</updated>"
        b"<entry><updated>2025-01-09T12:00:00+00:00</updated></entry></feed>"
    ),
    "dated-rss.xml": (
        b"<rss version='2.0'><channel><title>t</title>"
        b"<lastBuildDate>Wed, 08 Jan 2025 06:30:00 +0000</lastBuildDate><item/></channel></rss>"
    ),
}


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    root = tmp_path / "feeds"
    for rel, data in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (tmp_path / "secret.txt").write_text("outside the feeds folder")
    return root


@pytest.fixture
def port(feeds: Path) -> Iterator[int]:
    server = FeedServer(ServerSettings(enabled=True, host="127.0.0.1", port=free_port()), feeds)
    server.start()
    try:
        yield server.settings.port
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/atom.xml", ATOM),
        ("/regions/europe.xml", ATOM),
        ("/themes/energy.xml", ATOM),
        ("/archive/atom/1.xml", ATOM),
        ("/digests.xml", ATOM),
        ("/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
        ("/articles/plan.html", "text/html; charset=utf-8"),
    ],
)
def test_each_feed_is_served_with_its_content_type(port: int, path: str, expected: str) -> None:
    status, headers, body = fetch(port, path)
    assert (status, headers["content-type"]) == (200, expected)
    assert body == FILES[path.lstrip("/")]


def test_root_serves_the_index_page(port: int) -> None:
    status, headers, body = fetch(port, "/")
    assert (status, body) == (200, FILES["index.html"])
    assert headers["content-type"] == "text/html; charset=utf-8"


def test_conditional_get_with_the_etag_answers_304(port: int) -> None:
    _, headers, _ = fetch(port, "/atom.xml")
    status, _, body = fetch(port, "/atom.xml", {"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")


def test_conditional_get_with_last_modified_answers_304(port: int) -> None:
    _, headers, _ = fetch(port, "/rss.xml")
    status, _, body = fetch(port, "/rss.xml", {"If-Modified-Since": headers["last-modified"]})
    assert (status, body) == (304, b"")


def test_a_changed_feed_is_sent_again_to_a_conditional_get(port: int, feeds: Path) -> None:
    _, headers, _ = fetch(port, "/atom.xml")
    (feeds / "atom.xml").write_bytes(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry/></feed>")
    status, _, body = fetch(port, "/atom.xml", {"If-None-Match": headers["etag"]})
    assert (status, body) == (200, (feeds / "atom.xml").read_bytes())


def test_gzip_is_used_when_the_client_accepts_it(port: int) -> None:
    status, headers, body = fetch(port, "/atom.xml", {"Accept-Encoding": "gzip"})
    assert (status, headers["content-encoding"]) == (200, "gzip")
    assert gzip.decompress(body) == FILES["atom.xml"]
    assert headers["etag"].startswith("W/"), "a gzipped body must not share the strong ETag"


def test_gzipped_feed_still_answers_304_to_its_etag(port: int) -> None:
    gz = {"Accept-Encoding": "gzip"}
    _, headers, _ = fetch(port, "/atom.xml", gz)
    status, _, _ = fetch(port, "/atom.xml", {**gz, "If-None-Match": headers["etag"]})
    assert status == 304


def test_without_accept_encoding_the_body_is_plain(port: int) -> None:
    _, headers, body = fetch(port, "/atom.xml")
    assert "content-encoding" not in headers
    assert body == FILES["atom.xml"]


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/regions/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/regions/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "//etc/passwd",
    ],
)
def test_paths_outside_the_feeds_folder_are_refused(port: int, path: str) -> None:
    status, _, body = fetch(port, path)
    assert status in (400, 403, 404)
    assert b"outside the feeds folder" not in body
    assert b"root:" not in body


def test_a_symlink_pointing_out_of_the_feeds_folder_is_refused(port: int, feeds: Path) -> None:
    (feeds / "leak.txt").symlink_to(feeds.parent / "secret.txt")
    status, _, body = fetch(port, "/leak.txt")
    assert status == 404
    assert b"outside" not in body


@pytest.mark.parametrize(
    "path", ["/.atom.xml.k2j4h1x0.tmp", "/regions/.europe.xml.a8b7c6d5.tmp", "/.hidden/atom.xml"]
)
def test_staging_files_and_other_dotfiles_are_never_served(
    port: int, feeds: Path, path: str
) -> None:
    target = feeds / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("<feed>half written")
    status, _, body = fetch(port, path)
    assert status == 404
    assert b"half written" not in body


def test_a_missing_file_is_404(port: int) -> None:
    assert fetch(port, "/regions/nowhere.xml")[0] == 404


def test_a_busy_port_is_reported_with_its_reason(feeds: Path, port: int) -> None:
    settings = ServerSettings(enabled=True, host="127.0.0.1", port=port)
    with pytest.raises(DigestError, match=rf"cannot serve on 127.0.0.1:{port}: .*in use"):
        FeedServer(settings, feeds).start()


@pytest.mark.slow
def test_digest_serve_serves_the_feeds_folder_until_sigterm(project: Path, feeds: Path) -> None:
    port = free_port()
    config = project / "config.toml"
    config.write_text(f'[paths]\nfeeds = "{feeds}"\n[server]\nhost = "127.0.0.1"\nport = {port}\n')
    proc = digest_process("serve", config=config)
    try:
        assert wait_for(lambda: _answers(port), timeout=10), "server did not come up"
        assert fetch(port, "/feed.json")[2] == FILES["feed.json"]
        proc.send_signal(signal.SIGHUP)  # systemctl reload: nothing to do, keep serving
        time.sleep(0.3)
        assert proc.poll() is None and _answers(port)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err


def _answers(port: int) -> bool:
    try:
        return fetch(port, "/")[0] == 200
    except OSError:
        return False


def test_a_feed_replaced_while_readers_fetch_it_is_always_whole(port: int, feeds: Path) -> None:
    import http.client
    import threading

    from digest.publish.atomic import write_atomic

    versions = [b"<feed>" + b"a" * 300_000 + b"</feed>", b"<feed>" + b"b" * 200_000 + b"</feed>"]
    stop = threading.Event()

    def republish() -> None:
        n = 0
        while not stop.is_set():
            write_atomic(feeds / "atom.xml", versions[n % 2])
            n += 1

    write_atomic(feeds / "atom.xml", versions[1])
    writer = threading.Thread(target=republish)
    writer.start()
    try:
        for _ in range(60):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/atom.xml")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            assert body in versions
            assert int(response.headers["content-length"]) == len(body)
    finally:
        stop.set()
        writer.join()


@pytest.mark.slow
def test_digest_serve_host_and_port_override_the_config_and_the_url_is_printed(
    project: Path, feeds: Path
) -> None:
    configured, given = free_port(), free_port()
    config = project / "config.toml"
    config.write_text(f'[paths]\nfeeds = "{feeds}"\n[server]\nhost = "::1"\nport = {configured}\n')
    proc = digest_process("serve", "--host", "127.0.0.1", "--port", str(given), config=config)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == f"landing page: http://127.0.0.1:{given}/ (Ctrl-C stops the server)\n"
        assert fetch(given, "/")[2] == FILES["index.html"]
        assert fetch(given, "/feed.json?x=1")[0] == 200
        assert fetch(given, "/gone.xml")[0] == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    # The access log: one line per request, without -v.
    requests = [
        line.split("digest.access: ", 1)[1] for line in err.splitlines() if "access" in line
    ]
    assert re.fullmatch(r'127\.0\.0\.1 "GET / HTTP/1\.1" 200 \d+ [\d.]+ms', requests[0])
    assert requests[1].startswith('127.0.0.1 "GET /feed.json?x=1 HTTP/1.1" 200 ')
    assert requests[2].startswith('127.0.0.1 "GET /gone.xml HTTP/1.1" 404 ')


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/atom.xml", "public, max-age=300"),
        ("/feed.json", "public, max-age=300"),
        ("/", "public, max-age=300"),
        ("/regions/europe.xml", "public, max-age=300"),
        ("/articles/plan.html", "public, max-age=3600"),
        ("/archive/atom/1.xml", "public, max-age=3600"),
        ("/page.css", "public, max-age=86400"),
    ],
)
def test_feeds_are_cached_briefly_and_articles_and_static_files_longer(
    port: int, path: str, expected: str
) -> None:
    status, headers, _ = fetch(port, path)
    assert (status, headers["cache-control"]) == (200, expected)


@pytest.mark.parametrize("encoding", [{}, {"Accept-Encoding": "gzip"}])
def test_a_304_still_says_it_varies_by_encoding_and_how_long_to_cache(
    port: int, encoding: dict[str, str]
) -> None:
    _, first, _ = fetch(port, "/atom.xml", encoding)
    # A feed also varies by Accept: browsers get it as XML to apply its stylesheet.
    assert first["vary"] == "Accept, Accept-Encoding"
    status, headers, _ = fetch(port, "/atom.xml", {**encoding, "If-None-Match": first["etag"]})
    assert status == 304
    assert headers["vary"] == "Accept, Accept-Encoding"
    assert headers["cache-control"] == "public, max-age=300"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/dated.xml", "Thu, 09 Jan 2025 10:00:00 GMT"),
        ("/dated-rss.xml", "Wed, 08 Jan 2025 06:30:00 GMT"),
    ],
)
def test_a_feeds_last_modified_is_its_own_updated_time_not_the_files(
    port: int, feeds: Path, path: str, expected: str
) -> None:
    (feeds / path.lstrip("/")).touch()  # written just now
    _, headers, _ = fetch(port, path)
    assert headers["last-modified"] == expected
    status, _, _ = fetch(port, path, {"If-Modified-Since": expected})
    assert status == 304


def test_a_page_keeps_its_files_time_as_last_modified(port: int, feeds: Path) -> None:
    os.utime(feeds / "articles" / "plan.html", (1_700_000_000, 1_700_000_000))
    _, headers, _ = fetch(port, "/articles/plan.html")
    assert headers["last-modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"


@pytest.mark.parametrize("path", ["/regions/nowhere.xml", "/favicon.ico", "/nothing/here/"])
def test_a_missing_file_is_an_html_404_page(port: int, path: str) -> None:
    status, headers, body = fetch(port, path)
    assert (status, headers["content-type"]) == (404, "text/html; charset=utf-8")
    html = lxml.html.fromstring(body)
    assert html.findtext(".//h1") == "Not found"
    assert html.xpath("//a/@href") == ["/"]
    assert headers["cache-control"] == "public, max-age=60"


def test_the_sites_own_404_page_is_served_when_the_build_wrote_one(port: int, feeds: Path) -> None:
    (feeds / "404.html").write_bytes(b"<!doctype html><title>Lost</title><h1>Lost desk</h1>")
    status, headers, body = fetch(port, "/favicon.ico")
    assert (status, body) == (404, (feeds / "404.html").read_bytes())
    assert headers["content-type"] == "text/html; charset=utf-8"
