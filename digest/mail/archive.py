"""The public record of sent digests: one HTML page each and the Atom feed digests.xml."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from digest.config import FeedSettings
from digest.grouping import RegionGroup
from digest.model import DIGESTS_FEED
from digest.publish.assets import site_assets, stylesheet_href
from digest.publish.atom import atom_document
from digest.publish.atomic import write_atomic
from digest.publish.entries import clean
from digest.publish.feeds import Entry, Head, newest_update
from digest.store import ArchivedDigest

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


def digests_feed(
    digests: Sequence[ArchivedDigest], feed: FeedSettings, *, since: datetime
) -> bytes:
    """Atom 1.0: the newest `max_entries` digests, each linking to its page.

    `since` dates the feed before any digest went out (when the site first published).
    """
    shown = digests[: feed.max_entries]
    assets = site_assets(feed)
    entries = [
        Entry(
            id=f"tag:{feed.authority},{d.period_end:%Y-%m-%d}:digest/{d.period_end:%Y%m%dT%H%M%SZ}",
            title=clean(d.title),
            link=feed.base_url + d.page,
            published=d.period_end,
            updated=d.period_end,
            author=clean(feed.author),
            summary=clean(d.summary),
        )
        for d in shown
    ]
    head = Head(
        id=feed.base_url + FEED_PATH,
        title=clean(f"{feed.title}: digests"),
        subtitle="",
        self_url=feed.base_url + FEED_PATH,
        home_url=feed.base_url + "index.html",
        updated=newest_update(entries, since),
        language=feed.language,
        author=clean(feed.author),
        icon=assets.icon,
        logo=assets.logo,
        hubs=feed.hubs,
        stylesheet=stylesheet_href(FEED_PATH),
    )
    return atom_document(head, entries)


def write_archive(feeds: Path, page: str, html: str, feed_xml: bytes) -> list[Path]:
    """Write the page, then the feed that links to it: a reader never follows a dead link."""
    written = []
    for path, data in ((feeds / page, html.encode("utf-8")), (feeds / FEED_PATH, feed_xml)):
        if write_atomic(path, data):
            written.append(path)
    return written
