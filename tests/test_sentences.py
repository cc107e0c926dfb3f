from hypothesis import given
from hypothesis import strategies as st

from digest.enrich.sentences import split_sentences


def test_plain_sentences_are_split_and_stripped() -> None:
    text = "  The river rose overnight. Crews worked until dawn!  "
    assert split_sentences(text) == ["The river rose overnight.", "Crews worked until dawn!"]


def test_country_abbreviations_do_not_end_a_sentence() -> None:
    text = "The U.S. team met the U.K. delegation. Talks went well."
    assert split_sentences(text) == [
        "The U.S. team met the U.K. delegation.",
        "Talks went well.",
    ]


def test_abbreviation_at_the_end_of_a_sentence_still_ends_it() -> None:
    text = "The plant moved to the U.S. The old site closed."
    assert split_sentences(text) == ["The plant moved to the U.S.", "The old site closed."]


def test_titles_before_names_do_not_end_a_sentence() -> None:
    text = "Mr. Hale and Mrs. Ortiz met Dr. Banerjee. Gov. Reyes and Sen. Lowe stayed away."
    assert split_sentences(text) == [
        "Mr. Hale and Mrs. Ortiz met Dr. Banerjee.",
        "Gov. Reyes and Sen. Lowe stayed away.",
    ]


def test_month_abbreviations_do_not_end_a_sentence() -> None:
    text = "The vote moved from Jan. 12 to Feb. 3 and then to Sept. 30. Nobody objected."
    assert split_sentences(text) == [
        "The vote moved from Jan. 12 to Feb. 3 and then to Sept. 30.",
        "Nobody objected.",
    ]


def test_company_suffixes_do_not_end_a_sentence_before_a_name() -> None:
    text = "Brightwater Inc. Chief Executive Lena Moss and Harbor Corp. staff signed No. 7."
    assert split_sentences(text) == [text]


def test_company_suffix_ends_a_sentence_before_a_new_one() -> None:
    text = "Shares rose at Brightwater Inc. The rival fell."
    assert split_sentences(text) == ["Shares rose at Brightwater Inc.", "The rival fell."]


def test_initials_in_names_do_not_end_a_sentence() -> None:
    text = "J. R. R. Tolkien wrote it. George W. Bush read it."
    assert split_sentences(text) == ["J. R. R. Tolkien wrote it.", "George W. Bush read it."]


def test_decimals_and_amounts_do_not_end_a_sentence() -> None:
    text = "Growth was 3.5 percent. The deal is worth $1.2bn in cash."
    assert split_sentences(text) == ["Growth was 3.5 percent.", "The deal is worth $1.2bn in cash."]


def test_ellipsis_before_a_capital_ends_a_sentence() -> None:
    text = "She waited and waited... Nothing happened."
    assert split_sentences(text) == ["She waited and waited...", "Nothing happened."]


def test_ellipsis_inside_a_sentence_does_not_end_it() -> None:
    text = "He said the plan was … not ready. Then he left."
    assert split_sentences(text) == ["He said the plan was … not ready.", "Then he left."]


def test_sentence_ending_inside_curly_quotes_ends_after_the_quote() -> None:
    text = "“We will rebuild.” The mayor left the stage. She called it ‘a start.’ Few agreed."
    assert split_sentences(text) == [
        "“We will rebuild.”",
        "The mayor left the stage.",
        "She called it ‘a start.’",
        "Few agreed.",
    ]


def test_sentence_ending_inside_straight_quotes_ends_after_the_quote() -> None:
    text = 'He said, "It is over." Then the lights went out.'
    assert split_sentences(text) == ['He said, "It is over."', "Then the lights went out."]


def test_quoted_question_followed_by_lowercase_stays_one_sentence() -> None:
    text = '"Why now?" she asked. Nobody answered.'
    assert split_sentences(text) == ['"Why now?" she asked.', "Nobody answered."]


def test_question_and_exclamation_marks_end_sentences() -> None:
    text = "Did it work?! It did! Are you sure? Yes."
    assert split_sentences(text) == ["Did it work?!", "It did!", "Are you sure?", "Yes."]


