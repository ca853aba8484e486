"""Benchmark: how fast does `provenance check` read a folder of large agency photos?

Generates N large JPEGs (default 200 at 6000x4000, 24 megapixels) with an article referencing
them, then measures, in one run and on the same files:

* `provenance check --no-cache` (cold: every image read, decoded and hashed);
* `provenance check` twice with a fresh cache: the first run fills it, the second (warm) finds
  every record there;
* a plain loop of `imagehash.phash(Image.open(p))`, one process (the baseline named in issue #7);
* the decode floor: a loop that only draft-decodes each file (as the reader does, to the same
  size), spread over the same number of processes.
* the work every cold check must do for each file and nothing else (`read_image`: the bytes, their
  sha256, the metadata, the draft decode and every hash), spread over the same processes: what the
  check adds beyond it is the article, the comparison of pairs, the rules and the report.

Each runs as its own subprocess, so every figure includes starting Python and importing what it
needs. Peak memory is the largest sum of the resident set sizes of the subprocess and all its
descendants, sampled every 20 ms from /proc (psutil when installed).

The photos are upscaled crops of scikit-image's sample photos (`skimage/data`), each with its own
crop, mirror, brightness gradient, colour cast and sensor-like noise, saved as quality-92 JPEGs
with 4:2:2 chroma and an EXIF credit, like a camera's files. They are generated once into
`--workdir` (default: a folder in the system's temporary folder) and reused by later runs.

Run by hand:  python benchmarks/speed.py [--n 200] [--size 6000x4000] [--jobs N] [--workdir DIR] [--repeat K]
(needs scikit-image).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = 1
"""Bump when the generated photos would change, so that cached folders are rebuilt."""
SOURCES = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png", "camera.png",
           "moon.png", "coins.png", "brick.png", "grass.png", "gravel.png", "hubble_deep_field.jpg", "ihc.png",
           "retina.jpg")
"""scikit-image sample photos (files of `skimage/data`) the benchmark's images are cut from."""
NOISE_TILE = 1024


# --- the photos ------------------------------------------------------------------------------

def _source(name: str) -> Image.Image:
    import skimage.data
    from PIL import Image

    with Image.open(Path(skimage.data.__file__).parent / name) as image:
        return image.convert("RGB")


