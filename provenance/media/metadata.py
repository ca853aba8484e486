"""Read the provenance an image file carries: credit, creator, copyright, caption...

`read_metadata` finds the EXIF, IPTC and XMP blocks of a file (see
`containers`), decodes each (`exif`, `iptc`, `xmp`), reconciles them with the
Metadata Working Group rules as ExifTool applies them (`mwg`), and adds the
C2PA manifest summary when the optional c2pa-python package is installed
(`c2pa`). It never decodes pixels, so files Pillow cannot open (a JPEG without
scan data, a PNG with an oversized text chunk) still give their metadata.

Text values are trimmed of surrounding whitespace, line endings become "\\n",
and blank values count as absent: a credit of "   " is no credit.
"""

from __future__ import annotations

import dataclasses
import re
from types import MappingProxyType
from typing import Any

from provenance.dates import metadata_date
from provenance.media import mwg
from provenance.media.c2pa import read_c2pa
from provenance.media.containers import RawBlocks, collect
from provenance.media.exif import ExifFields, later_block, parse_exif
from provenance.media.iptc import IptcBlock, parse_iim
from provenance.media.xmp import (
    NS_DC,
    NS_DCTERMS,
    NS_IPTC_EXT,
    NS_PHOTOSHOP,
    NS_PLUS,
    NS_XMP_NOTE,
    NS_XMP_RIGHTS,
    ExtendedXmp,
    XmpProperties,
    parse_packet,
)
from provenance.model import C2PAInfo, Provenance
from provenance.rights import restrictions_of

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Files larger than this are not examined."""

MAX_ERROR_LINES = 20
"""Error lines kept per file; a crafted file (a thousand broken IPTC blocks) would otherwise flood the report."""

JSON_FIELDS = tuple(f.name for f in dataclasses.fields(Provenance))
"""Key order of `provenance_to_json`."""

# IPTC application record datasets
IPTC_BYLINE = (2, 80)
IPTC_BYLINE_TITLE = (2, 85)
IPTC_CITY = (2, 90)
IPTC_STATE = (2, 95)
IPTC_COUNTRY = (2, 101)
IPTC_HEADLINE = (2, 105)
IPTC_CREDIT = (2, 110)
IPTC_SOURCE = (2, 115)
IPTC_COPYRIGHT = (2, 116)
IPTC_CAPTION = (2, 120)
IPTC_KEYWORDS = (2, 25)
IPTC_DATE_CREATED = (2, 55)
IPTC_TIME_CREATED = (2, 60)
IPTC_INSTRUCTIONS = (2, 40)

# MWG length limits of the IPTC datasets (bytes)
LIMIT_CREATOR = 32
LIMIT_COPYRIGHT = 128
LIMIT_DESCRIPTION = 2000
LIMIT_CITY = 32
LIMIT_STATE = 32
LIMIT_COUNTRY = 64


def read_metadata(data: bytes) -> tuple[Provenance, tuple[str, ...]]:
    """Read the embedded provenance of an image file's bytes, without decoding pixels.

    Returns the record and error lines (one clear line each, e.g. "IPTC: bad record marker at byte 1234").
    Never raises on bad input.
    """
    try:
        return _read(data)
    except Exception as exc:  # last line of defence: a reader bug must not stop a whole check
        return Provenance(), (f"metadata: unexpected failure ({type(exc).__name__}: {exc})"[:300],)


def _read(data: bytes) -> tuple[Provenance, tuple[str, ...]]:
    if len(data) > MAX_FILE_BYTES:
        return Provenance(), (f"file: {len(data)} bytes is larger than {MAX_FILE_BYTES}; metadata not read",)
    blocks = collect(data)
    errors = list(blocks.errors)
    exif = _read_exif(blocks, errors)
    iptc = _read_iptc(blocks, errors)
    xmp = _read_xmp(blocks, errors)
    remote = _text(_xmp_value(xmp, (NS_DCTERMS, "provenance")))
    c2pa = read_c2pa(data, blocks.format, blocks.c2pa, errors, remote=remote)
    record = _reconcile(exif, iptc, xmp, blocks, c2pa)
    return record, _capped(errors)


def _capped(errors: list[str]) -> tuple[str, ...]:
    """Distinct error lines, at most `MAX_ERROR_LINES` (the last one counting those left out)."""
    lines = tuple(dict.fromkeys(errors))
    if len(lines) <= MAX_ERROR_LINES:
        return lines
    left = len(lines) - (MAX_ERROR_LINES - 1)
    return (*lines[: MAX_ERROR_LINES - 1], f"metadata: {left} more problems not listed")


def _read_exif(blocks: RawBlocks, errors: list[str]) -> ExifFields | None:
    """Every EXIF block of the file, in file order, combined as ExifTool combines repeated tags."""
    combined: ExifFields | None = None
    for block in blocks.exif:
        fields, errs = parse_exif(block)
        errors.extend(errs)
        if fields is not None:
            combined = fields if combined is None else later_block(combined, fields)
    return combined


def _read_iptc(blocks: RawBlocks, errors: list[str]) -> tuple[IptcBlock | None, mwg.Digests]:
    """The first IPTC block supplies values; later ones are only checked for conflicts."""
    parsed: list[IptcBlock] = []
    stored = None
    for i, source in enumerate(blocks.iptc):
        block, errs = parse_iim(
            source.data, standard=source.standard, where="IPTC" if i == 0 else f"IPTC#{i + 1}"
        )
        errors.extend(errs)
        if block is not None:
            parsed.append(block)
            if len(parsed) == 1:
                stored = source.digest
    if not parsed:
        return None, mwg.Digests(None, None)
    first = parsed[0]
    for n, later in enumerate(parsed[1:], start=2):
        for key, values in later.datasets.items():
            if key[0] == 2 and key in first.datasets and first.datasets[key] != values:
                errors.append(
                    f"IPTC: block {n} gives {key[0]}:{key[1]} as {values[0]!r}; the first block's"
                    f" {first.datasets[key][0]!r} is used"[:300]
                )
    current = first.digest if first.standard else None
    return first, mwg.Digests(current, stored if first.standard else None)


def _read_xmp(blocks: RawBlocks, errors: list[str]) -> XmpProperties | None:
    props: XmpProperties | None = None
    for i, packet in enumerate(blocks.xmp):
        parsed, errs = parse_packet(packet, "XMP" if i == 0 else f"XMP#{i + 1}")
        errors.extend(errs)
        if parsed is None:
            continue
        if props is None:
            props = parsed
        else:
            props.update(parsed)
    if props is None:
        if blocks.xmp_extended:
            errors.append("XMP: extended XMP without a main packet; ignored")
        return None
    guid = props.first((NS_XMP_NOTE, "HasExtendedXMP"))
    if guid:
        ext = ExtendedXmp()
        for payload in blocks.xmp_extended:
            add_error = ext.add(payload)
            if add_error:
                errors.append(add_error)
        extended, assemble_error = ext.assemble(guid.strip())
        if assemble_error:
            errors.append(assemble_error)
        if extended is not None:
            parsed, errs = parse_packet(extended, "XMP (extended)")
            errors.extend(errs)
            if parsed is not None:
                props.merge(parsed)
    return props


def _xmp_value(xmp: XmpProperties | None, *path: tuple[str, str], as_list: bool = False) -> mwg.MwgValue:
    """An XMP property as ExifTool reports it: a string, or a list when it holds several values."""
    if xmp is None:
        return None
    vals = xmp.get(*path)
    if vals is None:
        return None
    if as_list or len(vals) > 1:
        return list(vals)
    return vals[0]


IPTC_LISTS = frozenset((2, n) for n in (4, 12, 20, 25, 26, 27, 45, 47, 50, 80, 85, 118, 122))
"""Repeatable IPTC datasets (ExifTool's list tags); a repeated non-list dataset has its last value."""


def _iptc_value(block: IptcBlock | None, key: tuple[int, int]) -> mwg.MwgValue:
    if block is None:
        return None
    vals = block.get(*key)
    if not vals:
        return None
    if key not in IPTC_LISTS:
        return vals[-1]
    return vals if len(vals) > 1 else vals[0]


def _iptc_date(value: str | None) -> str | None:
    """IPTC 2:55 "YYYYMMDD" as ExifTool prints it ("YYYY:MM:DD")."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})(\d{2})(\d{2})\s*", value)
    return f"{m.group(1)}:{m.group(2)}:{m.group(3)}" if m else value


def _iptc_time(value: str | None) -> str | None:
    """IPTC 2:60 "HHMMSS±HHMM" as ExifTool prints it ("HH:MM:SS±HH:MM")."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d{2})(\d{2})(\d{2})(?:([-+])(\d{2})(\d{2}))?\s*", value)
    if not m:
        return value
    out = f"{m.group(1)}:{m.group(2)}:{m.group(3)}"
    if m.group(4):
        out += f"{m.group(4)}{m.group(5)}:{m.group(6)}"
    return out


