"""Fuzz the Markdown and plain-text article readers and the credit parser, which never raise.

    python fuzz/fuzz_articles.py CORPUS_DIR fuzz/corpus/articles -max_total_time=60 -max_len=65536
"""

from __future__ import annotations

import harness

with harness.instrumented():
    from provenance.articles.loader import decode_text
    from provenance.articles.markdown import parse_markdown
    from provenance.articles.text import parse_text
    from provenance.credits import CreditParser

PARSER = CreditParser.default()


def test_one_input(data: bytes) -> None:
    text, encoding = decode_text(data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for parse in (parse_markdown, parse_text):
        article = parse(text, "fuzz", ".", PARSER, encoding=encoding)
        if [f.index for f in article.figures] != list(range(len(article.figures))):
            raise harness.Violation(f"{parse.__name__}: figure indexes are not 0..n-1")
        for f in article.figures:
            if not 1 <= f.line <= lines:
                raise harness.Violation(f"{parse.__name__}: figure {f.index} on line {f.line} of {lines}")
    for line in text.splitlines()[:200]:
        credit = PARSER.parse(line)
        if credit.raw != " ".join(line.split()):
            raise harness.Violation(f"Credit.raw {credit.raw!r} is not the folded line")
        PARSER.is_credit_line(line)
        PARSER.split(line)


if __name__ == "__main__":
    harness.main(test_one_input, "articles")
