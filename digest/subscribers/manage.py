"""What can happen to a subscriber: added, imported, asked to confirm, confirmed,
preferences changed, unsubscribed, bounced; and who gets the next digest.

`digest.recipients` from the configuration is merged in as a fixed list: each
address gets a row (for its unsubscribe link and status) and keeps the
preferences the configuration gives it.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from digest.config import Config
from digest.enrich.regions import default_regions
from digest.enrich.themes import theme_names
from digest.mail.addresses import AddressError, normalize_address, unsafe_character
from digest.store import Store
from digest.subscribers.model import Subscriber, SubscriberError

CSV_COLUMNS = (
    "address", "name", "status", "regions", "themes", "source",
    "created", "confirmed", "unsubscribed", "bounced",
)  # fmt: skip


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (CSV line, reason)

    def line(self) -> str:
        return (
            f"imported: added {self.added}, updated {self.updated}, rejected {len(self.rejected)}"
        )


class Subscribers:
    def __init__(self, config: Config, store: Store, now: Callable[[], datetime]) -> None:
        self._config = config
        self._store = store
        self._now = now
        self._themes = theme_names(config.themes)
        regions = {*default_regions().values(), *config.regions.countries.values()}
        self.regions = tuple(sorted(regions))
        self.themes = tuple(self._themes.themes)

    # Reading

    def all(self) -> list[Subscriber]:
        self._merge_config()
        return self._store.subscribers.all()

    def get(self, address: str) -> Subscriber | None:
        return self._store.subscribers.get(address)

    def by_id(self, subscriber_id: str) -> Subscriber | None:
        return self._store.subscribers.by_id(subscriber_id)

    def recipients(self) -> list[Subscriber]:
        """Who gets the next digest: confirmed subscribers, config ones only while listed."""
        self._merge_config()
        listed = {s.address.casefold() for s in self._config.digest.recipients}
        return [
            s
            for s in self._store.subscribers.all("confirmed")
            if s.source != "config" or s.address.casefold() in listed
        ]

    # The operator's actions

    def add(
        self,
        address: str,
        regions: Sequence[str] = (),
        themes: Sequence[str] = (),
        name: str = "",
    ) -> Subscriber:
        """A confirmed subscriber (no confirmation mail: the operator vouches for it)."""
        address = self.check_address(address)
        chosen = self.check_regions(regions), self.check_themes(themes)
        name = _check_name(name)
        with self._store.transaction():
            now = self._now()
            old = self._store.subscribers.get(address)
            base = old or self._new(address, "operator", now)
            sub = replace(
                base, status="confirmed", regions=chosen[0], themes=chosen[1],
                name=name or base.name, updated=now, bounces=0,
                confirmed=now if base.status != "confirmed" else base.confirmed,
                preferences_changed=now if old else None,
            )  # fmt: skip
            self._store.subscribers.put(sub)
        return sub

    def remove(self, address: str) -> Subscriber:
        """Unsubscribe an address; the row stays, so the history does."""
        with self._store.transaction():
            old = self._store.subscribers.get(address)
            if old is None:
                raise SubscriberError(f"{address}: no such subscriber")
            sub = self._set_status(old, "unsubscribed")
        return sub

    def import_csv(self, text: str) -> ImportResult:
        """Add or update every row of a CSV with a header naming at least `address`."""
        result = ImportResult()
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "address" not in fields:
            raise SubscriberError("the CSV file has no `address` column in its header row")
        reader.fieldnames = fields
        for row in reader:
            line = reader.line_num
            try:
                added = self._import_row(row)
            except SubscriberError as exc:
                result.rejected.append((line, str(exc)))
                continue
            if added:
                result.added += 1
            else:
                result.updated += 1
        return result

    def _import_row(self, row: dict[str, str | None]) -> bool:
        """Add or update one row; True when the address is new."""
        address = (row.get("address") or "").strip()
        status = (row.get("status") or "").strip().lower()
        old = self.get(address)
        if status in ("unsubscribed", "bounced"):
            sub = self.add(address, _split(row.get("regions")), _split(row.get("themes")))
            with self._store.transaction():
                self._set_status(sub, status)
            return old is None
        if status not in ("", "confirmed", "pending"):
            raise SubscriberError(f"{address}: unknown status {status!r}")
        if old is not None and old.status in ("unsubscribed", "bounced"):
            # Someone who left is not put back by a list: only `add` does that.
            raise SubscriberError(
                f"{old.address}: {old.status}, not re-added; `digest subscribers add` re-adds"
            )
        self.add(
            address,
            _split(row.get("regions")),
            _split(row.get("themes")),
            (row.get("name") or "").strip(),
        )
        return old is None

    def export_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for s in self.all():
            data = s.as_json()
            writer.writerow(
                ";".join(data[c]) if c in ("regions", "themes") else (data[c] or "")
                for c in CSV_COLUMNS
            )
        return out.getvalue()

    # A visitor's actions (from the served pages)

    def request(
        self, address: str, regions: Sequence[str] = (), themes: Sequence[str] = ()
    ) -> Subscriber | None:
        """A subscribe form was posted: the subscriber to mail a confirmation link, if any.

        Nobody is mailed for an address that is already confirmed (it is told
        nothing either way: the page is the same whatever the address).
        """
        address = self.check_address(address)
        chosen = self.check_regions(regions), self.check_themes(themes)
        with self._store.transaction():
            now = self._now()
            old = self._store.subscribers.get(address)
            if old is not None and old.status == "confirmed":
                return None
            base = old or self._new(address, "form", now)
            sub = replace(base, status="pending", regions=chosen[0], themes=chosen[1], updated=now)
            self._store.subscribers.put(sub)
        return sub

    def confirm(self, subscriber_id: str) -> Subscriber | None:
        with self._store.transaction():
            old = self._store.subscribers.by_id(subscriber_id)
            if old is None or old.status == "confirmed":
                return old
            return self._set_status(old, "confirmed")

    def unsubscribe(self, subscriber_id: str) -> Subscriber | None:
        with self._store.transaction():
            old = self._store.subscribers.by_id(subscriber_id)
            if old is None or old.status == "unsubscribed":
                return old
            return self._set_status(old, "unsubscribed")

    def set_preferences(
        self, subscriber_id: str, regions: Sequence[str], themes: Sequence[str]
    ) -> Subscriber | None:
        chosen = self.check_regions(regions), self.check_themes(themes)
        with self._store.transaction():
            old = self._store.subscribers.by_id(subscriber_id)
            if old is None:
                return None
            now = self._now()
            sub = replace(
                old, regions=chosen[0], themes=chosen[1], preferences_changed=now, updated=now
            )
            self._store.subscribers.put(sub)
        return sub

    # What delivery tells us

    def delivered(self, address: str) -> None:
        """An accepted message clears the count of refusals (written only when there is one)."""
        seen = self._store.subscribers.get(address)
        if seen is None or not seen.bounces:
            return
        with self._store.transaction():
            old = self._store.subscribers.get(address)
            if old is not None and old.bounces:
                self._store.subscribers.put(replace(old, bounces=0))

    def refused(self, address: str) -> bool:
        """Count a permanent refusal; True when it makes the subscriber bounced."""
        with self._store.transaction():
            old = self._store.subscribers.get(address)
            if old is None:
                return False
            sub = replace(old, bounces=old.bounces + 1)
            if sub.bounces >= self._config.digest.bounce_limit and old.status == "confirmed":
                self._set_status(sub, "bounced")
                return True
            self._store.subscribers.put(sub)
        return False

    # Checks

    def check_address(self, address: str) -> str:
        try:
            return normalize_address(address)
        except AddressError as exc:
            raise SubscriberError(f"{address!r} is not an email address: {exc}") from None

    def check_regions(self, names: Iterable[str]) -> tuple[str, ...]:
        known = {name.casefold(): name for name in self.regions}
        out = []
        for name in names:
            if name.strip().casefold() not in known:
                raise SubscriberError(
                    f"unknown region {name!r}; regions are: {', '.join(self.regions)}"
                )
            out.append(known[name.strip().casefold()])
        return tuple(dict.fromkeys(out))

    def check_themes(self, names: Iterable[str]) -> tuple[str, ...]:
        out = []
        for name in names:
            theme = self._themes.theme_of(name)
            if theme is None:
                raise SubscriberError(
                    f"unknown theme {name!r}; themes are: {', '.join(self.themes)}"
                )
            out.append(theme)
        return tuple(dict.fromkeys(out))

    # Internals

    def _new(self, address: str, source: str, now: datetime) -> Subscriber:
        return Subscriber(
            address=address,
            id=secrets.token_urlsafe(12),
            status="pending",
            source=source,
            created=now,
            updated=now,
        )

    def _set_status(self, old: Subscriber, status: str) -> Subscriber:
        now = self._now()
        sub = replace(old, status=status, updated=now)
        if status == "confirmed":
            sub = replace(sub, confirmed=now, bounces=0)
        elif status == "unsubscribed":
            sub = replace(sub, unsubscribed=now)
        elif status == "bounced":
            sub = replace(sub, bounced=now)
        self._store.subscribers.put(sub)
        return sub

    def _merge_config(self) -> None:
        """Give each configured recipient a row, with the configuration's preferences."""
        table = self._store.subscribers
        todo = []
        for r in self._config.digest.recipients:
            old = table.get(r.address)
            if old is None or (
                old.source == "config" and (old.regions, old.themes) != (r.regions, r.themes)
            ):
                todo.append(r)
        if not todo:
            return
        with self._store.transaction():
            now = self._now()
            for r in todo:
                old = table.get(r.address)
                if old is None:
                    new = self._new(r.address, "config", now)
                    table.put(
                        replace(new, status="confirmed", confirmed=now,
                                regions=r.regions, themes=r.themes)
                    )  # fmt: skip
                elif old.source == "config":
                    table.put(replace(old, regions=r.regions, themes=r.themes, updated=now))


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _check_name(name: str) -> str:
    bad = unsafe_character(name)
    if bad:
        raise SubscriberError(f"the name {name!r} contains {bad}, a control character")
    return name.strip()
