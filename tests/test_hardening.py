"""Hostile input found by a red team, one test per hole: each fails on the code before its fix."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, HOSTILE_BUILD, ROOT

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


def test_readers_import_nothing_from_the_current_folder_without_pythonsafepath(tmp_path: Path) -> None:
    """As on Python 3.10, which ignores PYTHONSAFEPATH: the fork server starts from the root folder."""
    work = tmp_path / "repo"
    _article(work / "news")
    marker = tmp_path / "EXECUTED"
    _plant(work, marker)
    clean = tmp_path / "clean"
    clean.mkdir()
    # No interpreter flag (-I, -P) here: the reader processes would inherit it.
    boot = ("import os, sys; from provenance.media import batch; from provenance.cli import main; "
            "batch.SAFE_PATH = 'PROVENANCE_NOT_SET'; batch.CWD_ON_IMPORT_PATH = True; "
            f"sys.path.remove(''); os.chdir({str(work)!r}); "
            "sys.exit(main(['check', '--no-cache', '--jobs', '2', '--format', 'json', 'news']))")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSAFEPATH", "PYTHONPATH")}
    proc = subprocess.run([sys.executable, "-c", boot], cwd=clean, env=env, capture_output=True,
                          text=True, timeout=120)
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


# --- 3. no control character of the input in human-readable output; no injected workflow command -------

HOSTILE_TEXT = "Red \x1b[31mALERT\x1b[0m \x1b]0;owned\x07 back\rspace\x00 nul\n::error file=a.md,line=1::INJECTED"
INJECTED_NAME = "evil\n::error file=x.md,line=1::INJECTED\x1b[2J.jpg"


def _iptc_jpeg(text: str) -> bytes:
    """coffee.jpg with an IPTC caption and credit of `text` (UTF-8, declared by 1:90)."""
    data = text.encode("utf-8")
    block = b"\x1c\x01\x5a\x00\x03\x1b%G"
    for dataset in (120, 110):
        block += b"\x1c\x02" + bytes([dataset]) + len(data).to_bytes(2, "big") + data
    resource = b"8BIM\x04\x04\0\0" + len(block).to_bytes(4, "big") + block + b"\0" * (len(block) & 1)
    payload = b"Photoshop 3.0\0" + resource
    jpeg = COFFEE.read_bytes()
    return jpeg[:2] + b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload + jpeg[2:]


ONE_LINE = "Red \x1b[31mALERT\x1b[0m \x1b]0;owned\x07 nul\x00 csi\x9b2J \u202egnp.exe ::error::INJECTED"
"""What an article line can hold (a line break would end the caption)."""


def _hostile_text_folder(folder: Path) -> Path:
    _article(folder, f"![{ONE_LINE}](coffee.jpg)\n*{ONE_LINE}*\nPhoto: {ONE_LINE}\n\n"
                     f"![](missing\x1b[2J.jpg)\n*Caption {ONE_LINE}*\n\n![](coffee.jpg)\n*{ONE_LINE}*\n")
    (folder / "coffee.jpg").write_bytes(_iptc_jpeg(HOSTILE_TEXT))
    (folder / INJECTED_NAME).write_bytes(_iptc_jpeg(HOSTILE_TEXT))
    return folder


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters no human-readable output may hold (LF ends lines; tab is harmless)."""
WORKFLOW = re.compile(r"^::(error|warning|notice)( [^:\n]*)?::[^\n]*$")


def _assert_safe(text: str, *, github: bool = False) -> None:
    assert not CONTROL.search(text), repr(CONTROL.search(text))
    for line in text.splitlines():
        if line.lstrip().startswith("::"):
            assert github and WORKFLOW.match(line), line  # its properties hold no raw ":"


