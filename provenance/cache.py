"""A content-addressed cache of image records, in SQLite, so that a re-run decodes only changed images.

Three tables:

* ``records``: (sha256 of the file's bytes, reader key) -> the record's content as JSON (format,
  size, metadata, hashes, errors; see `provenance.media.records`). The reader key names everything
  that makes a record from bytes: provenance's version and reader revision, the draft-decode size,
  the similarity recipe and library versions (`similarity.VERSION`), the record's fields and the
  c2pa-python version. A record made by another reader is never returned.
* ``files``: absolute path -> (device, inode, size, mtime_ns, ctime_ns, sha256): what the file's
  bytes hashed to when it last looked like this. A file whose stat still matches is not read
  again; any write changes its ctime, so an edited file is read, hashed and looked up by content
  (a copied, moved or touched file is read and hashed, but not decoded again).
* ``pairs``: (sha256 of one file, sha256 of another, judge) -> whether the two show the same photo,
  as `provenance.media.pairs` judged them (the reused-photo rule's answer for that ordered pair).
  The judge is a digest of what decides (`similarity.VERSION` and the comparison's revision), so a
  re-run compares only the pairs of new or changed photos. A folder of n photos adds up to
  n(n-1)/2 rows of about 100 bytes: 2 MB for 200 photos, 12 MB for 500.

A fourth table, ``fetched``, is made when first used: URL of a remote image -> (sha256 of the bytes last
fetched, their ETag and Last-Modified), so that a re-run asks the server whether the image changed (a
conditional request) and reads the record of unchanged bytes from ``records``.

Rows another version wrote are never used, so they are deleted: the records of other reader keys when
a run of this version first opens the cache, the pairs of other judges when it first writes pairs
(``meta`` remembers which reader key and judge the tables were last pruned for, so each happens once
after an upgrade, not on every run). Two versions taking turns on one cache delete each other's rows
and read again; what a run gets is never wrong, only slower.

The database is in WAL mode with a busy timeout, and every write is a transaction, so that runs
sharing it at once lose nothing and never read a partial row. A cache file that is damaged or comes
from another schema is rebuilt with one warning; a file that is not provenance's cache (a text file,
another application's database: see `provenance.sqlite_file`) is left alone with one warning, and so
is a cache that cannot be used at all (a read-only folder...): images are then read without it.
Warnings go to the ``provenance`` logger.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from provenance.model import one_line, text_name
from provenance.sqlite_file import CACHE_ID, NotOurFile, check_ours, mark

SCHEMA = "2"
"""The layout of the tables; another value in a cache file means it is rebuilt."""

DEFAULT_PATH = Path(".provenance") / "cache.sqlite"
"""Where the cache lives by default, relative to the current folder."""

BUSY_TIMEOUT_MS = 60_000
"""How long a run waits for another run's write before giving up on the cache."""

FLUSH_EVERY = 32
"""Records kept in memory before they are written in one transaction."""

log = logging.getLogger("provenance.cache")


@lru_cache(maxsize=1)
def reader_key() -> str:
    """What makes a record from bytes; records made under another key are not used."""
    from provenance.media import reader, similarity
    from provenance.model import ImageRecord, Provenance
    from provenance.version import __version__

    names = ",".join(f.name for cls in (ImageRecord, Provenance) for f in dataclasses.fields(cls))
    parts = [f"provenance={__version__}", f"reader={reader.READER_REVISION}", f"decode={reader.DECODE_SIZE}",
             similarity.VERSION, f"fields={hashlib.sha256(names.encode()).hexdigest()[:12]}",
             f"c2pa={_c2pa_version()}"]
    return " ".join(parts)


def _c2pa_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("c2pa-python")
    except metadata.PackageNotFoundError:
        return "none"


