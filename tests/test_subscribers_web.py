"""The subscriber pages on a running server, with a real SMTP server for the confirmation mail."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from digest.config import Config
from digest.mail.service import Mailer
from digest.serve import FeedServer
from digest.store import Store
from digest.subscribers.manage import Subscribers
from digest.subscribers.tokens import Tokens
from digest.subscribers.web import RateLimit, subscriber_routes
from tests.conftest import Clock, WriteConfig
from tests.factories import make_document
from tests.mailfixtures import Inbox, free_port, smtp_server

# Every test here runs on SQLite and again on PostgreSQL (tests/postgres.py).
pytestmark = pytest.mark.usefixtures("engine")


@dataclass
class Site:
    config: Config
    url: str
    inbox: Inbox

    def book(self, clock: Clock | None = None) -> Subscribers:
        store = Store(self.config.paths.database)
        return Subscribers(self.config, store, clock or Clock())


@dataclass
class Answer:
    status: int
    body: str


def request(
    url: str, data: dict[str, object] | str | None = None, headers: dict[str, str] | None = None
) -> Answer:
    body = None
    if data is not None:
        body = (data if isinstance(data, str) else urlencode(data, doseq=True)).encode()
    req = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return Answer(response.status, response.read().decode())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read().decode())


@pytest.fixture
def site(write_config: WriteConfig) -> Iterator[Site]:
    inbox = Inbox()
    port = free_port()
    with smtp_server(inbox) as smtp_port:
        config = write_config(
            "[digest]\n"
            'sender = "digest@example.org"\nsubject = "World Desk"\nfirst_days = 100000\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
            f'[server]\nhost = "127.0.0.1"\nport = {port}\n',
            base_url=f"http://127.0.0.1:{port}/",
        )
        server = FeedServer(config.server, config.paths.feeds, subscriber_routes(config))
        server.start()
        try:
            yield Site(config, config.feed.base_url, inbox)
        finally:
            server.stop()


def confirmation_link(inbox: Inbox, address: str) -> str:
    (message,) = inbox.to(address)
    text = message.get_body(("plain",)).get_content()
    (link,) = re.findall(r"http\S+", text)
    return link


def test_the_subscribe_form_is_served_under_the_base_url(site: Site) -> None:
    page = request(site.url + "subscribe")
    assert page.status == 200
    assert '<input type="email" name="email"' in page.body
    assert 'name="region" value="Europe"' in page.body


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(site: Site) -> None:
    site.book().add("known@example.org")
    known = request(site.url + "subscribe", {"email": "known@example.org"})
    unknown = request(site.url + "subscribe", {"email": "new@example.org"})
    assert (known.status, known.body) == (unknown.status, unknown.body) == (200, unknown.body)
    assert "Check your inbox" in unknown.body
    assert site.inbox.to("known@example.org") == []
    assert len(site.inbox.to("new@example.org")) == 1


def test_following_the_confirmation_link_confirms_with_the_chosen_groups(site: Site) -> None:
    answer = request(site.url + "subscribe", {"email": "ann@example.org", "region": ["Asia"]})
    assert answer.status == 200
    pending = site.book().get("ann@example.org")
    assert pending is not None and pending.status == "pending"
    link = confirmation_link(site.inbox, "ann@example.org")
    assert link.startswith(site.url + "subscribe/confirm?t=")
    assert "ann@" not in link and "ann%40" not in link
    assert "You are subscribed" in request(link).body
    confirmed = site.book().get("ann@example.org")
    assert confirmed is not None and confirmed.status == "confirmed"
    assert confirmed.regions == ("Asia",)


def test_an_altered_or_expired_link_is_refused(site: Site) -> None:
    request(site.url + "subscribe", {"email": "ann@example.org"})
    link = confirmation_link(site.inbox, "ann@example.org")
    # A character inside the signature: the last one of a base64 signature carries
    # unused bits, so changing it may leave the signature as it was.
    altered = link[:-5] + ("A" if link[-5] != "A" else "B") + link[-4:]
    assert request(altered).status == 400
    assert request(site.url + "unsubscribe?t=forged", "List-Unsubscribe=One-Click").status == 400
    token = Tokens("secret", confirm_seconds=-1).make("confirm", "someone")
    assert Tokens("secret", confirm_seconds=-1).read("confirm", token) is None
    assert Tokens("other", confirm_seconds=60).read("confirm", token) is None


def test_cross_site_form_posts_are_refused_and_change_nothing(site: Site) -> None:
    sub = site.book().add("ann@example.org", regions=["Asia"])
    evil = {"Origin": "https://evil.example"}
    answer = request(site.url + "subscribe", {"email": "victim@example.org"}, evil)
    assert answer.status == 403 and site.inbox.received == []
    prefs = _links(site, sub.id)[1]
    assert request(prefs, {"region": "Europe"}, evil).status == 403
    assert request(prefs, {"region": "Europe"}, {"Sec-Fetch-Site": "cross-site"}).status == 403
    same = {"Origin": site.url.rstrip("/"), "Sec-Fetch-Site": "same-origin"}
    assert request(prefs, {"region": "Europe"}, same).status == 200
    changed = site.book().get("ann@example.org")
    assert changed is not None and changed.regions == ("Europe",)


def test_one_click_unsubscribe_needs_no_form_token_and_answers_2xx(site: Site) -> None:
    sub = site.book().add("ann@example.org")
    unsubscribe, _ = _links(site, sub.id)
    page = request(unsubscribe)
    assert page.status == 200 and '<button type="submit"' in page.body
    answer = request(unsubscribe, "List-Unsubscribe=One-Click")
    assert answer.status == 200
    gone = site.book().get("ann@example.org")
    assert gone is not None and gone.status == "unsubscribed"


def test_subscribe_posts_are_rate_limited_per_client_and_mails_per_address(site: Site) -> None:
    statuses = [
        request(site.url + "subscribe", {"email": "same@example.org"}).status for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    assert len(site.inbox.to("same@example.org")) == 3


def test_done_when_a_subscriber_signs_up_chooses_reads_and_leaves_in_one_click(
    site: Site, clock: Clock
) -> None:
    # Fill the form on the running server; follow the mail from the real SMTP server.
    assert request(site.url + "subscribe", {"email": "reader@example.org"}).status == 200
    confirmed = request(confirmation_link(site.inbox, "reader@example.org"))
    preferences = re.search(r'href="([^"]*preferences\?t=[^"]+)"', confirmed.body)
    assert preferences is not None
    # Choose only Asia on the preferences page, as its form posts it.
    form = request(preferences.group(1).replace("&amp;", "&"))
    action = re.search(r'<form method="post" action="([^"]+)"', form.body)
    assert action is not None
    assert request(action.group(1), {"region": "Asia"}).status == 200
    # The next digest holds only the Asia group.
    store = Store(site.config.paths.database)
    with store.transaction():
        for n, region in ((1, "Europe"), (2, "Asia")):
            doc = make_document(n, regions=(region,))
            store.put(replace(doc, first_seen=clock.now - timedelta(hours=1)), size=1, mtime_ns=1)
    mailer = Mailer(site.config, store, clock)
    assert mailer.send(force=True).sent == ["reader@example.org"]
    (digest,) = [
        m
        for m in site.inbox.to("reader@example.org")
        if "Digest" in m["Subject"] or "World Desk" in m["Subject"]
    ][-1:]
    text = digest.get_body(("plain",)).get_content()
    assert "Asia" in text and "winter plan number 2" in text
    assert "Europe" not in text and "winter plan number 1" not in text
    # Unsubscribe with the one-click POST to the message's own List-Unsubscribe URL.
    (url,) = re.findall(r"<(https?://[^>]+)>", digest["List-Unsubscribe"])
    assert request(url, "List-Unsubscribe=One-Click").status == 200
    # Nothing more arrives.
    with store.transaction():
        doc = make_document(3, regions=("Asia",))
        store.put(replace(doc, first_seen=clock.now + timedelta(minutes=30)), size=1, mtime_ns=1)
    clock.advance(hours=1)
    before = len(site.inbox.received)
    assert mailer.send(force=True).sent == []
    assert len(site.inbox.received) == before


def _links(site: Site, subscriber_id: str) -> tuple[str, str]:
    from digest.subscribers.tokens import tokens_for

    with closing(Store(site.config.paths.database)) as store:
        tokens = tokens_for(site.config, store)
    return (
        f"{site.url}unsubscribe?t={tokens.make('unsubscribe', subscriber_id)}",
        f"{site.url}preferences?t={tokens.make('preferences', subscriber_id)}",
    )


def test_a_rate_limit_is_a_sliding_window_per_key() -> None:
    now = [0.0]
    limit = RateLimit(2, 60, clock=lambda: now[0])
    assert [limit.allow("a"), limit.allow("a"), limit.allow("a"), limit.allow("b")] == [
        True, True, False, True,
    ]  # fmt: skip
    now[0] = 59.0
    assert not limit.allow("a")
    now[0] = 60.5
    assert limit.allow("a")
