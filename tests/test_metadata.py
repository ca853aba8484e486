"""Embedded-metadata reader: small fixtures built here, from Pillow images and hand-made bytes."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image

from provenance.dates import metadata_date as iso_date
from provenance.media.metadata import JSON_FIELDS, provenance_to_json, read_metadata
from provenance.model import Provenance

# --- builders -----------------------------------------------------------------


def jpeg_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 200)).save(buf, "PNG")
    return buf.getvalue()


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def with_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """Insert segments right after SOI."""
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def iim(*datasets: tuple[int, int, bytes]) -> bytes:
    return b"".join(b"\x1c" + bytes([r, d]) + len(v).to_bytes(2, "big") + v for r, d, v in datasets)


def resource(rid: int, data: bytes) -> bytes:
    out = b"8BIM" + rid.to_bytes(2, "big") + b"\0\0" + len(data).to_bytes(4, "big") + data
    return out + (b"\0" if len(data) & 1 else b"")


def app13(*resources: bytes) -> bytes:
    return segment(0xED, b"Photoshop 3.0\0" + b"".join(resources))


def xmp_packet(body: str, prolog: str = "") -> bytes:
    return (
        prolog + '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/">'
        + body
        + "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode("utf-8")


def app1_xmp(packet: bytes) -> bytes:
    return segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + packet)


def app1_exif(**tags: str) -> bytes:
    exif = Image.Exif()
    codes = {"artist": 0x013B, "copyright": 0x8298, "description": 0x010E}
    for name, value in tags.items():
        exif[codes[name]] = value
    return segment(0xE1, exif.tobytes())


def png_chunk(ctype: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(ctype + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + ctype + body + crc


def png_with(*chunks: bytes) -> bytes:
    png = png_bytes()
    return png[:33] + b"".join(chunks) + png[33:]  # after the signature and IHDR


# --- IPTC text --------------------------------------------------------------


def test_iptc_utf8_declared_by_1_90() -> None:
    block = iim((1, 90, b"\x1b%G"), (2, 90, "Göteborg".encode()), (2, 110, "Agence France-Presse ©".encode()))
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app13(resource(0x0404, block))))
    assert rec.city == "Göteborg"
    assert rec.credit == "Agence France-Presse ©"
    assert rec.origins["city"] == "IPTC"
    assert errors == ()


def test_iptc_without_1_90_reads_as_latin() -> None:
    block = iim((2, 90, b"G\xf6teborg"), (2, 116, b"\xa9 2004 Nobody"), (2, 80, b"Jens Tr\x9abiger"))
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app13(resource(0x0404, block))))
    assert rec.city == "Göteborg"
    assert rec.copyright == "© 2004 Nobody"
    assert rec.creator == ("Jens Tršbiger",)  # cp1252, as ExifTool reads it
    assert errors == ()


def test_two_app13_segments_first_iptc_wins_and_conflict_is_reported() -> None:
    first = app13(resource(0x0404, iim((2, 110, b"Credit one"), (2, 115, b"Source one"))))
    second = app13(resource(0x0404, iim((2, 110, b"Credit two"), (2, 120, b"A caption"))))
    com = segment(0xFE, b"between")
    rec, errors = read_metadata(with_segments(jpeg_bytes(), first, com, second))
    assert rec.credit == "Credit one"
    assert rec.source == "Source one"
    assert any("Credit two" in e for e in errors)


def test_photoshop_block_split_over_consecutive_app13_segments() -> None:
    block = resource(0x0404, iim((2, 110, b"Split credit"), (2, 90, b"Paris")))
    body = b"Photoshop 3.0\0" + block
    cut = 20
    seg1 = segment(0xED, body[:cut])
    seg2 = segment(0xED, b"Photoshop 3.0\0" + body[cut:])
    rec, errors = read_metadata(with_segments(jpeg_bytes(), seg1, seg2))
    assert rec.credit == "Split credit"
    assert rec.city == "Paris"
    assert errors == ()


def test_corrupt_iptc_is_an_error_line() -> None:
    block = iim((2, 110, b"AP")) + b"\x07\x02\x00garbage"
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app13(resource(0x0404, block))))
    assert rec.credit == "AP"
    assert any(e.startswith("IPTC: bad record marker 0x07 at byte") for e in errors)


def test_iptc_length_past_end_is_an_error_line() -> None:
    block = b"\x1c\x02\x78\x10\x00short"
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app13(resource(0x0404, block))))
    assert rec.caption is None
    assert any("runs past the end" in e for e in errors)


# --- MWG reconciliation -----------------------------------------------------


def test_exif_wins_for_creator_copyright_description() -> None:
    block = iim((2, 80, b"IPTC Name"), (2, 120, b"IPTC caption"), (2, 116, b"IPTC (c)"))
    xmp = xmp_packet("<dc:creator><rdf:Seq><rdf:li>XMP Name</rdf:li></rdf:Seq></dc:creator>")
    jpeg = with_segments(
        jpeg_bytes(),
        app1_exif(artist="EXIF Name; Second Name", description="EXIF caption"),
        app1_xmp(xmp),
        app13(resource(0x0404, block)),
    )
    rec, _ = read_metadata(jpeg)
    assert rec.creator == ("EXIF Name", "Second Name")
    assert rec.caption == "EXIF caption"
    assert rec.origins["creator"] == "EXIF"
    # no EXIF copyright and no XMP rights: the IPTC notice is used
    assert rec.copyright == "IPTC (c)"
    assert rec.origins["copyright"] == "IPTC"


def test_digest_decides_between_iptc_and_xmp() -> None:
    block = iim((2, 90, b"IPTC City"), (2, 101, b"IPTC Country"))
    xmp = xmp_packet("<photoshop:City>XMP City</photoshop:City>")
    good = hashlib.md5(block).digest()
    in_sync = with_segments(
        jpeg_bytes(), app1_xmp(xmp), app13(resource(0x0404, block), resource(0x0425, good))
    )
    stale = with_segments(
        jpeg_bytes(), app1_xmp(xmp), app13(resource(0x0404, block), resource(0x0425, b"\0" * 16))
    )
    rec, _ = read_metadata(in_sync)
    assert rec.city == "XMP City" and rec.origins["city"] == "XMP"
    assert rec.country == "IPTC Country"  # XMP has no country: IPTC fills in
    rec, _ = read_metadata(stale)
    assert rec.city == "IPTC City" and rec.origins["city"] == "IPTC"
    assert rec.country == "IPTC Country"


def test_truncated_iptc_is_completed_from_xmp() -> None:
    full = "Photographer's Mate 3rd Class Alice Example"
    block = iim((2, 80, full.encode()[:32]), (2, 110, b"NASA, ESA and a very long credit "[:32]))
    xmp = xmp_packet(
        f"<dc:creator><rdf:Seq><rdf:li>{full}</rdf:li></rdf:Seq></dc:creator>"
        "<photoshop:Credit>NASA, ESA and a very long credit line</photoshop:Credit>"
    )
    stale = app13(resource(0x0404, block), resource(0x0425, b"\1" * 16))
    rec, _ = read_metadata(with_segments(jpeg_bytes(), app1_xmp(xmp), stale))
    assert rec.creator == (full,)
    assert rec.origins["creator"] == "XMP"
    assert rec.credit == "NASA, ESA and a very long credit line"


def test_location_shown_preferred_and_xmp_fields() -> None:
    xmp = xmp_packet(
        "<photoshop:City>Legacy</photoshop:City>"
        '<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<Iptc4xmpExt:City>Shown City</Iptc4xmpExt:City></rdf:li></rdf:Bag></Iptc4xmpExt:LocationShown>"
        "<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        "</Iptc4xmpExt:DigitalSourceType>"
        "<xmpRights:WebStatement>https://example.org/rights</xmpRights:WebStatement>"
        "<photoshop:DateCreated>2020-07-08T09:49:13-04:00</photoshop:DateCreated>"
        '<dc:description><rdf:Alt><rdf:li xml:lang="de">Bild</rdf:li>'
        '<rdf:li xml:lang="x-default">Picture</rdf:li></rdf:Alt></dc:description>'
    )
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app1_xmp(xmp)))
    assert errors == ()
    assert rec.city == "Shown City"
    assert rec.digital_source_type == "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    assert rec.web_statement == "https://example.org/rights"
    assert rec.date_created == "2020-07-08T09:49:13-04:00"
    assert rec.caption == "Picture"


def test_xmp_attribute_form_and_qualified_values() -> None:
    xmp = xmp_packet(
        "<dc:creator><rdf:Seq><rdf:li><rdf:Description>"
        "<rdf:value>Qualified Name</rdf:value><photoshop:Role>photographer</photoshop:Role>"
        "</rdf:Description></rdf:li></rdf:Seq></dc:creator>"
        '<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li Iptc4xmpExt:City="Attr City"/></rdf:Bag>'
        "</Iptc4xmpExt:LocationShown>"
    ).replace(b'rdf:about=""', b'rdf:about="" photoshop:Credit="Attr Credit"')
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app1_xmp(xmp)))
    assert errors == ()
    assert rec.credit == "Attr Credit"
    assert rec.creator == ("Qualified Name",)
    assert rec.city == "Attr City"


def test_xmp_other_language_only_is_not_the_caption() -> None:
    xmp = xmp_packet(
        '<dc:description><rdf:Alt><rdf:li xml:lang="de">Nur deutsch</rdf:li></rdf:Alt></dc:description>'
    )
    rec, _ = read_metadata(with_segments(jpeg_bytes(), app1_xmp(xmp)))
    assert rec.caption is None


# --- XMP safety -------------------------------------------------------------


def test_malformed_xmp_is_an_error_line() -> None:
    bad = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><broken</x:xmpmeta>'
    block = iim((2, 110, b"Reuters"))
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app1_xmp(bad), app13(resource(0x0404, block))))
    assert rec.credit == "Reuters"
    assert any(e.startswith("XMP: malformed packet") for e in errors)


def test_billion_laughs_xmp_is_refused() -> None:
    prolog = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    packet = xmp_packet("<photoshop:Credit>&lol3;</photoshop:Credit>", prolog=prolog)
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app1_xmp(packet)))
    assert rec.credit is None
    assert any(e.startswith("XMP: refused unsafe XML") for e in errors)


def test_external_entity_xmp_is_refused() -> None:
    prolog = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
    packet = xmp_packet("<photoshop:Credit>&ext;</photoshop:Credit>", prolog=prolog)
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app1_xmp(packet)))
    assert rec.credit is None
    assert any(e.startswith("XMP: refused unsafe XML") for e in errors)


def test_utf16_xmp_packet() -> None:
    packet = xmp_packet("<photoshop:Credit>Ünïcode Credit</photoshop:Credit>").decode().encode("utf-16-be")
    rec, errors = read_metadata(with_segments(jpeg_bytes(), app1_xmp(packet)))
    assert rec.credit == "Ünïcode Credit"
    assert errors == ()


# --- damaged and odd files --------------------------------------------------


def test_truncated_jpeg_without_scan_keeps_metadata() -> None:
    block = iim((2, 110, b"AP"), (2, 80, b"PAUL SANCYA"))
    data = b"\xff\xd8" + app13(resource(0x0404, block)) + b"\xff\xdb\x00\x43"  # cut inside a DQT
    with pytest.raises(OSError):
        Image.open(io.BytesIO(data)).load()
    rec, errors = read_metadata(data)
    assert rec.credit == "AP"
    assert rec.creator == ("PAUL SANCYA",)
    assert errors  # the damage is reported


def test_zero_byte_file() -> None:
    rec, errors = read_metadata(b"")
    assert rec == Provenance()
    assert errors == ("file: empty",)


def test_garbage_never_raises() -> None:
    block = iim((1, 90, b"\x1b%G"), (2, 110, b"AP"), (2, 55, b"20200102"), (2, 60, b"101112+0100"))
    xmp = xmp_packet("<photoshop:Credit>AP</photoshop:Credit>")
    good = with_segments(jpeg_bytes(), app1_exif(artist="A"), app1_xmp(xmp), app13(resource(0x0404, block)))
    for cut in range(0, min(len(good), 1400), 7):
        read_metadata(good[:cut])
        read_metadata(good[:cut] + b"\xff" * 3 + good[cut + 3 :])
    for blob in (
        b"\x89PNG\r\n\x1a\n\xff\xff\xff\xff",
        b"RIFF\xff\xff\xff\xffWEBP",
        b"\0\0\0\x18ftypheic\0\0\0\1",
    ):
        _, errors = read_metadata(blob)
        assert isinstance(errors, tuple)


def test_iptc_date_and_time_become_iso() -> None:
    block = iim((2, 55, b"20050929"), (2, 60, b"165100-0400"))
    rec, _ = read_metadata(with_segments(jpeg_bytes(), app13(resource(0x0404, block))))
    assert rec.date_created == "2005-09-29T16:51:00-04:00"
    assert iso_date("2004:06:21 23:37:53.06") == "2004-06-21T23:37:53.06"
    assert iso_date("0000:00:00 00:00:00") is None


# --- PNG --------------------------------------------------------------------


def test_png_itxt_xmp() -> None:
    packet = xmp_packet("<dc:creator><rdf:Seq><rdf:li>Phil Harvey</rdf:li></rdf:Seq></dc:creator>")
    itxt = b"XML:com.adobe.xmp\0\0\0\0\0" + packet
    rec, errors = read_metadata(png_with(png_chunk(b"iTXt", itxt)))
    assert rec.creator == ("Phil Harvey",)
    assert rec.origins["creator"] == "XMP"
    assert errors == ()


def test_png_compressed_itxt_and_raw_iptc_profile() -> None:
    packet = xmp_packet("<photoshop:Source>Chez moi</photoshop:Source>")
    itxt = b"XML:com.adobe.xmp\0\1\0\0\0" + zlib.compress(packet)
    raw = resource(0x0404, iim((2, 110, b"Spielberg")))
    profile = b"\niptc\n" + str(len(raw)).encode() + b"\n" + raw.hex().encode() + b"\n"
    ztxt = b"Raw profile type iptc\0\0" + zlib.compress(profile)
    rec, errors = read_metadata(png_with(png_chunk(b"iTXt", itxt), png_chunk(b"zTXt", ztxt)))
    assert rec.source == "Chez moi"
    assert rec.credit == "Spielberg"
    assert errors == ()


def test_png_text_bomb_is_refused() -> None:
    bomb = b"Raw profile type exif\0\0" + zlib.compress(b"0" * (17 * 1024 * 1024), 9)
    _rec, errors = read_metadata(png_with(png_chunk(b"zTXt", bomb)))
    assert any("expands beyond" in e for e in errors)


# --- C2PA -------------------------------------------------------------------


def jumbf_app11() -> bytes:
    """An APP11 segment holding the start of a C2PA JUMBF manifest store (no valid manifest)."""
    jumd = b"c2pa\x00\x11\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71" + b"\x03c2pa\0"
    jumd_box = (8 + len(jumd)).to_bytes(4, "big") + b"jumd" + jumd
    jumb = (8 + len(jumd_box)).to_bytes(4, "big") + b"jumb" + jumd_box
    return segment(0xEB, b"JP\x00\x01\x00\x00\x00\x01" + jumb)


def test_c2pa_absent_gives_none() -> None:
    rec, _ = read_metadata(jpeg_bytes())
    assert rec.c2pa is None


def test_c2pa_without_the_package_is_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.media import c2pa as c2pa_module

    monkeypatch.setattr(c2pa_module, "_context", lambda: None)
    rec, errors = read_metadata(with_segments(jpeg_bytes(), jumbf_app11()))
    assert rec.c2pa is not None
    assert rec.c2pa.validation_state == "not checked"
    assert errors == ()


def test_c2pa_broken_store_never_raises() -> None:
    rec, errors = read_metadata(with_segments(jpeg_bytes(), jumbf_app11()))
    assert rec.c2pa is None or rec.c2pa.validation_state in ("not checked", "Invalid")
    assert isinstance(errors, tuple)


# --- JSON -------------------------------------------------------------------


def test_json_record_has_stable_keys() -> None:
    block = iim((2, 80, b"A"), (2, 80, b"B"), (2, 110, b"AP"))
    rec, _ = read_metadata(with_segments(jpeg_bytes(), app13(resource(0x0404, block))))
    out = provenance_to_json(rec)
    assert tuple(out) == JSON_FIELDS
    assert out["creator"] == ["A", "B"]
    assert out["origins"] == {"creator": "IPTC", "credit": "IPTC"}


# --- ExifTool-written fixtures ----------------------------------------------

EXIFTOOL = shutil.which("exiftool")


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool is not installed")
def test_exiftool_written_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes((16, 16)))
    subprocess.run(
        [
            str(EXIFTOOL), "-q", "-overwrite_original", "-charset", "iptc=UTF8", "-codedcharacterset=utf8",
            "-IPTC:By-line=Jürgen Müller", "-IPTC:Credit=dpa", "-IPTC:City=Köln",
            "-XMP-photoshop:Credit=dpa picture alliance", "-XMP-dc:Creator=Jürgen Müller",
            "-EXIF:Copyright=© dpa", "-EXIF:DateTimeOriginal=2021:03:04 05:06:07",
            "-EXIF:SubSecTimeOriginal=25", "-EXIF:OffsetTimeOriginal=+01:00", str(path),
        ],
        check=True,
    )  # fmt: skip
    rec, errors = read_metadata(path.read_bytes())
    assert errors == ()
    assert rec.creator == ("Jürgen Müller",)
    assert rec.credit == "dpa picture alliance"
    assert rec.city == "Köln"
    assert rec.copyright == "© dpa"
    assert rec.date_created == "2021-03-04T05:06:07.25+01:00"


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool is not installed")
def test_exiftool_written_tiff_and_latin_iptc(tmp_path: Path) -> None:
    path = tmp_path / "photo.tif"
    Image.new("RGB", (4, 4)).save(path, "TIFF")
    subprocess.run(
        [str(EXIFTOOL), "-q", "-overwrite_original", "-charset", "iptc=Latin", "-IPTC:City=Göteborg",
         "-IPTC:CopyrightNotice=© 2004 Nobody", "-EXIF:ImageDescription=Porträtt", str(path)],
        check=True,
    )  # fmt: skip
    rec, errors = read_metadata(path.read_bytes())
    assert errors == ()
    assert rec.city == "Göteborg"
    assert rec.copyright == "© 2004 Nobody"
    assert rec.caption == "Porträtt"
