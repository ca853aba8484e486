"""When are two photos "the same": perceptual descriptors and their comparison.

`compute_hashes` turns one decoded image into a `Hashes` record (see `hashing` for how);
`compare` decides from two such records alone, without pixels, whether they show the same
photo, and how the copy differs. Working on stored values only lets the same function search
an archive of earlier articles whose files are gone. Hashes made by another recipe
(algorithms, sizes, library versions) are never compared: `compare` raises `ValueError`.

What is stored (all hexadecimal strings in `Hashes.values`):

* ``phash``, ``dhash`` (64 bits) of the content after trimming border bars, and
  ``phash_mirror``, ``dhash_mirror`` of its mirror image;
* ``dhash16``, ``dhash16_mirror`` (256 bits): a finer opinion that must confirm a phash match;
* ``band_phash``, ``band_dhash`` and their ``_mirror`` twins (64 bits): the same hashes of the
  middle band of the content (the top and bottom 20% left out, where channels burn in tickers,
  banners and logos);
* ``trim``: the bars trimmed off (4 bytes: left, top, right, bottom as 1/255 of a side);
* ``local``: the aspect ratio and up to 128 features, 14 bytes each (position, scale, 64-bit
  patch hash).

How `compare` decides:

1. Global: phash distance <= 10 (plain or mirrored), confirmed by the 256-bit dhash. This
   catches resized, recompressed, greyscale, brightened, letterboxed and mirrored copies, and
   many with a small overlay ("overlaid" when the middle band is much closer than the whole).
2. Band: band phash distance <= 8 (plain or mirrored), confirmed by the band dhash (<= 10).
   This catches copies with a banner or logo burned in at the top or bottom ("overlaid").
3. Local: each feature of one photo is paired with its 3 nearest features of the other (patch
   hashes within 9 bits; three, because lattices and rows of lights repeat one patch); every
   pair of such matches proposes a similarity transform (scale 0.45-2.2, rotation up to 8
   degrees), and the best must be agreed (within 1.5% of the long side) by at least 7 distinct
   matches spread over the overlap, one of them in the middle band of both. This catches
   crops, burned-in banners and logos, and small rotations, in either direction, and mirrored
   crops (the mirror's features are derived). Requiring spread agreement under one geometry is
   what keeps different photos apart: two photos with the same channel logo or the same ticker
   agree only in that small region, at the top or bottom.

Two frames of one scene shot a moment apart often agree locally too and are reported as the
same photo, with how similar they are.

Searching many stored photos (the archive, or every figure of a check) does not run `compare`
on each: `provenance.media.index` first finds the candidates worth a `compare`, vectorised over
the fixed-width 64-bit values (the global hashes and the local features' patch hashes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import PIL
import scipy
from numpy.typing import NDArray
from PIL import Image

from provenance.media import hashing
from provenance.model import Hashes

RECIPE = (
    f"sim3 work{hashing.WORK} trim{hashing.DARK} thumb{hashing.THUMB} phash8 dhash8 dhash16 band{hashing.BAND} +mirror"
    f" dog{hashing.OCTAVES}x{hashing.INTERVALS}t{hashing.TRUNCATE} c{hashing.CONTRAST} e{hashing.EDGE_RATIO}"
    f" n{hashing.MAX_POINTS}"
    f" patch{hashing.PATCH_GRID}r{hashing.PATCH_RADIUS}"
)
"""Names the algorithms and sizes; bump it whenever the values would change."""


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


VERSION = (
    f"{RECIPE} pillow={_minor(PIL.__version__)} numpy={_minor(np.__version__)}"
    f" scipy={_minor(scipy.__version__)}"
)
"""The `Hashes.version` this module writes and accepts.

