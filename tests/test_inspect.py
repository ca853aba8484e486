"""`provenance inspect`: each image's provenance record, as text or as the check report's JSON record."""

from __future__ import annotations

import datetime
import importlib.util
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

LIBRARY = FIXTURES / "library"
AI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"

needs_c2pa = pytest.mark.skipif(
    importlib.util.find_spec("c2pa") is None,
    reason="c2pa-python is not installed: content credentials read as not checked",
)


def inspect_json(cli, *images: Path, code: int = 0) -> list[dict]:
    run = cli("inspect", "--format", "json", *images)
    assert run.code == code, run.err
    assert run.err == ""
    report = run.json()
    assert list(report) == ["images"]
    assert len(report["images"]) == len(images)
    return report["images"]


def test_record_is_the_check_reports_image_record(cli) -> None:
    folder = FIXTURES / "rules" / "undisclosed-ai-image" / "bad-md"
    check = cli("check", "--format", "json", "--fail-on", "never", folder)
    assert check.code == 0, check.err
    (checked,) = check.json()["images"]
    (inspected,) = inspect_json(cli, folder / "skyline.jpg")
    assert list(inspected) == list(checked)
    assert inspected == checked


@pytest.mark.parametrize(
    ("name", "credit", "creator", "copyright_", "source", "caption", "date"),
    [
        ("coffee.jpg", "Getty Images", ["Rachel Michetti"], "2024 Getty Images", "Getty Images",
         "A cup of coffee on a cafe counter.", "2024-07-31T10:15:00"),
        ("rocket.jpg", "AP", ["Sam Lee"], "2024 AP", "AP", "A rocket lifts off during a test launch.",
         "2024-07-31T10:15:00"),
        ("rocket-2019.jpg", "AP", ["Sam Lee"], "2024 AP", "AP", "A rocket lifts off during a test launch.",
         "2019-03-12T08:30:00"),
        ("skyline-ai.jpg", "Jane Doe", ["Jane Doe"], "2024 Jane Doe", "Jane Doe", "Harbour skyline at dusk.",
         "2024-07-31T10:15:00"),
    ],
)
def test_values_written_by_exiftool(cli, name, credit, creator, copyright_, source, caption, date) -> None:
    (record,) = inspect_json(cli, LIBRARY / name)
    assert record["path"] == name
    assert record["format"] == "JPEG"
    assert record["width"] == 320 or record["height"] == 320
    assert record["size"] == (LIBRARY / name).stat().st_size
    assert (record["credit"], record["creator"], record["copyright"], record["source"], record["caption"]) == (
        credit, creator, copyright_, source, caption)
    assert record["date_created"] == date
    datetime.datetime.fromisoformat(record["date_created"])  # ISO 8601
    for field in ("credit", "creator", "copyright", "source", "caption", "date_created"):
        assert record["origins"][field] in ("EXIF", "IPTC", "XMP"), field
    assert record["c2pa"] is None
    assert record["hashes"]["phash"] and record["hashes"]["dhash"]
    assert record["errors"] == []
    if name == "skyline-ai.jpg":
        assert record["digital_source_type"] == AI
        assert record["origins"]["digital_source_type"] == "XMP"
    else:
        assert record["digital_source_type"] is None
        assert "digital_source_type" not in record["origins"]


def test_several_images_in_order(cli) -> None:
    records = inspect_json(cli, LIBRARY / "rocket.jpg", LIBRARY / "coffee.jpg")
    assert [r["path"] for r in records] == ["rocket.jpg", "coffee.jpg"]


def test_text_prints_the_values(cli) -> None:
    run = cli("inspect", LIBRARY / "skyline-ai.jpg")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].endswith("skyline-ai.jpg")
    for value in ("Jane Doe", "2024 Jane Doe", "Harbour skyline at dusk.", "2024-07-31T10:15:00", AI, "JPEG"):
        assert value in run.out, value
    assert "Traceback" not in run.out + run.err


def test_missing_file_exits_2_with_one_line(cli, tmp_path: Path) -> None:
    run = cli("inspect", tmp_path / "absent.jpg")
    assert run.code == 2
    assert run.out == ""
    assert len(run.err.strip().splitlines()) == 1
    assert "absent.jpg" in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize("name", ["truncated.jpg", "empty.jpg", "notes.png"])
def test_unreadable_file_is_a_record_with_an_error(cli, name: str, tmp_path: Path) -> None:
    (record,) = inspect_json(cli, LIBRARY / name, code=1)  # a file that could not be read exits 1
    assert record["path"] == name
    assert len(record["errors"]) >= 1
    assert all(isinstance(e, str) and "\n" not in e and "Traceback" not in e for e in record["errors"])
    assert record["hashes"] is None
    text = cli("inspect", LIBRARY / name)
    assert text.code == 1, text.err
    assert "error" in text.out and record["errors"][0] in text.out
    assert "Traceback" not in text.out + text.err


def test_truncated_file_keeps_its_metadata(cli) -> None:
    (record,) = inspect_json(cli, LIBRARY / "truncated.jpg", code=1)
    assert record["credit"] == "AP" and record["caption"] == "A rocket lifts off during a test launch."
    assert any("truncated" in e for e in record["errors"])


def test_empty_file(cli) -> None:
    (record,) = inspect_json(cli, LIBRARY / "empty.jpg", code=1)
    assert record["size"] == 0 and record["format"] is None
    assert record["errors"] == ["empty file (0 bytes)"]


