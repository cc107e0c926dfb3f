"""Turn the bytes of an input file into clean text, or say why they are not text.

Publishers hand over files from every kind of editor: UTF-8 with or without a
byte-order mark, UTF-16 from Windows tools, and old Windows-1252 exports with
curly quotes. Anything that decodes strictly as one of those is accepted;
anything else is rejected with a reason rather than published as mojibake.

C1 control characters (U+0080-U+009F) in decoded text are Windows-1252
punctuation that some tool decoded as Latin-1 on the way: a curly quote turned
into U+0093. They are put back to what Windows-1252 meant (or removed where it
means nothing), not counted as signs of a binary file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from digest.errors import DocumentError

# Longest marks first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls except those plain text legitimately carries (tab, newlines, form feed).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# The same with C1, for bytes read as Latin-1 where C1 is only ever noise.
_LATIN1_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_C1 = re.compile("[\x80-\x9f]")
# Each C1 control to the Windows-1252 character of the same byte (None: it has none).
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252", errors="ignore") or None for code in range(0x80, 0xA0)
}
# Above this share of other control characters a file is binary, not text.
_MAX_CONTROL_SHARE = 0.02
# Share of NUL bytes in one byte position that marks BOM-less UTF-16 of mostly ASCII text.
_UTF16_NUL_SHARE = 0.9

BINARY = "not text: binary content"
EMPTY = "empty file"
UNDECODABLE = "cannot decode: not UTF-8, UTF-16 or Windows-1252 text"


def decode(data: bytes, path: str) -> str:
    """The text of `data`: newlines as LF, NFC-normalised, never with U+FFFD left in."""
    text = _decode(data, path)
    if _C1.search(text) is not None:  # translate() costs a dictionary lookup a character
        text = text.translate(_C1_AS_CP1252)
    if _looks_binary(text):
        raise DocumentError(path, BINARY)
    # Stray byte-order marks (from joined files) and replacement characters carry no text.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = text.replace("\ufffd", "")
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise DocumentError(path, EMPTY)
    return text


def _decode(data: bytes, path: str) -> str:
    if not data.strip():
        raise DocumentError(path, EMPTY)
    encoding = _bom_encoding(data) or _bomless_utf16(data)
    if encoding:
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError:
            raise DocumentError(path, UNDECODABLE) from None
    if b"\x00" in data:
        raise DocumentError(path, BINARY)
    for candidate in ("utf-8", "cp1252"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    # Latin-1 maps every byte, so it can tell binary noise from text in an unknown encoding.
    if _looks_binary(data.decode("latin-1"), _LATIN1_CONTROLS):
        raise DocumentError(path, BINARY)
    raise DocumentError(path, UNDECODABLE)


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _bomless_utf16(data: bytes) -> str | None:
    """Detect UTF-16 saved without a byte-order mark: one byte of each pair is nearly always NUL."""
    if len(data) < 8 or len(data) % 2:
        return None
    pairs = len(data) // 2
    even_nuls = data[0::2].count(0) / pairs
    odd_nuls = data[1::2].count(0) / pairs
    if odd_nuls >= _UTF16_NUL_SHARE and even_nuls == 0:
        return "utf-16-le"
    if even_nuls >= _UTF16_NUL_SHARE and odd_nuls == 0:
        return "utf-16-be"
    return None


def _looks_binary(text: str, controls: re.Pattern[str] = _CONTROLS) -> bool:
    if "\x00" in text:
        return True
    return len(controls.findall(text)) > _MAX_CONTROL_SHARE * len(text)
