"""The pixel side of photo similarity: from one decoded image to compact descriptors.

Everything starts from one greyscale working image whose long side is `WORK` pixels, made
with a box filter: a JPEG decoded in draft mode (DCT scaling, itself an average of pixel
blocks) and a full decode give nearly the same working image, so nearly the same hashes (a
few bits apart, well inside what `similarity.compare` tolerates).

Uniform near-black or near-white borders (letterbox or pillarbox bars) are trimmed first, so a
letterboxed copy hashes like its original. Then come

* global hashes of the whole content (imagehash's phash and dhash algorithms, 64 bits, and a
  256-bit dhash that tells apart photos alike only in their broad layout), of its middle band
  (phash and dhash, so that a banner or logo at the top or bottom does not move them), and of
  their mirror images;
* local features: up to `MAX_POINTS` blobs found in a difference-of-Gaussians scale space
  (four octaves, so that large soft shapes count too), each with its sub-pixel position, its
  scale and a 64-bit hash of the patch around it. The detector keeps the strongest blobs
  whatever their contrast (`CONTRAST` is nearly zero), so dim, flat or blurred photos (a
  night sky, the moon, a motion-blurred object) still yield dozens. Patches survive crops,
  overlays elsewhere in the frame and small rotations; their layout lets `similarity.compare`
  check geometric agreement without any pixels.

Everything is deterministic: the same pixels give the same values (ties in blob strength go to
the finer octave, then to the earlier position). The scale space is written into scratch memory
kept between calls (one block per thread): at this size, touching fresh memory costs about as
much as the filtering.

A mirror image's local features are derived from the stored ones (x becomes 1 - x and each
row of the patch hash is reversed), so they are not stored.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from PIL import Image

# scipy's DCT and 1-D correlation are loaded where they are first used, and without their packages
# (see `compiled`): importing scipy.fft and scipy.ndimage costs about a quarter of a second, which a
# run whose hashes all come from the cache need not pay, nor each start of reader processes.

WORK = 256
"""The working image has about WORK x WORK * 3 / 4 pixels (and a long side of at most 1.5 WORK):
small enough for speed and for draft decodes."""
MAX_POINTS = 128
"""Most local features kept per image (the strongest)."""
PATCH_GRID = 8
"""A patch hash samples PATCH_GRID x PATCH_GRID points: 64 bits."""
PATCH_RADIUS = 6.0
"""Half the side of a patch, in units of its blob's scale (sigma)."""
OCTAVES = 4
INTERVALS = 3
SIGMA0 = 1.6
TRUNCATE = 3.0
"""Gaussian kernels reach this many sigmas."""
CONTRAST = 0.0003
"""Weakest difference-of-Gaussians response kept (grey levels scaled to 0..1): low, so that dim
or flat photos still yield features; the strongest MAX_POINTS are kept."""
EDGE_RATIO = 20.0
"""Blobs stretched along an edge more than this (principal curvature ratio) are dropped."""
DARK = 0.2
"""Border bars are darker than this or lighter than 1 - DARK (grey levels 0..1)."""
BAND = 0.2
"""The band hashes skip this share of the height at the top and at the bottom, where channels burn in
tickers, banners and logos."""

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
    grey = image if image.mode == "L" else image.convert("L")
    w, h = grey.size
    s = min(WORK / max(w, h) * 1.5, (WORK * WORK * 0.75 / (w * h)) ** 0.5)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    if size != (w, h):
        grey = grey.resize(size, Image.Resampling.BOX if s < 1 else Image.Resampling.BILINEAR)
    work: FloatArray = np.asarray(grey, dtype=np.float32) / np.float32(255.0)
    return work


