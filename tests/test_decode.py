"""Bytes in, clean text out: every encoding publishers' tools write, and files that are not text."""

from __future__ import annotations

import pytest

from digest.decode import BINARY, EMPTY, UNDECODABLE, decode
from digest.errors import DocumentError

TEXT = "“Déjà vu,” said the mayor of Zürich — twice.\nSecond line.\n"


def reason(data: bytes) -> str:
    with pytest.raises(DocumentError) as caught:
        decode(data, "seeds/bad.txt")
    assert caught.value.path == "seeds/bad.txt"
    return caught.value.reason


def test_utf8_without_a_byte_order_mark_decodes_as_is() -> None:
    assert decode(TEXT.encode("utf-8"), "a.txt") == TEXT


def test_utf8_byte_order_mark_is_removed() -> None:
    assert decode(TEXT.encode("utf-8-sig"), "a.txt") == TEXT


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_byte_order_mark_decodes_in_either_byte_order(encoding: str) -> None:
    assert decode("\ufeff".encode(encoding) + TEXT.encode(encoding), "a.txt") == TEXT


def test_utf16_saved_without_a_byte_order_mark_is_still_text() -> None:
    assert decode(TEXT.encode("utf-16-le"), "a.txt") == TEXT


def test_windows_1252_curly_quotes_and_accents_decode_right() -> None:
    data = b"\x93Caf\xe9 cr\xe8me,\x94 she said \x96 it\x92s \x80 4.\n"
    assert decode(data, "a.txt") == "“Café crème,” she said – it’s € 4.\n"


def test_windows_and_old_mac_newlines_become_line_feeds() -> None:
    assert decode(b"one\r\ntwo\rthree\n", "a.txt") == "one\ntwo\nthree\n"


def test_decomposed_accents_are_composed_to_nfc() -> None:
    assert decode("Zu\u0308rich".encode(), "a.txt") == "Zürich"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf", b"\xff\xfe \x00\n\x00"])
def test_empty_or_blank_file_is_rejected_as_empty(data: bytes) -> None:
    assert reason(data) == EMPTY


def test_file_with_nul_bytes_is_binary() -> None:
    assert reason(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))) == BINARY


def test_file_full_of_control_characters_but_no_nul_is_binary() -> None:
    assert reason(b"ab\x01\x02\x03\x04cd\x05\x06\x07\x08ef" * 20) == BINARY


def test_a_form_feed_page_break_does_not_make_text_binary() -> None:
    assert decode(b"Page one.\x0cPage two.", "a.txt") == "Page one.\x0cPage two."


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_undecodable() -> None:
    # 0x81 is unassigned in Windows-1252 and 0xe9 before a space is invalid UTF-8.
    assert reason(b"Caf\xe9 au lait. " * 40 + b"\x81") == UNDECODABLE


def test_utf16_with_a_cut_off_last_byte_is_undecodable() -> None:
    assert reason(b"\xff\xfe" + "Text".encode("utf-16-le") + b"\x00\xd8") == UNDECODABLE


def test_decoded_text_never_contains_replacement_characters() -> None:
    assert "\ufffd" not in decode("Bad \ufffd char".encode(), "a.txt")


def test_c1_controls_from_a_mis_decoded_windows_1252_file_become_its_punctuation() -> None:
    # Curly quotes, a dash and an ellipsis read as Latin-1 and saved again as UTF-8.
    data = "\x93Hello,\x94 she said \x96 twice\x85".encode()
    assert decode(data, "a.txt") == "“Hello,” she said – twice…"


def test_a_short_file_of_mostly_c1_quotes_is_cleaned_not_rejected_as_binary() -> None:
    assert decode("\x91Yes\x92, \x81ok.".encode(), "a.txt") == "‘Yes’, ok."
