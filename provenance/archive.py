"""The photo archive: every figure of published articles, so a photo's earlier uses can be found.

An embedded SQLite file (default `.provenance/archive.sqlite` in the current folder; `--archive`
or the configuration's `archive` name another) holds one row per recorded figure: the article's
key (its URL, else its path relative to the current folder), title, date, figure index,
caption, credit, the image's SHA-256 and path, and its perceptual hashes with the recipe that
made them (`Hashes.version`). Hashes made by another recipe are never compared: a search
against rows of another version stops with `HashVersionError`, asking for a re-hash
(`provenance archive add` again).

Writing: `Archive.record` replaces one article's rows in one transaction (its old rows deleted,
the new ones inserted), so adding an article twice gives the same rows, a writer killed midway
leaves the article entirely there or entirely absent, and writers in several processes wait for
each other (WAL journal, a busy timeout) instead of failing or losing rows.

Searching: the global hashes and the local features' 64-bit patch hashes are indexed in a
`provenance.media.index.PhotoIndex`; a query takes its quick candidates (vectorised Hamming
distances, a 16-bit-word index of the patch hashes), then `similarity.compare` decides on the
candidates only.

The index is kept beside the archive, in the folder `FILE.index/` (`.npy` files and a manifest),
and opened memory-mapped, so a process pays neither reading every row nor sorting the patch
hashes. Every `record` bumps a generation counter in the archive's `meta` table, in its own
transaction; the manifest names the generation (and the largest row id) the index was built
from. An index that is missing, of another generation, or damaged (one warning line) is rebuilt
from the rows on the next search, never trusted: built in a temporary folder of its own, flushed,
then renamed into place, so two processes rebuilding at once never mix their files (the one
renaming last keeps the newer generation, the other discards its copy). An index that cannot be
written (a read-only folder) is used from memory for this process, with one warning line.

"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from provenance.media.index import IndexFormatError, PhotoIndex, patch_hashes
from provenance.media.similarity import compare
from provenance.model import ArchiveHit, Article, Hashes, ImageRecord, Match, image_table, workspace_path
from provenance.sqlite_file import ARCHIVE_ID, NotOurFile, check_ours, mark

if TYPE_CHECKING:
    from provenance.archive_parquet import ParquetArchive

SCHEMA_VERSION = 1
"""Layout of the archive file; stored in its `meta` table."""
BUSY_TIMEOUT_MS = 60_000
"""How long a writer waits for another one to finish before giving up."""

log = logging.getLogger("provenance.archive")


class ArchiveError(Exception):
    """The archive cannot be used; the message is one line naming the file."""


class NotAnArchive(ArchiveError):
    """The file named as the archive is not one (another file, a damaged database): a usage error."""


class HashVersionError(ArchiveError):
    """The archive's photos were hashed by another recipe than the query: they need a re-hash."""


@dataclass(frozen=True)
class ArchivedPhoto:
    """One figure of a published article, as the archive stores it."""

    article: str
    """The article's key: its URL when one was given, else its path relative to the current folder."""
    path: str | None
    """The article file's path relative to the current folder (`/` separators) when it was recorded."""
    title: str | None
    """The article's title."""
    published: str | None
    """The article's publication date (ISO 8601), from the article or `--published`."""
    figure: int
    """0-based index of the figure in the article."""
    caption: str | None
    """The figure's caption as readers saw it."""
    credit: str | None
    """The figure's credit line as readers saw it."""
    image: str | None
    """The image file's path relative to the current folder when it was recorded."""
    sha256: str
    """SHA-256 of the image file's bytes."""
    hashes: Hashes
    """The image's perceptual hashes and the recipe that made them."""


def location(root: str, rel: str, cwd: Path) -> str:
    """A checked file's path relative to `cwd` (posix), or its absolute path when it lies outside."""
    inside = workspace_path(root, rel, cwd.as_posix())
    if inside is not None:
        return inside
    return (Path(root) / rel).resolve().as_posix()


