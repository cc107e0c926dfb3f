"""Sending the digest that is due, exactly once per recipient and period.

Every message is recorded as a pending delivery, with its exact bytes and
Message-ID, before it is handed to the server, and marked sent only once the
server accepted it. A crash therefore loses nothing, and can repeat a message
(the same one) only if it strikes between acceptance and that record.

A period closes after one pass over its recipients, whatever happened: a
recipient whose server refused for now is retried on its own schedule (a
bounded number of times over a bounded time), so it never holds back anyone
else or any later digest.

With several instances on one database, the one holding the lease sends
(digest/lease.py). Each message is claimed in the database just before it is
handed to the server, by a statement that also checks the lease is still held,
and a period is opened and closed the same way: an instance that lost the lease
stops at its next message, and the new holder resends only the one that was
in flight, rebuilt byte for byte from the same rows. Whether a recipient still
wants the digest is read from the database at that moment too, so an
unsubscribe recorded by any instance counts for the very next message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.config import Config
from digest.enrich.themes import theme_names
from digest.errors import ConfigError, DeliveryError, LeaseLost
from digest.grouping import group
from digest.lease import Fence, Lease
from digest.mail.archive import digests_feed, page_name, summary, write_archive
from digest.mail.message import Outgoing, boundary_for, build_message, new_message_id
from digest.mail.periods import EPOCH, Period, label, latest_fire, next_fire, schedule
from digest.mail.render import (
    PLACEHOLDER_ADDRESS,
    Rendered,
    Renderer,
    for_recipient,
    links_for,
    personalise,
    placeholder_links,
)
from digest.mail.transport import OutboxTransport, ServerUnavailable, Transport, transport_for
from digest.model import Document
from digest.store import ArchivedDigest, Delivery, DigestRender, Store
from digest.subscribers.manage import Subscribers
from digest.subscribers.tokens import PREFERENCES, UNSUBSCRIBE, Tokens, tokens_for

# Meta keys: the end of the last closed period; when digests were first asked for
# (the first scheduled digest is the first fire time after that); and the period
# being sent right now, so a crash in the middle finishes it before anything else.
_PERIOD_END = "digest_period_end"
_ANCHOR = "digest_anchor"
_OPEN = "digest_open_period"
# Retries back off to 64 times [daemon].retry_seconds, then keep that pace.
_MAX_DOUBLINGS = 6


@dataclass(slots=True)
class SendReport:
    """What one `send` did."""

    period_start: datetime | None = None
    period_end: datetime | None = None
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # Given up on: refused for good, or out of retries.
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Tried now and refused for now: tried again later.
    retry: list[tuple[str, str]] = field(default_factory=list)
    # Not tried now: their next attempt is later.
    waiting: list[tuple[str, str]] = field(default_factory=list)
    # Marked bounced by this run's permanent refusals.
    bounced: list[str] = field(default_factory=list)
    # In flight when the instance sending them stopped: sent again, the same bytes.
    resent: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    # The digest archive's files this run changed (the page, digests.xml), relative
    # to the feeds folder: subscribers' hubs are told of the feed among them.
    archived: list[str] = field(default_factory=list)
    label: str = ""
    articles: int = 0
    next_digest: datetime | None = None
    dry_run: bool = False

    @property
    def undelivered(self) -> bool:
        """Whether a message this run tried to send did not get through."""
        return bool(self.failed or self.retry)

    def line(self) -> str:
        if self.period_end is None:
            upcoming = f" (next {self.next_digest:%Y-%m-%d %H:%M %Z})" if self.next_digest else ""
            done = f"; earlier digests: sent {len(self.sent)}" if self.sent else ""
            return f"no digest due{upcoming}{done}"
        head = f"digest {self.label}: {self.articles} article{'s' * (self.articles != 1)}"
        if self.dry_run:
            return f"{head}; dry run: {len(self.written)} message(s) written to the outbox"
        return (
            f"{head}; sent {len(self.sent)}, failed {len(self.failed)}, retrying {len(self.retry)}"
        )

    def problems(self) -> list[str]:
        """One line per cause of a message not delivered, naming whom it concerns."""
        lines = []
        for what, entries in (
            ("not delivered, gave up", self.failed),
            ("not delivered, will retry", self.retry),
        ):
            by_reason: dict[str, list[str]] = {}
            for recipient, reason in entries:
                by_reason.setdefault(reason, []).append(recipient)
            for reason, recipients in by_reason.items():
                lines.append(f"{what} ({_some(recipients)}): {reason}")
        if self.bounced:
            lines.append(f"marked bounced after repeated permanent refusals: {_some(self.bounced)}")
        if self.resent:
            lines.append(
                "sent again, byte-identical, as it was in flight when the instance sending it "
                f"stopped: {_some(self.resent)}"
            )
        return lines


def _some(recipients: Sequence[str], shown: int = 3) -> str:
    more = len(recipients) - shown
    return ", ".join(recipients[:shown]) + (f" and {more} more" if more > 0 else "")


class Mailer:
    def __init__(
        self,
        config: Config,
        store: Store,
        now: Callable[[], datetime],
        *,
        transport: Transport | None = None,
        lease: Lease | None = None,
    ) -> None:
        self._config = config
        self._store = store
        self._now = now
        self._transport = transport
        # None: the only sender there is (one process, behind the state lock).
        self._lease = lease
        self._fence: Fence | None = None
        self._trigger = schedule(config.digest.schedule, config.digest.timezone)
        self._zone = ZoneInfo(config.digest.timezone)
        self._themes = theme_names(config.themes)
        self._renderer = Renderer(config.digest, config.feed, self._themes)
        self._subscribers = Subscribers(config, store, now)
        self._listed = {r.address.casefold() for r in config.digest.recipients}
        self._token_maker: Tokens | None = None
        self._renders: dict[tuple[datetime, str], DigestRender | None] = {}

    @property
    def outbox(self) -> Path:
        return self._config.paths.state / "outbox"

    def last_digest(self) -> datetime | None:
        """The end of the last period closed (sent, or found with nothing to send)."""
        return self._meta_time(_PERIOD_END)

    def next_digest(self) -> datetime | None:
        """The next scheduled time; in the past when a digest is overdue."""
        since = self.last_digest() or self._meta_time(_ANCHOR) or self._now()
        fire = next_fire(self._trigger, since)
        return fire.astimezone(self._zone) if fire else None

    def send(self, *, force: bool = False, dry_run: bool = False) -> SendReport:
        now = self._now().astimezone(UTC)
        report = SendReport(dry_run=dry_run)
        if dry_run:
            self._rehearse(now, force, report)
            return report
        smtp = self._config.smtp
        if self._transport is None and smtp and smtp.user and not smtp.password:
            raise ConfigError(
                "smtp.password_env",
                f"smtp.user is set but the environment variable {smtp.password_env} "
                "is empty or unset; sending needs the password",
            )
        self._fence = self._lease.fence() if self._lease else None
        transport = self._transport or transport_for(smtp, self.outbox)
        tried: set[datetime] = set()
        try:
            unfinished = self._unfinished()
            if unfinished:
                self._describe(unfinished, report)
                self._deliver(self._pending(unfinished), transport, now, True, report)
                self._settle(unfinished, report)
                tried.add(unfinished.start)
            period = self._due(now, force, anchor=True)
            if period is not None:
                docs = self._describe(period, report)
                self._open(period, docs, now, report)
                self._deliver(self._pending(period), transport, now, True, report)
                self._settle(period, report)
                tried.add(period.start)
            else:
                report.next_digest = self.next_digest()
            # Earlier digests refused for now, each on its own retry schedule.
            retries = [
                d for d in self._store.deliveries(status="pending") if d.period_start not in tried
            ]
            self._deliver(retries, transport, now, force, report)
            with self._store.transaction():
                self._store.drop_finished_renders(None)
        finally:
            transport.close()
            self._renders.clear()
        return report

    # Periods

    def _unfinished(self) -> Period | None:
        """The period a crash interrupted: opened, not yet closed."""
        text = self._store.get_meta(_OPEN)
        if text:
            start, _, end = text.partition(" ")
            return Period(datetime.fromisoformat(start), datetime.fromisoformat(end))
        # A state folder from before periods were recorded as open: its pending period
        # starts where the last one ended.
        start_time = self.last_digest() or EPOCH
        rows = self._store.period_deliveries(start_time)
        return Period(start_time, rows[0].period_end) if rows else None

    def _due(self, now: datetime, force: bool, *, anchor: bool) -> Period | None:
        last = self.last_digest()
        if force:
            start = last or self._first_start(now)
            return Period(start, now) if now > start else None
        since = last or self._meta_time(_ANCHOR)
        if since is None:
            # Nothing was ever sent: the first digest is the first scheduled time from now.
            if anchor:
                with self._store.transaction():
                    self._store.set_meta(_ANCHOR, now.isoformat())
            return None
        end = latest_fire(self._trigger, since, now)
        if end is None:
            return None
        return Period(last or self._first_start(end), end)

    def _first_start(self, end: datetime) -> datetime:
        """The first digest on an existing archive reaches back only `digest.first_days`."""
        window = timedelta(days=self._config.digest.first_days)
        return max(EPOCH, end - window) if window else EPOCH

    def _describe(self, period: Period, report: SendReport) -> list[Document]:
        docs = self._store.documents_seen_between(period.start, period.end)
        report.period_start, report.period_end = period.start, period.end
        report.label = label(period, self._zone)
        report.articles = len(docs)
        return docs

    # Messages

    def _plan(
        self, period: Period, docs: Sequence[Document], now: datetime, report: SendReport
    ) -> tuple[list[DigestRender], list[tuple[str, str]]]:
        """The period's renders, one per distinct choice of regions and themes, and
        (address, choice) for everyone who gets one."""
        digest = self._config.digest
        page = self._page(period)
        renders: dict[str, DigestRender | None] = {}
        plan: list[tuple[str, str]] = []
        for subscriber in self._subscribers.recipients():
            recipient = subscriber.recipient
            choice = json.dumps(
                [
                    sorted({n.casefold() for n in names})
                    for names in (recipient.regions, recipient.themes)
                ]
            )
            if choice not in renders:
                mine = for_recipient(docs, recipient, self._themes)
                # An empty digest only when send_empty asks for it and nothing at all is
                # new; a filter that matches nothing sends nothing.
                renders[choice] = None
                if mine or (not docs and digest.send_empty):
                    r = self._renderer.render(
                        mine, period, PLACEHOLDER_ADDRESS, placeholder_links(self._url(page))
                    )
                    renders[choice] = DigestRender(
                        period.start, choice, page, now, r.subject, r.count, r.html, r.text
                    )
            if renders[choice] is None:
                report.skipped.append(recipient.address)
                continue
            plan.append((recipient.address, choice))
        return [r for r in renders.values() if r is not None], plan

    def _message(self, render: DigestRender, address: str, message_id: str) -> bytes:
        """One recipient's message, the same bytes however often it is rebuilt."""
        digest = self._config.digest
        subscriber = self._subscribers.get(address)
        if subscriber is None:
            raise DeliveryError(address, "no longer in the subscribers table", permanent=True)
        tokens = self._tokens()
        links = links_for(
            digest,
            self._config.feed,
            unsubscribe_token=tokens.make(UNSUBSCRIBE, subscriber.id),
            preferences_token=tokens.make(PREFERENCES, subscriber.id),
            page=render.page,
        )
        rendered = Rendered(render.subject, render.count, render.html, render.text)
        return build_message(
            personalise(rendered, address, links),
            sender=digest.sender,
            sender_name=digest.sender_name or self._config.feed.title,
            recipient=address,
            message_id=message_id,
            date=render.date,
            list_id=digest.list_id,
            links=links,
            boundary=boundary_for(message_id),
        )

    def _tokens(self) -> Tokens:
        if self._token_maker is None:
            self._token_maker = tokens_for(self._config, self._store)
        return self._token_maker

    def _url(self, page: str) -> str:
        return self._config.feed.base_url + page

    def _page(self, period: Period) -> str:
        """Where the period's digest is archived: known before any message links to it."""
        older = {d.page for d in self._store.digests() if d.period_start != period.start}
        return page_name(period.end, self._zone, older)

    def _open(
        self, period: Period, docs: Sequence[Document], now: datetime, report: SendReport
    ) -> None:
        """Record every delivery of a new period as pending, all at once, before any is sent.

        Only the renders and a row per recipient are stored; each message is
        rebuilt from them when it is sent, identically after a crash.
        """
        renders, plan = self._plan(period, docs, now, report)
        sender = self._config.digest.sender
        with self._store.transaction():
            self._check_lease()
            for render in renders:
                self._store.put_render(render)
            for address, choice in plan:
                message_id = new_message_id(period, sender)
                self._store.put_delivery(
                    Delivery(
                        address, period.start, period.end, message_id, "pending", 0, "", now, choice
                    )
                )
            self._store.set_meta(_OPEN, f"{period.start.isoformat()} {period.end.isoformat()}")

    def _pending(self, period: Period) -> list[Delivery]:
        return [d for d in self._store.period_deliveries(period.start) if d.status == "pending"]

    def _deliver(
        self,
        deliveries: Sequence[Delivery],
        transport: Transport,
        now: datetime,
        force: bool,
        report: SendReport,
    ) -> None:
        outage: ServerUnavailable | None = None
        in_flight = self._in_flight()
        for d in deliveries:
            if not self._receives(d.recipient):
                # Unsubscribed (or bounced) since the message was prepared: not sent.
                self._record(d, "cancelled", "unsubscribed before it was sent", now)
                continue
            retry_at = self._retry_at(d)
            if not force and now < retry_at:
                report.waiting.append(
                    (d.recipient, f"next attempt at {retry_at:%Y-%m-%d %H:%M:%S %Z}")
                )
                continue
            if outage:
                # The server is down for everyone: count the attempt without waiting again.
                self._refused(d, outage, now, report)
                continue
            period = Period(d.period_start, d.period_end)
            mail = Outgoing(self._config.digest.sender, d.recipient, period, self._bytes(d))
            if not self._claim(d):
                continue
            if (d.recipient, d.period_start) in in_flight:
                report.resent.append(d.recipient)
            try:
                transport.send(mail)
            except ServerUnavailable as exc:
                outage = exc
                self._refused(d, exc, now, report)
            except DeliveryError as exc:
                self._refused(d, exc, now, report)
            else:
                self._record(d, "sent", "", now)
                self._subscribers.delivered(d.recipient)
                report.sent.append(d.recipient)
                if isinstance(transport, OutboxTransport):
                    report.written.append(transport.folder / mail.file_name)

    def _receives(self, address: str) -> bool:
        """Whether `address` still gets digests, as the database says right now."""
        s = self._subscribers.get(address)
        if s is None or s.status != "confirmed":
            return False
        return s.source != "config" or address.casefold() in self._listed

    def _claim(self, d: Delivery) -> bool:
        """Claim a delivery for this lease holder; False when it is no longer pending."""
        if self._fence is None or self._lease is None:
            return True
        table, now = self._store.leases, self._lease.now_ms()
        if table.claim(self._fence, now, d.recipient, d.period_start):
            return True
        if table.holds(self._fence, now):
            return False
        raise LeaseLost("another instance took the lease over: it sends the rest of the digest")

    def _check_lease(self) -> None:
        """Inside a transaction: stop unless the lease is still held (see Lease.holds)."""
        lease, fence = self._lease, self._fence
        if lease and fence and not self._store.leases.holds(fence, lease.now_ms()):
            raise LeaseLost("another instance took the lease over: it sends the digest")

    def _in_flight(self) -> set[tuple[str, datetime]]:
        """Pending deliveries claimed by an earlier lease holder, which may have sent them."""
        if self._fence is None:
            return set()
        return self._store.leases.in_flight(self._fence)

    def _refused(self, d: Delivery, exc: DeliveryError, now: datetime, report: SendReport) -> None:
        """Record a refusal: final when permanent or when retries are used up."""
        settings = self._config.digest
        attempts = d.attempts + 1
        if exc.permanent:
            self._record(d, "failed", exc.reason, now)
            report.failed.append((d.recipient, exc.reason))
            if self._subscribers.refused(d.recipient):
                report.bounced.append(d.recipient)
        elif attempts >= settings.retry_attempts or now - d.period_end >= timedelta(
            hours=settings.retry_hours
        ):
            reason = f"{exc.reason} (gave up after {attempts} attempt{'s' * (attempts != 1)})"
            self._record(d, "failed", reason, now)
            report.failed.append((d.recipient, reason))
        else:
            self._record(d, "pending", exc.reason, now)
            report.retry.append((d.recipient, exc.reason))

    def _bytes(self, d: Delivery) -> bytes:
        if not d.choice:
            # Recorded by an earlier version, which stored each message whole.
            data = self._store.delivery_message(d.recipient, d.period_start)
            if data is None:
                raise DeliveryError(
                    d.recipient, "the pending digest has no stored message", permanent=True
                )
            return data
        key = (d.period_start, d.choice)
        if key not in self._renders:
            self._renders[key] = self._store.render(d.period_start, d.choice)
        render = self._renders[key]
        if render is None:
            raise DeliveryError(d.recipient, "the pending digest's render is gone", permanent=True)
        return self._message(render, d.recipient, d.message_id)

    def _record(self, d: Delivery, status: str, detail: str, now: datetime) -> None:
        with self._store.transaction():
            self._store.put_delivery(
                replace(d, status=status, attempts=d.attempts + 1, detail=detail, updated=now)
            )
            if status != "pending" and not d.choice:
                self._store.drop_delivery_message(d.recipient, d.period_start)

    def _retry_at(self, d: Delivery) -> datetime:
        if d.attempts == 0:
            return d.updated
        base = self._config.daemon.retry_seconds
        return d.updated + timedelta(seconds=base * 2 ** min(d.attempts - 1, _MAX_DOUBLINGS))

    # Closing a period

    def _settle(self, period: Period, report: SendReport) -> None:
        """Close the period after its first pass; archive it if anything went out or may."""
        rows = self._store.period_deliveries(period.start)
        live = any(d.status in ("sent", "pending") for d in rows)
        record = self._archive(period, report) if live else None
        with self._store.transaction():
            self._check_lease()
            if record:
                self._store.put_digest(record)
            self._store.set_meta(_PERIOD_END, period.end.isoformat())
            self._store.set_meta(_OPEN, "")

    def _archive(self, period: Period, report: SendReport) -> ArchivedDigest:
        """Write the period's page and the digests feed; safe to repeat after a crash."""
        docs = self._store.documents_seen_between(period.start, period.end)
        rendered = self._renderer.render(docs, period, None)
        older = [d for d in self._store.digests() if d.period_start != period.start]
        page = self._page(period)
        record = ArchivedDigest(
            period.start,
            period.end,
            page,
            rendered.subject,
            summary(group(docs, self._themes)),
            len(docs),
        )
        feed_files = digests_feed([record, *older], self._config.feed, since=period.end)
        feeds = self._config.paths.feeds
        written = write_archive(feeds, page, rendered.html, feed_files)
        report.archived.extend(path.relative_to(feeds).as_posix() for path in written)
        return record

    # Dry run

    def _rehearse(self, now: datetime, force: bool, report: SendReport) -> None:
        """Write what `send` would send to the outbox, changing no state."""
        outbox = OutboxTransport(self.outbox)
        unfinished = self._unfinished()
        if unfinished:
            self._describe(unfinished, report)
            mails = [
                Outgoing(self._config.digest.sender, d.recipient, unfinished, self._bytes(d))
                for d in self._pending(unfinished)
            ]
        else:
            period = self._due(now, force, anchor=False)
            if period is None:
                report.next_digest = self.next_digest()
                return
            docs = self._describe(period, report)
            renders, plan = self._plan(period, docs, now, report)
            by_choice = {r.choice: r for r in renders}
            mails = [
                Outgoing(
                    self._config.digest.sender,
                    address,
                    period,
                    self._message(
                        by_choice[choice],
                        address,
                        new_message_id(period, self._config.digest.sender),
                    ),
                )
                for address, choice in plan
            ]
        for mail in mails:
            outbox.send(mail)
            report.written.append(outbox.folder / mail.file_name)

    def _meta_time(self, key: str) -> datetime | None:
        text = self._store.get_meta(key)
        return datetime.fromisoformat(text) if text else None
