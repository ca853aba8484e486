"""missing-caption (PV003): a figure with no caption.

What it flags
    A figure that shows no caption text (a credit alone does not count).

Why it matters
    A news photo without a caption leaves readers to guess who, where and when;
    style guides require one for every editorial photo.

Example
    ![](tehran.jpg)
    Getty Images

How to fix
    Write a caption that says who or what is shown, where and when; the
    image's embedded caption (IPTC 2:120) is a starting point.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Finding, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            if figure.caption and figure.caption.strip():
                continue
            image = ctx.image_of(article, figure)
            hint = ""
            if image is not None and image.metadata.caption:
                text = image.metadata.caption
                hint = f'; the image\'s embedded caption reads "{text[:80]}{"..." if len(text) > 80 else ""}"'
            yield RULE.finding(
                f"{figure_label(figure, capital=True)} has no caption{hint}",
                article=article, root=article.root, line=figure.line, figures=[figure],
                images=[image] if image else [],
            )


RULE = Rule("PV003", "missing-caption", Severity.WARNING, "A figure with no caption.", check)
