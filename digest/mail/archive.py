"""The public record of sent digests: one HTML page each, and the feed digests.xml
(with digests.rss.xml and digests.json)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from digest.config import FeedSettings
from digest.grouping import RegionGroup
from digest.model import DIGESTS_FEED
from digest.publish.assets import site_assets, stylesheet_href
from digest.publish.atomic import write_atomic
from digest.publish.entries import clean
from digest.publish.feeds import Entry, FeedSpec, Format, Head, newest_update
from digest.publish.renderers import RENDERERS
from digest.store import ArchivedDigest

FEED_PATH = DIGESTS_FEED
SPEC = FeedSpec("", "", FEED_PATH.removesuffix(".xml"))


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
) -> dict[str, bytes]:
    """The newest `max_entries` digests, each linking to its page, in Atom, RSS and
    JSON Feed: {path in the feeds folder: bytes}.

    `since` dates the feeds before any digest went out (when the site first published).
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
    out = {}
    for fmt, render in RENDERERS.items():
        path = SPEC.path(fmt)
        head = Head(
            id=feed.base_url + FEED_PATH,
            title=clean(f"{feed.title}: digests"),
            subtitle="",
            self_url=feed.base_url + path,
            home_url=feed.base_url + "index.html",
            updated=newest_update(entries, since),
            language=feed.language,
            author=clean(feed.author),
            icon=assets.icon,
            logo=assets.logo,
            hubs=feed.hubs,
            stylesheet=stylesheet_href(path) if fmt is not Format.JSON else "",
        )
        out[path] = render(head, entries)
    return out


def write_archive(feeds: Path, page: str, html: str, feed_files: Mapping[str, bytes]) -> list[Path]:
    """Write the page, then the feeds that link to it: a reader never follows a dead link."""
    written = []
    files = [(feeds / page, html.encode("utf-8"))]
    files += [(feeds / path, data) for path, data in feed_files.items()]
    for path, data in files:
        if write_atomic(path, data):
            written.append(path)
    return written
