"""The photo archive as partitioned Parquet: built and searched in parallel, on Dask when asked.

`provenance archive build SOURCE... --out DIR` hashes the photos of SOURCE (folders of articles, or a
CSV/JSONL manifest of image files as a CMS exports them) and writes the rows the SQLite archive
(`provenance.archive`) stores, plus the band hashes as columns, into Parquet files in DIR:

* ``DIR/_archive.json``: marks the folder as a provenance Parquet archive (its format);
* ``DIR/NAME.parquet``: one partition, the rows of a stable slice of one source (a chunk of
  `--partition-size` manifest rows, or of article folders, in sorted order);
* ``DIR/NAME.done.json``: written after the partition, it records the identity of the partition's
  inputs (names, sizes and modification times of the files, the manifest's fields), its row count
  and hash versions.

Each file is written under a temporary name, flushed and renamed, so a build killed midway leaves
whole files only (and temporary ones, which the next build deletes: one build at a time per
folder). A partition counts only with its done-marker, and only when the marker's inputs are the
ones planned now: a resumed build skips those (no image of them is read again) and rewrites every
other one under the same name, so rows are never doubled. Partitions of a source that a smaller
plan no longer names are deleted.

Searching reads the partitions one at a time (memory bounded by one partition): the global and
patch hashes go into a `PhotoIndex` (`PhotoIndex.from_arrays`), its quick candidates are compared
with `similarity.compare`, and the hits of all partitions are merged, earliest first. With a Dask
client the partitions are searched on its workers.

pyarrow and dask are the optional extra ``scale``; they are imported only here, and only when
used.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from provenance.archive import (
    ArchivedPhoto,
    ArchiveError,
    HashVersionError,
    _photo,
    _row,
    article_key,
    check_versions,
    hit_order,
    judge,
    location,
    photos_of,
)
from provenance.atomic import TEMPORARY_SUFFIX, write_file
from provenance.media.files import walk
from provenance.model import ArchiveHit, Hashes, image_table
from provenance.user_files import open_regular

if TYPE_CHECKING:
    import pyarrow as pa
    from distributed import Client

FORMAT = 1
"""Layout of a Parquet archive folder; stored in its `_archive.json`."""
MARKER = "_archive.json"
"""The file that makes a folder a Parquet archive."""
DONE = ".done.json"
"""Suffix of a partition's done-marker (beside `NAME.parquet`)."""
MAX_MANIFEST_BYTES = 4 * 1024 * 1024 * 1024
"""A manifest larger than this is not read."""
MANIFEST_PARTITION = 1000
"""Default manifest rows (images) per partition."""
ARTICLES_PARTITION = 50
"""Default article folders per partition."""
ROW_GROUP = 16_384
"""Rows per Parquet row group: a search reads the whole rows of the row groups holding candidates only."""
INDEX_COLUMNS = ("phash", "phash_mirror", "band_phash", "band_phash_mirror", "patches", "sha256")
"""What a search reads of every row; the other columns are read for candidates only."""
_TEXT = ("article", "path", "title", "published", "caption", "credit", "image", "sha256", "version", "local_head",
         "hashes", "added")
_GLOBAL = ("phash", "phash_mirror", "band_phash", "band_phash_mirror")
_FIELDS = ("image", "article", "date", "caption", "credit", "title")
"""Manifest fields (`published` is taken for `date`, `path` for `image`)."""


def missing() -> str | None:
    """Why the Parquet archive cannot be used here (the extra is not installed), or None."""
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return "the Parquet archive needs pyarrow: pip install 'provenance[scale]'"
    return None


def missing_dask(option: str = "--engine dask") -> str | None:
    """Why Dask cannot be used here (for `option`), or None."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return f"{option} needs dask.distributed: pip install 'provenance[scale]'"
    return None


def schema() -> pa.Schema:
    """The columns of every partition: the SQLite archive's, with the band hashes as columns too."""
    import pyarrow as pa

    columns: list[tuple[str, pa.DataType]] = [
        ("article", pa.string()), ("path", pa.string()), ("title", pa.string()), ("published", pa.string()),
        ("figure", pa.int64()), ("caption", pa.string()), ("credit", pa.string()), ("image", pa.string()),
        ("sha256", pa.string()), ("version", pa.string()),
        *((name, pa.uint64()) for name in _GLOBAL),
        ("patches", pa.binary()), ("local_head", pa.string()), ("local", pa.binary()), ("hashes", pa.string()),
        ("added", pa.string()),
    ]
    return pa.schema(columns)


