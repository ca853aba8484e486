"""When are two photos "the same": perceptual hashes and their comparison.

`compute_hashes` turns one decoded image into a `Hashes` record of hexadecimal
perceptual hashes; `compare` decides from two such records alone (no pixels)
whether they show the same photo. Working on stored values only lets the same
function search an archive of earlier articles whose files are gone.

Hashes made by another recipe (algorithms, sizes, library versions) are never
compared: `compare` raises `ValueError` when the versions differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import imagehash
import numpy as np
import PIL
from PIL import Image

from provenance.model import Hashes

RECIPE = "sim1 phash8 dhash8"
"""Names the algorithms and sizes; bump it whenever the values would change."""

VERSION = f"{RECIPE} imagehash={imagehash.__version__} pillow={PIL.__version__} numpy={np.__version__}"
"""The `Hashes.version` this module writes and accepts."""

PHASH_NEAR = 4
"""phash distance at or below which two images are near-identical copies."""
PHASH_SAME = 10
"""phash distance at or below which two images are the same photo (resized, recompressed...)."""
DHASH_CONFIRM = 16
"""dhash distance a phash match must also stay within: a second, independent opinion."""


@dataclass(frozen=True)
class Similarity:
    """How alike two photos are, when `compare` judged them the same photo."""

    score: float
    """0..1; 1 for identical hashes."""
    distance: int
    """The best (smallest) phash Hamming distance seen."""
    how: tuple[str, ...] = ()
    """How the copy differs ("cropped", "mirrored", "overlaid", "letterboxed", "rotated"); empty for
    plain copies, resizes, recompressions and tone changes."""

    def describe(self) -> str:
        """One phrase for an editor, e.g. "near-identical (phash distance 2)"."""
        if not self.how and self.distance <= PHASH_NEAR:
            return f"near-identical (phash distance {self.distance})"
        percent = round(self.score * 100)
        if not self.how:
            return f"same photo ({percent}% similar)"
        return f"same photo, {_join(self.how)} ({percent}% similar)"


def _join(words: tuple[str, ...]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def compute_hashes(image: Image.Image) -> Hashes:
    """Every hash the matcher needs, from one decoded image.

    The image is already EXIF-transposed and may be draft-reduced (as small as ~256 px on its
    short side), so nothing here depends on full resolution.
    """
    grey = image.convert("L")
    values = {
        "phash": str(imagehash.phash(grey)),
        "dhash": str(imagehash.dhash(grey)),
    }
    return Hashes(version=VERSION, values=values)


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def compare(a: Hashes, b: Hashes) -> Similarity | None:
    """The similarity of two hashed images, or None when they are different photos.

    Raises ValueError when the two were hashed by different recipes or library versions.
    """
    if a.version != b.version:
        raise ValueError(f"cannot compare hashes made differently: {a.version!r} vs {b.version!r}")
    phash = _distance(a.values["phash"], b.values["phash"])
    dhash = _distance(a.values["dhash"], b.values["dhash"])
    if phash > PHASH_SAME or dhash > DHASH_CONFIRM:
        return None
    return Similarity(score=1.0 - phash / 64, distance=phash)
