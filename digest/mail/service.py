"""Sending the digest that is due, exactly once per recipient and period.

Every message is recorded as a pending delivery, with its exact bytes and
Message-ID, before it is handed to the server, and marked sent only once the
server accepted it. A crash therefore loses nothing, and can repeat a message
(the same one) only if it strikes between acceptance and that record. The
period moves forward only when none of its deliveries is pending.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.config import Config
from digest.enrich.themes import theme_names
from digest.errors import DeliveryError
from digest.grouping import group
from digest.mail.archive import digests_feed, page_name, summary, write_archive
from digest.mail.message import Outgoing, build_message, new_message_id
from digest.mail.periods import EPOCH, Period, label, latest_fire, next_fire, schedule
from digest.mail.render import Renderer, for_recipient, unsubscribe_links
from digest.mail.transport import OutboxTransport, ServerUnavailable, Transport, transport_for
from digest.model import Document
from digest.store import ArchivedDigest, Delivery, Store

# Meta keys: the end of the last closed period, and when digests were first asked for
# (the first scheduled digest is the first fire time after that).
_PERIOD_END = "digest_period_end"
_ANCHOR = "digest_anchor"
# Retries back off to 64 times [daemon].retry_seconds, then keep that pace.
_MAX_DOUBLINGS = 6


@dataclass(slots=True)
class SendReport:
    """What one `send` did."""

    period_start: datetime | None = None
    period_end: datetime | None = None
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    retry: list[tuple[str, str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    label: str = ""
    articles: int = 0
    next_digest: datetime | None = None
    dry_run: bool = False

    def line(self) -> str:
        if self.period_end is None:
            upcoming = f" (next {self.next_digest:%Y-%m-%d %H:%M %Z})" if self.next_digest else ""
            return f"no digest due{upcoming}"
        head = f"digest {self.label}: {self.articles} article{'s' * (self.articles != 1)}"
        if self.dry_run:
            return f"{head}; dry run: {len(self.written)} message(s) written to the outbox"
        line = (
            f"{head}; sent {len(self.sent)}, failed {len(self.failed)}, retrying {len(self.retry)}"
        )
        problems = self.failed + self.retry
        return line + (f" ({problems[0][0]}: {problems[0][1]})" if problems else "")


class Mailer:
    def __init__(
        self,
        config: Config,
        store: Store,
        now: Callable[[], datetime],
        *,
        transport: Transport | None = None,
    ) -> None:
        self._config = config
        self._store = store
        self._now = now
        self._transport = transport
        self._trigger = schedule(config.digest.schedule, config.digest.timezone)
        self._zone = ZoneInfo(config.digest.timezone)
        self._themes = theme_names(config.themes)
        self._renderer = Renderer(config.digest, config.feed, self._themes)

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
        transport = self._transport or transport_for(self._config.smtp, self.outbox)
        try:
            unfinished = self._unfinished()
            if unfinished:
                self._describe(unfinished, report)
                self._deliver(unfinished, transport, now, force, report)
                if not self._settle(unfinished):
                    return report
            period = self._due(now, force, anchor=True)
            if period is None:
                report.next_digest = self.next_digest()
                return report
            docs = self._describe(period, report)
            self._open(period, docs, now, report)
            self._deliver(period, transport, now, force, report)
            self._settle(period)
        finally:
            transport.close()
        return report

    # Periods

    def _unfinished(self) -> Period | None:
        """A period with deliveries recorded but not yet closed (pending, or cut by a crash)."""
        start = self.last_digest() or EPOCH
        rows = self._store.period_deliveries(start)
        return Period(start, rows[0].period_end) if rows else None

    def _due(self, now: datetime, force: bool, *, anchor: bool) -> Period | None:
        start = self.last_digest() or EPOCH
        if force:
            return Period(start, now) if now > start else None
        since = self.last_digest() or self._meta_time(_ANCHOR)
        if since is None:
            # Nothing was ever sent: the first digest is the first scheduled time from now.
            if anchor:
                with self._store.transaction():
                    self._store.set_meta(_ANCHOR, now.isoformat())
            return None
        end = latest_fire(self._trigger, since, now)
        return Period(start, end) if end else None

    def _describe(self, period: Period, report: SendReport) -> list[Document]:
        docs = self._store.documents_seen_between(period.start, period.end)
        report.period_start, report.period_end = period.start, period.end
        report.label = label(period, self._zone)
        report.articles = len(docs)
        return docs

    # Messages

    def _messages(
        self, period: Period, docs: Sequence[Document], now: datetime, report: SendReport
    ) -> list[tuple[str, str, bytes]]:
        """(recipient, Message-ID, bytes) for everyone who gets this period's digest."""
        digest = self._config.digest
        out: list[tuple[str, str, bytes]] = []
        seen: set[str] = set()
        for recipient in digest.recipients:
            if recipient.address in seen:
                continue
            seen.add(recipient.address)
            mine = for_recipient(docs, recipient)
            # An empty digest only when send_empty asks for it and nothing at all is new;
            # a filter that matches nothing sends nothing.
            if not mine and (docs or not digest.send_empty):
                report.skipped.append(recipient.address)
                continue
            rendered = self._renderer.render(mine, period, recipient.address)
            message_id = new_message_id(period, digest.sender)
            data = build_message(
                rendered,
                sender=digest.sender,
                sender_name=digest.sender_name or self._config.feed.title,
                recipient=recipient.address,
                message_id=message_id,
                date=now,
                list_id=digest.list_id,
                unsubscribe=unsubscribe_links(digest, self._config.feed, recipient.address),
            )
            out.append((recipient.address, message_id, data))
        return out

    def _open(
        self, period: Period, docs: Sequence[Document], now: datetime, report: SendReport
    ) -> None:
        """Record every message of a new period as pending, all at once, before any is sent."""
        messages = self._messages(period, docs, now, report)
        with self._store.transaction():
            for recipient, message_id, data in messages:
                # Another process may have opened this period first: keep its Message-ID.
                if self._store.delivery(recipient, period.start):
                    continue
                self._store.put_delivery(
                    Delivery(recipient, period.start, period.end, message_id, "pending", 0, "", now)
                )
                self._store.put_delivery_message(recipient, period.start, data)

    def _deliver(
        self,
        period: Period,
        transport: Transport,
        now: datetime,
        force: bool,
        report: SendReport,
    ) -> None:
        outage: ServerUnavailable | None = None
        for d in self._store.period_deliveries(period.start):
            if d.status != "pending":
                continue
            retry_at = self._retry_at(d)
            if not force and now < retry_at:
                report.retry.append(
                    (d.recipient, f"next attempt at {retry_at:%Y-%m-%d %H:%M:%S %Z}")
                )
                continue
            if outage:
                # The server is down for everyone: count the attempt without waiting again.
                self._record(d, "pending", outage.reason, now)
                report.retry.append((d.recipient, outage.reason))
                continue
            mail = Outgoing(self._config.digest.sender, d.recipient, period, self._bytes(d))
            try:
                transport.send(mail)
            except ServerUnavailable as exc:
                outage = exc
                self._record(d, "pending", exc.reason, now)
                report.retry.append((d.recipient, exc.reason))
            except DeliveryError as exc:
                self._record(d, "failed" if exc.permanent else "pending", exc.reason, now)
                (report.failed if exc.permanent else report.retry).append((d.recipient, exc.reason))
            else:
                self._record(d, "sent", "", now)
                report.sent.append(d.recipient)
                if isinstance(transport, OutboxTransport):
                    report.written.append(transport.folder / mail.file_name)

    def _bytes(self, d: Delivery) -> bytes:
        data = self._store.delivery_message(d.recipient, d.period_start)
        if data is None:
            raise DeliveryError(
                d.recipient, "the pending digest has no stored message", permanent=True
            )
        return data

    def _record(self, d: Delivery, status: str, detail: str, now: datetime) -> None:
        with self._store.transaction():
            self._store.put_delivery(
                replace(d, status=status, attempts=d.attempts + 1, detail=detail, updated=now)
            )
            if status != "pending":
                self._store.drop_delivery_message(d.recipient, d.period_start)

    def _retry_at(self, d: Delivery) -> datetime:
        if d.attempts == 0:
            return d.updated
        base = self._config.daemon.retry_seconds
        return d.updated + timedelta(seconds=base * 2 ** min(d.attempts - 1, _MAX_DOUBLINGS))

    # Closing a period

    def _settle(self, period: Period) -> bool:
        """Close the period unless a delivery is pending; archive it if anything went out."""
        rows = self._store.period_deliveries(period.start)
        if any(d.status == "pending" for d in rows):
            return False
        record = self._archive(period) if any(d.status == "sent" for d in rows) else None
        with self._store.transaction():
            if record:
                self._store.put_digest(record)
            self._store.set_meta(_PERIOD_END, period.end.isoformat())
        return True

    def _archive(self, period: Period) -> ArchivedDigest:
        """Write the period's page and the digests feed; safe to repeat after a crash."""
        docs = self._store.documents_seen_between(period.start, period.end)
        rendered = self._renderer.render(docs, period, None)
        older = [d for d in self._store.digests() if d.period_start != period.start]
        page = page_name(period.end, self._zone, {d.page for d in older})
        record = ArchivedDigest(
            period.start,
            period.end,
            page,
            rendered.subject,
            summary(group(docs, self._themes)),
            len(docs),
        )
        feed_xml = digests_feed([record, *older], self._config.feed)
        write_archive(self._config.paths.feeds, page, rendered.html, feed_xml)
        return record

    # Dry run

    def _rehearse(self, now: datetime, force: bool, report: SendReport) -> None:
        """Write what `send` would send to the outbox, changing no state."""
        outbox = OutboxTransport(self.outbox)
        unfinished = self._unfinished()
        if unfinished:
            self._describe(unfinished, report)
            pending = [
                d for d in self._store.period_deliveries(unfinished.start) if d.status == "pending"
            ]
            mails = [
                Outgoing(self._config.digest.sender, d.recipient, unfinished, self._bytes(d))
                for d in pending
            ]
        else:
            period = self._due(now, force, anchor=False)
            if period is None:
                report.next_digest = self.next_digest()
                return
            docs = self._describe(period, report)
            mails = [
                Outgoing(self._config.digest.sender, recipient, period, data)
                for recipient, _, data in self._messages(period, docs, now, report)
            ]
        for mail in mails:
            outbox.send(mail)
            report.written.append(outbox.folder / mail.file_name)

    def _meta_time(self, key: str) -> datetime | None:
        text = self._store.get_meta(key)
        return datetime.fromisoformat(text) if text else None