It names the libraries whose code computes the values (Pillow resizes, numpy and scipy filter,
interpolate and transform), by major.minor version only. A patch release fixes bugs without
changing algorithms; should one still move a value, it moves it by a rounding step, which flips at
most a few bits of a hash or a feature, well inside the tolerances `compare` allows. Refusing to
compare across every patch release would instead make the archive unusable after each routine
upgrade (its files may be gone, so it cannot be rehashed). Minor releases may change filters or
defaults, so they are not compared.
"""

PHASH_NEAR = 4
"""phash distance at or below which two images are near-identical copies."""
PHASH_SAME = 10
"""phash distance at or below which two images are the same photo (resized, recompressed...)."""
DHASH16_CONFIRM = 48
"""256-bit dhash distance a phash match must also stay within: phash sees only the broad layout,
and two photos alike in layout (two halves of one round subject) can share it."""
LETTERBOX = 0.03
"""Trimmed border bars differing by more than this share of two opposite sides: one copy is
letterboxed."""
BAND_SAME = 8
"""phash distance of the middle bands at or below which two images are the same photo, overlaid."""
BAND_CONFIRM = 10
"""64-bit dhash distance of the middle bands that must confirm a band phash match."""
CROPPED = 0.06
"""A copy showing less than 1 - CROPPED of the other's frame is reported as cropped."""

MATCH_BITS = 9
"""Patch hashes within this Hamming distance (of 64) are tentative matches."""
NEIGHBOURS = 3
"""Each feature is paired tentatively with this many nearest features of the other image."""
MIN_INLIERS = 7
"""Distinct feature matches one similarity transform must explain to call two photos the same."""
MIN_SPREAD = 0.15
"""The middle 60% of those matches must spread over this share of the overlap's width and height:
a shared logo or banner alone (a small or flat region) never makes two photos the same."""
MIN_MIDDLE = 1
"""Of those, how many must lie in the middle band (as the band hashes see it) of both photos."""
TOLERANCE = 0.015
"""Largest position error of an agreeing match, as a share of the long side."""
SCALE_RANGE = (0.45, 2.2)
"""Relative sizes of the two contents that are searched."""
MAX_ANGLE = 8.0
"""Largest rotation searched, degrees."""
SCALE_SLACK = 0.35
"""Largest |log| difference between a match's blob-scale ratio and the transform's scale."""


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
    work, trim = hashing.content_image(image)
    values = hashing.global_hashes(work)
    values["trim"] = "".join(f"{round(t * 255):02x}" for t in trim)
    values["local"] = hashing.pack_features(hashing.local_features(work))
    return Hashes(version=VERSION, values=values)


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


_REVERSED_BYTE = np.array([int(f"{i:08b}"[::-1], 2) for i in range(256)], dtype=np.uint8)


def _mirrored(f: hashing.Features) -> hashing.Features:
    """The features of the mirror image: x flipped, each 8-sample row of a patch hash reversed."""
    bits = _REVERSED_BYTE[f.bits.view(np.uint8)].view(np.uint64)
    return hashing.Features(1.0 - f.x, f.y, f.scale, bits, f.aspect)


@dataclass(frozen=True)
class _Fit:
    inliers: int
    scale: float
    """Size of b's content relative to a's (as lengths)."""
    angle: float
    """Rotation from a to b, degrees."""
    cover_a: float
    """Share of a's frame that b shows (1 when b shows all of a)."""
    cover_b: float
    """Share of b's frame that a shows."""
    bits: float
    """Mean patch-hash distance of the agreeing matches."""


def _frame(f: hashing.Features) -> tuple[float, float]:
    return (1.0, 1.0 / f.aspect) if f.aspect >= 1 else (f.aspect, 1.0)


