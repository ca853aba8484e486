"""The photo archive: archive add/search, the previously-published rule, durability and concurrency."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, ROOT
from PIL import Image

from provenance.archive import Archive, ArchivedPhoto, HashVersionError, index_path
from provenance.media.index import PHASH_CANDIDATE
from provenance.media.similarity import compute_hashes
from provenance.model import Hashes

REUSED = FIXTURES / "rules" / "reused-photo"
ARCHIVE = Path(".provenance") / "archive.sqlite"

NEW_ARTICLE = """---
title: Ferry timetable
date: 2024-09-10
---

The ferry company published its winter timetable on Monday.

![]({image})
*{caption}*
Getty Images
"""


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A newsroom folder (the current folder): `harbour/` (coffee.jpg, chelsea.jpg), published on
    2024-08-01, and `ferry/`, a new article showing coffee-small.jpg, a resized copy of coffee.jpg."""
    shutil.copytree(REUSED / "clean-md", tmp_path / "harbour")
    _article(tmp_path / "ferry", "Morning coffee at the ferry terminal.")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _article(folder: Path, caption: str) -> Path:
    folder.mkdir()
    shutil.copy(REUSED / "bad-md" / "coffee-small.jpg", folder / "coffee-small.jpg")
    path = folder / "article.md"
    path.write_text(NEW_ARTICLE.format(image="coffee-small.jpg", caption=caption), encoding="utf-8")
    return path


def _rows(path: Path = ARCHIVE) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT article, path, title, published, figure, caption, credit, image, sha256, "
                            "version, phash, phash_mirror, patches, local_head, local, hashes FROM photos "
                            "ORDER BY article, figure").fetchall()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_add_records_every_figure(cli, desk) -> None:
    run = cli("archive", "add", "harbour", "--url", "https://example.com/harbour")
    assert run.code == 0, run.err
    assert "https://example.com/harbour: recorded 2 photos" in run.out
    with Archive(ARCHIVE) as archive:
        photos = archive.photos()
    assert [(p.article, p.path, p.title, p.published, p.figure, p.image, p.credit) for p in photos] == [
        ("https://example.com/harbour", "harbour/article.md", "Harbour bridge", "2024-08-01", 0,
         "harbour/coffee.jpg", "Getty Images"),
        ("https://example.com/harbour", "harbour/article.md", "Harbour bridge", "2024-08-01", 1,
         "harbour/chelsea.jpg", "Reuters"),
    ]
    assert photos[0].caption == "A cup of coffee on the counter of a harbour cafe on Tuesday."
    # Every hash value comes back as it was computed.
    image = Image.open(desk / "harbour" / "coffee.jpg")
    assert dict(photos[0].hashes.values) == dict(compute_hashes(image).values)


def test_add_without_url_keys_by_path_and_takes_published(cli, desk) -> None:
    assert cli("archive", "add", "ferry/article.md", "--published", "2024-09-11").code == 0
    with Archive(ARCHIVE) as archive:
        [photo] = archive.photos()
    assert (photo.article, photo.path, photo.published) == ("ferry/article.md", "ferry/article.md", "2024-09-11")


def test_url_needs_one_article(cli, desk) -> None:
    run = cli("archive", "add", "harbour", "ferry", "--url", "https://example.com/x")
    assert run.code == 2 and "--url names one article" in run.err
    assert not ARCHIVE.exists()


def test_previously_published_names_the_earlier_article(cli, desk) -> None:
    assert cli("archive", "add", "harbour", "--url", "https://example.com/harbour").code == 0
    run = cli("check", "--format", "json", "--archive", ARCHIVE, "ferry")
    [finding] = [f for f in run.json()["findings"] if f["rule"] == "previously-published"]
    assert finding["code"] == "PV013" and finding["severity"] == "warning"
    assert finding["images"] == ["coffee-small.jpg"] and finding["line"] == 8
    message = finding["message"]
    assert "https://example.com/harbour on 2024-08-01" in message
    assert '"A cup of coffee on the counter of a harbour cafe on Tuesday."' in message
    assert "near-identical (phash distance" in message


