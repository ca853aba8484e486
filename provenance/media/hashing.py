"""The pixel side of photo similarity: from one decoded image to compact descriptors.

Everything starts from one greyscale working image whose long side is `WORK` pixels, made
with a box filter: a JPEG decoded in draft mode (DCT scaling, itself an average of pixel
blocks) and a full decode give nearly the same working image, so the same hashes.

Uniform borders (letterbox or pillarbox bars) are trimmed first, so a letterboxed copy hashes
like its original. Then come

* global hashes of the whole content (imagehash phash and dhash, 64 bits, and a 256-bit
  dhash that tells apart photos alike only in their broad layout), and of its mirror image;
* local features: up to `MAX_POINTS` blobs found in a difference-of-Gaussians scale space,
  each with its position, its scale and a 64-bit hash of the patch around it. Patches
  survive crops, overlays elsewhere in the frame and small rotations; their layout lets
  `similarity.compare` check geometric agreement without any pixels.

A mirror image's local features are derived from the stored ones (x becomes 1 - x and each
row of the patch hash is reversed), so they are not stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import imagehash
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps
from scipy import ndimage

WORK = 256
"""The working image has about WORK x WORK * 3 / 4 pixels (and a long side of at most 1.5 WORK):
small enough for speed and for draft decodes."""
MAX_POINTS = 128
"""Most local features kept per image (the strongest)."""
PATCH_GRID = 8
"""A patch hash samples PATCH_GRID x PATCH_GRID points: 64 bits."""
PATCH_RADIUS = 6.0
"""Half the side of a patch, in units of its blob's scale (sigma)."""
OCTAVES = 3
INTERVALS = 3
SIGMA0 = 1.6
CONTRAST = 0.002
"""Weakest difference-of-Gaussians response kept (grey levels scaled to 0..1): low, so that dim
or flat photos still yield features; the strongest MAX_POINTS are kept."""
EDGE_RATIO = 10.0
"""Blobs stretched along an edge more than this (principal curvature ratio) are dropped."""

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class Features:
    """Local features of one image: parallel arrays, one entry per blob."""

    x: NDArray[np.float64]
    """Horizontal position as a fraction of the content's width (0 left .. 1 right)."""
    y: NDArray[np.float64]
    """Vertical position as a fraction of the content's height."""
    scale: NDArray[np.float64]
    """Blob scale (sigma) as a fraction of the content's long side."""
    bits: NDArray[np.uint64]
    """64-bit patch hash; row r of the 8x8 sample grid is byte r (most significant first)."""
    aspect: float
    """Content width / height, to turn fractions back into lengths."""


def working_image(image: Image.Image) -> FloatArray:
    """Greyscale float image (0..1) of about WORK x WORK * 3 / 4 pixels (box-filtered down, or up)."""
    grey = image.convert("L")
    w, h = grey.size
    s = min(WORK / max(w, h) * 1.5, (WORK * WORK * 0.75 / (w * h)) ** 0.5)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    if size != (w, h):
        grey = grey.resize(size, Image.Resampling.BOX if s < 1 else Image.Resampling.BILINEAR)
    return np.asarray(grey, dtype=np.float32) / np.float32(255.0)


