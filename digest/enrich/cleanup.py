"""Which sentences of a document may appear in its summary, cleaned.

Bylines, agency credits and datelines ("AP - ", "(CNN) -- ", "LONDON, Jan 5 (Reuters) - ",
kept sentence minus the prefix), metadata and Daily Mail style header lines, markdown
residue, site furniture (digest.boilerplate's rules and the share/follow/subscribe and
copyright phrasings below), photo credits, questions, lines that do not end like a
sentence, fragments under five words and half quotations never reach a summary, nor a
title derived from the lead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from digest.boilerplate import furniture_hints, is_boilerplate
from digest.enrich.sentences import split_sentences
from digest.text import strip_control

MIN_WORDS = 5

# Neither part can run past a bracket or parenthesis that opens another link, so
# text made of nothing but link punctuation (`[](` a million times) is matched in
# linear time; one level of parentheses is allowed in a URL (`/wiki/Foo_(bar)`).
_MARKDOWN_LINK = re.compile(r"!?\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_MARKDOWN_LEAD = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+•]\s+)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]{0,200}>")

# Daily Mail style headers: "By . Jane Doe . PUBLISHED: . 08:38 EST, 9 April 2013 . | . ..."
_MAIL_BYLINE = re.compile(r"^\s*By\s*\.\s*[^.]{1,80}?\s*\.\s+(?:and\s*\.?\s*[^.]{1,80}?\s*\.\s+)*")
_MAIL_STAMP = re.compile(
    r"^\s*(?:\|\s*\.?\s*)?(?:PUBLISHED|UPDATED|Last updated)\b"
    r"[^|]{0,60}?\d{4}\s*\.?\s*(?:\|\s*\.?\s*)?",
    re.IGNORECASE,
)

_AGENCY = (
    r"(?:The\s+)?(?:AP|Associated\s+Press|Reuters|AFP|Agence\s+France[- ]Presse|UPI|Bloomberg"
    r"|BBC|Xinhua|dpa|Kyodo|Yonhap|TASS|Interfax|ANSA|EFE|PTI|IANS|ANI|AAP|NHK|Anadolu|IPS"
    r"|Bernama|Antara|CNN)"
)
_OUTLET = rf"(?:{_AGENCY}[\w ]*|HLN\w*|[\w.]+\.com)"
_PLACE = r"(?:[A-Z][\w.'’-]*(?:,?\s+(?:[A-Z][\w.'’-]*|\d{1,2}|\d{4})){0,5},?\s*)?"
_DATELINE = re.compile(
    rf"^{_PLACE}(?:\({_OUTLET}\)(?:\s*(?:--|[—–-]|:)\s*|\s*(?=[\"“A-Z0-9]))"
    r"|\([A-Z][\w.&'’/ -]{1,40}\)(?:(?=[\"“A-Z0-9])|\s*(?:--|[—–]|-\s)\s*))"
)
# A bare agency credit: "AP - ", "Reuters — ", "By AFP: ", "- AP -".
_CREDIT = re.compile(rf"^(?:[-–—•]\s*)?(?:By\s+)?{_AGENCY}\s*(?:--|[—–:]|-\s)\s*")
# "WASHINGTON -- ", "PARIS, Jan 5 - ", "GAZA CITY: ".
_CAPS_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{2,30}(?:,\s*[A-Z][\w.]*(?:\s+\d{1,2})?)*\s*(?:--|[—–:]|\s-\s)\s*"
)

_BYLINE = re.compile(r"^(?:by|written by|reported by|reporting by|words by|text by)\s+(.+)$", re.I)
# Lowercase words a byline may hold besides names: particles and a job title.
_BYLINE_WORDS = frozenset(
    "and of de da di del van von der la le the for in at correspondent reporter writer "
    "editor staff contributor".split()
)
_BYLINE_PUNCTUATION = str.maketrans(",&|;.", "     ")

_METADATA = re.compile(
    r"^(?:(?:published|updated|posted|last (?:updated|modified)|modified|filed|created)"
    r"(?:\s+(?:on|at))?\s*:?\s*[\w ,.:+-]{0,40}?\d"
    r"|(?:date|dateline|source|sources|tags?|categories|category|regions?|themes?|topics?|"
    r"keywords|in-depth report|articles by|author|authors|reading time|related|see also|"
    r"read more|read|watch|listen|more|advertisement|sponsored|editor's note|note)\s*:)",
    re.IGNORECASE,
)

# Cheap substring test first: the full pattern is slow and almost never matches.
_BOILERPLATE_HINTS = tuple(
    "click|follow us|like us|find us|join us|subscribe|newsletter|share this|share the|"
    "share button|this article|this story|feel free|rights reserved|©|(c)|copyright|original|"
    "donation|help us|become a|journalism|comment on|a comment|the comments|tell us|let us|"
    "what do you think|contributed to|watched|must watch|featured image|gallery|getty|"
    "ap photo|shutterstock|disclaimer|reader-funded|permission|responsible".split("|")
)
_BOILERPLATE = re.compile(
    r"\bclick (?:here|the|on|below|through)\b|\b(?:follow|like|find|join) us\b"
    r"|\bsubscribe (?:to (?:our|the|this)|now|here|today|for)\b|\bsign up\b.{0,40}\bnewsletter"
    r"|\bshare (?:this|the) (?:article|story|post|page|video)\b|\bshare button\b"
    r"|\b(?:email|forward)(?:/forward)? this (?:article|story)\b|\bfeel free to (?:re)?post\b"
    r"|\ball rights reserved\b|©|\(c\) \d{4}|^copyright\b|\boriginal source of this\b"
    r"|\boriginally (?:published|appeared) (?:on|in|at|by)\b|\bdonation\b|\bhelp us stay\b"
    r"|\bbecome a (?:member|subscriber|patron)\b|\bsupport (?:our|independent) journalism\b"
    r"|\bcomment on\b.{0,50}\b(?:page|articles?|story)\b|\bleave a comment\b|\bin the comments\b"
    r"|\b(?:tell|let) us (?:know|what)\b|\bwhat do you think\b|\bcontributed to this report\b"
    r"|\bjust watched\b|\bmust watch\b|\bfeatured image\b|\bphoto gallery\b"
    r"|\b(?:getty images|ap photo|afp/getty|shutterstock)\b|^disclaimer\b|\breader-funded\b"
    r"|\bcopyrighted material\b|\bgrants? permission to\b|\bnot be (?:held )?responsible\b"
)
_PHOTO_LINE = re.compile(
    r"^(?:photo|photograph|image|picture|video|caption|credit|illustration)s?\s*(?:by\b|credit\b|:|/|\|)",
    re.IGNORECASE,
)
_PHOTO_NOTE = re.compile(
    r"\s*\((?:photo|image|picture|credit|file photo|pictured|left|right|center|centre)\b"
    r"[^)]{0,80}\)",
    re.IGNORECASE,
)
QUOTES = "\"“‘'«"
# A line that does not end like a sentence is a heading, a caption or a metadata line;
# one that ends in "?" is a question to the reader. Neither summarises.
_ENDS = ".!…"
_CLOSERS = "\"”’')]"


def clean_paragraph(paragraph: str) -> str:
    """The paragraph as plain prose: controls, markup and mail headers removed."""
    text = strip_control(paragraph).replace("\r\n", "\n").replace("\r", "\n")
    # Each pattern scans the whole text, so look for its one telltale character first.
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    if "](" in text:
        text = _MARKDOWN_LINK.sub(r"\1", text)
    if "\\" in text:
        text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    if "*" in text or "__" in text:
        text = _MARKDOWN_EMPHASIS.sub("", text)
    lines = [_MARKDOWN_LEAD.sub("", line) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line.strip())
    text = _MAIL_BYLINE.sub("", text, count=1)
    return _MAIL_STAMP.sub("", _MAIL_STAMP.sub("", text, count=1), count=1)


def clean_sentence(
    sentence: str,
    *,
    hints: Sequence[str] = _BOILERPLATE_HINTS,
    furniture: Sequence[str] | None = None,
) -> str | None:
    """The sentence fit for a summary, datelines stripped; None if it never belongs.

    `hints` narrows the boilerplate words worth looking for (those in the paragraph),
    and `furniture` those of digest.boilerplate's mid-sentence rules (its
    `furniture_hints` of the paragraph; None: all of them).
    """
    words = sentence.split()
    text = squashed = " ".join(words)
    if "(" in text:
        # Every dateline this strips has a parenthesis: "(CNN) --", "LONDON (Reuters) -".
        text = _DATELINE.sub("", text, count=1)
    text = _CREDIT.sub("", text, count=1)
    text = _CAPS_DATELINE.sub("", text, count=1)
    if "(" in text:
        noted = text
        text = _PHOTO_NOTE.sub("", text).strip()
        if text != noted:
            # The words around a note removed may now spell a hint the paragraph lacked.
            furniture = None
    if (
        (len(words) if text == squashed else len(text.split())) < MIN_WORDS
        or not _finished(text)
        or _METADATA.match(text)
        or _PHOTO_LINE.match(text)
        or _is_byline(text)
        or (hints and _is_boilerplate(text, hints))
        or (is_boilerplate(text) if furniture is None else is_boilerplate(text, hints=furniture))
        or half_quoted(text)
    ):
        return None
    return text


def _finished(text: str) -> bool:
    """Whether `text` ends like a sentence: a full stop, "!" or "…", then closing marks."""
    end = text.rstrip(_CLOSERS)[-1:]
    return bool(end) and end in _ENDS


def half_quoted(sentence: str) -> bool:
    """Whether `sentence` holds an unmatched double quotation mark (half of a quotation).

    The splitter keeps a quotation whole when it closes in the same paragraph; what is
    left is a quote continued from or into another paragraph, which reads as a fragment.
    """
    if '"' in sentence and sentence.count('"') % 2:
        return True
    return sentence.count("“") != sentence.count("”")


def _is_boilerplate(text: str, hints: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(hint in lowered for hint in hints) and bool(_BOILERPLATE.search(lowered))


def _is_byline(text: str) -> bool:
    match = _BYLINE.match(text)
    if match is None:
        return False
    words = match.group(1).translate(_BYLINE_PUNCTUATION).split()
    return len(words) <= 12 and all(w[0].isupper() or w in _BYLINE_WORDS for w in words)


def candidate_sentences(paragraphs: Sequence[str], limit: int | None = None) -> list[str]:
    """The sentences of the document that may appear in a summary, in order (the first `limit`)."""
    found: list[str] = []
    for paragraph in paragraphs:
        if limit is not None and len(found) >= limit:
            break
        found.extend(_paragraph_candidates(paragraph))
    return found


# A derived title and the summary read the same opening paragraphs, one after the other.
@lru_cache(maxsize=256)
def _paragraph_candidates(paragraph: str) -> tuple[str, ...]:
    text = clean_paragraph(paragraph)
    # Most paragraphs hold no boilerplate word at all: test once, not per sentence.
    squashed = " ".join(text.split())
    lowered = squashed.lower()
    hints = [hint for hint in _BOILERPLATE_HINTS if hint in lowered]
    furniture = furniture_hints(squashed)
    found = (clean_sentence(s, hints=hints, furniture=furniture) for s in split_sentences(text))
    return tuple(cleaned for cleaned in found if cleaned is not None)
