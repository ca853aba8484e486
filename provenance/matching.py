"""Pair each figure with its image: by reference, else by caption, else by order.

A figure that names its file (Markdown, HTML) gets that file. Figures that
name none (plain text) are paired with the images no reference claimed: first
where the figure's caption resembles an image's embedded caption or headline,
then the remaining ones in reading order against file-name order.

A remote reference whose file name, without a CDN's size and format suffixes
and query, names an image of the media folder gets that image (`FILENAME`);
once fetched, a remote image that is the same photo as an image of the media
folder gets it too (`match_fetched`).
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rapidfuzz import fuzz

from provenance.credits import normalise
from provenance.media.files import IMAGE_EXTENSIONS, resolve_reference
from provenance.model import Article, ImageRecord, Match, MatchMethod, RefStatus

CAPTION_THRESHOLD = 60.0
"""Lowest caption similarity (0-100, rapidfuzz token-set ratio) that pairs a figure with an image."""

RENDITION_SUFFIX = re.compile(
    r"(?:[-_.@](?:\d{2,5}x\d{2,5}|\d{2,5}w|w\d{2,5}|\d(?:\.\d)?x|scaled|rotated|e\d{10,13}))+$", re.IGNORECASE)
"""What CDNs and CMSs append to a file name's stem for a rendition: a size (`-800x600`, `-1024w`, `_w800`),
a pixel density (`@2x`), WordPress's `-scaled`, `-rotated` and edit stamps (`-e1612345678`)."""


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
            elif resolved.status is RefStatus.REMOTE:
                url = remote_url(fig.image_ref)
                original = rendition_original(url, by_path)
                if original is not None:
                    claimed.add(original)
                    matches[key] = Match(article.path, article.root, fig.index, RefStatus.FOUND, original,
                                         MatchMethod.FILENAME, 1.0, media_label, url=url)
                else:
                    matches[key] = Match(article.path, article.root, fig.index, RefStatus.REMOTE, url=url)
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


def remote_url(ref: str) -> str:
    """The absolute URL of a remote reference: a protocol-relative `//host/...` is taken as https."""
    ref = ref.strip()
    return "https:" + ref if ref.startswith("//") else ref


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _bare_stem(name: str) -> str:
    """A file name without its image extensions (`photo.jpg.webp` -> `photo`)."""
    while True:
        stem, ext = posixpath.splitext(name)
        if not stem or ext.lower() not in IMAGE_EXTENSIONS:
            return name
        name = stem


def rendition_original(url: str, images: Sequence[str] | dict[str, ImageRecord]) -> str | None:
    """The image (a path among `images`) a remote rendition at `url` was made from, by file name, or None.

    The URL's file name matches an image's file name as it is, else once both lose their image
    extensions (`photo.webp` for `photo.jpg`) and the URL's its rendition suffixes (`photo-800x600.jpg`);
    the query is ignored. A name that fits several images matches none.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return None
    name = posixpath.basename(unquote(parts.path))
    if not name:
        return None
    paths = list(images)
    exact = [p for p in paths if _name_key(posixpath.basename(p)) == _name_key(name)]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    stem = _bare_stem(name)
    wanted = {_name_key(stem), _name_key(RENDITION_SUFFIX.sub("", stem))} - {""}
    fits = [p for p in paths if _name_key(_bare_stem(posixpath.basename(p))) in wanted
            and posixpath.splitext(p)[1].lower() in IMAGE_EXTENSIONS]
    return fits[0] if len(fits) == 1 else None


def match_fetched(match: Match, fetched: ImageRecord, images: Sequence[ImageRecord], media_label: str) -> Match:
    """A remote figure's match once its image was fetched: the image of the media folder (`images`) the
    match names by file name, or any of them, when it is the same photo as the fetched one (by SHA-256,
    else by perceptual hashes; a mirrored copy is another use, not a rendition); else the fetched image."""
    named = [im for im in images if im.path == match.image] if match.method is MatchMethod.FILENAME else []
    others = [im for im in images if im.path != match.image]
    for candidates, method in ((named, MatchMethod.FILENAME), (others, MatchMethod.CONTENT)):
        for image in candidates:
            if _same_photo(fetched, image):
                return dataclasses.replace(match, status=RefStatus.FOUND, image=image.path, method=method,
                                           score=1.0, image_root=media_label, unchecked=None)
    return dataclasses.replace(match, status=RefStatus.FOUND, image=fetched.path, method=MatchMethod.REFERENCE,
                               score=1.0, image_root=fetched.root, unchecked=None)


def _same_photo(a: ImageRecord, b: ImageRecord) -> bool:
    if a.sha256 == b.sha256 and a.size:
        return True
    if a.hashes is None or b.hashes is None or a.hashes.version != b.hashes.version:
        return False
    from provenance.media.similarity import compare  # numpy and scipy: only when something was fetched

    similarity = compare(a.hashes, b.hashes)
    return similarity is not None and "mirrored" not in similarity.how