def _hex(value: str | None) -> int | None:
    return int(value, 16) if value else None


def columns_of(photos: Sequence[ArchivedPhoto], added: str) -> dict[str, list[Any]]:
    """The archive's rows of `photos`, column by column (the SQLite archive's values)."""
    out: dict[str, list[Any]] = {name: [] for name in schema().names}
    for photo in photos:
        (article, path, title, published, figure, caption, credit, image, sha256, version, _, _, patches,
         head, local, hashes, stamp) = _row(photo, added)
        values = {"article": article, "path": path, "title": title, "published": published, "figure": figure,
                  "caption": caption, "credit": credit, "image": image, "sha256": sha256, "version": version,
                  "phash": _hex(photo.hashes.values.get("phash")),
                  "phash_mirror": _hex(photo.hashes.values.get("phash_mirror")),
                  "band_phash": _hex(photo.hashes.values.get("band_phash")),
                  "band_phash_mirror": _hex(photo.hashes.values.get("band_phash_mirror")),
                  "patches": patches, "local_head": head, "local": local, "hashes": hashes, "added": stamp}
        for name, value in values.items():
            out[name].append(value)
    return out


def table_of(photos: Sequence[ArchivedPhoto], added: str | None = None) -> pa.Table:
    """A partition's table of `photos`."""
    import pyarrow as pa

    added = added or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return pa.Table.from_pydict(columns_of(photos, added), schema=schema())


def photos_in(table: pa.Table) -> list[ArchivedPhoto]:
    """The `ArchivedPhoto`s of a partition's rows, in order."""
    data = table.select(["article", "path", "title", "published", "figure", "caption", "credit", "image", "sha256",
                         "version", "local_head", "local", "hashes"]).to_pydict()
    rows = zip(*data.values(), strict=True)
    return [_photo((0, *row))[1] for row in rows]


# --- planning a build --------------------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    """One partition to build: what it reads and how those inputs are known."""

    name: str
    """File name stem, stable for the same source and slice: ``<kind>-<source digest>-<chunk>``."""
    source: str
    """The prefix every partition of this source shares (``<kind>-<source digest>``)."""
    task: Mapping[str, Any]
    """What a worker needs (plain JSON values): see `hash_partition`."""
    identity: str
    """SHA-256 of the inputs' names, sizes, times and fields: a done-marker must name the same."""
    images: int
    """Images (manifest rows) or article folders it reads."""


def _stat(path: Path) -> list[object]:
    try:
        st = path.stat()
    except OSError:
        return [path.name, None, None]
    return [path.name, st.st_size, st.st_mtime_ns]


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _chunks(items: Sequence[Any], size: int) -> Iterator[tuple[int, Sequence[Any]]]:
    for number, start in enumerate(range(0, len(items), size)):
        yield number, items[start:start + size]


