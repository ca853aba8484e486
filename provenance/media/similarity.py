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
as well as plain `Hashes`. The local step returns early, and cheaply, on pairs it could never accept
(too few distinct near features, none in the middle band, no scale ratio within reach) and screens
the proposed transforms with a cheap test the exact one implies; it counts the matches agreeing
with each transform in single precision wherever that cannot change a count. What it accepts, and
how it describes it, is what scoring every transform in double precision gives.

`compare_many(a, others)` is `[compare(a, b) for b in others]`, decided together: the global and
band stages for all of `others` at once (their hashes stacked as 64-bit words), then one screen of
the local stage for all that remain (near features, distinct matches, one in the middle band, a
pair of matches proposing an allowed transform that enough matches could agree with: `compare`'s
own tests, loosened by far more than rounding error), and `compare`'s local step itself only on the
few the screen cannot rule out, mostly the same photo. Comparing every pair of a check's figures,
the reused-photo rule prepares each once and compares each with all later ones in one call.
`benchmarks/compare_speed.py` checks both on every pair of 528 images against `compare` as it was
before any of this. What remains costly is pairs with many near patch hashes (edges, gradients, flat
areas, lattices), whose pairs of matches must all be tried.

Searching the archive does not run `compare` on every stored photo: `provenance.media.index`
first finds the candidates worth a `compare`, vectorised over the fixed-width 64-bit values (the
global hashes and the local features' patch hashes).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
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


def _mirrored(f: hashing.Features) -> hashing.Features:
    """The features of the mirror image: x flipped, each 8-sample row of a patch hash reversed."""
    return hashing.Features(1.0 - f.x, f.y, f.scale, hashing.mirrored_bits(f.bits), f.aspect)


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
_GLOBAL_WORDS = (1, 4, 1, 1)
"""How many 64-bit words each of `_GLOBAL` takes (the 256-bit dhash four)."""
_BLOCK = sum(_GLOBAL_WORDS)
"""Words of one orientation in `PreparedHashes.columns`."""


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
    columns: NDArray[np.uint64]
    """The same as 64-bit words (most significant first), for `compare_many` to stack: phash,
    dhash16 (four words), band_phash, band_dhash, then their mirror twins in the same order."""
    trim: NDArray[np.float64]
    features: int
    """How many local features."""
    plain: _Side
    mirrored: _Side


def _columns(words: Mapping[str, int]) -> NDArray[np.uint64]:
    """`PreparedHashes.columns` from `PreparedHashes.words`.

    Raises ValueError for a value wider than the recipe makes it: a damaged record.
    """
    out: list[int] = []
    for suffix in ("", "_mirror"):
        for name, count in zip(_GLOBAL, _GLOBAL_WORDS, strict=True):
            value = words[name + suffix]
            if value.bit_length() > 64 * count:
                raise ValueError(f"hash {name + suffix} is wider than {64 * count} bits")
            out += [(value >> (64 * k)) & 0xFFFF_FFFF_FFFF_FFFF for k in reversed(range(count))]
    return np.array(out, dtype=np.uint64)


def prepare(h: Hashes) -> PreparedHashes:
    """`h` decoded for `compare`: comparing one photo with many, prepare it once."""
    values = h.values
    words = {name + suffix: int(values[name + suffix], 16) for name in _GLOBAL for suffix in ("", "_mirror")}
    f = hashing.unpack_features(values["local"])
    return PreparedHashes(h, words, _columns(words), _trim(values), len(f.bits), _side(f), _side(_mirrored(f)))


@functools.lru_cache(maxsize=32)  # up to 384 matches: the largest holds 1.2 MB
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
_MIN_SPAN = 0.04
"""Two matches closer than this in a (as lengths) propose no transform: too short a baseline."""


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
    ok = (np.abs(da) > _MIN_SPAN) & (s > SCALE_RANGE[0]) & (s < SCALE_RANGE[1]) & (np.abs(ang) <= MAX_ANGLE)
    ok &= (np.abs(np.log(ratio[i] / s)) < SCALE_SLACK) & (np.abs(np.log(ratio[j] / s)) < SCALE_SLACK)
    if not ok.any():
        return None
    m, i = m[ok], i[ok]
    t = zb[i] - m * za[i]
    size = np.abs(m)
    counts = _counts(m, t, size, za, zb, ratio)
    h = int(counts.argmax())
    if counts[h] < MIN_INLIERS:
        return None
    inl = _agree(m[h : h + 1], t[h : h + 1], size[h : h + 1], za, zb, ratio)[0]
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


def _agree(m: NDArray[np.complex128], t: NDArray[np.complex128], size: NDArray[np.float64], za: NDArray[np.complex128],
           zb: NDArray[np.complex128], ratio: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which matches (columns) agree with each transform z -> m z + t (rows; `size` is |m|): carried
    within TOLERANCE of their point in b, their blob-scale ratio within SCALE_SLACK of |m|."""
    resid = np.abs(m[:, None] * za[None, :] + t[:, None] - zb[None, :])
    return (resid < TOLERANCE) & (np.abs(np.log(ratio[None, :] / size[:, None])) < SCALE_SLACK)


# Ratios of blob scales to a transform's that pass and that fail `_agree`'s scale test for sure:
# `_MARGIN` inside and outside its ends, far more than rounding can move a value.
_SCALE_IN = (float(np.exp(-SCALE_SLACK)) * (1 + _MARGIN), float(np.exp(SCALE_SLACK)) * (1 - _MARGIN))
_SCALE_OUT = (float(np.exp(-SCALE_SLACK)) * (1 - _MARGIN), float(np.exp(SCALE_SLACK)) * (1 + _MARGIN))
_SINGLE = np.float32(1e-5)
"""Margin for values computed in single precision from positions (below 1.5) and transforms (scale
below 2.2): a few roundings of at most 6e-8 of values below 10 leave them off by less than 3e-6."""
_TOLERANCE32 = np.float32(TOLERANCE)
_SCORE_CELLS = 1 << 15
"""Transforms times matches from which `_counts` takes its shortcuts, and that it works on at once."""


def _counts(m: NDArray[np.complex128], t: NDArray[np.complex128], size: NDArray[np.float64],
            za: NDArray[np.complex128], zb: NDArray[np.complex128], ratio: NDArray[np.float64]) -> NDArray[np.intp]:
    """`_agree(m, t, size, za, zb, ratio).sum(axis=1)`: the same counts, for less work when many.

    The scale test holds for the ratios of blob scales in one interval per transform: with the
    matches ordered by ratio, bounds a hair inside its ends make it a run of matches (no logarithm
    needed). Within that run, a match agrees when the transform carries it within TOLERANCE, which
    single precision decides, a block of transforms at a time, unless the distance is within
    `_SINGLE` of TOLERANCE. The transforms left unsure (by a ratio or a distance that near an end)
    are counted by `_agree` itself.
    """
    if len(m) * len(za) <= _SCORE_CELLS:
        counts: NDArray[np.intp] = np.count_nonzero(_agree(m, t, size, za, zb, ratio), axis=1)
        return counts
    order = np.argsort(ratio)
    ordered = ratio[order]
    za32, zb32 = za[order].astype(np.complex64), zb[order].astype(np.complex64)
    m32, t32 = m.astype(np.complex64), t.astype(np.complex64)
    low, high = size * _SCALE_IN[0], size * _SCALE_IN[1]
    first, stop = np.searchsorted(ordered, low), np.searchsorted(ordered, high, side="right")
    unsure = first > np.searchsorted(ordered, size * _SCALE_OUT[0], side="right")
    unsure |= np.searchsorted(ordered, size * _SCALE_OUT[1]) > stop
    # Transforms by scale, so that a block's runs overlap: only the columns of their union are
    # computed. Each block's verdicts get a last column, always False, so that every run's end is
    # inside it.
    by_size = np.argsort(size)
    step = max(1, _SCORE_CELLS // len(za))
    close = np.zeros((min(step, len(m)), len(za) + 1), dtype=bool)
    bounds = np.empty(2 * close.shape[0], dtype=np.intp)
    counts = np.empty(len(m), dtype=np.intp)
    for begin in range(0, len(m), step):
        rows = by_size[begin : begin + step]
        k = len(rows)
        lo, hi = int(first[rows].min()), int(stop[rows].max())
        if hi <= lo:
            counts[rows] = 0
            continue
        resid = np.abs(m32[rows, None] * za32[None, lo:hi] + t32[rows, None] - zb32[None, lo:hi])
        unsure[rows] |= (np.abs(resid - _TOLERANCE32) < _SINGLE).any(axis=1)
        width = hi - lo + 1
        verdicts = close.reshape(-1)[: k * width].reshape(k, width)
        verdicts[:, -1] = False
        np.less(resid, _TOLERANCE32, out=verdicts[:, :-1])
        at = np.arange(k) * width - lo
        bounds[0 : 2 * k : 2], bounds[1 : 2 * k : 2] = at + first[rows], at + stop[rows]
        runs = np.add.reduceat(verdicts.reshape(-1), bounds[: 2 * k], dtype=np.intp)[::2]
        counts[rows] = np.where(stop[rows] > first[rows], runs, 0)
    again = np.flatnonzero(unsure)
    if len(again):
        counts[again] = np.count_nonzero(_agree(m[again], t[again], size[again], za, zb, ratio), axis=1)
    return counts


# How much `compare_many`'s screen takes on at once. Features of a times features of the others:
# what the screen holds grows with it (its near pairs of features, and their pairs), and a few large
# steps cost fewer numpy calls and allocations than many small ones. Pairs of matches tried at once,
# and features compared bit by bit at once: the arrays of one such step stay in the processor's cache.
_SCREEN_CELLS = 1 << 22
_SCREEN_PAIRS = 1 << 15
_XOR_CELLS = 1 << 16
_BOUND_CELLS = 1 << 13
"""An image whose loosely allowed transforms times matches exceed this is left to `_geometry`
unbounded: bounding its transforms would cost about what scoring them does, and such images are
mostly the same photo."""
# The screen's looser forms of `_geometry`'s tests on a pair of matches and on an agreeing match.
# They are wider, by far more than the rounding error of either computation (a few parts in 1e16 on
# values below 10 in double precision; `_SINGLE` where the screen computes in single precision), so
# whatever `_geometry` accepts passes them.
_LOOSE_SPAN2 = _MIN_SPAN**2 * (1 - _MARGIN)
_LOOSE_SCALE2 = (SCALE_RANGE[0] ** 2 * (1 - _MARGIN), SCALE_RANGE[1] ** 2 * (1 + _MARGIN))
_LOOSE_RATIO2 = (float(np.exp(-2 * SCALE_SLACK)) * (1 - _MARGIN), float(np.exp(2 * SCALE_SLACK)) * (1 + _MARGIN))
_LOOSE_TOLERANCE32 = _TOLERANCE32 + _SINGLE
_TAN32 = np.float32(_TAN)


def _geometries(a: _Side, sides: Sequence[_Side]) -> list[_Fit | None]:
    """`[_geometry(a, b) for b in sides]`, running `_geometry` only where `_could_fit` allows."""
    could = _could_fit(a, sides)
    return [_geometry(a, b) if c else None for b, c in zip(sides, could.tolist(), strict=True)]


def _could_fit(a: _Side, sides: Sequence[_Side]) -> NDArray[np.bool_]:
    """For each of `sides`, False when `_geometry(a, side)` is sure to return None.

    Every test here is one `_geometry` makes, or is implied by one, evaluated for many images in a
    few numpy calls: near features on both sides, then distinct matches and one in the middle band,
    then a transform from a pair of matches that enough matches could agree with. Where `_geometry`
    keeps a feature's NEIGHBOURS nearest features, and which of several equally near ones it keeps is
    up to np.argpartition, the screen keeps them all: every test only gets easier to pass with more
    matches, so what `_geometry` accepts always passes.
    """
    could = np.zeros(len(sides), dtype=bool)
    if len(a.bits) < 2:
        return could
    chunk: list[int] = []
    cells = 0
    for k, b in enumerate(sides):
        if len(b.bits) < 2:
            continue
        chunk.append(k)
        cells += len(a.bits) * len(b.bits)
        if cells >= _SCREEN_CELLS:
            could[chunk] = _screen(a, [sides[i] for i in chunk])
            chunk, cells = [], 0
    if chunk:
        could[chunk] = _screen(a, [sides[i] for i in chunk])
    return could


def _screen(a: _Side, sides: Sequence[_Side]) -> NDArray[np.bool_]:
    """`_could_fit` for a few images at once (their features side by side, as one matrix's columns)."""
    count = len(sides)
    sizes = [len(b.bits) for b in sides]
    starts = np.cumsum([0, *sizes[:-1]])
    side_of = np.repeat(np.arange(count), sizes)
    width = len(side_of)
    r, c, d = _near(a.bits, np.concatenate([b.bits for b in sides]))
    side = side_of[c]
    # At least MIN_INLIERS features of each image with a near feature in the other.
    live = _enough(r, c, side, starts, width)
    keep = live[side]
    r, c, d, side = r[keep], c[keep], d[keep], side[keep]
    if not len(r):
        return live
    # Each row keeps the near features at most its NEIGHBOURS-th smallest distance from each image.
    group = np.cumsum(_firsts(r, side)) - 1
    levels = MATCH_BITS + 1
    reached = np.cumsum(np.bincount(group * levels + d, minlength=(group[-1] + 1) * levels).reshape(-1, levels),
                        axis=1) >= NEIGHBOURS
    cutoff = np.where(reached.any(axis=1), reached.argmax(axis=1), MATCH_BITS)
    log_ratio = np.concatenate([b.log_scale for b in sides])[c] - a.log_scale[r]
    keep = (d <= cutoff[group]) & (log_ratio > _LOG_RATIO[0]) & (log_ratio < _LOG_RATIO[1])
    r, c, side, log_ratio = r[keep], c[keep], side[keep], log_ratio[keep]
    # At least MIN_INLIERS distinct matched features on both sides, and a match in the middle band of both.
    live &= _enough(r, c, side, starts, width)
    live &= np.bincount(side[a.middle[r] & np.concatenate([b.middle for b in sides])[c]], minlength=count) > 0
    keep = live[side]
    if not keep.any():
        return live
    # The matches of the live images, by image and, within one, by log ratio of blob scales.
    r, c, side, log_ratio = r[keep], c[keep], side[keep], log_ratio[keep]
    order = np.argsort(side * 4.0 + log_ratio)  # log ratios lie within +-1.2: images stay apart
    z = np.concatenate([b.z for b in sides])
    return _could_agree(live, side[order], a.z[r[order]], z[c[order]], log_ratio[order])


def _near(a: NDArray[np.uint64], b: NDArray[np.uint64]) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.uint8]]:
    """The pairs of patch hashes within MATCH_BITS bits, as rows (of a), columns (of b) and distances,
    by row then column. Made a few rows at a time, so that the 64-bit XOR of a block and what
    follows from it stay in the processor's cache."""
    step = max(1, _XOR_CELLS // len(b))
    buffer = np.empty((min(step, len(a)), len(b)), dtype=np.uint64)
    dist = np.empty(buffer.shape, dtype=np.uint8)
    rows, cols, dists = [], [], []
    for begin in range(0, len(a), step):
        block = a[begin : begin + step]
        x, d = buffer[: len(block)], dist[: len(block)]
        np.bitwise_xor(block[:, None], b[None, :], out=x)
        np.bitwise_count(x, out=d)
        at = np.flatnonzero(d <= MATCH_BITS)
        r, c = np.divmod(at, len(b))
        rows.append(r + begin)
        cols.append(c)
        dists.append(d.reshape(-1)[at])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(dists)


def _firsts(r: NDArray[np.intp], side: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Where a run of one (row, image) starts, in entries ordered by row then column."""
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (side[1:] != side[:-1])
    return first


def _enough(r: NDArray[np.intp], c: NDArray[np.intp], side: NDArray[np.intp],
            starts: NDArray[np.intp], width: int) -> NDArray[np.bool_]:
    """Images with at least MIN_INLIERS distinct rows and distinct columns among the entries (r, c):
    rows are a's features, columns the images' features side by side (`width` of them, each image's
    from its `starts`); entries come by row, then column."""
    rows = np.bincount(side[_firsts(r, side)], minlength=len(starts))
    seen = np.zeros(width, dtype=bool)
    seen[c] = True
    cols = np.add.reduceat(seen, starts, dtype=np.intp)
    return (rows >= MIN_INLIERS) & (cols >= MIN_INLIERS)


def _could_agree(live: NDArray[np.bool_], side: NDArray[np.intp], za: NDArray[np.complex128],
                 zb: NDArray[np.complex128], log_ratio: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which `live` images have a pair of matches whose transform MIN_INLIERS matches could agree with.

    The matches come by image, and within one by log ratio. The partners a match can form an
    allowed pair with (their two ratios within 2 * SCALE_SLACK of each other, both being within
    SCALE_SLACK of the transform's scale) then follow it in one run, and so do the matches that can
    agree with a transform (their ratios within SCALE_SLACK of its scale).
    """
    could = np.zeros(len(live), dtype=bool)
    key = side * 4.0 + log_ratio  # log ratios lie within +-1.2: images stay apart
    partners = np.searchsorted(key, key + 2 * SCALE_SLACK + _MARGIN) - np.arange(len(key)) - 1
    i, j = _aligned(partners, za, zb)
    # The other tests on a pair: span in a, scale in range and near both blob-scale ratios.
    da, db = za[j] - za[i], zb[j] - zb[i]
    na2 = da.real**2 + da.imag**2
    nb2 = db.real**2 + db.imag**2
    ok = (na2 > _LOOSE_SPAN2) & (nb2 > _LOOSE_SCALE2[0] * na2) & (nb2 < _LOOSE_SCALE2[1] * na2)
    ratio2 = np.exp(2 * log_ratio)
    for end in (i, j):
        scaled = ratio2[end] * na2
        ok &= (scaled > _LOOSE_RATIO2[0] * nb2) & (scaled < _LOOSE_RATIO2[1] * nb2)
    i, da, db, na2, nb2 = i[ok], da[ok], db[ok], na2[ok], nb2[ok]
    # The matches whose ratio is within SCALE_SLACK of each transform's scale: from first to stop.
    centre = side[i] * 4.0 + np.log(nb2 / na2) / 2
    first = np.searchsorted(key, centre - SCALE_SLACK - _MARGIN)
    stop = np.searchsorted(key, centre + SCALE_SLACK + _MARGIN)
    n = stop - first
    # Transforms times those matches, per image: too many, leave the image to _geometry.
    image, at = np.unique(side[i], return_inverse=True)
    costly = np.bincount(at, weights=n, minlength=len(image)) > _BOUND_CELLS
    could[image[costly]] = True
    keep = ~costly[at] & (n >= MIN_INLIERS)
    i, da, db, na2, first, n = i[keep], da[keep], db[keep], na2[keep], first[keep], n[keep]
    if not len(i):
        return could & live
    # Count, for each transform, those of the matches that it carries near their point in b (in
    # single precision).
    m = db * np.conjugate(da) / na2
    t = (zb[i] - m * za[i]).astype(np.complex64)
    starts = np.cumsum(n) - n
    k = np.arange(n.sum()) + np.repeat(first - starts, n)
    rep = np.repeat(np.arange(len(i)), n)
    za32, zb32 = za.astype(np.complex64), zb.astype(np.complex64)
    agree = np.abs(m.astype(np.complex64)[rep] * za32[k] + t[rep] - zb32[k]) < _LOOSE_TOLERANCE32
    counts = np.add.reduceat(agree, starts, dtype=np.intp)
    could[side[i[counts >= MIN_INLIERS]]] = True
    return could & live


def _aligned(partners: NDArray[np.intp], za: NDArray[np.complex128],
             zb: NDArray[np.complex128]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The pairs of matches (i, j), j among the `partners[i]` matches after i, that turn by at most
    MAX_ANGLE (loosely) from a to b: db * conj(da) near the positive real axis, no division needed.

    The first and costliest test on every pair, so it is made in single precision (with `_SINGLE`
    to spare), in steps of whole runs of partners that stay in the processor's cache.
    """
    zb32, conj32 = zb.astype(np.complex64), np.conjugate(za).astype(np.complex64)
    total = np.cumsum(partners)
    found_i, found_j = [], []
    begin = 0
    while begin < len(partners):
        done = int(total[begin - 1]) if begin else 0
        stop = max(begin + 1, int(np.searchsorted(total, done + _SCREEN_PAIRS, side="right")))
        runs = partners[begin:stop]
        ends = total[begin:stop] - done
        # j runs from i + 1 for each i; the i side is repeated rather than gathered.
        j = np.arange(int(ends[-1])) + np.repeat(np.arange(begin + 1, stop + 1) - (ends - runs), runs)
        q = np.take(zb32, j) - np.repeat(zb32[begin:stop], runs)
        q *= np.take(conj32, j) - np.repeat(conj32[begin:stop], runs)
        ok = np.flatnonzero(np.abs(q.imag) <= _TAN32 * q.real + _SINGLE)
        found_i.append(np.searchsorted(ends, ok, side="right") + begin)
        found_j.append(j[ok])
        begin = stop
    if not found_i:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(found_i), np.concatenate(found_j)


@dataclass(frozen=True)
class _Distances:
    """Hamming distances of one photo's global hashes to another's: each (to the other as stored, to
    its mirror image)."""

    phash: tuple[int, int]
    fine: tuple[int, int]
    """The 256-bit dhash."""
    band: tuple[int, int]
    """The band phash."""
    band_fine: tuple[int, int]
    """The band dhash."""


def _letterboxed(a: NDArray[np.float64], b: NDArray[np.float64]) -> bool:
    """Whether one of two photos with these trims (see `_trim`) is letterboxed or pillarboxed: their
    bars differ on two opposite sides (bars come in pairs, top and bottom or left and right)."""
    bars = np.abs(a - b) > LETTERBOX
    return bool((bars[0] and bars[2]) or (bars[1] and bars[3]))


def _whole(d: _Distances, letterboxed: bool) -> Similarity | None:
    """The global and band stages of `compare` (see the module's docstring): the same photo whole,
    or with a banner or logo burned in at the top or bottom."""
    best: Similarity | None = None
    for k, mirrored in ((0, False), (1, True)):
        phash = d.phash[k]
        if phash <= PHASH_SAME and d.fine[k] <= DHASH16_CONFIRM:
            # The middle band much closer than the whole: a banner or logo at the top or bottom.
            overlaid = phash > PHASH_NEAR and d.band[k] <= phash / 2
            plain = ((("mirrored",) if mirrored else ()) + (("overlaid",) if overlaid else ())
                     + (("letterboxed",) if letterboxed else ()))
            sim = Similarity(score=1.0 - phash / 64, distance=phash, how=plain)
            if best is None or sim.score > best.score:
                best = sim
    if best is not None:
        return best
    # The middle band: the same photo with a ticker, banner or logo burned in at the top or bottom.
    for k, mirrored in ((0, False), (1, True)):
        phash = d.band[k]
        if phash <= BAND_SAME and d.band_fine[k] <= BAND_CONFIRM:
            words = (("mirrored",) if mirrored else ()) + ("overlaid",) + (("letterboxed",) if letterboxed else ())
            sim = Similarity(score=1.0 - phash / 64, distance=phash, how=words)
            if best is None or sim.score > best.score:
                best = sim
    return best


def _local(d: _Distances, letterboxed: bool, fits: tuple[_Fit | None, _Fit | None], features: int) -> Similarity | None:
    """The local stage of `compare`, from the fits of a's features onto b's and onto b's mirror
    image; `features` is the smaller feature count of the two."""
    best: Similarity | None = None
    for fit, mirrored in zip(fits, (False, True), strict=True):
        if fit is None:
            continue
        how: list[str] = []
        if mirrored:
            how.append("mirrored")
        if min(fit.cover_a, fit.cover_b) < 1 - CROPPED:
            how.append("cropped")
        if abs(fit.angle) >= 0.8:
            how.append("rotated")
        elif "cropped" not in how and min(d.band) <= PHASH_SAME:
            # Same framing and the middle bands agree, yet the whole-image hashes do not: something
            # was laid over the top or bottom.
            how.append("overlaid")
        if letterboxed:
            how.append("letterboxed")
        score = min(1.0, 0.6 + 0.4 * fit.inliers / max(8, features * 0.5))
        sim = Similarity(score=score, distance=min(d.phash), how=tuple(how))
        if best is None or sim.score > best.score:
            best = sim
    return best


def _check_versions(a: Hashes, b: Hashes) -> None:
    if a.version != b.version:
        raise ValueError(f"cannot compare hashes made differently: {a.version!r} vs {b.version!r}")


def compare(a: Hashes | PreparedHashes, b: Hashes | PreparedHashes) -> Similarity | None:
    """The similarity of two hashed images, or None when they are different photos.

    Either may be `prepare`d: comparing one photo with many, prepare each once (or use
    `compare_many`). Raises ValueError when the two were hashed by different recipes or library
    versions.
    """
    _check_versions(a.hashes if isinstance(a, PreparedHashes) else a, b.hashes if isinstance(b, PreparedHashes) else b)
    pa = a if isinstance(a, PreparedHashes) else prepare(a)
    pb = b if isinstance(b, PreparedHashes) else prepare(b)
    aw, bw = pa.words, pb.words

    def distances(name: str) -> tuple[int, int]:
        return (aw[name] ^ bw[name]).bit_count(), (aw[name] ^ bw[name + "_mirror"]).bit_count()

    d = _Distances(distances("phash"), distances("dhash16"), distances("band_phash"), distances("band_dhash"))
    letterboxed = _letterboxed(pa.trim, pb.trim)
    found = _whole(d, letterboxed)
    if found is not None:
        return found
    fits = (_geometry(pa.plain, pb.plain), _geometry(pa.plain, pb.mirrored))
    return _local(d, letterboxed, fits, min(pa.features, pb.features))


def compare_many(a: PreparedHashes, others: Sequence[PreparedHashes]) -> list[Similarity | None]:
    """`[compare(a, b) for b in others]`, decided together in far fewer numpy calls.

    The global and band stages run on all of `others` at once (their hashes stacked as 64-bit
    words); the local stage screens all that remain at once (`_could_fit`) and runs `compare`'s own
    per-pair search only on those the screen cannot rule out, so every result is the one `compare`
    gives. Raises ValueError, as `compare` would, when any of `others` was hashed differently.
    """
    for b in others:
        _check_versions(a.hashes, b.hashes)
    if not others:
        return []
    # Distances to each other's hashes and to its mirror image's: (others, 2, _BLOCK) words.
    bits = np.bitwise_count(np.stack([b.columns for b in others]) ^ np.tile(a.columns[:_BLOCK], 2))
    bits = bits.reshape(len(others), 2, _BLOCK).astype(np.intp)
    phash, fine = bits[:, :, 0], bits[:, :, 1:5].sum(axis=2)
    band, band_fine = bits[:, :, 5], bits[:, :, 6]
    # Where neither phash is near, `_whole` finds nothing: only the others near in one ask it.
    near = ((phash <= PHASH_SAME) | (band <= BAND_SAME)).any(axis=1)

    def distances(k: int) -> _Distances:
        def two(x: NDArray[np.intp]) -> tuple[int, int]:
            return int(x[k, 0]), int(x[k, 1])

        return _Distances(two(phash), two(fine), two(band), two(band_fine))

    found: list[Similarity | None] = [None] * len(others)
    local: list[int] = []
    for k, b in enumerate(others):
        if near[k]:
            found[k] = _whole(distances(k), _letterboxed(a.trim, b.trim))
        if found[k] is None:
            local.append(k)
    fits = _geometries(a.plain, [side for k in local for side in (others[k].plain, others[k].mirrored)])
    for n, k in enumerate(local):
        pair = (fits[2 * n], fits[2 * n + 1])
        if pair[0] is not None or pair[1] is not None:
            b = others[k]
            found[k] = _local(distances(k), _letterboxed(a.trim, b.trim), pair, min(a.features, b.features))
    return found
