"""How long the reused-photo rule takes to build its clusters once every pair is judged.

    python benchmarks/reuse_rule.py [--figures 500] [--copies 4]

One article of N figures, each its own image, in sets of `--copies` copies of one photo; every pair
is given a decision beforehand (as `provenance.media.pairs` gives them), so what is timed is the
rule alone: links, clusters, descriptions and findings. The baseline is a loop that only looks up
every pair's decision, which the rule cannot do without.
"""

from __future__ import annotations

import argparse
import time
from types import MappingProxyType

from provenance.credits import CreditParser
from provenance.media.similarity import VERSION, Similarity
from provenance.model import (
    Article,
    ArticleFormat,
    Figure,
    Hashes,
    ImageRecord,
    Match,
    MatchMethod,
    Provenance,
    RefStatus,
)
from provenance.rules import reused_photo
from provenance.rules.base import CheckContext


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=500)
    parser.add_argument("--copies", type=int, default=4)
    args = parser.parse_args()
    n, k = args.figures, args.copies
    figures = tuple(Figure(index=i, line=4 * i + 1, image_ref=f"p{i}.jpg", caption=f"Caption {i}", credit=None)
                    for i in range(n))
    article = Article(path="a.md", root="r", format=ArticleFormat.MARKDOWN, title=None, date=None, body=(),
                      figures=figures)
    images = tuple(ImageRecord(path=f"p{i}.jpg", root="r", format="JPEG", width=600 - i % k, height=400, size=1,
                               sha256=f"{i:064x}", metadata=Provenance(), hashes=Hashes(VERSION)) for i in range(n))
    matches = tuple(Match(article="a.md", root="r", figure=i, status=RefStatus.FOUND, image=f"p{i}.jpg",
                          method=MatchMethod.REFERENCE) for i in range(n))
    same = Similarity(score=0.9, distance=3)
    similar = {(images[i].sha256, images[j].sha256): same if i // k == j // k else None
               for i in range(n) for j in range(i + 1, n)}
    ctx = CheckContext(articles=(article,), images=images, matches=matches, parser=CreditParser({}, ()),
                       similar=MappingProxyType(similar))

    start = time.perf_counter()
    found = sum(1 for i in range(n) for j in range(i + 1, n) if ctx.similarity(images[i], images[j]) is not None)
    lookups = time.perf_counter() - start
    start = time.perf_counter()
    findings = list(reused_photo.check(ctx))
    rule = time.perf_counter() - start
    sets = [min(k, n - s) for s in range(0, n, k)]
    assert found == sum(m * (m - 1) // 2 for m in sets) and len(findings) == sum(1 for m in sets if m > 1)
    print(f"{n} figures in sets of {k}, {len(similar):,} pairs decided: {len(findings)} findings; "
          f"rule {rule * 1000:.0f} ms, looking up the pairs alone {lookups * 1000:.0f} ms, ratio {rule / lookups:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
