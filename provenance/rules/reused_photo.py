"""reused-photo (PV006): one photo shown by two or more figures.

What it flags
    Every set of figures whose images are one photo: the same file, byte-identical
    copies, or the same photo edited (resized, recompressed, converted to grey,
    brightened, cropped, mirrored, letterboxed, slightly rotated, or with a banner
    or logo burned in), as judged pair by pair from perceptual hashes and local
    features (see `provenance.media.similarity`). Images joined by such judgements,
    directly or through another copy, are one cluster and one finding per article,
    naming every image with its figures and how it differs from the largest copy
    (cropped, mirrored, resized, rotated, overlaid, letterboxed, retouched), and the
    weakest link's similarity. Two frames of one scene shot a moment apart may be
    reported too. With `reuse-scope = "run"` in configuration, photos shared by the
    articles checked together are reported too, as one finding naming every article;
    by default (`"article"`) each article is judged alone, whatever else is checked.

Why it matters
    One photo shown twice, under two captions, tells readers two different
    stories about one moment: the failure fact-checkers cite most.

Example
    A gallery uses crowd.jpg in figure 1, crowd-crop.jpg (a crop of it) in
    figure 3 and crowd-small.jpg (a resized copy) in figure 5: one finding names
    the three images and their figures.

How to fix
    Replace the figures with the photos that were meant, or keep one of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, get_args

from provenance.media.clusters import Cluster, Link, clusters
from provenance.model import Article, Figure, Finding, ImageRecord, Severity, joined_path
from provenance.rules.base import CheckContext, Rule

if TYPE_CHECKING:
    from provenance.media.similarity import Similarity

ReuseScope = Literal["article", "run"]
"""Which figures one cluster may join: one article's, or those of every article checked together."""
SCOPES: tuple[str, ...] = get_args(ReuseScope)
DEFAULT_SCOPE: ReuseScope = "article"

RESIZED = 0.02
"""A copy whose long side differs from the largest copy's by more than this share is reported as resized."""
RETOUCHED = 4
"""A copy further than this phash distance (of 64 bits) from the largest, uncropped, is reported as retouched
(tone, colour or detail changed beyond recompression); the similarity engine's near-identical bound."""

_ORDER = ("identical copy", "mirrored", "cropped", "rotated", "resized", "overlaid", "letterboxed", "retouched",
          "re-encoded")

Use = tuple[Article, Figure, int]
"""A figure showing an image: its article, itself, and its position among the figures checked."""


def check(ctx: CheckContext) -> Iterator[Finding]:
    used = ctx.figure_images()
    scope = ctx.options.get("reuse_scope", DEFAULT_SCOPE)
    groups = [used] if scope == "run" else [[u for u in used if u[0] is article] for article in ctx.articles]
    for group in groups:
        yield from _group(ctx, group)


def _group(ctx: CheckContext, used: list[tuple[Article, Figure, ImageRecord]]) -> Iterator[Finding]:
    images: dict[tuple[str, str], ImageRecord] = {}
    uses: dict[tuple[str, str], list[Use]] = {}
    for n, (article, figure, image) in enumerate(used):
        key = (image.root, image.path)
        images.setdefault(key, image)
        uses.setdefault(key, []).append((article, figure, n))
    nodes = list(images.values())
    decided: dict[tuple[int, int], Similarity | None] = {}
    links = []
    for i, a in enumerate(nodes):
        for j in range(i + 1, len(nodes)):
            b = nodes[j]
            if a.sha256 == b.sha256:
                decided[(i, j)] = None
                links.append(Link(i, j, 1.0))
                continue
            similarity = ctx.similarity(a, b)
            if similarity is not None:
                decided[(i, j)] = similarity
                links.append(Link(i, j, similarity.score))
    for cluster in clusters(len(nodes), links):
        members = [nodes[m] for m in cluster.members]
        figures = [use for im in members for use in uses[(im.root, im.path)]]
        if len(figures) < 2:
            continue
        yield _finding(cluster, nodes, uses, decided)


