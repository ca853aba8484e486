"""The few EXIF tags provenance needs, read with Pillow's EXIF parser.

Pillow parses the TIFF structure (IFD0 and the EXIF sub-IFD) from the raw
block without decoding any pixels. Pillow hands ASCII values back as Latin-1
text; we recover the bytes and decode them as UTF-8 when valid, else cp1252,
which is how ExifTool reads EXIF under the MWG rules ("EXIF strings are UTF-8")
except for bytes that are not UTF-8: ExifTool prints those as "?", losing them,
while we read them as cp1252 ("Caf\xe9" is "Café", not "Caf?").
Like ExifTool, a string ends at its first NUL, except Copyright, whose NUL
separates the photographer's notice from the editor's.

Where Pillow's reading lacks a tag or fails (a damaged IFD), exifread reads the
block again, every IFD of it: Artist and Copyright found only in IFD1..n of a
multi-page TIFF, or ImageDescription written into the Exif sub-IFD, count as
ExifTool counts them. ExifTool's priorities decide between IFDs: the first
ImageDescription found wins; for Artist and Copyright the last one found wins,
IFD1 (the thumbnail's) only when no other IFD has one.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from dataclasses import dataclass, fields, replace

import exifread
from PIL import Image

from provenance.media.iptc import decode_utf8_or_latin

MAX_EXIF_BYTES = 16 * 1024 * 1024
"""Largest EXIF block we hand to the parser."""

TAG_IMAGE_DESCRIPTION = 0x010E
TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_GPS_IFD = 0x8825
TAG_ARTIST = 0x013B
TAG_COPYRIGHT = 0x8298
TAG_EXIF_IFD = 0x8769
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
TAG_SUBSEC_TIME_ORIGINAL = 0x9291

_EXIFREAD_LOG = logging.getLogger("exifread")
_EXIFREAD_LOG.addHandler(logging.NullHandler())  # its warnings are not ours to print; problems become error lines
_EXIFREAD_LOG.propagate = False
_IFD_N = re.compile(r"IFD (\d+)$")


@dataclass(frozen=True)
class ExifFields:
    """EXIF values as ExifTool would print them (strings, not yet reconciled)."""

    artist: str | None = None
    copyright: str | None = None
    image_description: str | None = None
    datetime_original: str | None = None
    subsec_time_original: str | None = None
    offset_time_original: str | None = None
    make: str | None = None
    model: str | None = None
    gps: tuple[float, float] | None = None
    """Latitude and longitude in decimal degrees (south and west negative)."""


def _raw(value: object) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("latin-1", errors="replace")
    if isinstance(value, tuple) and all(isinstance(v, int) and 0 <= v < 256 for v in value):
        return bytes(value)
    return str(value).encode("utf-8")


def _string(value: object) -> str | None:
    raw = _raw(value)
    if raw is None:
        return None
    raw = raw.split(b"\0", 1)[0]
    return decode_utf8_or_latin(raw)


def _copyright(value: object) -> str | None:
    raw = _raw(value)
    if raw is None:
        return None
    if b"\0" in raw:
        photographer, _, rest = raw.partition(b"\0")
        editor = rest.split(b"\0", 1)[0]
        raw = photographer.rstrip(b" ") + b"\n" + editor.rstrip(b" ")
        raw = raw.rstrip(b"\n")
    return decode_utf8_or_latin(raw)


def _position(gps: dict[int, object]) -> tuple[float, float] | None:
    """GPSLatitude/GPSLongitude (degrees, minutes, seconds) with their N/S and E/W references."""
    out = []
    for ref_tag, value_tag, negative, limit in ((1, 2, b"S", 90.0), (3, 4, b"W", 180.0)):
        value = gps.get(value_tag)
        if not isinstance(value, tuple) or len(value) != 3:
            return None
        degrees = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
        if not -limit <= degrees <= limit:  # also false for NaN (a zero denominator)
            return None
        ref = (_raw(gps.get(ref_tag)) or b"").strip(b"\0 ").upper()
        out.append(round(-degrees if ref == negative else degrees, 6))
    return out[0], out[1]


def parse_exif(block: bytes, where: str = "EXIF") -> tuple[ExifFields | None, list[str]]:
    """Read the provenance tags of a TIFF-structured EXIF block ("Exif\\0\\0" prefix allowed)."""
    if block.startswith(b"Exif\0\0"):
        block = block[6:]
    if len(block) > MAX_EXIF_BYTES:
        return None, [f"{where}: block of {len(block)} bytes is larger than {MAX_EXIF_BYTES}; skipped"]
    if block[:4] not in (b"II*\0", b"MM\0*"):
        return None, [f"{where}: no TIFF header"]
    pillow, errors = _pillow_fields(block, where)
    if pillow is not None and None not in (
        pillow.artist, pillow.copyright, pillow.image_description, pillow.datetime_original
    ):
        return pillow, errors  # nothing for other IFDs to add (sub-seconds and offsets are often absent)
    read = _exifread_fields(block)
    if read is None:
        return pillow, errors
    other, origins = read
    if pillow is None:
        return other, []  # exifread read what Pillow could not
    return _combine(pillow, other, origins), errors


def _pillow_fields(block: bytes, where: str) -> tuple[ExifFields | None, list[str]]:
    """IFD0 and the Exif sub-IFD, as Pillow reads them."""
    exif = Image.Exif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exif.load(block)
            ifd0 = dict(exif.items())
            try:
                sub = dict(exif.get_ifd(TAG_EXIF_IFD).items())
            except Exception:
                sub = {}
            try:
                gps = _position(dict(exif.get_ifd(TAG_GPS_IFD).items()))
            except Exception:
                gps = None
    except Exception as exc:  # Pillow raises many types on corrupt TIFF structures
        return None, [f"{where}: unreadable ({type(exc).__name__}: {exc})"[:200]]
    return (
        ExifFields(
            artist=_string(ifd0.get(TAG_ARTIST)),
            copyright=_copyright(ifd0.get(TAG_COPYRIGHT)),
            image_description=_string(ifd0.get(TAG_IMAGE_DESCRIPTION)),
            datetime_original=_string(sub.get(TAG_DATETIME_ORIGINAL)),
            subsec_time_original=_string(sub.get(TAG_SUBSEC_TIME_ORIGINAL)),
            offset_time_original=_string(sub.get(TAG_OFFSET_TIME_ORIGINAL)),
            make=_string(ifd0.get(TAG_MAKE)),
            model=_string(ifd0.get(TAG_MODEL)),
            gps=gps,
        ),
        [],
    )


def _exifread_fields(block: bytes) -> tuple[ExifFields, dict[str, str]] | None:
    """Every IFD of the block as exifread reads it, reduced with ExifTool's priorities, and the IFD of
    each value ("Image" is IFD0, "Thumbnail" IFD1, "EXIF" the Exif sub-IFD); None if unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tags = exifread.process_file(io.BytesIO(block), details=False, extract_thumbnail=False)
    except Exception:  # exifread raises many types on corrupt structures
        return None
    if not tags:
        return None
    # IFDs in ExifTool's reading order: IFD0, its Exif sub-IFD, IFD1, IFD2...
    numbered = sorted({int(m.group(1)) for m in (_IFD_N.match(k.rsplit(" ", 1)[0]) for k in tags) if m})
    order = ["Image", "EXIF", "Thumbnail", *(f"IFD {n}" for n in numbered)]
    origins: dict[str, str] = {}

    def found(tag: str) -> list[tuple[str, str]]:
        out = []
        for ifd in order:
            entry = tags.get(f"{ifd} {tag}")
            if _past_end(entry, len(block)):
                continue  # ExifTool skips a value that runs past the end of the block; exifread reads what is left
            raw = _exifread_raw(entry)
            text = _copyright(raw) if tag == "Copyright" else _string(raw)
            if text is not None and text.strip(" "):
                out.append((ifd, text))
        return out

    def pick(name: str, tag: str, *, last: bool) -> str | None:
        values = found(tag)
        if last:  # priority 1: a later IFD overrides, except IFD1, which only fills a gap
            values = [v for v in values if v[0] != "Thumbnail"][-1:] or values[:1]
        if not values:
            return None
        origins[name] = values[0][0]
        return values[0][1]

    return (
        ExifFields(
            artist=pick("artist", "Artist", last=True),
            copyright=pick("copyright", "Copyright", last=True),
            image_description=pick("image_description", "ImageDescription", last=False),
            datetime_original=pick("datetime_original", "DateTimeOriginal", last=False),
            subsec_time_original=pick("subsec_time_original", "SubSecTimeOriginal", last=False),
            offset_time_original=pick("offset_time_original", "OffsetTimeOriginal", last=False),
        ),
        origins,
    )


