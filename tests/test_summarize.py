from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.boilerplate import _ANYWHERE_HINTS, furniture_hints
from digest.enrich import cleanup
from digest.enrich.cleanup import candidate_sentences, clean_sentence, half_quoted
from digest.enrich.sentences import split_sentences
from digest.enrich.summarize import (
    SCORING,
    refers_back,
    select,
    similarities,
    summarize,
    summary_sentences,
)
from tests.test_boilerplate import FURNITURE

STORY = [
    "The harbour authority of Port Wenlow approved a plan on Monday to dredge the main channel.",
    "The dredging will let larger container ships dock at the port for the first time.",
    "Local fishermen worry that the work will disturb the breeding grounds of the bay.",
    "The authority said the channel work would start in the spring and last two years.",
    "A public meeting about the harbour plan is set for next month at the town hall.",
]


def test_summary_is_made_of_the_documents_own_sentences() -> None:
    chosen = summary_sentences(STORY)
    assert len(chosen) == 3
    assert all(sentence in STORY for sentence in chosen)


def test_summary_keeps_document_order() -> None:
    chosen = summary_sentences(STORY)
    positions = [STORY.index(sentence) for sentence in chosen]
    assert positions == sorted(positions)


def test_summary_joins_the_chosen_sentences_with_a_space() -> None:
    assert summarize(STORY) == " ".join(summary_sentences(STORY))


def test_summary_holds_at_most_the_requested_number_of_sentences() -> None:
    assert len(summary_sentences(STORY, sentences=2)) == 2
    assert summarize(STORY, sentences=1) == summary_sentences(STORY, sentences=1)[0]


def test_summary_drops_sentences_rather_than_exceed_the_character_cap() -> None:
    first = summary_sentences(STORY, sentences=1)[0]
    summary = summarize(STORY, max_chars=len(first) + 20)
    assert summary == first


def test_overlong_first_sentence_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    summary = summarize(STORY, max_chars=40)
    assert len(summary) <= 40
    assert summary.endswith("…")
    assert STORY[0].startswith(summary[:-1])
    assert STORY[0][len(summary) - 1] == " "


def test_empty_input_gives_an_empty_summary() -> None:
    assert summarize([]) == ""
    assert summarize(["", "   "]) == ""
    assert summary_sentences([]) == []


def test_byline_is_never_in_a_summary() -> None:
    paragraphs = ["By Maria Lindqvist, CNN", "By Tom Reed and Ana Ruiz", *STORY]
    assert "By " not in summarize(paragraphs)


def test_cnn_dateline_is_stripped_and_the_sentence_kept() -> None:
    paragraphs = [f"(CNN) -- {STORY[0]}", *STORY[1:]]
    assert summarize(paragraphs).startswith(STORY[0])


def test_dateline_glued_to_the_first_word_is_stripped() -> None:
    paragraphs = [f"Port Wenlow, England (CNN){STORY[0]}", *STORY[1:]]
    assert summarize(paragraphs).startswith(STORY[0])


def test_wire_service_dateline_is_stripped() -> None:
    paragraphs = [f"LONDON, Jan 5 (Reuters) - {STORY[0]}", *STORY[1:]]
    assert summarize(paragraphs).startswith(STORY[0])


def test_agency_dateline_with_a_dash_is_stripped() -> None:
    paragraphs = [f"WASHINGTON (AP) — {STORY[0]}", *STORY[1:]]
    assert summarize(paragraphs).startswith(STORY[0])


def test_organisation_acronym_in_parentheses_is_not_a_dateline() -> None:
    sentence = "The Associated Press (AP) reported the harbour plan before the vote on Monday."
    assert summary_sentences([sentence, *STORY])[0] == sentence


def test_daily_mail_header_is_stripped() -> None:
    header = (
        "By . Daily Mail Reporter . PUBLISHED: . 08:38 EST, 9 April 2013 . | . "
        "UPDATED: . 08:44 EST, 9 April 2013 . "
    )
    paragraphs = [header + STORY[0], *STORY[1:]]
    assert summarize(paragraphs).startswith(STORY[0])


def test_metadata_lines_are_never_in_a_summary() -> None:
    paragraphs = [
        "Published: 10 January 2025, 09:14 GMT",
        "Updated 10:32 GMT, 10 January 2025.",
        "Region: Europe, Northern Europe and the Baltic states",
        *STORY,
    ]
    summary = summarize(paragraphs, sentences=5, max_chars=2000)
    assert "Published" not in summary
    assert "Updated" not in summary
    assert "Region" not in summary