def trim_box(work: FloatArray, tolerance: float = 0.035, most: float = 0.4) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the content inside uniform border bars, in working pixels.

    A bar is a run of rows (or columns) from an edge that are each nearly flat and of the
    colour of the outermost one; at most `most` of a side is taken, and runs under 1.5% are
    kept (noise, not bars).
    """
    h, w = work.shape

    def run(lines: FloatArray, limit: int) -> int:
        edge = float(np.median(lines[0]))
        n = 0
        for line in lines[:limit]:
            if float(np.abs(line - edge).max()) > tolerance * 3 or float(line.std()) > tolerance:
                break
            n += 1
        return n if n >= max(2, 0.015 * len(lines)) else 0

    top = run(work, int(h * most))
    bottom = run(work[::-1], int(h * most))
    left = run(work.T, int(w * most))
    right = run(work.T[::-1], int(w * most))
    return left, top, w - right, h - bottom


def content_image(image: Image.Image) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """The image without its border bars, and the trimmed fractions (left, top, right, bottom)."""
    work = working_image(image)
    h, w = work.shape
    left, top, right, bottom = trim_box(work)
    if (left, top, right, bottom) == (0, 0, w, h):
        return image, (0.0, 0.0, 0.0, 0.0)
    sx, sy = image.width / w, image.height / h
    box = (round(left * sx), round(top * sy), round(right * sx), round(bottom * sy))
    return image.crop(box), (left / w, top / h, 1 - right / w, 1 - bottom / h)


def global_hashes(work: FloatArray) -> dict[str, str]:
    """64-bit phash and dhash of the working image and of its mirror image, and a 256-bit dhash."""
    grey = Image.fromarray(np.round(work * 255).astype(np.uint8), "L")
    mirrored = ImageOps.mirror(grey)
    return {
        "phash": str(imagehash.phash(grey)),
        "phash_mirror": str(imagehash.phash(mirrored)),
        "dhash": str(imagehash.dhash(grey)),
        "dhash_mirror": str(imagehash.dhash(mirrored)),
        "dhash16": str(imagehash.dhash(grey, 16)),
        "dhash16_mirror": str(imagehash.dhash(mirrored, 16)),
    }


def _bits(samples: NDArray[np.float64]) -> NDArray[np.uint64]:
    """Each row of 64 samples -> a 64-bit hash: 1 where the sample is above the patch's mean."""
    on = samples > samples.mean(axis=1, keepdims=True)
    weights = np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64)
    return (on.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)


def _max3(a: FloatArray) -> FloatArray:
    """Maximum over each element's 3 x 3 x 3 neighbourhood (edges repeat), one axis at a time."""
    out = a
    for axis in range(a.ndim):
        pad = [(0, 0)] * a.ndim
        pad[axis] = (1, 1)
        p = np.pad(out, pad, mode="edge")
        n = out.shape[axis]
        lo, mid, hi = (p[(slice(None),) * axis + (slice(i, i + n),)] for i in range(3))
        out = np.maximum(np.maximum(lo, mid), hi)
    return out


