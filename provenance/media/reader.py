"""Read one image file once: bytes, metadata, pixels at the size the hashes need.

Reading the bytes, and the record of a file that cannot be read, are in `provenance.media.files`
(which imports neither Pillow nor numpy).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

from PIL import ExifTags, Image, ImageOps

try:  # HEIC/HEIF (iPhone photos): decoded by libheif through pillow-heif, a dependency
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - only when the dependency was left out of an installation
    HEIF_DECODER = False
else:
    register_heif_opener()
    HEIF_DECODER = True

from provenance.media import hashing
from provenance.media.files import OUT_OF_MEMORY, read_file, unreadable_record
from provenance.media.metadata import read_metadata
from provenance.media.similarity import compute_hashes
from provenance.model import ImageRecord, one_line

MAX_PIXELS = 200_000_000
"""Images with more pixels than this are refused as possible decompression bombs."""

DECODE_SIZE = hashing.WORK
"""The shortest side the hashes need: JPEGs are draft-decoded (DCT scaling by 1/2, 1/4 or 1/8) to the
smallest scale that keeps both sides at least this long. The hashes work on a box-filtered image of
about `hashing.WORK` x 3/4 `hashing.WORK` pixels (no side over 1.5 `hashing.WORK`, and a short side of
at most 0.87 `hashing.WORK`, when square), so a decode of this size is only ever shrunk further, never
enlarged: a 6000 x 4000 photo is decoded at 750 x 500, and hashes as its full decode does."""

READER_REVISION = 2
"""Bump whenever `read_image` would make a different record from the same bytes (metadata parsing,
decoding); with `similarity.VERSION` it keys cached records (see `provenance.cache`)."""

_ROTATED = {5, 6, 7, 8}
_TRANSPOSED = {2, 3, 4, 5, 6, 7, 8}

DECODABLE_FORMATS = ("JPEG", "MPO", "PNG", "TIFF", "WEBP", "GIF", "BMP", "PSD", "AVIF", "HEIF")
"""Pillow formats decoded for hashing; others (EPS, which would run Ghostscript, PDF...) are refused."""


def read_image(path: Path, rel: str, root: str) -> ImageRecord:
    """Read an image file into an `ImageRecord`; problems go to `errors`, never raise."""
    data = read_file(path, rel, root)
    return data if isinstance(data, ImageRecord) else read_image_bytes(data, rel, root)


def read_image_bytes(data: bytes, rel: str, root: str, digest: str | None = None) -> ImageRecord:
    """Read an image from its bytes (see `read_image`); `digest` is their sha256 when already known."""
    digest = digest or hashlib.sha256(data).hexdigest()
    if not data:
        return unreadable_record(rel, root, "empty file (0 bytes)", digest=digest)
    metadata, meta_errors = read_metadata(data)
    errors = list(meta_errors)
    fmt: str | None = None
    width = height = None
    hashes = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Image.init()
            formats = [f for f in DECODABLE_FORMATS if f in Image.OPEN]
            with Image.open(io.BytesIO(data), formats=formats) as im:
                fmt = im.format
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise _Refused(
                        f"{width}x{height} pixels exceeds the {MAX_PIXELS // 1_000_000} megapixel limit "
                        "(possible decompression bomb); not decoded"
                    )
                orientation = _orientation(im)
                if orientation in _ROTATED:
                    width, height = height, width
                if fmt == "JPEG":
                    im.draft("RGB", (DECODE_SIZE, DECODE_SIZE))
                im.load()
                oriented = ImageOps.exif_transpose(im) if _turned(im) else im  # it copies an image it leaves
                hashes = compute_hashes(oriented)
    except _Refused as exc:
        errors.append(str(exc))
    except Image.DecompressionBombError as exc:
        errors.append(f"possible decompression bomb; not decoded ({one_line(exc)})")
    except MemoryError:
        errors.append(OUT_OF_MEMORY)
    except Exception as exc:
        errors.append(f"cannot decode pixels: {one_line(exc)}{_heif_hint(data)}")
    return ImageRecord(
        path=rel, root=root, format=fmt, width=width, height=height, size=len(data), sha256=digest,
        metadata=metadata, hashes=hashes, errors=tuple(errors),
    )


def _heif_hint(data: bytes) -> str:
    """What to install when a HEIC/HEIF file could not be decoded for want of pillow-heif."""
    if not HEIF_DECODER and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return " (HEIC/HEIF pixels need pillow-heif: pip install pillow-heif)"
    return ""


_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class _Refused(Exception):
    pass


def _turned(im: Image.Image) -> bool:
    """Whether `ImageOps.exif_transpose` would turn or flip the (loaded) image: its EXIF orientation, read
    as it reads it, is one of 2 to 8."""
    return im.getexif().get(ExifTags.Base.Orientation, 1) in _TRANSPOSED


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:
        return 1

