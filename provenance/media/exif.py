"""The few EXIF tags provenance needs, read with Pillow's EXIF parser.

Pillow parses the TIFF structure (IFD0 and the EXIF sub-IFD) from the raw
block without decoding any pixels. Pillow hands ASCII values back as Latin-1
text; we recover the bytes and decode them as UTF-8 when valid, else cp1252,
which is how ExifTool reads EXIF under the MWG rules ("EXIF strings are UTF-8")
except for bytes that are not UTF-8: ExifTool prints those as "?", losing them,
while we read them as cp1252 ("Caf\xe9" is "Café", not "Caf?").
Like ExifTool, a string ends at its first NUL, except Copyright, whose NUL
separates the photographer's notice from the editor's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

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
