"""missing-image (PV007): a figure whose image file is not there.

What it flags
    A figure that references a local file that does not exist in the media
    folder, or a reference that leaves the checked folder (`../`, an absolute
    path, a link): such a file is not read, so nothing about it can be checked.
    A remote URL (http, https) is not flagged: it is reported as not checked.

Why it matters
    A broken image ships an empty frame to readers, and a photo outside the
    folder under review escapes every other check.

Example
    ![Flooded street](photos/flood.jpg)   but photos/flood.jpg is absent.

How to fix
    Add the file to the media folder, or correct the path (paths are relative
    to the article's folder).
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Finding, RefStatus, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            m = ctx.match(article, figure)
            if m is None or figure.image_ref is None:
                continue
            if m.status is RefStatus.MISSING:
                why = f'references "{figure.image_ref}", which does not exist in the media folder'
            elif m.status is RefStatus.OUTSIDE:
                why = f'references "{figure.image_ref}", outside the checked folder; not followed'
            else:
                continue
            yield RULE.finding(
                f"{figure_label(figure, capital=True)} {why}",
                article=article, root=article.root, line=figure.line, figures=[figure],
                extra_paths=[figure.image_ref],
            )


RULE = Rule("PV007", "missing-image", Severity.ERROR, "A figure whose referenced local file does not exist.", check)
