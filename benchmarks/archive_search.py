"""Benchmark: how long one archive search takes among N recorded photos (default 1,000,000).

Builds a synthetic archive in a temporary folder: every row has the shape of a real one (the
hash values of a real photo, fixtures' coffee.jpg, with random `phash`, `phash_mirror` and 128
random 64-bit patch hashes), written with `executemany` in large transactions. It then prints

* the build time; the first load, which reads the hash columns, builds the index in memory (the
  previous way, once per process) and saves it beside the archive (`archive.sqlite.index/`); and
  the warm load of a fresh process, which opens the saved index memory-mapped, with that
  process's resident memory after loading and at its peak;
* in that fresh process, median and 95th percentile of one `Archive.search` (candidates, fetching
  them, `compare`) for queries that are edited copies of recorded photos (3 bits changed in
  `phash`, 40 patch hashes kept with up to 2 bits changed, the others new) and for queries
  matching nothing;
* beside it, the naive way measured in the same run: a Python loop calling `compare` on every
  row, timed over the first rows (10,000 by default) and scaled up to N; random patch hashes let
  `compare` stop early, so the loop is also timed on two real photos, whose features pair up.

Run by hand:  python benchmarks/archive_search.py [--photos N] [--queries Q] [--naive-rows R]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from provenance import archive as archive_module
from provenance.archive import Archive
from provenance.media.index import patch_hashes
from provenance.media.similarity import compare, compute_hashes
from provenance.model import Hashes

ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "fixtures" / "rules" / "reused-photo" / "clean-md" / "coffee.jpg"
OTHER_PHOTO = ROOT / "fixtures" / "rules" / "reused-photo" / "clean-md" / "chelsea.jpg"
CHUNK = 20_000
FEATURE = 14
"""Bytes per local feature in the `local` value: x, y, scale (2 bytes each) and the patch hash (8, big-endian)."""


def shaped(template: Hashes, features: int) -> Hashes:
    """`template` with exactly `features` local features (its own, repeated as needed)."""
    head, _, body = template.values["local"].partition(":")
    records = np.frombuffer(bytes.fromhex(body), dtype=np.uint8).reshape(-1, FEATURE)
    records = np.resize(records, (features, FEATURE))
    return Hashes(version=template.version, values={**template.values, "local": f"{head}:{records.tobytes().hex()}"})


def build(path: Path, photos: int, template: Hashes, rng: np.random.Generator) -> None:
    """Write `photos` synthetic rows shaped like `template`'s."""
    values = dict(template.values)
    head, _, body = values.pop("local").partition(":")
    records = np.frombuffer(bytes.fromhex(body), dtype=np.uint8).reshape(-1, FEATURE)
    features = len(records)
    # Every row gets its own 256-bit dhash, so that only its phash and dhash16 together confirm a match.
    values["dhash16"], values["dhash16_mirror"] = "{0}", "{1}"
    # and its own middle-band hashes.
    band = ("band_phash", "band_phash_mirror", "band_dhash", "band_dhash_mirror")
    for k, name in enumerate(band):
        values[name] = f"{{{k + 2}}}"
    hashes_json = json.dumps(values, sort_keys=True)
    with Archive(path, create=True):
        pass  # the schema
    conn = archive_module.sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    for start in range(0, photos, CHUNK):
        n = min(CHUNK, photos - start)
        bits = rng.integers(0, 2**64 - 1, size=(n, features), dtype=np.uint64, endpoint=True)
        local = np.repeat(records[None], n, axis=0)
        local[:, :, 6:] = bits.astype(">u8").view(np.uint8).reshape(n, features, 8)
        patches = bits.astype("<u8")
        phash = rng.integers(-(2**63), 2**63 - 1, size=(n, 2), dtype=np.int64, endpoint=True)
        fine = rng.integers(0, 2**64 - 1, size=(n, 12), dtype=np.uint64, endpoint=True)
        rows = (
            (f"https://example.com/{start + i}", f"articles/{start + i}.md", "A title", "2024-08-01", 0,
             "A caption.", "Getty Images", f"media/{start + i}.jpg", f"{start + i:064x}", template.version,
             int(phash[i, 0]), int(phash[i, 1]), patches[i].tobytes(), head, local[i].tobytes(),
             _fill(hashes_json, fine[i]),
             "2024-08-01T00:00:00+00:00")
            for i in range(n)
        )
        conn.execute("BEGIN")
        conn.executemany(archive_module._INSERT, rows)
        conn.execute("COMMIT")
    conn.close()


