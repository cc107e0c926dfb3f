from digest.enrich.summarize import summarize, summary_sentences

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
    title = "Town hall meeting on the harbour plan next month"
    assert STORY[4] not in summary_sentences(STORY)
    assert STORY[4] in summary_sentences(STORY, title=title)
