"""Fuzz `parse_html`, which promises never to raise (problems become Article.warnings).

    python fuzz/fuzz_html.py CORPUS_DIR fuzz/corpus/html -max_total_time=60 -max_len=65536

In strict mode its last-line-of-defence warning ("the page could not be read as
HTML: ...") is a crash too. Figures must be numbered 0..n-1 with lines from 1.
"""

from __future__ import annotations

import harness

with harness.instrumented():
    from provenance.articles.html import parse_html
    from provenance.credits import CreditParser

PARSER = CreditParser.default()


def test_one_input(data: bytes) -> None:
    article = parse_html(data, "fuzz.html", ".", PARSER)
    harness.check_guarded(article.warnings, "the page could not be read as HTML:")
    if [f.index for f in article.figures] != list(range(len(article.figures))):
        raise harness.Violation("figure indexes are not 0..n-1")
    lines = data.count(b"\n") + data.count(b"\r") + 1
    for f in article.figures:
        if not 1 <= f.line <= lines:
            raise harness.Violation(f"figure {f.index} on line {f.line} of {lines}")


if __name__ == "__main__":
    harness.main(test_one_input, "html")