def _fill(hashes_json: str, fine: np.ndarray) -> str:
    """The row's own values in place of {0}..{5}: two 256-bit dhashes, then four 64-bit band hashes."""
    parts = [fine[:4].tobytes().hex(), fine[4:8].tobytes().hex(), *(f"{int(v):016x}" for v in fine[8:])]
    for k, part in enumerate(parts):
        hashes_json = hashes_json.replace(f"{{{k}}}", part)
    return hashes_json


def edited_copy(stored: Hashes, rng: np.random.Generator) -> Hashes:
    """A query like an edited copy of `stored`: 3 bits of phash changed, 40 patch hashes kept with
    up to 2 bits changed, the others new."""
    values = dict(stored.values)
    for name in ("phash", "phash_mirror"):
        value = int(values[name], 16)
        for bit in rng.choice(64, size=3, replace=False):
            value ^= 1 << int(bit)
        values[name] = f"{value:016x}"
    head, _, body = values["local"].partition(":")
    records = np.frombuffer(bytes.fromhex(body), dtype=np.uint8).reshape(-1, FEATURE).copy()
    bits = records[:, 6:].copy().view(">u8").ravel().astype(np.uint64)
    kept = 40
    for i in range(kept):
        for bit in rng.choice(64, size=int(rng.integers(0, 3)), replace=False):
            bits[i] ^= np.uint64(1) << np.uint64(int(bit))
    bits[kept:] = rng.integers(0, 2**64 - 1, size=len(bits) - kept, dtype=np.uint64, endpoint=True)
    records[:, 6:] = bits.astype(">u8").view(np.uint8).reshape(-1, 8)
    values["local"] = f"{head}:{records.tobytes().hex()}"
    return Hashes(version=stored.version, values=values)


def unrelated(template: Hashes, rng: np.random.Generator) -> Hashes:
    """A query matching nothing recorded: random global and patch hashes."""
    values = dict(template.values)
    values["phash"] = f"{int(rng.integers(0, 2**63)):016x}"
    values["phash_mirror"] = f"{int(rng.integers(0, 2**63)):016x}"
    head, _, body = values["local"].partition(":")
    records = np.frombuffer(bytes.fromhex(body), dtype=np.uint8).reshape(-1, FEATURE).copy()
    random_bits = rng.integers(0, 2**64 - 1, size=len(records), dtype=np.uint64, endpoint=True)
    records[:, 6:] = random_bits.astype(">u8").view(np.uint8).reshape(-1, 8)
    values["local"] = f"{head}:{records.tobytes().hex()}"
    return Hashes(version=template.version, values=values)


def percentile(times: list[float], q: float) -> float:
    return float(np.percentile(times, q)) * 1000


def _rss_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in MB (Linux)."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1e3, int(status["VmHWM"].split()[0]) / 1e3


def first_load(path: Path) -> None:
    """Time the index's first load: the rows read and indexed in memory, then saved beside the archive."""
    with Archive(path) as archive:
        conn = archive._conn
        started = time.perf_counter()
        loaded, state = archive_module._load(conn)
        built = time.perf_counter() - started
        index = loaded.index
        size = loaded.ids.nbytes + sum(a.nbytes for a in index._arrays().values())
        started = time.perf_counter()
        archive._save(loaded, state)
        saved = time.perf_counter() - started
        _, peak = _rss_mb()
    print(f"first load (rebuild): {built + saved:.1f} s = read and index in memory {built:.1f} s (the previous "
          f"way, once per process) + save {saved:.1f} s; index {size / 1e9:.2f} GB, peak RSS {peak:,.0f} MB")