def test_the_default_archive_is_used_when_it_exists(cli, desk) -> None:
    run = cli("check", "--format", "json", "ferry")
    assert run.code == 0 and "previously-published" not in run.rules() and not run.json()["errors"]
    assert cli("archive", "add", "harbour").code == 0 and ARCHIVE.is_file()
    assert "previously-published" in cli("check", "--format", "json", "ferry").rules()


def test_the_configured_archive_is_used(cli, desk) -> None:
    (desk / "provenance.toml").write_text('archive = "photos.sqlite"\n', encoding="utf-8")
    assert cli("archive", "add", "harbour").code == 0
    assert (desk / "photos.sqlite").is_file() and not ARCHIVE.exists()
    assert "previously-published" in cli("check", "--format", "json", "ferry").rules()
    assert cli("archive", "search", "ferry/coffee-small.jpg", "--format", "json").json()["images"][0]["matches"]


def test_an_archive_label_makes_it_a_note(cli, desk) -> None:
    assert cli("archive", "add", "harbour").code == 0
    _article(desk / "labelled", "FILE PHOTO: Morning coffee at the ferry terminal.")
    run = cli("check", "--format", "json", "--archive", ARCHIVE, "labelled")
    [finding] = [f for f in run.json()["findings"] if f["rule"] == "previously-published"]
    assert finding["severity"] == "note"
    assert finding["message"].endswith("the caption labels it as an archive photo")


def test_an_article_never_matches_itself(cli, desk) -> None:
    assert cli("archive", "add", "harbour").code == 0
    assert "previously-published" not in cli("check", "--format", "json", "--archive", ARCHIVE, "harbour").rules()
    # Recorded under its URL, it is still itself: the archive row came from the same path.
    assert cli("archive", "add", "harbour", "--url", "https://example.com/harbour").code == 0
    run = cli("check", "--format", "json", "--archive", ARCHIVE, "harbour/article.md")
    assert "previously-published" not in run.rules()


def test_add_is_idempotent(cli, desk) -> None:
    assert cli("archive", "add", "harbour", "ferry").code == 0
    first = _rows()
    assert cli("archive", "add", "harbour", "ferry").code == 0
    assert _rows() == first and len(first) == 3


def test_re_adding_replaces_an_articles_rows(cli, desk) -> None:
    assert cli("archive", "add", "harbour").code == 0
    text = (desk / "harbour" / "article.md").read_text(encoding="utf-8")
    (desk / "harbour" / "article.md").write_text(text.split("![A cat")[0], encoding="utf-8")
    assert cli("archive", "add", "harbour").code == 0
    assert [r[7] for r in _rows()] == ["harbour/coffee.jpg"]


def test_search_json_shape(cli, desk) -> None:
    assert cli("archive", "add", "harbour", "--url", "https://example.com/harbour").code == 0
    shutil.copy(REUSED / "clean-md" / "chelsea.jpg", desk / "cat.jpg")
    run = cli("archive", "search", "--format", "json", "ferry/coffee-small.jpg", "cat.jpg", "harbour/coffee.jpg")
    assert run.code == 0, run.err
    document = run.json()
    assert set(document) == {"archive", "holds_kill_notices", "images", "errors"}
    assert document["archive"] == ".provenance/archive.sqlite" and document["errors"] == []
    assert [i["image"] for i in document["images"]] == ["ferry/coffee-small.jpg", "cat.jpg", "harbour/coffee.jpg"]
    resized, cat, same = document["images"]
    [match] = resized["matches"]
    assert set(match) == {"article", "path", "title", "published", "figure", "caption", "credit", "image",
                          "sha256", "similarity", "score", "how"}
    assert (match["article"], match["path"], match["published"], match["figure"], match["image"]) == (
        "https://example.com/harbour", "harbour/article.md", "2024-08-01", 1, "harbour/coffee.jpg")
    assert match["credit"] == "Getty Images" and 0.8 < match["score"] <= 1 and match["how"] == []
    assert cat["matches"][0]["figure"] == 2 and cat["matches"][0]["similarity"] == "the same file (byte-identical)"
    assert same["matches"][0]["score"] == 1.0
    text = cli("archive", "search", "ferry/coffee-small.jpg")
    assert text.code == 0
    assert text.out.splitlines()[:2] == [
        "ferry/coffee-small.jpg", f"  https://example.com/harbour (2024-08-01), figure 1: {match['similarity']}"]