def trim_box(work: FloatArray, tolerance: float = 0.035, most: float = 0.4) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the content inside uniform border bars, in working pixels.

    A bar is a run of rows (or columns) from an edge that are each nearly flat and of the
    colour of the outermost one, which must be near black or near white (a coloured band is a
    banner, part of the picture); at most `most` of a side is taken, and runs under 1.5% are
    kept (noise, not bars).
    """
    h, w = work.shape

    def run(lines: FloatArray, limit: int) -> int:
        edge = float(np.median(lines[0]))
        if DARK < edge < 1 - DARK:
            return 0
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


def content_image(image: Image.Image) -> tuple[FloatArray, tuple[float, float, float, float]]:
    """The working image of the content inside border bars, and the trimmed fractions (left, top,
    right, bottom)."""
    grey = image.convert("L")
    work = working_image(grey)
    h, w = work.shape
    left, top, right, bottom = trim_box(work)
    if (left, top, right, bottom) == (0, 0, w, h):
        return work, (0.0, 0.0, 0.0, 0.0)
    sx, sy = grey.width / w, grey.height / h
    box = (round(left * sx), round(top * sy), round(right * sx), round(bottom * sy))
    return working_image(grey.crop(box)), (left / w, top / h, 1 - right / w, 1 - bottom / h)


THUMB = 64
"""Global hashes start from a THUMB x THUMB Lanczos thumbnail of the working image."""


def _shrunk(thumb: Image.Image, size: tuple[int, int]) -> NDArray[np.float64]:
    """The thumbnail resized (Lanczos, as imagehash does) to size = (width, height), 0..255."""
    return np.asarray(thumb.resize(size, Image.Resampling.LANCZOS), dtype=np.float64) * 255.0


def _hex(bits: NDArray[np.bool_]) -> str:
    """Bits in row-major order as hexadecimal, most significant first (as imagehash writes them)."""
    return np.packbits(bits.ravel()).tobytes().hex()


def _phash(pixels: NDArray[np.float64]) -> str:
    """imagehash's phash of a 32 x 32 image: its 8 x 8 lowest DCT frequencies above their median."""
    dct = compiled().dct
    low = dct(dct(pixels, 0), 1)[:8, :8]
    return _hex(low > np.median(low))


def _dhash(pixels: NDArray[np.float64]) -> str:
    """imagehash's dhash of an (n + 1) x n image: is each pixel brighter than its left neighbour?"""
    return _hex(pixels[:, 1:] > pixels[:, :-1])


def global_hashes(work: FloatArray) -> dict[str, str]:
    """phash and dhash (64 bits) of the working image, of its middle band and of their mirror
    images, and a 256-bit dhash of the image and of its mirror image.

    They are imagehash's algorithms run on a `THUMB` x `THUMB` thumbnail of the working image
    (resizing the working image once is most of their cost); each mirror image's hash comes from
    the same small resized image, flipped (Lanczos is symmetric).
    """
    thumb = Image.fromarray(work, "F").resize((THUMB, THUMB), Image.Resampling.LANCZOS)
    cut = round(THUMB * BAND)
    band = thumb.crop((0, cut, THUMB, THUMB - cut))
    out: dict[str, str] = {}
    for prefix, image in (("", thumb), ("band_", band)):
        p32, d8 = _shrunk(image, (32, 32)), _shrunk(image, (9, 8))
        out[prefix + "phash"], out[prefix + "phash_mirror"] = _phash(p32), _phash(p32[:, ::-1])
        out[prefix + "dhash"], out[prefix + "dhash_mirror"] = _dhash(d8), _dhash(d8[:, ::-1])
    d16 = _shrunk(thumb, (17, 16))
    out["dhash16"], out["dhash16_mirror"] = _dhash(d16), _dhash(d16[:, ::-1])
    return out


