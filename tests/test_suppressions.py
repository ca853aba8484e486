"""Inline suppressions in Markdown: the reason travels to JSON, SARIF and text; no reason, no silence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

BAD_CREDIT = FIXTURES / "rules" / "missing-credit" / "bad-md"
FIGURE = "![A cup"


def _with_comment(tmp_path: Path, comment: str, before: str = "\n") -> Path:
    folder = tmp_path / "story"
    shutil.copytree(BAD_CREDIT, folder)
    article = folder / "article.md"
    text = article.read_text(encoding="utf-8")
    assert FIGURE in text
    article.write_text(text.replace(FIGURE, f"{comment}{before}{FIGURE}"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("rule", ["missing-credit", "PV001", "pv001", "missing-caption, missing-credit"])
def test_suppression_hides_the_finding_and_keeps_its_reason(cli, tmp_path, rule: str) -> None:
    comment = f"<!-- provenance: ignore[{rule}] handout photo, credit agreed with the family -->"
    folder = _with_comment(tmp_path, comment)
    run = cli("check", "--format", "json", folder)
    report = run.json()
    assert run.code == 0 and report["findings"] == []
    (hidden,) = report["suppressed"]
    assert hidden["rule"] == "missing-credit"
    assert hidden["reason"] == "handout photo, credit agreed with the family"
    assert report["summary"]["suppressed"] == 1 and report["summary"]["baselined"] == 0


def test_suppression_on_the_figure_line(cli, tmp_path) -> None:
    folder = _with_comment(tmp_path, "<!-- provenance: ignore[missing-credit] pool photo -->", before=" ")
    assert cli("check", folder).code == 0


def test_suppression_in_sarif_and_text(cli, tmp_path) -> None:
    folder = _with_comment(tmp_path, "<!-- provenance: ignore[missing-credit] pool photo -->")
    sarif = json.loads(cli("check", "--format", "sarif", folder).out)
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "pool photo"}]
    assert "1 suppressed" in cli("check", folder).out


def test_no_reason_silences_nothing(cli, tmp_path) -> None:
    folder = _with_comment(tmp_path, "<!-- provenance: ignore[missing-credit] -->")
    report = cli("check", "--format", "json", folder).json()
    assert [f["rule"] for f in report["findings"]] == ["missing-credit"] and report["suppressed"] == []


def test_other_rules_and_far_comments_do_not_silence(cli, tmp_path) -> None:
    folder = _with_comment(tmp_path, "<!-- provenance: ignore[missing-caption] not this one -->")
    assert cli("check", folder).code == 1
    far = _with_comment(tmp_path / "far", "<!-- provenance: ignore[missing-credit] too far -->", before="\n\n\n\n")
    assert cli("check", far).code == 1
