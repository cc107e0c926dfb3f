"""Built objects kept between processes: the region matcher, compiled patterns with their code."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from digest.config import RegionSettings, SummarySettings
from digest.enrich.pipeline import REGIONS_CACHE, Enricher, regions_key
from digest.enrich.regions import RegionInferrer
from digest.pickle_cache import load_or_build, python_key

STORIES = [
    ("Talks in Donetsk", "French trainers arrived in Donbass, officials in Kyiv said."),
    ("PERGAMINO, Argentina, March 3 (Reuters) - Farmers", "Farmers in Pergamino waited."),
    ("Atlanta votes", "Georgia's governor spoke in Atlanta on Tuesday."),
    ("Markets", "Shares in Santa Fe fell; the Nigeria-based lender and U.S.Senate aides met."),
    ("Bogotá", "Protests in Bogotá and Córdoba; the Paris Club met Michael Jordan."),
    ("Ankara", "Ministers met in Ankara on Monday."),
    ("Nothing", "The committee met and adjourned."),
]


def _built(calls: list[int]) -> dict[str, re.Pattern[str]]:
    calls.append(1)
    return {
        "plain": re.compile(r"\b(?:in|near)\s+(?P<town>[A-Z]\w+)"),
        "flags": re.compile(r"^caf[eé]$", re.IGNORECASE | re.MULTILINE),
        "lookaround": re.compile(r"(?=[GN])(?<!\w)(?:Guinea(?:-Bissau)?|Niger(?:ia)?)(?!\w)"),
    }


def test_a_cached_object_is_built_once_and_loaded_by_the_next_caller(tmp_path: Path) -> None:
    calls: list[int] = []
    first = load_or_build(tmp_path / "x.pickle", "k", lambda: _built(calls))
    again = load_or_build(tmp_path / "x.pickle", "k", lambda: _built(calls))
    assert calls == [1]
    assert again == first


def test_patterns_loaded_from_the_cache_are_those_re_compile_makes(tmp_path: Path) -> None:
    fresh = _built([])
    load_or_build(tmp_path / "x.pickle", "k", lambda: fresh)
    code = (
        "import pickle, sys\n"
        "key, loaded = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "print(repr({name: (p.pattern, p.flags) for name, p in loaded.items()}))\n"
        "print([m.span('town') for m in loaded['plain'].finditer('in Lima and near Quito')])\n"
        "print(loaded['flags'].findall('CAFÉ\\ncafe\\nx'))\n"
        "print([m.group() for m in loaded['lookaround'].finditer('Nigeria, Guinea-Bissau, Niger')])"
    )
    # A new process: nothing there can come from re's own cache of compiled patterns.
    ran = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "x.pickle")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.splitlines() == [
        repr({name: (p.pattern, p.flags) for name, p in fresh.items()}),
        "[(3, 7), (17, 22)]",
        "['CAFÉ', 'cafe']",
        "['Nigeria', 'Guinea-Bissau', 'Niger']",
    ]
    _, loaded = pickle.loads((tmp_path / "x.pickle").read_bytes())
    # Equal patterns have the same source, flags and compiled code.
    assert loaded == fresh


def test_a_changed_key_builds_anew(tmp_path: Path) -> None:
    calls: list[int] = []
    load_or_build(tmp_path / "x.pickle", python_key("tables v1"), lambda: _built(calls))
    load_or_build(tmp_path / "x.pickle", python_key("tables v2"), lambda: _built(calls))
    load_or_build(tmp_path / "x.pickle", python_key("tables v2"), lambda: _built(calls))
    assert calls == [1, 1]


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps("no key and value")])
def test_a_damaged_cache_file_is_rebuilt_and_replaced(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "x.pickle").write_bytes(content)
    calls: list[int] = []
    load_or_build(tmp_path / "x.pickle", "k", lambda: _built(calls))
    load_or_build(tmp_path / "x.pickle", "k", lambda: _built(calls))
    assert calls == [1]


def test_a_folder_that_cannot_be_written_still_gives_the_built_object(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file, not a folder")
    got = load_or_build(tmp_path / "file" / "x.pickle", "k", lambda: _built([]))
    assert set(got) == {"plain", "flags", "lookaround"}


def test_the_region_matcher_loaded_from_the_state_folder_infers_as_a_fresh_one(
    tmp_path: Path,
) -> None:
    summary = SummarySettings(sentences=2, max_chars=300)
    settings = RegionSettings(countries={"TR": "Europe"})
    building = Enricher(summary, settings, None, cache=tmp_path).regions
    assert (tmp_path / REGIONS_CACHE).is_file()
    loaded = Enricher(summary, settings, None, cache=tmp_path).regions
    fresh = RegionInferrer({"TR": "Europe"})
    assert loaded is not building
    for title, body in STORIES:
        expected = fresh.infer(title, body)
        assert building.infer(title, body) == expected
        assert loaded.infer(title, body) == expected
        assert loaded.countries(title, body) == fresh.countries(title, body)


def test_the_region_matcher_is_built_anew_for_other_configured_countries() -> None:
    assert regions_key({"TR": "Europe"}) != regions_key({})
    assert regions_key({}) == regions_key({})


@dataclass(frozen=True, slots=True)
class _Plain:
    name: str
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _KeywordOnly:
    name: str
    size: int = field(kw_only=True)


@dataclass
class _Checked:
    name: str
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.seen.append(self.name)


def test_large_tables_and_dataclasses_load_back_equal(tmp_path: Path) -> None:
    table = {f"town {n}": f"C{n % 7}" for n in range(5000)}
    value = {
        "table": table,
        "mixed": {**table, "n": 1},
        "plain": [_Plain("Lima", ("PE",)), _Plain("Nowhere")],
        "keyword": _KeywordOnly("x", size=2),
        "checked": _Checked("y"),
    }
    load_or_build(tmp_path / "x.pickle", "k", lambda: value)
    _, loaded = pickle.loads((tmp_path / "x.pickle").read_bytes())
    assert loaded == value
    assert loaded["checked"].seen == ["y"]
