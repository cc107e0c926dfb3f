"""The caching policy and the Last-Modified a feed earns from its own `updated`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.httpheaders import feed_updated, last_modified

NOW = datetime(2025, 2, 1, tzinfo=UTC)


def test_an_entrys_updated_is_not_taken_for_the_feeds() -> None:
    body = b"<feed><entry><updated>2025-01-09T12:00:00Z</updated></entry></feed>"
    assert feed_updated(body) is None


def test_a_prefixed_atom_updated_is_read() -> None:
    body = (
        b"<a:feed xmlns:a='http://www.w3.org/2005/Atom'><a:updated>2025-01-09T12:00:00Z</a:updated>"
    )
    assert feed_updated(body) == datetime(2025, 1, 9, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [
        b"<feed><updated>yesterday</updated></feed>",
        b"<rss><channel><lastBuildDate>soon</lastBuildDate></channel></rss>",
        b"<feed><updated>\xff\xfe</updated></feed>",
        b"",
    ],
)
def test_an_unreadable_date_falls_back_to_the_files_time(body: bytes) -> None:
    assert last_modified("atom.xml", body, 1_700_000_000, NOW) == datetime(
        2023, 11, 14, 22, 13, 20, tzinfo=UTC
    )


def test_a_feed_dated_ahead_is_never_modified_later_than_now() -> None:
    body = b"<feed><updated>2030-01-01T00:00:00+00:00</updated></feed>"
    assert last_modified("atom.xml", body, 0, NOW) == NOW


def test_only_xml_files_are_read_for_a_date() -> None:
    body = b"<feed><updated>2025-01-09T12:00:00Z</updated></feed>"
    assert last_modified("index.html", body, 0, NOW) == datetime(1970, 1, 1, tzinfo=UTC)