def test_text_github_inspect_and_search_output_hold_no_control_character(cli, tmp_path: Path) -> None:
    news = _hostile_text_folder(tmp_path / "news")
    for fmt in ("text", "github"):
        run = cli("check", "--format", fmt, news)
        assert run.code == 1, run.err
        _assert_safe(run.out, github=fmt == "github")
        _assert_safe(run.err)
        assert "\\x1b[31mALERT" in run.out and "\\x1b[2J.jpg" in run.out
    quiet = cli("check", "--quiet", news, "--select", "unused-image")
    assert "evil\\n\\x3a:error" not in quiet.out and "evil\\n::error" in quiet.out
    _assert_safe(quiet.out)
    inspect = cli("inspect", news / "coffee.jpg", news / INJECTED_NAME)
    assert inspect.code == 0 and "\\x1b[31mALERT" in inspect.out
    _assert_safe(inspect.out)
    archive = tmp_path / "archive.sqlite"
    add = cli("archive", "add", "--archive", archive, news / "story.md")
    _assert_safe(add.out)
    _assert_safe(add.err)
    search = cli("archive", "search", "--archive", archive, news / "coffee.jpg", news / INJECTED_NAME)
    assert search.code == 0 and "\\x1b[31mALERT" in search.out
    _assert_safe(search.out)
    missing = cli("check", tmp_path / "no\x1b]0;x\x07such\n::error::INJECTED")
    assert missing.code == 2 and len(missing.err.splitlines()) == 1
    _assert_safe(missing.err)


def test_junit_sarif_json_and_html_hold_no_raw_control_or_bidi_character(cli, tmp_path: Path) -> None:
    news = _hostile_text_folder(tmp_path / "news")
    for fmt in ("junit", "sarif", "json", "html"):
        run = cli("check", "--format", fmt, news)
        assert run.code == 1, (fmt, run.err)
        # a raw C1 control (CSI U+009B) or a bidi override (U+202E) acts on a terminal or a viewer
        assert not re.search("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", run.out), fmt
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", run.out), fmt
        assert "INJECTED" in run.out, fmt


def test_an_absolute_checked_path_keeps_its_leading_slash(cli, tmp_path: Path) -> None:
    news = _article(tmp_path / "news", "No figure here.\n")
    run = cli("check", news.absolute())
    assert f"{news.absolute().as_posix()} (media folder)" in run.out.splitlines()