def test_one_sentence_per_line_layout_splits_on_capitalised_lines() -> None:
    text = "Storm warning for the coast\nSchools will close early\nResidents should stay indoors"
    assert split_sentences(text) == [
        "Storm warning for the coast",
        "Schools will close early",
        "Residents should stay indoors",
    ]


def test_line_continuing_in_lowercase_joins_the_previous_line() -> None:
    text = "The council voted to expand\nthe cycle network. It starts in May."
    assert split_sentences(text) == [
        "The council voted to expand the cycle network.",
        "It starts in May.",
    ]


def test_crlf_text_splits_like_lf_text() -> None:
    text = "First line here\r\nSecond line here.\r\n\r\nA new paragraph starts. It ends."
    assert split_sentences(text) == [
        "First line here",
        "Second line here.",
        "A new paragraph starts.",
        "It ends.",
    ]


def test_paragraph_break_always_ends_a_sentence() -> None:
    text = "A heading without a stop\n\nthe body starts in lowercase."
    assert split_sentences(text) == ["A heading without a stop", "the body starts in lowercase."]


def test_hard_wrapped_prose_joins_its_lines() -> None:
    text = (
        "The regional council said on Tuesday that the new bridge would open\n"
        "in March after delays caused by flooding along the river banks and\n"
        "Bay Street would close for a week."
    )
    assert split_sentences(text) == [" ".join(text.split())]


def test_urls_and_emails_do_not_end_a_sentence() -> None:
    text = "See www.example.org/news.html or write to desk@example.org today. Thanks."
    assert split_sentences(text) == [
        "See www.example.org/news.html or write to desk@example.org today.",
        "Thanks.",
    ]


def test_numbered_list_labels_stay_with_their_item() -> None:
    text = "1. Preheat the oven. 2. Mix the flour."
    assert split_sentences(text) == ["1. Preheat the oven.", "2. Mix the flour."]


def test_empty_and_blank_text_give_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\r\n ") == []


def test_a_quotation_of_several_sentences_stays_one_sentence() -> None:
    text = 'The mayor said: "We are ready. The pumps work. Nobody will be flooded." Rain fell.'
    assert split_sentences(text) == [
        'The mayor said: "We are ready. The pumps work. Nobody will be flooded."',
        "Rain fell.",
    ]


def test_a_curly_quotation_of_several_sentences_stays_one_sentence() -> None:
    text = "“We are ready. The pumps work,” the mayor said. Rain fell."
    assert split_sentences(text) == [
        "“We are ready. The pumps work,” the mayor said.",
        "Rain fell.",
    ]


def test_a_quotation_reopened_without_closing_is_split_at_the_reopening() -> None:
    # News style: a quote running on into the next paragraph is reopened, not closed.
    text = 'She said: "We lost the vote. "Next year we will try again," she added.'
    assert split_sentences(text) == [
        'She said: "We lost the vote.',
        '"Next year we will try again," she added.',
    ]


def test_a_quotation_that_never_closes_does_not_swallow_the_paragraph() -> None:
    text = 'He called it "a disgrace. The board met on Monday. It voted to stay.'
    assert split_sentences(text) == [
        'He called it "a disgrace.',
        "The board met on Monday.",
        "It voted to stay.",
    ]


PIECES = st.sampled_from(
    [
        "The",
        "council",
        "voted",
        "U.S.",
        "Mr.",
        "3.5",
        "said:",
        '"We',
        'won."',
        "“Yes.",
        "No,”",
        "he",
        "said.",
        "It",
        "rained!",
        "Why?",
        "…",
        "(AP)",
        "--",
        "\n",
        "\n\n",
        '"',
        "”",
    ]
)


@given(st.lists(PIECES, max_size=80))
def test_splitting_never_loses_or_invents_text(pieces: list[str]) -> None:
    text = " ".join(pieces)
    sentences = split_sentences(text)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())
    assert all(s and s == s.strip() for s in sentences)
