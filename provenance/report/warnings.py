"""The warnings of the articles (a suppression without a reason, a page read in another encoding...),
as every human-facing format shows them: at the article, and at the line when the warning names one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from provenance.model import Report

_LINE = re.compile(r"^line (\d+): ")


@dataclass(frozen=True)
class ArticleWarning:
    """One warning of one article."""

    root: str
    """The checked folder the path is relative to."""
    path: str
    """The article's path."""
    line: int | None
    """The line it concerns, when it names one ("line 12: ...")."""
    message: str
    """The warning, without its line prefix."""


def article_warnings(report: Report) -> list[ArticleWarning]:
    """Every article warning of the report, in article order."""
    out = []
    for article in report.articles:
        for text in article.warnings:
            m = _LINE.match(text)
            line = int(m.group(1)) if m else None
            out.append(ArticleWarning(article.root, article.path, line, text[m.end():] if m else text))
    return out
