"""Checking what goes into a header: addresses (with email-validator) and one-line values.

Everything an operator or a visitor gives us passes here first, at configuration
time or when a form is posted, so nothing that was accepted can later make the
`email` package refuse to build a message.
"""

from __future__ import annotations

import re
import unicodedata

# RFC 2919: a List-Id is a dot-atom of ASCII atext.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_PRIVATE_DOMAIN = re.compile(
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*(localhost|local|test|internal)"
)
# An address every check below passes unchanged: ASCII letters, digits and `_+-` in
# dot-separated atoms, then a lowercase host name of at least two labels whose last is
# letters only. Every command checks the configured addresses, and email-validator
# takes longer to import than the rest of a rebuild with nothing to do.
_PLAIN = re.compile(
    r"(?=[^@]{1,64}@)[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?=.{4,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")
# Controls, format characters, line and paragraph separators, surrogates, unassigned.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


class AddressError(ValueError):
    """Why a string is not an address we can send to."""


def normalize_address(value: str) -> str:
    """The address in the ASCII form every SMTP server takes, or AddressError saying why not.

    Internationalised domains become their IDNA form; a non-ASCII local part is
    refused because it needs SMTPUTF8, which not every server offers.
    """
    return plain_address(value) or plain_private_address(value) or _validated(value)


def plain_address(value: str) -> str | None:
    """`value` itself when it is a plain address that email-validator accepts as it is
    (see _PLAIN), else None: ask email-validator."""
    if len(value) > 254 or not _PLAIN.fullmatch(value) or "--" in value.rpartition("@")[2]:
        return None
    if value.rpartition(".")[2] in _SPECIAL_USE:
        return None
    return value


def plain_private_address(value: str) -> str | None:
    """A plain local part at a private domain ("digest@localhost", the default sender)
    as `_validated` gives it, without asking email-validator; else None."""
    local, _, domain = value.rpartition("@")
    if _PRIVATE_DOMAIN.fullmatch(domain) and plain_address(f"{local}@example.org"):
        return f"{local}@{domain.lower()}"
    return None


def _validated(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    local, _, domain = value.rpartition("@")
    private = _PRIVATE_DOMAIN.fullmatch(domain)
    # email-validator refuses special-use domains; a mail server on the same host
    # or network legitimately uses them, so only the local part is checked there.
    candidate = f"{local}@example.org" if private else value
    try:
        checked = validate_email(
            candidate, check_deliverability=False, allow_smtputf8=False, globally_deliverable=False
        )
    except EmailNotValidError as exc:
        raise AddressError(str(exc)) from None
    if private:
        return f"{checked.local_part}@{domain.lower()}"
    address: str = checked.ascii_email or checked.normalized
    return address


def unsafe_character(value: str) -> str | None:
    """The first character that has no place in a one-line header value, as U+XXXX."""
    for char in value:
        if unicodedata.category(char) in _UNSAFE_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None


def is_list_id(value: str) -> bool:
    return _DOT_ATOM.fullmatch(value) is not None
