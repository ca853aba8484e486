"""Hostile input found by a red team, one test per hole: each fails on the code before its fix."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from provenance import sqlite_file

COFFEE = FIXTURES / "library" / "coffee.jpg"


def _article(folder: Path, text: str = "![](coffee.jpg)\n*Coffee on a table.*\nGetty Images\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(COFFEE, folder / "coffee.jpg")
    (folder / "story.md").write_text(text, encoding="utf-8")
    return folder


def _cli(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`provenance ARGS` in a new process from `cwd`, the checkout importable through PYTHONPATH."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


# --- 1. reader processes import nothing from the current or the checked folder ----------------------

PLANTED = "import pathlib\npathlib.Path({marker!r}).write_text('ran')\n"


def _plant(folder: Path, marker: Path) -> None:
    """Modules that write `marker` when imported: numpy.py, PIL/, provenance/ and multiprocessing/."""
    code = PLANTED.format(marker=str(marker))
    (folder / "numpy.py").write_text(code, encoding="utf-8")
    for package in ("PIL", "provenance", "multiprocessing"):
        (folder / package).mkdir(exist_ok=True)
        (folder / package / "__init__.py").write_text(code, encoding="utf-8")


def test_readers_import_nothing_from_the_current_or_checked_folder(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    news = _article(work / "news")
    marker = tmp_path / "EXECUTED"
    _plant(work, marker)
    _plant(news, marker)
    proc = _cli("check", "--no-cache", "--jobs", "2", "--format", "json", news, cwd=work)
    assert not marker.exists(), proc.stderr
    assert proc.returncode == 0, proc.stderr
    image = json.loads(proc.stdout)["images"][0]
    assert image["errors"] == [] and image["hashes"], image


# --- 2. a file that is not provenance's cache or archive is never written ---------------------------

NOTES = b"my notes, not a database\n" * 10


def _foreign_database(path: Path) -> bytes:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["text", "sqlite"])
def test_a_configured_cache_that_is_not_a_cache_is_left_alone(cli, tmp_path: Path, kind: str) -> None:
    news = _article(tmp_path / "repo" / "news")
    target = tmp_path / "repo" / "notes.db"
    if kind == "text":
        target.write_bytes(NOTES)
    before = target.read_bytes() if kind == "text" else _foreign_database(target)
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / "provenance.toml").write_text('cache = "notes.db"\n', encoding="utf-8")
    run = cli("check", news)
    assert run.code == 0
    assert target.read_bytes() == before
    assert len(run.err.splitlines()) == 1 and "not a provenance cache" in run.err and "left alone" in run.err


def test_an_archive_that_is_not_an_archive_is_never_written(cli, tmp_path: Path) -> None:
    news = _article(tmp_path / "news")
    target = tmp_path / "other.db"
    before = _foreign_database(target)
    add = cli("archive", "add", "--archive", target, news / "story.md")
    assert add.code == 2 and "not a provenance archive" in add.err and len(add.err.splitlines()) == 1
    check = cli("check", "--archive", target, news)
    assert "not a provenance archive" in check.err
    assert target.read_bytes() == before


def test_new_caches_and_archives_carry_their_application_id(cli, tmp_path: Path, _own_cache: Path) -> None:
    news = _article(tmp_path / "news")
    archive = tmp_path / "archive.sqlite"
    assert cli("archive", "add", "--archive", archive, news / "story.md").code == 0
    assert cli("check", news).code == 0
    for path, expected in ((_own_cache, sqlite_file.CACHE_ID), (archive, sqlite_file.ARCHIVE_ID)):
        assert int.from_bytes(path.read_bytes()[68:72], "big") == expected
    cache_copy = tmp_path / "cache-as-archive.sqlite"
    shutil.copy(_own_cache, cache_copy)
    before = cache_copy.read_bytes()
    wrong = cli("archive", "add", "--archive", cache_copy, news / "story.md")
    assert wrong.code == 2 and "a provenance record cache" in wrong.err
    assert cache_copy.read_bytes() == before


@pytest.mark.parametrize("key", ["cache", "archive"])
@pytest.mark.parametrize("how", ["parent", "link"])
def test_a_configuration_inside_the_checked_folder_cannot_name_a_file_outside_it(cli, tmp_path: Path, key: str,
                                                                                  how: str) -> None:
    news = _article(tmp_path / "news")
    notes = tmp_path / "notes.txt"
    notes.write_bytes(NOTES)
    if how == "link":
        (news / "state").symlink_to(tmp_path, target_is_directory=True)
    value = "../notes.txt" if how == "parent" else "state/notes.txt"
    (news / "provenance.toml").write_text(f'{key} = "{value}"\n', encoding="utf-8")
    run = cli("check", news)
    assert run.code == 2
    assert len(run.err.splitlines()) == 1 and f"{key}: {value} leads outside" in run.err
    assert notes.read_bytes() == NOTES
    (news / "provenance.toml").write_text(f'{key} = "inside.sqlite"\n', encoding="utf-8")
    inside = cli("check", news)  # allowed (a named archive must exist, though)
    assert "leads outside" not in inside.err and inside.code == (0 if key == "cache" else 2)
