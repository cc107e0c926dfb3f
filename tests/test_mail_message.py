from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from digest.config import Config
from digest.mail.message import build_message, new_message_id
from digest.mail.periods import Period
from digest.mail.render import Links, Renderer, links_for
from tests.conftest import WriteConfig
from tests.factories import make_document

PERIOD = Period(datetime(2025, 1, 6, 7, tzinfo=UTC), datetime(2025, 1, 7, 7, tzinfo=UTC))


def sample_links(config: Config) -> Links:
    return links_for(
        config.digest, config.feed, unsubscribe_token="U.sig", preferences_token="P.sig",
        page="digests/2025-01-07.html",
    )  # fmt: skip


def message_for(config: Config, title: str, recipient: str = "reader@example.org") -> bytes:
    renderer = Renderer(config.digest, config.feed)
    links = sample_links(config)
    rendered = renderer.render([make_document(1, title=title)], PERIOD, recipient, links)
    return build_message(
        rendered,
        sender=config.digest.sender,
        sender_name=config.feed.title,
        recipient=recipient,
        message_id=new_message_id(PERIOD, config.digest.sender),
        date=PERIOD.end,
        list_id=config.digest.list_id,
        links=links,
    )


def parse(data: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


DIGEST = '[digest]\nsender = "digest@example.org"\nsubject = "World Desk Digest"\n'


def test_headers_name_the_list_and_offer_one_click_unsubscribe(write_config: WriteConfig) -> None:
    config = write_config(DIGEST, title="World Desk")
    message = parse(message_for(config, "Grid plan"))
    assert message["Subject"] == "World Desk Digest, 6-7 Jan 2025: 1 new article"
    assert message["From"] == "World Desk <digest@example.org>"
    assert message["To"] == "reader@example.org"
    assert message["Date"] == "Tue, 07 Jan 2025 07:00:00 +0000"
    assert message["List-Id"] == "World Desk <world-desk.news.example.org>"
    # A signed opaque token, never the address.
    assert message["List-Unsubscribe"] == "<https://news.example.org/unsubscribe?t=U.sig>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<digest.20250107070000.")
    assert message["Message-ID"].endswith("@example.org>")


def test_one_click_unsubscribe_is_offered_only_over_https(write_config: WriteConfig) -> None:
    config = write_config(DIGEST, base_url="http://127.0.0.1:8080/")
    message = parse(message_for(config, "Grid plan"))
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:8080/unsubscribe?t=U.sig>"
    assert message["List-Unsubscribe-Post"] is None


def test_a_configured_unsubscribe_mailbox_is_offered_beside_the_link(
    write_config: WriteConfig,
) -> None:
    config = write_config(DIGEST + 'unsubscribe_mailbox = "leave@example.org"\n')
    message = parse(message_for(config, "Grid plan"))
    assert message["List-Unsubscribe"] == (
        "<mailto:leave@example.org?subject=unsubscribe>, "
        "<https://news.example.org/unsubscribe?t=U.sig>"
    )


def test_every_digest_links_to_unsubscribe_preferences_and_its_archived_page(
    write_config: WriteConfig,
) -> None:
    message = parse(message_for(write_config(DIGEST), "Grid plan"))
    for part in ("plain", "html"):
        body = message.get_body((part,)).get_content()
        assert "https://news.example.org/unsubscribe?t=U.sig" in body
        assert "https://news.example.org/preferences?t=P.sig" in body
        assert "https://news.example.org/digests/2025-01-07.html" in body
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("View in your browser: https://news.example.org/digests/2025-01-07.html")


def test_every_message_id_is_new() -> None:
    ids = {new_message_id(PERIOD, "digest@example.org") for _ in range(100)}
    assert len(ids) == 100


def test_a_title_with_line_breaks_cannot_add_a_header(write_config: WriteConfig) -> None:
    config = write_config(DIGEST)
    data = message_for(config, "Plan\r\nBcc: victim@example.com\r\n\r\n<script>x</script>")
    message = parse(data)
    assert message["Bcc"] is None
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert b"victim" not in headers
    html = message.get_body(("html",))
    assert html is not None and "<script>" not in html.get_content()


def test_long_non_ascii_subject_is_encoded_and_folded(write_config: WriteConfig) -> None:
    title = "Revue de presse « Monde » — édition spéciale " * 3
    config = write_config(DIGEST.replace("World Desk Digest", title.strip()))
    data = message_for(config, "Grid plan")
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    subject = headers[headers.index(b"Subject:") : headers.index(b"\r\nFrom:")]
    assert subject.count(b"\r\n ") >= 2
    assert all(len(line) <= 78 for line in subject.split(b"\r\n"))
    assert parse(data)["Subject"] == f"{' '.join(title.split())}, 6-7 Jan 2025: 1 new article"


def test_lines_end_with_crlf_and_the_text_part_comes_first(write_config: WriteConfig) -> None:
    config = write_config(DIGEST)
    data = message_for(config, "Grid plan")
    assert b"\n" not in data.replace(b"\r\n", b"")
    message = parse(data)
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
