"""photographer-mismatch (PV018): the photographer shown is not the one the image names.

What it flags
    A figure whose credit names a photographer ("REUTERS/John Smith", "Photo by John Smith",
    "John Smith/AFP", or a bare "John Smith" on the credit line) while the image's embedded
    creator (IPTC 2:80 By-line, XMP dc:creator, EXIF Artist) names people, none of them the same.
    Names are compared without case, accents or punctuation, in any order ("Smith, John"), an
    initial standing for a name ("J. Smith"). Agencies, organisations, roles ("Staff
    photographer", "Handout") and one-word names (desk codes such as "STR", a surname alone) are
    not compared.

Why it matters
    Crediting the wrong photographer misattributes their work, and usually means the wrong photo
    or the wrong credit line was picked.

Example
    Credit "REUTERS/John Smith" on a file whose By-line is "Jane Doe".

How to fix
    Check which photo was meant: credit the photographer the file names, or use that
    photographer's photo.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.credits import is_person, same_person
from provenance.model import Finding, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            shown = figure.credit.photographer if figure.credit else None
            if not shown or not is_person(shown, ctx.parser):
                continue
            image = ctx.image_of(article, figure)
            if image is None:
                continue
            people = [c for c in image.metadata.creator if is_person(c, ctx.parser)]
            if not people or any(same_person(shown, c) for c in people):
                continue
            assert figure.credit is not None
            names = ", ".join(f'"{c}"' for c in people)
            yield RULE.finding(
                f'{figure_label(figure, capital=True)} credits the photographer "{shown}" ("{figure.credit.raw}") '
                f"but {image.path} names {names} as its creator",
                article=article, root=article.root, line=figure.line, figures=[figure], images=[image],
            )


RULE = Rule("PV018", "photographer-mismatch", Severity.WARNING,
            "The photographer the credit names is not the image's embedded creator.", check)
