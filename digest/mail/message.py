"""The email a recipient receives, built with the standard `email` package.

Headers go through `email.policy.SMTP`: it encodes non-ASCII words (RFC 2047),
folds long lines and refuses CR or LF inside a value, so nothing a document
says can add a header. Only our own strings reach headers anyway; titles stay
in the bodies.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import formataddr

from digest.mail.periods import Period
from digest.mail.render import Links, Rendered
from digest.text import squash


class _UriList(UnstructuredHeader, BaseHeader):
    """List-Unsubscribe: URIs in angle brackets, folded between items, never encoded.

    The stock folding turns a URI longer than a line into RFC 2047 encoded
    words, which mail clients do not decode in this header: the links vanish.
    """

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: " + f",{policy.linesep} ".join(str(self).split(", ")) + policy.linesep


_REGISTRY = HeaderRegistry()
_REGISTRY.map_to_type("list-unsubscribe", _UriList)
# 7bit: bodies are quoted-printable or base64 whatever their line lengths, so no
# server needs 8BITMIME (smtplib does not negotiate it for raw bytes).
POLICY = policy.SMTP.clone(header_factory=_REGISTRY, cte_type="7bit")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One finished message and its envelope, as a transport hands it on."""

    sender: str
    recipient: str
    period: Period
    data: bytes

    @property
    def file_name(self) -> str:
        """Its name in the outbox: one file per recipient and period."""
        safe = re.sub(r"[^A-Za-z0-9@._+-]", "_", self.recipient)
        return f"{self.period.end:%Y%m%dT%H%M%SZ}-{safe}.eml"


def new_message_id(period: Period, sender: str) -> str:
    """A Message-ID no other digest shares, in the sender's domain.

    yagmail's default hashes from, to and subject, so two digests with the
    same subject would collide; ours is random and stored with the delivery.
    """
    domain = sender.rpartition("@")[2]
    return f"<digest.{period.end:%Y%m%d%H%M%S}.{secrets.token_hex(10)}@{domain}>"


def build_message(
    rendered: Rendered,
    *,
    sender: str,
    sender_name: str,
    recipient: str,
    message_id: str,
    date: datetime,
    list_id: str,
    links: Links,
    boundary: str | None = None,
) -> bytes:
    """The message as it goes on the wire: multipart/alternative, text then HTML, CRLF."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = _shared("Subject", squash(rendered.subject))
    msg["From"] = _shared_address("From", squash(sender_name), sender)
    msg["To"] = Address(addr_spec=recipient)
    msg["Date"] = _shared("Date", date)
    msg["Message-ID"] = message_id
    msg["List-Id"] = _shared("List-Id", formataddr((squash(sender_name), list_id)))
    msg["List-Unsubscribe"] = ", ".join(f"<{link}>" for link in links.header)
    if links.one_click:
        msg["List-Unsubscribe-Post"] = _shared(
            "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
        )
    # RFC 3834: tells vacation responders not to answer a digest.
    msg["Auto-Submitted"] = _shared("Auto-Submitted", "auto-generated")
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    if boundary:
        msg.set_boundary(boundary)
    return msg.as_bytes()


# The headers every recipient of one digest shares are parsed once: the policy keeps
# as it is a header object whose name matches, and header objects are immutable.
@functools.lru_cache(maxsize=256)
def _shared(name: str, value: str | datetime) -> BaseHeader:
    header: BaseHeader = POLICY.header_factory(name, value)
    return header


@functools.lru_cache(maxsize=64)
def _shared_address(name: str, display_name: str, address: str) -> BaseHeader:
    header: BaseHeader = POLICY.header_factory(
        name, Address(display_name=display_name, addr_spec=address)
    )
    return header


def boundary_for(message_id: str) -> str:
    """A MIME boundary that depends only on the Message-ID, so a rebuilt message is identical.

    "=_" cannot occur in a quoted-printable or base64 body, so it never collides.
    """
    return "=_digest_" + hashlib.sha256(message_id.encode()).hexdigest()[:32]
