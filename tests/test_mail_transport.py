from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.config import SmtpSettings
from digest.errors import DeliveryError
from digest.mail.message import Outgoing
from digest.mail.periods import EPOCH, Period
from digest.mail.transport import OutboxTransport, ServerUnavailable, SmtpTransport
from tests.mailfixtures import Inbox, free_port, make_pki, smtp_server

PERIOD = Period(EPOCH, datetime(2025, 1, 10, 7, tzinfo=UTC))
DATA = b"Subject: hi\r\nFrom: digest@example.org\r\nTo: a@example.org\r\n\r\nHello\r\n"


def settings(port: int, **overrides: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1", "port": port, "security": "none", "user": None,
        "password_env": "DIGEST_SMTP_PASSWORD", "password": None, "ca_file": None,
        "timeout": 5.0,
    }  # fmt: skip
    values.update(overrides)
    return SmtpSettings(**values)  # type: ignore[arg-type]


def mail(recipient: str = "a@example.org") -> Outgoing:
    return Outgoing("digest@example.org", recipient, PERIOD, DATA)


def test_plain_server_receives_the_exact_bytes_with_the_configured_envelope() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        transport = SmtpTransport(settings(port))
        transport.send(mail("a@example.org"))
        transport.send(mail("b@example.org"))
        transport.close()
    assert [(r.mail_from, r.rcpt_tos) for r in inbox.received] == [
        ("digest@example.org", ["a@example.org"]),
        ("digest@example.org", ["b@example.org"]),
    ]
    assert inbox.received[0].data.replace(b"\r\n", b"\n") == DATA.replace(b"\r\n", b"\n")


def test_starttls_with_auth_works_when_ca_file_names_the_servers_ca(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", "Digest Test CA")
    inbox = Inbox()
    # A bare user name: yagmail would turn it into "digest@gmail.com" if given a plain string.
    with smtp_server(inbox, starttls=pki.server, users={"digest": "s3cret"}) as port:
        transport = SmtpTransport(
            settings(
                port, security="starttls", user="digest", password="s3cret", ca_file=pki.ca_file
            )
        )
        transport.send(mail())
        transport.close()
    assert len(inbox.received) == 1


# aiosmtpd warns about AUTH without STARTTLS; over implicit TLS that is what we want.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_verifies_against_ca_file(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", "Digest Test CA")
    inbox = Inbox()
    with smtp_server(inbox, implicit_tls=pki.server, users={"digest": "s3cret"}) as port:
        transport = SmtpTransport(
            settings(port, security="ssl", user="digest", password="s3cret", ca_file=pki.ca_file)
        )
        transport.send(mail())
        transport.close()
    assert len(inbox.received) == 1


def test_certificate_from_another_ca_is_refused_with_a_message_naming_the_fix(
    tmp_path: Path,
) -> None:
    server_pki = make_pki(tmp_path / "server", "Server CA")
    other = make_pki(tmp_path / "other", "Some Other CA")
    inbox = Inbox()
    with smtp_server(inbox, starttls=server_pki.server, users={"digest": "s3cret"}) as port:
        transport = SmtpTransport(
            settings(
                port, security="starttls", user="digest", password="s3cret", ca_file=other.ca_file
            )
        )
        with pytest.raises(ServerUnavailable) as caught:
            transport.send(mail())
    assert isinstance(caught.value, DeliveryError)
    assert not caught.value.permanent
    assert str(caught.value) == (
        f"a@example.org: smtp 127.0.0.1:{port}: the server's TLS certificate is not trusted "
        "(unable to get local issuer certificate); set smtp.ca_file to the CA certificate "
        "that signed it"
    )
    assert inbox.received == []


def test_without_ca_file_a_self_signed_server_is_not_trusted(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", "Digest Test CA")
    with smtp_server(Inbox(), starttls=pki.server) as port:
        transport = SmtpTransport(settings(port, security="starttls"))
        with pytest.raises(ServerUnavailable, match="TLS certificate is not trusted"):
            transport.send(mail())


def test_wrong_password_is_reported_without_revealing_it(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", "Digest Test CA")
    with smtp_server(Inbox(), starttls=pki.server, users={"digest": "right"}) as port:
        transport = SmtpTransport(
            settings(
                port, security="starttls", user="digest", password="wrong-pw", ca_file=pki.ca_file
            )
        )
        with pytest.raises(ServerUnavailable) as caught:
            transport.send(mail())
    message = str(caught.value)
    assert "authentication failed: login as smtp.user 'digest' refused (535" in message
    assert "DIGEST_SMTP_PASSWORD" in message
    assert "wrong-pw" not in message


def test_server_that_is_down_is_a_temporary_failure() -> None:
    transport = SmtpTransport(settings(free_port()))
    with pytest.raises(
        ServerUnavailable, match="cannot connect: connection refused; is the server running"
    ):
        transport.send(mail())


def test_recipient_refused_with_5xx_is_permanent_and_4xx_temporary() -> None:
    inbox = Inbox(refuse={"gone@example.org": "550 No such user", "full@example.org": "452 Full"})
    with smtp_server(inbox) as port:
        transport = SmtpTransport(settings(port))
        with pytest.raises(DeliveryError) as gone:
            transport.send(mail("gone@example.org"))
        with pytest.raises(DeliveryError) as full:
            transport.send(mail("full@example.org"))
        transport.send(mail("a@example.org"))
        transport.close()
    assert gone.value.permanent
    assert str(gone.value).endswith("refused it: 550 No such user")
    assert not full.value.permanent
    assert [r.rcpt_tos for r in inbox.received] == [["a@example.org"]]


def test_a_server_taking_one_message_per_session_gets_each_in_a_new_session() -> None:
    inbox = Inbox()
    recipients = ["a@example.org", "b@example.org", "c@example.org"]
    with smtp_server(inbox, messages_per_session=1) as port:
        transport = SmtpTransport(settings(port))
        for recipient in recipients:
            transport.send(mail(recipient))
        transport.close()
    assert [r.rcpt_tos for r in inbox.received] == [[r] for r in recipients]


def test_a_session_the_server_closed_between_messages_is_opened_again() -> None:
    inbox = Inbox(hang_up=True)
    with smtp_server(inbox) as port:
        transport = SmtpTransport(settings(port))
        transport.send(mail("a@example.org"))
        time.sleep(0.3)  # the server hangs up meanwhile
        transport.send(mail("b@example.org"))
        transport.close()
    assert [r.rcpt_tos for r in inbox.received] == [["a@example.org"], ["b@example.org"]]


class Busy(Inbox):
    async def handle_MAIL(self, *args: Any) -> str:
        return "421 4.3.2 Too busy, try later"


def test_a_server_too_busy_for_a_new_session_is_unavailable_for_now() -> None:
    with smtp_server(Busy()) as port:
        transport = SmtpTransport(settings(port))
        with pytest.raises(ServerUnavailable, match=r"421 4\.3\.2 Too busy") as busy:
            transport.send(mail())
    assert not busy.value.permanent


def test_outbox_writes_one_eml_file_per_recipient_and_period(tmp_path: Path) -> None:
    transport = OutboxTransport(tmp_path / "outbox")
    transport.send(mail("a@example.org"))
    transport.send(mail("a@example.org"))
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == [
        "20250110T070000Z-a@example.org.eml"
    ]
    assert (tmp_path / "outbox" / "20250110T070000Z-a@example.org.eml").read_bytes() == DATA
