"""Real validators for what the product writes: the RFC 4287 schema and feedparser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

SCHEMA = Path(__file__).resolve().parent.parent.parent / "shared" / "validators" / "atom.rng"


def assert_valid_atom(path: Path) -> Any:
    """The file passes the RFC 4287 RELAX NG schema (when ../shared is present) and feedparser."""
    if SCHEMA.exists():
        schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
        tree = etree.parse(str(path))
        if not schema.validate(tree):
            pytest.fail(f"{path} is not valid Atom: {schema.error_log}")
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path}: feedparser: {parsed.bozo_exception!r}"
    assert parsed.version == "atom10"
    return parsed
