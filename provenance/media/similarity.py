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

`compare` accepts records `prepare`d once (hex decoded, features laid out, mirror image derived)
as well as plain `Hashes`; comparing every pair of a check's figures, the reused-photo rule prepares
each once. The local step returns early, and cheaply, on pairs it could never accept (too few
distinct near features, none in the middle band, no scale ratio within reach) and screens the
proposed transforms with a cheap test the exact one implies; what it accepts, and how it describes
it, is what scoring every transform gives (`benchmarks/compare_speed.py` checks it on every pair of
528 images). What remains costly is pairs with many near patch hashes (edges, gradients, flat
areas, lattices), whose transforms must all be scored.

Searching many stored photos (the archive, or every figure of a check) does not run `compare`
on each: `provenance.media.index` first finds the candidates worth a `compare`, vectorised over
the fixed-width 64-bit values (the global hashes and the local features' patch hashes).
"""

from __future__ import annotations

import functools
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


def _trim(values: Mapping[str, str]) -> NDArray[np.float64]:
    """The border bars trimmed off before hashing: shares of (left, top, right, bottom)."""
    raw = bytes.fromhex(values["trim"])
    return np.frombuffer(raw, dtype=np.uint8) / 255.0


_GLOBAL = ("phash", "dhash16", "band_phash", "band_dhash")


@dataclass(frozen=True, eq=False)
class _Side:
    """One orientation (as stored, or mirrored) of an image's local features, laid out for
    `_geometry`: positions as lengths in the content's frame, and what each match test needs."""

    bits: NDArray[np.uint64]
    x: NDArray[np.float64]
    """Positions as lengths (the frame's long side is 1)."""
    y: NDArray[np.float64]
    z: NDArray[np.complex128]
    """x + iy."""
    scale: NDArray[np.float64]
    """Blob scales, at least 1e-6 (ratios of them are taken)."""
    log_scale: NDArray[np.float64]
    middle: NDArray[np.bool_]
    """Inside the middle band (as the band hashes see it)."""
    frame: tuple[float, float]


def _side(f: hashing.Features) -> _Side:
    w, h = _frame(f)
    x, y = f.x * w, f.y * h
    scale = np.maximum(f.scale, 1e-6)
    middle = (f.y > hashing.BAND) & (f.y < 1 - hashing.BAND)
    return _Side(f.bits, x, y, x + 1j * y, scale, np.log(scale), middle, (w, h))


@dataclass(frozen=True, eq=False)
class PreparedHashes:
    """A `Hashes` record decoded once for many `compare` calls (see `prepare`)."""

    hashes: Hashes
    words: Mapping[str, int]
    """The global hashes as integers (each with its mirror twin, under the same names + "_mirror")."""
    trim: NDArray[np.float64]
    features: int
    """How many local features."""
    plain: _Side
    mirrored: _Side


def prepare(h: Hashes) -> PreparedHashes:
    """`h` decoded for `compare`: comparing one photo with many, prepare it once."""
    values = h.values
    words = {name + suffix: int(values[name + suffix], 16) for name in _GLOBAL for suffix in ("", "_mirror")}
    f = hashing.unpack_features(values["local"])
    return PreparedHashes(h, words, _trim(values), len(f.bits), _side(f), _side(_mirrored(f)))


@functools.lru_cache(maxsize=256)
def _pairs(n: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    i, j = np.triu_indices(n, k=1)
    return i, j


# Scale limits a match's blob-scale ratio must meet to agree with any transform searched: its log
# within SCALE_SLACK of a scale in SCALE_RANGE. The margin only keeps rounding on the safe side.
_MARGIN = 1e-6
_LOG_RATIO = (float(np.log(SCALE_RANGE[0])) - SCALE_SLACK - _MARGIN,
              float(np.log(SCALE_RANGE[1])) + SCALE_SLACK + _MARGIN)
_REAL_RANGE = (SCALE_RANGE[0] * float(np.cos(np.radians(MAX_ANGLE))) - _MARGIN, SCALE_RANGE[1] + _MARGIN)
_TAN = float(np.tan(np.radians(MAX_ANGLE))) + _MARGIN


def _geometry(a: _Side, b: _Side) -> _Fit | None:
    """The best similarity transform carrying a's features onto b's, if enough agree.

    Every test below that returns None before the transforms are scored is implied by the
    decision itself (at least MIN_INLIERS distinct features on both sides, one pair in the middle
    band of both, scales within reach), so it only skips work: matches and transforms are taken
    and scored in the same order, with the same arithmetic, as an exhaustive search would.
    """
    na, nb = len(a.bits), len(b.bits)
    if na < 2 or nb < 2:
        return None
    dist = np.bitwise_count(a.bits[:, None] ^ b.bits[None, :])
    near = dist <= MATCH_BITS
    near_rows = near.any(axis=1)
    if np.count_nonzero(near_rows) < MIN_INLIERS or np.count_nonzero(near.any(axis=0)) < MIN_INLIERS:
        return None
    # Each feature of a with its NEIGHBOURS nearest features of b, when near enough (features with
    # none near enough are left out: they give no match).
    sel = np.flatnonzero(near_rows)
    sub = dist[sel]
    k = min(NEIGHBOURS, nb)
    nearest = np.argpartition(sub, k - 1, axis=1)[:, :k] if k < nb else np.argsort(sub, axis=1)
    rows = np.repeat(np.arange(len(sel)), nearest.shape[1])
    cols = nearest.ravel()
    keep = sub[rows, cols] <= MATCH_BITS
    ia, ib = sel[rows[keep]], cols[keep]
    # Matches whose blob scales no transform searched allows never count: leave them out.
    log_ratio = b.log_scale[ib] - a.log_scale[ia]
    reach = (log_ratio > _LOG_RATIO[0]) & (log_ratio < _LOG_RATIO[1])
    ia, ib = ia[reach], ib[reach]
    # ia is sorted: its distinct values are where it changes.
    if len(ia) < MIN_INLIERS or np.count_nonzero(ia[1:] != ia[:-1]) + 1 < MIN_INLIERS:
        return None
    if np.count_nonzero(np.bincount(ib)) < MIN_INLIERS or not (a.middle[ia] & b.middle[ib]).any():
        return None
    ratio = b.scale[ib] / a.scale[ia]
    za, zb = a.z[ia], b.z[ib]
    i, j = _pairs(len(ia))
    da, db = za[j] - za[i], zb[j] - zb[i]
    # A cheap test first, implied by the exact ones below (scale in range, rotation within
    # MAX_ANGLE), without dividing: db / da = q / |da|^2 with q = db * conj(da), whose real part
    # must be at least 0.445 and at most 2.2 times |da|^2, its imaginary part within tan(MAX_ANGLE)
    # of its real part. Coincident points (da = 0) never pass.
    q = db * np.conjugate(da)
    norm = (da * np.conjugate(da)).real
    re, im = q.real, q.imag
    ok = np.flatnonzero((re > _REAL_RANGE[0] * norm) & (re < _REAL_RANGE[1] * norm) & (np.abs(im) <= re * _TAN))
    i, j, da, db = i[ok], j[ok], da[ok], db[ok]
    m = db / da  # scale * rotation, as a complex number
    s = np.maximum(np.abs(m), 1e-9)
    ang = np.degrees(np.arctan2(m.imag, m.real))
    ok = (np.abs(da) > 0.04) & (s > SCALE_RANGE[0]) & (s < SCALE_RANGE[1]) & (np.abs(ang) <= MAX_ANGLE)
    ok &= (np.abs(np.log(ratio[i] / s)) < SCALE_SLACK) & (np.abs(np.log(ratio[j] / s)) < SCALE_SLACK)
    if not ok.any():
        return None
    m, i = m[ok], i[ok]
    t = zb[i] - m * za[i]
    resid = np.abs(m[:, None] * za[None, :] + t[:, None] - zb[None, :])
    agree = (resid < TOLERANCE) & (np.abs(np.log(ratio[None, :] / np.abs(m)[:, None])) < SCALE_SLACK)
    counts = agree.sum(axis=1)
    h = int(counts.argmax())
    if counts[h] < MIN_INLIERS:
        return None
    inl = agree[h]
    # One point of b may answer several of a: count distinct points on both sides.
    n = min(len(set(ia[inl].tolist())), len(set(ib[inl].tolist())))
    if n < MIN_INLIERS:
        return None
    # A ticker, banner or logo shared by two photos sits in their top or bottom band: some of the
    # agreement must come from the middle of both frames.
    middle = a.middle[ia[inl]] & b.middle[ib[inl]]
    if middle.sum() < MIN_MIDDLE:
        return None
    wa, ha = a.frame
    wb, hb = b.frame
    mh, th = m[h], t[h]
    # Where a's frame lands in b: the overlap, and how much of each frame the other covers.
    corners = np.array([0, wa, wa + 1j * ha, 1j * ha]) * mh + th
    lo_x, hi_x = np.clip([corners.real.min(), corners.real.max()], 0, wb)
    lo_y, hi_y = np.clip([corners.imag.min(), corners.imag.max()], 0, hb)
    if hi_x <= lo_x or hi_y <= lo_y:
        return None
    # The middle 60% of the agreeing points must spread over the overlap: a shared banner or logo
    # (with a few strays) does not.
    pb = np.stack([b.x[ib[inl]], b.y[ib[inl]]], axis=1)
    spread = np.ptp(np.quantile(pb, [0.2, 0.8], axis=0), axis=0) / (hi_x - lo_x, hi_y - lo_y)
    if spread.min() < MIN_SPREAD:
        return None
    overlap_b = (hi_x - lo_x) * (hi_y - lo_y)
    cover_b = float(overlap_b / (wb * hb))
    cover_a = float(overlap_b / (abs(mh) ** 2 * wa * ha))
    bits = float(dist[ia[inl], ib[inl]].mean())
    return _Fit(n, float(abs(mh)), float(np.degrees(np.angle(mh))), min(cover_a, 1.0), min(cover_b, 1.0), bits)


def compare(a: Hashes | PreparedHashes, b: Hashes | PreparedHashes) -> Similarity | None:
    """The similarity of two hashed images, or None when they are different photos.

    Either may be `prepare`d: comparing one photo with many, prepare each once.
    Raises ValueError when the two were hashed by different recipes or library versions.
    """
    ha = a.hashes if isinstance(a, PreparedHashes) else a
    hb = b.hashes if isinstance(b, PreparedHashes) else b
    if ha.version != hb.version:
        raise ValueError(f"cannot compare hashes made differently: {ha.version!r} vs {hb.version!r}")
    pa = a if isinstance(a, PreparedHashes) else prepare(a)
    pb = b if isinstance(b, PreparedHashes) else prepare(b)
    aw, bw = pa.words, pb.words
    # Letterbox and pillarbox bars come in pairs (top and bottom, or left and right).
    bars = np.abs(pa.trim - pb.trim) > LETTERBOX
    letterboxed = bool((bars[0] and bars[2]) or (bars[1] and bars[3]))
    best: Similarity | None = None
    for suffix, mirrored in (("", False), ("_mirror", True)):
        phash = (aw["phash"] ^ bw["phash" + suffix]).bit_count()
        fine = (aw["dhash16"] ^ bw["dhash16" + suffix]).bit_count()
        if phash <= PHASH_SAME and fine <= DHASH16_CONFIRM:
            # The middle band much closer than the whole: a banner or logo at the top or bottom.
            band = (aw["band_phash"] ^ bw["band_phash" + suffix]).bit_count()
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
        phash = (aw["band_phash"] ^ bw["band_phash" + suffix]).bit_count()
        fine = (aw["band_dhash"] ^ bw["band_dhash" + suffix]).bit_count()
        if phash <= BAND_SAME and fine <= BAND_CONFIRM:
            words = (("mirrored",) if mirrored else ()) + ("overlaid",) + (("letterboxed",) if letterboxed else ())
            sim = Similarity(score=1.0 - phash / 64, distance=phash, how=words)
            if best is None or sim.score > best.score:
                best = sim
    if best is not None:
        return best
    band = min((aw["band_phash"] ^ bw["band_phash"]).bit_count(),
               (aw["band_phash"] ^ bw["band_phash_mirror"]).bit_count())
    for mirrored in (False, True):
        fit = _geometry(pa.plain, pb.mirrored if mirrored else pb.plain)
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
        phash = min((aw["phash"] ^ bw["phash"]).bit_count(), (aw["phash"] ^ bw["phash_mirror"]).bit_count())
        score = min(1.0, 0.6 + 0.4 * fit.inliers / max(8, min(pa.features, pb.features) * 0.5))
        sim = Similarity(score=score, distance=phash, how=tuple(how))
        if best is None or sim.score > best.score:
            best = sim
    return best
