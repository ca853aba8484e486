"""Find the metadata blocks inside an image file, without decoding pixels.

One bounds-checked walker per container (JPEG segments, PNG chunks, TIFF IFD0,
RIFF/WebP chunks, ISOBMFF boxes for HEIC/AVIF, PSD image resources) collects
the raw EXIF, IPTC and XMP blocks into `RawBlocks`. Nothing here interprets the
blocks; a truncated or inconsistent structure ends the walk with an error line
and keeps whatever was found before it.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import Literal

from provenance.media.iptc import parse_photoshop_resources

MAX_TEXT_BYTES = 16 * 1024 * 1024
"""Largest decompressed PNG text chunk we accept."""

MAX_BOXES = 10_000
"""Most ISOBMFF boxes or chunks we visit in one file (a guard against crafted loops)."""

XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\0"
XMP_EXT_APP1 = b"http://ns.adobe.com/xmp/extension/\0"
PS_APP13 = b"Photoshop 3.0\0"
PS_APP13_OLD = b"Adobe_Photoshop2.5:"
JUMBF_C2PA_TYPES = (b"c2pa\x00\x11\x00\x10", b"cacb\x00\x11\x00\x10")
"""Start of the JUMBF description-box type of a C2PA manifest store (and of its pre-standard CAI form)."""


@dataclass
class IptcSource:
    """A raw IPTC-IIM block and where it was found."""

    data: bytes
    standard: bool
    """In an MWG standard location (JPEG APP13, TIFF IFD0, PSD)."""
    digest: str | None = None
    """The IPTCDigest stored next to it (Photoshop resource 0x0425), if any."""


@dataclass
class RawBlocks:
    """Raw metadata blocks of one file, in file order."""

    format: str | None = None
    """Container format: "JPEG", "PNG", "TIFF", "WEBP", "HEIF", "PSD" or None."""
    exif: list[bytes] = field(default_factory=list)
    """TIFF-structured EXIF blocks (optionally with the "Exif\\0\\0" prefix)."""
    iptc: list[IptcSource] = field(default_factory=list)
    xmp: list[bytes] = field(default_factory=list)
    """Main XMP packets."""
    xmp_extended: list[bytes] = field(default_factory=list)
    """Extended XMP chunk payloads (GUID, length, offset, data)."""
    png_text: dict[str, str] = field(default_factory=dict)
    """PNG text chunks by keyword (the last occurrence wins, as in ExifTool), metadata profiles excluded."""
    c2pa: bool = False
    """The file visibly carries a C2PA manifest store (JUMBF)."""
    errors: list[str] = field(default_factory=list)


def sniff(data: bytes) -> str | None:
    """The container format from the first bytes."""
    if data.startswith(b"\xff\xd8"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"):
        return "TIFF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        return "HEIF"
    if data.startswith(b"8BPS"):
        return "PSD"
    return None


def collect(data: bytes) -> RawBlocks:
    """Every metadata block of a file; unknown formats give an empty result with an error line."""
    blocks = RawBlocks(format=sniff(data))
    walker = {
        "JPEG": _walk_jpeg,
        "PNG": _walk_png,
        "TIFF": _walk_tiff,
        "WEBP": _walk_webp,
        "HEIF": _walk_isobmff,
        "PSD": _walk_psd,
    }.get(blocks.format or "")
    if walker is None:
        if not data:
            blocks.errors.append("file: empty")
        else:
            blocks.errors.append(
                "file: not a recognised image format (JPEG, PNG, TIFF, WebP, HEIF/AVIF, PSD)"
            )
        return blocks
    try:
        walker(data, blocks)
    except (IndexError, ValueError, OverflowError) as exc:  # defensive: walkers check bounds themselves
        blocks.errors.append(f"{blocks.format}: structure unreadable ({type(exc).__name__})")
    return blocks


def _add_photoshop(blocks: RawBlocks, data: bytes, *, standard: bool, where: str, with_extras: bool) -> None:
    res, errors = parse_photoshop_resources(data, where)
    blocks.errors.extend(errors)
    for i, iptc in enumerate(res.iptc):
        blocks.iptc.append(IptcSource(iptc, standard=standard and i == 0, digest=res.iptc_digest))
    if with_extras:
        blocks.xmp.extend(res.xmp)
        blocks.exif.extend(res.exif)


# --- JPEG -------------------------------------------------------------------


_EXIF_APP1 = re.compile(rb"(.{0,4})Exif\0", re.S | re.I)
"""ExifTool's test for an EXIF APP1 segment: up to 4 bytes of garbage before "Exif\\0" (any case),
then one more byte (some cameras write no second NUL) before the TIFF header."""
_TIFF_MAGIC = (b"II*\0", b"MM\0*")

_JPEG_NO_LENGTH = frozenset((0x00, 0x01, 0xD8, *range(0xD0, 0xD8), *range(0x30, 0x40)))
"""Markers without a length word, as ExifTool counts them: a stray 0xFF 0x00 in junk between
segments is stepped over, not read as a segment."""


def _walk_jpeg(data: bytes, blocks: RawBlocks) -> None:
    """JPEG markers up to the first scan: APP1 EXIF/XMP, APP13 Photoshop, APP11 JUMBF."""
    pos = 2
    end = len(data)
    photoshop: bytearray | None = None  # consecutive APP13 Photoshop segments are one block
    last_was_exif = False
    saw_sos = False
    count = 0
    while pos < end:
        count += 1
        if count > MAX_BOXES:
            blocks.errors.append("JPEG: too many segments")
            break
        if data[pos] != 0xFF:
            # Some writers leave stray bytes between segments; like ExifTool, skip to the next marker.
            nxt = data.find(b"\xff", pos)
            if nxt < 0:
                blocks.errors.append(f"JPEG: expected a marker at byte {pos}")
                break
            pos = nxt
        while pos < end and data[pos] == 0xFF:
            pos += 1
        if pos >= end:
            break
        marker = data[pos]
        pos += 1
        if marker in _JPEG_NO_LENGTH:
            continue
        if marker == 0xD9:
            break
        if pos + 2 > end:
            blocks.errors.append(f"JPEG: segment 0x{marker:02X} at byte {pos - 2} is truncated")
            break
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > end:
            blocks.errors.append(
                f"JPEG: segment 0x{marker:02X} at byte {pos - 2} runs past the end of the file"
            )
            break
        payload = data[pos + 2 : pos + length]
        pos += length
        if marker != 0xED and photoshop is not None:
            _add_photoshop(blocks, bytes(photoshop), standard=True, where="IPTC", with_extras=False)
            photoshop = None
        after_exif, last_was_exif = last_was_exif, False
        if marker == 0xE1:
            exif_head = _EXIF_APP1.match(payload)
            if after_exif and payload.startswith(b"Exif\0\0") and payload[6:10] not in _TIFF_MAGIC:
                blocks.exif[-1] += payload[6:]  # multi-segment EXIF: the block goes on in this segment
                last_was_exif = True
            elif exif_head:
                blocks.exif.append(payload[len(exif_head.group(1)) + 6 :])
                last_was_exif = True
            elif payload.startswith(XMP_APP1):
                blocks.xmp.append(payload[len(XMP_APP1) :])
            elif payload.startswith(XMP_EXT_APP1):
                blocks.xmp_extended.append(payload[len(XMP_EXT_APP1) :])
            elif payload.startswith((b"http", b"XMP\0")) or b"<?xpacket" in payload or b"<exif:" in payload:
                blocks.xmp.append(payload)  # XMP under a non-standard header: ExifTool reads it from the first tag
        elif marker == 0xED:
            if payload.startswith(PS_APP13):
                body = payload[len(PS_APP13) :]
            elif payload.startswith(PS_APP13_OLD):
                body = payload[27:]
            else:
                body = None
            if body is not None:
                photoshop = bytearray(body) if photoshop is None else photoshop + body
            elif photoshop is not None:
                _add_photoshop(blocks, bytes(photoshop), standard=True, where="IPTC", with_extras=False)
                photoshop = None
        elif marker == 0xEB:
            if payload.startswith(b"JP") and b"jumb" in payload[:64]:
                head = payload[:128]
                blocks.c2pa = blocks.c2pa or any(uuid in head for uuid in JUMBF_C2PA_TYPES)
        elif marker == 0xDA:
            saw_sos = True
            break
    if photoshop is not None:
        _add_photoshop(blocks, bytes(photoshop), standard=True, where="IPTC", with_extras=False)
    if not saw_sos:
        blocks.errors.append("JPEG: no image data (no start-of-scan marker)")


# --- PNG --------------------------------------------------------------------


def _inflate(data: bytes, keyword: str, blocks: RawBlocks) -> bytes | None:
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, MAX_TEXT_BYTES)
    except zlib.error as exc:
        blocks.errors.append(f"PNG: compressed text chunk {keyword!r} is corrupt ({exc})")
        return None
    if d.unconsumed_tail:
        blocks.errors.append(f"PNG: text chunk {keyword!r} expands beyond {MAX_TEXT_BYTES} bytes; skipped")
        return None
    return out


_RAW_PROFILE = re.compile(rb"\n(.*?)\n\s*(\d+)\n(.*)", re.S)
"""ExifTool's reading of a raw profile: newline, name, newline, the decimal length alone on its line
(leading blanks allowed, trailing ones not: such a profile is not read), newline, hex digits."""


def _raw_profile(text: bytes, keyword: str, blocks: RawBlocks) -> bytes | None:
    """The bytes of an ImageMagick "Raw profile type X" text chunk, read as ExifTool reads it."""
    m = _RAW_PROFILE.match(text)
    if not m:
        blocks.errors.append(f"PNG: {keyword!r} is not a raw profile ExifTool would read; skipped")
        return None
    hexdigits = b"".join(m.group(3).split())
    if len(hexdigits) > 2 * MAX_TEXT_BYTES:
        blocks.errors.append(f"PNG: {keyword!r} is larger than {MAX_TEXT_BYTES} bytes; skipped")
        return None
    try:
        raw = bytes.fromhex(hexdigits[: len(hexdigits) & ~1].decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        blocks.errors.append(f"PNG: {keyword!r} holds non-hexadecimal data")
        return None
    length = int(m.group(2)[:12])
    if length != len(raw):  # as in ExifTool, the data present is used
        blocks.errors.append(f"PNG: {keyword!r} announces {length} bytes but holds {len(raw)}")
    return raw


def _png_profile(keyword: str, payload: bytes, blocks: RawBlocks) -> bool:
    """Route a metadata-bearing text chunk; True when it was one."""
    low = keyword.lower()
    if keyword == "XML:com.adobe.xmp":
        blocks.xmp.append(payload)
        return True
    if not low.startswith("raw profile type "):
        return False
    raw = _raw_profile(payload, keyword, blocks)
    if raw is None:
        return True
    kind = low[len("raw profile type ") :]
    if kind in ("exif", "app1"):
        if raw.startswith(XMP_APP1):
            blocks.xmp.append(raw[len(XMP_APP1) :])
        elif raw.startswith(b"Exif\0"):
            blocks.exif.append(raw[6:])
        elif raw[:4] in (b"II*\0", b"MM\0*"):
            blocks.exif.append(raw)
    elif kind in ("iptc", "8bim"):
        if raw.startswith(b"8BIM"):
            _add_photoshop(blocks, raw, standard=False, where="IPTC", with_extras=False)
        elif raw.startswith(PS_APP13):
            _add_photoshop(blocks, raw[len(PS_APP13) :], standard=False, where="IPTC", with_extras=False)
        elif raw[:1] == b"\x1c":
            blocks.iptc.append(IptcSource(raw, standard=False))
    elif kind == "xmp":
        blocks.xmp.append(raw)
    return True


def _walk_png(data: bytes, blocks: RawBlocks) -> None:
    pos = 8
    end = len(data)
    count = 0
    while pos + 8 <= end:
        count += 1
        if count > MAX_BOXES:
            blocks.errors.append("PNG: too many chunks")
            break
        length = int.from_bytes(data[pos : pos + 4], "big")
        ctype = data[pos + 4 : pos + 8]
        start = pos + 8
        if length > 0x7FFFFFFF or start + length > end:
            blocks.errors.append(
                f"PNG: chunk {ctype.decode('latin-1')!r} at byte {pos} runs past the end of the file"
            )
            break
        body = data[start : start + length]
        pos = start + length + 4
        if ctype == b"IEND":
            break
        if ctype == b"eXIf":
            blocks.exif.append(body)
        elif ctype == b"caBX":
            blocks.c2pa = True
        elif ctype in (b"tEXt", b"zTXt", b"iTXt"):
            _png_text(ctype, body, blocks)


def _png_text(ctype: bytes, body: bytes, blocks: RawBlocks) -> None:
    key_raw, sep, rest = body.partition(b"\0")
    if not sep or not 1 <= len(key_raw) <= 79:
        blocks.errors.append(f"PNG: {ctype.decode()} chunk without a valid keyword")
        return
    keyword = key_raw.decode("latin-1")
    if ctype == b"tEXt":
        payload: bytes | None = rest
        is_utf8 = False
    elif ctype == b"zTXt":
        if not rest:
            return
        payload = _inflate(rest[1:], keyword, blocks)
        is_utf8 = False
    else:
        if len(rest) < 2:
            blocks.errors.append(f"PNG: iTXt chunk {keyword!r} is truncated")
            return
        compressed, after = rest[0], rest[2:]
        _lang, _, after = after.partition(b"\0")
        _translated, _, text = after.partition(b"\0")
        payload = _inflate(text, keyword, blocks) if compressed else text
        is_utf8 = True
    if payload is None:
        return
    if _png_profile(keyword, payload, blocks):
        return
    value = payload.decode("utf-8", errors="replace") if is_utf8 else payload.decode("latin-1")
    blocks.png_text[keyword] = value


# --- TIFF -------------------------------------------------------------------

_TIFF_TYPE_SIZES = {
    1: 1,
    2: 1,
    3: 2,
    4: 4,
    5: 8,
    6: 1,
    7: 1,
    8: 2,
    9: 4,
    10: 8,
    11: 4,
    12: 8,
    13: 4,
    16: 8,
    17: 8,
    18: 8,
}


def tiff_ifd0_tags(data: bytes, wanted: set[int]) -> tuple[dict[int, bytes], list[str]]:
    """Raw value bytes of selected IFD0 tags of a classic TIFF (or BigTIFF) structure."""
    out: dict[int, bytes] = {}
    if len(data) < 8:
        return out, ["TIFF: header truncated"]
    order = data[:2]
    if order not in (b"II", b"MM"):
        return out, ["TIFF: bad byte order mark"]
    bo: Literal["little", "big"] = "little" if order == b"II" else "big"
    magic = int.from_bytes(data[2:4], bo)
    if magic == 43:
        if len(data) < 16:
            return out, ["TIFF: BigTIFF header truncated"]
        ifd = int.from_bytes(data[8:16], bo)
        count_size, entry_size, value_size = 8, 20, 8
    else:
        ifd = int.from_bytes(data[4:8], bo)
        count_size, entry_size, value_size = 2, 12, 4
    if ifd + count_size > len(data):
        return out, ["TIFF: IFD0 offset beyond the end of the file"]
    count = int.from_bytes(data[ifd : ifd + count_size], bo)
    pos = ifd + count_size
    if pos + count * entry_size > len(data):
        return out, ["TIFF: IFD0 runs past the end of the file"]
    errors: list[str] = []
    for i in range(count):
        e = pos + i * entry_size
        tag = int.from_bytes(data[e : e + 2], bo)
        if tag not in wanted:
            continue
        typ = int.from_bytes(data[e + 2 : e + 4], bo)
        n = int.from_bytes(data[e + 4 : e + 4 + (8 if magic == 43 else 4)], bo)
        size = _TIFF_TYPE_SIZES.get(typ, 1) * n
        vpos = e + 4 + (8 if magic == 43 else 4)
        if size <= value_size:
            value = data[vpos : vpos + size]
        else:
            off = int.from_bytes(data[vpos : vpos + value_size], bo)
            if off + size > len(data):
                errors.append(f"TIFF: tag {tag} value runs past the end of the file")
                continue
            value = data[off : off + size]
        out[tag] = value
    return out, errors


TIFF_TAG_XMP = 700
TIFF_TAG_IPTC = 33723
TIFF_TAG_PHOTOSHOP = 34377
TIFF_TAG_C2PA = 52545


def _walk_tiff(data: bytes, blocks: RawBlocks) -> None:
    tags, errors = tiff_ifd0_tags(data, {TIFF_TAG_XMP, TIFF_TAG_IPTC, TIFF_TAG_PHOTOSHOP, TIFF_TAG_C2PA})
    blocks.errors.extend(errors)
    blocks.exif.append(data)
    digest = None
    if TIFF_TAG_PHOTOSHOP in tags:
        res, perrors = parse_photoshop_resources(tags[TIFF_TAG_PHOTOSHOP], "Photoshop")
        blocks.errors.extend(perrors)
        digest = res.iptc_digest
    if TIFF_TAG_IPTC in tags:
        blocks.iptc.append(IptcSource(tags[TIFF_TAG_IPTC], standard=True, digest=digest))
    if TIFF_TAG_XMP in tags:
        blocks.xmp.append(tags[TIFF_TAG_XMP])
    if TIFF_TAG_C2PA in tags:
        blocks.c2pa = True


# --- WebP (RIFF) ------------------------------------------------------------


def _walk_webp(data: bytes, blocks: RawBlocks) -> None:
    end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    pos = 12
    count = 0
    while pos + 8 <= end:
        count += 1
        if count > MAX_BOXES:
            blocks.errors.append("WEBP: too many chunks")
            break
        fourcc = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        start = pos + 8
        if start + size > end:
            blocks.errors.append(f"WEBP: chunk {fourcc.decode('latin-1')!r} at byte {pos} runs past the end")
            break
        body = data[start : start + size]
        if fourcc == b"EXIF":
            blocks.exif.append(body[6:] if body.startswith(b"Exif\0") else body)
        elif fourcc == b"XMP ":
            blocks.xmp.append(body)
        elif fourcc == b"C2PA":
            blocks.c2pa = True
        pos = start + size + (size & 1)


# --- ISOBMFF (HEIC, AVIF) ---------------------------------------------------


def _boxes(
    data: bytes, start: int, end: int, blocks: RawBlocks, budget: list[int]
) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes between start and end."""
    out: list[tuple[bytes, int, int]] = []
    pos = start
    while pos + 8 <= end:
        budget[0] -= 1
        if budget[0] < 0:
            blocks.errors.append("HEIF: too many boxes")
            break
        size = int.from_bytes(data[pos : pos + 4], "big")
        btype = data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            if pos + 16 > end:
                break
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            blocks.errors.append(
                f"HEIF: box {btype.decode('latin-1')!r} at byte {pos} runs past its container"
            )
            break
        out.append((btype, pos + header, pos + size))
        pos += size
    return out


