"""Markdown with YAML (`---`) or TOML (`+++`) front matter, as static-site generators write it."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml

from digest.formats import FormatError
from digest.formats.article import assemble
from digest.formats.fields import meta_from_mapping
from digest.formats.markdown import markdown_parts
from digest.model import Article

_FENCES = {"---": ("yaml", ("---", "...")), "+++": ("toml", ("+++",))}
# Metadata is a few levels deep; a hundred levels is a hostile file, not a post.
MAX_DEPTH = 50
# An unquoted TOML date or time value: read as text, so an impossible one (month 13,
# an offset of 24 hours) drops that field instead of failing the whole table.
_TOML_DATE = re.compile(
    r"^(\s*[\w.\"'-]+\s*=\s*)(\d{4}-\d\d-\d\d[^\n#\"'\[\]{},]*?)(\s*(?:#.*)?)$", re.M
)


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (so an impossible one drops only its field)
    and refuses nesting past MAX_DEPTH (composing is recursive)."""

    # PyYAML looks resolvers up on the class: a class attribute by design.
    yaml_implicit_resolvers = {  # noqa: RUF012
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise yaml.YAMLError(f"nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# libyaml reads YAML several times faster than PyYAML's own parser, but reads some of it
# otherwise: tabs and other line breaks, byte-order marks, directives, tags, anchors
# and indicators opening a line, plain scalars in flow collections (URLs, `?`, `:`), and
# errors. It reads only front matter free of all that, shallow enough that it cannot
# reach MAX_DEPTH, and whose characters PyYAML accepts; whatever it refuses goes to
# PyYAML, for PyYAML's answer or error (tests/test_parse_properties.py holds the two
# to the same values on generated front matter).
_C_LOADER = getattr(yaml, "CSafeLoader", None)
_NOT_FOR_LIBYAML = re.compile(
    r"[\t\r\x85\u2028\u2029\ufeff]|^[%?&*!|>@`]|[\[{][^\n]*[^\w \xa0,.'\"\[\]{}\n-]", re.M
)


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
    warnings: list[str] = []
    blocks, image = markdown_parts(found.body, warnings)
    return assemble(found.kind, replace(meta, image=meta.image or image), blocks, tuple(warnings))


def _load(kind: str, raw: str, *, first_line: int) -> Mapping[str, object] | None:
    if kind == "toml":
        try:
            return tomllib.loads(_TOML_DATE.sub(r'\1"\2"\3', raw))
        except tomllib.TOMLDecodeError as exc:
            raise FormatError(f"TOML front matter is not valid: {exc}") from None
        except RecursionError:
            raise FormatError("TOML front matter is nested too deep") from None
    try:
        values = _load_yaml(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc) or "cannot parse"
        raise FormatError(f"YAML front matter is not valid: {problem}{where}") from None
    except RecursionError:
        raise FormatError("YAML front matter is nested too deep") from None
    # Prose between two rules is a markdown body, not front matter.
    return values if isinstance(values, dict) else None


def _load_yaml(raw: str) -> Any:
    """The data of a YAML document, as PyYAML's safe loader reads it."""
    if (
        _C_LOADER is not None
        and raw.count("\n") + raw.count("[") + raw.count("{") < MAX_DEPTH
        and _NOT_FOR_LIBYAML.search(raw) is None
        and yaml.reader.Reader.NON_PRINTABLE.search(raw) is None
    ):
        loader = _C_LOADER(raw)
        loader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers  # dates stay text
        try:
            return loader.get_single_data()
        except Exception:
            pass  # PyYAML reads it again, for its own answer or error
        finally:
            loader.dispose()
    return yaml.load(raw, Loader=_Loader)  # a SafeLoader: builds plain data only
