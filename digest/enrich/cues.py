"""Where a story that names no place is set, from the cues it does carry.

Wire copy about a company often names no place at all: its stock code with the
exchange's suffix ("<XYZ.T>"), an exchange, a currency or a national institution (a
central bank, a legislature, an agency) says where it is set. The table is
`data/cues.toml`; every cue goes into one compiled regex, matched once per text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from typing import Any

# A stock code: "<XYZ>" or "<XYZ.T>" (wire style), "(XYZ.T)". A bare code in
# parentheses is too often an abbreviation to count.
_TICKER = re.compile(
    r"<(?P<bare>[A-Z][A-Z0-9&]{0,5})(?:\.(?P<suffix>[A-Z]{1,2}))?>"
    r"|\((?:[A-Z][A-Z0-9&]{0,5})\.(?P<paren>[A-Z]{1,2})\)"
)
# "12 mln", "1.5 billion", "600,000": what comes before a currency that is also a word.
_AMOUNT = r"\d[\d,.]*(?:\s+(?:mln|bln|billion|million|trillion|thousand))?\s+"


class CueReader:
    """Country weights from cues; build once, reuse for every story."""

    def __init__(self) -> None:
        table = _read_toml("cues.toml")
        self._tickers: dict[str, tuple[str, ...]] = {
            suffix: _codes(value) for suffix, value in table["tickers"].items()
        }
        self._names: dict[str, tuple[str, ...]] = {}
        for section in ("exchanges", "institutions"):
            self._names.update({name: _codes(v) for name, v in table[section].items()})
        self._currencies = {name: _codes(v) for name, v in table["currencies"].items()}
        self._amounts = {name: _codes(v) for name, v in table["amounts"].items()}
        self._pattern = re.compile(
            rf"(?<![\w-])(?P<name>{_alternation(self._names)})(?![\w-])"
            rf"|(?<![\w-])(?P<currency>{_alternation(self._currencies)})(?![\w-])"
            rf"|{_AMOUNT}(?P<amount>{_alternation(self._amounts)})(?![\w-])",
        )

    def weights(self, title: str, body: str) -> dict[str, float]:
        """Every country the cues point to, with the number of cues (split when shared)."""
        scores: dict[str, float] = {}
        text = f"{title}\n{body}"
        for match in _TICKER.finditer(text):
            suffix = match.group("suffix") or match.group("paren") or ""
            _add(scores, self._tickers.get(suffix, ()))
        for match in self._pattern.finditer(text):
            if (name := match.group("name")) is not None:
                _add(scores, self._names[name])
            elif (currency := match.group("currency")) is not None:
                _add(scores, self._currencies[currency])
            else:
                _add(scores, self._amounts[match.group("amount")])
        return scores


def _add(scores: dict[str, float], codes: tuple[str, ...]) -> None:
    for code in codes:
        scores[code] = scores.get(code, 0.0) + 1.0 / len(codes)


def _alternation(names: Iterable[str]) -> str:
    # Longest first, so "Federal Reserve Board" wins over "Federal Reserve".
    return "|".join(re.escape(name) for name in sorted(names, key=lambda n: (-len(n), n)))


def _codes(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("digest.data").joinpath(name).read_text("utf-8"))
