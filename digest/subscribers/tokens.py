"""Signed, opaque tokens for the links in messages and pages.

A link carries a subscriber's random id signed with the site's secret (HMAC
through itsdangerous), never an address. Unsubscribe and preferences tokens do
not expire and are the same every time they are made, so a digest re-rendered
after a crash is byte-identical and an old digest's link still works; a
confirmation token carries its time and expires after `digest.confirm_hours`.

The secret comes from the environment variable named by `digest.secret_env`,
else from the state database, where the first instance to need one stores 32
random bytes: every instance sharing the database signs and reads the same
links. A state from before the secret moved there keeps the one in
`<state>/secret`, so links already sent still work. Changing it invalidates
every link sent.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from digest.config import Config
from digest.errors import DigestError
from digest.store import Store

UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
CONFIRM = "confirm"
# Where the state database keeps the secret (its meta table).
SECRET_KEY = "link_secret"


def load_secret(config: Config, store: Store) -> str:
    if config.digest.secret:
        return config.digest.secret
    stored = store.get_meta(SECRET_KEY)
    if stored:
        return stored
    path = config.paths.state / "secret"
    try:
        earlier = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        earlier = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise DigestError(f"cannot read the link secret {path}: {exc}") from None
    return store.first_meta(SECRET_KEY, earlier or secrets.token_urlsafe(32))


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


def tokens_for(config: Config, store: Store) -> Tokens:
    return Tokens(load_secret(config, store), config.digest.confirm_hours * 3600)
