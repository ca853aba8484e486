"""Benchmark: the Parquet archive at agency scale, on a Dask `LocalCluster` of this machine.

Two measurements, to size a cluster:

1. Search: a synthetic Parquet archive of N photos (default 10,000,000) in partitions of P rows
   (default 500,000), generated directly with numpy on the cluster's workers (no image is hashed).
   Every row has the columns and shape of a real one (the hash values of a real photo, fixtures'
   coffee.jpg, with random global hashes `phash`, `phash_mirror`, `band_phash`,
   `band_phash_mirror`, `dhash16` and `band_dhash`), but a REDUCED local feature set: 8 local
   features per photo (the positions of the photo's first 8, random 64-bit patch hashes) where a
   real photo has up to a few hundred, so that 10 million rows take about 3 GB of disk, not
   tens. A batch of Q queries (default 1,000: half edited copies of archived photos, 3 bits of
   their global hashes changed and their features kept, half random photos) is searched with
   `ParquetArchive.search_many` on the cluster: every partition is searched by one worker
   (`PhotoIndex.from_arrays` on its hash columns, quick candidates, `compare`), and the hits
   merged. Prints queries per second, how many edited copies found their original, and each
   worker's resident memory at its peak.
2. Hashing: H generated photos (default 200 JPEGs of 6000 x 4000, an agency camera's 24
   megapixels) listed in a CSV manifest are hashed by `archive_parquet.build` on the same
   cluster (what `provenance archive build --engine dask` runs); prints images per second, and
   per second per worker (one core each).

Run by hand:  python benchmarks/archive_scale.py [--photos N] [--partition P] [--queries Q]
              [--images H] [--size WxH] [--workers W] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from provenance import archive_parquet
from provenance.archive_parquet import DONE, FORMAT, ParquetArchive, create, schema
from provenance.media.reader import read_image
from provenance.model import Hashes

ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "fixtures" / "rules" / "reused-photo" / "clean-md" / "coffee.jpg"
FEATURES = 8
"""Local features per synthetic photo (reduced: a real photo has up to a few hundred)."""
FEATURE = 14
"""Bytes per local feature in the `local` value: x, y, scale (2 bytes each) and the patch hash (8, big-endian)."""
_RANDOM = ("phash", "phash_mirror", "band_phash", "band_phash_mirror")


def template() -> Hashes:
    """The hashes of a real photo: the shape of every synthetic row."""
    hashes = read_image(PHOTO, PHOTO.name, PHOTO.parent.as_posix()).hashes
    assert hashes is not None
    return hashes


def _binary(values: np.ndarray[Any, Any]) -> Any:
    """A pyarrow binary array of equal-length rows (a 2-D uint8 array), without a Python loop."""
    import pyarrow as pa

    n, width = values.shape
    offsets = (np.arange(n + 1, dtype=np.int32) * width).tobytes()
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(np.ascontiguousarray(values).tobytes())])


def generate_partition(folder: str, number: int, rows: int, first: int, template_values: dict[str, str],
                       version: str) -> int:
    """Write synthetic partition `number` (rows first.. first+rows-1) and its done-marker; returns its rows."""
    import pyarrow as pa

    rng = np.random.default_rng(number)
    values = dict(template_values)
    head, _, body = values.pop("local").partition(":")
    records = np.frombuffer(bytes.fromhex(body), dtype=np.uint8).reshape(-1, FEATURE)[:FEATURES]
    bits = rng.integers(0, 2**64 - 1, size=(rows, FEATURES), dtype=np.uint64, endpoint=True)
    local = np.repeat(records[None], rows, axis=0)
    local[:, :, 6:] = bits.astype(">u8").view(np.uint8).reshape(rows, FEATURES, 8)
    glob = rng.integers(0, 2**64 - 1, size=(rows, 4), dtype=np.uint64, endpoint=True)
    fine = rng.integers(0, 2**64 - 1, size=(rows, 12), dtype=np.uint64, endpoint=True)
    for name in (*_RANDOM, "dhash16", "dhash16_mirror", "band_dhash", "band_dhash_mirror"):
        values[name] = f"@{name}@"
    pattern = json.dumps(values, sort_keys=True).replace("{", "{{").replace("}", "}}")
    for k, name in enumerate(_RANDOM):
        pattern = pattern.replace(f"@{name}@", f"{{g{k}:016x}}")
    pattern = (pattern.replace("@dhash16@", "{d0}").replace("@dhash16_mirror@", "{d1}")
               .replace("@band_dhash@", "{b0:016x}").replace("@band_dhash_mirror@", "{b1:016x}"))
    g = glob.tolist()
    f = fine.tolist()
    hashes = [pattern.format(g0=a[0], g1=a[1], g2=a[2], g3=a[3], d0=fine[i, :4].tobytes().hex(),
                             d1=fine[i, 4:8].tobytes().hex(), b0=f[i][8], b1=f[i][9])
              for i, a in enumerate(g)]
    ids = np.arange(first, first + rows)
    columns = {
        "article": pa.array([f"https://example.com/{i}" for i in ids.tolist()]),
        "path": pa.nulls(rows, pa.string()),
        "title": pa.array(["A title"] * rows),
        "published": pa.array(["2024-08-01"] * rows),
        "figure": pa.array(np.zeros(rows, dtype=np.int64)),
        "caption": pa.array(["A caption."] * rows),
        "credit": pa.array(["Getty Images"] * rows),
        "image": pa.array([f"media/{i}.jpg" for i in ids.tolist()]),
        "sha256": pa.array([f"{i:064x}" for i in ids.tolist()]),
        "version": pa.array([version] * rows),
        **{name: pa.array(glob[:, k]) for k, name in enumerate(_RANDOM)},
        "patches": _binary(bits.astype("<u8").view(np.uint8).reshape(rows, FEATURES * 8)),
        "local_head": pa.array([head] * rows),
        "local": _binary(local.reshape(rows, FEATURES * FEATURE)),
        "hashes": pa.array(hashes),
        "added": pa.array(["2024-08-01T00:00:00+00:00"] * rows),
    }
    table = pa.Table.from_pydict(columns, schema=schema())
    name = f"synthetic-{number:06d}"
    archive_parquet.write_partition(Path(folder), name, table, {
        "format": FORMAT, "partition": name, "inputs": f"synthetic {number} {rows}", "rows": rows,
        "versions": {version: rows}, "images": rows, "errors": []})
    return rows


def edited(stored: Hashes, rng: np.random.Generator) -> Hashes:
    """An edited copy of `stored`: 3 bits of each global hash changed, its features kept."""
    values = dict(stored.values)
    for name in _RANDOM:
        value = int(values[name], 16)
        for bit in rng.choice(64, size=3, replace=False):
            value ^= 1 << int(bit)
        values[name] = f"{value:016x}"
    return Hashes(version=stored.version, values=values)


def random_query(shape: Hashes, rng: np.random.Generator) -> Hashes:
    """A photo that is in no partition: random global hashes and patch hashes."""
    values = dict(shape.values)
    for name in (*_RANDOM, "band_dhash", "band_dhash_mirror"):
        values[name] = f"{int(rng.integers(0, 2**63)):016x}"
    head, _, body = values["local"].partition(":")
    records = np.frombuffer(bytes.fromhex(body), dtype=np.uint8).reshape(-1, FEATURE)[:FEATURES].copy()
    records[:, 6:] = rng.integers(0, 256, size=(len(records), 8), dtype=np.uint8)
    values["local"] = f"{head}:{records.tobytes().hex()}"
    return Hashes(version=shape.version, values=values)


def peak_rss_mb() -> float:
    """This process's peak resident memory (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """This process's current resident memory (MB)."""
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir()) / 2**20


def photo(path: str, seed: int, width: int, height: int) -> None:
    """One distinct JPEG of `width` x `height`: smooth random shapes with a little grain."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(12, 18, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC)
    grain = rng.integers(-12, 12, size=(height, width, 3), dtype=np.int16)
    pixels = np.clip(np.asarray(image, dtype=np.int16) + grain, 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, quality=88)


