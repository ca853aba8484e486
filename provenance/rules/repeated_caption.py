"""repeated-caption (PV004): two or more figures with the same caption.

What it flags
    Figures of one article whose captions are the same once case, punctuation
    and white space are ignored.

Why it matters
    A repeated caption is almost always a copy-paste slip: one of the photos
    is described wrongly.

Example
    Figure 1: "Protesters in Tehran on Friday."
    Figure 3: "protesters in Tehran on Friday"

How to fix
    Give each figure the caption of its own photo.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.credits import normalise
from provenance.model import Figure, Finding, Severity
from provenance.rules.base import CheckContext, Rule


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        groups: dict[str, list[Figure]] = {}
        for figure in article.figures:
            key = normalise(figure.caption or "")
            if key:
                groups.setdefault(key, []).append(figure)
        for figures in groups.values():
            if len(figures) < 2:
                continue
            images = [im for f in figures if (im := ctx.image_of(article, f)) is not None]
            numbers = ", ".join(str(f.index + 1) for f in figures)
            lines = ", ".join(str(f.line) for f in figures)
            yield RULE.finding(
                f'Figures {numbers} (lines {lines}) share the caption "{_short(figures[0].caption or "")}"',
                article=article, root=article.root, line=figures[1].line, figures=figures, images=images,
            )


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77].rstrip() + "..."


RULE = Rule("PV004", "repeated-caption", Severity.WARNING, "Two or more figures with the same caption.", check)
