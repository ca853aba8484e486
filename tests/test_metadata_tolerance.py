"""Tolerance of the metadata reader: files with a common flaw read as ExifTool reads them.

The fixtures under fixtures/metadata/ are made by fixtures/build_metadata.py (a clean file written
by ExifTool or Pillow, then damaged the way the class describes); expected.json is ExifTool's
reading of each, compared here with the benchmark's own normalisation.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from types import ModuleType
from typing import Any

import pytest
from conftest import FIXTURES, ROOT

from provenance.media.metadata import read_metadata

DIR = FIXTURES / "metadata"
EXPECTED: dict[str, Any] = json.loads((DIR / "expected.json").read_text(encoding="utf-8"))


def _benchmark() -> ModuleType:
    path = ROOT / "benchmarks" / "metadata_agreement.py"
    spec = importlib.util.spec_from_file_location("metadata_agreement", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BENCH = _benchmark()


def read(name: str) -> tuple[Any, tuple[str, ...]]:
    return read_metadata((DIR / name).read_bytes())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reads_as_exiftool_reads_it(name: str) -> None:
    got, _js = BENCH.ours((DIR / name).read_bytes())
    assert got == BENCH.reference(EXPECTED[name])


# --- JPEG -------------------------------------------------------------------------


def test_jpeg_junk_with_ff00_between_segments_keeps_later_segments() -> None:
    rec, _errors = read("jpeg-junk-ff00-after-app1.jpg")
    assert rec.credit == "Stringer Press"
    assert rec.headline == "Flood in Brno"
    assert rec.city == "Brno"
    assert rec.caption == "Water in the streets of Brno."
    assert rec.creator == ("Jana Nováková",)



def test_jpeg_exif_with_garbage_before_its_identifier() -> None:
    rec, _errors = read("exif-garbage-before-header.jpg")
    assert rec.creator == ("Ion Popescu",)
    assert rec.caption == "Rocket on the pad."


def test_jpeg_exif_split_over_two_app1_segments() -> None:
    rec, errors = read("exif-split-over-two-segments.jpg")
    assert rec.creator == ("Ion Popescu",)
    assert rec.copyright == "© Ion Popescu"
    assert rec.caption == "Camera."
    assert errors == ()


# --- XMP --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["xmp-stray-element.jpg", "xmp-stray-element.png"])
def test_xmp_with_a_stray_element_after_rdf_is_read(name: str) -> None:
    rec, errors = read(name)
    assert rec.creator == ("Ana Lima",)
    assert rec.credit == "Atlântico Foto"
    assert rec.caption == "Fishing boats at Nazaré."
    assert rec.date_created == "2023-09-10T17:45:00"
    assert dict(rec.origins)["credit"] == "XMP"
    assert any(e.startswith("XMP: malformed packet") and "read as far as it is well formed" in e for e in errors)


@pytest.mark.parametrize("name", ["xmp-junk-after-xmpmeta.jpg", "xmp-junk-after-xmpmeta.png"])
def test_xmp_with_junk_after_xmpmeta_is_read_without_complaint(name: str) -> None:
    rec, errors = read(name)
    assert rec.city == "Nazaré"
    assert rec.creator == ("Ana Lima",)
    assert errors == ()


def test_xmp_with_junk_before_the_packet_is_read() -> None:
    rec, errors = read("xmp-junk-before-packet.jpg")
    assert rec.credit == "Atlântico Foto"
    assert errors == ()


def test_xmp_with_a_bare_ampersand_keeps_it() -> None:
    rec, _errors = read("xmp-bare-ampersand.jpg")
    assert rec.credit == "Atlântico & Filhos"
    assert rec.city == "Nazaré"


def test_xmp_standard_prefix_without_its_declaration_is_read() -> None:
    rec, errors = read("xmp-undeclared-prefix.jpg")
    assert rec.credit == "Atlântico Foto"
    assert rec.date_created == "2023-09-10T17:45:00"
    assert any("unbound prefix" in e for e in errors)


def test_xmp_cut_short_is_not_guessed_at() -> None:
    rec, errors = read("xmp-cut-short.jpg")
    assert rec.creator == () and rec.credit is None and rec.caption is None
    assert any(e.startswith("XMP: malformed packet") for e in errors)


def test_xmp_under_a_nonstandard_app1_header_is_read() -> None:
    rec, _errors = read("xmp-nonstandard-header.jpg")
    assert rec.credit == "Atlântico Foto"
    assert rec.creator == ("Ana Lima",)


def test_recovery_never_reads_a_packet_with_declarations() -> None:
    from provenance.media.xmp import parse_packet

    packet = (
        b'<!DOCTYPE x [<!ENTITY e "boom">]><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
        b' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="&e;"/></rdf:RDF>'
        b"<stray></x:xmpmeta>"
    )
    props, errors = parse_packet(packet)
    assert props is None
    assert errors and errors[0].startswith("XMP: ")


# --- repeated values ----------------------------------------------------------------


def test_xmp_property_given_twice_has_the_last_value() -> None:
    rec, _errors = read("xmp-repeated.jpg")
    assert rec.date_created == "2023-09-11"
    assert rec.credit == "Atlântico Foto / Pool"
    assert rec.creator == ("Ana Lima",)  # a list property keeps its items


def test_iptc_dataset_given_twice_has_the_last_value_unless_it_is_a_list() -> None:
    rec, _errors = read("iptc-repeated.jpg")
    assert rec.credit == "Stringer Press / Pool"
    assert rec.headline == "Launch delayed"
    assert rec.date_created == "2024-03-06"
    assert rec.creator == ("Jana Nováková", "Petr Svoboda")


def test_two_exif_segments_the_later_wins_but_the_first_description_stays() -> None:
    rec, _errors = read("exif-two-segments.jpg")
    assert rec.creator == ("Desk Editor",)
    assert rec.caption == "A cat on a chair."
    assert rec.copyright == "© Ion Popescu"


def test_two_xmp_packets_the_later_wins_property_by_property() -> None:
    rec, _errors = read("xmp-two-segments.jpg")
    assert rec.credit == "Pool"
    assert rec.city == "Nazaré"


def test_iptc_under_another_esc_percent_coding_reads_as_utf8() -> None:
    rec, _errors = read("iptc-other-utf8-escape.jpg")
    assert rec.creator == ("Zoë Müller",)
    assert rec.city == "Göteborg"


# --- EXIF outside IFD0 ----------------------------------------------------------------


def test_multipage_tiff_credit_on_later_pages() -> None:
    rec, _errors = read("exif-later-ifds.tif")
    assert rec.creator == ("Mirela Pop",)  # only IFD1 has an Artist
    assert rec.copyright == "© Arhiva Pop 2024"  # IFD2's Copyright outranks IFD1's, as in ExifTool
    assert dict(rec.origins) == {"creator": "EXIF", "copyright": "EXIF"}


def test_exif_only_in_ifd1_of_a_jpeg() -> None:
    rec, _errors = read("exif-ifd1-only.jpg")
    assert rec.creator == ("Mirela Pop",)
    assert rec.copyright == "© Arhiva Pop"
    assert rec.caption == "Coffee at the archive."
    assert rec.date_created == "2022-01-02T03:04:05"


def test_image_description_in_the_exif_sub_ifd() -> None:
    rec, _errors = read("exif-description-in-exif-ifd.jpg")
    assert rec.caption == "Market day in Cluj."
    assert rec.date_created == "2022-05-06T07:08:09"


def test_ifd0_values_win_over_ifd1_and_first_description_wins() -> None:
    from PIL import Image

    from provenance.media.exif import parse_exif

    exif = Image.Exif()
    exif[0x013B] = "Main Artist"
    exif[0x010E] = "Main caption"
    exif.get_ifd(0x8769)[0x010E] = "Sub-IFD caption"
    fields, errors = parse_exif(exif.tobytes())
    assert errors == []
    assert fields is not None
    assert fields.artist == "Main Artist"
    assert fields.image_description == "Main caption"


@pytest.mark.parametrize("name", ["exif-bad-offset.jpg", "exif-count-past-end.jpg"])
def test_exif_value_running_past_the_end_loses_only_that_value(name: str) -> None:
    rec, _errors = read(name)
    assert rec.creator == ("Ion Popescu",)
    assert rec.copyright == "© Ion Popescu"
    assert rec.date_created == "2021-06-07T08:09:10"
    assert rec.caption is None  # ExifTool skips the broken ImageDescription too


def test_exif_damage_pillow_cannot_read_is_read_by_exifread(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.media import exif

    monkeypatch.setattr(exif, "_exifread_fields", lambda block: None)
    rec, _errors = read("exif-bad-offset.jpg")
    assert rec.creator == ()  # Pillow alone loses every tag of the IFD


# --- PNG text ------------------------------------------------------------------------


def test_imagemagick_raw_profiles_carry_exif_iptc_and_xmp() -> None:
    rec, errors = read("png-raw-profiles.png")
    assert errors == ()
    assert rec.creator == ("Jana Nováková",)  # EXIF profile
    assert rec.headline == "Flood in Brno"  # IPTC profile (a Photoshop resource block)
    assert rec.caption == "Water in the streets of Brno."  # XMP profile
    assert dict(rec.origins)["creator"] == "EXIF"


def test_raw_profile_with_a_blank_after_its_length_is_not_read() -> None:
    rec, errors = read("png-raw-profiles-trailing-blank.png")
    assert rec.creator == () and rec.credit is None and rec.caption is None
    assert any("is not a raw profile ExifTool would read" in e for e in errors)


def test_png_comment_is_never_the_caption_and_xmp_outranks_description() -> None:
    rec, _errors = read("png-comment-only.png")
    assert rec.caption is None
    rec, _errors = read("png-comment-and-description.png")
    assert rec.caption == "A cup of coffee on a desk."
    assert dict(rec.origins)["caption"] == "XMP"


def test_png_text_given_twice_has_the_last_value() -> None:
    rec, _errors = read("png-repeated-text.png")
    assert rec.caption == "A cup of coffee, edited."
    assert rec.creator == ("Zoë Editor",)
    assert dict(rec.origins)["caption"] == "PNG"


# --- HEIC ----------------------------------------------------------------------------


def test_heic_exif_item_without_its_header_offset() -> None:
    rec, _errors = read("heic-exif-without-header-offset.heic")
    assert rec.creator == ("Zoe Muller",)
    assert rec.date_created == "2023-04-05T06:07:08+02:00"
