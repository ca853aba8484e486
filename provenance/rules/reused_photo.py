"""reused-photo (PV006): two figures showing the same photo.

What it flags
    Figures whose images are the same file, byte-identical copies, or the same
    photo edited: resized, recompressed, converted to grey, brightened, cropped,
    mirrored, letterboxed, slightly rotated, or with a banner or logo burned in,
    as judged from perceptual hashes and local features (see
    `provenance.media.similarity`). The message says how similar the two are and
    how the copy differs (cropped, mirrored, overlaid...) where that can be told.
    Two frames of one scene shot a moment apart may be reported too.

Why it matters
    One photo shown twice, under two captions, tells readers two different
    stories about one moment: the failure fact-checkers cite most.

Example
    Figure 1 uses media/crowd.jpg; figure 4 uses media/crowd-small.jpg, a
    resized copy of it, with another caption.

How to fix
    Replace one of the figures with the photo that was meant, or drop it.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Finding, ImageRecord, Severity, joined_path
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    used = ctx.figure_images()
    for i, (art_a, fig_a, im_a) in enumerate(used):
        for art_b, fig_b, im_b in used[i + 1:]:
            how = _same(ctx, im_a, im_b)
            if how is None:
                continue
            where = "" if art_b is art_a else f" of {joined_path(art_b.root, art_b.path)}"
            yield RULE.finding(
                f"{figure_label(fig_a, capital=True)} and {figure_label(fig_b)}{where} show the same photo: {how}",
                article=art_a, root=art_a.root, line=fig_b.line if art_b is art_a else fig_a.line,
                figures=[fig_a] + ([fig_b] if art_b is art_a else []), images=_distinct(im_a, im_b),
            )


def _same(ctx: CheckContext, a: ImageRecord, b: ImageRecord) -> str | None:
    """Why images a and b (a used first) are the same photo, or None."""
    if a.path == b.path and a.root == b.root:
        return f"both use {a.path}"
    # images of two media folders (page bundles) are named with their folders: both may be "photo.jpg"
    same_root = a.root == b.root
    name_a, name_b = (a.path, b.path) if same_root else (joined_path(a.root, a.path), joined_path(b.root, b.path))
    if a.sha256 == b.sha256:
        return f"{name_b} is a byte-identical copy of {name_a}"
    similarity = ctx.similarity(a, b)
    if similarity is None:
        return None
    return f"{name_b} and {name_a} are the {similarity.describe()}" if similarity.how else (
        f"{name_b} is a copy of {name_a}, {similarity.describe()}")


def _distinct(a: ImageRecord, b: ImageRecord) -> list[ImageRecord]:
    return [a] if (a.path, a.root) == (b.path, b.root) else [a, b]


RULE = Rule("PV006", "reused-photo", Severity.WARNING, "Two figures showing the same photo.", check)
