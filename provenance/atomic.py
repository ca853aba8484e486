"""Write a file whole or not at all: everything provenance writes outside SQLite goes through here.

A hidden temporary file beside the target (`.NAME.XXXXXXXX.tmp`) is written, synced to the disk and
renamed over the target, then the folder is synced: whenever the process dies, the target is the
old file or the new one, whole. A process killed before the rename leaves its temporary file
behind: nothing reads it, and it may be deleted (it is not deleted here, as it may be another
run's, still being written).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"
"""Ending of the temporary files: a folder only one process writes (a Parquet archive) may clean them up."""


class WriteError(OSError):
    """A file that could not be written (the old one, if any, is unchanged); the message is one line naming
    the target and the reason, never the temporary file."""


def write_file(path: Path, write: Callable[[Path], object], *, mode: int | None = None) -> None:
    """Write `path` by calling `write(temporary path)`, then sync and rename it into place.

    `mode` sets the file's permissions (None: the temporary file's, readable by its owner only).
    Raises `WriteError` when the folder, the disk or the target refuses it.
    """
    if path.is_dir():
        raise WriteError(f"{path}: cannot write: it is a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
    os.close(fd)
    temporary = Path(name)
    try:
        write(temporary)
        with temporary.open("rb+") as fh:
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}; left as it was") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def write_text(path: Path, text: str) -> None:
    """Write a text file (UTF-8) whole, keeping an existing file's permissions (else rw-rw-rw- less the umask)."""
    write_file(path, lambda p: p.write_text(text, encoding="utf-8"), mode=_file_mode(path))


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut, where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _file_mode(path: Path) -> int:
    """The existing file's mode, else what the umask leaves of rw-rw-rw-."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
