"""Objects that take long to build, kept pickled in the state folder between processes.

A one-file build from the command line is a new process: building the region
matcher again (tables read from TOML and TSV, one regular expression of every
place name) cost it about a quarter of a second, loading it back a tenth of that.

A compiled regular expression pickles as its source and is compiled again on
loading, which for the matcher's large patterns is most of the cost. Here a
pattern is stored with the code Python's compiler made for it, and loaded by
handing that code straight to the regular expression engine. The code belongs to
one Python version, which is part of every key (`python_key`); a pattern whose
code cannot be read back identically is stored as its source, as pickle does.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # the engine under `re`, built in
import hashlib
import io
import pickle
import re
import sys
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from digest.publish.atomic import write_atomic

T = TypeVar("T")


def load_or_build(path: Path, key: str, build: Callable[[], T]) -> T:
    """The object pickled at `path` under `key`; else `build()`, stored there for next time.

    A missing, unreadable, stale or corrupt file is rebuilt; a folder that cannot be
    written only costs the next process the build.
    """
    try:
        with path.open("rb") as stream:
            stored_key, value = pickle.load(stream)
        if stored_key == key:
            return value  # type: ignore[no-any-return]
    except Exception:
        pass  # any fault in a cache file means: build anew
    value = build()
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((key, value))
    # A read-only or full folder: the next process builds it too.
    with suppress(OSError):
        write_atomic(path, buffer.getvalue())
    return value


def python_key(*parts: str | bytes) -> str:
    """A key for `load_or_build`: a hash of `parts` (the settings, sources and data an
    object is built from) and of this Python's version, which the stored code of
    compiled patterns belongs to."""
    digest = hashlib.sha256()
    for part in (sys.version, str(getattr(_sre, "MAGIC", 0)), *parts):
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        digest.update(f"{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, re.Pattern):
            code = _code(obj)
            if code is not None:
                return _compiled, (obj.pattern, obj.flags, code)
        return NotImplemented


def _code(pattern: re.Pattern[Any]) -> tuple[int, list[int], dict[str, int]] | None:
    """(group count, compiled code, group names) of `pattern`, if that code rebuilds it."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        code = [int(op) for op in _compiler._code(parsed, pattern.flags)]
        groups = int(parsed.state.groups)
        names = {str(k): int(v) for k, v in parsed.state.groupdict.items()}
        if _compiled(pattern.pattern, pattern.flags, (groups, code, names)) == pattern:
            return groups, code, names
    except Exception:
        pass  # another Python's internals: pickled as its source instead
    return None


def _compiled(
    source: str | bytes, flags: int, stored: tuple[int, list[int], dict[str, int]]
) -> re.Pattern[Any]:
    """The pattern made from its stored code (what re.compile would have made)."""
    groups, code, names = stored
    try:
        index: list[str | None] = [None] * groups
        for name, number in names.items():
            index[number] = name
        compiled: re.Pattern[Any] = _sre.compile(
            source, flags, code, groups - 1, names, tuple(index)
        )
        return compiled
    except Exception:
        return re.compile(source, flags)
