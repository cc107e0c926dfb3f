"""The subscriber pages, served beside the feeds by `digest serve` and the daemon.

Under `feed.base_url`: `subscribe` (a form; its POST mails a confirmation link
and answers the same whatever the address), `subscribe/confirm` (the link in
that mail), `preferences` (regions and themes) and `unsubscribe` (a page with
one button, and the RFC 8058 one-click POST target of List-Unsubscribe).

Links carry signed opaque tokens (see tokens.py). Cross-site form posts are
refused by their Origin and Sec-Fetch-Site headers, which browsers always send
with a cross-site POST; a capability token in the link guards preferences and
unsubscribe as well. The one-click POST comes from a mail provider's server,
with no Origin and no form token, and needs neither. Requests are rate limited
per client, and confirmation mails per address.

Handlers are coroutines, so the state database is opened and used on the
server's one event-loop thread; only the SMTP exchange runs on a worker thread.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from digest.config import Config
from digest.errors import DigestError
from digest.mail.message import POLICY, Outgoing
from digest.mail.periods import Period
from digest.mail.transport import transport_for
from digest.store import Store
from digest.subscribers.manage import Subscribers
from digest.subscribers.model import Subscriber, SubscriberError
from digest.subscribers.tokens import CONFIRM, PREFERENCES, UNSUBSCRIBE, Tokens, tokens_for

log = logging.getLogger("digest.subscribers")

ONE_CLICK = "List-Unsubscribe=One-Click"
# Per client: requests to these pages a minute, and subscribe posts an hour.
CLIENT_PER_MINUTE = 60
SUBSCRIBES_PER_HOUR = 10
# Confirmation mails to one address a day: the form cannot be used to flood a mailbox.
MAILS_PER_DAY = 3
_MAX_BODY = 16_384

Mail = Callable[[Outgoing], None]


class RateLimit:
    """At most `limit` events per key within a sliding window of `seconds`."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._limit = limit
        self._seconds = seconds
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = self._clock()
        if len(self._events) > 10_000:
            # Forget idle keys so that many clients cannot grow this without bound.
            self._events = {
                k: v for k, v in self._events.items() if v and v[-1] > now - self._seconds
            }
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self._seconds:
            events.popleft()
        if len(events) >= self._limit:
            return False
        events.append(now)
        return True


