"""WebSub publishing: tell each hub which feeds changed, so subscribers hear within seconds.

Pings run on a background thread: a build never waits for a hub, and a hub
that is down or refuses costs a logged warning, never a failed build. Each
ping is retried a few times with growing pauses on a network error, a 5xx
or a 429; `close` gives the queue a bounded time to drain before exit.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from digest import __version__

log = logging.getLogger("digest.websub")

_STOP = None


class HubNotifier:
    """Sends `hub.mode=publish` notifications for changed feed URLs to every hub."""

    def __init__(
        self,
        hubs: Sequence[str],
        *,
        attempts: int = 4,
        backoff: float = 1.0,
        timeout: float = 5.0,
    ) -> None:
        self.hubs = tuple(hubs)
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        self._queue: queue.Queue[tuple[str, tuple[str, ...]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def notify(self, topics: Iterable[str]) -> None:
        """Queue a ping to every hub for every topic; returns at once."""
        batch = tuple(topics)
        if not batch:
            return
        for hub in self.hubs:
            self._queue.put((hub, batch))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="websub", daemon=True)
                self._thread.start()

    def close(self, wait: float = 5.0) -> None:
        """Let queued pings finish for up to `wait` seconds, then stop the thread."""
        with self._lock:
            thread = self._thread
        if thread is None:
            return
        self._queue.put(_STOP)
        thread.join(wait)
        if thread.is_alive():
            log.warning("WebSub: gave up waiting for hubs after %.0f s; pings left unsent", wait)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            hub, topics = item
            self._announce(hub, topics)

    def _announce(self, hub: str, topics: tuple[str, ...]) -> None:
        """One ping per topic; a hub still failing after retries is given up for the batch."""
        missed: list[str] = []
        reason = ""
        for n, topic in enumerate(topics):
            reason = self._ping(hub, topic)
            if not reason:
                continue
            missed.append(topic)
            if not reason.startswith("HTTP 4"):
                # Unreachable or failing: the rest would only wait out the same retries.
                missed.extend(topics[n + 1 :])
                break
        if missed:
            more = f" and {len(missed) - 1} more" if len(missed) > 1 else ""
            log.warning("WebSub: hub %s was not told of %s%s: %s", hub, missed[0], more, reason)

    def _ping(self, hub: str, topic: str) -> str:
        """ "" once the hub accepted the ping, else why not (after retries that may help)."""
        body = urlencode({"hub.mode": "publish", "hub.url": topic}).encode("ascii")
        reason = ""
        for attempt in range(1, self.attempts + 1):
            problem = self._post(hub, body)
            if problem is None:
                log.debug("WebSub: %s told of %s", hub, topic)
                return ""
            final, reason = problem
            if final:
                break
            if attempt < self.attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        return reason

    def _post(self, hub: str, body: bytes) -> tuple[bool, str] | None:
        """None on success, else (whether retrying is pointless, why)."""
        # Imported here: every build creates a notifier, few sites name a hub, and
        # urllib.request (with http.client and ssl) is a large share of start-up.
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            hub,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": f"digest/{__version__} (WebSub publisher)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            retry = exc.code >= 500 or exc.code == 429
            return not retry, f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return False, str(reason)
        return None


def changed_topics(paths: Iterable[str], base_url: str) -> list[str]:
    """The subscribable feed documents among written `paths`, as absolute URLs.

    Archive pages are not subscribed to, so hubs need not hear of them.
    """
    feeds = (".xml", ".json")
    return sorted(
        base_url + p
        for p in paths
        if p.endswith(feeds) and not p.startswith("archive/") and p != "feed.xsl"
    )
