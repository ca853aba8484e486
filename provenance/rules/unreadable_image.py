"""unreadable-image (PV009): an image file that cannot be decoded.

What it flags
    A file named like an image that is empty, truncated, corrupt, not an
    image at all, too large to decode safely (a decompression bomb), or that
    may not be read (a link leaving the folder, a pipe, a folder).

Why it matters
    A file that cannot be decoded will not display, and none of its
    provenance can be checked.

Example
    media/protest.jpg is 0 bytes; media/crowd.jpg was cut off at 40% by an upload.

How to fix
    Download the file again from the agency, or replace it.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Finding, Match, Severity
from provenance.rules.base import CheckContext, Rule


def check(ctx: CheckContext) -> Iterator[Finding]:
    users: dict[tuple[str | None, str], Match] = {}
    for m in ctx.matches:
        if m.image:
            users.setdefault((m.image_root, m.image), m)
    for image in ctx.images:
        if image.readable:
            continue
        why = "; ".join(image.errors) or "cannot be decoded"
        article = None
        line = None
        user = users.get((image.root, image.path))
        figures = []
        if user is not None:
            article = next((a for a in ctx.articles if a.path == user.article and a.root == user.root), None)
            if article is not None:
                figures = [article.figures[user.figure]]
                line = figures[0].line
        yield RULE.finding(
            f"{image.path} cannot be read: {why}",
            article=article, root=image.root, line=line, figures=figures, images=[image],
        )


RULE = Rule("PV009", "unreadable-image", Severity.ERROR,
            "An image that is corrupt, truncated, empty or not an image.", check)