def test_search_without_an_archive_is_a_usage_error(cli, desk) -> None:
    run = cli("archive", "search", "ferry/coffee-small.jpg")
    assert run.code == 2 and "no such file" in run.err and len(run.err.strip().splitlines()) == 1
    run = cli("check", "--archive", "nowhere.sqlite", "ferry")
    assert run.code == 2 and "archive nowhere.sqlite: no such file" in run.err


def test_a_version_mismatch_asks_for_a_re_hash(cli, desk) -> None:
    assert cli("archive", "add", "harbour").code == 0
    with sqlite3.connect(ARCHIVE) as conn:
        conn.execute("UPDATE photos SET version = 'sim1 imagehash=4.0'")
    run = cli("archive", "search", "ferry/coffee-small.jpg")
    assert run.code == 2 and run.out == ""
    [line] = run.err.strip().splitlines()
    assert "2 photos by 'sim1 imagehash=4.0'" in line and "this provenance hashes by 'sim3" in line
    assert "re-hash" in line and "provenance archive add" in line
    run = cli("check", "--format", "json", "--archive", ARCHIVE, "ferry")
    assert run.code == 1 and "Traceback" not in run.err
    [error] = run.json()["errors"]
    assert "sim1 imagehash=4.0" in error and "provenance archive add" in error
    # Re-adding the article re-hashes it, and the search works again.
    assert cli("archive", "add", "harbour").code == 0
    assert cli("archive", "search", "ferry/coffee-small.jpg").code == 0


def test_search_refuses_other_versions_in_the_api(desk) -> None:
    image = Image.open(REUSED / "clean-md" / "coffee.jpg")
    hashes = compute_hashes(image)
    with Archive(ARCHIVE, create=True) as archive:
        archive.record("a", [_photo("a", 0, Hashes(version="other", values=hashes.values))])
        with pytest.raises(HashVersionError, match="1 photo by 'other'"):
            archive.search(hashes)


def _photo(article: str, figure: int, hashes: Hashes, sha256: str = "0" * 64) -> ArchivedPhoto:
    return ArchivedPhoto(article=article, path=None, title=None, published=None, figure=figure, caption=None,
                         credit=None, image=None, sha256=sha256, hashes=hashes)


