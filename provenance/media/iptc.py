"""IPTC-IIM datasets and the Photoshop image resources that usually carry them.

IPTC text has no declared encoding unless dataset 1:90 (CodedCharacterSet) says
so. We decode it the way ExifTool does, because ExifTool is what newsrooms and
agencies check their files with: 1:90 = ESC % G means UTF-8 (as does any other
ESC % coding, whose bytes ExifTool leaves untranslated); anything else (or
no 1:90 at all) means cp1252 ("Latin"), so a 0xA9 byte reads as "©" and 0xF6 as
"ö". Valid UTF-8 without 1:90 therefore reads as mojibake, exactly as it does in
ExifTool; the MWG rules usually prefer the XMP copy in that case.

Every parser here is bounds-checked and reports problems as one-line strings
instead of raising.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

MAX_IPTC_BYTES = 4 * 1024 * 1024
"""Largest IPTC block we parse; real ones are a few kilobytes."""

UTF8_ESCAPE = b"\x1b%G"
"""The 1:90 value that declares UTF-8."""

_RESOURCE_TYPES = (b"8BIM", b"PHUT", b"DCSR", b"AgHg", b"MeSa")


def _cp1252_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for byte in range(256):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            table[byte] = chr(byte)  # the five holes of cp1252 read as Latin-1, like ExifTool
    return table


_CP1252 = _cp1252_table()


def decode_latin(data: bytes) -> str:
    """Decode cp1252 the lenient way (undefined bytes map to the same Latin-1 code point)."""
    return "".join(_CP1252[b] for b in data)


def decode_utf8_or_latin(data: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else cp1252: the usual reading of EXIF and PNG text."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_latin(data)


@dataclass(frozen=True)
class IptcBlock:
    """One IPTC-IIM block, decoded."""

    datasets: dict[tuple[int, int], list[str]]
    """(record, dataset) -> decoded values in file order."""
    digest: str
    """MD5 of the block's bytes (ExifTool's CurrentIPTCDigest), lowercase hex."""
    standard: bool
    """True when the block sits where the MWG guidance puts IPTC (JPEG APP13, TIFF IFD0, PSD)."""
    utf8: bool = False
    """True when 1:90 declared UTF-8."""

    def get(self, record: int, dataset: int) -> list[str] | None:
        """The values of one dataset, or None when the block does not have it."""
        return self.datasets.get((record, dataset))


def parse_iim(data: bytes, *, standard: bool, where: str = "IPTC") -> tuple[IptcBlock | None, list[str]]:
    """Parse an IPTC-IIM block: 0x1C, record, dataset, length (2 bytes, or extended), value.

    Stops at the first bad marker, as ExifTool does; trailing zero padding is not an error.
    """
    errors: list[str] = []
    if len(data) > MAX_IPTC_BYTES:
        return None, [f"{where}: block of {len(data)} bytes is larger than {MAX_IPTC_BYTES}; skipped"]
    datasets: dict[tuple[int, int], list[str]] = {}
    utf8 = False
    pos = 0
    end = len(data)
    while pos + 5 <= end:
        marker = data[pos]
        if marker != 0x1C:
            if marker == 0 and not data[pos:].strip(b"\0"):
                break
            errors.append(f"{where}: bad record marker 0x{marker:02x} at byte {pos}")
            break
        record, dataset = data[pos + 1], data[pos + 2]
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        pos += 5
        if length & 0x8000:
            nbytes = length & 0x7FFF
            if nbytes > 8 or pos + nbytes > end:
                errors.append(
                    f"{where}: bad extended length for dataset {record}:{dataset} at byte {pos - 5}"
                )
                break
            length = int.from_bytes(data[pos : pos + nbytes], "big")
            pos += nbytes
        if pos + length > end:
            errors.append(
                f"{where}: dataset {record}:{dataset} at byte {pos - 5} runs past the end of the block"
                f" ({length} bytes announced, {end - pos} left)"
            )
            break
        raw = data[pos : pos + length]
        pos += length
        if record == 1 and dataset == 90:
            # ESC % G is UTF-8; ExifTool leaves text under any other ESC % coding untranslated (UTF-8 bytes)
            utf8 = raw.rstrip(b"\0") == UTF8_ESCAPE or raw.startswith(b"\x1b%")
        if record not in (1, 2):
            continue
        if record == 2 and dataset in (0,):
            continue  # record version: binary
        raw = raw.rstrip(b"\0")
        text = raw.decode("utf-8", errors="replace") if utf8 else decode_latin(raw)
        datasets.setdefault((record, dataset), []).append(text)
    digest = hashlib.md5(data).hexdigest()
    return IptcBlock(datasets=datasets, digest=digest, standard=standard, utf8=utf8), errors


@dataclass
class PhotoshopResources:
    """What a Photoshop image-resource block holds that matters here."""

    iptc: list[bytes] = field(default_factory=list)
    """Raw IPTC blocks (resource 0x0404), in order."""
    iptc_digest: str | None = None
    """Resource 0x0425 (IPTCDigest), lowercase hex."""
    xmp: list[bytes] = field(default_factory=list)
    """XMP packets (resource 0x0424)."""
    exif: list[bytes] = field(default_factory=list)
    """EXIF blocks (resources 0x0422, 0x0423)."""


def parse_photoshop_resources(data: bytes, where: str = "Photoshop") -> tuple[PhotoshopResources, list[str]]:
    """Walk Photoshop image resources: type, id, Pascal name padded to even, size, data padded to even."""
    out = PhotoshopResources()
    errors: list[str] = []
    pos = 0
    end = len(data)
    while pos + 8 < end:
        rtype = data[pos : pos + 4]
        if rtype not in _RESOURCE_TYPES:
            errors.append(f"{where}: bad image resource type {rtype!r} at byte {pos}")
            break
        rid = int.from_bytes(data[pos + 4 : pos + 6], "big")
        name_len = data[pos + 6]
        name_total = name_len + 1
        name_total += name_total & 1
        size_at = pos + 6 + name_total
        if size_at + 4 > end:
            errors.append(f"{where}: image resource 0x{rid:04x} at byte {pos} is truncated")
            break
        size = int.from_bytes(data[size_at : size_at + 4], "big")
        start = size_at + 4
        if start + size > end:
            errors.append(
                f"{where}: image resource 0x{rid:04x} at byte {pos} runs past the end"
                f" ({size} bytes announced, {end - start} left)"
            )
            break
        value = data[start : start + size]
        if rtype == b"8BIM":
            if rid == 0x0404:
                out.iptc.append(value)
            elif rid == 0x0425 and len(value) == 16 and out.iptc_digest is None:
                out.iptc_digest = value.hex()
            elif rid == 0x0424:
                out.xmp.append(value)
            elif rid in (0x0422, 0x0423):
                out.exif.append(value)
        pos = start + size + (size & 1)
    return out, errors