def _walk_isobmff(data: bytes, blocks: RawBlocks) -> None:
    """Exif and XMP items of a HEIF/AVIF file, located through meta/iinf/iloc."""
    budget = [MAX_BOXES]
    top = _boxes(data, 0, len(data), blocks, budget)
    for btype, s, e in top:
        if (
            btype == b"uuid"
            and e - s >= 16
            and data[s : s + 16] == bytes.fromhex("d8fec3d61b0e483c92975828877ec481")
        ):
            blocks.c2pa = True
    meta = next(((s, e) for t, s, e in top if t == b"meta"), None)
    if meta is None:
        return
    s, e = meta
    children = _boxes(data, s + 4, e, blocks, budget)  # meta is a full box: skip version+flags
    items: dict[int, bytes] = {}  # item id -> item type, or b"mime:" + content type
    locations: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    idat = (0, 0)
    for btype, cs, ce in children:
        if btype == b"iinf":
            items.update(_parse_iinf(data, cs, ce, blocks, budget))
        elif btype == b"iloc":
            locations.update(_parse_iloc(data, cs, ce, blocks))
        elif btype == b"idat":
            idat = (cs, ce)
    for item_id, kind in items.items():
        method, extents = locations.get(item_id, (0, []))
        if not extents:
            continue
        # construction method 0: offsets in the file; 1: offsets in the idat box
        base, limit = (0, len(data)) if method == 0 else idat
        payload = bytearray()
        for rel, length in extents:
            off = base + rel
            if off + length > limit or len(payload) + length > MAX_TEXT_BYTES:
                blocks.errors.append(f"HEIF: item {item_id} lies outside the file")
                payload = bytearray()
                break
            payload += data[off : off + length]
        if not payload:
            continue
        if kind == b"Exif":
            # 4-byte offset to the TIFF header, then (usually) "Exif\0\0"; like ExifTool, also an item
            # that starts right at its TIFF header or at "Exif\0\0" without the offset
            if payload[:4] in _TIFF_MAGIC:
                body = bytes(payload)
            elif payload.startswith(b"Exif\0\0"):
                body = bytes(payload[6:])
            else:
                skip = int.from_bytes(payload[:4], "big")
                body = bytes(payload[4 + skip :]) if 4 + skip <= len(payload) else b""
            blocks.exif.append(body[6:] if body.startswith(b"Exif\0") else body)
        elif kind in (b"mime:application/rdf+xml",):
            blocks.xmp.append(bytes(payload))
        elif kind in (b"mime:application/c2pa", b"mime:application/x-c2pa-manifest-store"):
            blocks.c2pa = True