def read_manifest(path: Path) -> list[dict[str, Any]]:
    """The rows of a CSV (with a header) or JSONL manifest, each with `image` resolved inside the manifest's
    folder and `figure` numbered per article; raises `ArchiveError` naming the line of a bad row."""
    folder = path.parent.resolve()
    raw: list[tuple[int, Mapping[str, Any]]] = []
    try:
        with io.TextIOWrapper(open_regular(path, MAX_MANIFEST_BYTES), encoding="utf-8-sig", newline="") as fh:
            if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
                for line_no, line in enumerate(fh, 1):
                    if line.strip():
                        try:
                            item = json.loads(line)
                        except ValueError as exc:
                            raise ArchiveError(f"{path}:{line_no}: not JSON: {exc}") from None
                        except RecursionError:
                            raise ArchiveError(f"{path}:{line_no}: JSON nested too deep to read") from None
                        if not isinstance(item, dict):
                            raise ArchiveError(f"{path}:{line_no}: expected an object")
                        raw.append((line_no, item))
            else:
                for line_no, item in enumerate(csv.DictReader(fh), 2):
                    raw.append((line_no, item))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ArchiveError(f"{path}: cannot read the manifest: {exc}") from None
    rows: list[dict[str, Any]] = []
    figures: dict[str, int] = {}
    for line_no, item in raw:
        values = {k.strip().lower(): (str(v).strip() if v is not None else "") for k, v in item.items() if k}
        image = values.get("image") or values.get("path") or ""
        article = values.get("article") or values.get("url") or ""
        if not image or not article:
            raise ArchiveError(f"{path}:{line_no}: a manifest row needs an image path and an article")
        rel = Path(image)
        resolved = (folder / rel).resolve()
        if rel.is_absolute() or not resolved.is_relative_to(folder):
            raise ArchiveError(f"{path}:{line_no}: image {image!r} is outside the manifest's folder {folder.name}/ "
                               "(paths are relative to the manifest's folder)")
        figure = figures.get(article, 0)
        figures[article] = figure + 1
        rows.append({"image": resolved.relative_to(folder).as_posix(), "article": article, "figure": figure,
                     "published": values.get("date") or values.get("published") or None,
                     "caption": values.get("caption") or None, "credit": values.get("credit") or None,
                     "title": values.get("title") or None})
    return rows


def _article_folders(source: Path) -> list[Path]:
    """Every folder under `source` (itself included, hidden folders left out) holding article files, sorted."""
    from provenance.articles.loader import article_format

    found = []
    for folder, _dirs, files in walk(source):  # without recursion: a folder nested 1,000 deep is planned
        if any(article_format(Path(folder) / f) is not None for f in files):
            found.append(Path(folder))
    return sorted(found)


def plan(sources: Sequence[Path], cwd: Path, size: int | None = None) -> list[Partition]:
    """The partitions of a build of `sources` (article folders or files, CSV/JSONL manifests)."""
    partitions: list[Partition] = []
    for source in sources:
        absolute = source.resolve()
        if not source.exists():
            raise ArchiveError(f"{source}: no such file or folder")
        if not source.is_file() and not source.is_dir():
            raise ArchiveError(f"{source}: not a regular file (a pipe or a device) nor a folder; not read")
        if source.is_file() and source.suffix.lower() in (".csv", ".jsonl", ".ndjson", ".json"):
            prefix = f"manifest-{_digest(absolute.as_posix())[:12]}"
            rows = read_manifest(source)
            folder = absolute.parent
            for number, chunk in _chunks(rows, size or MANIFEST_PARTITION):
                identity = _digest([[row, _stat(folder / row["image"])[1:]] for row in chunk])
                partitions.append(Partition(
                    name=f"{prefix}-{number:06d}", source=prefix, identity=identity, images=len(chunk),
                    task={"kind": "manifest", "root": folder.as_posix(), "rows": list(chunk),
                          "cwd": cwd.as_posix()}))
        else:
            prefix = f"articles-{_digest(absolute.as_posix())[:12]}"
            targets = [absolute] if source.is_file() else _article_folders(absolute)
            for number, chunk in _chunks(targets, size or ARTICLES_PARTITION):
                listing = []
                for target in chunk:  # its files and the images anywhere under it, as `check` reads them
                    files = sorted(f for f in target.rglob("*") if f.is_file()) if target.is_dir() else [target]
                    listing.append([target.as_posix(), [[f.relative_to(target.parent).as_posix(), *_stat(f)[1:]]
                                                         for f in files]])
                # Keys are relative to the current folder, as `archive add` makes them.
                partitions.append(Partition(
                    name=f"{prefix}-{number:06d}", source=prefix, identity=_digest([listing, cwd.as_posix()]),
                    images=len(chunk),
                    task={"kind": "articles", "targets": [t.as_posix() for t in chunk], "cwd": cwd.as_posix()}))
    return partitions


# --- hashing (on a worker) --------------------------------------------------------------------


