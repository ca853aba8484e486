"""Fuzz suppression comments in Markdown and HTML: never raise, and every suppression kept is well formed.

    python fuzz/fuzz_suppressions.py CORPUS_DIR fuzz/corpus/suppressions -max_total_time=60 -max_len=65536
"""

from __future__ import annotations

import harness

with harness.instrumented():
    from provenance.articles.html import parse_html
    from provenance.articles.loader import decode_text
    from provenance.articles.markdown import parse_markdown
    from provenance.articles.suppressions import MAX_REASON, parse_suppressions
    from provenance.credits import CreditParser

PARSER = CreditParser.default()


def test_one_input(data: bytes) -> None:
    text, encoding = decode_text(data)
    lines = text.count("\n") + 1
    found, warnings = parse_suppressions(text)
    for sup in found:
        if not sup.rules or not sup.reason or len(sup.reason) > MAX_REASON:
            raise harness.Violation(f"a malformed suppression was kept: {sup!r}")
        if not 1 <= sup.line <= lines:
            raise harness.Violation(f"a suppression on line {sup.line} of {lines}")
    if any("\n" in w for w in warnings):
        raise harness.Violation("a warning of more than one line")
    article = parse_markdown(text, "fuzz.md", ".", PARSER, encoding=encoding)
    html = parse_html(data, "fuzz.html", ".", PARSER)
    harness.check_guarded(html.warnings, "the page could not be read as HTML")
    for figure in (*article.figures, *html.figures):
        for sup in figure.suppressions:
            if not sup.rules or not sup.reason:
                raise harness.Violation(f"figure {figure.index} holds a malformed suppression {sup!r}")


if __name__ == "__main__":
    harness.main(test_one_input, "suppressions")
