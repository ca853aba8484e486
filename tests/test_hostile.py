"""Hostile input through the real command line: every input gives a finding or one clear line, no traceback.

The folder is built by fixtures/hostile/build.py (decompression bombs, a
thousand APP13 segments, entity-laden XMP, HTML nested 100,000 deep, a 100 MB
attribute, truncated photos, links and references leading out, a pipe, a
folder named like an image, NFC/NFD names...) and checked by `provenance
check` in a subprocess. The subprocess timeout is a hang guard, not a speed
test; peak memory is measured and printed for the record.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, HOSTILE_BUILD, ROOT

from provenance import pipeline
from provenance.credits import CreditParser
from provenance.media.files import resolve_reference
from provenance.model import RefStatus

MEMORY_BOUND_MB = 1536
"""Generous: the check of the whole hostile folder needs about a tenth of this."""

HANG_GUARD_S = 120

UNREADABLE = ("unreadable.jpg", "unreadable.txt")

build = HOSTILE_BUILD

EXPECT_IMAGE = {
    "app13-x1000.jpg": r"IPTC",
    **{f"coffee-{n}0pc.jpg": r"truncated|runs past the end" for n in range(1, 10)},
}
"""What the lines about an image must say where build.py leaves it open."""


class Checked:
    def __init__(self, folder: Path, cases: list[Any], proc: subprocess.CompletedProcess[str], peak_mb: float):
        import json

        self.folder = folder
        self.cases = cases
        self.proc = proc
        self.peak_mb = peak_mb
        self.report = json.loads(proc.stdout)


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("hostile") / "news"
    cases = build.build(folder)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "check", "--format", "json", str(folder)],
        capture_output=True, text=True, timeout=HANG_GUARD_S, cwd=folder.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kilobytes on Linux
    yield Checked(folder, cases, proc, peak_mb)
    for name in UNREADABLE:
        if (folder / name).exists():
            (folder / name).chmod(0o644)
    (folder / "big-attribute.html").unlink(missing_ok=True)


def _lines_about_image(report: dict[str, Any], name: str) -> list[str]:
    record = next((im for im in report["images"] if im["path"] == name), None)
    lines = list(record["errors"]) if record else []
    lines += [f["message"] for f in report["findings"] if name in f["images"]]
    return lines


def _lines_about_article(report: dict[str, Any], name: str) -> list[str]:
    lines = [e for e in report["errors"] if e.endswith(f"/{name}: " + e.split(": ", 1)[-1])]
    lines += [w for a in report["articles"] if a["path"] == name for w in a["warnings"]]
    return lines


def test_check_finishes_with_errors_and_no_traceback(checked: Any, record_property: Any,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    record_property("peak_rss_mb", round(checked.peak_mb))
    with capsys.disabled():
        print(f"\n[hostile] peak memory of `provenance check` on the hostile folder: {checked.peak_mb:.0f} MB")
    assert checked.proc.returncode == 1
    assert "Traceback" not in checked.proc.stderr
    for line in checked.proc.stderr.splitlines():
        assert line.startswith("provenance: "), line
    assert checked.peak_mb < MEMORY_BOUND_MB
    assert build.SECRET not in checked.proc.stdout


@pytest.mark.parametrize("kind", ["image", "article", "reference"])
def test_every_input_gives_a_finding_or_one_clear_line(checked: Any, kind: str) -> None:
    report = checked.report
    problems = []
    for case in checked.cases:
        if case.kind != kind or case.name in UNREADABLE:
            continue
        if kind == "image":
            lines = _lines_about_image(report, case.name)
        elif kind == "article":
            lines = _lines_about_article(report, case.name)
        else:
            lines = [f["message"] for f in report["findings"] if f["rule"] == "missing-image"
                     and f'"{case.name}"' in f["message"]]
        expect = EXPECT_IMAGE.get(case.name, re.escape(case.expect))
        if any("\n" in line for line in lines):
            problems.append(f"{case.name}: a line with a line break")
        if len(lines) > 25:
            problems.append(f"{case.name}: {len(lines)} lines")
        if (case.expect or case.name in EXPECT_IMAGE) and not any(
            re.search(expect, line, re.IGNORECASE) for line in lines
        ):
            problems.append(f"{case.name} ({case.note}): nothing says {expect!r}; got {lines}")
    assert not problems, "\n".join(problems)


def test_wrong_extensions_are_read_by_content(checked: Any) -> None:
    record = next(im for im in checked.report["images"] if im["path"] == "png-named.jpg")
    assert record["format"] == "PNG" and not record["errors"]
    article = next(a for a in checked.report["articles"] if a["path"] == "html-named.md")
    assert any("HTML page" in w for w in article["warnings"])


def test_nfc_reference_finds_the_nfd_file(checked: Any) -> None:
    nfd = unicodedata.normalize("NFD", "café.jpg")
    story = next(a for a in checked.report["articles"] if a["path"] == "story.md")
    (figure,) = [f for f in story["figures"] if f["caption"] == "A caption for café.jpg."]
    assert (figure["match"]["status"], figure["image"]) == ("found", nfd)


def test_unreadable_files(checked: Any) -> None:
    for name in UNREADABLE:
        try:
            with (checked.folder / name).open("rb"):
                pass
        except PermissionError:
            continue
        pytest.skip(f"{name} is chmod 000 but still readable: running as root, where permissions do not block reads")
    report = checked.report
    assert any("cannot read" in line for line in _lines_about_image(report, "unreadable.jpg"))
    assert any("unreadable.txt" in e and "cannot read" in e for e in report["errors"])


# -- in-process: what a subprocess cannot stage -----------------------------------------------------------


def test_reference_matching_is_unicode_normalised(tmp_path: Path) -> None:
    (tmp_path / unicodedata.normalize("NFD", "Zürich")).mkdir()
    (tmp_path / unicodedata.normalize("NFD", "Zürich") / unicodedata.normalize("NFD", "café.jpg")).write_bytes(b"x")
    got = resolve_reference("Zürich/café.jpg", tmp_path, tmp_path, tmp_path)
    assert got.status is RefStatus.FOUND
    assert got.rel == unicodedata.normalize("NFD", "Zürich/café.jpg")
    # two files that differ only in normalisation: ambiguous, and the exact name still wins
    (tmp_path / unicodedata.normalize("NFC", "café.jpg")).write_bytes(b"y")
    (tmp_path / unicodedata.normalize("NFD", "café.jpg")).write_bytes(b"z")
    exact = resolve_reference(unicodedata.normalize("NFD", "café.jpg"), tmp_path, tmp_path, tmp_path)
    assert exact.rel == unicodedata.normalize("NFD", "café.jpg")
    assert resolve_reference("cafe\u0301s.jpg", tmp_path, tmp_path, tmp_path).status is RefStatus.MISSING


def test_files_deleted_between_listing_and_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(FIXTURES / "library" / "coffee.jpg", tmp_path / "gone.jpg")
    shutil.copy(FIXTURES / "library" / "coffee.jpg", tmp_path / "kept.jpg")
    (tmp_path / "gone.md").write_text("![](gone.jpg)\n*A caption.*\nGetty Images\n", encoding="utf-8")
    (tmp_path / "kept.md").write_text("![](kept.jpg)\n*A caption.*\nGetty Images\n", encoding="utf-8")
    listed_images = pipeline.find_images
    listed_articles = pipeline.discover

    def find_then_delete(root: Path, skip: Any = None) -> Any:
        found = listed_images(root, skip)
        (tmp_path / "gone.jpg").unlink()
        return found

    def discover_then_delete(path: Path, media: Path | None = None, path_filter: Any = None) -> Any:
        target = listed_articles(path, media, path_filter)
        (tmp_path / "gone.md").unlink()
        return target

    monkeypatch.setattr(pipeline, "find_images", find_then_delete)
    monkeypatch.setattr(pipeline, "discover", discover_then_delete)
    report = pipeline.run([tmp_path])
    assert [a.path for a in report.articles] == ["kept.md"]
    (error,) = report.errors
    assert "gone.md" in error and "cannot read" in error
    gone = next(im for im in report.images if im.path == "gone.jpg")
    assert not gone.readable and any("cannot read" in e for e in gone.errors)
    assert next(im for im in report.images if im.path == "kept.jpg").readable
    assert CreditParser.default()  # the rest of the check ran as usual
