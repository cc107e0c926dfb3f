"""The public record of sent digests: one HTML page each and the Atom feed digests.xml."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from digest.config import FeedSettings
from digest.grouping import RegionGroup
from digest.model import DIGESTS_FEED
from digest.publish.atomic import write_atomic
from digest.publish.feeds import EPOCH, FeedSpec, generator
from digest.store import ArchivedDigest
from digest.text import strip_control

FEED_PATH = DIGESTS_FEED


def page_name(period_end: datetime, zone: tzinfo, taken: set[str]) -> str:
    """`digests/<date>.html`, or with the time too when that day already has a digest."""
    local = period_end.astimezone(zone)
    name = f"digests/{local:%Y-%m-%d}.html"
    return name if name not in taken else f"digests/{local:%Y-%m-%d-%H%M%S}.html"


def summary(groups: Sequence[RegionGroup]) -> str:
    count = sum(g.count for g in groups)
    regions = ", ".join(f"{g.name} ({g.count})" for g in groups)
    return f"{count} article{'s' * (count != 1)}" + (f": {regions}" if regions else "")


def digests_feed(digests: Sequence[ArchivedDigest], feed: FeedSettings) -> bytes:
    """Atom 1.0: the newest `max_entries` digests, each linking to its page."""
    shown = digests[: feed.max_entries]
    spec = FeedSpec(FEED_PATH, f"{feed.title}: digests", "")
    fg = generator(spec, feed, max((d.period_end for d in shown), default=EPOCH))
    fg.link(href=feed.base_url + "index.html", rel="alternate", type="text/html")
    for d in shown:
        fe = fg.add_entry(order="append")
        fe.id(f"tag:{feed.authority},{d.period_end:%Y-%m-%d}:digest/{d.period_end:%Y%m%dT%H%M%SZ}")
        fe.title(_clean(d.title))
        fe.link(href=feed.base_url + d.page)
        fe.updated(d.period_end)
        fe.published(d.period_end)
        fe.summary(_clean(d.summary))
    data: bytes = fg.atom_str(pretty=True)
    return data


def write_archive(feeds: Path, page: str, html: str, feed_xml: bytes) -> list[Path]:
    """Write the page, then the feed that links to it: a reader never follows a dead link."""
    written = []
    for path, data in ((feeds / page, html.encode("utf-8")), (feeds / FEED_PATH, feed_xml)):
        if write_atomic(path, data):
            written.append(path)
    return written


def _clean(text: str) -> str:
    return strip_control(text).strip()