@dataclass
class Hashed:
    """What a worker hands back for one partition: its rows and what went wrong."""

    photos: list[ArchivedPhoto]
    errors: list[str]
    reads: int
    """Images read (decoded and hashed)."""


def hash_partition(task: Mapping[str, Any]) -> Hashed:
    """Read and hash the images of one partition (runs on a Dask worker or in this process)."""
    cwd = Path(task["cwd"])
    if task["kind"] == "manifest":
        return _hash_manifest(task, cwd)
    return _hash_articles(task, cwd)


def _hash_manifest(task: Mapping[str, Any], cwd: Path) -> Hashed:
    from provenance.media.reader import read_image

    root = Path(task["root"])
    photos: list[ArchivedPhoto] = []
    errors: list[str] = []
    for row in task["rows"]:
        record = read_image(root / row["image"], row["image"], root.as_posix())
        if record.hashes is None:
            errors.append(f"{location(root.as_posix(), row['image'], cwd)}: "
                          f"{'; '.join(record.errors) or 'cannot be decoded'}")
            continue
        photos.append(ArchivedPhoto(
            article=row["article"], path=None, title=row.get("title"), published=row.get("published"),
            figure=int(row["figure"]), caption=row.get("caption"), credit=row.get("credit"),
            image=location(root.as_posix(), row["image"], cwd), sha256=record.sha256, hashes=record.hashes))
    return Hashed(photos=photos, errors=errors, reads=len(task["rows"]))


def _hash_articles(task: Mapping[str, Any], cwd: Path) -> Hashed:
    from provenance.pipeline import CheckOptions, UsageError
    from provenance.pipeline import run as run_pipeline

    options = CheckOptions(select=frozenset(), archive=None, jobs=1, cache=None)
    photos: list[ArchivedPhoto] = []
    errors: list[str] = []
    reads = 0
    for target in task["targets"]:
        try:
            report = run_pipeline([Path(target)], options)
        except UsageError as exc:
            errors.append(str(exc))
            continue
        errors.extend(report.errors)
        reads += len(report.images)
        images = image_table(report.images)
        for article in report.articles:
            key = article_key(article, cwd)
            photos.extend(photos_of(article, images, report.matches, key=key, cwd=cwd))
    return Hashed(photos=photos, errors=errors, reads=reads)


# --- writing ----------------------------------------------------------------------------------