def _geometry(a: hashing.Features, b: hashing.Features) -> _Fit | None:
    """The best similarity transform carrying a's features onto b's, if enough agree."""
    if len(a.bits) < 2 or len(b.bits) < 2:
        return None
    dist = np.bitwise_count(a.bits[:, None] ^ b.bits[None, :])
    # Each feature of a with its NEIGHBOURS nearest features of b, when near enough.
    k = min(NEIGHBOURS, len(b.bits))
    nearest = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < len(b.bits) else np.argsort(dist, axis=1)
    rows = np.repeat(np.arange(len(a.bits)), nearest.shape[1])
    cols = nearest.ravel()
    keep = dist[rows, cols] <= MATCH_BITS
    ia, ib = rows[keep], cols[keep]
    if len(ia) < MIN_INLIERS:
        return None
    wa, ha = _frame(a)
    wb, hb = _frame(b)
    pa = np.stack([a.x[ia] * wa, a.y[ia] * ha], axis=1)
    pb = np.stack([b.x[ib] * wb, b.y[ib] * hb], axis=1)
    ratio = np.maximum(b.scale[ib], 1e-6) / np.maximum(a.scale[ia], 1e-6)
    za = pa[:, 0] + 1j * pa[:, 1]
    zb = pb[:, 0] + 1j * pb[:, 1]
    i, j = np.triu_indices(len(ia), k=1)
    da, db = za[j] - za[i], zb[j] - zb[i]
    ok = np.abs(da) > 0.04
    i, j, da, db = i[ok], j[ok], da[ok], db[ok]
    m = db / da  # scale * rotation, as a complex number
    s = np.maximum(np.abs(m), 1e-9)
    ang = np.degrees(np.angle(m))
    ok = (s > SCALE_RANGE[0]) & (s < SCALE_RANGE[1]) & (np.abs(ang) <= MAX_ANGLE)
    ok &= (np.abs(np.log(ratio[i] / s)) < SCALE_SLACK) & (np.abs(np.log(ratio[j] / s)) < SCALE_SLACK)
    if not ok.any():
        return None
    m, i = m[ok], i[ok]
    t = zb[i] - m * za[i]
    resid = np.abs(m[:, None] * za[None, :] + t[:, None] - zb[None, :])
    agree = (resid < TOLERANCE) & (np.abs(np.log(ratio[None, :] / np.abs(m)[:, None])) < SCALE_SLACK)
    counts = agree.sum(axis=1)
    h = int(counts.argmax())
    inl = agree[h]
    # One point of b may answer several of a: count distinct points on both sides.
    n = min(len(set(ia[inl].tolist())), len(set(ib[inl].tolist())))
    if n < MIN_INLIERS:
        return None
    # A ticker, banner or logo shared by two photos sits in their top or bottom band: some of the
    # agreement must come from the middle of both frames.
    ya, yb = a.y[ia[inl]], b.y[ib[inl]]
    middle = (ya > hashing.BAND) & (ya < 1 - hashing.BAND) & (yb > hashing.BAND) & (yb < 1 - hashing.BAND)
    if middle.sum() < MIN_MIDDLE:
        return None
    mh, th = m[h], t[h]
    # Where a's frame lands in b: the overlap, and how much of each frame the other covers.
    corners = np.array([0, wa, wa + 1j * ha, 1j * ha]) * mh + th
    lo_x, hi_x = np.clip([corners.real.min(), corners.real.max()], 0, wb)
    lo_y, hi_y = np.clip([corners.imag.min(), corners.imag.max()], 0, hb)
    if hi_x <= lo_x or hi_y <= lo_y:
        return None
    # The middle 60% of the agreeing points must spread over the overlap: a shared banner or logo
    # (with a few strays) does not.
    spread = np.ptp(np.quantile(pb[inl], [0.2, 0.8], axis=0), axis=0) / (hi_x - lo_x, hi_y - lo_y)
    if spread.min() < MIN_SPREAD:
        return None
    overlap_b = (hi_x - lo_x) * (hi_y - lo_y)
    cover_b = float(overlap_b / (wb * hb))
    cover_a = float(overlap_b / (abs(mh) ** 2 * wa * ha))
    bits = float(dist[ia[inl], ib[inl]].mean())
    return _Fit(n, float(abs(mh)), float(np.degrees(np.angle(mh))), min(cover_a, 1.0), min(cover_b, 1.0), bits)


