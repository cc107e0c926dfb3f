"""Read `config.toml` into frozen settings, checking every key up front.

This is the only module that touches tomllib or the environment. Everything
else receives a `Config` and never looks anything up by itself.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import ConfigError
from digest.mail.addresses import AddressError, is_list_id, normalize_address, unsafe_character

CONFIG_ENV = "DIGEST_CONFIG"
# Overrides [paths].database, so operators keep a password out of the config file.
DATABASE_ENV = "DIGEST_DATABASE_URL"
DEFAULT_CONFIG = "config.toml"


@dataclass(frozen=True, slots=True)
class Paths:
    seeds: Path
    feeds: Path
    state: Path
    # The state database: a SQLite file (the default, in `state`) or a
    # postgresql:// URL (a string). Only digest/store.py opens it.
    database: Path | str


@dataclass(frozen=True, slots=True)
class FeedSettings:
    title: str
    subtitle: str
    base_url: str
    author: str
    max_entries: int
    language: str
    # Feed icon (square) and logo (2:1): "" for the shipped ones, an http(s)
    # URL used as it is, or a local file (absolute path) copied into the feeds.
    icon: str = ""
    logo: str = ""
    # WebSub hubs advertised in every feed and told of every change.
    hubs: tuple[str, ...] = ()

    @property
    def authority(self) -> str:
        """The tagging authority of entry ids (RFC 4151): the host of base_url."""
        return urlsplit(self.base_url).hostname or "localhost"


@dataclass(frozen=True, slots=True)
class IngestSettings:
    max_bytes: int
    dayfirst: bool
    ignore: tuple[str, ...]
    # Seconds one document may take to read, parse and enrich before it is rejected.
    timeout_seconds: float
    # Worker processes for large builds; 0 means one per core (at most 8).
    workers: int


@dataclass(frozen=True, slots=True)
class SummarySettings:
    sentences: int
    max_chars: int


@dataclass(frozen=True, slots=True)
class RegionSettings:
    # ISO 3166 alpha-2 code -> region name; merged over the shipped table.
    countries: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ThemeSettings:
    # Theme name -> descriptive keywords; empty means the shipped taxonomy.
    taxonomy: Mapping[str, tuple[str, ...]]
    threshold: float
    # Label as sites write it -> taxonomy theme; merged over the shipped aliases.
    aliases: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str
    regions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestSettings:
    schedule: str
    timezone: str
    recipients: tuple[Recipient, ...]
    sender: str
    send_empty: bool
    subject: str
    list_id: str
    templates: Path | None
    # A temporary refusal is retried at most this many times, for at most this long.
    retry_attempts: int
    retry_hours: float
    # How far back the first digest on an existing archive reaches.
    first_days: float
    # Permanent refusals in a row that mark a subscriber bounced.
    bounce_limit: int
    # Signs the links in messages; None: a random secret kept in the state folder.
    secret: str | None
    secret_env: str
    # How long a confirmation link stays valid.
    confirm_hours: float
    # A mailbox that processes "unsubscribe" mails, offered beside the link when set.
    unsubscribe_mailbox: str | None
    # The display name of a `Name <address>` sender; None means the feed title.
    sender_name: str | None = None


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None
    password_env: str
    password: str | None
    ca_file: Path | None
    timeout: float


@dataclass(frozen=True, slots=True)
class ServerSettings:
    enabled: bool
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class DaemonSettings:
    rescan_seconds: float
    quiet_seconds: float
    retry_seconds: float
    # Instances sharing one database: the lease's length, how often its holder
    # renews it (a takeover waits at most their sum), and this instance's name.
    lease_seconds: float = 10.0
    renew_seconds: float = 3.0
    instance: str = ""


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    paths: Paths
    feed: FeedSettings
    ingest: IngestSettings
    summary: SummarySettings
    regions: RegionSettings
    themes: ThemeSettings
    digest: DigestSettings
    smtp: SmtpSettings | None
    server: ServerSettings
    daemon: DaemonSettings


def config_path(explicit: str | None, environ: Mapping[str, str]) -> Path:
    """Where to read the configuration: --config, else $DIGEST_CONFIG, else ./config.toml."""
    return Path(explicit or environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read and check the configuration file; raise ConfigError naming the bad key."""
    environ = os.environ if environ is None else environ
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found; pass --config PATH") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    return parse_config(raw, base=path.resolve().parent, path=path, environ=environ)


