"""What a process pays before its first document: tables written out instead of computed
at import, and libraries imported only by the work that needs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from digest.daemon.leader import Leadership
from digest.formats import markdown
from digest.logs import NOTICE
from tests.conftest import WriteConfig


def _modules_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(ran.stdout.split())


def test_the_written_out_odd_spaces_are_every_space_python_knows_but_the_plain_three() -> None:
    computed = {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()} - set(" \t\n")
    assert set(markdown._ODD_SPACES) == computed
    assert len(markdown._ODD_SPACES) == len(computed)


def test_parsing_plain_markdown_does_not_load_markdown_it_py() -> None:
    loaded = _modules_after(
        "from digest.formats.markdown import render_html\n"
        "assert render_html('# Title\\n\\nA paragraph.\\n') == "
        "'<h1>Title</h1>\\n<p>A paragraph.</p>\\n'"
    )
    assert "digest.formats.markdown" in loaded
    assert "markdown_it" not in loaded


def test_a_source_the_compiled_renderer_cannot_take_still_renders_with_markdown_it_py() -> None:
    # A code span goes to markdown-it-py (see _compiled_differs).
    assert markdown.render_html("A `span`.") == "<p>A <code>span</code>.</p>\n"


def test_a_rebuild_with_nothing_changed_loads_no_parsing_publishing_or_network_module(
    write_config: WriteConfig, project: Path
) -> None:
    (project / "seeds" / "a.md").write_text("# Grid plan\n\nOperators agree a plan.\n", "utf-8")
    write_config()
    config = str(project / "config.toml")
    build = f"from digest.cli import main\nmain(['--config', {config!r}, 'build'])"
    assert "digest.ingest" in _modules_after(build), "the first build parses"
    loaded = _modules_after(build)
    assert "digest.app" in loaded
    heavy = {
        "digest.ingest", "digest.enrich.pipeline", "digest.publish.site", "numpy", "jinja2",
        "lxml", "yaml", "socket", "secrets", "asyncio", "email_validator", "logging",
    }  # fmt: skip
    assert loaded & heavy == set()


def test_the_lease_still_says_it_leads_where_logging_is_configured(
    write_config: WriteConfig, caplog: pytest.LogCaptureFixture
) -> None:
    leadership = Leadership(write_config())
    with caplog.at_level(NOTICE, logger="digest.daemon"):
        assert leadership.start()
        leadership.stop()
    assert ("digest.daemon", NOTICE, "leading: this instance publishes and sends") in (
        caplog.record_tuples
    )
