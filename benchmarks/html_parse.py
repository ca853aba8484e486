"""Time `parse_html` over the saved news pages of the shared corpus: median and 95th percentile.

    python benchmarks/html_parse.py [CORPUS_DIR]

CORPUS_DIR defaults to `../shared/corpus/fundus` next to the project. Each page
is parsed a few times and its fastest run counts, so one busy moment of the
machine does not count against a page. Prints one line per statistic; says so
and exits cleanly when the corpus is absent.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import time
from pathlib import Path

from provenance.articles.html import parse_html
from provenance.credits import CreditParser

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "fundus"
RUNS = 3
"""Runs per page; the fastest one counts."""


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    pages = sorted(corpus.rglob("*.html.gz")) + sorted(corpus.rglob("*.html"))
    if not pages:
        print(f"no corpus pages under {corpus}; nothing to measure")
        return 0
    parser = CreditParser.default()
    timings: list[tuple[float, str]] = []
    for page in pages:
        data = gzip.decompress(page.read_bytes()) if page.suffix == ".gz" else page.read_bytes()
        best = float("inf")
        for _ in range(RUNS):
            start = time.perf_counter()
            parse_html(data, page.name, str(corpus), parser)
            best = min(best, time.perf_counter() - start)
        timings.append((best * 1000, page.name))
    values = sorted(ms for ms, _ in timings)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    slowest = max(timings)
    print(f"pages {len(values)}")
    print(f"median {statistics.median(values):.1f} ms")
    print(f"p95 {p95:.1f} ms")
    print(f"max {slowest[0]:.1f} ms ({slowest[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