def make_photo(index: int, path: Path, size: tuple[int, int]) -> None:
    """Write photo `index` of the set to `path`: a crop of a sample photo, upscaled, graded, noisy."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(1000 + index)
    name = SOURCES[index % len(SOURCES)]
    src = _source(name)
    width, height = size
    aspect = width / height
    # a crop of 45-100% of the source's side, at the target's aspect ratio, anywhere in it
    side = rng.uniform(0.45, 1.0)
    cw = min(src.width, src.height * aspect) * side
    ch = cw / aspect
    x0 = rng.uniform(0, src.width - cw)
    y0 = rng.uniform(0, src.height - ch)
    crop = src.resize(size, Image.Resampling.BICUBIC, box=(x0, y0, x0 + cw, y0 + ch))
    if rng.random() < 0.5:
        crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    pixels = np.asarray(crop)
    out = np.empty_like(pixels)
    # brightness gradient (a ramp in a random direction) and a colour cast
    angle = rng.uniform(0, 2 * np.pi)
    strength = rng.uniform(0.05, 0.25)
    gain = rng.uniform(0.9, 1.1, size=3).astype(np.float32)
    xs = np.linspace(-0.5, 0.5, width, dtype=np.float32)
    noise_rng = np.random.default_rng(7)
    tile = noise_rng.normal(0.0, 1.0, size=(NOISE_TILE, NOISE_TILE, 3)).astype(np.float32)
    sigma = np.float32(rng.uniform(2.0, 4.0))
    ox, oy = (int(v) for v in rng.integers(0, NOISE_TILE, size=2))
    band = 256
    for top in range(0, height, band):
        rows = slice(top, min(height, top + band))
        ys = (np.arange(rows.start, rows.stop, dtype=np.float32) / height - 0.5)[:, None]
        ramp = 1.0 + strength * (np.cos(angle) * xs[None, :] + np.sin(angle) * ys)
        noise = _tiled(tile, ox, oy + top, rows.stop - rows.start, width) * sigma
        values = pixels[rows].astype(np.float32) * ramp[..., None] * gain + noise
        out[rows] = np.clip(values, 0, 255).astype(np.uint8)
    photo = Image.fromarray(out)
    exif = Image.Exif()
    exif[0x013B] = f"Photographer {index % 17}"  # Artist
    exif[0x8298] = "(c) Agence Exemple"  # Copyright
    exif[0x010E] = f"Benchmark photo {index}, from scikit-image's {name.split('.')[0]}"  # ImageDescription
    tmp = path.with_suffix(".tmp")
    photo.save(tmp, "JPEG", quality=92, subsampling=1, exif=exif.tobytes())
    os.replace(tmp, path)


def _tiled(tile: object, ox: int, oy: int, rows: int, cols: int) -> object:
    """`tile` repeated over rows x cols, starting at (oy, ox) inside it: tile[(y + oy) % n, (x + ox) % n]."""
    import numpy as np

    assert isinstance(tile, np.ndarray)
    n = tile.shape[0]
    ys = (np.arange(rows) + oy) % n
    band = np.roll(tile[ys], -ox, axis=1)
    return np.tile(band, (1, -(-cols // n), 1))[:, :cols]


def build_folder(workdir: Path, n: int, size: tuple[int, int], jobs: int) -> Path:
    """The article folder of `n` photos of `size`, generating what is missing."""
    folder = workdir / f"article-g{GENERATOR}-{size[0]}x{size[1]}"
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"photo-{i:04d}.jpg" for i in range(n)]
    missing = [i for i, name in enumerate(names) if not (folder / name).is_file()]
    if missing:
        print(f"generating {len(missing)} photos of {size[0]}x{size[1]} in {folder} ...", file=sys.stderr)
        with concurrent.futures.ProcessPoolExecutor(jobs) as pool:
            list(pool.map(make_photo, missing, [folder / names[i] for i in missing], [size] * len(missing)))
    # only the first n photos belong to this run's article: a folder per n keeps bigger sets' files out
    article = workdir / f"check-{n}-g{GENERATOR}-{size[0]}x{size[1]}"
    article.mkdir(exist_ok=True)
    for name in names:
        link = article / name
        if not link.exists():
            os.link(folder / name, link)
    for extra in article.glob("photo-*.jpg"):
        if extra.name not in names:
            extra.unlink()
    lines = ["---", "title: Benchmark article", "date: 2024-05-01", "---", "", "A day in pictures.", ""]
    for i, name in enumerate(names):
        lines += [f"![Photo {i}]({name})", f"*Scene number {i} of the day, seen from the harbour.*",
                  f"Photographer {i % 17}/Agence Exemple", ""]
    text = "\n".join(lines)
    md = article / "article.md"
    if not md.is_file() or md.read_text(encoding="utf-8") != text:
        md.write_text(text, encoding="utf-8")
    return article


# --- measuring -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    label: str
    seconds: float
    peak_rss: int
    """Bytes."""
    output: str


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (0 when it is gone)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(label: str, argv: Sequence[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> Measure:
    """Run `argv` and time it, sampling the memory of its process tree; exit codes other than `ok` stop
    the benchmark."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in ok:
        raise SystemExit(f"{label} failed with exit code {proc.returncode}:\n{err}")
    return Measure(label, seconds, peak, out)


PLAIN_LOOP = """
import sys
from pathlib import Path
import imagehash
from PIL import Image
for p in sorted(Path(sys.argv[1]).glob("*.jpg")):
    imagehash.phash(Image.open(p))
"""

DECODE_FLOOR = """
import concurrent.futures, sys
from pathlib import Path
from PIL import Image
from provenance.media.reader import DECODE_SIZE

def decode(path):
    with Image.open(path) as im:
        im.draft("RGB", (DECODE_SIZE, DECODE_SIZE))
        im.load()
        return im.size

if __name__ == "__main__":
    files = sorted(Path(sys.argv[1]).glob("*.jpg"))
    with concurrent.futures.ProcessPoolExecutor(int(sys.argv[2])) as pool:
        list(pool.map(decode, files, chunksize=4))
"""


