"""A seeds folder full of hostile documents beside good ones, built by the real command.

Whatever the bad documents hold, `digest build` exits 0 in bounded time, prints
no traceback, publishes every good document, and publishes or names with a
reason every bad one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.scan import is_skipped
from tests.conftest import REPO

GOOD = {
    f"good-{n}.md": (
        f"---\ntitle: Harbour board approves plan {n}\nauthor: Ana Lopes\ndate: 2025-01-0{n}\n"
        f"---\nThe harbour board approved plan {n} on Tuesday after a long debate.\n\n"
        "Work on the new quay starts in the spring and runs for two years.\n"
    )
    for n in range(1, 4)
}

CONTROLS = "".join(map(chr, [*range(0, 32), *range(0x7F, 0xA0)])) + "\u2028\u202e\ufeff\ufffd"


def _front(body: str) -> str:
    return f"---\n{body}\n---\nThe council met on Monday and agreed a budget for the year.\n"


nesting = st.integers(1, 600)
repeat = st.integers(1, 40_000)
hostile_text = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=CONTROLS + "ab \n", max_size=400),
    st.builds(lambda n: _front("a: " + "[" * n + "]" * n), nesting),
    st.builds(lambda n: _front("a:\n" + "".join("  " * i + "b:\n" for i in range(n))), nesting),
    st.builds(lambda n: _front("a: &x [1]\n" + "".join(f"b{i}: *x\n" for i in range(n))), nesting),
    st.sampled_from(
        [
            _front("title: [unclosed"),
            "---\ntitle: never closed\n",
            "+++\ntitle = \nbroken +++\n",
            _front("date: 2025-13-01"),
            _front("date: 2025-02-30T25:61:00+25:00"),
            _front("date: 99999-01-01"),
            _front("date: -1"),
            _front("url: http://[::1"),
            _front("title: {a: b}\ndate: [2025]\nauthor: [1, 2]\ntags: 7"),
            "Title: A header\nDate: 2025-13-45 99:99\n\nBody line here.\n",
            '<html><head><link rel="canonical" href="http://[::1"></head>'
            '<body><p><a href="http://[::1">x</a> text</p></body></html>',
            "# Title\n\nBy A. Writer | Mar 2, 2025 9:15 AM PST\n\nBody text.\n",
        ]
    ),
    st.builds(lambda n: "By [A](#) " * n, repeat),
    st.builds(lambda n: "[](" * n, repeat),
    st.builds(lambda n: "<html><body>" + "<div>" * n + "deep" + "</div>" * n, repeat),
    st.builds(lambda n: "*" * n + "_" * n + "`" * n, repeat),
)
hostile_bytes = st.one_of(
    hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: "\ufeff".encode("utf-16-le") + t.encode("utf-16-le")),
)
names = st.text(
    alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=40,
).filter(lambda n: n not in (".", "..") and not n.startswith("good-"))


def _build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digest", *args, "--config", str(project / "config.toml")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bad=st.dictionaries(names, hostile_bytes, min_size=1, max_size=8))
def test_hostile_documents_never_stop_the_good_ones(
    tmp_path_factory: pytest.TempPathFactory, bad: dict[str, bytes]
) -> None:
    project = tmp_path_factory.mktemp("hostile")
    seeds = project / "seeds"
    seeds.mkdir()
    # A short limit keeps the run short: documents past it are rejected, not waited for.
    (project / "config.toml").write_text("[ingest]\ntimeout_seconds = 2\n")
    for name, text in GOOD.items():
        (seeds / name).write_text(text, encoding="utf-8")
    for name, data in bad.items():
        try:
            (seeds / name).write_bytes(data)
        except OSError:  # a name the file system refuses (too long in bytes)
            continue
    built = _build(project, "build")
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr, built.stderr
    status = _build(project, "status", "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    published = {d["path"]: d["title"] for d in report["documents"]}
    rejected = {r["path"]: r["reason"] for r in report["rejected"]}
    for name, text in GOOD.items():
        assert published.get(name) == text.split("\n")[1].removeprefix("title: ")
    written = {p.name for p in seeds.iterdir()} - set(GOOD)
    for name in written:
        if not is_skipped(name):
            assert name in published or rejected.get(name), name
    assert all(reason.strip() and "\n" not in reason for reason in rejected.values())
