"""A subscriber as the state database keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digest.config import Recipient
from digest.errors import DigestError

STATUSES = ("pending", "confirmed", "unsubscribed", "bounced")
# Where a subscriber came from: the config's fixed list, the operator (add, import), a form.
SOURCES = ("config", "operator", "form")


class SubscriberError(DigestError):
    """A subscriber operation cannot be done: names the address or row and why."""


@dataclass(frozen=True, slots=True)
class Subscriber:
    address: str
    id: str  # random and opaque: what signed links carry instead of the address
    status: str
    source: str
    created: datetime
    updated: datetime
    name: str = ""
    regions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    confirmed: datetime | None = None
    unsubscribed: datetime | None = None
    bounced: datetime | None = None
    preferences_changed: datetime | None = None
    # Permanent refusals in a row; reset by any accepted message.
    bounces: int = 0

    @property
    def recipient(self) -> Recipient:
        return Recipient(address=self.address, regions=self.regions, themes=self.themes)

    def as_json(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "address": self.address,
            "name": self.name or None,
            "status": self.status,
            "regions": list(self.regions),
            "themes": list(self.themes),
            "source": self.source,
            "created": when(self.created),
            "confirmed": when(self.confirmed),
            "unsubscribed": when(self.unsubscribed),
            "bounced": when(self.bounced),
            "preferences_changed": when(self.preferences_changed),
            "updated": when(self.updated),
            "bounces": self.bounces,
        }
