"""The HTML pages, as a browser gets them: files written by a real build, read back by lxml."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from digest.app import make_app
from digest.config import Config
from tests.conftest import Clock, WriteConfig

BASE = "https://news.example.org/"

ARTICLE = """---
title: {title}
author: Mira Okafor
date: 2025-{month:02d}-{day:02d}
region: {region}
theme: {theme}
---
Grid operators across the continent agreed on a joint winter reserve on Tuesday.

The plan pools spare capacity from eleven countries and runs until March.
"""


def write(
    seeds: Path,
    name: str,
    title: str,
    *,
    month: int = 1,
    day: int = 7,
    region: str = "Europe",
    theme: str = "Energy",
) -> None:
    text = ARTICLE.format(title=title, month=month, day=day, region=region, theme=theme)
    (seeds / name).write_text(text, encoding="utf-8")


def local(config: Config, url: str) -> Path:
    """The written file a URL under base_url names."""
    assert url.startswith(BASE), url
    return config.paths.feeds / urlsplit(url).path.lstrip("/")


def page(config: Config, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((config.paths.feeds / rel).read_bytes())


@pytest.fixture
def built(write_config: WriteConfig, project: Path, clock: Clock) -> Config:
    config = write_config()
    write(project / "seeds", "grid.md", "Grid operators agree winter plan")
    write(project / "seeds", "rail.md", "Rail unions accept new pay offer", day=8, theme="Economy")
    make_app(config, _now=clock).build()
    return config


@pytest.mark.parametrize("rel", ["index.html", "articles/grid-operators-agree-winter-plan.html"])
def test_pages_link_a_stylesheet_file_whose_body_rule_survives_intact(
    built: Config, rel: str
) -> None:
    html = page(built, rel)
    assert html.xpath("//style") == [], "CSS inside the HTML would be escaped by the templates"
    [href] = html.xpath("//link[@rel='stylesheet']/@href")
    css = local(built, href).read_text(encoding="utf-8")
    assert "&#" not in css and "&quot;" not in css
    body = re.search(r"(?m)^body \{([^}]*)\}", css)
    assert body is not None, "the stylesheet has no body rule"
    assert re.search(r'font: [^;]*Georgia, "Times New Roman", serif', body.group(1))


def test_a_changed_stylesheet_gets_a_new_url_so_long_caching_is_safe(built: Config) -> None:
    from digest.publish.pages import stylesheet_version

    [href] = page(built, "index.html").xpath("//link[@rel='stylesheet']/@href")
    assert href == f"{BASE}page.css?v={stylesheet_version()}"