def test_a_crop_is_found_through_the_patch_index(tmp_path) -> None:
    """Among many unrelated photos, a crop whose global hash moved far is found by its patch hashes."""
    original = Image.open(REUSED / "clean-md" / "coffee.jpg").convert("RGB")
    w, h = original.size
    crop = original.crop((int(w * 0.3), 0, w, int(h * 0.75)))
    stored, query = compute_hashes(original), compute_hashes(crop)
    distance = (int(stored.values["phash"], 16) ^ int(query.values["phash"], 16)).bit_count()
    assert distance > PHASH_CANDIDATE  # the global stage alone would miss it
    rng = np.random.default_rng(7)
    head, _, body = stored.values["local"].partition(":")
    noise = []
    for _ in range(300):
        values = dict(stored.values)
        values["phash"] = f"{int(rng.integers(0, 2**63)):016x}"
        values["phash_mirror"] = f"{int(rng.integers(0, 2**63)):016x}"
        # The same feature positions with random patch hashes (bytes 6..13 of each 14-byte feature).
        records = bytearray(bytes.fromhex(body))
        random_bits = rng.integers(0, 2**63, size=len(records) // 14, dtype=np.uint64).astype(">u8").tobytes()
        for k in range(8):
            records[6 + k::14] = random_bits[k::8]
        values["local"] = f"{head}:{records.hex()}"
        noise.append(_photo("noise", len(noise), Hashes(version=stored.version, values=values)))
    with Archive(tmp_path / "a.sqlite", create=True) as archive:
        archive.record("noise", noise)
        archive.record("coffee", [_photo("coffee", 0, stored)])
        hits = archive.search(query)
    assert [h.article for h in hits] == ["coffee"]
    assert "cropped" in hits[0].how


def test_two_writers_at_once_lose_nothing(desk) -> None:
    folders = []
    for i in range(6):
        folder = desk / f"story{i}"
        shutil.copytree(REUSED / "clean-md", folder)
        folders.append(folder.name)
    command = [sys.executable, "-m", "provenance.cli", "archive", "add"]
    writers = [subprocess.Popen([*command, *folders[i::2]], env=_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for i in range(2)]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    rows = _rows()
    assert sorted({str(r[0]) for r in rows}) == [f"{f}/article.md" for f in folders]
    assert len(rows) == 12
    with sqlite3.connect(ARCHIVE) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from provenance.archive import Archive
    import dataclasses

    archive = Archive(Path(sys.argv[1]))
    photos = [dataclasses.replace(p, article=sys.argv[2]) for p in archive.photos(sys.argv[3])]

    def rows():
        yield photos[0]
        os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction: old rows deleted, one new row inserted
        yield from photos[1:]

    archive.record(sys.argv[2], rows())
""")


def test_a_killed_add_leaves_the_archive_consistent(cli, desk) -> None:
    assert cli("archive", "add", "harbour").code == 0
    before = _rows()
    for key in ("harbour/article.md", "https://example.com/new"):
        killed = subprocess.run([sys.executable, "-c", KILLER, str(ARCHIVE), key, "harbour/article.md"],
                                env=_env(), capture_output=True, text=True, timeout=60)
        assert killed.returncode == -9, killed.stderr
    with sqlite3.connect(ARCHIVE) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _rows() == before  # the re-added article is complete, the new one absent
    assert cli("archive", "add", "ferry").code == 0
    assert len(_rows()) == 3


def _recorded(tmp_path: Path) -> tuple[Path, Hashes]:
    """An archive holding coffee.jpg under "harbour", and a resized copy's hashes to search for."""
    path = tmp_path / "a.sqlite"
    stored = compute_hashes(Image.open(REUSED / "clean-md" / "coffee.jpg"))
    with Archive(path, create=True) as archive:
        archive.record("harbour", [_photo("harbour", 0, stored)])
    return path, compute_hashes(Image.open(REUSED / "bad-md" / "coffee-small.jpg"))


def _search(path: Path, query: Hashes) -> list[str]:
    with Archive(path) as archive:
        return [h.article for h in archive.search(query)]


def _manifest(path: Path) -> dict[str, object]:
    return json.loads((index_path(path) / "manifest.json").read_text(encoding="utf-8"))


def test_the_index_is_saved_and_reused_while_fresh(tmp_path, caplog) -> None:
    path, query = _recorded(tmp_path)
    assert not index_path(path).exists()  # written on the first search, not by `record`
    assert _search(path, query) == ["harbour"]
    first = _manifest(path)
    assert first["generation"] == 1 and first["photos"] == 1
    stamp = (index_path(path) / "manifest.json").stat().st_mtime_ns
    assert _search(path, query) == ["harbour"]
    assert (index_path(path) / "manifest.json").stat().st_mtime_ns == stamp  # reused, not rebuilt
    assert [p.name for p in tmp_path.iterdir() if ".index." in p.name] == []  # no temporary folder left
    assert not caplog.records


def test_an_add_makes_the_index_stale(tmp_path) -> None:
    path, query = _recorded(tmp_path)
    assert _search(path, query) == ["harbour"]
    with Archive(path) as archive:
        [photo] = archive.photos("harbour")
        archive.record("ferry", [dataclasses.replace(photo, article="ferry", published="2024-09-01")])
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0] == "2"
        assert sorted(h.article for h in archive.search(query)) == ["ferry", "harbour"]  # rebuilt for generation 2
    assert _manifest(path)["generation"] == 2 and _manifest(path)["photos"] == 2


@pytest.mark.parametrize("damage", ["manifest", "truncated", "missing"])
def test_a_damaged_index_is_rebuilt_with_one_warning(tmp_path, caplog, damage: str) -> None:
    path, query = _recorded(tmp_path)
    assert _search(path, query) == ["harbour"]
    folder = index_path(path)
    if damage == "manifest":
        (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    elif damage == "truncated":
        data = (folder / "word2_bits.npy").read_bytes()
        (folder / "word2_bits.npy").write_bytes(data[: len(data) // 2])
    else:
        (folder / "starts.npy").unlink()
    with caplog.at_level(logging.WARNING, logger="provenance"):
        assert _search(path, query) == ["harbour"]
    [record] = caplog.records
    assert "damaged" in record.getMessage() and "rebuilding" in record.getMessage()
    caplog.clear()
    assert _search(path, query) == ["harbour"] and not caplog.records  # the rebuilt one is sound


BUILDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from provenance.archive import Archive
    from provenance.media.similarity import compute_hashes
    from PIL import Image

    query = compute_hashes(Image.open(sys.argv[2]))
    for _ in range(5):
        with Archive(Path(sys.argv[1])) as archive:
            print(",".join(h.article for h in archive.search(query)))
""")


def test_two_processes_building_the_index_at_once(tmp_path) -> None:
    path, _ = _recorded(tmp_path)
    with Archive(path) as archive:
        [photo] = archive.photos("harbour")
        # More rows, so that building takes a while.
        noise = [dataclasses.replace(photo, article="noise", figure=i, hashes=Hashes(
            version=photo.hashes.version, values={**photo.hashes.values, "phash": f"{i:016x}",
                                                  "phash_mirror": f"{i:016x}"})) for i in range(1, 200)]
        archive.record("noise", noise)
    for round_ in range(3):
        shutil.rmtree(index_path(path), ignore_errors=True)
        command = [sys.executable, "-c", BUILDER, str(path), str(REUSED / "bad-md" / "coffee-small.jpg")]
        runs = [subprocess.Popen(command, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0 and err == "", (round_, err)
            # Every search sees all 200 rows (the noise rows share coffee.jpg's local features).
            assert [sorted(line.split(",")) for line in out.split()] == [["harbour"] + ["noise"] * 199] * 5
        assert _manifest(path)["photos"] == 200
        assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name] == []


def _media_desk(desk: Path) -> None:
    """`articles/` holds the two articles' Markdown only; every photo is in `photos/` (`--media`)."""
    (desk / "articles").mkdir()
    (desk / "photos").mkdir()
    for folder in ("harbour", "ferry"):
        shutil.move(str(desk / folder / "article.md"), desk / "articles" / f"{folder}.md")
        for image in (desk / folder).iterdir():
            shutil.move(str(image), desk / "photos" / image.name)


def test_add_with_a_media_folder_records_its_photos(cli, desk) -> None:
    _media_desk(desk)
    run = cli("archive", "add", "--media", "photos", "articles/harbour.md", "--url", "https://example.com/harbour")
    assert run.code == 0, run.err
    assert "https://example.com/harbour: recorded 2 photos" in run.out and "without a readable image" not in run.out
    with Archive(ARCHIVE) as archive:
        assert [p.image for p in archive.photos()] == ["photos/coffee.jpg", "photos/chelsea.jpg"]


def test_check_with_a_media_folder_finds_the_archived_photo(cli, desk) -> None:
    _media_desk(desk)
    assert cli("archive", "add", "--media", "photos", "articles/harbour.md",
               "--url", "https://example.com/harbour").code == 0
    run = cli("check", "--format", "json", "--fail-on", "never", "--media", "photos", "--archive", ARCHIVE,
              "articles/ferry.md")
    [finding] = [f for f in run.json()["findings"] if f["rule"] == "previously-published"]
    assert "https://example.com/harbour on 2024-08-01" in finding["message"]


def test_a_configured_severity_keeps_the_archive_labels_note(cli, desk) -> None:
    assert cli("archive", "add", "harbour").code == 0
    _article(desk / "labelled", "FILE PHOTO: Morning coffee at the ferry terminal.")
    (desk / "provenance.toml").write_text('[severity]\n"previously-published" = "error"\n', encoding="utf-8")
    labelled = cli("check", "--format", "json", "--fail-on", "never", "--archive", ARCHIVE, "labelled").json()
    [finding] = [f for f in labelled["findings"] if f["rule"] == "previously-published"]
    assert finding["severity"] == "note"
    plain = cli("check", "--format", "json", "--fail-on", "never", "--archive", ARCHIVE, "ferry").json()
    [finding] = [f for f in plain["findings"] if f["rule"] == "previously-published"]
    assert finding["severity"] == "error"  # the configured severity replaces the rule's default
