"""Handing finished messages on: to an SMTP server through yagmail, or to the outbox folder.

yagmail 0.16 is used only to open the connection, because its own message
building and sending have traps: its Message-ID collides, its text part is the
HTML with <br> added, a failed send can return False instead of raising, a
user name without "@" gets "@gmail.com" appended, `password=None` reaches for
the keyring, and `smtp_starttls=True` accepts any certificate. So we pass a
verifying SSL context, a user given as a one-entry dict (kept as is), and
after `login()` send our own bytes over its live smtplib connection.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from pathlib import Path
from typing import Any, Protocol

import yagmail

from digest.config import SmtpSettings
from digest.errors import DeliveryError
from digest.mail.message import Outgoing
from digest.publish.atomic import write_atomic


class ServerUnavailable(DeliveryError):
    """The server cannot take any message now: nobody else is tried in this run."""

    def __init__(self, recipient: str, reason: str) -> None:
        super().__init__(recipient, reason, permanent=False)


class _NotTaken(Exception):
    """The session ended before the message was handed over: the server does not have it."""


class Transport(Protocol):
    def send(self, mail: Outgoing) -> None:
        """Return once the message is accepted; raise DeliveryError otherwise."""

    def close(self) -> None: ...


class OutboxTransport:
    """Writes each message as `<name>.eml` in a folder: delivery without a mail server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: list[Path] = []

    def send(self, mail: Outgoing) -> None:
        path = self.folder / mail.file_name
        try:
            write_atomic(path, mail.data)
        except OSError as exc:
            raise DeliveryError(
                mail.recipient, f"cannot write {path}: {exc.strerror or exc}", permanent=False
            ) from None
        self.written.append(path)

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP session, opened at the first message and reused for the rest."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._client: Any = None

    def send(self, mail: Outgoing) -> None:
        reused = self._client is not None
        try:
            self._send(mail)
        except _NotTaken as exc:
            self.close()
            if not reused:
                raise ServerUnavailable(mail.recipient, f"{self._where()}: {exc}") from None
            # Servers end idle sessions and cap the messages of one (421): neither
            # took this message, so a new session may, now rather than at the next retry.
            try:
                self._send(mail)
            except _NotTaken as again:
                self.close()
                raise ServerUnavailable(mail.recipient, f"{self._where()}: {again}") from None

    def _send(self, mail: Outgoing) -> None:
        """One message on the open session (or a new one); `_NotTaken` when the session
        ended before the server could have taken it."""
        smtp = (self._client or self._connect(mail.recipient)).smtp
        where = self._where()
        try:
            code, reply = self._envelope(smtp, mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise _NotTaken(f"the session ended before the message was sent ({exc})") from None
        if code == 421:
            raise _NotTaken(f"the server ended the session: {code} {_reply(reply)}")
        if code not in (250, 251):
            _reset(smtp)
            raise _refusal(mail.recipient, where, code, reply)
        try:
            code, reply = smtp.data(mail.data)
        except smtplib.SMTPDataError as exc:
            # DATA itself refused: nothing of the message was sent.
            if exc.smtp_code == 421:
                reason = f"the server ended the session: 421 {_reply(exc.smtp_error)}"
                raise _NotTaken(reason) from None
            _reset(smtp)
            raise _refusal(mail.recipient, where, exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPException, OSError) as exc:
            # The connection broke while the message was on its way: the server may
            # or may not have it. Resending it (the same bytes) later is the only way
            # not to lose it. The next message opens a new connection.
            self.close()
            raise DeliveryError(
                mail.recipient, f"{where}: connection lost: {exc}", permanent=False
            ) from None
        if code == 421:
            raise _NotTaken(f"the server ended the session: {code} {_reply(reply)}")
        if code != 250:
            raise _refusal(mail.recipient, where, code, reply)

    @staticmethod
    def _envelope(smtp: smtplib.SMTP, mail: Outgoing) -> tuple[int, bytes]:
        """MAIL FROM and RCPT TO, as smtplib's sendmail sends them: the first reply
        that is not a success, or RCPT's."""
        smtp.ehlo_or_helo_if_needed()
        options = [f"SIZE={len(mail.data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, reply = smtp.mail(mail.sender, options)
        if code != 250:
            return code, reply
        return smtp.rcpt(mail.recipient)

    def close(self) -> None:
        if self._client is not None:
            _quit(self._client)
            self._client = None

    def _where(self) -> str:
        return f"smtp {self._settings.host}:{self._settings.port}"

    def _connect(self, recipient: str) -> Any:
        s = self._settings
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        login = s.user or ""
        client = yagmail.SMTP(
            user={login: login},
            password=s.password,
            host=s.host,
            port=s.port,
            smtp_ssl=s.security == "ssl",
            smtp_starttls={"context": context} if s.security == "starttls" else False,
            smtp_skip_login=s.user is None,
            soft_email_validation=False,
            timeout=s.timeout,
            **({"context": context} if s.security == "ssl" else {}),
        )
        try:
            client.login()
        except (smtplib.SMTPException, OSError) as exc:
            _quit(client)
            raise ServerUnavailable(recipient, self._connect_problem(exc)) from None
        self._client = client
        return client

    def _connect_problem(self, exc: Exception) -> str:
        s, where = self._settings, self._where()
        if isinstance(exc, ssl.SSLCertVerificationError):
            return (
                f"{where}: the server's TLS certificate is not trusted ({exc.verify_message}); "
                "set smtp.ca_file to the CA certificate that signed it"
            )
        if isinstance(exc, ssl.SSLError):
            return f"{where}: TLS failed ({exc.reason}); check smtp.security and smtp.port"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            reply = f"{exc.smtp_code} {_reply(exc.smtp_error)}"
            return (
                f"{where}: authentication failed: login as smtp.user {s.user!r} refused "
                f"({reply}); check the password in ${s.password_env}"
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return f"{where}: {exc}; check smtp.security"
        # smtplib reports a reply that never came as a disconnection caused by the timeout.
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            return f"{where}: cannot connect: no answer within smtp.timeout = {s.timeout:g} s"
        if isinstance(exc, ConnectionRefusedError):
            return (
                f"{where}: cannot connect: connection refused; "
                "is the server running? check smtp.host and smtp.port"
            )
        if isinstance(exc, smtplib.SMTPResponseException):
            return f"{where}: cannot connect: {exc.smtp_code} {_reply(exc.smtp_error)}"
        if isinstance(exc, OSError) and exc.strerror:
            return f"{where}: cannot connect: {exc.strerror}"
        return f"{where}: cannot connect: {exc}"


def transport_for(settings: SmtpSettings | None, outbox: Path) -> Transport:
    """SMTP when `[smtp]` is configured; the outbox folder otherwise."""
    return SmtpTransport(settings) if settings else OutboxTransport(outbox)


def _reset(smtp: smtplib.SMTP) -> None:
    # After a refusal, the session is kept for the next recipient; if it is gone,
    # the next message finds out and opens another.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.rset()


def _quit(client: Any) -> None:
    # A session that already failed may fail again on QUIT; nothing is left to save.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.close()


def _refusal(recipient: str, where: str, code: int, reply: bytes | str) -> DeliveryError:
    # 5xx is the server's final word for this message; 4xx (and anything odd) may pass later.
    return DeliveryError(
        recipient, f"{where} refused it: {code} {_reply(reply)}", permanent=500 <= code < 600
    )


def _reply(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())
