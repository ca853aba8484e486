"""`provenance archive kill`: killed photos are errors when used again, also as edited copies."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from PIL import Image, ImageOps

LIBRARY = FIXTURES / "library"
ARTICLE = """---
title: Harbour cats
date: 2026-01-05
---

![A cat on a window sill]({image})
*A cat rests on the sill of the harbour master's office.*
Reuters
"""


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder, with `killed/cat.jpg` (the photo to kill) and three articles: `same/` (the same
    file), `mirrored/` (a mirrored, recompressed copy) and `other/` (another photo)."""
    (tmp_path / "killed").mkdir()
    shutil.copy(LIBRARY / "chelsea.jpg", tmp_path / "killed" / "cat.jpg")
    for name in ("same", "mirrored", "other"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "article.md").write_text(ARTICLE.format(image="photo.jpg"), encoding="utf-8")
    shutil.copy(LIBRARY / "chelsea.jpg", tmp_path / "same" / "photo.jpg")
    with Image.open(LIBRARY / "chelsea.jpg") as im:
        ImageOps.mirror(im.convert("RGB")).save(tmp_path / "mirrored" / "photo.jpg", "JPEG", quality=80)
    shutil.copy(LIBRARY / "rocket.jpg", tmp_path / "other" / "photo.jpg")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _killed(run) -> list[dict[str, object]]:
    return [f for f in run.json()["findings"] if f["rule"] == "killed-photo"]


def test_a_killed_photo_is_an_error_when_used_again(cli, desk: Path) -> None:
    assert cli("check", "same").code == 0  # no archive: nothing known of the kill
    run = cli("archive", "kill", "killed/cat.jpg", "--reason", "manipulated: agency kill advisory")
    assert run.code == 0, run.err
    assert run.out == "killed/cat.jpg: killed in .provenance/archive.sqlite (manipulated: agency kill advisory)\n"
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    for name, how in (("same", "the same file (byte-identical)"), ("mirrored", "mirrored")):
        run = cli("check", "--format", "json", name)  # the default archive of the current folder
        assert run.code == 1, run.err
        [finding] = _killed(run)
        assert finding["severity"] == "error" and finding["images"] == ["photo.jpg"]
        assert f'killed on {today}: "manipulated: agency kill advisory"' in finding["message"], finding["message"]
        assert how in finding["message"] and "killed/cat.jpg" in finding["message"]
    run = cli("check", "--format", "json", "other")
    assert run.code == 0 and _killed(run) == []
    assert cli("check", "--ignore", "killed-photo", "mirrored").code == 0


def test_killing_again_replaces_the_reason(cli, desk: Path) -> None:
    assert cli("archive", "kill", "killed/cat.jpg", "--reason", "first\x1b[31m\x07 one").code == 0
    [finding] = _killed(cli("check", "--format", "json", "same"))
    assert '"first [31m one"' in finding["message"]  # no control character from the input in the output
    assert cli("archive", "kill", "killed/cat.jpg", "--reason", "second reason").code == 0
    [finding] = _killed(cli("check", "--format", "json", "same"))
    assert '"second reason"' in finding["message"] and "first" not in finding["message"]


def test_archive_search_shows_the_kill(cli, desk: Path) -> None:
    assert cli("archive", "add", "other", "--url", "https://example.com/cats").code == 0
    assert cli("archive", "kill", "killed/cat.jpg", "--reason", "wrong caption").code == 0
    text = cli("archive", "search", "mirrored/photo.jpg")
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert lines[0] == "mirrored/photo.jpg"
    assert lines[1].startswith("  KILLED on ") and "wrong caption" in lines[1] and "mirrored" in lines[1]
    document = cli("archive", "search", "--format", "json", "mirrored/photo.jpg", "other/photo.jpg").json()
    assert document["holds_kill_notices"] is True
    mirrored, other = document["images"]
    [notice] = mirrored["killed"]
    assert set(notice) == {"reason", "killed", "image", "sha256", "similarity", "score", "how"}
    assert (notice["reason"], notice["image"], notice["how"]) == ("wrong caption", "killed/cat.jpg", ["mirrored"])
    assert other["killed"] == [] and other["matches"][0]["article"] == "https://example.com/cats"


def test_kill_needs_a_reason_and_files(cli, desk: Path) -> None:
    run = cli("archive", "kill", "killed/cat.jpg", "--reason", "   ")
    assert run.code == 2 and "--reason" in run.err
    run = cli("archive", "kill", "killed/absent.jpg", "--reason", "x")
    assert run.code == 2 and "killed/absent.jpg: not a file" in run.err
    assert not (desk / ".provenance" / "archive.sqlite").exists()
    (desk / "notes.sqlite").write_text("not a database", encoding="utf-8")
    run = cli("archive", "kill", "--archive", "notes.sqlite", "killed/cat.jpg", "--reason", "x")
    assert run.code == 2 and run.err.count("\n") == 1 and "notes.sqlite" in run.err
    assert (desk / "notes.sqlite").read_text(encoding="utf-8") == "not a database"


def test_an_unreadable_file_is_killed_by_its_content(cli, desk: Path) -> None:
    shutil.copy(LIBRARY / "truncated.jpg", desk / "killed" / "broken.jpg")
    run = cli("archive", "kill", "killed/broken.jpg", "--reason", "broken")
    assert run.code == 1 and "recorded by its content only" in run.err


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="the Parquet archive needs pyarrow")
def test_a_parquet_archive_says_it_holds_no_kill_notices(cli, desk: Path) -> None:
    assert cli("archive", "build", "other", "--out", "pq").code == 0
    run = cli("archive", "kill", "--archive", "pq", "killed/cat.jpg", "--reason", "x")
    assert run.code == 2 and "a Parquet archive holds no kill notices" in run.err
    run = cli("check", "--archive", "pq", "same")
    assert run.code == 0 and "holds no kill notices" in run.err
    search = cli("archive", "search", "--archive", "pq", "--format", "json", "same/photo.jpg")
    assert search.code == 0 and "holds no kill notices" in search.err
    assert search.json()["holds_kill_notices"] is False


def test_a_kill_advisory_in_the_metadata_is_an_error(cli, tmp_path: Path) -> None:
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool writes the advisory")
    import subprocess

    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "article.md").write_text(ARTICLE.format(image="photo.jpg"), encoding="utf-8")
    shutil.copy(LIBRARY / "chelsea.jpg", folder / "photo.jpg")
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-IPTC:SpecialInstructions=MANDATORY KILL. "
                    "This photo has been withdrawn", str(folder / "photo.jpg")], check=True)
    run = cli("check", "--format", "json", folder)
    [finding] = _killed(run)
    assert run.code == 1 and 'kill advisory: "MANDATORY KILL"' in finding["message"]