def _finding(cluster: Cluster, nodes: list[ImageRecord], uses: dict[tuple[str, str], list[Use]],
             decided: dict[tuple[int, int], Similarity | None]) -> Finding:
    # The reference is the largest copy (most pixels), the first used among equals.
    reference = max(cluster.members, key=lambda m: ((nodes[m].width or 0) * (nodes[m].height or 0), -m))
    order = sorted(cluster.members, key=lambda m: (m != reference, m))
    figures = sorted((use for m in order for use in uses[(nodes[m].root, nodes[m].path)]), key=lambda u: u[2])
    article = figures[0][0]
    mine = [f for a, f, _ in figures if a is article]
    others = [(a, f) for a, f, _ in figures if a is not article]
    notes = [_edit(cluster, nodes, decided, reference, m) for m in order]
    parts = []
    for m, note in zip(order, notes, strict=True):
        im = nodes[m]
        name = _name(im, nodes[reference])
        size = f"{im.width}×{im.height}" if im.width and im.height else ""
        said = ", ".join(x for x in (_figures(uses[(im.root, im.path)], article), size, note) if x)
        parts.append(f"{name} ({said})")
    many = "; ".join(parts)
    count = len(figures)
    message = f"One photo is used {'twice' if count == 2 else f'{count} times'}: {many}"
    weakest = cluster.weakest
    if weakest is not None:
        ends = " – ".join(_name(nodes[end], nodes[reference]) for end in (weakest.a, weakest.b))
        message += f"; weakest link: {ends}, {_describe(decided[(weakest.a, weakest.b)])}"
    line = mine[1].line if len(mine) > 1 else mine[0].line
    ims = [nodes[m] for m in order]
    return RULE.finding(
        message, article=article, root=article.root, line=line, figures=mine, images=ims,
        image_notes=notes, other_figures=others, identity=sorted({im.sha256 for im in ims}),
    )


def _name(image: ImageRecord, reference: ImageRecord) -> str:
    """The image's path, under its folder when that is not the reference's."""
    return image.path if image.root == reference.root else joined_path(image.root, image.path)


def _figures(uses: list[Use], article: Article) -> str:
    """'figure 2', 'figures 1 and 3', 'figure 1 of ferry/story.md'."""
    by_article: dict[int, tuple[Article, list[int]]] = {}
    for a, f, _ in uses:
        by_article.setdefault(id(a), (a, []))[1].append(f.index + 1)
    said = []
    for a, numbers in by_article.values():
        word = "figure" if len(numbers) == 1 else "figures"
        listed = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
        where = "" if a is article else f" of {joined_path(a.root, a.path)}"
        said.append(f"{word} {listed}{where}")
    return ", ".join(said)


def _edit(cluster: Cluster, nodes: list[ImageRecord], decided: dict[tuple[int, int], Similarity | None],
          reference: int, member: int) -> str:
    """How `member` differs from `reference`, from the judgements linking them: "cropped", "mirrored, resized"..."""
    if member == reference:
        return "the largest" if len(cluster.members) > 1 else ""
    ref, im = nodes[reference], nodes[member]
    if im.sha256 == ref.sha256:
        return "identical copy"
    words: set[str] = set()
    mirrored = False
    distance = 0
    # The judgement of the two itself when there is one, else the chain of copies tying them.
    pair = (min(reference, member), max(reference, member))
    chain = [pair] if pair in decided else [(link.a, link.b) for link in cluster.path(reference, member)]
    for key in chain:
        similarity = decided[key]
        if similarity is None:  # byte-identical copies
            continue
        mirrored ^= "mirrored" in similarity.how
        words |= set(similarity.how) - {"mirrored"}
        distance = max(distance, similarity.distance)
    if mirrored:
        words.add("mirrored")
    long_ref, long_im = max(ref.width or 0, ref.height or 0), max(im.width or 0, im.height or 0)
    if "cropped" not in words and long_ref and long_im and abs(long_ref - long_im) > RESIZED * long_ref:
        words.add("resized")
    if not words & {"cropped", "rotated", "overlaid"} and distance > RETOUCHED:
        words.add("retouched")
    if not words:
        words.add("re-encoded")
    return ", ".join(w for w in _ORDER if w in words)


def _describe(similarity: Similarity | None) -> str:
    return "byte-identical" if similarity is None else similarity.describe()


RULE = Rule("PV006", "reused-photo", Severity.WARNING, "One photo shown by two or more figures.", check)
