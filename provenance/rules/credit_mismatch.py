"""credit-mismatch (PV002): the credit shown names another agency than the image's metadata.

What it flags
    A figure whose credit names an agency (Reuters, AP, Getty Images...) while
    the image's embedded credit, source or copyright names agencies, none of
    them the same. "AFP via Getty Images" shown against an embedded "AFP" is
    consistent, and so is "NASA via Getty Images" against "Getty Images".

Why it matters
    A wrong credit misattributes a photographer's work and usually means the
    wrong photo was picked, or a caption was copied from another figure.

Example
    Caption credit "Reuters" on a file whose IPTC Credit Line is "Getty Images".

How to fix
    Check which photo was meant. If the file is right, use its embedded credit;
    if the credit is right, replace the file with the agency's photo.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.credits import consistent
from provenance.model import Credit, Finding, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            if figure.credit is None:
                continue
            image = ctx.image_of(article, figure)
            if image is None:
                continue
            meta = image.metadata
            embedded_raw = [v for v in (meta.credit, meta.source, meta.copyright) if v]
            embedded = [ctx.parser.parse(v) for v in embedded_raw]
            if consistent(figure.credit, embedded) is not False:
                continue
            names = sorted({a for c in embedded for a in c.agencies()})
            yield RULE.finding(
                f'{figure_label(figure, capital=True)} is credited "{figure.credit.raw}" '
                f"({_agencies(figure.credit)}) but {image.path} is credited {', '.join(names)} "
                f'in its metadata ("{embedded_raw[0]}")',
                article=article, root=article.root, line=figure.line, figures=[figure], images=[image],
            )


def _agencies(credit: Credit) -> str:
    return " via ".join(a for a in (credit.agency, credit.distributor) if a)


RULE = Rule("PV002", "credit-mismatch", Severity.WARNING,
            "The figure's credit names another agency than the image's embedded credit.", check)
