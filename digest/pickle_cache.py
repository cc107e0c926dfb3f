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
import dataclasses
import hashlib
import io
import marshal
import os
import pickle
import re
import sys
from collections.abc import Callable
from contextlib import suppress
from importlib.resources.abc import Traversable
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


def file_stamp(file: Traversable) -> str | bytes:
    """A part of a key standing for a file's content: its path, size and modification
    time (hashing the region matcher's 800 KB of tables cost every build 0.01-0.02 s),
    or its bytes where it has no path (a package inside a zip file)."""
    try:
        info = os.stat(str(file))
    except OSError:
        return file.read_bytes()
    return f"{file}\0{info.st_size}\0{info.st_mtime_ns}"


class _Pickler(pickle.Pickler):
    """Pickles what loads slowly another way: compiled patterns with their code, large
    tables of strings through marshal (twice as fast to load), and dataclasses as a
    call to their class (a frozen one otherwise loads by a Python call a field)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, re.Pattern):
            code = _code(obj)
            if code is not None:
                return _compiled, (obj.pattern, obj.flags, code)
        elif type(obj) is dict and len(obj) >= _LARGE and _strings(obj):
            return marshal.loads, (marshal.dumps(obj),)
        elif _remade_by_its_class(kind := type(obj)):
            return kind, tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))
        return NotImplemented


# Entries from which a table of strings goes through marshal.
_LARGE = 1000


def _strings(table: dict[Any, Any]) -> bool:
    return all(type(k) is str and type(v) is str for k, v in table.items())


def _remade_by_its_class(cls: type[Any]) -> bool:
    """Whether `cls` is a dataclass whose instances its constructor remakes from their
    fields in order (every field a positional argument, nothing done after)."""
    return (
        dataclasses.is_dataclass(cls)
        and cls.__dataclass_params__.init  # type: ignore[attr-defined]
        and not hasattr(cls, "__post_init__")
        and all(f.init and not f.kw_only for f in dataclasses.fields(cls))
    )


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
