"""Bad input gives a finding or one clear line, never a traceback, and nothing outside the folder is read."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from conftest import FIXTURES
from PIL import Image

COFFEE = FIXTURES / "library" / "coffee.jpg"


def _md(folder: Path, *figures: str, name: str = "article.md") -> Path:
    body = ["Body text of the story, long enough to be a paragraph of its own."]
    for src in figures:
        body.append(f"![]({src})\n*A caption for {src}.*\nGetty Images")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n\n".join(body) + "\n", encoding="utf-8")
    return path


def _findings(run) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in run.json()["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


def _bomb_png() -> bytes:
    """A tiny PNG whose header claims 50,000 x 50,000 pixels."""
    buf = io.BytesIO()
    Image.new("L", (8, 8)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = 8 + 8  # signature, then length + type of IHDR
    data[ihdr:ihdr + 8] = struct.pack(">II", 50_000, 50_000)
    crc = zlib.crc32(bytes(data[ihdr - 4:ihdr + 13]))
    data[ihdr + 13:ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def test_broken_images_are_findings_not_crashes(cli, tmp_path) -> None:
    data = COFFEE.read_bytes()
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "half.jpg").write_bytes(data[: len(data) // 2])
    (tmp_path / "tenth.jpg").write_bytes(data[: len(data) // 10])
    (tmp_path / "text.png").write_text("not an image", encoding="utf-8")
    (tmp_path / "garbage.webp").write_bytes(os.urandom(2048))
    (tmp_path / "bomb.png").write_bytes(_bomb_png())
    _md(tmp_path, "empty.jpg", "half.jpg", "tenth.jpg", "text.png", "garbage.webp", "bomb.png")
    run = cli("check", "--format", "json", tmp_path)
    assert run.code == 1 and "Traceback" not in run.err
    unreadable = {f["images"][0]: f["message"] for f in _findings(run)["unreadable-image"]}
    assert set(unreadable) >= {"empty.jpg", "tenth.jpg", "text.png", "garbage.webp", "bomb.png"}
    assert "empty file" in unreadable["empty.jpg"]
    assert "decompression bomb" in unreadable["bomb.png"]
    for message in unreadable.values():
        assert "\n" not in message


def test_non_image_files_named_like_images(cli, tmp_path) -> None:
    (tmp_path / "folder.jpg").mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.jpg")
    _md(tmp_path)
    run = cli("check", "--format", "json", tmp_path)
    messages = {f["images"][0]: f["message"] for f in _findings(run)["unreadable-image"]}
    assert "folder" in messages["folder.jpg"]
    if hasattr(os, "mkfifo"):
        assert "not a regular file" in messages["pipe.jpg"]


def test_links_and_references_outside_the_folder_are_not_followed(cli, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(COFFEE, outside / "secret.jpg")
    (outside / "secret.md").write_text("![](secret.jpg)\n", encoding="utf-8")
    folder = tmp_path / "article"
    folder.mkdir()
    (folder / "linked.jpg").symlink_to(outside / "secret.jpg")
    (folder / "linked.md").symlink_to(outside / "secret.md")
    _md(folder, "../outside/secret.jpg", str(outside / "secret.jpg"), "linked.jpg")
    run = cli("check", "--format", "json", folder)
    found = _findings(run)
    missing = [f["message"] for f in found["missing-image"]]
    assert len(missing) == 2 and all("outside the checked folder" in m for m in missing)
    assert any("outside the checked folder" in f["message"] for f in found["unreadable-image"])
    assert any("linked.md" in e and "outside the checked folder" in e for e in run.json()["errors"])
    # nothing of the outside files made it into the report
    assert all(im["path"] != "secret.jpg" and not im["credit"] for im in run.json()["images"])
    assert "linked.md" in run.err


def test_unreadable_article_is_one_line_and_the_others_are_checked(cli, tmp_path) -> None:
    shutil.copy(COFFEE, tmp_path / "coffee.jpg")
    _md(tmp_path, "coffee.jpg", name="good.md")
    (tmp_path / "broken.md").symlink_to(tmp_path / "does-not-exist.md")
    run = cli("check", "--format", "json", tmp_path)
    report = run.json()
    assert [a["path"] for a in report["articles"]] == ["good.md"]
    assert len(report["errors"]) == 1 and "broken.md" in report["errors"][0]
    assert run.err.count("\n") == 1
    assert run.code == 1  # a file that could not be checked fails the gate


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("cp1252", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"")]
)
def test_article_encodings(cli, tmp_path, encoding: str, prefix: bytes) -> None:
    text = "Iran’s leader spoke in Göteborg — “quietly”.\nProtesters gather in Tehran’s main square on Friday\nGetty\n"
    (tmp_path / "article.txt").write_bytes(prefix + text.encode(encoding))
    report = cli("check", "--format", "json", tmp_path).json()
    article = report["articles"][0]
    assert article["figures"][0]["caption"] == "Protesters gather in Tehran’s main square on Friday"
    from provenance.articles import read_article
    from provenance.credits import CreditParser

    parsed = read_article(tmp_path / "article.txt", "article.txt", ".", CreditParser.default())
    assert parsed.body[0].text == "Iran’s leader spoke in Göteborg — “quietly”."


def test_invalid_utf8_article_reads_with_replacement(cli, tmp_path) -> None:
    (tmp_path / "article.md").write_bytes(b"Caf\xe9 \x81\x8d\x90 text\n\n![](x.jpg)\n*Caption here.*\nAP\n")
    run = cli("check", "--format", "json", tmp_path)
    assert run.code == 1 and run.json()["articles"][0]["figures"][0]["credit"] == "AP"