@dataclasses.dataclass(frozen=True)
class FileKey:
    """Where a file is and how it looks to `stat`: a cheap stand-in for its content."""

    path: str
    """Absolute path."""
    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileKey | None:
        """The key of the file at `path`, None when it cannot be stat'ed."""
        try:
            st = path.stat()
        except OSError:
            return None
        # a name that is not UTF-8 is stored escaped: SQLite takes only text (the inode tells two such files apart)
        return cls(text_name(os.path.abspath(path)), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS records (sha256 TEXT NOT NULL, reader TEXT NOT NULL, record TEXT NOT NULL, "
    "PRIMARY KEY (sha256, reader)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, dev INTEGER NOT NULL, ino INTEGER NOT NULL, "
    "size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pairs (judge BLOB NOT NULL, a BLOB NOT NULL, b BLOB NOT NULL, result TEXT, "
    "PRIMARY KEY (judge, a, b)) WITHOUT ROWID",
)

_FETCHED = ("CREATE TABLE IF NOT EXISTS fetched (url TEXT PRIMARY KEY, sha256 TEXT NOT NULL, etag TEXT, "
            "last_modified TEXT)")


def ignore_in_git(path: Path) -> None:
    """Write a `.gitignore` beside the cache naming its files (never the archive that may share the folder),
    as pytest and ruff do for theirs, so `git add -A` never stages it; an existing `.gitignore` is kept."""
    name = "".join("\\" + c if c in "[]*?!#\\ " else c for c in path.name)  # literal in .gitignore syntax
    try:
        with (path.parent / ".gitignore").open("x", encoding="utf-8") as fh:
            fh.write(f"# Written by provenance: its record cache, rebuilt from the images when needed.\n"
                     f"/{name}\n/{name}-*\n")
    except OSError:  # it exists, or the folder is read-only: nothing to do
        pass


class RecordCache:
    """The record cache of one run; see the module's documentation. Never raises `sqlite3.Error`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader = reader_key()
        self._db: sqlite3.Connection | None = None
        self._records: list[tuple[str, str, str]] = []
        self._files: list[tuple[str, int, int, int, int, int, str]] = []
        self._warned = False
        try:
            check_ours(path, CACHE_ID)
        except NotOurFile as exc:
            self._warn(f"is not a provenance cache ({exc}); left alone, images are read without a cache")
            return
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            if type(exc) is sqlite3.DatabaseError:  # not a database, or damaged: start afresh
                self._rebuild(f"is not a usable cache ({one_line(exc)})")
            else:
                self._give_up(exc)
        except OSError as exc:
            self._give_up(exc)
        if self._db is not None:
            self._keep_only("records", "reader", self.reader, "reader")

    @property
    def usable(self) -> bool:
        return self._db is not None

    def _open(self) -> sqlite3.Connection:
        ours = not self.path.parent.is_dir() or self.path.parent.name == DEFAULT_PATH.parent.name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if ours:  # never a .gitignore in a folder of the user's (the repository's root...)
            ignore_in_git(self.path)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise sqlite3.OperationalError("cannot use write-ahead logging")
            db.execute("PRAGMA synchronous = NORMAL")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            schema = None
            if "meta" in tables:
                row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                schema = row[0] if row else None
            if schema != SCHEMA:
                with _transaction(db):
                    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                    row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() \
                        if "meta" in tables else None
                    if (row[0] if row else None) != SCHEMA:  # another run may have just built it
                        if tables:
                            self._warn(f"was written by another version of provenance; rebuilt it (schema {SCHEMA})")
                        for name in tables:
                            db.execute(f'DROP TABLE IF EXISTS "{name}"')
                        for statement in _TABLES:
                            db.execute(statement)
                        db.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA,))
                        mark(db, CACHE_ID)
            if db.execute("PRAGMA application_id").fetchone()[0] != CACHE_ID:  # written before the id existed
                with _transaction(db):
                    mark(db, CACHE_ID)
        except BaseException:
            db.close()
            raise
        return db

    def _keep_only(self, table: str, column: str, value: str | bytes, meta_key: str) -> None:
        """Delete the rows of `table` whose `column` is not `value` (rows another version wrote), unless
        `meta` says they were deleted for this `value` already."""
        assert self._db is not None
        mark = value.hex() if isinstance(value, bytes) else value
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (meta_key,)).fetchone()
            if row is not None and row[0] == mark:
                return
            with _transaction(self._db) as db:
                # two ranges rather than <>: on the first column of a key (judge in pairs), they use it
                db.execute(f"DELETE FROM {table} WHERE {column} < ? OR {column} > ?", (value, value))
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (meta_key, mark))
        except sqlite3.Error as exc:
            self._failed(exc)

    def _rebuild(self, why: str) -> None:
        """Replace a file that is not a usable database with a new, empty cache."""
        self._close()
        try:
            check_ours(self.path, CACHE_ID)
        except NotOurFile as exc:
            self._warn(f"{why} and is not a provenance cache ({exc}); left alone, images are read without a cache")
            return
        self._warn(f"{why}; rebuilt it")
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._db = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)

    def _give_up(self, exc: BaseException) -> None:
        self._close()
        self._warn(f"cannot be used ({one_line(exc)}); images are read without it")

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("cache %s %s", self.path, message)

    def _failed(self, exc: sqlite3.Error) -> None:
        if type(exc) is sqlite3.DatabaseError:
            self._records.clear()
            self._files.clear()
            self._rebuild(f"is damaged ({one_line(exc)})")
        else:
            self._give_up(exc)

    # --- reading ---------------------------------------------------------------------------

    def sha256_of(self, key: FileKey) -> str | None:
        """The sha256 recorded for a file that still has this stat, else None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT dev, ino, size, mtime_ns, ctime_ns, sha256 FROM files WHERE path = ?",
                                   (key.path,)).fetchone()
        except sqlite3.Error as exc:
            self._failed(exc)
            return None
        if row is None or tuple(row[:5]) != (key.dev, key.ino, key.size, key.mtime_ns, key.ctime_ns):
            return None
        return str(row[5])

    def get(self, sha256: str) -> dict[str, Any] | None:
        """The content of the record of the bytes hashing to `sha256`, or None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT record FROM records WHERE sha256 = ? AND reader = ?",
                                   (sha256, self.reader)).fetchone()
        except sqlite3.Error as exc:
            self._failed(exc)
            return None
        return _decode(row[0], sha256) if row else None

    def lookup(self, key: FileKey) -> dict[str, Any] | None:
        """The content of the record of the file `key` describes, when its stat is known."""
        sha256 = self.sha256_of(key)
        return None if sha256 is None else self.get(sha256)

    def pairs(self, judge: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """What `put_pairs` stored for those of `keys` (pairs of sha256) it knows: the result text, or
        None for a pair judged different."""
        if self._db is None:
            return {}
        wanted: dict[str, set[str]] = {}
        for a, b in keys:
            wanted.setdefault(a, set()).add(b)
        tag = _judge_tag(judge)
        found: dict[tuple[str, str], str | None] = {}
        try:
            for a, bs in wanted.items():
                rows = self._db.execute("SELECT b, result FROM pairs WHERE judge = ? AND a = ?",
                                        (tag, bytes.fromhex(a))).fetchall()
                for b_raw, result in rows:
                    b = bytes(b_raw).hex()
                    if b in bs:
                        found[(a, b)] = result if result is None else str(result)
        except (sqlite3.Error, ValueError) as exc:
            if isinstance(exc, sqlite3.Error):
                self._failed(exc)
            return {}
        return found

    def put_pairs(self, judge: str, results: Mapping[tuple[str, str], str | None]) -> None:
        """Remember pair results (see `pairs`), in one transaction."""
        if self._db is None or not results:
            return
        tag = _judge_tag(judge)
        try:
            rows = [(tag, bytes.fromhex(a), bytes.fromhex(b), result) for (a, b), result in results.items()]
        except ValueError:  # not sha256 hex: nothing worth keeping
            return
        self._keep_only("pairs", "judge", tag, "judge")
        if self._db is None:
            return
        try:
            with _transaction(self._db) as db:
                db.executemany("INSERT OR REPLACE INTO pairs (judge, a, b, result) VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self._failed(exc)

    # --- writing ---------------------------------------------------------------------------

    def put(self, content: Mapping[str, Any], key: FileKey | None) -> None:
        """Remember a record's content (and which file hashed to it); written in batches."""
        if self._db is None:
            return
        sha256 = str(content["sha256"])
        self._records.append((sha256, self.reader, json.dumps(content, ensure_ascii=False)))
        if key is not None:
            self._files.append((key.path, key.dev, key.ino, key.size, key.mtime_ns, key.ctime_ns, sha256))
        if len(self._records) + len(self._files) >= FLUSH_EVERY:
            self.flush()

    def remember(self, key: FileKey, sha256: str) -> None:
        """Remember that the file `key` describes hashed to `sha256`."""
        if self._db is None:
            return
        self._files.append((key.path, key.dev, key.ino, key.size, key.mtime_ns, key.ctime_ns, sha256))
        if len(self._records) + len(self._files) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write what `put` and `remember` kept, in one transaction."""
        if self._db is None or not (self._records or self._files):
            return
        records, files = self._records, self._files
        self._records, self._files = [], []
        try:
            with _transaction(self._db) as db:
                db.executemany("INSERT OR REPLACE INTO records (sha256, reader, record) VALUES (?, ?, ?)", records)
                db.executemany("INSERT OR REPLACE INTO files (path, dev, ino, size, mtime_ns, ctime_ns, sha256) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)", files)
        except sqlite3.Error as exc:
            self._failed(exc)

    # --- fetched remote images -------------------------------------------------------------

    def fetched(self, url: str) -> tuple[str, str | None, str | None] | None:
        """(sha256, ETag, Last-Modified) of the bytes last fetched from `url`, or None."""
        if self._db is None or not self._has_fetched():
            return None
        try:
            row = self._db.execute("SELECT sha256, etag, last_modified FROM fetched WHERE url = ?", (url,)).fetchone()
        except sqlite3.Error as exc:
            self._failed(exc)
            return None
        return None if row is None else (str(row[0]), row[1], row[2])

    def put_fetched(self, rows: Iterable[tuple[str, str, str | None, str | None]]) -> None:
        """Remember (url, sha256, ETag, Last-Modified) of fetched images, in one transaction."""
        rows = list(rows)
        if self._db is None or not rows or not self._has_fetched(create=True):
            return
        try:
            with _transaction(self._db) as db:
                db.executemany("INSERT OR REPLACE INTO fetched (url, sha256, etag, last_modified) "
                               "VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self._failed(exc)

    def _has_fetched(self, create: bool = False) -> bool:
        """Whether the ``fetched`` table exists; made first when `create`."""
        assert self._db is not None
        try:
            if create:
                self._db.execute(_FETCHED)
            return self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fetched'"
                                    ).fetchone() is not None
        except sqlite3.Error as exc:
            self._failed(exc)
            return False

    def close(self) -> None:
        """Write what is pending and close the database."""
        self.flush()
        self._close()

    def _close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def __enter__(self) -> RecordCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction (BEGIN IMMEDIATE: it waits for other writers up front), committed at the end of
    the block and rolled back on any exception, which goes on."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def lookup_content(path: str, sha256: str) -> dict[str, Any] | None:
    """The cached content for `sha256` in the cache at `path`, read by a reader process; None on any problem.

    Each process keeps one read-only connection per cache file.
    """
    db = _reader_connection(path)
    if db is None:
        return None
    try:
        row = db.execute("SELECT record FROM records WHERE sha256 = ? AND reader = ?",
                         (sha256, reader_key())).fetchone()
    except sqlite3.Error:
        return None
    return _decode(row[0], sha256) if row else None


_READERS: dict[tuple[int, str], sqlite3.Connection | None] = {}
"""(process id, cache path) -> connection: a forked process never uses its parent's connection."""


def _reader_connection(path: str) -> sqlite3.Connection | None:
    key = (os.getpid(), path)
    if key not in _READERS:
        try:
            db = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True,
                                 timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _READERS[key] = db
        except sqlite3.Error:
            _READERS[key] = None
    return _READERS[key]


def _decode(text: str, sha256: str) -> dict[str, Any] | None:
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):  # damaged, or planted: read the file again
        return None
    if not isinstance(content, dict) or content.get("sha256") != sha256:
        return None
    return content


def _judge_tag(judge: str) -> bytes:
    """The 16 bytes standing for a judge's (long) description in every row of ``pairs``."""
    return hashlib.sha256(judge.encode()).digest()[:16]