def _bits(samples: NDArray[np.float64]) -> NDArray[np.uint64]:
    """Each row of 64 samples -> a 64-bit hash: 1 where the sample is above the patch's mean."""
    on = samples > samples.mean(axis=1, keepdims=True)
    weights = np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64)
    hashes: NDArray[np.uint64] = (on.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
    return hashes


def _peaks(mag: FloatArray, margin: int, scratch: FloatArray) -> NDArray[np.intp]:
    """Where the middle layers of a scale stack are the largest of their 3 x 3 x 3 neighbourhood
    and above `CONTRAST`, `margin` pixels in from every side: flat indices into `mag`, in order.
    `scratch` holds at least 2 * mag.size float32 elements.

    The 3 x 3 maximum of every layer is taken on the flat array, the neighbours of a pixel being
    the elements one position and one row before and after it (whole, contiguous runs: quicker
    than on views of the rows); where that wraps around a row or a layer, it is wrong, but only in
    the margin, which is left out. Peaks are rare (a few per hundred pixels even in a flat layer),
    so only the pixels that are the largest of their own layer's 3 x 3 are looked at further.
    """
    layers, h, w = mag.shape
    hw, n = h * w, mag.size
    flat = mag.reshape(-1)
    a, b = scratch[:n], scratch[n : 2 * n]
    np.maximum(flat[:-2], flat[2:], out=a[1:-1])
    np.maximum(a[1:-1], flat[1:-1], out=a[1:-1])  # a[i]: the largest of flat[i - 1 : i + 2]
    np.maximum(a[1 : -2 * w - 1], a[2 * w + 1 : -1], out=b[w + 1 : -w - 1])
    np.maximum(b[w + 1 : -w - 1], a[w + 1 : -w - 1], out=b[w + 1 : -w - 1])  # b[i]: of a[i - w], a[i], a[i + w]
    lo, hi = hw, (layers - 1) * hw
    at = np.flatnonzero(flat[lo:hi] >= b[lo:hi]) + lo
    r, c = np.divmod(at % hw, w)
    at = at[(r >= margin) & (r < h - margin) & (c >= margin) & (c < w - margin)]
    value = flat.take(at)
    found: NDArray[np.intp] = at[(value >= b.take(at - hw)) & (value >= b.take(at + hw)) & (value > CONTRAST)]
    return found


class Compiled(NamedTuple):
    """scipy's compiled 1-D correlation and DCT (see `compiled`)."""

    correlate1d: Callable[[FloatArray, NDArray[np.float64], int, FloatArray], object]
    """(image, weights, axis, out): `scipy.ndimage.correlate1d(image, weights, axis, output=out,
    mode="reflect")`."""
    dct: Callable[[NDArray[np.float64], int], NDArray[np.float64]]
    """(x, axis): `scipy.fft.dct(x, axis=axis)`, the DCT-II, not normalised."""


@functools.cache
def compiled() -> Compiled:
    """scipy's compiled 1-D correlation and DCT, called as `scipy.ndimage.correlate1d` and
    `scipy.fft.dct` call them (the same functions with the same arguments, so the same values).

    Their two compiled modules are loaded from scipy's folder on their own: importing their packages
    (much of scipy, and numpy's testing and f2py with it) takes about a quarter of a second, loading
    the modules a millisecond; the about fifty calls per image skip the packages' argument handling
    too. Should scipy not have them where expected, or should they not compute what is expected on
    a small example, the packages' functions are used.
    """
    try:
        filters, fft = _scipy_module("ndimage._nd_image"), _scipy_module("fft._pocketfft.pypocketfft")
        if filters is not None and fft is not None:
            found = Compiled(
                lambda image, weights, axis, out: filters.correlate1d(image, weights, axis, out, 2, 0.0, 0),
                lambda x, axis: fft.dct(x, 2, (axis,), 0, None, 1, None),
            )
            if _behaves(found):
                return found
    except Exception:  # another layout or interface: the packages' functions
        pass
    from scipy import ndimage
    from scipy.fft import dct

    return Compiled(
        lambda image, weights, axis, out: ndimage.correlate1d(image, weights, axis=axis, output=out, mode="reflect"),
        lambda x, axis: dct(x, axis=axis),
    )


def _scipy_module(name: str) -> ModuleType | None:
    """scipy's compiled module `name` ("ndimage._nd_image"), loaded from its file without importing its
    package; None when there is no such file."""
    import importlib.machinery
    import importlib.util
    import os

    import scipy

    fullname = f"scipy.{name}"
    if fullname in sys.modules:
        return sys.modules[fullname]
    folder, _, base = name.rpartition(".")
    where = os.path.join(os.path.dirname(scipy.__file__), *folder.split("."))
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(where, base + suffix)
        if os.path.isfile(path):
            loader = importlib.machinery.ExtensionFileLoader(fullname, path)
            spec = importlib.util.spec_from_loader(fullname, loader)
            if spec is None:
                return None
            module = importlib.util.module_from_spec(spec)
            loader.exec_module(module)
            return module
    return None


def _behaves(found: Compiled) -> bool:
    """Whether `found` computes what `Compiled` says on a small example (exact for the correlation)."""
    image = np.array([[1, 2, 4, 8], [16, 32, 64, 128]], dtype=np.float32)
    weights = np.array([0.25, 0.5, 0.25])
    across, down = np.empty_like(image), np.empty_like(image)
    found.correlate1d(image, weights, 1, across)
    found.correlate1d(image, weights, 0, down)
    x = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 0.0]]).T
    n = np.arange(4)
    expected = 2 * np.cos(np.pi * n[:, None] * (2 * n[None, :] + 1) / 8) @ x
    return (
        across.tolist() == [[1.25, 2.25, 4.5, 7.0], [20.0, 36.0, 72.0, 112.0]]
        and down.tolist() == [[4.75, 9.5, 19.0, 38.0], [12.25, 24.5, 49.0, 98.0]]
        and bool(np.allclose(found.dct(x, 0), expected))
    )


@functools.lru_cache(maxsize=64)
def _kernel(sigma: float) -> NDArray[np.float64]:
    """The Gaussian kernel `ndimage.gaussian_filter` uses for `sigma` (reaching TRUNCATE sigmas)."""
    x = np.arange(-int(TRUNCATE * sigma + 0.5), int(TRUNCATE * sigma + 0.5) + 1)
    phi = np.exp(-0.5 / (sigma * sigma) * x**2)
    kernel: NDArray[np.float64] = phi / phi.sum()
    return kernel