def _past_end(tag: object, size: int) -> bool:
    offset, length = getattr(tag, "field_offset", None), getattr(tag, "field_length", None)
    return isinstance(offset, int) and isinstance(length, int) and offset + length > size


def _exifread_raw(tag: object) -> bytes | None:
    """The bytes of an exifread ASCII tag (it hands back text when the bytes were UTF-8)."""
    if tag is None:
        return None
    value = getattr(tag, "values", None)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    return None


def _combine(pillow: ExifFields, other: ExifFields, origins: dict[str, str]) -> ExifFields:
    """Pillow's IFD0 values, completed by exifread's; Artist or Copyright of IFD2..n wins, as in ExifTool."""
    changes: dict[str, object] = {}
    for f in fields(ExifFields):
        mine, theirs = getattr(pillow, f.name), getattr(other, f.name)
        if theirs is None:
            continue
        later = f.name in ("artist", "copyright") and origins.get(f.name, "Image") not in ("Image", "Thumbnail")
        if mine is None or later:
            changes[f.name] = theirs
    return replace(pillow, **changes) if changes else pillow  # type: ignore[arg-type]


def later_block(first: ExifFields, later: ExifFields) -> ExifFields:
    """Two EXIF blocks of one file (two APP1 segments, say): a later block's tags win, except
    ImageDescription, where the first one found stays (ExifTool's priorities)."""
    changes = {
        f.name: getattr(later, f.name)
        for f in fields(ExifFields)
        if getattr(later, f.name) is not None and (f.name != "image_description" or first.image_description is None)
    }
    return replace(first, **changes) if changes else first
