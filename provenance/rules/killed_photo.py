"""killed-photo (PV020): a photo that was killed after it was distributed.

What it flags
    A figure whose photo the photo archive records as killed (`provenance archive kill IMAGE...
    --reason TEXT`): the same file, or a copy the archive's similarity judge finds to be the same
    photo (resized, recompressed, cropped, mirrored); the error quotes the reason and the date of
    the kill. Also a photo whose own instructions carry a kill advisory:

        MANDATORY KILL
        KILL NOTICE: the photo was manipulated
        This photo has been withdrawn
        ELIMINATE PHOTO

    Kill notices are kept in a SQLite archive (`--archive FILE`); a Parquet archive holds none, and
    a check with one says so in a warning line.

Why it matters
    Agencies kill photos that were manipulated, wrongly captioned or distributed in breach of
    someone's rights; publishing one after the kill exposes the publisher and its readers to
    what the kill was meant to stop.

Example
    `provenance archive kill photos/rally.jpg --reason "manipulated: agency kill advisory"`, then an
    article showing a mirrored copy of rally.jpg.

How to fix
    Remove the photo from the article (and from anywhere else it was used); pick another one.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Finding, RestrictionKind, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            image = ctx.image_of(article, figure)
            if image is None:
                continue
            notices = ctx.kill_notices(article, figure)
            advisories = [r for r in image.metadata.restrictions if r.kind is RestrictionKind.KILLED]
            label = figure_label(figure, capital=True)
            if notices:
                first = notices[0]
                was = f" (killed as {first.image})" if first.image and first.image != image.path else ""
                message = (f'{label} shows {image.path}, a photo killed on {first.killed[:10]}: "{first.reason}"; '
                           f"{first.similarity}{was}")
            elif advisories:
                message = (f"{label} shows {image.path}, whose metadata carries a kill advisory: "
                           f'"{advisories[0].wording}"')
            else:
                continue
            yield RULE.finding(message, article=article, root=article.root, line=figure.line, figures=[figure],
                               images=[image])


RULE = Rule("PV020", "killed-photo", Severity.ERROR,
            "A photo recorded as killed in the archive, or carrying a kill advisory.", check)
