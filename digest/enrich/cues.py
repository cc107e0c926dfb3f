"""Where a story that names no place is set, from the cues it does carry.

Wire copy about a company often names no place at all: its stock code with the
exchange's suffix ("<XYZ.T>"), an exchange, a currency or a national institution (a
central bank, a legislature, an agency) says where it is set. The table is
`data/cues.toml`; every cue goes into one compiled regex, matched once per text.
"""

from __future__ import annotations

import re

from digest.enrich.gazetteer import codes_of, read_toml, trie_pattern

# A stock code: "<XYZ>" or "<XYZ.T>" (wire style), "<XYZ.A.TO>" (a share class, then the
# exchange), "(XYZ.T)". A bare code in parentheses is too often an abbreviation to count.
# Five letters ending in F is a foreign issuer's code on Nasdaq: no place.
_TICKER = re.compile(
    r"<(?P<bare>[A-Z][A-Z0-9&]{0,5})(?:\.(?P<first>[A-Z]{1,2}))?(?:\.(?P<second>[A-Z]{1,2}))?>"
    r"|\((?:[A-Z][A-Z0-9&]{0,5})\.(?P<paren>[A-Z]{1,2})\)"
)
_FOREIGN_ISSUER = re.compile(r"[A-Z]{4}F")

# "12 mln", "1.5 billion", "600,000": what must come before a currency that is also a
# word ("marks", "won"). Searched just before it, anchored at it.
_AMOUNT = re.compile(r"\d[\d,.]*(?:\s+(?:mln|bln|billion|million|trillion|thousand))?\s+$")
_AMOUNT_WINDOW = 30


class CueReader:
    """Country weights from cues; build once, reuse for every story."""

    def __init__(self) -> None:
        table = read_toml("cues.toml")
        self._tickers = {suffix: codes_of(value) for suffix, value in table["tickers"].items()}
        self._cues: dict[str, tuple[str, ...]] = {}
        for section in ("exchanges", "institutions", "currencies"):
            self._cues.update({name: codes_of(v) for name, v in table[section].items()})
        self._amounts = {name: codes_of(v) for name, v in table["amounts"].items()}
        names = [*self._cues, *self._amounts]
        self._pattern = re.compile(trie_pattern(names, guard=r"(?<![\w-])") + r"(?![\w-])")

    def weights(self, title: str, body: str) -> dict[str, float]:
        """Every country the cues point to, with the number of cues (split when shared)."""
        scores: dict[str, float] = {}
        text = f"{title}\n{body}"
        for match in _TICKER.finditer(text):
            bare = match.group("bare")
            if bare is not None and _FOREIGN_ISSUER.fullmatch(bare) and not match.group("first"):
                continue
            suffix = match.group("second") or match.group("first") or match.group("paren") or ""
            _add(scores, self._tickers.get(suffix, ()))
        for match in self._pattern.finditer(text):
            name = match.group()
            if name in self._cues:
                _add(scores, self._cues[name])
            elif _AMOUNT.search(text, max(0, match.start() - _AMOUNT_WINDOW), match.start()):
                _add(scores, self._amounts[name])
        return scores


def _add(scores: dict[str, float], codes: tuple[str, ...]) -> None:
    for code in codes:
        scores[code] = scores.get(code, 0.0) + 1.0 / len(codes)
