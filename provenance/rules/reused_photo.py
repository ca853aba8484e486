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

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from provenance.model import Article, Figure, Finding, ImageRecord, Severity, joined_path
from provenance.rules.base import CheckContext, Rule, figure_label

if TYPE_CHECKING:
    from provenance.media.similarity import PreparedHashes

# `provenance.media.similarity` (numpy, scipy) is imported where it is used: every run imports the
# rules, and a run without this one need not import them.


def check(ctx: CheckContext) -> Iterator[Finding]:
    from provenance.media.similarity import prepare

    used: list[tuple[Article, Figure, ImageRecord]] = []
    for article in ctx.articles:
        for figure in article.figures:
            image = ctx.image_of(article, figure)
            if image is not None and image.readable:
                used.append((article, figure, image))
    # Each image's hashes decoded once (when first compared), not once per pair.
    prepared: dict[int, PreparedHashes] = {}

    def hashes_of(i: int) -> PreparedHashes:
        if i not in prepared:
            hashes = used[i][2].hashes
            assert hashes is not None
            prepared[i] = prepare(hashes)
        return prepared[i]

    reported: set[tuple[int, int]] = set()
    for i, (art_a, fig_a, im_a) in enumerate(used):
        for j in range(i + 1, len(used)):
            art_b, fig_b, im_b = used[j]
            how = _same(im_a, im_b, hashes_of, i, j)
            if how is None or (i, j) in reported:
                continue
            reported.add((i, j))
            where = "" if art_b is art_a else f" of {joined_path(art_b.root, art_b.path)}"
            yield RULE.finding(
                f"{figure_label(fig_a, capital=True)} and {figure_label(fig_b)}{where} show the same photo: {how}",
                article=art_a, root=art_a.root, line=fig_b.line if art_b is art_a else fig_a.line,
                figures=[fig_a] + ([fig_b] if art_b is art_a else []), images=_distinct(im_a, im_b),
            )


def _same(a: ImageRecord, b: ImageRecord, prepared: Callable[[int], PreparedHashes], i: int, j: int) -> str | None:
    """Why images a (the i-th used) and b (the j-th) are the same photo, or None."""
    if a.path == b.path and a.root == b.root:
        return f"both use {a.path}"
    if a.sha256 == b.sha256:
        return f"{b.path} is a byte-identical copy of {a.path}"
    if a.hashes is None or b.hashes is None or a.hashes.version != b.hashes.version:
        return None
    from provenance.media.similarity import compare

    similarity = compare(prepared(i), prepared(j))
    if similarity is None:
        return None
    return f"{b.path} and {a.path} are the {similarity.describe()}" if similarity.how else (
        f"{b.path} is a copy of {a.path}, {similarity.describe()}")


def _distinct(a: ImageRecord, b: ImageRecord) -> list[ImageRecord]:
    return [a] if (a.path, a.root) == (b.path, b.root) else [a, b]


RULE = Rule("PV006", "reused-photo", Severity.WARNING, "Two figures showing the same photo.", check)