REQUIRED_WORK = """
import concurrent.futures, sys
from pathlib import Path
from provenance.media.batch import keep_freed_memory
from provenance.media.reader import read_image
from provenance.media.records import content_to_json

def read(path):
    # handed back as the check's reader processes hand records to it
    return content_to_json(read_image(path, path.name, str(path.parent)))

if __name__ == "__main__":
    files = sorted(Path(sys.argv[1]).glob("*.jpg"))
    with concurrent.futures.ProcessPoolExecutor(int(sys.argv[2]), initializer=keep_freed_memory) as pool:
        list(pool.map(read, files, chunksize=4))
"""
"""What every cold check must do for each file, and nothing else: read it, take its sha256, read its
metadata, draft-decode it and compute every hash (`provenance.media.reader.read_image`, whose values
`tests/test_pinned_hashes.py` pins), spread over the same processes, set up as the check's readers
are (`keep_freed_memory`). No article, no comparison of pairs, no rules, no report: the fastest a
cold check could be with these hashes."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="number of photos (default 200)")
    parser.add_argument("--size", default="6000x4000", help="photo size WIDTHxHEIGHT (default 6000x4000)")
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "provenance-speed",
                        help="where the photos are generated and kept between runs")
    parser.add_argument("--skip-plain", action="store_true",
                        help="do not run the plain phash loop (the slowest part); no ratios against it")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of every run, one after the other; each row shows its median (default 1)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    width, height = (int(v) for v in args.size.lower().split("x"))
    from provenance.media.batch import default_jobs

    jobs = args.jobs or default_jobs()
    article = build_folder(args.workdir, args.n, (width, height), jobs)
    files = sorted(article.glob("*.jpg"))
    megabytes = sum(p.stat().st_size for p in files) / len(files) / 1e6
    cache_dir = args.workdir / f"cache-{args.n}"
    cache = cache_dir / ".provenance" / "cache.sqlite"
    cache_dir.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    check = [py, "-m", "provenance.cli", "check", "--format", "json", "--jobs", str(jobs), str(article)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    def checking(label: str, *options: str) -> Measure:
        return measure(label, [*check, *options], cache_dir, ok=(0, 1))  # 1: the check has findings

    def one_round() -> list[Measure]:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cache}{suffix}").unlink(missing_ok=True)
        runs = [checking("provenance check, cold (--no-cache)", "--no-cache"),
                checking("provenance check, filling the cache"),
                checking("provenance check, warm (cache filled)"),
                checking("  cold, --ignore reused-photo (pairwise compare)", "--no-cache", "--ignore", "reused-photo"),
                checking("  warm, --ignore reused-photo", "--ignore", "reused-photo"),
                measure(f"decode floor (draft decode only, {jobs} processes)",
                        [py, "-c", DECODE_FLOOR, str(article), str(jobs)], cache_dir),
                measure(f"hashes and metadata only (read_image, {jobs} processes)",
                        [py, "-c", REQUIRED_WORK, str(article), str(jobs)], cache_dir)]
        if not args.skip_plain:
            runs.append(measure("plain loop: imagehash.phash(Image.open(p)), 1 process",
                                [py, "-c", PLAIN_LOOP, str(article)], cache_dir))
        return runs

    rounds = [one_round() for _ in range(args.repeat)]
    runs = [_median(same_run) for same_run in zip(*rounds, strict=True)]
    reports = [json.loads(r.output) for one in rounds for r in one[:3]]
    same = all(_comparable(r) == _comparable(reports[0]) for r in reports[1:])
    by_label = {r.label.split(",")[0].split(":")[0]: r for r in runs}
    findings = len(reports[0]["findings"])
    floor = runs[5]
    plain = by_label.get("plain loop")
    print(f"{args.n} photos of {width}x{height} ({megabytes:.1f} MB each on average), {jobs} processes, "
          f"Python {sys.version.split()[0]}, load average {load:.1f} before the runs"
          + (f", median of {args.repeat} rounds" if args.repeat > 1 else ""))
    print(f"{'run':<56} {'seconds':>8} {'images/s':>9} {'peak MB':>8} {'vs plain':>9} {'vs floor':>9}")
    for r in runs:
        vs_plain = f"{plain.seconds / r.seconds:.1f}x" if plain is not None else "-"
        vs_floor = f"{r.seconds / floor.seconds:.2f}" if r is not plain else "-"
        print(f"{r.label:<56} {r.seconds:>8.2f} {args.n / r.seconds:>9.1f} {r.peak_rss / 1e6:>8.0f} "
              f"{vs_plain:>9} {vs_floor:>9}")
    print("'vs plain': how many times faster than the plain loop; 'vs floor': time / decode floor's time;"
          + (" peak MB: the largest of the rounds" if args.repeat > 1 else ""))
    print(f"cold, filling and warm reports identical: {'yes' if same else 'NO'} ({findings} findings)")
    return 0 if same else 1


def _median(measures: Sequence[Measure]) -> Measure:
    """One run's measures over the rounds: its median time, and the largest peak memory."""
    middle = sorted(measures, key=lambda m: m.seconds)[len(measures) // 2]
    seconds = statistics.median(m.seconds for m in measures)
    return Measure(middle.label, seconds, max(m.peak_rss for m in measures), middle.output)


def _comparable(report: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in report.items() if k != "tool"}


if __name__ == "__main__":
    sys.exit(main())
