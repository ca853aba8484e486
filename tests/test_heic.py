"""HEIC/HEIF photos (iPhones) are decoded and hashed through pillow-heif; a HEIC copy of a JPEG is the same photo."""

from __future__ import annotations

from conftest import FIXTURES

from provenance.media import reader

HEIC = FIXTURES / "rules" / "reused-photo" / "bad-heic"


def test_heic_is_decoded_with_its_metadata(cli) -> None:
    run = cli("inspect", "--format", "json", HEIC / "coffee.heic")
    assert run.code == 0
    (record,) = run.json()["images"]
    assert record["format"] == "HEIF" and (record["width"], record["height"]) == (320, 213)
    assert record["errors"] == [] and record["hashes"]["phash"]
    assert record["credit"] == "Getty Images" and record["origins"]["credit"] == "XMP"
    text = cli("inspect", HEIC / "coffee.heic").out
    assert "320 x 213" in text or "320x213" in text


def test_a_heic_copy_of_a_jpeg_is_the_same_photo(cli) -> None:
    report = cli("check", "--format", "json", "--no-cache", HEIC).json()
    (reused,) = [f for f in report["findings"] if f["rule"] == "reused-photo"]
    assert sorted(reused["images"]) == ["coffee.heic", "coffee.jpg"]
    assert not [f for f in report["findings"] if f["rule"] == "unreadable-image"]


def test_without_a_heif_decoder_the_error_names_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(reader, "HEIF_DECODER", False)
    monkeypatch.setattr(reader, "DECODABLE_FORMATS", tuple(f for f in reader.DECODABLE_FORMATS if f != "HEIF"))
    record = reader.read_image(HEIC / "coffee.heic", "coffee.heic", "x")
    assert not record.readable and record.metadata.credit == "Getty Images"
    (error,) = record.errors
    assert "pillow-heif" in error and "pip install" in error
