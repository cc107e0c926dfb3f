from __future__ import annotations

import difflib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from lxml import html as lxml_html

from digest.config import Config, Recipient
from digest.enrich.themes import ThemeNames, default_aliases, default_taxonomy
from digest.mail.message import build_message
from digest.mail.periods import Period
from digest.mail.render import Renderer, for_recipient, links_for
from digest.model import Document
from tests.conftest import WriteConfig
from tests.factories import make_document

GOLDEN = Path(__file__).resolve().parent / "data" / "digest-message.eml"
REGENERATE = "DIGEST_REGENERATE"
PERIOD = Period(datetime(2025, 1, 6, 7, tzinfo=UTC), datetime(2025, 1, 7, 7, tzinfo=UTC))
DIGEST = '[digest]\nsender = "digest@example.org"\nsubject = "World Desk Digest"\n'


def corpus() -> list[Document]:
    """Three regions of different sizes, several themes, one unplaced document."""
    spec = [
        (("Asia",), ("Trade",)),
        (("Europe",), ("Energy", "Climate")),
        (("Europe", "Africa"), ("Security",)),
        (("Europe",), ("Energy",)),
        ((), ()),
        (("Asia",), ("Energy",)),
        (("Africa",), ("Health",)),
        (("Europe",), ("Trade",)),
    ]
    return [
        make_document(n, regions=regions, themes=themes, source="Wire" if n % 2 else None)
        for n, (regions, themes) in enumerate(spec, start=1)
    ]


def test_body_groups_by_region_then_theme_largest_first_unclassified_last(
    write_config: WriteConfig,
) -> None:
    config = write_config(DIGEST)
    rendered = Renderer(config.digest, config.feed).render(corpus(), PERIOD, "a@example.org")
    page = lxml_html.fromstring(rendered.html)
    outline = [(el.tag, el.text_content()) for el in page.iter("h2", "h3", "h4")]
    assert outline == [
        ("h2", "Europe (4)"),
        ("h3", "Energy"),
        ("h4", "Grid operators agree winter plan number 4"),
        ("h4", "Grid operators agree winter plan number 2"),
        ("h3", "Security"),
        ("h4", "Grid operators agree winter plan number 3"),
        ("h3", "Trade"),
        ("h4", "Grid operators agree winter plan number 8"),
        ("h2", "Asia (2)"),
        ("h3", "Energy"),
        ("h4", "Grid operators agree winter plan number 6"),
        ("h3", "Trade"),
        ("h4", "Grid operators agree winter plan number 1"),
        ("h2", "Africa (1)"),
        ("h3", "Health"),
        ("h4", "Grid operators agree winter plan number 7"),
        ("h2", "Unclassified (1)"),
        ("h3", "Unclassified"),
        ("h4", "Grid operators agree winter plan number 5"),
    ]


def test_html_part_has_inline_styles_and_nothing_remote_or_active(
    write_config: WriteConfig,
) -> None:
    config = write_config(DIGEST)
    html = Renderer(config.digest, config.feed).render(corpus(), PERIOD, "a@example.org").html
    page = lxml_html.fromstring(html)
    assert page.find(".//h2").get("style", "").startswith("font-family:")
    assert page.find(".//meta[@name='viewport']") is not None
    assert not list(page.iter("script", "img", "link", "iframe"))
    assert not [name for el in page.iter() for name in el.attrib if name.startswith("on")]


def test_filters_match_any_region_and_any_theme_case_insensitively() -> None:
    docs = corpus()
    europe_energy = Recipient("x@example.org", regions=("europe",), themes=("ENERGY",))
    africa = Recipient("y@example.org", regions=("Africa",))
    assert [d.path for d in for_recipient(docs, europe_energy)] == ["doc-2.md", "doc-4.md"]
    assert [d.path for d in for_recipient(docs, africa)] == ["doc-3.md", "doc-7.md"]
    assert for_recipient(docs, Recipient("z@example.org")) == docs


def test_a_theme_filter_takes_in_the_labels_filed_under_that_theme() -> None:
    docs = [
        make_document(1, themes=("Global Economy",)),
        make_document(2, themes=("Economy & Trade",), inferred=True),
        make_document(3, themes=("Fishing Fleets",)),
    ]
    economy = Recipient("x@example.org", themes=("economy and trade",))
    names = ThemeNames(default_taxonomy(), default_aliases())
    assert [d.path for d in for_recipient(docs, economy, names)] == ["doc-1.md", "doc-2.md"]
    fishing = Recipient("y@example.org", themes=("fishing fleets",))
    assert [d.path for d in for_recipient(docs, fishing, names)] == ["doc-3.md"]


def normalise(data: bytes) -> str:
    # LF in the golden file, so git's line-ending settings cannot break the comparison.
    text = data.decode("ascii").replace("\r\n", "\n")
    text = re.sub(r"<digest\.\d+\.[0-9a-f]+@", "<digest.MESSAGE-ID@", text)
    return re.sub(r"={15}\d+==", "=BOUNDARY=", text)


def golden_message(config: Config) -> bytes:
    renderer = Renderer(config.digest, config.feed)
    recipient = "reader@example.org"
    links = links_for(
        config.digest, config.feed, unsubscribe_token="U.sig", preferences_token="P.sig",
        page="digests/2025-01-07.html",
    )  # fmt: skip
    return build_message(
        renderer.render(corpus(), PERIOD, recipient, links),
        sender=config.digest.sender,
        sender_name=config.feed.title,
        recipient=recipient,
        message_id="<digest.20250107070000.0123456789abcdef0123@example.org>",
        date=PERIOD.end,
        list_id=config.digest.list_id,
        links=links,
    )


def test_message_matches_the_golden_file(write_config: WriteConfig) -> None:
    """Regenerate with DIGEST_REGENERATE=1 after an intended change, and review the diff."""
    actual = normalise(golden_message(write_config(DIGEST)))
    if os.environ.get(REGENERATE):
        GOLDEN.write_bytes(actual.encode("ascii"))
    expected = GOLDEN.read_bytes().decode("ascii")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "actual", lineterm=""
        )
        raise AssertionError("\n".join(diff))
