"""Find the input documents in the seeds folder.

Editors, downloaders and sync tools leave half-written and hidden files next to
real documents; publishing one of those would put garbage or a duplicate in the
feeds, so they are skipped here, before anything reads them.
"""

from __future__ import annotations

import hashlib
import os
import stat
from fnmatch import fnmatchcase
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from digest.errors import DocumentError

# Leftovers of editors and transfers, matched on the lowercased file name:
# Emacs and gedit backups (`*~`), Emacs autosaves (`#*#`), Microsoft Office lock
# files (`~$*`) and the partial files of editors and downloads. Dotfiles (".#x",
# ".x.swp", ".DS_Store") are skipped before these apply.
_LEFTOVER_ENDINGS = ("~", ".swp", ".swx", ".part", ".partial", ".tmp", ".crdownload")


def _leftover(name: str) -> bool:
    """Whether a lowercased file name is a leftover: string tests, not a regex, since
    the scan asks for every file of a large archive on every build."""
    return (
        name.endswith(_LEFTOVER_ENDINGS)
        or name.startswith("~$")
        or (len(name) > 1 and name[0] == "#" == name[-1])
    )


class Candidate(NamedTuple):
    """One file that may be a document: where it is and what its stat says.

    A named tuple, not a dataclass: a scan makes one per file on every build,
    and a tuple is made several times faster.
    """

    relpath: str  # posix path relative to the seeds folder, as the user sees it
    location: str  # the file to read (a symlink's resolved target)
    size: int
    mtime_ns: int
    # Why the file is not read at all (a link out of the seeds folder), or None.
    refused: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.location)


def scan(seeds: Path, ignore: tuple[str, ...] = ()) -> list[Candidate]:
    """Every regular file under `seeds`, sorted by relpath, leftovers and `ignore` matches skipped.

    A pattern in `ignore` matches a file or folder by its name or by its path
    relative to `seeds` ("*.bak", "drafts", "drafts/*"). Symbolic links are
    followed only when their target lies inside the seeds folder; a link out of
    it is listed with the reason it is `refused`.
    """
    if not seeds.is_dir():
        reason = "seeds folder not found" if not seeds.exists() else "seeds path is not a folder"
        raise DocumentError(str(seeds), reason)
    root = seeds.resolve()
    found: list[Candidate] = []
    _walk(root, seeds, "", ignore, frozenset({root}), found)
    # By relpath, which no two candidates share: a key of strings sorts twice as fast
    # as the tuples would.
    found.sort(key=itemgetter(0))
    return found


def _walk(
    root: Path,
    folder: Path,
    prefix: str,
    ignore: tuple[str, ...],
    ancestors: frozenset[Path],
    found: list[Candidate],
) -> None:
    # Unsorted: scan() sorts the whole list once.
    try:
        entries = list(os.scandir(folder))
    except OSError:
        # An unreadable subfolder is skipped; the rest of the seeds still publish.
        return
    for entry in entries:
        name = entry.name
        relpath = prefix + name
        # The common case inline (no ignore patterns, a name no leftover can start
        # with): this runs for every file on every build.
        lower = name.lower()
        if (
            name[0] == "."
            or lower.endswith(_LEFTOVER_ENDINGS)
            or (lower[0] in "~#" and _leftover(lower))
            or (ignore and _skipped(name, relpath, ignore))
        ):
            continue
        try:
            if entry.is_symlink():
                resolved = _target(Path(entry.path))
                if resolved is None:
                    continue
                if not resolved.is_relative_to(root):
                    # Reported, not skipped in silence: the user made this link
                    # and should learn why its document is missing.
                    info = entry.stat(follow_symlinks=False)
                    why = f"symbolic link to {resolved}, outside the seeds folder; not followed"
                    found.append(
                        Candidate(relpath, entry.path, info.st_size, info.st_mtime_ns, why)
                    )
                    continue
                target, info = str(resolved), resolved.stat()
            else:
                # DirEntry.stat() spares building a Path per file: a large archive
                # is scanned on every build.
                target, info = entry.path, entry.stat()
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            real = Path(target).resolve()
            if real not in ancestors:  # a link back up the tree would loop for ever
                _walk(root, Path(target), f"{relpath}/", ignore, ancestors | {real}, found)
        elif stat.S_ISREG(info.st_mode):
            # Made as the tuple it is: a named tuple's own constructor is a Python
            # call, three times slower, and this runs for every file on every build.
            found.append(_new(Candidate, (relpath, target, info.st_size, info.st_mtime_ns, None)))


_new = tuple.__new__


def is_skipped(relpath: str, ignore: tuple[str, ...] = ()) -> bool:
    """Whether a scan skips this path: it or a folder above it is a leftover or ignored."""
    parts = relpath.split("/")
    return any(_skipped(part, "/".join(parts[: n + 1]), ignore) for n, part in enumerate(parts))


def _skipped(name: str, relpath: str, ignore: tuple[str, ...]) -> bool:
    if name.startswith("."):
        return True
    if _leftover(name.lower()):
        return True
    return any(fnmatchcase(name, p) or fnmatchcase(relpath, p) for p in ignore)


def _target(link: Path) -> Path | None:
    """Where `link` finally points, or None for a dangling link or a loop of links."""
    try:
        return link.resolve(strict=True)
    except (OSError, RuntimeError):
        return None


def signature(candidates: list[Candidate]) -> str:
    """A hash of every candidate's path and stat: equal hashes, same files as far as
    a build can tell without reading them."""
    listing = "\n".join([f"{p}\0{s}\0{m}\0{r or ''}" for p, _, s, m, r in candidates])
    return hashlib.sha256(listing.encode("utf-8", "surrogateescape")).hexdigest()