# --- 4. file names that are not UTF-8 ---------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="the file system takes only Unicode names")
def test_names_that_are_not_utf8_are_reported_escaped_in_every_format(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(COFFEE, os.fsdecode(bytes(news) + b"/photo-\xff.jpg"))
    Path(os.fsdecode(bytes(news) + b"/\xfe.md")).write_bytes(b"![](gone.jpg)\n*Coffee.*\nGetty Images\n")
    for fmt in ("text", "json", "sarif", "junit", "github", "html"):
        for cache in ("--no-cache", "--jobs=1"):
            proc = _cli("check", "--format", fmt, cache, news, cwd=tmp_path)
            assert proc.returncode == 1 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr, \
                (fmt, proc.stderr)
            shown = proc.stdout.replace("\\\\", "\\").replace("%5C", "\\")  # JSON strings, SARIF URIs
            assert "photo-\\xff.jpg" in shown and "\\xfe.md" in shown, fmt
            if fmt in ("json", "sarif"):
                json.loads(proc.stdout)
    inspect = _cli("inspect", "--format", "json", os.fsdecode(bytes(news) + b"/photo-\xff.jpg"), cwd=tmp_path)
    assert inspect.returncode == 0 and json.loads(inspect.stdout)["images"][0]["path"] == "photo-\\xff.jpg"


# --- 5. YAML front matter: no anchors, no aliases ---------------------------------------------------

def alias_bomb(levels: int, width: int) -> str:
    """Front matter whose title names `width ** levels` strings through nested aliases."""
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "---\n" + "\n".join(lines) + f"\ntitle: *a{levels}\ndate: 2024-05-01\n---\n\n![](coffee.jpg)\n*Coffee.*\n"


def test_front_matter_with_anchors_or_aliases_is_refused_in_one_line(cli, tmp_path: Path) -> None:
    news = _article(tmp_path / "news", alias_bomb(5, 6))
    run = cli("check", "--format", "json", news)
    article = run.json()["articles"][0]
    assert article["title"] is None and len(article["figures"]) == 1
    assert [w for w in article["warnings"] if "anchors and aliases" in w] == [
        "front matter: YAML anchors and aliases (&name, *name) are not read (line 1)"]
    (news / "story.md").write_text("---\ntitle: [a, list]\ndate: 2024-05-01\n---\n", encoding="utf-8")
    assert cli("check", "--format", "json", news).json()["articles"][0]["title"] is None


# --- 12. a broken pipe is a clean exit only when stdout was closed ------------------------------------

def test_a_broken_pipe_to_a_reader_process_is_an_internal_error(cli, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance import pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(pipeline, "run", broken)
    run = cli("check", _article(tmp_path / "news"))
    assert run.code == 3 and run.out == ""
    assert run.err.splitlines() == ["provenance: internal error: a pipe to another process broke (Broken pipe)"]


def test_a_closed_stdout_is_a_clean_exit(tmp_path: Path) -> None:
    news = _article(tmp_path / "news")
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "check", "--format", "json", str(news)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0 and err == b""


# --- 13. a report or baseline that cannot be written: one line naming the target, exit 2 -------------

def test_an_output_that_is_a_folder_is_a_usage_error(cli, tmp_path: Path) -> None:
    news = _article(tmp_path / "news")
    (tmp_path / "out").mkdir()
    for args in (("check", "--output", tmp_path / "out"), ("baseline", "--write", tmp_path / "out")):
        run = cli(*args, news)
        assert run.code == 2
        assert run.err.splitlines()[-1] == f"provenance: {tmp_path / 'out'}: cannot write: it is a folder"


def test_a_full_disk_keeps_the_old_report_and_says_so_in_one_line(cli, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from provenance import atomic

    news = _article(tmp_path / "news")
    target = tmp_path / "report.json"
    target.write_text("old report\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    run = cli("check", "--format", "json", "--output", target, news)
    assert run.code == 2
    assert run.err.splitlines() == [f"provenance: {target}: cannot write: No space left on device; left as it was"]
    assert target.read_text(encoding="utf-8") == "old report\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


# --- 11. only regular files, with a size cap, wherever a path comes from the user -------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_baseline_that_is_a_pipe_or_a_device_is_refused_at_once(tmp_path: Path) -> None:
    news = _article(tmp_path / "news")
    os.mkfifo(tmp_path / "baseline.fifo")
    (tmp_path / "baseline.zero").symlink_to("/dev/zero")
    for name in ("baseline.fifo", "baseline.zero"):
        proc = _cli("check", "--baseline", tmp_path / name, news, cwd=tmp_path, timeout=60)
        assert proc.returncode == 2
        assert proc.stderr.splitlines() == [f"provenance: --baseline {tmp_path / name}: cannot read: not a regular "
                                            "file (a folder, a pipe or a device); not read"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_manifest_that_is_or_names_a_pipe_does_not_hang_the_build(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    shutil.copy(COFFEE, tmp_path / "coffee.jpg")
    os.mkfifo(tmp_path / "pipe.jpg")
    manifest = tmp_path / "cms.csv"
    manifest.write_text("image,article,caption\ncoffee.jpg,a1,Coffee\npipe.jpg,a1,Pipe\n", encoding="utf-8")
    proc = _cli("archive", "build", manifest, "--out", tmp_path / "archive.parquet", cwd=tmp_path, timeout=120)
    assert "not a regular file" in proc.stderr and "Traceback" not in proc.stderr
    os.mkfifo(tmp_path / "manifest.csv")
    proc = _cli("archive", "build", tmp_path / "manifest.csv", "--out", tmp_path / "b.parquet", cwd=tmp_path,
                timeout=60)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_a_configuration_that_is_a_device_is_not_read(cli, tmp_path: Path) -> None:
    news = _article(tmp_path / "news")
    (news / "provenance.toml").symlink_to("/dev/zero")
    run = cli("check", news)
    assert run.code == 0  # a provenance.toml that is no file is no configuration


# --- 7. references through a folder link leading out: reported alike, whether the file exists or not -----

def test_references_through_a_folder_link_leading_out_are_reported_alike(cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(COFFEE, outside / "secret.jpg")
    news = _article(tmp_path / "news", "![](linkdir/secret.jpg)\n*One.*\nGetty Images\n\n"
                                       "![](linkdir/nothere.jpg)\n*Two.*\nGetty Images\n")
    (news / "linkdir").symlink_to(outside, target_is_directory=True)
    run = cli("check", "--format", "json", news)
    messages = {f["figures"][0]: f["message"] for f in run.json()["findings"] if f["rule"] == "missing-image"}
    assert sorted(messages) == [0, 1]
    tails = [messages[n].split('") ', 1)[1].replace(name, "X") for n, name in ((0, "secret"), (1, "nothere"))]
    assert tails[0] == tails[1], messages
    assert "outside the checked folder" in messages[0]
    figures = run.json()["articles"][0]["figures"]
    assert [f["image"] for f in figures] == [None, None]


def test_looping_and_dangling_links_are_named_as_such(cli, tmp_path: Path) -> None:
    news = _article(tmp_path / "news", "No figures.\n")
    (news / "loop-a.jpg").symlink_to(news / "loop-b.jpg")
    (news / "loop-b.jpg").symlink_to(news / "loop-a.jpg")
    (news / "dangling.jpg").symlink_to(news / "gone.jpg")
    run = cli("check", "--format", "json", news)
    errors = {im["path"]: im["errors"] for im in run.json()["images"]}
    assert errors["loop-a.jpg"] == ["is a link that loops; not read"]
    assert errors["dangling.jpg"] == ["is a broken link"]


# --- 14. every image reference is a figure or a finding ---------------------------------------------

def test_an_extensionless_image_path_is_a_figure_not_a_placeholder(cli, tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "story.html").write_text(
        '<html><body><article><p>Body text of the story.</p>'
        '<figure><img src="images/2024/05/photo1234"><figcaption>Harbour at dawn. Photo: Reuters</figcaption>'
        '</figure><figure><img src="R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">'
        '<img src="real.jpg"><figcaption>Ferry. Photo: AP</figcaption></figure></article></body></html>',
        encoding="utf-8")
    run = cli("check", "--format", "json", news)
    figures = run.json()["articles"][0]["figures"]
    assert [f["image_ref"] for f in figures] == ["images/2024/05/photo1234", "real.jpg"]
    assert sorted(f["figures"][0] for f in run.json()["findings"] if f["rule"] == "missing-image") == [0, 1]


@pytest.mark.parametrize("src", ["file:///etc/passwd.jpg", "javascript:alert(1)", "vbscript:x", "FILE:photo.jpg"])
def test_markdown_images_with_any_scheme_are_figures_with_a_finding(cli, tmp_path: Path, src: str) -> None:
    news = _article(tmp_path / "news", f"![]({src})\n*A caption.*\nGetty Images\n")
    run = cli("check", "--format", "json", news)
    figures = run.json()["articles"][0]["figures"]
    assert [f["image_ref"] for f in figures] == [src]
    found = [f["message"] for f in run.json()["findings"] if f["rule"] == "missing-image"]
    assert len(found) == 1 and "outside the checked folder; not followed" in found[0]
    assert "root:" not in run.out


# --- 8. deep nesting: exit 2 with one line, or the run goes on -----------------------------------------

DEEP = 100_000


def test_a_deep_configuration_or_baseline_is_one_line_and_exit_2(cli, tmp_path: Path) -> None:
    news = _article(tmp_path / "news")
    config = tmp_path / "deep.toml"
    config.write_text("a = " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
    run = cli("check", "--config", config, news)
    assert run.code == 2 and run.err.splitlines() == [f"provenance: {config}: nested too deep to read"]
    baseline = tmp_path / "deep.json"
    baseline.write_text('{"format": "provenance-baseline", "version": 1, "findings": ' + "[" * DEEP + "]" * DEEP
                        + "}", encoding="utf-8")
    run = cli("check", "--baseline", baseline, news)
    assert run.code == 2
    assert run.err.splitlines() == [f"provenance: {baseline}: not a baseline: JSON nested too deep to read"]


def test_a_deep_manifest_row_is_one_line_and_exit_2(cli, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    shutil.copy(COFFEE, tmp_path / "coffee.jpg")
    manifest = tmp_path / "cms.jsonl"
    manifest.write_text('{"image": "coffee.jpg", "article": "a", "x": ' + "[" * DEEP + "]" * DEEP + "}\n",
                        encoding="utf-8")
    run = cli("archive", "build", manifest, "--out", tmp_path / "out.parquet")
    assert run.code == 2 and run.err.splitlines() == [f"provenance: {manifest}:1: JSON nested too deep to read"]


def test_a_deep_cache_row_is_read_again(cli, tmp_path: Path, _own_cache: Path) -> None:
    news = _article(tmp_path / "news")
    first = cli("check", "--format", "json", "--jobs", "1", news)
    with sqlite3.connect(_own_cache) as db:
        db.execute("UPDATE records SET record = ?", ("[" * DEEP + "]" * DEEP,))
    db.close()
    again = cli("check", "--format", "json", "--jobs", "1", news)
    assert again.code == first.code and again.out == first.out and "internal error" not in again.err


def _nest(folder: Path, levels: int = 1000) -> Path:
    """`folder/d/d/.../d`, `levels` deep, made one level at a time (os.makedirs itself recurses)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    return Path(folder, *["d"] * levels)


def test_a_media_folder_nested_a_thousand_deep_is_listed(cli, tmp_path: Path) -> None:
    news = _article(tmp_path / "news")
    deepest = _nest(news)
    shutil.copy(COFFEE, deepest / "deep.jpg")
    try:
        run = cli("check", "--format", "json", news)
        assert run.code == 0 and "internal error" not in run.err
        assert any(im["path"].endswith("/d/deep.jpg") for im in run.json()["images"])
    finally:
        HOSTILE_BUILD.remove_tree(news / "d")  # shutil.rmtree recurses once per level


def test_an_archive_build_plans_article_folders_a_thousand_deep(tmp_path: Path) -> None:
    from provenance import archive_parquet

    news = _article(tmp_path / "news")
    deepest = _nest(news)
    (deepest / "deep.md").write_text("Deep.\n", encoding="utf-8")
    try:
        assert archive_parquet._article_folders(news) == [news, deepest]
    finally:
        HOSTILE_BUILD.remove_tree(news / "d")


# --- 9. a memory budget larger than the system can set -----------------------------------------------

def test_a_memory_budget_beyond_the_system_limit_reads_every_image(tmp_path: Path) -> None:
    news = _article(tmp_path / "news")
    proc = _cli("check", "--no-cache", "--format", "json", "--file-memory", "100000000000000", news, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert json.loads(proc.stdout)["images"][0]["errors"] == []


# --- 6. HTML in the main process: linear suppression lookup, a bound on attributes -------------------

def _lines_run(module: str, work: Callable[[], object]) -> int:
    """How many lines of the module whose file is named `module` run while `work` runs."""
    count = 0

    def trace(frame: Any, event: str, arg: object) -> Any:
        nonlocal count
        if not frame.f_code.co_filename.endswith(module):
            return None
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _large_page(folder: Path) -> Path:
    """A 4 MB story (60,000 paragraphs) and, beside it, a small article that must still be checked."""
    body = "".join(f'<p>Paragraph {i} with <a href="/x{i}">a link</a>.</p>' for i in range(60_000))
    folder.mkdir(parents=True)
    (folder / "large.html").write_text(f"<html><body><article>{body}<figure><img src='coffee.jpg' alt='Cup'>"
                                       "<figcaption>Coffee.</figcaption></figure></article></body></html>",
                                       encoding="utf-8")
    return _article(folder, "![A cup](coffee.jpg)\n*Coffee on a table.*\nGetty Images\n")


@pytest.mark.parametrize(("option", "line"), [
    ("--file-timeout=0.05", "large.html: parsing took longer than the 0.05 s budget (--file-timeout); not read"),
    ("--file-memory=1", "large.html: parsing needed more than the 1 MB memory budget (--file-memory); not read"),
])
def test_parsing_an_article_is_held_to_the_file_budget(cli, tmp_path: Path, option: str, line: str) -> None:
    news = _large_page(tmp_path / "news")
    run = cli("check", "--format", "json", option, news)
    report = run.json()
    assert [e.split("/news/", 1)[-1] for e in report["errors"]] == [line]
    assert [a["path"] for a in report["articles"]] == ["story.md"] and run.code == 1
    assert [a["path"] for a in cli("check", "--format", "json", news).json()["articles"]] == ["large.html", "story.md"]


def test_suppression_comments_are_attached_in_linear_time() -> None:
    from provenance.articles.html import parse_html
    from provenance.credits import CreditParser

    parser = CreditParser.default({})

    def page(n: int) -> bytes:
        comments = "<!-- provenance: ignore[missing-credit] agreed with the family -->\n" * n
        return (f"<html><body><article><p>Body.</p>{comments}<figure><img src='a.jpg'><figcaption>Cap."
                "</figcaption></figure></article></body></html>").encode()

    article = parse_html(page(50), "a.html", ".", parser)
    assert len(article.figures) == 1 and len(article.figures[0].suppressions) == 50
    small = _lines_run("/suppress.py", lambda: parse_html(page(500), "a.html", ".", parser))
    large = _lines_run("/suppress.py", lambda: parse_html(page(2000), "a.html", ".", parser))
    assert large < 5 * small  # linear: 4 times the comments, about 4 times the steps (quadratic: 16 times)


def test_an_element_with_too_many_attributes_is_one_warning() -> None:
    from provenance.articles.html import parse_html
    from provenance.articles.html.limits import MAX_ATTRIBUTES
    from provenance.credits import CreditParser

    attributes = " ".join(f'data-a{i}="x"' for i in range(MAX_ATTRIBUTES + 1))
    page = (f"<html><body>\n<figure><img {attributes} src='a.jpg'><figcaption>Cap.</figcaption></figure>"
            "</body></html>").encode()
    article = parse_html(page, "a.html", ".", CreditParser.default({}))
    assert article.warnings == (f"line 2: an element has more than {MAX_ATTRIBUTES} attributes; the page was not "
                                "read",)
    fewer = " ".join(f'data-a{i}="x"' for i in range(50))
    ok = parse_html(page.replace(attributes.encode(), fewer.encode()), "a.html", ".", CreditParser.default({}))
    assert len(ok.figures) == 1 and not ok.warnings


# --- 10. the C2PA library's own stderr stays out of the terminal --------------------------------------

def test_what_the_c2pa_library_prints_is_one_error_line(monkeypatch: pytest.MonkeyPatch,
                                                        capfd: pytest.CaptureFixture[str]) -> None:
    from provenance.media import c2pa as c2pa_module

    class Reader:
        def __init__(self, *args: object, **kwargs: object) -> None:
            os.write(2, b"memory allocation of 17179869184 bytes failed\nstack backtrace:\n   0: rust_begin_unwind\n")
            raise MemoryError("the manifest could not be read")

    class FakeC2pa:
        pass

    FakeC2pa.Reader = Reader  # type: ignore[attr-defined]
    monkeypatch.setattr(c2pa_module, "_context", lambda: (FakeC2pa, None))
    errors: list[str] = []
    info = c2pa_module.read_c2pa(b"\xff\xd8", "JPEG", True, errors)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
    assert errors == ["C2PA: the library reported: memory allocation of 17179869184 bytes failed",
                      "C2PA: manifest not checked (MemoryError: the manifest could not be read)"]
    assert info is not None and info.validation_state == "not checked"


# --- smaller: cache rows are validated when read --------------------------------------------------------

def test_a_planted_cache_row_is_not_trusted(cli, tmp_path: Path, _own_cache: Path) -> None:
    news = _article(tmp_path / "news")
    first = cli("check", "--format", "json", "--jobs", "1", news)
    with sqlite3.connect(_own_cache) as db:
        (text,) = db.execute("SELECT record FROM records").fetchone()
        planted = json.loads(text)
        planted["errors"] = ["\x1b]0;owned\x07 ROW-OF-THE-ATTACKER"] * 200_000
        db.execute("UPDATE records SET record = ?", (json.dumps(planted),))
    db.close()
    again = cli("check", "--format", "json", "--jobs", "1", news)
    assert again.out == first.out and "ROW-OF-THE-ATTACKER" not in again.out


# --- smaller: temporary index folders of killed searches; archive errors of a full disk ----------------

def test_stale_temporary_index_folders_are_removed(cli, tmp_path: Path) -> None:
    from provenance.archive import STALE_SECONDS, index_path

    news = _article(tmp_path / "news")
    archive = tmp_path / "archive.sqlite"
    assert cli("archive", "add", "--archive", archive, news / "story.md").code == 0
    folder = index_path(archive)
    stale, fresh = tmp_path / f"{folder.name}.tmp-killed", tmp_path / f"{folder.name}.tmp-running"
    for made in (stale, fresh):
        made.mkdir()
        (made / "phash.npy").write_bytes(b"half written")
    old = time.time() - STALE_SECONDS - 60
    os.utime(stale, (old, old))
    assert cli("archive", "search", "--archive", archive, news / "coffee.jpg").code == 0
    assert not stale.exists() and fresh.exists() and folder.is_dir()


def test_an_archive_on_a_full_disk_is_not_called_foreign(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance import archive as archive_module

    news = _article(tmp_path / "news")

    def full(self: object, create: bool) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(archive_module.Archive, "_setup", full)
    run = cli("archive", "add", "--archive", tmp_path / "archive.sqlite", news / "story.md")
    assert run.code == 2 and "not a provenance archive" not in run.err
    assert run.err.splitlines()[-1].endswith("cannot be used: database or disk is full")