def _blur(image: FloatArray, sigma: float, out: FloatArray) -> FloatArray:
    """`ndimage.gaussian_filter(image, sigma, output=out, truncate=TRUNCATE)`, without working
    out the kernel again on every call (a tenth of the cost at this size)."""
    weights = _kernel(sigma)
    correlate1d = compiled().correlate1d
    correlate1d(image, weights, 0, out)
    correlate1d(out, weights, 1, out)
    return out


_WORKSPACE = threading.local()


def _workspace(size: int) -> FloatArray:
    """`size` float32 elements of scratch memory, kept for the next call in this thread: at this
    image size, touching fresh memory costs about a fifth of `local_features`. Every element is
    written before it is read, so what a previous call left there never matters."""
    buf: FloatArray | None = getattr(_WORKSPACE, "buf", None)
    if buf is None or buf.size < size:
        buf = np.empty(size, dtype=np.float32)
        _WORKSPACE.buf = buf
    return buf[:size]


def _bilinear(
    flat: FloatArray, start: NDArray[np.intp], h: NDArray[np.intp], w: NDArray[np.intp], layer: NDArray[np.intp],
    rows: NDArray[np.float64], cols: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Layers of stacks sampled at (rows, cols) by bilinear interpolation; points outside take the
    value of the nearest edge. Each stack is a C-ordered block of `flat` of (any number of) layers
    of h x w, at `start`; every argument is broadcast with the others."""
    r = np.clip(rows, 0, h - 1)
    c = np.clip(cols, 0, w - 1)
    r0 = np.minimum(r.astype(np.intp), h - 2)
    c0 = np.minimum(c.astype(np.intp), w - 2)
    fr, fc = r - r0, c - c0
    at = start + (layer * h + r0) * w + c0
    below = at + w
    # `take`, on a view shifted by one for the right-hand corners: several times quicker than indexing.
    # (In place where a temporary would do: the same operations in the same order.)
    left = 1 - fc
    top = flat.take(at) * left
    top += flat[1:].take(at) * fc
    bottom = flat.take(below) * left
    bottom += flat[1:].take(below) * fc
    top *= 1 - fr
    bottom *= fr
    top += bottom
    return top


def _block_means(blocks: NDArray[np.float64]) -> NDArray[np.float64]:
    """`blocks.mean(axis=(2, 4))` of an (n, rows, 2, columns, 2) array, each 2 x 2 block summed in
    the order numpy's mean sums it (each row's pair, then the two rows' sums), on four strided views
    instead of numpy's reduction machinery (several times quicker at this size)."""
    top = blocks[:, :, 0, :, 0] + blocks[:, :, 0, :, 1]
    top += blocks[:, :, 1, :, 0] + blocks[:, :, 1, :, 1]
    top /= 4
    return top


def _extrema(
    dog: FloatArray, scratch: FloatArray
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64], FloatArray]:
    """Scale-space extrema of one octave's difference-of-Gaussians stack that are blob-like:
    (layer, sub-pixel row, sub-pixel column, strength). `dog` holds magnitudes (|DoG|): at an
    extremum its neighbours share its sign, so the blob test and the sub-pixel fit are unchanged."""
    margin = 2
    at = _peaks(dog, margin, scratch)
    flat, w = dog.reshape(-1), dog.shape[2]
    s, rc = np.divmod(at, dog.shape[1] * w)
    r, c = np.divmod(rc, w)
    near = flat.take(at[:, None] + np.array([-w - 1, -w, -w + 1, -1, 0, 1, w - 1, w, w + 1]))  # the 3 x 3 around
    centre = near[:, 4]
    left, right = near[:, 3], near[:, 5]
    up, down = near[:, 1], near[:, 7]
    dxx = left + right - 2 * centre
    dyy = up + down - 2 * centre
    dxy = (near[:, 8] - near[:, 6] - near[:, 2] + near[:, 0]) / 4
    tr = dxx + dyy
    det = dxx * dyy - dxy * dxy
    ok = (det > 0) & (tr * tr * EDGE_RATIO < (EDGE_RATIO + 1) ** 2 * det)
    s, r, c = s[ok], r[ok], c[ok]
    # Sub-pixel position: the vertex of a parabola through each axis's three samples (the blob
    # test above makes both second differences non-zero and of one sign).
    oc = np.clip((left[ok] - right[ok]) / (2 * dxx[ok]), -0.5, 0.5)
    orow = np.clip((up[ok] - down[ok]) / (2 * dyy[ok]), -0.5, 0.5)
    rows = r.astype(np.float64) + orow.astype(np.float64)
    cols = c.astype(np.float64) + oc.astype(np.float64)
    return s, rows, cols, centre[ok]


