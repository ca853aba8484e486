"""What a rule is, and the read-only context it checks."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from provenance.credits import CreditParser
from provenance.model import (
    ArchiveHit,
    Article,
    Figure,
    Finding,
    ImageRecord,
    Match,
    Severity,
    fingerprint,
    image_table,
)
from provenance.rights import Publisher
from provenance.version import DOCS_URL

if TYPE_CHECKING:
    from provenance.media.similarity import Similarity
    from provenance.model import KillNotice


@dataclass(frozen=True)
class CheckContext:
    """Everything the rules may look at; rules never change it."""

    articles: tuple[Article, ...]
    images: tuple[ImageRecord, ...]
    matches: tuple[Match, ...]
    parser: CreditParser
    options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """Rule settings from configuration and the command line (e.g. "max_age", "reuse_scope")."""
    archive: Mapping[tuple[str, str, int], tuple[ArchiveHit, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Earlier uses found in the photo archive: (root, article path, figure index) -> hits from other
    articles, earliest first; empty when no archive was searched."""
    similar: Mapping[tuple[str, str], Similarity | None] = field(default_factory=lambda: MappingProxyType({}))
    """Pairs of images judged before the rules ran (see `provenance.media.pairs`): (sha256 of the first
    image, of the second) -> how alike they are, or None for different photos. `similarity` compares
    the pairs it lacks."""
    publisher: Publisher = field(default_factory=Publisher)
    """Who publishes, and where: what territory and outlet restrictions are checked against (configuration)."""
    kills: Mapping[tuple[str, str, int], tuple[KillNotice, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Kill notices of the photo archive a figure's photo matches: (root, article path, figure index) ->
    notices; empty when no archive was searched."""

    @cached_property
    def _images_by_path(self) -> dict[tuple[str, str], ImageRecord]:
        return image_table(self.images)

    @cached_property
    def _matches_by_figure(self) -> dict[tuple[str, str, int], Match]:
        return {(m.root, m.article, m.figure): m for m in self.matches}

    def match(self, article: Article, figure: Figure) -> Match | None:
        """The match of a figure."""
        return self._matches_by_figure.get((article.root, article.path, figure.index))

    def archive_hits(self, article: Article, figure: Figure) -> tuple[ArchiveHit, ...]:
        """The figure's photo as recorded in the archive from other articles, earliest first."""
        return self.archive.get((article.root, article.path, figure.index), ())

    def kill_notices(self, article: Article, figure: Figure) -> tuple[KillNotice, ...]:
        """The archive's kill notices the figure's photo matches."""
        return self.kills.get((article.root, article.path, figure.index), ())

    def image_of(self, article: Article, figure: Figure) -> ImageRecord | None:
        """The image record a figure was paired with, if any."""
        m = self.match(article, figure)
        key = None if m is None else m.image_key
        return None if key is None else self._images_by_path.get(key)

    def image(self, root: str, path: str) -> ImageRecord | None:
        """The image record at `path` under the media folder `root`."""
        return self._images_by_path.get((root, path))

    def figure_images(self) -> list[tuple[Article, Figure, ImageRecord]]:
        """Every figure paired with a readable image, with both, in article and figure order."""
        used = []
        for article in self.articles:
            for figure in article.figures:
                image = self.image_of(article, figure)
                if image is not None and image.readable:
                    used.append((article, figure, image))
        return used

    def similarity(self, a: ImageRecord, b: ImageRecord) -> Similarity | None:
        """`similarity.compare` of the two images' hashes (a first), as judged before the rules ran.

        None when they are different photos, or when either has no hashes or hashes made another way.
        """
        if a.hashes is None or b.hashes is None or a.hashes.version != b.hashes.version:
            return None
        key = (a.sha256, b.sha256)
        if key in self.similar:
            return self.similar[key]
        from provenance.media.similarity import compare  # numpy and scipy: only when a pair is compared here

        return compare(a.hashes, b.hashes)


Check = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A check with a stable code and name; its module docstring is its user documentation."""

    code: str
    """Stable code, e.g. "PV001"; never reused."""
    name: str
    """Kebab-case name, e.g. "missing-credit": reads well in "ignore missing-credit"."""
    severity: Severity
    """Default severity of its findings."""
    summary: str
    """One line: what it flags."""
    check: Check
    """Yields the findings; severity is the default, the pipeline applies configuration."""

    @property
    def help_uri(self) -> str:
        """Where the README documents the rule (its row of the rules table)."""
        return f"{DOCS_URL}#{self.name}"

    @property
    def doc(self) -> str:
        """The rule's documentation: what it flags, why it matters, an example, how to fix."""
        module = inspect.getmodule(self.check)
        return inspect.cleandoc(module.__doc__ or "") if module else ""

    def finding(
        self,
        message: str,
        *,
        article: Article | None,
        root: str,
        line: int | None = None,
        figures: Iterable[Figure] = (),
        images: Iterable[ImageRecord] = (),
        extra_paths: Iterable[str] = (),
        image_notes: Iterable[str] = (),
        other_figures: Iterable[tuple[Article, Figure]] = (),
        identity: Iterable[str] | None = None,
    ) -> Finding:
        """A finding of this rule; its fingerprint ignores line numbers.

        `images` may lie under several folders (their roots are then kept per image); `image_notes`
        says one phrase of each image; `other_figures` are figures of other articles it concerns.
        `identity`, when given, is the whole content of the fingerprint besides rule and article (no
        caption text): findings with the same identity are the same finding.
        """
        figs = tuple(figures)
        ims = tuple(images)
        image_root = ims[0].root if ims and ims[0].root != root else None
        roots = {im.root for im in ims}
        if len(roots) > 1:
            ims = tuple({(im.root, im.path): im for im in ims}.values())
            paths = tuple(im.path for im in ims) + tuple(extra_paths)
            image_roots = tuple(im.root for im in ims) + tuple(image_root or root for _ in extra_paths)
        else:
            paths = tuple(dict.fromkeys([*(im.path for im in ims), *extra_paths]))
            image_roots = ()
        contents = tuple(im.sha256 for im in ims) + tuple(extra_paths)
        text = " | ".join(sorted(f.caption or f.image_ref or f"figure {f.index + 1}" for f in figs))
        if not figs:
            text = " ".join(paths)
        if identity is not None:
            contents, text = tuple(identity), ""
        return Finding(
            rule=self.name,
            code=self.code,
            severity=self.severity,
            message=message,
            article=article.path if article else None,
            root=root,
            line=line,
            images=paths,
            figures=tuple(f.index for f in figs),
            fingerprint=fingerprint(self.name, article.path if article else None, contents, text),
            image_root=image_root,
            image_roots=image_roots,
            image_notes=tuple(image_notes),
            other_figures=tuple((a.root, a.path, f.index) for a, f in other_figures),
        )


def figure_label(figure: Figure, *, capital: bool = False) -> str:
    """How a message names a figure: 'figure 2 ("Protesters in Tehran...")'."""
    caption = figure.caption or figure.alt or figure.image_ref or ""
    short = caption if len(caption) <= 60 else caption[:57].rstrip() + "..."
    word = "Figure" if capital else "figure"
    return f'{word} {figure.index + 1} ("{short}")' if short else f"{word} {figure.index + 1}"