class SubscriberSite:
    def __init__(
        self,
        config: Config,
        *,
        mail: Mail | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._config = config
        self._now = now or (lambda: datetime.now(UTC))
        self._mail = mail or self._send_mail
        self._store: Store | None = None
        self._tokens: Tokens | None = None
        self._env = jinja2.Environment(
            loader=jinja2.PackageLoader("digest", "templates/subscribe"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self._per_client = RateLimit(CLIENT_PER_MINUTE, 60)
        self._subscribes = RateLimit(SUBSCRIBES_PER_HOUR, 3600)
        self._per_address = RateLimit(MAILS_PER_DAY, 86400)
        base = urlsplit(config.feed.base_url)
        self._prefix = base.path
        self._origin = f"{base.scheme}://{base.netloc}"

    def routes(self) -> list[BaseRoute]:
        p = self._prefix
        return [
            Route(f"{p}subscribe", self.subscribe, methods=["GET", "POST"]),
            Route(f"{p}subscribe/confirm", self.confirm, methods=["GET", "POST"]),
            Route(f"{p}preferences", self.preferences, methods=["GET", "POST"]),
            Route(f"{p}unsubscribe", self.unsubscribe, methods=["GET", "POST"]),
        ]

    # Pages

    async def subscribe(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        book = self._book()
        if request.method == "GET":
            return self._page("form", book=book)
        if not self._subscribes.allow(_client(request)):
            return self._page("busy", status=429, headers={"Retry-After": "3600"})
        form = await _form(request)
        email = (form.get("email") or [""])[0].strip()
        try:
            subscriber = book.request(email, form.get("region", []), form.get("theme", []))
        except SubscriberError as exc:
            return self._page("form", book=book, error=str(exc), email=email, status=400)
        if subscriber is not None and self._per_address.allow(subscriber.address.casefold()):
            await self._confirmation(subscriber)
        return self._page("check-inbox")

    async def confirm(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        subscriber_id = self._read(CONFIRM, request.query_params.get("t", ""))
        subscriber = self._book().confirm(subscriber_id) if subscriber_id else None
        if subscriber is None:
            return self._page("expired", status=400)
        return self._page("confirmed", preferences=self._link(PREFERENCES, subscriber))

    async def preferences(self, request: Request) -> Response:
        if (refused := self._refuse(request)) is not None:
            return refused
        token = request.query_params.get("t", "")
        subscriber_id = self._read(PREFERENCES, token)
        book = self._book()
        subscriber = book.by_id(subscriber_id) if subscriber_id else None
        if subscriber is None:
            return self._page("invalid", status=400)
        saved = False
        if request.method == "POST":
            form = await _form(request)
            try:
                changed = book.set_preferences(
                    subscriber.id, form.get("region", []), form.get("theme", [])
                )
            except SubscriberError as exc:
                return self._page("invalid", error=str(exc), status=400)
            subscriber, saved = changed or subscriber, True
        return self._page(
            "preferences",
            book=book,
            subscriber=subscriber,
            action=f"{self._config.feed.base_url}preferences?t={quote(token, safe='')}",
            unsubscribe=self._link(UNSUBSCRIBE, subscriber),
            saved=saved,
        )

    async def unsubscribe(self, request: Request) -> Response:
        token = request.query_params.get("t", "")
        body = await _form(request) if request.method == "POST" else {}
        one_click = body.get("List-Unsubscribe") == ["One-Click"]
        # RFC 8058: the one-click POST comes from a mail provider, not a page of ours.
        if not one_click and (refused := self._refuse(request)) is not None:
            return refused
        subscriber_id = self._read(UNSUBSCRIBE, token or (body.get("t") or [""])[0])
        book = self._book()
        subscriber = book.by_id(subscriber_id) if subscriber_id else None
        if subscriber is None:
            return self._page("invalid", status=400)
        if request.method == "GET":
            return self._page(
                "unsubscribe",
                subscriber=subscriber,
                action=f"{self._config.feed.base_url}unsubscribe?t={quote(token, safe='')}",
            )
        book.unsubscribe(subscriber.id)
        log.info("unsubscribed %s (%s)", subscriber.address, "one-click" if one_click else "page")
        return self._page(
            "unsubscribed", subscriber=subscriber, preferences=self._link(PREFERENCES, subscriber)
        )

    # Helpers

    def _refuse(self, request: Request) -> Response | None:
        """A page refusing the request when it is abusive or forged, else None."""
        if not self._per_client.allow(_client(request)):
            return self._page("busy", status=429, headers={"Retry-After": "60"})
        if request.method == "POST" and self._cross_site(request):
            return self._page("forbidden", status=403)
        return None

    def _cross_site(self, request: Request) -> bool:
        if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return True
        origin = request.headers.get("origin")
        if origin is None:
            return False
        own = {self._origin, f"{request.url.scheme}://{request.headers.get('host', '')}"}
        return origin not in own

    def _book(self) -> Subscribers:
        if self._store is None:
            self._store = Store(self._config.paths.database)
        return Subscribers(self._config, self._store, self._now)

    def _signer(self) -> Tokens:
        if self._tokens is None:
            if self._store is None:
                self._store = Store(self._config.paths.database)
            self._tokens = tokens_for(self._config, self._store)
        return self._tokens

    def _read(self, purpose: str, token: str) -> str | None:
        return self._signer().read(purpose, token) if token else None

    def _link(self, purpose: str, subscriber: Subscriber) -> str:
        path = "subscribe/confirm" if purpose == CONFIRM else purpose
        token = quote(self._signer().make(purpose, subscriber.id), safe="")
        return f"{self._config.feed.base_url}{path}?t={token}"

    def _page(
        self,
        kind: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response:
        book = context.pop("book", None)
        html = self._env.get_template("page.html").render(
            kind=kind,
            feed=self._config.feed,
            regions=book.regions if book else (),
            themes=book.themes if book else (),
            error=context.pop("error", None),
            email=context.pop("email", ""),
            **context,
        )
        response = HTMLResponse(html, status_code=status, headers=headers)
        # Pages that carry a token must not be cached or leak it to other sites.
        response.headers["cache-control"] = "no-store"
        response.headers["referrer-policy"] = "no-referrer"
        return response

    async def _confirmation(self, subscriber: Subscriber) -> None:
        mail = confirmation_mail(self._config, subscriber, self._link(CONFIRM, subscriber))
        try:
            await run_in_threadpool(self._mail, mail)
        except DigestError as exc:
            # The visitor sees the same page either way; the operator sees why.
            log.error("confirmation mail to %s not sent: %s", subscriber.address, exc)

    def _send_mail(self, mail: Outgoing) -> None:
        smtp = self._config.smtp
        if smtp and smtp.user and not smtp.password:
            raise DigestError(f"the environment variable {smtp.password_env} is unset")
        transport = transport_for(smtp, self._config.paths.state / "outbox")
        try:
            transport.send(mail)
        finally:
            transport.close()


def confirmation_mail(config: Config, subscriber: Subscriber, link: str) -> Outgoing:
    """The double opt-in message: one link under the base URL, nothing else to click."""
    digest, feed = config.digest, config.feed
    hours = f"{config.digest.confirm_hours:g}"
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = f"Confirm your subscription to {feed.title}"
    msg["From"] = Address(display_name=digest.sender_name or feed.title, addr_spec=digest.sender)
    msg["To"] = Address(addr_spec=subscriber.address)
    msg["Date"] = datetime.now(UTC)
    msg["Message-ID"] = make_msgid("confirm", domain=digest.sender.rpartition("@")[2])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"Someone, probably you, asked to receive the {feed.title} digest at\n"
        f"{subscriber.address}.\n\n"
        f"To confirm, open this link within {hours} hours:\n\n{link}\n\n"
        "If it was not you, ignore this message: nothing will be sent.\n"
    )
    now = datetime.now(UTC)
    return Outgoing(digest.sender, subscriber.address, Period(now, now), msg.as_bytes())


def subscriber_routes(config: Config) -> Sequence[BaseRoute]:
    return SubscriberSite(config).routes()


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


async def _form(request: Request) -> dict[str, list[str]]:
    """An urlencoded body, bounded; anything else reads as empty."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            return {}
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
