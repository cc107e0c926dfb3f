"""A headline for a document that has none, made from its lead sentence.

News leads put the main clause first and hang the rest on it: when and where,
who said so, why, and what followed. A headline keeps the main clause and drops
the rest, in that order of expendability:

1. a reporting frame ("Police said on Monday that ...") and a trailing attribution
   (", officials said", ", according to ...");
2. an opening subordinate clause ("After weeks of talks, ...") when a full clause follows;
3. day and time phrases ("on Monday", "last week"), which a headline never carries;
4. while still too long, everything after the last phrase boundary that fits: a comma,
   a dash, a subordinating word ("after", "because", "which"...), or failing those a
   preposition outside any subordinate clause, provided what is left holds a verb,
   closes its quotes, brackets and asides, and does not end on a word that needs
   more ("the", "to", "will", a word in -ing).

It never cuts inside a phrase and never adds an ellipsis: when no boundary fits, the
main clause is kept whole, however long.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from digest.enrich.cleanup import candidate_sentences
from digest.enrich.sentences import split_sentences
from digest.text import squash

MAX_CHARS = 80
# No headline is made from further into a "sentence" than this: a run of text with
# no sentence end (a pasted table, a repeated pattern) would otherwise make the
# clause search quadratic in its length.
_LONGEST_LEAD = 1000
# Fewer words than this is a fragment ("Dock workers"), not a headline.
MIN_WORDS = 4

_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_WHEN = re.compile(
    rf",?\s+(?:(?:on|late|early|last|this|next)\s+{_DAY}(?:\s+(?:morning|afternoon|evening|night))?"
    r"|(?:yesterday|today|tonight|overnight)"
    r"|(?:last|this|earlier\s+this)\s+(?:week|weekend|month|year|night|morning|evening))"
    r"(?![\w'’-])",
    re.IGNORECASE,
)
_SPEECH = (
    r"(?:said|says|announced|reported|confirmed|warned|claimed|insisted|stated|declared|added"
    r"|noted|wrote|told\s+[\w ]{1,30}?)"
)
# "Police said on Monday that ..." -> what they said.
_REPORTING_FRAME = re.compile(
    rf"^(?:[\w.'’-]+\s+){{1,6}}?{_SPEECH}(?:\s+[\w ]{{1,20}}?)?\s+that\s+(?=\w)", re.IGNORECASE
)
# ", officials said." / ", according to the ministry." / ", the BBC reported."
_ATTRIBUTION = re.compile(
    rf",\s+(?:according\s+to\b[^,]*|(?:[\w.'’-]+\s+){{0,8}}{_SPEECH}(?:\s+[\w.'’ -]{{0,40}})?)$",
    re.IGNORECASE,
)
_OPENING_CLAUSE = re.compile(
    r"^(?:after|before|when|while|as|just\s+as|although|though|despite|following|amid|since|if"
    r"|because|once|until|in|on|at|with|for|by|during|under|according\s+to)\b[^,\"“]{2,90},\s+",
    re.IGNORECASE,
)
# Where a clause or phrase ends: before punctuation that joins clauses or before a
# word that opens a subordinate clause.
_CLAUSE_BOUNDARY = re.compile(
    r"\s*[,;:]\s+|\s+[—–-]{1,2}\s+|\s+\((?=\w)|\s+(?=(?:after|before|because|as|while|when"
    r"|whereas|since|following|amid|despite|although|though|which|who|whose|where|until"
    r"|unless|saying|but|and\s+then|so\s+that|in\s+a\s+bid|in\s+order|prompting|leaving"
    r"|sparking|raising)\b)",
    re.IGNORECASE,
)
_PHRASE_BOUNDARY = re.compile(
    r"\s+(?=(?:in|at|on|for|with|from|by|near|over|under|into|across|against|amid)\b)",
    re.IGNORECASE,
)
# Inside a subordinate clause a prepositional phrase may still be needed: "fears
# that his plans | for tax cuts are too modest".
_SUBORDINATE = re.compile(r"\s(?:that|how|who|which|whether|if|what|where|when)\s", re.IGNORECASE)
# A head may not end on a word that needs what follows it.
_DANGLING = frozenset(
    """
    a an the his her their its our my your this that these those to of for and or but nor
    with from by at in on as is are was were be been has have had will would can could may
    might must should shall do does did not no than then so very who which whose whom
    said says told added announced reported however
    """.split()
)
# A word that is very likely a verb: enough to tell a clause from a bare noun phrase.
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|must|shall"
    r"|should|do|does|did|won|lost|rose|fell|hit|met|cut|set|put|quit|ran|led|left|took|gave"
    r"|got|made|came|went|saw|said|says|wants|plans|faces|calls|warns|hits|wins|gets|makes"
    r"|takes|opens|seeks|urges|backs|vows|denies|admits|launches|unveils|reveals|rejects"
    r"|agrees|signs|joins|leaves|returns|becomes|remains|expects|needs|hopes|claims|shows"
    r"|finds|sees|puts|sets|cuts|buys|sells|raises|keep|keeps|face|need|want|[a-z]{2,}ed)\b"
)
# "will need to keep his lawyers even | after being convicted": the adverb goes with what follows.
_TRAILING_ADVERB = re.compile(r"(?:\s+(?:even|just|only|also|still|now|shortly|soon|long))+$", re.I)
# "... of 10 and, in internet years": a comma that opens an aside inside a clause.
_COMMA_AFTER_CONJUNCTION = re.compile(r"\b(?:and|but|or|that),", re.IGNORECASE)
_REPORTING = re.compile(r"\b(?:said|says|told|added|announced|reported)\b")
# ", who led a youth ministry": an aside that a cut must not leave open.
_ASIDE = re.compile(r",\s+(?:who|which|whose|where)\b", re.IGNORECASE)
_FINAL = re.compile(r"[\s.!?…;:,]+$")
_TRIM = " ,;:—–-"


def derive_title(paragraphs: Sequence[str], max_chars: int = MAX_CHARS) -> tuple[str, str | None]:
    """A title for a document that has none, and the lead sentence it was made from.

    The lead is the first sentence fit for a summary (bylines, datelines and furniture
    skipped); a document with none gets its opening words, and no lead.
    """
    leads = candidate_sentences(paragraphs, 1)
    if leads:
        return headline(leads[0], max_chars), leads[0]
    first_line = next((squash(p) for p in paragraphs if p.strip()), "")
    opening = split_sentences(first_line)[:1]
    return (headline(opening[0], max_chars) if opening else ""), None


def headline(sentence: str, max_chars: int = MAX_CHARS) -> str:
    """A headline made from the main clause of `sentence`, without an ellipsis."""
    text = " ".join(
        sentence[:_LONGEST_LEAD].split()[:-1] if len(sentence) > _LONGEST_LEAD else sentence.split()
    )
    text = _FINAL.sub("", text)
    text = _ATTRIBUTION.sub("", text)
    text = _drop_prefix(_REPORTING_FRAME, text)
    text = _drop_prefix(_OPENING_CLAUSE, text)
    if len(text) > max_chars:
        text = _WHEN.sub("", text).strip()
    text = _shorten(text, max_chars)
    text = _FINAL.sub("", text.rstrip(_TRIM))
    return text[:1].upper() + text[1:]


def _drop_prefix(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    return rest if len(rest.split()) >= MIN_WORDS else text


def _shorten(text: str, max_chars: int) -> str:
    """The longest clause-ending prefix of `text` within `max_chars`; else the first
    clause if it is at most a quarter over, else a phrase-ending prefix, else all of it."""
    if len(text) <= max_chars:
        return text
    for boundary in (_CLAUSE_BOUNDARY, _PHRASE_BOUNDARY):
        heads = [_TRAILING_ADVERB.sub("", text[: m.start()]) for m in boundary.finditer(text)]
        heads = [head for head in heads if _whole(head)]
        if boundary is _PHRASE_BOUNDARY:
            heads = [head for head in heads if not _SUBORDINATE.search(head)]
        fitting = [head for head in heads if len(head) <= max_chars]
        if fitting:
            return fitting[-1]
        if boundary is _CLAUSE_BOUNDARY and heads and len(heads[0]) <= max_chars * 5 // 4:
            # A main clause a little over the limit beats a cut inside it.
            return heads[0]
    return text


def _main_clause(head: str) -> str:
    """`head` up to its first subordinate clause ("A measles outbreak | that affected")."""
    match = _SUBORDINATE.search(head)
    return head[: match.start()] if match else head


def _whole(head: str) -> bool:
    """Whether `head` is a clause that stands alone: long enough, with a verb, ending on a
    word that needs nothing after it, closing every quotation and bracket it opens."""
    words = head.split()
    said = _REPORTING.search(head)
    return (
        len(words) >= MIN_WORDS
        and _VERB.search(_main_clause(head), len(words[0])) is not None
        # "Acme said sales": what was said needs a verb of its own.
        and (said is None or _VERB.search(head, said.end()) is not None)
        # "agreed to sell": an infinitive needs its object.
        and not (words[-2].lower() == "to" and words[-1].islower())
        and words[-1].lower() not in _DANGLING
        and not words[-1].lower().endswith("ing")
        and not _COMMA_AFTER_CONJUNCTION.search(head)
        and all("," in head[m.end() :] for m in _ASIDE.finditer(head))
        and head.count('"') % 2 == 0
        and head.count("“") == head.count("”")
        and head.count("(") == head.count(")")
    )