def local_features(work: FloatArray) -> Features:
    """Difference-of-Gaussians blobs of the working image, each with a patch hash."""
    h0, w0 = work.shape
    long_side = float(max(h0, w0))
    k = 2.0 ** (1.0 / INTERVALS)
    xs: list[NDArray[np.float64]] = []
    ys: list[NDArray[np.float64]] = []
    sigmas: list[NDArray[np.float64]] = []
    strengths: list[NDArray[np.float64]] = []
    samples: list[NDArray[np.float64]] = []
    base = ndimage.gaussian_filter(work, SIGMA0 * 0.8)
    offsets = (np.arange(PATCH_GRID * 2) + 0.5) / PATCH_GRID - 1.0  # 16 points across -1..1
    for octave in range(OCTAVES):
        if min(base.shape) < 16:
            break
        factor = 2.0**octave
        levels = [base]
        for i in range(1, INTERVALS + 3):
            prev = SIGMA0 * k ** (i - 1)
            levels.append(ndimage.gaussian_filter(levels[-1], prev * np.sqrt(k * k - 1), truncate=3.0))
        stack = np.stack(levels)
        dog = stack[1:] - stack[:-1]
        mag = np.abs(dog)
        peak = (mag == _max3(mag)) & (mag > CONTRAST)
        peak[0] = peak[-1] = False
        margin = 2
        peak[:, :margin] = peak[:, -margin:] = False
        peak[:, :, :margin] = peak[:, :, -margin:] = False
        s_idx, r_idx, c_idx = np.nonzero(peak)
        if len(s_idx):
            d = dog[s_idx]
            dxx = d[np.arange(len(s_idx)), r_idx, c_idx + 1] + d[np.arange(len(s_idx)), r_idx, c_idx - 1]
            dxx = dxx - 2 * dog[s_idx, r_idx, c_idx]
            dyy = dog[s_idx, r_idx + 1, c_idx] + dog[s_idx, r_idx - 1, c_idx] - 2 * dog[s_idx, r_idx, c_idx]
            dxy = (dog[s_idx, r_idx + 1, c_idx + 1] - dog[s_idx, r_idx + 1, c_idx - 1]
                   - dog[s_idx, r_idx - 1, c_idx + 1] + dog[s_idx, r_idx - 1, c_idx - 1]) / 4
            tr = dxx + dyy
            det = dxx * dyy - dxy * dxy
            ok = (det > 0) & (tr * tr * EDGE_RATIO < (EDGE_RATIO + 1) ** 2 * det)
            s_idx, r_idx, c_idx = s_idx[ok], r_idx[ok], c_idx[ok]
        for s in np.unique(s_idx):
            sel = s_idx == s
            rr, cc = r_idx[sel].astype(np.float64), c_idx[sel].astype(np.float64)
            sigma = SIGMA0 * k**s
            radius = PATCH_RADIUS * sigma
            level = stack[s]
            grid_r = rr[:, None, None] + radius * offsets[None, :, None]
            grid_c = cc[:, None, None] + radius * offsets[None, None, :]
            grid_r, grid_c = np.broadcast_arrays(grid_r, grid_c)
            vals = ndimage.map_coordinates(level, [grid_r.ravel(), grid_c.ravel()], order=1, mode="nearest")
            vals = vals.reshape(len(rr), PATCH_GRID, 2, PATCH_GRID, 2).mean(axis=(2, 4))
            samples.append(vals.reshape(len(rr), -1).astype(np.float64))
            xs.append((cc + 0.5) * factor / w0)
            ys.append((rr + 0.5) * factor / h0)
            sigmas.append(np.full(len(rr), sigma * factor / long_side))
            strengths.append(np.abs(dog[s, r_idx[sel], c_idx[sel]]).astype(np.float64))
        base = stack[INTERVALS][::2, ::2]
    aspect = w0 / h0
    if not xs:
        empty = np.zeros(0)
        return Features(empty, empty, empty, np.zeros(0, dtype=np.uint64), aspect)
    x, y, sc, st = (np.concatenate(v) for v in (xs, ys, sigmas, strengths))
    smp = np.concatenate(samples)
    order = np.argsort(-st, kind="stable")[:MAX_POINTS]
    return Features(x[order], y[order], sc[order], _bits(smp[order]), aspect)


# --- storage as hex ----------------------------------------------------------------------------

_RECORD = np.dtype([("x", ">u2"), ("y", ">u2"), ("scale", ">u2"), ("bits", ">u8")])


def pack_features(f: Features) -> str:
    """Hex of 14 bytes per feature: x, y, scale (fractions in 1/65535) and the patch hash."""
    rec = np.zeros(len(f.x), dtype=_RECORD)
    rec["x"] = np.clip(np.round(f.x * 65535), 0, 65535)
    rec["y"] = np.clip(np.round(f.y * 65535), 0, 65535)
    rec["scale"] = np.clip(np.round(f.scale * 65535), 0, 65535)
    rec["bits"] = f.bits
    return f"{f.aspect:.4f}:" + rec.tobytes().hex()


def unpack_features(text: str) -> Features:
    """The inverse of `pack_features`."""
    aspect, _, hexed = text.partition(":")
    rec = np.frombuffer(bytes.fromhex(hexed), dtype=_RECORD)
    bits = rec["bits"].astype(np.uint64)
    return Features(rec["x"] / 65535.0, rec["y"] / 65535.0, rec["scale"] / 65535.0, bits, float(aspect))
