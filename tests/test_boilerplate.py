"""Site furniture is dropped; sentences that merely use the same words are not."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.boilerplate import (
    _ANYWHERE_HINTS,
    _AT_START,
    _RULES,
    find_rights,
    is_boilerplate,
    remove_boilerplate,
)

FURNITURE = [
    "Click the share button below to email/forward this article.",
    "Click here to read the full report.",
    "Follow us on Instagram and X and subscribe to our Telegram channel.",
    "Please share this article with your friends.",
    "Like us on Facebook.",
    "Subscribe to our newsletter for the morning briefing.",
    "Sign up for our weekly newsletter.",
    "Join our free daily newsletter.",
    "Feel free to repost our articles with proper attribution.",
    "Help us stay afloat. Click the image below to make a one-time or recurring donation.",
    "Please consider donating to keep this site independent.",
    "Support our journalism today.",
    "This article was originally published on Harbour Weekly.",
    "Originally published in the Valley Courier.",
    "The original source of this article is Coastline Monitor",
    "Copyright © Lena Marsh, Coastline Monitor, 2025",
    "© 2025 Northern Ledger. All rights reserved.",
    "(c) 2024 The Daily Example",
    "Disclaimer: The contents of this article are the sole responsibility of the author.",
    "This site contains copyrighted material the use of which has not been authorized.",
    "For media inquiries: press@example.org",
    "Articles by: Lena Marsh",
    "Become a Member of Coastline Monitor",
    "Comment on Coastline Monitor articles on our forum",
    "Leave a comment below.",
    "Featured image source",
    "Photo credit: Reuters",
    "Read more: how the port strike began",
    "Related articles: Drought in the north",
    "Follow Harbour Weekly on Instagram for pictures from the coast.",
    "Find us on Bluesky and Threads.",
    "Join our WhatsApp channel for breaking news alerts.",
    "Subscribe to our YouTube channel.",
    "Share this story with your friends and family.",
    "Please share with anyone in your network who might be interested.",
    "Download our app to get the headlines first.",
    "If you value our reporting, please consider supporting us with a monthly gift.",
    "We rely on readers like you to keep our newsroom running.",
    "Valley Courier is reader-funded and free to read.",
    "Support us on Patreon.",
    "Chip in today to keep the presses running.",
    "You may republish this article online or in print under our free licence.",
    "This story can be republished with attribution.",
    "Reprinted with permission from the Valley Courier.",
    "Published under a Creative Commons licence.",
    "No part may be reproduced without the prior written permission of the publisher.",
]

ARTICLE_TEXT = [
    "Readers who subscribe to the print edition will see the price rise in March.",
    "Officials urged residents to follow the evacuation orders.",
    "Follow the money, the prosecutor told the jury.",
    "Like this winter, the last one was unusually dry.",
    "The charity asked supporters to donate blankets, not cash.",
    "Copyright law was reformed in 2019 after years of lobbying.",
    "The contract's disclaimer was ignored by both sides.",
    "Voters who click here and there on the new ballot machines confused the count.",
    "The newspaper said it had originally published the figures in March.",
    "We welcome the decision, the union said in a statement.",
    "The image source was traced to a weather satellite.",
    "Lena Marsh is a Lisbon-based reporter covering shipping and labour.",
    "She signed up for the army at eighteen.",
    "Protesters followed the minister on foot as he left the building.",
    "The rebels joined the group of fighters after the ceasefire collapsed.",
    "The charity relies on donations from local businesses.",
    "Fans shared videos of the goal on social media within minutes.",
    "The court said the photographs could not be published until the trial ended.",
    "Anyone can join the club for a fee of ten pounds a year.",
    "“We rely on donations from the public,” the charity's director said.",
    "The judge ruled that the photographs may not be published before the verdict.",
    "“If you value your health, get the vaccine,” the minister said.",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_site_furniture_is_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", ARTICLE_TEXT)
def test_sentence_that_merely_uses_furniture_words_is_article_text(line: str) -> None:
    assert not is_boilerplate(line)


def test_removing_boilerplate_keeps_article_paragraphs_in_order() -> None:
    paragraphs = [ARTICLE_TEXT[0], FURNITURE[0], ARTICLE_TEXT[1], FURNITURE[-1]]
    assert remove_boilerplate(paragraphs) == (ARTICLE_TEXT[0], ARTICLE_TEXT[1])


def test_rights_statement_is_found_after_a_source_line() -> None:
    line = "The original source of this article is Coastline Monitor Copyright © Lena Marsh, 2025"
    assert find_rights(line) == "Copyright © Lena Marsh, 2025"
    assert find_rights("© 2025 Northern Ledger. All rights reserved.") == (
        "© 2025 Northern Ledger. All rights reserved."
    )
    assert find_rights("Featured image source") is None


# Pieces of every mid-sentence rule, to check that searching only the rules whose
# words a paragraph holds finds what searching them all at once finds.
PHRASES = [
    "follow", "join", "find", "like", "us", "me", "on", "at", "via", "Facebook", "X",
    "google  news", "our", "subscribe to", "WhatsApp", "channel", "share", "this", "it",
    "the", "article", "with", "your", "download", "app", "help us stay afloat",
    "make a one-time or recurring donation", "if you", "value", "journalism", "support",
    "we", "rely", "depend", "readers", "like you", "reader-supported", "member-funded",
    "Patreon", "buy me a coffee", "ko-fi", "independent", "may", "cannot", "be",
    "republished", "re-publish", "reprinted", "reproduced", "by", "kind", "permission",
    "under", "a", "Creative Commons", "without", "prior", "written", "consent", "of",
    "publisher", "contains", "copyrighted", "material", "someone", "status",
    "İf", "\u212a", "é", "\xa0", "\t", "\n", "  ", ",", ".", "(", "-",
]  # fmt: skip
phrase_text = st.lists(st.sampled_from(PHRASES), max_size=14).map(" ".join)


_ANYWHERE = re.compile(
    "|".join(f"(?:{rule})" for rule in _RULES if not rule.startswith("^")), re.IGNORECASE
)


def searched_all_at_once(paragraph: str) -> bool:
    text = paragraph.strip().lstrip("*_•-–— ")
    if _AT_START.match(text) is not None:
        return True
    lowered = text.lower()
    return any(hint in lowered for hint in _ANYWHERE_HINTS) and _ANYWHERE.search(text) is not None


@settings(max_examples=400, deadline=None, derandomize=True)
@given(phrase_text)
def test_furniture_is_found_as_searching_every_rule_at_once_finds_it(paragraph: str) -> None:
    assert is_boilerplate(paragraph) == searched_all_at_once(paragraph)
