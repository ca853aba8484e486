"""unused-image (PV008): an image of the media folder that no figure uses.

What it flags
    An image file under the checked folder that no figure references or was
    paired with.

Why it matters
    A leftover file is often the photo that should have been used, or one
    that will be published by mistake with the folder.

Example
    media/tehran-2.jpg is in the folder, but the article shows tehran-1.jpg only.

How to fix
    Use it in a figure, or remove it from the article's media folder.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Finding, Severity
from provenance.rules.base import CheckContext, Rule


def check(ctx: CheckContext) -> Iterator[Finding]:
    used = {(m.image_root, m.image) for m in ctx.matches if m.image}
    for image in ctx.images:
        if (image.root, image.path) in used:
            continue
        if not image.readable:
            continue  # unreadable-image speaks for it
        yield RULE.finding(
            f"{image.path} is in the media folder but no figure uses it",
            article=None, root=image.root, images=[image],
        )


RULE = Rule("PV008", "unused-image", Severity.NOTE, "An image in the media folder that no figure uses.", check)
