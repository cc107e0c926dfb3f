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

import ahocorasick_rs

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

# Each rule for site furniture inside a sentence, with the hints one of which it
# holds wherever it matches (the text is lowercased first). A sentence holding none
# of a rule's hints is not searched for it: most hints are everyday words.
_BOILERPLATE_RULES = tuple(
    (tuple(hints.split("|")), re.compile(rule))
    for hints, rule in (
        ("click", r"\bclick (?:here|the|on|below|through)\b"),
        ("follow us|like us|find us|join us", r"\b(?:follow|like|find|join) us\b"),
        ("subscribe", r"\bsubscribe (?:to (?:our|the|this)|now|here|today|for)\b"),
        ("newsletter", r"\bsign up\b.{0,40}\bnewsletter"),
        ("share this|share the", r"\bshare (?:this|the) (?:article|story|post|page|video)\b"),
        ("share button", r"\bshare button\b"),
        ("this article|this story", r"\b(?:email|forward)(?:/forward)? this (?:article|story)\b"),
        ("feel free", r"\bfeel free to (?:re)?post\b"),
        ("rights reserved", r"\ball rights reserved\b"),
        ("©", r"©"),
        ("(c)", r"\(c\) \d{4}"),
        ("copyright", r"^copyright\b"),
        ("original", r"\boriginal source of this\b"),
        ("original", r"\boriginally (?:published|appeared) (?:on|in|at|by)\b"),
        ("donation", r"\bdonation\b"),
        ("help us", r"\bhelp us stay\b"),
        ("become a", r"\bbecome a (?:member|subscriber|patron)\b"),
        ("journalism", r"\bsupport (?:our|independent) journalism\b"),
        ("comment on", r"\bcomment on\b.{0,50}\b(?:page|articles?|story)\b"),
        ("a comment", r"\bleave a comment\b"),
        ("the comments", r"\bin the comments\b"),
        ("tell us|let us", r"\b(?:tell|let) us (?:know|what)\b"),
        ("what do you think", r"\bwhat do you think\b"),
        ("contributed to", r"\bcontributed to this report\b"),
        ("watched", r"\bjust watched\b"),
        ("must watch", r"\bmust watch\b"),
        ("featured image", r"\bfeatured image\b"),
        ("gallery", r"\bphoto gallery\b"),
        ("getty|ap photo|shutterstock", r"\b(?:getty images|ap photo|afp/getty|shutterstock)\b"),
        ("disclaimer", r"^disclaimer\b"),
        ("reader-funded", r"\breader-funded\b"),
        ("copyright", r"\bcopyrighted material\b"),
        ("permission", r"\bgrants? permission to\b"),
        ("responsible", r"\bnot be (?:held )?responsible\b"),
    )
)
_BOILERPLATE_HINTS = tuple(dict.fromkeys(h for hints, _ in _BOILERPLATE_RULES for h in hints))
# All the hints in one pass over a paragraph, instead of forty substring searches.
_HINT_FINDER = ahocorasick_rs.AhoCorasick(list(_BOILERPLATE_HINTS))
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
    return any(hint in lowered for hint in hints) and any(
        rule.search(lowered) is not None
        for words, rule in _BOILERPLATE_RULES
        if any(word in lowered for word in words)
    )


def _is_byline(text: str) -> bool:
    match = _BYLINE.match(text)
    if match is None:
        return False
    words = match.group(1).translate(_BYLINE_PUNCTUATION).split()
    return len(words) <= 12 and all(w[0].isupper() or w in _BYLINE_WORDS for w in words)


def _paragraph_hints(lowered: str) -> list[str]:
    """The hints of _BOILERPLATE_RULES that a lowercased paragraph holds."""
    found = _HINT_FINDER.find_matches_as_strings(lowered, overlapping=True)
    return [hint for hint in _BOILERPLATE_HINTS if hint in found] if found else []


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
    hints = _paragraph_hints(lowered)
    furniture = furniture_hints(squashed)
    found = (clean_sentence(s, hints=hints, furniture=furniture) for s in split_sentences(text))
    return tuple(cleaned for cleaned in found if cleaned is not None)
