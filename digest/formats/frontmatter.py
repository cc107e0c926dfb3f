"""Markdown with YAML (`---`) or TOML (`+++`) front matter, as static-site generators write it."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace

import yaml

from digest.formats import FormatError
from digest.formats.article import assemble
from digest.formats.fields import meta_from_mapping
from digest.formats.markdown import markdown_parts
from digest.model import Article

_FENCES = {"---": ("yaml", ("---", "...")), "+++": ("toml", ("+++",))}


@dataclass(frozen=True, slots=True)
class FrontMatter:
    kind: str  # "yaml" or "toml"
    values: Mapping[str, object]
    body: str


def read_front_matter(text: str) -> FrontMatter | None:
    """The front matter and body, None when the text has none.

    Raises FormatError when a fenced block that looks like metadata does not parse:
    publishing it as body text would show the reader raw YAML.
    """
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if line.strip()), None)
    if start is None or lines[start].rstrip() not in _FENCES:
        return None
    kind, closers = _FENCES[lines[start].rstrip()]
    end = next((n for n in range(start + 1, len(lines)) if lines[n].rstrip() in closers), None)
    if end is None:
        return None
    raw = "\n".join(lines[start + 1 : end])
    values = _load(kind, raw, first_line=start + 2)
    if values is None:
        return None
    return FrontMatter(kind, values, "\n".join(lines[end + 1 :]))


def front_matter_article(found: FrontMatter, *, dayfirst: bool) -> Article:
    meta = meta_from_mapping(found.values, dayfirst=dayfirst)
    blocks, image = markdown_parts(found.body)
    return assemble(found.kind, replace(meta, image=meta.image or image), blocks)


def _load(kind: str, raw: str, *, first_line: int) -> Mapping[str, object] | None:
    if kind == "toml":
        try:
            return tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            raise FormatError(f"TOML front matter is not valid: {exc}") from None
    try:
        values = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot parse"
        raise FormatError(f"YAML front matter is not valid: {problem}{where}") from None
    # Prose between two rules is a markdown body, not front matter.
    return values if isinstance(values, dict) else None
