from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import config_path, load_config
from digest.errors import ConfigError
from tests.conftest import WriteConfig


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_empty_config_gets_sensible_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.paths.seeds == tmp_path / "seeds"
    assert config.paths.state == tmp_path / ".digest"
    assert config.feed.max_entries == 50
    assert config.digest.schedule == "0 7 * * *"
    assert config.smtp is None
    assert config.server.enabled is False


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    config = load_config(write(tmp_path / "site", '[paths]\nseeds = "../in"\nfeeds = "out"\n'))
    assert config.paths.seeds == tmp_path / "in"
    assert config.paths.feeds == tmp_path / "site" / "out"


def test_the_shipped_config_loads() -> None:
    config = load_config(Path(__file__).parent.parent / "config.toml")
    assert config.feed.base_url.endswith("/")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[feed]\ntitel = 'x'\n", "config: feed.titel: unknown key; expected one of:"),
        ("[feeds]\n", "config: feeds: unknown key; expected one of:"),
        ("[feed]\nmax_entries = 'ten'\n", "config: feed.max_entries: expected an integer, got str"),
        ("[feed]\nmax_entries = 0\n", "config: feed.max_entries: expected an integer >= 1, got 0"),
        ("[feed]\nbase_url = 'example.org'\n", "config: feed.base_url: expected an absolute"),
        ("[digest]\nschedule = 'daily'\n", "config: digest.schedule: expected a 5-field cron"),
        ("[digest]\ntimezone = 'Mars/Olympus'\n", "config: digest.timezone: unknown time zone"),
        ("[digest]\nrecipients = ['nobody']\n", "config: digest.recipients[0]: expected an email"),
        ("[digest]\nsend_empty = 'no'\n", "config: digest.send_empty: expected true or false"),
        (
            "[smtp]\nsecurity = 'tls'\n",
            'config: smtp.security: expected "starttls", "ssl" or "none"',
        ),
        (
            "[server]\nport = 70000\n",
            "config: server.port: expected an integer between 0 and 65535",
        ),
        ("feed = 3\n", "config: feed: expected a table"),
        (
            "[themes.aliases]\n'Money' = 'Finance Desk'\n",
            "config: themes.aliases.Money: 'Finance Desk' is not a taxonomy theme",
        ),
        ("[themes.aliases]\n'Money' = 3\n", "config: themes.aliases.Money: expected a theme name"),
    ],
)
def test_a_bad_value_names_the_key_and_what_was_expected(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value).startswith(message)
    assert caught.value.exit_code == 2


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[feed\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_a_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found; pass --config PATH"):
        load_config(tmp_path / "nope.toml")


def test_smtp_password_is_read_from_the_environment_and_may_be_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "[smtp]\nuser = 'me'\npassword_env = 'SECRET_X'\n")
    # Only sending needs it: status and build run in a shell without the secret.
    missing = load_config(path, environ={})
    assert missing.smtp is not None and missing.smtp.password is None
    config = load_config(path, environ={"SECRET_X": "hunter2"})
    assert config.smtp is not None and config.smtp.password == "hunter2"


def test_recipients_may_carry_region_and_theme_filters(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "[digest]\nrecipients = ['a@x.org', {address = 'b@x.org', regions = ['Europe']}]\n",
        )
    )
    assert [r.address for r in config.digest.recipients] == ["a@x.org", "b@x.org"]
    assert config.digest.recipients[1].regions == ("Europe",)


def test_the_environment_variable_names_the_default_config() -> None:
    assert config_path(None, {"DIGEST_CONFIG": "/etc/d.toml"}) == Path("/etc/d.toml")
    assert config_path("x.toml", {"DIGEST_CONFIG": "/etc/d.toml"}) == Path("x.toml")
    assert config_path(None, {}) == Path("config.toml")


@pytest.mark.parametrize(
    ("sender", "name", "address"),
    [
        ("desk@example.org", None, "desk@example.org"),
        ("World Desk <desk@example.org>", "World Desk", "desk@example.org"),
        ('"Desk, Europe" <desk@example.org>', "Desk, Europe", "desk@example.org"),
        ("<desk@example.org>", None, "desk@example.org"),
    ],
)
def test_a_sender_may_carry_a_display_name(
    tmp_path: Path, sender: str, name: str | None, address: str
) -> None:
    config = load_config(write(tmp_path, f"[digest]\nsender = '{sender}'\n"))
    assert (config.digest.sender_name, config.digest.sender) == (name, address)


@pytest.mark.parametrize("sender", ["Desk <desk>", "Desk <desk@example.org", "a <b@c> <d@e>"])
def test_a_malformed_named_sender_is_refused_naming_the_key(tmp_path: Path, sender: str) -> None:
    with pytest.raises(ConfigError, match=r"^config: digest.sender: expected an email address"):
        load_config(write(tmp_path, f"[digest]\nsender = '{sender}'\n"))


def test_theme_aliases_are_read_and_checked_against_the_configured_taxonomy(
    tmp_path: Path,
) -> None:
    config = load_config(
        write(tmp_path, "[themes.aliases]\n'Global Economy' = 'economy and trade'\n")
    )
    assert config.themes.aliases == {"Global Economy": "economy and trade"}
    own = "[themes.taxonomy]\nFarming = ['tractor']\n[themes.aliases]\n'Crops' = 'Farming'\n"
    assert load_config(write(tmp_path, own)).themes.aliases == {"Crops": "Farming"}
    with pytest.raises(ConfigError, match=r"themes\.aliases\.Crops: .Energy. is not"):
        load_config(write(tmp_path, own.replace("= 'Farming'", "= 'Energy'")))


@pytest.mark.parametrize(
    ("toml", "key", "problem"),
    [
        ('[digest]\nrecipients = ["a\\u0000b@example.org"]', "digest.recipients[0]", "U+0000"),
        ('[digest]\nrecipients = ["a@exa\u0085mple.org"]', "digest.recipients[0]", "U+0085"),
        ('[digest]\nsender = "me"', "digest.sender", "expected an email address"),
        ('[digest]\nlist_id = "news\\r\\nBcc: x@y.org"', "digest.list_id", "dotted name"),
        ('[digest]\nsubject = "Daily\\nBcc: x@y.org"', "digest.subject", "U+000A"),
        ('[feed]\ntitle = "Desk\u2028News"', "feed.title", "U+2028"),
    ],
)
def test_addresses_and_header_values_that_could_break_a_message_are_refused(
    tmp_path: Path, toml: str, key: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, toml + "\n"), environ={})
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_addresses_are_kept_in_the_ascii_form_smtp_servers_take(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, '[digest]\nrecipients = ["Reader@Bücher.de"]\nsender = "me@localhost"\n'),
        environ={},
    )
    assert config.digest.recipients[0].address == "Reader@xn--bcher-kva.de"
    assert config.digest.sender == "me@localhost"


def test_feed_hub_and_icon_are_checked(write_config: WriteConfig) -> None:
    with pytest.raises(ConfigError, match=r"feed\.hub: expected an absolute http\(s\) URL"):
        write_config(hub="hub.example.org")
    with pytest.raises(ConfigError, match=r"feed\.icon: expected an http\(s\) URL or an image"):
        write_config(icon="missing.png")
    config = write_config(hub=["https://a.example/", "https://b.example/"])
    assert config.feed.hubs == ("https://a.example/", "https://b.example/")
