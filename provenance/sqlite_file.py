"""Which SQLite files are provenance's own, so that it never writes into, rebuilds or deletes anything else.

Every cache and archive file provenance creates carries an application id in its SQLite header
(`PRAGMA application_id`, bytes 68 to 71 of the file). Before a file is opened for writing, its
first 100 bytes are read: a missing or empty file may be created, a file with the id of its kind is
provenance's, a SQLite file with id 0 is provenance's when its `meta` table has a `schema` row (files
written before the id existed; the id is set when it is next written) or it has no table yet (another
run is creating it), and anything else (a text file, another application's database, a cache where
an archive is expected) is refused.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""
HEADER_BYTES = 100
APPLICATION_ID_OFFSET = 68

CACHE_ID = 0x50564331
"""The application id of a record cache ("PVC1")."""
ARCHIVE_ID = 0x50564131
"""The application id of a photo archive ("PVA1")."""
BUSY_SECONDS = 60
"""How long to wait for another run that is writing the file."""
KINDS = {CACHE_ID: "a provenance record cache", ARCHIVE_ID: "a provenance photo archive"}


class NotOurFile(Exception):
    """A file that provenance did not create as this kind of file: it is never written. The message says why."""


def check_ours(path: Path, application_id: int) -> None:
    """Raise `NotOurFile` unless `path` is missing, empty, or provenance's file of this kind."""
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):  # opening it will say what is wrong
        return
    except OSError as exc:
        raise NotOurFile(f"unreadable: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise NotOurFile("not a regular file")
    if st.st_size == 0:
        return
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            header = os.read(fd, HEADER_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        raise NotOurFile(f"unreadable: {exc.strerror or exc}") from None
    if not header.startswith(MAGIC) or len(header) < HEADER_BYTES:
        raise NotOurFile("not a SQLite database")
    found = int.from_bytes(header[APPLICATION_ID_OFFSET:APPLICATION_ID_OFFSET + 4], "big")
    if found == application_id:
        return
    if found in KINDS:
        raise NotOurFile(f"it is {KINDS[found]}")
    if found != 0:
        raise NotOurFile(f"the SQLite database of another application, id {found:#010x}")
    if not _has_schema_row(path):
        raise NotOurFile("a SQLite database provenance did not write")


def _has_schema_row(path: Path) -> bool:
    """True when a SQLite file without an application id has provenance's `meta` table with a schema row,
    or no table at all (another run is creating it: there is nothing to lose)."""
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    except sqlite3.Error:
        return False
    try:
        if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            return True
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.Error:
        return False
    finally:
        db.close()
    return row is not None


def mark(db: sqlite3.Connection, application_id: int) -> None:
    """Write the application id into the database's header (inside the caller's transaction, if any)."""
    db.execute(f"PRAGMA application_id = {int(application_id)}")
