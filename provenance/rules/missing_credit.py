"""missing-credit (PV001): a figure that shows the reader no credit.

What it flags
    A figure with no credit line: none after its caption, none at the caption's
    end, no credit element or attribute in the markup.

Why it matters
    Agency contracts require the credit next to the photo, and readers are owed
    the name of who took it. An uncredited agency photo is a licensing breach.

Example
    ![Crowds in Tehran](tehran.jpg)
    *Crowds gather in Tehran on Friday.*

    The image's embedded credit says "Getty Images", but the reader sees none.

How to fix
    Add the credit the agency asks for, usually the embedded Credit Line
    (IPTC 2:110): "*Crowds gather in Tehran on Friday.* Photo: Getty Images".
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Finding, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            if figure.credit is not None and figure.credit.raw.strip():
                continue
            image = ctx.image_of(article, figure)
            embedded = None
            if image is not None:
                meta = image.metadata
                embedded = meta.credit or meta.source or (", ".join(meta.creator) if meta.creator else None) \
                    or meta.copyright
            hint = f'; the image\'s metadata credits "{embedded}"' if embedded else (
                "; the image's metadata names no credit either" if image is not None else "")
            yield RULE.finding(
                f"{figure_label(figure, capital=True)} shows no credit{hint}",
                article=article, root=article.root, line=figure.line, figures=[figure],
                images=[image] if image else [],
            )


RULE = Rule("PV001", "missing-credit", Severity.ERROR, "A figure that shows the reader no credit.", check)
