"""Tell a site's furniture (share pleas, credits, disclaimers) from article text.

Every rule is anchored on how such lines are phrased, usually at their start
("Follow us on", "Copyright ©", "Disclaimer:"), never on a word alone: a report
may well say that readers subscribe, donate or follow a story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import ahocorasick_rs

# Where sites ask to be followed, joined or shared.
_NETWORK = (
    r"(facebook|twitter|x|instagram|tiktok|youtube|linkedin|telegram|whatsapp|threads|bluesky"
    r"|mastodon|snapchat|reddit|pinterest|google\s+news|flipboard|social\s+media)"
)
_RULES = (
    # Share, follow and subscribe pleas.
    r"^(please\s+)?(click|tap|press)\s+(here\b|the\s+(share|like|follow|subscribe|image|button)\b)",
    r"^(please\s+)?(share|follow)\s+(this|us|our)\b",
    r"^(please\s+)?like\s+us\s+on\b",
    r"^(please\s+)?(feel free to|don.t forget to)\s+(share|repost|subscribe|follow)\b",
    r"^(please\s+)?(subscribe|sign\s*up)\s+(to|for|now|today|here)\b",
    r"^(join|get|receive)\s+(our|the)\s+(free\s+)?(daily\s+|weekly\s+)?newsletter",
    r"^(read|see)\s+(more|also|next)\s*:",
    # "Follow Harbour News on Instagram", "Join us on WhatsApp", "Find us on X".
    rf"^(please\s+)?(follow|like|join|find|connect\s+with|add)\s+.{{1,60}}?\s+on\s+{_NETWORK}\b",
    rf"\b(follow|join|find|like)\s+(us|me)\s+(on|at|via)\s+{_NETWORK}\b",
    r"\b(join|subscribe\s+to|follow)\s+(our|us\s+on)\s+(\w+\s+){0,3}"
    r"(channel|group|community|server|page|account)\b",
    rf"\bshare\s+(this|it|the\s+(article|story|post))\s+(with|on)\s+(your|{_NETWORK})\b",
    r"^(please\s+)?(share|spread\s+the\s+word|forward\s+this)\b.{0,60}"
    r"\b(friends?|family|colleagues|network|followers)\b",
    r"\bdownload\s+(our|the\s+\w+)\s+app\b",
    r"^related(\s+(articles?|stories|posts|reading))?\s*:",
    # Donation pleas.
    r"^(please\s+)?(donate|consider\s+(donating|supporting))\b",
    r"^(please\s+)?support\s+(us|our\s+(work|journalism|site))\b",
    r"\bhelp\s+us\s+stay\s+afloat\b",
    r"\bmake\s+a\s+one-time\s+or\s+recurring\s+donation\b",
    # Reader-support appeals: "If you value our journalism", "We rely on readers like you".
    r"\bif\s+you\s+(value|like|enjoy(ed)?|appreciate|found)\b.{0,60}"
    r"\b(journalism|reporting|work|articles?|content|coverage|this)\b.{0,80}"
    r"\b(support\w*|donat\w*|subscri\w*|contribut\w*|share)\b",
    r"\bwe\s+(rely|depend)\s+on\s+(readers|your\s+support)\b",
    r"\breaders?\s+like\s+you\b",
    r"\b(reader|listener|member)-(supported|funded)\b",
    r"\b(patreon|buy\s+(us|me)\s+a\s+coffee|ko-fi)\b",
    r"^(please\s+)?(chip\s+in|make\s+a\s+(contribution|donation)|become\s+a\s+supporter)\b",
    r"\bsupport\s+(independent|quality|our|local)\s+(journalism|reporting|newsroom|news)\b",
    # Provenance, rights and legal small print.
    r"^this\s+(article|story|piece|post)\s+(was\s+)?(originally|first)\s+(published|appeared)\b",
    r"^(originally|first)\s+(published|appeared)\s+(on|in|at|by)\b",
    r"^the\s+original\s+source\s+of\s+this\s+article\s+is\b",
    # Republishing permissions: "You may republish this article under ...".
    r"\b(may|can|must\s+not|may\s+not|cannot)\s+(be\s+)?"
    r"(re-?publish(ed)?|reprint(ed)?|reproduced?|redistributed?|reposted?)\b",
    r"^(re-?publish|reprint)\s+(this|our)\b",
    r"\b(reprinted|republished|reproduced)\s+(with|by)\s+(kind\s+)?permission\b",
    r"\b(under|with)\s+a\s+creative\s+commons\b",
    r"\bwithout\s+(the\s+)?(prior\s+)?(written\s+)?(permission|consent)\s+of\s+the\s+"
    r"(publisher|copyright|author)",
    r"^(copyright\s*)?(©|\(c\))",
    r"^copyright\s+\d{4}\b",
    r"^all\s+rights\s+reserved\b",
    r"^disclaimer\s*:",
    r"\bcontains\s+copyrighted\s+material\b",
    r"^(for\s+)?media\s+inquiries\b",
    r"^articles\s+by\s*:",
    r"^become\s+a\s+(member|subscriber|patron)\b",
    # Comment prompts.
    r"^comment\s+on\s+.{0,80}\b(facebook|page|forum|articles?)\b",
    r"^(leave|post|add|share)\s+(a|your)\s+comments?\b",
    r"^we\s+welcome\s+(your\s+)?comments\b",
    r"^join\s+the\s+(conversation|discussion)\s*(below|here|on)\b",
    # Image credits.
    r"^(featured\s+)?(image|photo|picture|illustration)\s+(source|credit)s?\b",
    r"^featured\s+image\b",
)
# Most rules hold only at the start of a paragraph: those are tried there once
# (re.match), and only the few phrased mid-sentence are searched for, because
# one big unanchored alternation retries every rule at every character.
_AT_START = re.compile(
    "|".join(f"(?:{rule[1:]})" for rule in _RULES if rule.startswith("^")), re.IGNORECASE
)
# Every rule searched for mid-sentence holds one of these: a cheap substring test
# spares the search on almost every sentence of an article.
_ANYWHERE_HINTS = tuple(
    "afloat|donation|copyrighted|us on|us at|us via|me on|me at|me via|join our|"
    "subscribe to our|follow our|share this|share it|share the|download|if you|we rely|"
    "we depend|like you|-supported|-funded|patreon|coffee|ko-fi|support independent|"
    "support quality|support our|support local|republish|re-publish|reprint|reproduc|"
    "redistribut|repost|permission|creative commons|consent".split("|")
)
# What each mid-sentence rule holds, in the order of _RULES: in ASCII text whose
# spaces are single spaces, a rule cannot match where none of its own is, so only
# those rules are searched for (a small search or none, instead of the alternation).
_RULE_HINTS = (
    " us on | us at | us via | me on | me at | me via ",
    "join our|subscribe to our|follow our| us on ",
    "share this|share it|share the",
    "download",
    "afloat",
    "donation",
    "if you",
    "we rely|we depend",
    "like you",
    "-supported|-funded",
    "patreon|coffee|ko-fi",
    "support independent|support quality|support our|support local",
    "republish|re-publish|reprint|reproduc|redistribut|repost",
    "permission",
    "creative commons",
    "permission|consent",
    "copyrighted",
)
_BY_HINT: dict[str, list[re.Pattern[str]]] = {}
for _rule, _hints in zip(
    (rule for rule in _RULES if not rule.startswith("^")), _RULE_HINTS, strict=True
):
    for _hint in _hints.split("|"):
        _BY_HINT.setdefault(_hint, []).append(re.compile(_rule, re.IGNORECASE))
# The letters besides their own case that an ASCII letter matches ignoring case (re's
# case folding), all else being matched only by itself or its lowercase.
_CASELESS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"})
# All the hints in one pass over a paragraph, instead of fifty substring searches.
_HINT_FINDER = ahocorasick_rs.AhoCorasick(list(_BY_HINT))
_FURNITURE_FINDER = ahocorasick_rs.AhoCorasick(list(_ANYWHERE_HINTS))

# "Copyright ©" or "©" to the end of the line: the rights statement itself.
_RIGHTS = re.compile(r"(?:copyright\s*(?:©|\(c\))?|©)\s*[^\n]*\d{4}[^\n]*", re.IGNORECASE)


def is_boilerplate(paragraph: str, *, hints: Sequence[str] = _ANYWHERE_HINTS) -> bool:
    """Whether one plain-text paragraph is site furniture rather than article text.

    `hints` narrows the words worth looking for: `furniture_hints` of a text that
    holds the paragraph (a sentence's own paragraph, tested once for all its sentences).
    """
    text = paragraph.strip().lstrip("*_•-–— ")
    if _AT_START.match(text) is not None:
        return True
    if not hints:
        return False
    lowered = text.lower()
    if hints is not _ANYWHERE_HINTS and not any(map(lowered.__contains__, hints)):
        return False
    # Printable ASCII holds no whitespace but the space, which `\s` would also match.
    if text.isascii() and text.isprintable() and "  " not in text:
        spaced = lowered
    else:
        if hints is _ANYWHERE_HINTS and not any(map(lowered.__contains__, hints)):
            return False
        # Other text is first spaced and cased as the hints are: every run of
        # whitespace (which `\s+` matches) one space, and the letters a rule's ASCII
        # letters match regardless of case turned into them.
        spaced = " ".join(text.translate(_CASELESS).split()).lower()
    # Spaced as the hints are, a rule matches only where one of its own hints is.
    found = _HINT_FINDER.find_matches_as_strings(spaced, overlapping=True)
    rules = {rule for hint in found for rule in _BY_HINT[hint]}
    return any(rule.search(text) is not None for rule in rules)


def furniture_hints(text: str) -> tuple[str, ...]:
    """The words of the mid-sentence furniture rules that `text` holds."""
    found = _FURNITURE_FINDER.find_matches_as_strings(text.lower(), overlapping=True)
    return tuple(hint for hint in _ANYWHERE_HINTS if hint in found) if found else ()


def remove_boilerplate(paragraphs: Iterable[str]) -> tuple[str, ...]:
    """The paragraphs that are article text, in order."""
    return tuple(p for p in paragraphs if not is_boilerplate(p))


def find_rights(text: str) -> str | None:
    """The copyright statement in a line of small print ("Copyright © Ana Lopes, 2025")."""
    match = _RIGHTS.search(text)
    return " ".join(match.group().split()) if match else None