def _trim(values: Mapping[str, str]) -> NDArray[np.float64]:
    """The border bars trimmed off before hashing: shares of (left, top, right, bottom)."""
    raw = bytes.fromhex(values["trim"])
    return np.frombuffer(raw, dtype=np.uint8) / 255.0


def compare(a: Hashes, b: Hashes) -> Similarity | None:
    """The similarity of two hashed images, or None when they are different photos.

    Raises ValueError when the two were hashed by different recipes or library versions.
    """
    if a.version != b.version:
        raise ValueError(f"cannot compare hashes made differently: {a.version!r} vs {b.version!r}")
    av, bv = a.values, b.values
    # Letterbox and pillarbox bars come in pairs (top and bottom, or left and right).
    bars = np.abs(_trim(av) - _trim(bv)) > LETTERBOX
    letterboxed = bool((bars[0] and bars[2]) or (bars[1] and bars[3]))
    best: Similarity | None = None
    for suffix, mirrored in (("", False), ("_mirror", True)):
        phash = _distance(av["phash"], bv["phash" + suffix])
        fine = _distance(av["dhash16"], bv["dhash16" + suffix])
        if phash <= PHASH_SAME and fine <= DHASH16_CONFIRM:
            # The middle band much closer than the whole: a banner or logo at the top or bottom.
            band = _distance(av["band_phash"], bv["band_phash" + suffix])
            overlaid = phash > PHASH_NEAR and band <= phash / 2
            plain = ((("mirrored",) if mirrored else ()) + (("overlaid",) if overlaid else ())
                     + (("letterboxed",) if letterboxed else ()))
            sim = Similarity(score=1.0 - phash / 64, distance=phash, how=plain)
            if best is None or sim.score > best.score:
                best = sim
    if best is not None:
        return best
    # The middle band: the same photo with a ticker, banner or logo burned in at the top or bottom.
    for suffix, mirrored in (("", False), ("_mirror", True)):
        phash = _distance(av["band_phash"], bv["band_phash" + suffix])
        fine = _distance(av["band_dhash"], bv["band_dhash" + suffix])
        if phash <= BAND_SAME and fine <= BAND_CONFIRM:
            words = (("mirrored",) if mirrored else ()) + ("overlaid",) + (("letterboxed",) if letterboxed else ())
            sim = Similarity(score=1.0 - phash / 64, distance=phash, how=words)
            if best is None or sim.score > best.score:
                best = sim
    if best is not None:
        return best
    band = min(_distance(av["band_phash"], bv["band_phash"]), _distance(av["band_phash"], bv["band_phash_mirror"]))
    fa = hashing.unpack_features(av["local"])
    fb = hashing.unpack_features(bv["local"])
    for mirrored in (False, True):
        fit = _geometry(fa, _mirrored(fb) if mirrored else fb)
        if fit is None:
            continue
        how: list[str] = []
        if mirrored:
            how.append("mirrored")
        if min(fit.cover_a, fit.cover_b) < 1 - CROPPED:
            how.append("cropped")
        if abs(fit.angle) >= 0.8:
            how.append("rotated")
        elif "cropped" not in how and band <= PHASH_SAME:
            # Same framing and the middle bands agree, yet the whole-image hashes do not: something
            # was laid over the top or bottom.
            how.append("overlaid")
        if letterboxed:
            how.append("letterboxed")
        phash = min(_distance(av["phash"], bv["phash"]), _distance(av["phash"], bv["phash_mirror"]))
        score = min(1.0, 0.6 + 0.4 * fit.inliers / max(8, min(len(fa.bits), len(fb.bits)) * 0.5))
        sim = Similarity(score=score, distance=phash, how=tuple(how))
        if best is None or sim.score > best.score:
            best = sim
    return best