def warm(path: Path, queries: int, naive_rows: int, features: int, seed: int, photos: int) -> None:
    """In a fresh process: open the saved index, then time searches."""
    rng = np.random.default_rng(seed + 1)
    template = shaped(compute_hashes(Image.open(PHOTO)), features)
    before, _ = _rss_mb()
    with Archive(path) as archive:
        started = time.perf_counter()
        archive.load()
        loaded = time.perf_counter() - started
        now, peak = _rss_mb()
        print(f"warm load (a new process, the saved index memory-mapped): {loaded:.2f} s, RSS {before:,.0f} MB "
              f"before, {now:,.0f} MB after (peak {peak:,.0f} MB)")
        targets = rng.choice(photos, size=queries, replace=False) + 1
        stored = {rid: photo for rid, photo in archive._fetch(sorted(int(t) for t in targets))}
        for kind in ("edited copy", "unrelated"):
            times = []
            others = 0
            for target in targets:
                query = edited_copy(stored[int(target)].hashes, rng) if kind == "edited copy" else (
                    unrelated(template, rng))
                started = time.perf_counter()
                hits = archive.search(query)
                times.append(time.perf_counter() - started)
                found = [h.article for h in hits]
                if kind == "edited copy":
                    assert stored[int(target)].article in found, (target, found)
                    found.remove(stored[int(target)].article)
                others += len(found)  # random rows that happen to match: should be none
            print(f"search, {kind}: median {statistics.median(times) * 1000:.1f} ms, "
                  f"p95 {percentile(times, 95):.1f} ms per query ({queries} queries, {others} other hits)")
        now, peak = _rss_mb()
        print(f"after the searches: RSS {now:,.0f} MB (peak {peak:,.0f} MB)")
        query = edited_copy(stored[int(targets[0])].hashes, rng)
        rows = [photo for _, photo in archive._fetch(list(range(1, naive_rows + 1)))]
        started = time.perf_counter()
        for photo in rows:
            compare(query, photo.hashes)
        naive = time.perf_counter() - started
        print(f"naive loop (compare on every row): {naive:.3f} s for {len(rows):,} rows, "
              f"about {naive * photos / len(rows):.1f} s per query at {photos:,} photos")
        # Random patch hashes let `compare` stop early; real photos' features pair up and cost more.
        other = compute_hashes(Image.open(OTHER_PHOTO))
        started = time.perf_counter()
        for _ in range(200):
            compare(template, other)
        each = (time.perf_counter() - started) / 200
        print(f"naive loop on real photos (compare of two different real photos): {each * 1000:.2f} ms per row, "
              f"about {each * photos:.0f} s per query at {photos:,} photos")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1_000_000, help="recorded photos (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=50, help="queries of each kind (default 50)")
    parser.add_argument("--naive-rows", type=int, default=10_000, help="rows the naive loop is timed on")
    parser.add_argument("--features", type=int, default=128, help="local features per photo (default 128)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--tmp", type=Path, help="folder for the temporary archive (default: the system's)")
    parser.add_argument("--warm", type=Path, help=argparse.SUPPRESS)  # the fresh process's part
    args = parser.parse_args()
    if args.warm:
        warm(args.warm, args.queries, args.naive_rows, args.features, args.seed, args.photos)
        return
    rng = np.random.default_rng(args.seed)
    template = shaped(compute_hashes(Image.open(PHOTO)), args.features)
    features = len(patch_hashes(template))
    with tempfile.TemporaryDirectory(prefix="archive-bench-", dir=args.tmp) as tmp:
        path = Path(tmp) / "archive.sqlite"
        started = time.perf_counter()
        build(path, args.photos, template, rng)
        with Archive(path) as archive:  # one recorded article more: the generation the index is built for
            [photo] = archive.photos("https://example.com/0")
            archive.record(photo.article, [photo])
        print(f"built {args.photos:,} photos x {features} features in {time.perf_counter() - started:.1f} s "
              f"({path.stat().st_size / 1e9:.2f} GB)")
        first_load(path)
        index = archive_module.index_path(path)
        on_disk = sum(f.stat().st_size for f in index.iterdir())
        print(f"saved index: {index.name}/ {on_disk / 1e9:.2f} GB")
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, "--warm", str(path), "--queries", str(args.queries),
                        "--naive-rows", str(args.naive_rows), "--features", str(args.features),
                        "--seed", str(args.seed), "--photos", str(args.photos)], check=True)
        shutil.rmtree(index, ignore_errors=True)


if __name__ == "__main__":
    main()
