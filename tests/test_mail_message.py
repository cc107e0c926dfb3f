from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from digest.config import Config
from digest.mail.message import build_message, new_message_id
from digest.mail.periods import Period
from digest.mail.render import Renderer, unsubscribe_links
from tests.conftest import WriteConfig
from tests.factories import make_document

PERIOD = Period(datetime(2025, 1, 6, 7, tzinfo=UTC), datetime(2025, 1, 7, 7, tzinfo=UTC))


def message_for(config: Config, title: str, recipient: str = "reader@example.org") -> bytes:
    renderer = Renderer(config.digest, config.feed)
    rendered = renderer.render([make_document(1, title=title)], PERIOD, recipient)
    return build_message(
        rendered,
        sender=config.digest.sender,
        sender_name=config.feed.title,
        recipient=recipient,
        message_id=new_message_id(PERIOD, config.digest.sender),
        date=PERIOD.end,
        list_id=config.digest.list_id,
        unsubscribe=unsubscribe_links(config.digest, config.feed, recipient),
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
    assert message["List-Unsubscribe"] == (
        "<mailto:digest@example.org?subject=unsubscribe>, "
        "<https://news.example.org/unsubscribe?list=world-desk.news.example.org"
        "&address=reader%40example.org>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<digest.20250107070000.")
    assert message["Message-ID"].endswith("@example.org>")


def test_one_click_unsubscribe_is_offered_only_over_https(write_config: WriteConfig) -> None:
    config = write_config(DIGEST, base_url="http://127.0.0.1:8080/")
    message = parse(message_for(config, "Grid plan"))
    assert message["List-Unsubscribe"] == "<mailto:digest@example.org?subject=unsubscribe>"
    assert message["List-Unsubscribe-Post"] is None


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