def test_markdown_residue_is_never_in_a_summary() -> None:
    paragraphs = [
        "# Harbour plan approved at last",
        "The **harbour authority** of [Port Wenlow](#) approved a plan to dredge the channel.",
        "\\*",
        *STORY[1:],
    ]
    summary = summarize(paragraphs, sentences=5, max_chars=2000)
    assert summary.startswith("The harbour authority of Port Wenlow approved a plan")
    for residue in ("**", "](", "\\", "#", "*"):
        assert residue not in summary


def test_site_boilerplate_is_never_in_a_summary() -> None:
    paragraphs = [
        *STORY,
        "Click the share button below to email this article to your friends today.",
        "Follow us on Instagram and X and subscribe to our Telegram channel for more.",
        "Copyright © Harbour News Network, 2025, with every single right reserved.",
        "This article was originally published on the Wenlow Gazette website.",
    ]
    summary = summarize(paragraphs, sentences=9, max_chars=5000)
    assert summary == " ".join(STORY)


def test_photo_credits_are_never_in_a_summary() -> None:
    paragraphs = [
        "Photo: Jane Doe / Harbour News, the dredger at work near the harbour wall.",
        f"{STORY[0][:-1]} (Photo by Jane Doe).",
        *STORY[1:],
    ]
    summary = summarize(paragraphs, sentences=5, max_chars=2000)
    assert "Photo" not in summary
    assert summary.startswith(STORY[0])


def test_questions_to_the_reader_are_never_in_a_summary() -> None:
    paragraphs = [*STORY[:2], "What do you think the harbour should do about the plan?", *STORY[2:]]
    assert "?" not in summarize(paragraphs, sentences=6, max_chars=2000)


def test_short_fragments_are_never_in_a_summary() -> None:
    paragraphs = ["Breaking news.", "Read on.", *STORY]
    summary = summarize(paragraphs, sentences=7, max_chars=2000)
    assert "Breaking" not in summary
    assert "Read on" not in summary


def test_control_characters_are_never_in_a_summary() -> None:
    paragraphs = [f"\x07{STORY[0]}\x00", *STORY[1:]]
    summary = summarize(paragraphs)
    assert summary.startswith(STORY[0])
    assert not any(ord(char) < 32 for char in summary)


def test_a_sentence_repeating_the_title_is_left_out() -> None:
    title = STORY[0]
    assert STORY[0] not in summary_sentences(STORY, title=title)


def test_later_sentence_close_to_the_title_can_be_chosen() -> None:
    title = "Public meeting at the town hall"
    assert STORY[4] not in summary_sentences(STORY)
    assert STORY[4] in summary_sentences(STORY, title=title, scoring=replace(SCORING, title=1.0))


def test_a_sentence_that_nearly_repeats_the_title_is_left_out() -> None:
    title = "Town hall meeting on the harbour plan next month"
    chosen = summary_sentences(STORY, title=title, scoring=replace(SCORING, title=1.0))
    assert STORY[4] not in chosen


@pytest.mark.parametrize(
    "credit",
    [
        "AP - ",
        "Reuters - ",
        "Reuters — ",
        "(AFP) -- ",
        "WASHINGTON (Reuters) - ",
        "LONDON, Jan 5 (Reuters) - ",
        "NAIROBI, Kenya (AP) — ",
        "BEIJING, March 3 (Xinhua) -- ",
        "PARIS, Jan 5 - ",
        "GAZA CITY: ",
        "WASHINGTON (AP/Reuters) - ",
        "By AFP: ",
    ],
)
def test_agency_credits_and_datelines_of_every_common_form_are_removed(credit: str) -> None:
    paragraphs = [f"{credit}{STORY[0]}", *STORY[1:]]
    assert summarize(paragraphs).startswith(STORY[0])


@pytest.mark.parametrize(
    "plea",
    [
        "Follow Harbour News on Instagram for pictures from the coast every day.",
        "Join our WhatsApp channel to get the latest harbour news as it happens.",
        "You may republish this article online or in print under our free licence.",
        "If you value our reporting on the harbour, please consider supporting us today.",
        "We rely on readers like you to keep our newsroom running all year.",
        "Share this story with your friends and family on Facebook and X.",
    ],
)
def test_site_pleas_in_general_forms_are_never_in_a_summary(plea: str) -> None:
    summary = summarize([*STORY, plea], sentences=9, max_chars=5000)
    assert summary == " ".join(STORY)


