"""Plain addresses are checked without importing email-validator, and agree with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.mail.addresses import (
    AddressError,
    _validated,
    plain_address,
    plain_private_address,
)


def validator_says(value: str) -> str | None:
    try:
        return _validated(value)
    except AddressError:
        return None


atom = st.text(st.sampled_from("aZ09_+-.~!é"), min_size=0, max_size=12)
label = st.one_of(
    st.text(st.sampled_from("abz09-"), min_size=0, max_size=8),
    st.sampled_from(["xn--", "a--b", "Example", "localhost", "test", "arpa", "internal", "1"]),
    st.just("a" * 63),
    st.just("b" * 64),
)
domain = st.lists(label, min_size=1, max_size=5).map(".".join)
address = st.one_of(
    st.tuples(atom, domain).map("@".join),
    st.tuples(st.just("x" * 64), domain).map("@".join),
    st.tuples(st.just("x" * 65), domain).map("@".join),
    st.tuples(atom, st.just(".".join(["abcdefghi"] * 26) + ".org")).map("@".join),
    st.text(max_size=30),
)


@settings(max_examples=600, deadline=None)
@given(address)
def test_every_address_the_quick_check_accepts_email_validator_accepts_unchanged(
    value: str,
) -> None:
    quick = plain_address(value)
    if quick is not None:
        assert validator_says(value) == quick == value


@settings(max_examples=600, deadline=None)
@given(address)
def test_every_private_address_the_quick_check_accepts_email_validator_gives_alike(
    value: str,
) -> None:
    quick = plain_private_address(value)
    if quick is not None:
        assert validator_says(value) == quick


@pytest.mark.parametrize(
    "value", ["digest@localhost", "desk.bot@Mail.internal", "a+b@host.test", "x@local"]
)
def test_plain_addresses_at_private_domains_take_the_quick_check(value: str) -> None:
    assert plain_private_address(value) == validator_says(value) is not None


@pytest.mark.parametrize(
    "value",
    ["reader@example.org", "digest@news.example.co.uk", "first.last+tag@mail-host.example.net"],
)
def test_common_addresses_take_the_quick_check(value: str) -> None:
    assert plain_address(value) == value == validator_says(value)


@pytest.mark.parametrize(
    "value", ["Reader@Example.ORG", "user@localhost", "someone@bücher.example", "a..b@example.org"]
)
def test_unusual_addresses_are_left_to_email_validator(value: str) -> None:
    assert plain_address(value) is None


def test_loading_a_configuration_of_plain_addresses_does_not_import_email_validator(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[digest]\nrecipients = ["reader@example.org"]\nsender = "Desk <desk@example.org>"\n',
        encoding="utf-8",
    )
    code = (
        "import sys, pathlib\n"
        "from digest.config import load_config\n"
        f"load_config(pathlib.Path({str(config)!r}))\n"
        "print('email_validator' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]