def article_key(article: Article, cwd: Path, url: str | None = None) -> str:
    """How the archive names an article: its URL if given, else its path relative to `cwd`."""
    return url if url else location(article.root, article.path, cwd)


def photos_of(
    article: Article,
    images: Mapping[tuple[str, str], ImageRecord],
    matches: Iterable[Match],
    *,
    key: str,
    cwd: Path,
    published: str | None = None,
) -> list[ArchivedPhoto]:
    """The archive rows of an article: every figure paired with a readable image."""
    by_figure = {m.figure: m for m in matches if m.root == article.root and m.article == article.path}
    photos = []
    for figure in article.figures:
        match = by_figure.get(figure.index)
        at = None if match is None else match.image_key
        image = None if at is None else images.get(at)
        if image is None or image.hashes is None:
            continue
        photos.append(ArchivedPhoto(
            article=key,
            path=location(article.root, article.path, cwd),
            title=article.title,
            published=published or article.date,
            figure=figure.index,
            caption=figure.caption,
            credit=figure.credit.raw if figure.credit else None,
            image=location(image.root, image.path, cwd),
            sha256=image.sha256,
            hashes=image.hashes,
        ))
    return photos


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS photos (
    id INTEGER PRIMARY KEY,
    article TEXT NOT NULL,
    path TEXT,
    title TEXT,
    published TEXT,
    figure INTEGER NOT NULL,
    caption TEXT,
    credit TEXT,
    image TEXT,
    sha256 TEXT NOT NULL,
    version TEXT NOT NULL,
    phash INTEGER,
    phash_mirror INTEGER,
    patches BLOB NOT NULL,
    local_head TEXT,
    local BLOB,
    hashes TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS photos_article ON photos (article);
CREATE INDEX IF NOT EXISTS photos_path ON photos (path);
CREATE INDEX IF NOT EXISTS photos_sha256 ON photos (sha256);
CREATE INDEX IF NOT EXISTS photos_version ON photos (version);
"""
"""`patches` holds the local features' 64-bit patch hashes (little-endian) for the search index;
`local_head` and `local` hold the `local` value split at its colon (its hexadecimal part as bytes);
`hashes` every other value as JSON."""

_COLUMNS = ("article, path, title, published, figure, caption, credit, image, sha256, version, phash, "
            "phash_mirror, patches, local_head, local, hashes, added")
_INSERT = f"INSERT INTO photos ({_COLUMNS}) VALUES ({', '.join('?' * 17)})"
_SELECT = ("SELECT id, article, path, title, published, figure, caption, credit, image, sha256, version, "
           "local_head, local, hashes FROM photos")


def _signed(hexed: str | None) -> int | None:
    """A 64-bit hexadecimal hash as SQLite's signed INTEGER."""
    if hexed is None:
        return None
    value = int(hexed, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def _row(photo: ArchivedPhoto, added: str) -> tuple[object, ...]:
    values = dict(photo.hashes.values)
    head: str | None = None
    local: bytes | None = None
    raw = values.get("local")
    if raw is not None:
        before, sep, after = raw.partition(":")
        try:
            local = bytes.fromhex(after) if sep else None
        except ValueError:
            local = None
        if local is not None:
            head = before
            del values["local"]
    return (
        photo.article, photo.path, photo.title, photo.published, photo.figure, photo.caption, photo.credit,
        photo.image, photo.sha256, photo.hashes.version, _signed(values.get("phash")),
        _signed(values.get("phash_mirror")), patch_hashes(photo.hashes).astype("<u8").tobytes(), head, local,
        json.dumps(values, sort_keys=True), added,
    )


def _photo(row: Sequence[object]) -> tuple[int, ArchivedPhoto]:
    (rid, article, path, title, published, figure, caption, credit, image, sha256, version, head, local,
     hashes) = row
    values: dict[str, str] = json.loads(str(hashes))
    if isinstance(local, bytes) and head is not None:
        values["local"] = f"{head}:{local.hex()}"
    photo = ArchivedPhoto(
        article=str(article), path=_text(path), title=_text(title), published=_text(published),
        figure=int(str(figure)), caption=_text(caption), credit=_text(credit), image=_text(image),
        sha256=str(sha256), hashes=Hashes(version=str(version), values=MappingProxyType(values)),
    )
    return int(str(rid)), photo


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def index_path(path: Path) -> Path:
    """Where the search index of the archive at `path` is kept: the folder `path` + ".index"."""
    return path.with_name(path.name + ".index")


@dataclass(frozen=True)
class _State:
    """What the archive's rows are at, as a saved index must match it."""

    generation: int
    """Bumped by every `record`, in its transaction."""
    max_id: int
    """The largest row id (0 when empty): also moves when a writer that bumps no generation adds rows."""

    def fresh(self, manifest: Mapping[str, object]) -> bool:
        """True when a saved index with this manifest was built from these rows."""
        return manifest.get("generation") == self.generation and manifest.get("max_id") == self.max_id


def _state(conn: sqlite3.Connection) -> _State:
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    top = conn.execute("SELECT MAX(id) FROM photos").fetchone()[0]
    return _State(generation=int(str(row[0])) if row else 0, max_id=int(top or 0))


@dataclass(frozen=True)
class _Loaded:
    """The archive's candidate index in memory: one snapshot, loaded once."""

    ids: NDArray[np.int64]
    """Row id of the photo at each position of `index`."""
    index: PhotoIndex
    """The stored photos' hashes, indexed for candidate lookups."""
    versions: Mapping[str, int]
    """Hash version -> photos stored with it."""


class Archive:
    """An open archive file; a search loads its index once and keeps it."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        """Open the archive at `path`; `create` makes it (and its folder) when missing."""
        self.path = path
        self._index: _Loaded | None = None
        if not create and not path.is_file():
            raise ArchiveError(f"archive {path}: no such file (`provenance archive add` creates it)")
        try:
            check_ours(path, ARCHIVE_ID)
        except NotOurFile as exc:
            raise NotAnArchive(f"archive {path}: not a provenance archive ({exc}); left alone") from None
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"archive {path}: cannot open: {exc}") from None
        try:
            self._setup(create)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            if type(exc) is not sqlite3.DatabaseError:  # a full disk, a read-only file, a lock...
                raise ArchiveError(f"archive {path}: cannot be used: {' '.join(str(exc).split())}") from None
            raise NotAnArchive(f"archive {path}: not a provenance archive ({exc})") from None
        except BaseException:
            self._conn.close()
            raise

    def _setup(self, create: bool) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        conn.execute("PRAGMA synchronous = FULL")
        if create:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            mark(conn, ARCHIVE_ID)
            conn.execute("COMMIT")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            raise NotAnArchive(f"archive {self.path}: not a provenance archive (no schema version)")
        if str(row[0]) != str(SCHEMA_VERSION):
            raise ArchiveError(f"archive {self.path}: schema version {row[0]}, this provenance reads version "
                               f"{SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the file (the loaded index is dropped)."""
        self._index = None
        self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, article: str, photos: Iterable[ArchivedPhoto]) -> int:
        """Replace every row of `article` by `photos`, in one transaction; returns how many were stored."""
        added = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        count = 0

        def rows() -> Iterator[tuple[object, ...]]:
            nonlocal count
            for photo in photos:
                if photo.article != article:
                    raise ValueError(f"a photo of {photo.article!r} recorded under {article!r}")
                count += 1
                yield _row(photo, added)

        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM photos WHERE article = ?", (article,))
            conn.executemany(_INSERT, rows())
            conn.execute("INSERT INTO meta (key, value) VALUES ('generation', '1') "
                         "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._index = None
        return count

    def photos(self, article: str | None = None) -> list[ArchivedPhoto]:
        """Every stored photo (of one article), in the order they were recorded."""
        where, args = ("WHERE article = ?", (article,)) if article is not None else ("", ())
        rows = self._conn.execute(f"{_SELECT} {where} ORDER BY id", args).fetchall()
        return [_photo(r)[1] for r in rows]

    def versions(self) -> dict[str, int]:
        """Hash version -> how many photos were stored with it."""
        return dict(_versions(self._conn))

    def load(self) -> None:
        """Open the index now (a search does it when needed): the saved one when it is fresh, else
        rebuilt from the rows and saved."""
        if self._index is None:
            self._index = self._open_index()

    def _open_index(self) -> _Loaded:
        conn = self._conn
        conn.execute("BEGIN")
        try:
            state = _state(conn)
            versions = _versions(conn)
        finally:
            conn.execute("COMMIT")
        folder = index_path(self.path)
        try:
            index, manifest, extra = PhotoIndex.open(folder, extra=("ids",))
        except IndexFormatError as exc:
            if folder.exists():
                log.warning("archive index damaged (%s); rebuilding it", exc)
        else:
            if state.fresh(manifest) and extra["ids"].dtype == np.int64 and len(extra["ids"]) == len(index):
                return _Loaded(ids=extra["ids"], index=index, versions=versions)
        loaded, built = _load(conn)
        self._save(loaded, built)
        return loaded

    def _save(self, loaded: _Loaded, state: _State) -> None:
        """Save a freshly built index beside the archive, atomically; another process's newer one wins."""
        folder = index_path(self.path)
        _remove_stale(folder)
        try:
            temporary = Path(tempfile.mkdtemp(prefix=f"{folder.name}.tmp-", dir=folder.parent))
        except OSError as exc:
            log.warning("archive index %s cannot be written (%s); searching without saving it", folder, exc)
            return
        try:
            manifest = {"generation": state.generation, "max_id": state.max_id}
            loaded.index.save(temporary, manifest, {"ids": loaded.ids})
            _publish(temporary, folder, state)
        except OSError as exc:
            log.warning("archive index %s cannot be written (%s); searching without saving it", folder, exc)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)

    def search(self, hashes: Hashes, sha256: str | None = None) -> tuple[ArchiveHit, ...]:
        """Every stored photo that shows the same photo as `hashes` (or is the file `sha256`), earliest first.

        Raises `HashVersionError` when the archive holds photos hashed by another recipe.
        """
        self.load()
        loaded = self._index
        assert loaded is not None
        check_versions(self.path, loaded.versions, hashes.version)
        ids = set(loaded.ids[loaded.index.candidates(hashes)].tolist())
        if sha256 is not None:
            same = self._conn.execute("SELECT id FROM photos WHERE sha256 = ?", (sha256,)).fetchall()
            ids.update(int(r[0]) for r in same)
        hits = [hit for _, photo in self._fetch(sorted(ids)) if (hit := judge(photo, hashes, sha256)) is not None]
        return tuple(sorted(hits, key=hit_order))

    def search_many(self, queries: Sequence[tuple[Hashes, str | None]]) -> list[tuple[ArchiveHit, ...]]:
        """`search` of each (hashes, sha256) query, in order."""
        return [self.search(hashes, sha256) for hashes, sha256 in queries]

    def _fetch(self, ids: list[int]) -> Iterator[tuple[int, ArchivedPhoto]]:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in self._conn.execute(f"{_SELECT} WHERE id IN ({marks})", chunk):
                yield _photo(row)


def check_versions(path: Path, versions: Mapping[str, int], version: str,
                   remedy: str = "running `provenance archive add` again on its articles") -> None:
    """Raise `HashVersionError` when `versions` (hash version -> photos) holds any other than `version`."""
    other = {v: n for v, n in versions.items() if v != version}
    if other:
        stored = "; ".join(f"{n} photo{'s' if n != 1 else ''} by {v!r}" for v, n in sorted(other.items()))
        raise HashVersionError(
            f"archive {path}: hashes made differently cannot be compared: the archive holds {stored}, "
            f"this provenance hashes by {version!r}; re-hash the archive by {remedy}")


def judge(photo: ArchivedPhoto, hashes: Hashes, sha256: str | None) -> ArchiveHit | None:
    """The hit `photo` is for a search of `hashes` (of the file `sha256`, when given), or None: the same
    file, or the same photo as `compare` judges it; photos hashed another way are never hits."""
    if photo.hashes.version != hashes.version:
        return None
    if sha256 is not None and photo.sha256 == sha256:
        return _hit(photo, 1.0, "the same file (byte-identical)", ())
    similarity = compare(hashes, photo.hashes)
    if similarity is None:
        return None
    return _hit(photo, similarity.score, similarity.describe(), similarity.how)


def hit_order(hit: ArchiveHit) -> tuple[bool, str, str, int]:
    """How hits are listed: earliest publication first (undated last), then by article and figure."""
    return (hit.published is None, hit.published or "", hit.article, hit.figure)


def _hit(photo: ArchivedPhoto, score: float, similarity: str, how: tuple[str, ...]) -> ArchiveHit:
    return ArchiveHit(
        article=photo.article, path=photo.path, title=photo.title, published=photo.published,
        figure=photo.figure, caption=photo.caption, credit=photo.credit, image=photo.image,
        sha256=photo.sha256, score=score, similarity=similarity, how=how,
    )


def _retry(action: object, attempts: int = 50) -> object:
    """Run `action()`, retrying while another process holds the lock it needs (journal mode changes
    do not always wait for the busy timeout)."""
    assert callable(action)
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return None


STALE_SECONDS = 3600
"""Age after which a temporary index folder beside the archive is taken for a killed run's, and removed."""


def _remove_stale(folder: Path) -> None:
    """Remove the temporary index folders (`.tmp-`, `.old-`) that runs killed while saving an index left
    beside it, once they are `STALE_SECONDS` old (a younger one may be another run's, still writing)."""
    now = time.time()
    for prefix in (f"{folder.name}.tmp-", f"{folder.name}.old-"):
        try:
            entries = [p for p in folder.parent.iterdir() if p.name.startswith(prefix)]
        except OSError:
            return
        for entry in entries:
            try:
                if entry.is_dir() and not entry.is_symlink() and now - entry.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
            except OSError:
                continue


def _publish(temporary: Path, folder: Path, state: _State) -> None:
    """Rename the complete index in `temporary` to `folder`, unless an index of this generation or a
    newer one got there first (then `temporary` is left to be discarded)."""
    try:
        os.rename(temporary, folder)
        return
    except OSError:
        pass  # an index is there already
    try:
        _, there, _ = PhotoIndex.open(folder, extra=("ids",))
        generation = there.get("generation")
        if isinstance(generation, int) and (generation > state.generation or state.fresh(there)):
            return
    except IndexFormatError:
        pass  # damaged: replaced
    aside = folder.with_name(f"{folder.name}.old-{uuid.uuid4().hex}")
    with contextlib.suppress(FileNotFoundError):  # another process moved it aside
        os.rename(folder, aside)
    with contextlib.suppress(OSError):  # another process put its own in place first: keep it
        os.rename(temporary, folder)
    shutil.rmtree(aside, ignore_errors=True)  # open maps of it stay valid


def _versions(conn: sqlite3.Connection) -> Mapping[str, int]:
    rows = conn.execute("SELECT version, COUNT(*) FROM photos GROUP BY version").fetchall()
    return MappingProxyType({str(v): int(n) for v, n in rows})


def _load(conn: sqlite3.Connection) -> tuple[_Loaded, _State]:
    """Read every photo's global and patch hashes, in one read transaction (one consistent snapshot),
    and what the rows were at."""
    ids: list[int] = []
    columns: tuple[list[int], ...] = ([], [], [], [])
    counts: list[int] = []
    blobs: list[bytes] = []
    conn.execute("BEGIN")
    try:
        state = _state(conn)
        versions = _versions(conn)
        cursor = conn.execute("SELECT id, phash, phash_mirror, json_extract(hashes, '$.band_phash'), "
                              "json_extract(hashes, '$.band_phash_mirror'), patches FROM photos ORDER BY id")
        while True:
            rows = cursor.fetchmany(65536)
            if not rows:
                break
            for rid, ph, pm, band, band_mirror, patches in rows:
                ids.append(rid)
                columns[0].append(ph or 0)
                columns[1].append(pm or 0)
                columns[2].append(_signed(band) or 0)
                columns[3].append(_signed(band_mirror) or 0)
                counts.append(len(patches) // 8)
            blobs.append(b"".join(r[5] for r in rows))
    finally:
        conn.execute("COMMIT")
    bits = np.frombuffer(b"".join(blobs), dtype="<u8").astype(np.uint64)
    del blobs
    phash, mirror, band, band_mirror = (np.asarray(c, dtype=np.int64).view(np.uint64) for c in columns)
    index = PhotoIndex.from_arrays(phash=phash, phash_mirror=mirror, band_phash=band, band_phash_mirror=band_mirror,
                                   counts=np.asarray(counts, dtype=np.int64), bits=bits)
    return _Loaded(ids=np.asarray(ids, dtype=np.int64), index=index, versions=versions), state


@contextlib.contextmanager
def open_archive(path: Path, scheduler: str | None = None) -> Iterator[Archive | ParquetArchive]:
    """The archive at `path`: a SQLite file, or a Parquet folder (`archive build`), searched on the Dask
    scheduler `scheduler` when given. Raises `ArchiveError`."""
    if not path.is_dir():
        if scheduler:
            raise ArchiveError(f"archive {path}: --scheduler searches a Parquet archive folder only")
        with Archive(path) as archive:
            yield archive
        return
    from provenance.archive_parquet import ParquetArchive, missing_dask

    if not scheduler:
        with ParquetArchive(path) as parquet:
            yield parquet
        return
    reason = missing_dask("--scheduler")
    if reason is not None:
        raise ArchiveError(reason)
    from provenance.scale_cli import dask_client

    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(dask_client(scheduler))
        except ArchiveError as exc:  # the scheduler cannot be reached
            raise ArchiveError(f"archive {path}: {exc}") from None
        yield stack.enter_context(ParquetArchive(path, client=client))


def lookup(
    path: Path,
    articles: Sequence[Article],
    images: Sequence[ImageRecord],
    matches: Sequence[Match],
    cwd: Path,
    scheduler: str | None = None,
) -> tuple[Mapping[tuple[str, str, int], tuple[ArchiveHit, ...]], list[str]]:
    """The archive stage of a check: each figure's earlier uses in other articles, and one-line errors.

    Keys are (root, article path, figure index). An article never matches itself: rows recorded
    under its key, or from its path, are left out. A folder is a Parquet archive (see
    `provenance.archive_parquet`), searched on the Dask scheduler `scheduler` when given; every file
    of the check is searched once, all in one `search_many`.
    """
    table = image_table(images)
    wanted: list[tuple[Article, ArchivedPhoto]] = []
    queries: dict[str, tuple[Hashes, str | None]] = {}
    for article in articles:
        for photo in photos_of(article, table, matches, key="", cwd=cwd):
            wanted.append((article, photo))
            queries.setdefault(photo.sha256, (photo.hashes, photo.sha256))
    try:
        with open_archive(path, scheduler) as archive:
            searched = dict(zip(queries, archive.search_many(list(queries.values())), strict=True))
    except NotAnArchive:
        raise
    except ArchiveError as exc:
        return MappingProxyType({}), [str(exc)]
    found: dict[tuple[str, str, int], tuple[ArchiveHit, ...]] = {}
    for article, photo in wanted:
        own = {article_key(article, cwd)}
        hits = tuple(h for h in searched[photo.sha256] if h.article not in own and h.path not in own)
        if hits:
            found[(article.root, article.path, photo.figure)] = hits
    return MappingProxyType(found), []
