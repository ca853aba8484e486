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

from provenance.media.similarity import PreparedHashes, Similarity, compare_many, prepare
from provenance.model import Article, Figure, Finding, ImageRecord, Severity, joined_path
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
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

    images = [image for _, _, image in used]
    for i, (art_a, fig_a, im_a) in enumerate(used):
        for j, how in enumerate(_same_as_later(images, i, hashes_of), start=i + 1):
            if how is None:
                continue
            art_b, fig_b, im_b = used[j]
            where = "" if art_b is art_a else f" of {joined_path(art_b.root, art_b.path)}"
            yield RULE.finding(
                f"{figure_label(fig_a, capital=True)} and {figure_label(fig_b)}{where} show the same photo: {how}",
                article=art_a, root=art_a.root, line=fig_b.line if art_b is art_a else fig_a.line,
                figures=[fig_a] + ([fig_b] if art_b is art_a else []), images=_distinct(im_a, im_b),
            )


def _same_as_later(images: list[ImageRecord], i: int, prepared: Callable[[int], PreparedHashes]) -> list[str | None]:
    """Why each image after the i-th is the same photo as it, or None.

    Files are compared first (the same path, the same bytes); the images left whose hashes were
    made alike are compared with the i-th in one `compare_many` call.
    """
    a = images[i]
    hows: list[str | None] = []
    compared: list[int] = []
    for j in range(i + 1, len(images)):
        b = images[j]
        if a.path == b.path and a.root == b.root:
            hows.append(f"both use {a.path}")
        elif a.sha256 == b.sha256:
            hows.append(f"{b.path} is a byte-identical copy of {a.path}")
        else:
            hows.append(None)
            if a.hashes is not None and b.hashes is not None and a.hashes.version == b.hashes.version:
                compared.append(j)
    if compared:
        found = compare_many(prepared(i), [prepared(j) for j in compared])
        for j, similarity in zip(compared, found, strict=True):
            hows[j - i - 1] = _describe(a, images[j], similarity)
    return hows


def _describe(a: ImageRecord, b: ImageRecord, similarity: Similarity | None) -> str | None:
    """Why b is the same photo as a, by `similarity`; None when it is not."""
    if similarity is None:
        return None
    return f"{b.path} and {a.path} are the {similarity.describe()}" if similarity.how else (
        f"{b.path} is a copy of {a.path}, {similarity.describe()}")


def _distinct(a: ImageRecord, b: ImageRecord) -> list[ImageRecord]:
    return [a] if (a.path, a.root) == (b.path, b.root) else [a, b]


RULE = Rule("PV006", "reused-photo", Severity.WARNING, "Two figures showing the same photo.", check)