def _text(value: str | list[str] | None) -> str | None:
    """A single text value: lists joined with "; " (the MWG list convention), trimmed, blank -> None."""
    if value is None:
        return None
    if isinstance(value, list):
        parts = [p for p in (_text(v) for v in value) if p]
        return "; ".join(parts) if parts else None
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _texts(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(t for t in (_text(v) for v in items) if t)


def _reconcile(
    exif: ExifFields | None,
    iptc_info: tuple[IptcBlock | None, mwg.Digests],
    xmp: XmpProperties | None,
    blocks: RawBlocks,
    c2pa: C2PAInfo | None,
) -> Provenance:
    iptc, digests = iptc_info
    ex = exif or ExifFields()
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}

    def put(name: str, chosen: mwg.Chosen | None, *, many: bool = False) -> None:
        if chosen is None:
            return
        value: Any = _texts(chosen.value) if many else _text(chosen.value)
        if value:
            values[name] = value
            origins[name] = chosen.origin

    artist = mwg.split_artist(ex.artist) if ex.artist is not None else None
    put(
        "creator",
        mwg.exif_iptc_xmp(
            artist,
            _iptc_value(iptc, IPTC_BYLINE),
            _xmp_value(xmp, (NS_DC, "creator")),
            digests,
            LIMIT_CREATOR,
        ),
        many=True,
    )
    put(
        "copyright",
        mwg.exif_iptc_xmp(
            ex.copyright,
            _iptc_value(iptc, IPTC_COPYRIGHT),
            _xmp_value(xmp, (NS_DC, "rights")),
            digests,
            LIMIT_COPYRIGHT,
        ),
    )
    put(
        "caption",
        mwg.exif_iptc_xmp(
            ex.image_description,
            _iptc_value(iptc, IPTC_CAPTION),
            _xmp_value(xmp, (NS_DC, "description")),
            digests,
            LIMIT_DESCRIPTION,
        ),
    )
    for name, key, legacy, shown, limit in (
        ("city", IPTC_CITY, "City", "City", LIMIT_CITY),
        ("state", IPTC_STATE, "State", "ProvinceState", LIMIT_STATE),
        ("country", IPTC_COUNTRY, "Country", "CountryName", LIMIT_COUNTRY),
    ):
        put(
            name,
            mwg.location(
                _iptc_value(iptc, key),
                _xmp_value(xmp, (NS_PHOTOSHOP, legacy)),
                _xmp_value(xmp, (NS_IPTC_EXT, "LocationShown"), (NS_IPTC_EXT, shown)),
                digests,
                limit,
            ),
        )
    for name, key, prop in (
        ("credit", IPTC_CREDIT, "Credit"),
        ("source", IPTC_SOURCE, "Source"),
        ("headline", IPTC_HEADLINE, "Headline"),
        ("creator_title", IPTC_BYLINE_TITLE, "AuthorsPosition"),
        ("instructions", IPTC_INSTRUCTIONS, "Instructions"),
    ):
        put(name, mwg.xmp_then_iptc(_iptc_value(iptc, key), _xmp_value(xmp, (NS_PHOTOSHOP, prop))))

    # When the photo was taken
    iptc_date = _iptc_value(iptc, IPTC_DATE_CREATED)
    iptc_time = _iptc_value(iptc, IPTC_TIME_CREATED)
    xmp_date = _xmp_value(xmp, (NS_PHOTOSHOP, "DateCreated"))
    chosen = mwg.date_time_original(
        mwg.exif_subsec_datetime(ex.datetime_original, ex.subsec_time_original, ex.offset_time_original),
        ex.datetime_original,
        _iptc_date(iptc_date if isinstance(iptc_date, str) else None),
        _iptc_time(iptc_time if isinstance(iptc_time, str) else None),
        xmp_date if isinstance(xmp_date, str) else None,
        digests,
    )
    if chosen is not None and isinstance(chosen.value, str):
        iso = metadata_date(chosen.value)
        if iso:
            values["date_created"] = iso
            origins["date_created"] = chosen.origin

    put("keywords", mwg.keywords(_iptc_value(iptc, IPTC_KEYWORDS), _xmp_value(xmp, (NS_DC, "subject")), digests),
        many=True)
    for name, value in (("camera_make", ex.make), ("camera_model", ex.model)):
        if _text(value):
            values[name] = _text(value)
            origins[name] = "EXIF"
    if ex.gps is not None:
        values["gps"] = ex.gps
        origins["gps"] = "EXIF"

    # XMP-only rights and provenance properties
    for name, path in (
        ("digital_source_type", ((NS_IPTC_EXT, "DigitalSourceType"),)),
        ("web_statement", ((NS_XMP_RIGHTS, "WebStatement"),)),
        ("licensor", ((NS_PLUS, "Licensor"), (NS_PLUS, "LicensorName"))),
        ("usage_terms", ((NS_XMP_RIGHTS, "UsageTerms"),)),
        ("other_constraints", ((NS_PLUS, "OtherConstraints"),)),
        ("credit_line_required", ((NS_PLUS, "CreditLineRequired"),)),
    ):
        value = _text(_xmp_value(xmp, *path))
        if value:
            values[name] = value
            origins[name] = "XMP"

    # PNG's own text keywords, when nothing better says the same
    for name, keyword in (("caption", "Description"), ("creator", "Author"), ("copyright", "Copyright")):
        if name not in values and keyword in blocks.png_text:
            text = _text(blocks.png_text[keyword])
            if text:
                values[name] = (text,) if name == "creator" else text
                origins[name] = "PNG"

    if c2pa is not None and "digital_source_type" not in values:
        for action in c2pa.actions:
            dst = action.get("digitalSourceType")
            if dst:
                values["digital_source_type"] = dst
                origins["digital_source_type"] = "C2PA"
                break

    record = Provenance(c2pa=c2pa, origins=MappingProxyType(dict(origins)), **values)
    return dataclasses.replace(record, restrictions=restrictions_of(record))


def provenance_to_json(p: Provenance) -> dict[str, Any]:
    """The JSON record of a `Provenance`: every field, in a stable order (see `JSON_FIELDS`)."""
    return p.to_json()