def local_features(work: FloatArray) -> Features:
    """Difference-of-Gaussians blobs of the working image, each with a patch hash."""
    h0, w0 = work.shape
    long_side = float(max(h0, w0))
    k = 2.0 ** (1.0 / INTERVALS)
    steps = [float(SIGMA0 * k ** (i - 1) * np.sqrt(k * k - 1)) for i in range(1, INTERVALS + 3)]
    # Octave sizes (each keeps every other pixel of the last), then one workspace for all stacks,
    # the difference-of-Gaussians layers and the peak search.
    shapes: list[tuple[int, int]] = []
    h, w = h0, w0
    while len(shapes) < OCTAVES and min(h, w) >= 16:
        shapes.append((h, w))
        h, w = (h + 1) // 2, (w + 1) // 2
    levels = len(steps) + 1
    sizes = [levels * h * w for h, w in shapes]
    starts = np.cumsum([0, *sizes[:-1]])  # where each octave's stack is in the workspace
    space = _workspace(sum(sizes) + 3 * (levels - 1) * h0 * w0)
    offset = sum(sizes)
    dog_space, peak_space = space[offset : offset + (levels - 1) * h0 * w0], space[offset + (levels - 1) * h0 * w0 :]
    blobs: list[tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64], FloatArray]] = []
    base: FloatArray | None = None
    for octave, (h, w) in enumerate(shapes):
        stack = space[starts[octave] : starts[octave] + sizes[octave]].reshape(levels, h, w)
        if base is None:
            _blur(work, SIGMA0 * 0.8, stack[0])
        else:
            stack[0] = base
        for i, step in enumerate(steps):
            _blur(stack[i], step, stack[i + 1])
        dog = dog_space[: (levels - 1) * h * w].reshape(levels - 1, h, w)
        np.subtract(stack[1:], stack[:-1], out=dog)
        blobs.append(_extrema(np.abs(dog, out=dog), peak_space))
        base = stack[INTERVALS][::2, ::2]
    aspect = w0 / h0
    # Every octave's blobs at once, octave by octave.
    octaves = np.repeat(np.arange(len(blobs)), [len(b[3]) for b in blobs])
    layers, rows, cols = (np.concatenate([b[i] for b in blobs]) for i in range(3))
    strength = np.concatenate([b[3] for b in blobs])
    if not len(strength):
        empty = np.zeros(0)
        return Features(empty, empty, empty, np.zeros(0, dtype=np.uint64), aspect)
    # The strongest, strongest first; ties (rare) go to the finer octave, then to the earlier position.
    top = np.argsort(-strength, kind="stable")[:MAX_POINTS]
    octave_of, layer, rr, cc = octaves[top], layers[top], rows[top], cols[top]
    heights, widths = np.array(shapes).T
    factor = 2.0**octave_of
    sigma = SIGMA0 * k**layer
    offsets = (np.arange(PATCH_GRID * 2) + 0.5) / PATCH_GRID - 1.0  # 16 points across -1..1
    radius = (PATCH_RADIUS * sigma)[:, None, None]
    grid_r = rr[:, None, None] + radius * offsets[None, :, None]
    grid_c = cc[:, None, None] + radius * offsets[None, None, :]
    where = octave_of[:, None, None]
    vals = _bilinear(space, starts[where], heights[where], widths[where], layer[:, None, None], grid_r, grid_c)
    samples = _block_means(vals.reshape(len(rr), PATCH_GRID, 2, PATCH_GRID, 2)).reshape(len(rr), -1)
    # Octave pixel c is working pixel c * factor (every other pixel is kept per octave).
    x = (cc * factor + 0.5) / w0
    y = (rr * factor + 0.5) / h0
    sc = sigma * factor / long_side
    return Features(x, y, sc, _bits(samples), aspect)


# --- storage as hex ----------------------------------------------------------------------------

_RECORD = np.dtype([("x", ">u2"), ("y", ">u2"), ("scale", ">u2"), ("bits", ">u8")])


_REVERSED_BYTE = np.array([int(f"{i:08b}"[::-1], 2) for i in range(256)], dtype=np.uint8)


def mirrored_bits(bits: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Patch hashes of the mirror image: each row of the sample grid (one byte) read backwards."""
    out: NDArray[np.uint64] = _REVERSED_BYTE[np.ascontiguousarray(bits, dtype=np.uint64).view(np.uint8)].view(
        np.uint64)
    return out


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