def parse_config(
    raw: Mapping[str, Any], *, base: Path, path: Path, environ: Mapping[str, str]
) -> Config:
    """Turn parsed TOML into settings; pure apart from the environment it is given."""
    _only(raw, "", set(_SECTIONS))
    sect = {name: _table(raw, name) for name in _SECTIONS}

    def rel(value: str) -> Path:
        return (base / value).resolve()

    p = _Reader(sect["paths"], "paths")
    state = rel(p.text("state", ".digest"))
    database = p.text("database", "")
    key = "paths.database"
    if environ.get(DATABASE_ENV):
        database, key = environ[DATABASE_ENV], DATABASE_ENV
    paths = Paths(
        seeds=rel(p.text("seeds", "seeds")),
        feeds=rel(p.text("feeds", "feeds")),
        state=state,
        database=_database(key, database, rel) if database else state / "state.sqlite3",
    )
    p.done()

    f = _Reader(sect["feed"], "feed")
    base_url = f.text("base_url", "http://127.0.0.1:8080/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("feed.base_url", f"expected an absolute http(s) URL, got {base_url!r}")
    if not base_url.endswith("/"):
        base_url += "/"
    feed = FeedSettings(
        title=_one_line("feed.title", f.text("title", "Digest")),
        subtitle=f.text("subtitle", ""),
        base_url=base_url,
        author=f.text("author", "digest"),
        max_entries=f.integer("max_entries", 50, minimum=1),
        language=f.text("language", "en"),
        icon=_image_setting(f.text("icon", ""), "feed.icon", rel),
        logo=_image_setting(f.text("logo", ""), "feed.logo", rel),
        hubs=_hubs(f.raw("hub", [])),
    )
    f.done()

    i = _Reader(sect["ingest"], "ingest")
    ingest = IngestSettings(
        max_bytes=i.integer("max_bytes", 5_000_000, minimum=1),
        dayfirst=i.flag("dayfirst", False),
        ignore=i.texts("ignore", ()),
        timeout_seconds=i.number("timeout_seconds", 5.0, minimum=0.01),
        workers=i.integer("workers", 0, minimum=0, maximum=64),
    )
    i.done()

    s = _Reader(sect["summary"], "summary")
    summary = SummarySettings(
        sentences=s.integer("sentences", 3, minimum=1),
        max_chars=s.integer("max_chars", 600, minimum=40),
    )
    s.done()

    r = _Reader(sect["regions"], "regions")
    countries = r.table("countries")
    for code, region in countries.items():
        if not isinstance(region, str) or not region.strip():
            raise ConfigError(f"regions.countries.{code}", "expected a region name (string)")
    regions = RegionSettings(countries={k.upper(): v for k, v in countries.items()})
    r.done()

    t = _Reader(sect["themes"], "themes")
    taxonomy: dict[str, tuple[str, ...]] = {}
    for name, words in t.table("taxonomy").items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words) or not words:
            raise ConfigError(f"themes.taxonomy.{name}", "expected a non-empty list of keywords")
        taxonomy[name] = tuple(words)
    aliases = t.table("aliases")
    if aliases:
        _check_aliases(aliases, taxonomy)

    themes = ThemeSettings(
        taxonomy=taxonomy,
        threshold=t.number("threshold", 0.0, minimum=0.0),
        aliases=dict(aliases),
    )
    t.done()

    d = _Reader(sect["digest"], "digest")
    timezone = d.text("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("digest.timezone", f"unknown time zone {timezone!r}") from None
    schedule = d.text("schedule", "0 7 * * *")
    _check_cron(schedule, timezone)
    sender_name, sender = _sender(d.text("sender", "digest@localhost"))
    templates = d.optional_text("templates")
    secret_env = d.text("secret_env", "DIGEST_SECRET")
    mailbox = d.optional_text("unsubscribe_mailbox")
    list_id = d.text("list_id", f"{_slug_for_list(feed.title)}.{feed.authority}")
    if not is_list_id(list_id):
        raise ConfigError(
            "digest.list_id", f"expected a dotted name like news.example.org, got {list_id!r}"
        )
    digest = DigestSettings(
        schedule=schedule,
        timezone=timezone,
        recipients=_recipients(d.raw("recipients", [])),
        sender=sender,
        send_empty=d.flag("send_empty", False),
        subject=_one_line("digest.subject", d.text("subject", feed.title)),
        list_id=list_id,
        templates=rel(templates) if templates else None,
        sender_name=sender_name,
        retry_attempts=d.integer("retry_attempts", 8, minimum=1),
        retry_hours=d.number("retry_hours", 24.0, minimum=0.0),
        first_days=d.number("first_days", 7.0, minimum=0.0),
        bounce_limit=d.integer("bounce_limit", 3, minimum=1),
        secret=environ.get(secret_env) or None,
        secret_env=secret_env,
        confirm_hours=d.number("confirm_hours", 48.0, minimum=0.1),
        unsubscribe_mailbox=_check_address("digest.unsubscribe_mailbox", mailbox)
        if mailbox
        else None,
    )
    d.done()

    smtp: SmtpSettings | None = None
    if "smtp" in raw:
        m = _Reader(sect["smtp"], "smtp")
        security = m.text("security", "starttls")
        if security not in ("starttls", "ssl", "none"):
            raise ConfigError(
                "smtp.security", f'expected "starttls", "ssl" or "none", got {security!r}'
            )
        user = m.optional_text("user")
        password_env = m.text("password_env", "DIGEST_SMTP_PASSWORD")
        # A missing password is reported when sending, not here: `status` and `build`
        # must work in a shell that does not hold the secret.
        password = environ.get(password_env) or None
        ca_file = m.optional_text("ca_file")
        smtp = SmtpSettings(
            host=m.text("host", "127.0.0.1"),
            port=m.integer("port", 465 if security == "ssl" else 587, minimum=1, maximum=65535),
            security=security,
            user=user,
            password_env=password_env,
            password=password if user else None,
            ca_file=rel(ca_file) if ca_file else None,
            timeout=m.number("timeout", 30.0, minimum=1.0),
        )
        m.done()

    v = _Reader(sect["server"], "server")
    server = ServerSettings(
        enabled=v.flag("enabled", False),
        host=v.text("host", "127.0.0.1"),
        port=v.integer("port", 8080, minimum=0, maximum=65535),
    )
    v.done()

    a = _Reader(sect["daemon"], "daemon")
    daemon = DaemonSettings(
        rescan_seconds=a.number("rescan_seconds", 300.0, minimum=1.0),
        quiet_seconds=a.number("quiet_seconds", 0.05, minimum=0.0),
        retry_seconds=a.number("retry_seconds", 60.0, minimum=0.1),
        lease_seconds=a.number("lease_seconds", 10.0, minimum=1.0),
        renew_seconds=a.number("renew_seconds", 3.0, minimum=0.1),
        instance=a.text("instance", ""),
    )
    a.done()
    if daemon.renew_seconds * 2 > daemon.lease_seconds:
        raise ConfigError(
            "daemon.renew_seconds",
            f"must be at most half of daemon.lease_seconds ({daemon.lease_seconds:g}), so one "
            f"late renewal does not lose the lease; got {daemon.renew_seconds:g}",
        )

    return Config(
        path=path,
        paths=paths,
        feed=feed,
        ingest=ingest,
        summary=summary,
        regions=regions,
        themes=themes,
        digest=digest,
        smtp=smtp,
        server=server,
        daemon=daemon,
    )


_SECTIONS = (
    "paths", "feed", "ingest", "summary", "regions", "themes",
    "digest", "smtp", "server", "daemon",
)  # fmt: skip


def _database(key: str, value: str, rel: Callable[[str], Path]) -> Path | str:
    """A postgresql:// URL as it is; sqlite:///PATH or a plain path as a SQLite file."""
    parts = urlsplit(value)
    if parts.scheme in ("postgresql", "postgres"):
        if not parts.path.strip("/") and "dbname=" not in parts.query:
            raise ConfigError(key, "the URL names no database: postgresql://USER@HOST:PORT/DBNAME")
        return value
    if parts.scheme == "sqlite":
        if not parts.path.strip("/"):
            raise ConfigError(key, "expected sqlite:///PATH/TO/FILE")
        return rel(parts.path)
    if "://" in value:
        raise ConfigError(
            key,
            f"unsupported database {parts.scheme!r}: expected postgresql://USER@HOST:PORT/DBNAME,"
            " sqlite:///PATH or the path of a SQLite file",
        )
    return rel(value)


def _table(raw: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(name, "expected a table ([section])")
    return value


def _only(table: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            where = f"{prefix}{key}"
            raise ConfigError(where, f"unknown key; expected one of: {', '.join(sorted(allowed))}")


class _Reader:
    """Takes typed values out of one section and remembers which keys it knew."""

    def __init__(self, table: Mapping[str, Any], section: str) -> None:
        self._table = table
        self._section = section
        self._known: set[str] = set()

    def _get(self, key: str, default: Any, kind: str, check: Callable[[Any], bool]) -> Any:
        self._known.add(key)
        if key not in self._table:
            return default
        value = self._table[key]
        if not check(value):
            raise ConfigError(
                f"{self._section}.{key}", f"expected {kind}, got {type(value).__name__} {value!r}"
            )
        return value

    def raw(self, key: str, default: Any) -> Any:
        self._known.add(key)
        return self._table.get(key, default)

    def text(self, key: str, default: str) -> str:
        value: str = self._get(key, default, "a string", lambda v: isinstance(v, str))
        return value

    def optional_text(self, key: str) -> str | None:
        value: str | None = self._get(key, None, "a string", lambda v: isinstance(v, str))
        return value or None

    def flag(self, key: str, default: bool) -> bool:
        value: bool = self._get(key, default, "true or false", lambda v: isinstance(v, bool))
        return value

    def integer(self, key: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
        value: int = self._get(
            key, default, "an integer",
            lambda v: isinstance(v, int) and not isinstance(v, bool),
        )  # fmt: skip
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            raise ConfigError(f"{self._section}.{key}", f"expected an integer {bound}, got {value}")
        return value

    def number(self, key: str, default: float, *, minimum: float) -> float:
        value = self._get(
            key, default, "a number",
            lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        )  # fmt: skip
        if value < minimum:
            raise ConfigError(
                f"{self._section}.{key}", f"expected a number >= {minimum}, got {value}"
            )
        return float(value)

    def texts(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._get(
            key, default, "a list of strings",
            lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        )  # fmt: skip
        return tuple(value)

    def table(self, key: str) -> dict[str, Any]:
        value: dict[str, Any] = self._get(key, {}, "a table", lambda v: isinstance(v, dict))
        return value

    def done(self) -> None:
        _only(self._table, f"{self._section}.", self._known)


def _recipients(value: Any) -> tuple[Recipient, ...]:
    if not isinstance(value, list):
        raise ConfigError("digest.recipients", "expected a list of addresses or tables")
    out = []
    for n, item in enumerate(value):
        key = f"digest.recipients[{n}]"
        if isinstance(item, str):
            out.append(Recipient(address=_check_address(key, item)))
            continue
        if not isinstance(item, dict):
            raise ConfigError(key, "expected an address or a table {address, regions, themes}")
        reader = _Reader(item, key)
        address = _check_address(f"{key}.address", reader.text("address", ""))
        out.append(
            Recipient(
                address=address,
                regions=reader.texts("regions", ()),
                themes=reader.texts("themes", ()),
            )
        )
        reader.done()
    return tuple(out)


def _check_aliases(aliases: Mapping[str, Any], taxonomy: Mapping[str, Any]) -> None:
    # Imported only here: the shipped taxonomy is a file to parse, and most
    # configurations name no alias.
    from digest.enrich.themes import default_taxonomy, theme_key

    known = {theme_key(name) for name in taxonomy or default_taxonomy()}
    for label, target in aliases.items():
        if not isinstance(target, str) or not target.strip():
            raise ConfigError(f"themes.aliases.{label}", "expected a theme name (string)")
        if theme_key(target) not in known:
            raise ConfigError(f"themes.aliases.{label}", f"{target!r} is not a taxonomy theme")


def _image_setting(value: str, key: str, rel: Callable[[str], Path]) -> str:
    if not value or urlsplit(value).scheme in ("http", "https"):
        return value
    path = rel(value)
    if not path.is_file():
        raise ConfigError(key, f"expected an http(s) URL or an image file, got {value!r}")
    return str(path)


def _hubs(value: Any) -> tuple[str, ...]:
    hubs = [value] if isinstance(value, str) else value
    if not isinstance(hubs, list) or not all(isinstance(h, str) for h in hubs):
        raise ConfigError("feed.hub", "expected a hub URL or a list of them")
    for hub in hubs:
        parts = urlsplit(hub)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError("feed.hub", f"expected an absolute http(s) URL, got {hub!r}")
    return tuple(hubs)


def _check_address(key: str, value: str) -> str:
    """The address in the form messages will carry; ConfigError saying what is wrong."""
    try:
        return normalize_address(value)
    except AddressError as exc:
        raise ConfigError(
            key, f"expected an email address like name@example.org, got {value!r}: {exc}"
        ) from None


def _one_line(key: str, value: str) -> str:
    """A value that goes into a header: one line, no control or invisible characters."""
    bad = unsafe_character(value)
    if bad:
        raise ConfigError(key, f"contains {bad}, a control or line-break character; remove it")
    return value


def _sender(value: str) -> tuple[str | None, str]:
    """`address` or `Name <address>`: the display name (or None) and the address."""
    if value.rstrip().endswith(">"):
        from email.utils import parseaddr

        name, address = parseaddr(value)
        checked = _check_address("digest.sender", address if value.count("<") == 1 else value)
        return _one_line("digest.sender", name.strip()) or None, checked
    return None, _check_address("digest.sender", value)


def _check_cron(schedule: str, timezone: str) -> None:
    # Every command loads the configuration, and APScheduler's cron module pulls in
    # asyncio: the plain expressions most schedules use are checked here, and only
    # the rest (names, last, nth weekday) are handed to APScheduler to judge.
    if plain_cron(schedule):
        return
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(schedule, timezone=timezone)
    except ValueError as exc:
        raise ConfigError(
            "digest.schedule", f"expected a 5-field cron expression like '0 7 * * *': {exc}"
        ) from None


# (lowest, highest) of minute, hour, day of month, month and day of week, as
# APScheduler's crontab numbers them (day of week 0 is Monday).
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_CRON_ITEM = re.compile(r"(?:\*|([0-9]+)(?:-([0-9]+))?)(?:/([0-9]+))?\Z")


def plain_cron(schedule: str) -> bool:
    """True when `schedule` is five fields of numbers, ranges, `*` and steps that
    APScheduler accepts; False means "not known here", never "invalid"."""
    fields = schedule.split()
    if len(fields) != 5:
        return False
    for text, (low, high) in zip(fields, _CRON_RANGES, strict=True):
        for item in text.split(","):
            match = _CRON_ITEM.match(item)
            if match is None:
                return False
            first, last, step = match.groups()
            start = low if first is None else int(first)
            end = start if first is not None and last is None and step is None else high
            end = int(last) if last is not None else end
            if not low <= start <= end <= high:
                return False
            if step is not None and not 1 <= int(step) <= end - start:
                return False
    return True


def _slug_for_list(title: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    return "-".join(part for part in slug.split("-") if part) or "digest"
