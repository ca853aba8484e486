"""Files named by the user or found beside the articles (a baseline, a manifest, a configuration): opened
only when they are regular files, and read only up to a size.

A FIFO would block the run forever, a link to `/dev/zero` would grow memory without end: the file is
opened without blocking, checked with `fstat` on the open descriptor (so a file swapped after a
check is still caught), and refused unless it is a regular file no larger than the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class UserFileError(OSError):
    """A file that is not read; the message is the reason, in one line (the caller names the file)."""


def open_regular(path: Path, limit: int) -> BinaryIO:
    """`path` opened for reading in binary, when it is a regular file of at most `limit` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UserFileError(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UserFileError("not a regular file (a folder, a pipe or a device); not read")
        if st.st_size > limit:
            raise UserFileError(f"{st.st_size} bytes is larger than the {limit} byte limit; not read")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of `path` (see `open_regular`); one that grows past `limit` while read is refused too."""
    with open_regular(path, limit) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise UserFileError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise UserFileError(f"larger than the {limit} byte limit; not read")
    return data
