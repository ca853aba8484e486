"""Benchmark: walking a site of page bundles, against a bare `os.walk` listing of the same tree.

Builds N page bundles (`content/<section>/<slug>/index.md` with three image files each, empty: only
listing is measured) in a git work tree whose `.gitignore` names a few globs, then times, median of R
rounds: a bare `os.walk` of the tree (the floor), `pipeline.discover` plus `find_images` of every
bundle (what a check lists) with `.gitignore` read, and the same without it.

Run by hand:  python benchmarks/discovery.py [--bundles N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from provenance import pipeline
from provenance.discovery import PathFilter
from provenance.media.files import find_images


def build(root: Path, bundles: int) -> Path:
    content = root / "content"
    for i in range(bundles):
        folder = content / f"section-{i % 20}" / f"story-{i}"
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(f"![](photo-{i}.jpg)\n*Caption {i}.*\nAP\n", encoding="utf-8")
        for j in range(3):
            (folder / f"photo-{j}.jpg").write_bytes(b"")
    (root / ".gitignore").write_text("*.tmp\nbuild/\n/drafts/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return content


def listing(content: Path, gitignore: bool) -> int:
    targets = pipeline.discover(content, path_filter=PathFilter(gitignore=gitignore))
    return sum(len(find_images(t.media_root, t.skip)) for t in targets)


def bare(content: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(content))


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content = build(Path(tmp), args.bundles)
        floor, files = timed(lambda: bare(content), args.repeat)
        on, images = timed(lambda: listing(content, True), args.repeat)
        off, _ = timed(lambda: listing(content, False), args.repeat)
    print(f"{args.bundles} page bundles, {files} files, median of {args.repeat}, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"bare os.walk                       {floor * 1000:8.1f} ms   1.0x")
    print(f"discover + find_images, gitignore  {on * 1000:8.1f} ms  {on / floor:5.1f}x  ({images} images)")
    print(f"discover + find_images, no ignore  {off * 1000:8.1f} ms  {off / floor:5.1f}x")


if __name__ == "__main__":
    main()