@needs_c2pa
def test_signed_file_validates(cli) -> None:
    (record,) = inspect_json(cli, LIBRARY / "signed.jpg")
    c2pa = record["c2pa"]
    assert c2pa["validation_state"] == "Valid"
    assert c2pa["claim_generator"].startswith("provenance-fixtures")
    assert c2pa["actions"] == [{"action": "c2pa.created", "digitalSourceType": CAPTURE}]
    assert not any("dataHash" in e for e in c2pa["errors"])
    assert record["digital_source_type"] == CAPTURE
    assert record["origins"]["digital_source_type"] == "C2PA"
    assert record["credit"] == "Getty Images"
    assert record["errors"] == []


@needs_c2pa
def test_file_changed_after_signing_is_invalid(cli) -> None:
    (record,) = inspect_json(cli, LIBRARY / "signed-tampered.jpg")
    c2pa = record["c2pa"]
    assert c2pa["validation_state"] == "Invalid"
    assert any("assertion.dataHash.mismatch" in e for e in c2pa["errors"])
    assert record["credit"] == "Getty Images"
    assert record["hashes"] is not None  # the pixels still decode: only the credentials are broken
    assert record["errors"] == []


def test_copied_file_reads_the_same(cli, tmp_path: Path) -> None:
    copy = tmp_path / "copy.jpg"
    shutil.copyfile(LIBRARY / "coffee.jpg", copy)
    (original,) = inspect_json(cli, LIBRARY / "coffee.jpg")
    (copied,) = inspect_json(cli, copy)
    for record in (original, copied):
        record.pop("path")
        record.pop("root")
    assert copied == original


def test_text_shows_camera_gps_keywords_and_hashes_only_when_asked(cli, tmp_path: Path) -> None:
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool is not installed")
    import subprocess

    photo = tmp_path / "gps.jpg"
    shutil.copy(LIBRARY / "rocket.jpg", photo)
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-Make=Canon", "-Model=EOS R5", "-GPSLatitude=51.5",
                    "-GPSLatitudeRef=S", "-GPSLongitude=0.1275", "-GPSLongitudeRef=W", "-Keywords=harbour",
                    "-Keywords=fire", "-XMP-dc:Subject=harbour", "-XMP-dc:Subject=fire", str(photo)], check=True)
    (record,) = inspect_json(cli, photo)
    assert (record["camera_make"], record["camera_model"]) == ("Canon", "EOS R5")
    assert record["gps"] == [-51.5, -0.1275] and record["keywords"] == ["harbour", "fire"]
    run = cli("inspect", photo)
    assert run.code == 0
    lines = {line.split(None, 1)[0] if not line.startswith("  ") else line[2:22].strip(): line[23:]
             for line in run.out.splitlines()[1:]}
    assert lines["file"] == "JPEG, 320 x 214 pixels, " + f"{photo.stat().st_size} bytes"
    assert lines["camera make"] == "Canon" and lines["camera model"] == "EOS R5"
    assert lines["GPS position"] == "-51.500000, -0.127500" and lines["keywords"] == "harbour; fire"
    assert "sha256" not in lines and not any(k.startswith("hash ") for k in lines)
    assert len(run.out) < 1000
    hashed = cli("inspect", "--hashes", photo).out
    assert record["sha256"] in hashed and record["hashes"]["phash"] in hashed


def test_a_folder_lists_every_image_and_an_unreadable_one_exits_1(cli, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(LIBRARY / "coffee.jpg", tmp_path / "coffee.jpg")
    shutil.copy(LIBRARY / "rocket.jpg", tmp_path / "sub" / "rocket.jpg")
    run = cli("inspect", "--format", "json", tmp_path)
    assert run.code == 0
    assert [im["path"] for im in run.json()["images"]] == ["coffee.jpg", "sub/rocket.jpg"]
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not a photo")
    run = cli("inspect", tmp_path)
    assert run.code == 1 and "broken.jpg" in run.out and "error" in run.out
    empty = tmp_path / "nothing"
    empty.mkdir()
    assert cli("inspect", empty).code == 2


def test_control_characters_of_a_file_are_escaped_in_text() -> None:
    from provenance.inspect_cli import render_text
    from provenance.media.files import unreadable_record
    from provenance.report.json import image_dict

    record = image_dict(unreadable_record("a\x1b[2J.jpg", ".", "cannot read"))
    record["credit"] = "Getty\x1b[31m Images\nsecond line"
    out = render_text(record)
    assert "\x1b" not in out and "\\x1b[31m" in out and len(out.splitlines()) == 4


def test_every_field_the_record_holds_is_shown_rights_fields_included() -> None:
    from provenance.inspect_cli import render_text
    from provenance.media.files import unreadable_record
    from provenance.report.json import image_dict

    record = image_dict(unreadable_record("a.jpg", ".", "cannot read"))
    record["instructions"] = "Embargoed until 1 August, 10:00 UTC"  # fields a newer record may carry
    record["usage_terms"] = "Editorial use only"
    out = render_text(record)
    assert "  instructions         Embargoed until 1 August, 10:00 UTC" in out
    assert "  usage terms          Editorial use only" in out


def test_each_file_is_held_to_the_file_budget(cli, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (3000, 3000), (90, 120, 150)).save(tmp_path / "large.jpg", quality=80)
    run = cli("inspect", "--format", "json", "--file-memory", "1", tmp_path / "large.jpg")
    [record] = run.json()["images"]
    assert run.code == 1 and record["errors"] == [
        "needed more than the 1 MB memory budget (--file-memory); not read"]
    again = cli("inspect", "--format", "json", tmp_path)
    assert again.code == 0 and again.json()["images"][0]["width"] == 3000
