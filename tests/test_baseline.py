"""Baselines: written stable, they hide known findings (also after a figure moves) and report new ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES

from provenance.baseline import FORMAT, VERSION

BAD_CREDIT = FIXTURES / "rules" / "missing-credit" / "bad-md"


def _copy(tmp_path: Path, fixture: Path = BAD_CREDIT, name: str = "story") -> Path:
    folder = tmp_path / name
    shutil.copytree(fixture, folder)
    return folder


def test_baseline_bytes_are_stable(cli, tmp_path) -> None:
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    paths = [FIXTURES / "rules" / "reused-photo" / "bad-md", FIXTURES / "rules" / "unused-image" / "bad-md",
             BAD_CREDIT]
    run = cli("baseline", *paths, "--write", first)
    assert run.code == 0 and "wrote" in run.err and run.out == ""
    assert cli("baseline", *paths, "--write", second).code == 0
    assert first.read_bytes() == second.read_bytes()
    doc = json.loads(first.read_text(encoding="utf-8"))
    assert (doc["format"], doc["version"]) == (FORMAT, VERSION)
    entries = doc["findings"]
    assert entries and all(set(e) == {"rule", "code", "article", "images", "fingerprint"} for e in entries)
    assert entries == sorted(entries, key=lambda e: (e["article"] or "", e["code"], e["fingerprint"], e["images"]))
    assert '"line"' not in first.read_text(encoding="utf-8")


def test_baseline_hides_known_findings_after_a_figure_moves(cli, tmp_path) -> None:
    folder = _copy(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert cli("check", folder).code == 1
    assert cli("baseline", folder, "--write", baseline).code == 0
    article = folder / "article.md"
    text = article.read_text(encoding="utf-8")
    moved = text.replace("The city council met on Tuesday to discuss the new harbour bridge.\n",
                         "The city council met on Tuesday to discuss the new harbour bridge.\n\n"
                         "A second paragraph pushes the figure down.\n\nAnd a third one.\n")
    assert moved != text
    article.write_text(moved, encoding="utf-8")
    run = cli("check", "--format", "json", "--baseline", baseline, folder)
    report = run.json()
    assert run.code == 0 and report["findings"] == []
    assert report["summary"]["baselined"] == 1
    (hidden,) = report["suppressed"]
    assert hidden["rule"] == "missing-credit" and "reason" not in hidden
    text_run = cli("check", "--baseline", baseline, folder)
    assert "1 hidden by the baseline" in text_run.out


def test_new_findings_are_still_reported(cli, tmp_path) -> None:
    folder = _copy(tmp_path)
    baseline = tmp_path / "baseline.json"
    cli("baseline", folder, "--write", baseline)
    article = folder / "article.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\n![](coffee.jpg)\n*Another uncredited cup of coffee.*\n", encoding="utf-8")
    report = cli("check", "--format", "json", "--baseline", baseline, folder).json()
    (new,) = [f for f in report["findings"] if f["rule"] == "missing-credit"]
    assert "Another uncredited" in new["message"]
    assert report["summary"]["baselined"] == 1


def test_a_different_photo_is_a_new_finding(cli, tmp_path) -> None:
    folder = _copy(tmp_path)
    baseline = tmp_path / "baseline.json"
    cli("baseline", folder, "--write", baseline)
    shutil.copy(FIXTURES / "library" / "rocket.jpg", folder / "coffee.jpg")  # same name, other content
    assert cli("check", "--baseline", baseline, folder).code == 1


def test_bad_baseline_exits_2(cli, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    for text, problem in [("{", "invalid JSON"), ('{"format": "x"}', "not a baseline"),
                          (json.dumps({"format": FORMAT, "version": 99, "findings": []}), "version 99"),
                          (json.dumps({"format": FORMAT, "version": VERSION, "findings": [{}]}), "fingerprint")]:
        bad.write_text(text, encoding="utf-8")
        run = cli("check", "--baseline", bad, BAD_CREDIT)
        assert run.code == 2 and "bad.json" in run.err and problem in run.err, run.err
    run = cli("check", "--baseline", tmp_path / "absent.json", BAD_CREDIT)
    assert run.code == 2 and "absent.json" in run.err
    assert cli("baseline", BAD_CREDIT).code == 2  # --write is required