def photos(folder: Path, count: int, size: tuple[int, int], client: Any) -> Path:
    """`count` distinct JPEGs (made on the cluster) and a CSV manifest of them."""
    (folder / "photos").mkdir(parents=True)
    lines = ["image,article,date,caption,credit"]
    futures = [client.submit(photo, (folder / "photos" / f"{i:05d}.jpg").as_posix(), i, *size, pure=False)
               for i in range(count)]
    client.gather(futures)
    for i in range(count):
        lines.append(f"photos/{i:05d}.jpg,https://example.com/story/{i // 4},2024-08-01,Photo {i},Agency")
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=10_000_000)
    parser.add_argument("--partition", type=int, default=500_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--size", default="6000x4000", help="generated photos' width x height (default: 6000x4000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="build the synthetic archive here and keep it (reused when there)")
    args = parser.parse_args()

    from provenance.scale_cli import WORKER_ENVIRON, dask_client

    work = Path(tempfile.mkdtemp(prefix="archive-scale-"))
    folder = args.keep or work / "archive"
    shape = template()
    print(f"machine: {os.cpu_count()} cores; LocalCluster of {args.workers} single-threaded worker processes "
          f"({' '.join(f'{k}={v}' for k, v in WORKER_ENVIRON.items())})")
    with dask_client(None, args.workers) as client:
        try:
            # 1. Search.
            create(folder)
            parts = [(n, min(args.partition, args.photos - start), start)
                     for n, start in enumerate(range(0, args.photos, args.partition))]
            missing = [p for p in parts if not (folder / f"synthetic-{p[0]:06d}{DONE}").is_file()]
            started = time.perf_counter()
            futures = [client.submit(generate_partition, folder.as_posix(), n, rows, first, dict(shape.values),
                                     shape.version, pure=False) for n, rows, first in missing]
            client.gather(futures)
            print(f"synthetic archive: {args.photos:,} photos in {len(parts)} partitions of {args.partition:,} "
                  f"({FEATURES} local features each, reduced), {disk_mb(folder):,.0f} MB on disk, generated in "
                  f"{time.perf_counter() - started:.1f} s")
            rng = np.random.default_rng(7)
            archive = ParquetArchive(folder, client=client)
            import pyarrow.parquet as pq

            sources = []
            copies = args.queries // 2
            for n in rng.choice(len(parts), size=min(len(parts), 10), replace=False):
                file = folder / f"synthetic-{int(n):06d}.parquet"
                rows = pq.ParquetFile(file).metadata.num_rows
                taken = pq.read_table(file).take(rng.choice(rows, size=-(-copies // min(len(parts), 10)),
                                                            replace=False))
                sources.extend(archive_parquet.photos_in(taken))
            sources = sources[:copies]
            queries: list[tuple[Hashes, str | None]] = [(edited(p.hashes, rng), None) for p in sources]
            queries += [(random_query(shape, rng), None) for _ in range(args.queries - len(queries))]
            client.restart()  # fresh workers: their peak memory is the search's, not the generation's
            baseline = client.run(rss_mb)
            started = time.perf_counter()
            results = archive.search_many(queries)
            seconds = time.perf_counter() - started
            found = sum(any(h.sha256 == p.sha256 for h in hits) for p, hits in zip(sources, results, strict=False))
            false = sum(len(hits) for hits in results[len(sources):])
            peaks = client.run(peak_rss_mb)
            print(f"search: {len(queries):,} queries in {seconds:.1f} s = {len(queries) / seconds:.1f} queries/s "
                  f"over {args.photos:,} photos ({args.workers} workers); edited copies found: {found}/{len(sources)}; "
                  f"hits for random photos: {false}")
            idle = max(baseline.values())
            print(f"memory per worker: {idle:,.0f} MB idle, peak {max(peaks.values()):,.0f} MB resident "
                  f"(one partition of {args.partition:,} rows searched at a time)")
            # 2. Hashing.
            width, height = (int(v) for v in args.size.split("x"))
            manifest = photos(work / "cms", args.images, (width, height), client)
            client.restart()
            started = time.perf_counter()
            result = archive_parquet.build([manifest], work / "hashed", client=client, size=25)
            seconds = time.perf_counter() - started
            assert result.rows == args.images, result.errors
            rate = result.reads / seconds
            print(f"hashing: {result.reads} photos of {width} x {height} in {seconds:.1f} s = {rate:.1f} images/s, "
                  f"{rate / args.workers:.1f} images/s per core (archive build --engine dask, {args.workers} workers)")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