def _write_json(path: Path, value: object) -> None:
    write_file(path, lambda p: p.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n", encoding="utf-8"))


def write_partition(folder: Path, name: str, table: pa.Table, marker: Mapping[str, Any]) -> None:
    """Write one partition and then its done-marker, each atomically."""
    import pyarrow.parquet as pq

    write_file(folder / f"{name}.parquet",
                  lambda p: pq.write_table(table, p, compression="zstd", row_group_size=ROW_GROUP))
    _write_json(folder / f"{name}{DONE}", dict(marker))


def _versions_of(photos: Iterable[ArchivedPhoto]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for photo in photos:
        counts[photo.hashes.version] = counts.get(photo.hashes.version, 0) + 1
    return counts


def create(folder: Path) -> None:
    """Make `folder` a Parquet archive (kept when it is one already); raises `ArchiveError` when it holds
    something else."""
    if folder.exists() and not folder.is_dir():
        raise ArchiveError(f"archive {folder}: not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER
    if marker.is_file():
        _format(folder)
        return
    if any(p for p in folder.iterdir() if not p.name.startswith(".")):
        raise ArchiveError(f"archive {folder}: the folder is not empty and not a provenance Parquet archive")
    _write_json(marker, {"format": FORMAT, "kind": "provenance archive"})


def _format(folder: Path) -> None:
    try:
        meta = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArchiveError(f"archive {folder}: not a provenance Parquet archive (no {MARKER}; "
                           "`provenance archive build` makes one)") from None
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"archive {folder}: damaged {MARKER}: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ArchiveError(f"archive {folder}: format {meta.get('format') if isinstance(meta, dict) else '?'}, "
                           f"this provenance reads format {FORMAT}")


def done_partitions(folder: Path) -> dict[str, dict[str, Any]]:
    """Partition name -> done-marker, for every complete partition of the archive."""
    done: dict[str, dict[str, Any]] = {}
    for marker in sorted(folder.glob(f"*{DONE}")):
        name = marker.name[:-len(DONE)]
        try:
            value = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # never completed: rebuilt
        if isinstance(value, dict) and (folder / f"{name}.parquet").is_file():
            done[name] = value
    return done


def _versions(done: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for marker in done.values():
        for version, n in dict(marker.get("versions") or {}).items():
            counts[str(version)] = counts.get(str(version), 0) + int(n)
    return counts


def _remove(folder: Path, name: str) -> None:
    (folder / f"{name}{DONE}").unlink(missing_ok=True)  # the marker first: a half-removed partition is not done
    (folder / f"{name}.parquet").unlink(missing_ok=True)


@dataclass
class BuildResult:
    """What a build did."""

    built: list[str] = field(default_factory=list)
    """Partitions hashed and written by this run."""
    skipped: list[str] = field(default_factory=list)
    """Partitions already complete with the same inputs (not read again)."""
    removed: list[str] = field(default_factory=list)
    """Partitions of these sources the plan no longer names, deleted."""
    rows: int = 0
    """Rows written by this run."""
    reads: int = 0
    """Images read by this run."""
    errors: list[str] = field(default_factory=list)
    """Images or articles that could not be read (one line each)."""


def build(sources: Sequence[Path], out: Path, *, client: Client | None = None, size: int | None = None,
          cwd: Path | None = None, version: str | None = None, on_partition: Any = None) -> BuildResult:
    """Hash `sources` into the Parquet archive `out`, resuming a previous build of them; on `client`'s workers
    when given, else in this process. Raises `ArchiveError` (and `HashVersionError` when the archive holds
    photos hashed differently from `version`, by default this provenance's)."""
    from provenance.media.similarity import VERSION

    version = version or VERSION
    cwd = cwd or Path.cwd()
    create(out)
    for temporary in out.glob(f".*{TEMPORARY_SUFFIX}"):  # left by a build that was killed while writing
        temporary.unlink(missing_ok=True)
    partitions = plan(sources, cwd, size)
    done = done_partitions(out)
    check_versions(out, _versions(done), version,
                   remedy="building it again into a new folder (or deleting this one first)")
    result = BuildResult()
    todo: list[Partition] = []
    planned = {p.name for p in partitions}
    for partition in partitions:
        marker = done.get(partition.name)
        if marker is not None and marker.get("inputs") == partition.identity:
            result.skipped.append(partition.name)
        else:
            todo.append(partition)
    prefixes = {p.source for p in partitions}
    for name in sorted(set(done) | {p.stem for p in out.glob("*.parquet")}):
        if name not in planned and name.rsplit("-", 1)[0] in prefixes:
            _remove(out, name)
            result.removed.append(name)
    by_name = {p.name: p for p in todo}

    def finish(name: str, hashed: Hashed) -> None:
        partition = by_name[name]
        versions = _versions_of(hashed.photos)
        if set(versions) - {version}:
            raise HashVersionError(f"archive {out}: a worker hashed by {sorted(versions)!r}, this provenance by "
                                   f"{version!r}: install the same versions of provenance, Pillow, numpy and "
                                   "scipy on every worker")
        write_partition(out, name, table_of(hashed.photos), {
            "format": FORMAT, "partition": name, "inputs": partition.identity, "rows": len(hashed.photos),
            "versions": versions, "images": partition.images, "errors": hashed.errors})
        result.built.append(name)
        result.rows += len(hashed.photos)
        result.reads += hashed.reads
        result.errors.extend(hashed.errors)
        if on_partition is not None:
            on_partition(name, hashed)

    if client is None:
        for partition in todo:
            finish(partition.name, hash_partition(partition.task))
    else:
        from distributed import as_completed

        futures = {client.submit(hash_partition, p.task, key=f"provenance-hash-{p.name}-{p.identity[:12]}",
                                 pure=False): p.name for p in todo}
        for future in as_completed(list(futures)):
            finish(futures[future], future.result())
    return result


# --- searching --------------------------------------------------------------------------------


Query = tuple[Hashes, "str | None"]
"""A photo to look up: its hashes, and the SHA-256 of its file (byte-identical copies) when known."""


def _patch_arrays(column: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Counts and concatenated little-endian 64-bit patch hashes of a binary column."""
    import pyarrow as pa

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(array)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset:array.offset + n + 1].astype(np.int64)
    data = array.buffers()[2]
    counts = np.diff(offsets) // 8
    raw = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]] if data is not None else np.zeros(0, np.uint8)
    bits = raw.view("<u8").astype(np.uint64)
    return counts, bits


def search_partition(file: str, queries: Sequence[Query]) -> list[list[ArchiveHit]]:
    """The hits of each query among one partition's rows (runs on a Dask worker or in this process)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from provenance.media.index import PhotoIndex

    parquet = pq.ParquetFile(file)
    table = parquet.read(columns=list(INDEX_COLUMNS))
    results: list[list[ArchiveHit]] = [[] for _ in queries]
    if table.num_rows == 0:
        return results
    counts, bits = _patch_arrays(table.column("patches"))

    def global_column(name: str) -> np.ndarray[Any, Any]:
        return np.asarray(table.column(name).fill_null(0).to_numpy(), dtype=np.uint64)

    index = PhotoIndex.from_arrays(**{name: global_column(name) for name in _GLOBAL}, counts=counts, bits=bits)
    # The rows holding any of the queries' files, found in one pass over the column, then by file.
    files = sorted({sha256 for _, sha256 in queries if sha256 is not None})
    same_file: dict[str, list[int]] = {}
    if files:
        column = table.column("sha256")
        for row in np.flatnonzero(pc.is_in(column, value_set=pa.array(files)).to_numpy(zero_copy_only=False)).tolist():
            same_file.setdefault(column[row].as_py(), []).append(row)
    wanted: list[tuple[int, set[int]]] = []
    for number, (hashes, sha256) in enumerate(queries):
        rows = set(index.candidates(hashes).tolist())
        if sha256 is not None:
            rows.update(same_file.get(sha256, ()))
        wanted.append((number, rows))
    needed = sorted(set().union(*(rows for _, rows in wanted)))
    if not needed:
        return results
    del index, bits
    photos = _rows_at(parquet, needed)
    for number, rows in wanted:
        hashes, sha256 = queries[number]
        results[number] = [hit for row in sorted(rows) if (hit := judge(photos[row], hashes, sha256)) is not None]
    return results


def _rows_at(parquet: Any, rows: Sequence[int]) -> dict[int, ArchivedPhoto]:
    """The photos at positions `rows` (sorted) of a partition, reading only the row groups that hold them."""
    starts = np.cumsum([0] + [parquet.metadata.row_group(g).num_rows for g in range(parquet.num_row_groups)])
    wanted = np.asarray(rows, dtype=np.int64)
    groups = np.searchsorted(starts, wanted, side="right") - 1
    photos: dict[int, ArchivedPhoto] = {}
    for group in np.unique(groups).tolist():
        inside = wanted[groups == group]
        table = parquet.read_row_group(group).take((inside - starts[group]).tolist())
        photos.update(zip(inside.tolist(), photos_in(table), strict=True))
    return photos


class ParquetArchive:
    """A Parquet archive folder, searched partition by partition (on Dask workers when a client is given)."""

    def __init__(self, path: Path, *, client: Client | None = None) -> None:
        reason = missing()
        if reason is not None:
            raise ArchiveError(f"archive {path}: {reason}")
        if not path.is_dir():
            raise ArchiveError(f"archive {path}: no such folder (`provenance archive build` makes one)")
        _format(path)
        self.path = path
        self.client = client
        self._done = done_partitions(path)

    def __enter__(self) -> ParquetArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing is held open; kept for symmetry with `Archive`."""

    def partitions(self) -> list[Path]:
        """The complete partitions' files, by name."""
        return [self.path / f"{name}.parquet" for name in sorted(self._done)]

    def versions(self) -> dict[str, int]:
        """Hash version -> how many photos were stored with it."""
        return _versions(self._done)

    def photos(self) -> list[ArchivedPhoto]:
        """Every stored photo, partition by partition."""
        import pyarrow.parquet as pq

        photos: list[ArchivedPhoto] = []
        for file in self.partitions():
            photos.extend(photos_in(pq.read_table(file)))
        return photos

    def search(self, hashes: Hashes, sha256: str | None = None) -> tuple[ArchiveHit, ...]:
        """As `Archive.search`: every stored photo showing the same photo, earliest first."""
        return self.search_many([(hashes, sha256)])[0]

    def search_many(self, queries: Sequence[Query]) -> list[tuple[ArchiveHit, ...]]:
        """The hits of each query, earliest first; raises `HashVersionError` for photos hashed differently."""
        for version in sorted({h.version for h, _ in queries}):
            check_versions(self.path, self.versions(), version,
                           remedy="building it again with `provenance archive build`")
        merged: list[list[ArchiveHit]] = [[] for _ in queries]
        if not queries:
            return []
        files = [f.as_posix() for f in self.partitions()]
        if self.client is None:
            parts: Iterable[list[list[ArchiveHit]]] = (search_partition(f, queries) for f in files)
        else:
            from distributed import as_completed

            [shared] = self.client.scatter([list(queries)], broadcast=True, hash=False)  # one object, every worker
            futures = [self.client.submit(search_partition, f, shared, pure=False) for f in files]
            parts = (future.result() for future in as_completed(futures))
        for part in parts:
            for number, hits in enumerate(part):
                merged[number].extend(hits)
        return [tuple(sorted(hits, key=hit_order)) for hits in merged]


# --- import between the two archives ----------------------------------------------------------


def import_archive(source: Path, dest: Path, size: int | None = None) -> tuple[int, str]:
    """Copy every photo of one archive into the other (SQLite file -> Parquet folder, or back); returns the
    number of photos and the direction. Raises `ArchiveError`."""
    from provenance.archive import Archive

    if source.is_dir():
        if dest.is_dir():
            raise ArchiveError(f"archive import: {source} and {dest} are both folders (Parquet archives); "
                               "one must be a SQLite archive file")
        photos = ParquetArchive(source).photos()
        by_article: dict[str, list[ArchivedPhoto]] = {}
        for photo in photos:
            by_article.setdefault(photo.article, []).append(photo)
        with Archive(dest, create=True) as archive:
            _refuse_mixing(dest, archive.versions(), _versions_of(photos))
            for article, rows in by_article.items():
                archive.record(article, rows)
        return len(photos), "parquet-to-sqlite"
    if not source.is_file():
        raise ArchiveError(f"archive {source}: no such file or folder")
    if dest.exists() and not dest.is_dir():
        raise ArchiveError(f"archive import: {source} and {dest} are both files (SQLite archives); "
                           "one must be a Parquet archive folder")
    with Archive(source) as archive:
        photos = archive.photos()
    create(dest)
    done = done_partitions(dest)
    _refuse_mixing(dest, _versions(done), _versions_of(photos))
    prefix = f"import-{_digest(source.resolve().as_posix())[:12]}"
    for name in done:
        if name.rsplit("-", 1)[0] == prefix:
            _remove(dest, name)
    step = size or MANIFEST_PARTITION
    for number, chunk in _chunks(photos, step):
        name = f"{prefix}-{number:06d}"
        write_partition(dest, name, table_of(list(chunk)), {
            "format": FORMAT, "partition": name, "inputs": _digest([source.resolve().as_posix(), number]),
            "rows": len(chunk), "versions": _versions_of(chunk), "images": len(chunk), "errors": []})
    return len(photos), "sqlite-to-parquet"


def _refuse_mixing(dest: Path, there: Mapping[str, int], coming: Mapping[str, int]) -> None:
    """Raise `HashVersionError` when importing photos of `coming` versions next to `there` would mix versions."""
    versions = sorted(set(there) | set(coming))
    if len(versions) > 1:
        reference = next(iter(sorted(coming)), versions[0])
        combined = {v: there.get(v, 0) + coming.get(v, 0) for v in versions}
        check_versions(dest, combined, reference, remedy="importing into a new archive")
