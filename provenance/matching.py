"""Pair each figure with its image: by reference, else by caption, else by order.

A figure that names its file (Markdown, HTML) gets that file. Figures that
name none (plain text) are paired with the images no reference claimed: first
where the figure's caption resembles an image's embedded caption or headline,
then the remaining ones in reading order against file-name order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import fuzz

from provenance.credits import normalise
from provenance.media.files import resolve_reference
from provenance.model import Article, ImageRecord, Match, MatchMethod, RefStatus

CAPTION_THRESHOLD = 60.0
"""Lowest caption similarity (0-100, rapidfuzz token-set ratio) that pairs a figure with an image."""


def natural_key(path: str) -> list[object]:
    """Sort key that puts photo2.jpg before photo10.jpg."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", path)]


def match_figures(
    articles: Sequence[Article],
    images: Sequence[ImageRecord],
    article_root: Path,
    media_root: Path,
    media_label: str,
) -> list[Match]:
    """One `Match` per figure of `articles`, pairing them with `images` (all under `media_root`,
    which the report names `media_label`)."""
    by_path = {im.path: im for im in images}
    matches: dict[tuple[str, int], Match] = {}
    claimed: set[str] = set()
    pending: list[tuple[Article, int]] = []
    for article in articles:
        article_dir = (article_root / article.path).parent
        for fig in article.figures:
            key = (article.path, fig.index)
            if fig.image_ref is None:
                pending.append((article, fig.index))
                continue
            resolved = resolve_reference(fig.image_ref, article_dir, article_root, media_root)
            if resolved.status is RefStatus.FOUND and resolved.rel in by_path:
                claimed.add(resolved.rel)
                matches[key] = Match(article.path, article.root, fig.index, RefStatus.FOUND,
                                     resolved.rel, MatchMethod.REFERENCE, 1.0, media_label)
            elif resolved.status is RefStatus.FOUND:
                # a file that is not an image we read (unknown extension): found, nothing to check
                matches[key] = Match(article.path, article.root, fig.index, RefStatus.FOUND,
                                     resolved.rel, MatchMethod.REFERENCE, 1.0, media_label)
            else:
                matches[key] = Match(article.path, article.root, fig.index, resolved.status)
    free = sorted((p for p in by_path if p not in claimed), key=natural_key)
    _pair_by_caption(pending, free, by_path, matches, media_label)
    for article, index in pending:
        key = (article.path, index)
        if key in matches:
            continue
        if free:
            path = free.pop(0)
            matches[key] = Match(article.path, article.root, index, RefStatus.FOUND, path, MatchMethod.ORDER, 0.0,
                                 media_label)
        else:
            matches[key] = Match(article.path, article.root, index, RefStatus.NONE)
    ordered = []
    for article in articles:
        for fig in article.figures:
            ordered.append(matches[(article.path, fig.index)])
    return ordered


def _pair_by_caption(
    pending: list[tuple[Article, int]],
    free: list[str],
    by_path: dict[str, ImageRecord],
    matches: dict[tuple[str, int], Match],
    media_label: str,
) -> None:
    """Greedy best-first pairing of figure captions with embedded captions; removes paired images from `free`."""
    scored: list[tuple[float, int, str]] = []
    for n, (article, index) in enumerate(pending):
        caption = article.figures[index].caption
        if not caption:
            continue
        for path in free:
            meta = by_path[path].metadata
            best = 0.0
            for text in (meta.caption, meta.headline):
                if text:
                    best = max(best, fuzz.token_set_ratio(normalise(caption), normalise(text)))
            if best >= CAPTION_THRESHOLD:
                scored.append((best, n, path))
    scored.sort(key=lambda t: (-t[0], t[1], natural_key(t[2])))
    taken_figures: set[int] = set()
    for score, n, path in scored:
        if n in taken_figures or path not in free:
            continue
        article, index = pending[n]
        taken_figures.add(n)
        free.remove(path)
        matches[(article.path, index)] = Match(article.path, article.root, index, RefStatus.FOUND, path,
                                               MatchMethod.CAPTION, round(score / 100.0, 3), media_label)