def test_repeated_bulletins_give_one_sentence_and_keep_the_lead() -> None:
    lead = "Storm Ilse forced the closure of every school on the eastern coast on Tuesday."
    bulletins = [
        f"Update {n}: the coast road between Wenlow and Astby remains closed to all traffic."
        for n in range(1, 5)
    ]
    other = "Engineers expect to reopen the Wenlow bridge once the wind drops below gale force."
    chosen = summary_sentences([lead, *bulletins, other])
    assert chosen[0] == lead
    assert sum(sentence in bulletins for sentence in chosen) <= 1


def test_near_duplicate_sentences_are_never_both_chosen() -> None:
    candidates = [
        "The council closed the coast road between Wenlow and Astby on Tuesday.",
        "The council closed the coast road between Wenlow and Astby on Tuesday night.",
        "Engineers will inspect the bridge once the storm has passed.",
    ]
    matrix = similarities(candidates)
    assert matrix[0][1] >= SCORING.duplicate
    boost = replace(SCORING, title=10.0)
    assert select(candidates, matrix, sentences=2, affinity=[0.0, 0.5, 0.0], scoring=boost) == [
        0,
        2,
    ]


def test_a_quotation_of_several_sentences_is_kept_whole_in_a_summary() -> None:
    quote = (
        'The harbour master said: "The channel is too shallow. Ships wait for days. '
        'Dredging will end that."'
    )
    summary = summarize([STORY[0], quote, *STORY[1:]], sentences=9, max_chars=5000)
    assert quote in summary


def test_half_of_a_quotation_is_never_in_a_summary() -> None:
    # A quotation running on into the next paragraph: each half is unbalanced.
    opened = 'The harbour master said: "The channel is too shallow for the new ships.'
    continued = 'Dredging will end the wait for berths at last," he told reporters.'
    summary = summarize([STORY[0], opened, continued, *STORY[1:]], sentences=9, max_chars=5000)
    assert summary == " ".join(STORY)
    assert half_quoted(opened) and half_quoted(continued)
    assert not half_quoted('He said: "Yes." Then “no.”')


def test_an_opening_sentence_that_points_back_brings_its_antecedent() -> None:
    candidates = [
        "The harbour authority met in Port Wenlow on Monday for its annual session.",
        "It approved a plan to dredge the main channel before the summer season.",
        "The plan will cost the town about four million pounds over two years.",
        "Fishermen worry that the work will disturb the breeding grounds of the bay.",
    ]
    matrix = [[0.0] * 4 for _ in range(4)]
    # The third sentence is the best but opens on "The plan": the one before comes too,
    # and that one opens on "It", so with room for two it is not chosen at all.
    boost = replace(SCORING, title=10.0)
    affinity = [0.0, 0.0, 0.5, 0.1]
    assert select(candidates, matrix, sentences=2, affinity=affinity, scoring=boost) == [0, 3]
    affinity = [0.0, 0.5, 0.4, 0.0]
    assert select(candidates, matrix, sentences=3, affinity=affinity, scoring=boost) == [0, 1, 2]
    assert refers_back(candidates[2]) and refers_back("Many of them left.")
    assert not refers_back("This week the council met.")


def test_a_best_sentence_that_points_back_opens_the_summary_only_after_its_antecedent() -> None:
    candidates = [
        "The harbour authority approved a plan to dredge the main channel on Monday.",
        "The plan will cost the town about four million pounds over two years.",
        "Fishermen worry that the work will disturb the breeding grounds of the bay.",
    ]
    matrix = [[0.0] * 3 for _ in range(3)]
    boost = replace(SCORING, title=10.0)
    assert select(candidates, matrix, sentences=2, affinity=[0.0, 0.5, 0.0], scoring=boost) == [
        0,
        1,
    ]
    assert select(candidates, matrix, sentences=1, affinity=[0.0, 0.5, 0.3], scoring=boost) == [2]


def test_a_short_description_is_completed_with_the_best_body_sentences() -> None:
    description = "Port Wenlow will dredge its main channel for container ships."
    summary = summary_sentences(STORY[1:], sentences=3, description=description)
    assert summary[0] == description
    assert len(summary) == 3 and all(s in STORY for s in summary[1:])


