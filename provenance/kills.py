"""Kill notices: photos withdrawn after they were distributed, kept in the photo archive.

`provenance archive kill IMAGE... --reason TEXT` records each image in the `kills` table of the SQLite
archive (created beside its `photos` table when missing): its SHA-256, its perceptual hashes with the
recipe that made them, its path, the reason and when it was recorded (UTC). Killing a file again
replaces its notice. A photo is found killed when it is the same file, or when the archive's
similarity search finds it the same photo (a resized, recompressed, cropped or mirrored copy): the
candidates of a `PhotoIndex` of the killed photos, judged by `similarity.compare_many`. Notices
hashed by another recipe are matched by file only.

A Parquet archive (`archive build`) holds no kill notices: asking one for them raises
`NoKillNotices`, which says so.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from provenance.archive import BUSY_TIMEOUT_MS, Archive, ArchiveError, photos_of
from provenance.media.index import PhotoIndex
from provenance.media.similarity import PreparedHashes, compare_many, prepare
from provenance.model import Article, Hashes, ImageRecord, KillNotice, Match, image_table

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kills (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    image TEXT,
    reason TEXT NOT NULL,
    killed TEXT NOT NULL,
    version TEXT NOT NULL,
    hashes TEXT NOT NULL
)
"""


class NoKillNotices(ArchiveError):
    """The archive is of a kind that holds no kill notices (a Parquet folder)."""


@dataclass(frozen=True)
class KilledPhoto:
    """One killed photo as the archive stores it."""

    sha256: str
    """SHA-256 of the killed file's bytes."""
    image: str | None
    """The file's path when it was killed (relative to the current folder)."""
    reason: str
    """Why it was killed."""
    killed: str
    """When the kill was recorded, ISO 8601 in UTC."""
    hashes: Hashes
    """Its perceptual hashes and the recipe that made them."""


class KillRegister:
    """The kill notices of the SQLite archive at `path`."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        """Open the notices of the archive at `path`; `create` makes the archive (and its table) when missing.
        Raises `NoKillNotices` for a Parquet archive folder, `ArchiveError` when it cannot be opened."""
        if path.is_dir():
            raise NoKillNotices(f"archive {path}: a Parquet archive holds no kill notices; record them with "
                                "`provenance archive kill --archive FILE.sqlite` and check with that archive")
        Archive(path, create=create).close()  # a provenance archive of this schema, or ArchiveError
        self.path = path
        try:
            self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            if create:
                self._conn.execute(_SCHEMA)
            self._present = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kills'").fetchone() is not None
        except sqlite3.Error as exc:
            raise ArchiveError(f"archive {path}: cannot read its kill notices ({exc})") from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> KillRegister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def kill(self, photo: KilledPhoto) -> None:
        """Record `photo` as killed (replacing an earlier notice of the same file)."""
        try:
            self._conn.execute(
                "INSERT INTO kills (sha256, image, reason, killed, version, hashes) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sha256) DO UPDATE SET image = excluded.image, reason = excluded.reason, "
                "killed = excluded.killed, version = excluded.version, hashes = excluded.hashes",
                (photo.sha256, photo.image, photo.reason, photo.killed, photo.hashes.version,
                 json.dumps(dict(photo.hashes.values), sort_keys=True)))
        except sqlite3.Error as exc:
            raise ArchiveError(f"archive {self.path}: cannot record the kill ({exc})") from None
        self._present = True

    def photos(self) -> list[KilledPhoto]:
        """Every killed photo, in the order recorded."""
        if not self._present:
            return []
        try:
            rows = self._conn.execute("SELECT sha256, image, reason, killed, version, hashes FROM kills "
                                      "ORDER BY id").fetchall()
        except sqlite3.Error as exc:
            raise ArchiveError(f"archive {self.path}: cannot read its kill notices ({exc})") from None
        out = []
        for sha256, image, reason, killed, version, hashes in rows:
            try:
                values = json.loads(str(hashes))
            except ValueError:
                values = {}
            if not isinstance(values, dict):
                values = {}
            out.append(KilledPhoto(sha256=str(sha256), image=None if image is None else str(image),
                                   reason=str(reason), killed=str(killed),
                                   hashes=Hashes(version=str(version),
                                                 values=MappingProxyType({str(k): str(v) for k, v in values.items()}))))
        return out

    def search_many(self, queries: Sequence[tuple[Hashes | None, str]]) -> list[tuple[KillNotice, ...]]:
        """The notices each (hashes, sha256) query matches: the same file first, then the same photo as
        `similarity.compare_many` judges it, among the candidates a `PhotoIndex` of the killed photos
        finds (as the archive's search does)."""
        killed = self.photos()
        groups: dict[str, tuple[list[KilledPhoto], list[PreparedHashes], PhotoIndex]] = {}
        usable: dict[str, list[tuple[KilledPhoto, PreparedHashes]]] = {}
        for photo in killed:
            try:
                usable.setdefault(photo.hashes.version, []).append((photo, prepare(photo.hashes)))
            except (KeyError, ValueError):  # recorded by its content only, or damaged: matched by file
                continue
        for version, pairs in usable.items():
            photos = [photo for photo, _ in pairs]
            groups[version] = (photos, [prepared for _, prepared in pairs],
                               PhotoIndex.build([photo.hashes for photo in photos]))
        results = []
        for hashes, sha256 in queries:
            found = {p.sha256: _notice(p, 1.0, "the same file (byte-identical)", ()) for p in killed
                     if p.sha256 == sha256}
            if hashes is not None and hashes.version in groups:
                photos, prepared, index = groups[hashes.version]
                try:
                    near = index.candidates(hashes).tolist()
                    judged = compare_many(prepare(hashes), [prepared[i] for i in near]) if near else []
                except (KeyError, ValueError):
                    near, judged = [], []
                for i, similarity in zip(near, judged, strict=True):
                    photo = photos[i]
                    if similarity is not None and photo.sha256 not in found:
                        found[photo.sha256] = _notice(photo, similarity.score, similarity.describe(), similarity.how)
            results.append(tuple(found.values()))
        return results


def _notice(photo: KilledPhoto, score: float, similarity: str, how: tuple[str, ...]) -> KillNotice:
    return KillNotice(reason=photo.reason, killed=photo.killed, image=photo.image, sha256=photo.sha256,
                      score=score, similarity=similarity, how=how)


def now() -> str:
    """The time a kill is recorded: now, in UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def lookup(
    path: Path, articles: Iterable[Article], images: Sequence[ImageRecord], matches: Sequence[Match], cwd: Path,
) -> Mapping[tuple[str, str, int], tuple[KillNotice, ...]]:
    """The check's kill stage: each figure's notices, keyed (root, article path, figure index).

    Raises `NoKillNotices` for a Parquet archive and `ArchiveError` when the archive cannot be read.
    """
    table = image_table(images)
    wanted = [(article, photo) for article in articles
              for photo in photos_of(article, table, matches, key="", cwd=cwd)]
    with KillRegister(path) as register:
        queries = {photo.sha256: (photo.hashes, photo.sha256) for _, photo in wanted}
        found = dict(zip(queries, register.search_many(list(queries.values())), strict=True))
    return MappingProxyType({(article.root, article.path, photo.figure): found[photo.sha256]
                             for article, photo in wanted if found[photo.sha256]})
