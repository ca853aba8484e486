"""SARIF 2.1.0: schema-valid, and carrying what GitHub code scanning needs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED

from provenance.model import Report, Severity
from provenance.pipeline import CheckOptions, run
from provenance.report import Format, RenderOptions, render
from provenance.report.sarif import FINGERPRINT_KEY, to_sarif
from provenance.rules import ALL_RULES

SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
BAD = FIXTURES / "rules"


def _report(*paths: Path, **options: object) -> Report:
    return run(list(paths), CheckOptions(**options))  # type: ignore[arg-type]


def _sarif(report: Report, cwd: Path) -> dict:
    return json.loads(render(report, Format.SARIF, RenderOptions(cwd=str(cwd))))


def test_validates_against_the_sarif_schema(tmp_path) -> None:
    if not SCHEMA.is_file():
        pytest.skip("../shared/schemas/sarif-schema-2.1.0.json is not beside the project")
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    folder = _suppressed_copy(tmp_path)
    reports = [
        _report(BAD / "reused-photo" / "bad-md", BAD / "unused-image" / "bad-md", BAD / "missing-image" / "bad-md"),
        _report(folder),
        _report(BAD / "missing-credit" / "clean-md"),
    ]
    for report in reports:
        jsonschema.validate(_sarif(report, FIXTURES.parent), schema)


def test_github_required_fields(tmp_path) -> None:
    report = _report(BAD / "missing-credit" / "bad-md", BAD / "unused-image" / "bad-md")
    sarif = to_sarif(report, cwd=str(FIXTURES.parent))
    assert sarif["version"] == "2.1.0" and sarif["$schema"]
    (run_,) = sarif["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert run_["tool"]["driver"]["name"] == "provenance"
    assert [r["id"] for r in rules] == [r.code for r in ALL_RULES]
    for rule, known in zip(rules, ALL_RULES, strict=True):
        assert rule["name"] == known.name
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert "How to fix" in rule["help"]["text"] and "## How to fix" in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == known.severity.label
    results = run_["results"]
    assert {r["ruleId"] for r in results} >= {"PV001", "PV008"}
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        assert not physical["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert result["partialFingerprints"][FINGERPRINT_KEY]
    credit = next(r for r in results if r["ruleId"] == "PV001")
    where = credit["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "fixtures/rules/missing-credit/bad-md/article.md"
    assert where["region"]["startLine"] == 9
    assert [rel["physicalLocation"]["artifactLocation"]["uri"] for rel in credit["relatedLocations"]] == [
        "fixtures/rules/missing-credit/bad-md/coffee.jpg"]
    unused = next(r for r in results if r["ruleId"] == "PV008")  # no article: the image is the location
    assert unused["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "fixtures/rules/unused-image/bad-md/rocket.jpg")
    assert "%SRCROOT%" in run_["originalUriBaseIds"]


def test_paths_relative_to_the_checked_folder_when_outside_the_current_one(tmp_path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(BAD / "missing-credit" / "bad-md", folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sarif = to_sarif(_report(folder), cwd=str(elsewhere))
    (result,) = sarif["runs"][0]["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == "article.md"
    base = sarif["runs"][0]["originalUriBaseIds"][artifact["uriBaseId"]]["uri"]
    assert base.startswith("file://") and base.endswith("/articles/")
    # from the folder above, the same finding is articles/article.md
    sarif = to_sarif(_report(folder), cwd=str(tmp_path))
    artifact = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == "articles/article.md"


def test_fingerprint_ignores_lines_and_severity_follows_configuration(tmp_path) -> None:
    folder = tmp_path / "story"
    shutil.copytree(BAD / "missing-credit" / "bad-md", folder)
    before = to_sarif(_report(folder), cwd=str(tmp_path))["runs"][0]["results"][0]
    article = folder / "article.md"
    article.write_text("Another paragraph first.\n\n" + article.read_text(encoding="utf-8"), encoding="utf-8")
    after = to_sarif(_report(folder, severity={"missing-credit": Severity.WARNING}), cwd=str(tmp_path))
    result = after["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == \
        before["locations"][0]["physicalLocation"]["region"]["startLine"] + 2
    assert result["partialFingerprints"] == before["partialFingerprints"]
    assert result["level"] == "warning"
    assert after["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["defaultConfiguration"]["level"] == \
        "warning"


def _suppressed_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "suppressed"
    shutil.copytree(BAD / "missing-credit" / "bad-md", folder)
    article = folder / "article.md"
    text = article.read_text(encoding="utf-8").replace(
        "![A cup", "<!-- provenance: ignore[missing-credit] handout photo, credit agreed -->\n![A cup")
    article.write_text(text, encoding="utf-8")
    return folder


def test_inline_suppression_is_an_in_source_suppression(tmp_path) -> None:
    report = _report(_suppressed_copy(tmp_path))
    assert report.findings == () and report.summary.suppressed == 1
    (result,) = to_sarif(report, cwd=str(tmp_path))["runs"][0]["results"]
    assert result["ruleId"] == "PV001"
    assert result["suppressions"] == [{"kind": "inSource", "justification": "handout photo, credit agreed"}]


def test_disabled_rules_are_listed_as_disabled() -> None:
    report = _report(BAD / "missing-credit" / "bad-md", ignore=frozenset({"missing-credit"}))
    sarif = to_sarif(report, cwd=str(FIXTURES.parent))
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["PV001"]["defaultConfiguration"]["enabled"] is False
    assert rules["PV002"]["defaultConfiguration"]["enabled"] is True
    assert sarif["runs"][0]["results"] == []


def test_cli_writes_sarif_to_a_file(cli, tmp_path) -> None:
    out = tmp_path / "out" / "provenance.sarif"
    run_ = cli("check", "--format", "sarif", "--output", out, BAD / "missing-credit" / "bad-md")
    assert run_.code == 1 and run_.out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"][0]["ruleId"] == "PV001"
    assert [p.name for p in out.parent.iterdir()] == ["provenance.sarif"]  # no temporary file left