def test_a_description_that_names_none_of_the_articles_facts_is_not_used() -> None:
    description = "Our weekly look at what matters most to you, every Friday morning."
    summary = summary_sentences(STORY, sentences=3, description=description)
    assert description not in summary
    assert summary == summary_sentences(STORY, sentences=3)


def test_a_long_description_alone_makes_the_summary() -> None:
    description = " ".join(STORY[:3])
    assert summary_sentences(STORY[3:], sentences=3, description=description) == STORY[:3]


def test_the_sentence_a_title_was_made_from_is_not_repeated() -> None:
    assert STORY[0] not in summary_sentences(STORY, exclude=STORY[0])


WORDS = st.sampled_from(
    "the harbour council voted to close port workers said plan It He The Reuters AP - "
    '-- (AFP) "We won." “Yes. no,” Follow us on Instagram share this story . ! ? \n \n\n'.split(" ")
)


@given(st.lists(st.lists(WORDS, max_size=40).map(" ".join), max_size=8), st.integers(1, 4))
def test_any_text_gives_a_clean_summary_of_at_most_the_budget(
    paragraphs: list[str], budget: int
) -> None:
    chosen = summary_sentences(paragraphs, sentences=budget)
    assert len(chosen) <= budget
    assert not any(half_quoted(sentence) for sentence in chosen)
    candidates = candidate_sentences(paragraphs, 30)[:30]
    positions = [candidates.index(sentence) for sentence in chosen]
    matrix = similarities(candidates)
    assert all(matrix[i][j] < SCORING.duplicate for i in positions for j in positions if i != j)


PIECES = [
    *FURNITURE,
    "Officials said the port would reopen on Monday after the strike ended.",
    "We (pictured: the staff) rely on your support every day.",
    "LONDON (Reuters) - Shares rose on Monday as investors cheered the deal.",
    "WASHINGTON -- The Senate passed the bill late on Tuesday night.",
    "He said: “We will not share this article with anyone.” Then he left.",
]


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6))
def test_a_sentence_is_judged_alike_alone_and_within_its_paragraph(pieces: list[str]) -> None:
    # A paragraph's words narrow the rules each of its sentences is tested against.
    paragraph = " ".join(pieces)
    squashed = " ".join(paragraph.split())
    hints = [h for h in cleanup._BOILERPLATE_HINTS if h in squashed.lower()]
    for sentence in split_sentences(paragraph):
        narrowed = clean_sentence(sentence, hints=hints, furniture=furniture_hints(squashed))
        assert narrowed == clean_sentence(sentence)


_FURNITURE_WORDS = (
    "click", "here", "follow", "us", "subscribe", "to", "our", "sign", "up", "for", "the",
    "newsletter", "share", "this", "article", "email", "forward", "feel", "free", "repost",
    "all", "rights", "reserved", "©", "(c)", "2024", "copyright", "copyrighted", "material",
    "original", "originally", "published", "on", "source", "of", "donation", "help", "stay",
    "become", "a", "member", "support", "independent", "journalism", "comment", "page",
    "leave", "in", "comments", "tell", "know", "what", "do", "you", "think", "contributed",
    "report", "just", "watched", "must", "watch", "featured", "image", "photo", "gallery",
    "getty", "images", "afp/getty", "shutterstock", "disclaimer", "reader-funded", "grants",
    "permission", "not", "be", "held", "responsible", "Click", "SHARE",
)  # fmt: skip


@given(st.lists(st.sampled_from(_FURNITURE_WORDS), max_size=12))
def test_a_furniture_rule_matches_only_where_one_of_its_hints_is(words: list[str]) -> None:
    # Sentences are searched only for the rules whose hints they hold.
    lowered = " ".join(words).lower()
    for hints, rule in cleanup._BOILERPLATE_RULES:
        if rule.search(lowered):
            assert any(hint in lowered for hint in hints), rule.pattern


@given(st.text(alphabet=" abcdeghilmnoprstuy()©-", max_size=80))
def test_a_paragraph_s_hints_are_found_as_substring_tests_find_them(text: str) -> None:
    lowered = " ".join(text.split()).lower()
    expected = [h for h in cleanup._BOILERPLATE_HINTS if h in lowered]
    assert cleanup._paragraph_hints(lowered) == expected
    assert furniture_hints(text) == tuple(h for h in _ANYWHERE_HINTS if h in text.lower())