def _parse_iinf(data: bytes, s: int, e: int, blocks: RawBlocks, budget: list[int]) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    if s + 4 > e:
        return out
    version = data[s]
    pos = s + 4 + (2 if version == 0 else 4)
    for btype, is_, ie in _boxes(data, pos, e, blocks, budget):
        if btype != b"infe" or is_ + 4 > ie:
            continue
        v = data[is_]
        p = is_ + 4
        if v < 2:
            continue
        if v == 2:
            item_id = int.from_bytes(data[p : p + 2], "big")
            p += 2
        else:
            item_id = int.from_bytes(data[p : p + 4], "big")
            p += 4
        p += 2  # protection index
        item_type = data[p : p + 4]
        p += 4
        _name, _, rest = data[p:ie].partition(b"\0")
        if item_type == b"mime":
            ctype = rest.split(b"\0", 1)[0]
            out[item_id] = b"mime:" + ctype
        else:
            out[item_id] = item_type
    return out


def _parse_iloc(
    data: bytes, s: int, e: int, blocks: RawBlocks
) -> dict[int, tuple[int, list[tuple[int, int]]]]:
    """Item id -> (construction method, [(offset, length)...]) for methods 0 (file) and 1 (idat)."""
    out: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    if s + 6 > e:
        return out
    version = data[s]
    p = s + 4
    sizes = int.from_bytes(data[p : p + 2], "big")
    p += 2
    off_size, len_size, base_size = sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15
    idx_size = sizes & 15 if version in (1, 2) else 0
    if any(n not in (0, 4, 8) for n in (off_size, len_size, base_size, idx_size)):
        blocks.errors.append("HEIF: item location box has field sizes other than 0, 4 or 8")
        return out
    if version < 2:
        count = int.from_bytes(data[p : p + 2], "big")
        p += 2
    else:
        count = int.from_bytes(data[p : p + 4], "big")
        p += 4

    def take(n: int) -> int:
        nonlocal p
        if p + n > e:
            raise ValueError("iloc truncated")
        v = int.from_bytes(data[p : p + n], "big") if n else 0
        p += n
        return v

    budget = MAX_BOXES  # extents over all items: zero-size fields would let a tiny box announce 10^8 of them
    try:
        for _ in range(min(count, MAX_BOXES)):
            item_id = take(2 if version < 2 else 4)
            method = 0
            if version in (1, 2):
                method = take(2) & 15
            take(2)  # data reference index
            base = take(base_size)
            n_ext = take(2)
            extents = []
            budget -= n_ext
            if budget < 0:
                blocks.errors.append("HEIF: too many item extents")
                break
            for _ in range(n_ext):
                if idx_size:
                    take(idx_size)
                off = take(off_size)
                length = take(len_size)
                extents.append((base + off, length))
            if method in (0, 1):
                out[item_id] = (method, extents)
    except ValueError:
        blocks.errors.append("HEIF: item location box is truncated")
    return out


# --- PSD --------------------------------------------------------------------


def _walk_psd(data: bytes, blocks: RawBlocks) -> None:
    """PSD: 26-byte header, colour mode data, then the image resources section."""
    if len(data) < 30:
        blocks.errors.append("PSD: header truncated")
        return
    cm_len = int.from_bytes(data[26:30], "big")
    pos = 30 + cm_len
    if pos + 4 > len(data):
        blocks.errors.append("PSD: colour mode section runs past the end of the file")
        return
    ir_len = int.from_bytes(data[pos : pos + 4], "big")
    start = pos + 4
    if start + ir_len > len(data):
        blocks.errors.append("PSD: image resources run past the end of the file")
        ir_len = len(data) - start
    section = data[start : start + ir_len]
    _add_photoshop(blocks, section, standard=True, where="IPTC", with_extras=True)
