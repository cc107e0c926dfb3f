"""Signed, opaque tokens for the links in messages and pages.

A link carries a subscriber's random id signed with the site's secret (HMAC
through itsdangerous), never an address. Unsubscribe and preferences tokens do
not expire and are the same every time they are made, so a digest re-rendered
after a crash is byte-identical and an old digest's link still works; a
confirmation token carries its time and expires after `digest.confirm_hours`.

The secret comes from the environment variable named by `digest.secret_env`,
else from `<state>/secret`, created with 32 random bytes on first use
(readable by its owner only). Changing it invalidates every link sent.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from digest.config import Config
from digest.errors import DigestError

UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
CONFIRM = "confirm"


def load_secret(config: Config) -> str:
    if config.digest.secret:
        return config.digest.secret
    path = config.paths.state / "secret"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"cannot read the link secret {path}: {exc}") from None
    return _create_secret(path)


def _create_secret(path: Path) -> str:
    value = secrets.token_urlsafe(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process made it first: use theirs.
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise DigestError(f"cannot create the link secret {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(value + "\n")
    return value


class Tokens:
    def __init__(self, secret: str, confirm_seconds: float) -> None:
        self._secret = secret
        self._confirm_seconds = confirm_seconds

    def make(self, purpose: str, subscriber_id: str) -> str:
        if purpose == CONFIRM:
            return str(URLSafeTimedSerializer(self._secret, salt=purpose).dumps(subscriber_id))
        return str(URLSafeSerializer(self._secret, salt=purpose).dumps(subscriber_id))

    def read(self, purpose: str, token: str) -> str | None:
        """The subscriber id a token names, or None when it is forged, altered or expired."""
        try:
            if purpose == CONFIRM:
                value = URLSafeTimedSerializer(self._secret, salt=purpose).loads(
                    token, max_age=int(self._confirm_seconds)
                )
            else:
                value = URLSafeSerializer(self._secret, salt=purpose).loads(token)
        except (SignatureExpired, BadSignature):
            return None
        return value if isinstance(value, str) else None


def tokens_for(config: Config) -> Tokens:
    return Tokens(load_secret(config), config.digest.confirm_hours * 3600)
