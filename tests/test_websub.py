"""WebSub: hubs are told of every publication that changed a feed, with retries, never fatally."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from digest.app import make_app
from digest.publish.websub import HubNotifier
from tests.conftest import Clock, WriteConfig
from tests.mailfixtures import Inbox, smtp_server

ARTICLE = """---
title: Grid operators agree winter plan {n}
date: 2025-01-0{n}T09:00:00Z
region: Europe
theme: Energy
---
Grid operators across the continent agreed on a joint winter reserve on Tuesday.
"""


class Hub:
    """A real HTTP server standing in for a WebSub hub: answers with `statuses` in turn."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.pings: list[dict[str, list[str]]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = parse_qs(self.rfile.read(length).decode("ascii"))
                status = hub.statuses.pop(0) if hub.statuses else 204
                if status < 300:
                    hub.pings.append(form)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def topics(self) -> set[str]:
        assert all(p["hub.mode"] == ["publish"] for p in self.pings)
        return {url for p in self.pings for url in p["hub.url"]}


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    yield server
    server.server.shutdown()


def test_a_build_that_changes_feeds_tells_the_hub_which_ones(
    write_config: WriteConfig, clock: Clock, hub: Hub
) -> None:
    config = write_config(hub=hub.url, max_entries=1)
    for n in (1, 2):
        (config.paths.seeds / f"{n}.md").write_text(ARTICLE.format(n=n), encoding="utf-8")
    app = make_app(config, _now=clock)
    app.build()
    app.close()
    base = "https://news.example.org/"
    topics = hub.topics()
    for path in ("atom.xml", "rss.xml", "feed.json", "regions/europe.xml", "themes/energy.json"):
        assert base + path in topics
    assert base + "digests.xml" in topics
    # Archive pages and HTML pages are not subscribed to.
    assert not [t for t in topics if "/archive/" in t or t.endswith(".html")]

    hub.pings.clear()
    app = make_app(config, _now=clock)
    app.build()
    app.close()
    assert hub.pings == []


def test_a_sent_digest_tells_the_hub_that_the_digests_feed_changed(
    write_config: WriteConfig, clock: Clock, hub: Hub
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config = write_config(
            '[digest]\nrecipients = ["a@example.org"]\nsender = "digest@example.org"\n'
            "first_days = 100000\n"
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n',
            hub=hub.url,
        )
        (config.paths.seeds / "1.md").write_text(ARTICLE.format(n=1), encoding="utf-8")
        app = make_app(config, _now=clock)
        app.build()
        app.close()
        hub.pings.clear()
        app = make_app(config, _now=clock)
        report = app.send(force=True)
        app.close()
    assert report.sent == ["a@example.org"] and len(inbox.received) == 1
    base = "https://news.example.org/"
    assert hub.topics() == {base + "digests.xml", base + "digests.rss.xml", base + "digests.json"}


def test_a_failing_hub_is_retried_until_it_answers(hub: Hub) -> None:
    hub.statuses = [503, 502]
    notifier = HubNotifier([hub.url], backoff=0.01)
    notifier.notify(["https://news.example.org/atom.xml"])
    notifier.close()
    assert hub.topics() == {"https://news.example.org/atom.xml"}


def test_a_refusing_hub_is_not_retried_and_is_logged(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    hub.statuses = [400, 204]
    notifier = HubNotifier([hub.url], backoff=0.01)
    with caplog.at_level(logging.WARNING, logger="digest.websub"):
        notifier.notify(["https://news.example.org/atom.xml"])
        notifier.close()
    assert hub.pings == [] and hub.statuses == [204]
    assert "was not told of https://news.example.org/atom.xml: HTTP 400" in caplog.text


def test_a_hub_that_is_down_never_fails_or_holds_up_the_build(
    write_config: WriteConfig, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write_config(hub=f"http://127.0.0.1:{port}/")
    (config.paths.seeds / "1.md").write_text(ARTICLE.format(n=1), encoding="utf-8")
    app = make_app(config, _now=clock)
    app.hubs.backoff = 0.01
    with caplog.at_level(logging.WARNING, logger="digest.websub"):
        result = app.build()
        app.close()
    assert result.published == 1
    assert (config.paths.feeds / "atom.xml").exists()
    assert "was not told of" in caplog.text


def test_an_unreachable_hub_is_given_up_for_the_batch_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    notifier = HubNotifier([f"http://127.0.0.1:{port}/"], attempts=2, backoff=0.01)
    topics = [f"https://news.example.org/regions/{n}.xml" for n in range(30)]
    with caplog.at_level(logging.WARNING, logger="digest.websub"):
        notifier.notify(topics)
        notifier.close()
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "not told of https://news.example.org/regions/0.xml and 29 more" in warnings[0]
