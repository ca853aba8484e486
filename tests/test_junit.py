"""JUnit XML: one suite per article, one case per figure, failures at or above the fail level."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from conftest import FIXTURES

BAD = FIXTURES / "rules"


def _xml(cli, *args) -> ET.Element:
    run = cli("check", "--format", "junit", *args)
    assert run.out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(run.out.encode("utf-8"))


def test_suites_cases_and_failures(cli) -> None:
    root = _xml(cli, BAD / "missing-credit" / "bad-md", BAD / "missing-caption" / "bad-md")
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    credit = suites[str(BAD / "missing-credit" / "bad-md" / "article.md")]
    (case,) = credit.findall("testcase")
    assert case.get("name", "").startswith("figure 1: A cup of coffee")
    assert case.get("line") == "9"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "PV001 missing-credit"
    assert "shows no credit" in (failure.get("message") or "")
    assert credit.get("failures") == "1" and credit.get("tests") == "1"
    # a warning under the default fail level is output, not a failure
    caption = suites[str(BAD / "missing-caption" / "bad-md" / "article.md")]
    (case,) = caption.findall("testcase")
    assert case.find("failure") is None
    assert "missing-caption (PV003)" in (case.findtext("system-out") or "")
    assert root.get("failures") == "1" and int(root.get("tests") or 0) == 2


def test_fail_level_and_media_only_findings(cli) -> None:
    root = _xml(cli, "--fail-on", "note", BAD / "unused-image" / "bad-md")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    media = suites[f"{BAD / 'unused-image' / 'bad-md'} (media folder)"]
    (case,) = media.findall("testcase")
    assert "rocket.jpg" in (case.get("name") or "")
    assert case.find("failure") is not None  # a note fails at --fail-on note
    root = _xml(cli, "--fail-on", "never", BAD / "missing-credit" / "bad-md")
    assert root.get("failures") == "0"
    assert "missing-credit" in (root.find("testsuite/testcase/system-out").text or "")  # type: ignore[union-attr]


def test_suppressed_findings_show_their_reason(cli, tmp_path) -> None:
    shutil.copytree(BAD / "missing-credit" / "bad-md", tmp_path / "a")
    article = tmp_path / "a" / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "![A cup", "<!-- provenance: ignore[PV001] handout -->\n![A cup"), encoding="utf-8")
    root = _xml(cli, tmp_path / "a")
    case = root.find("testsuite/testcase")
    assert case is not None and case.find("failure") is None
    assert "(reason: handout)" in (case.findtext("system-out") or "")


def test_unreadable_article_is_an_error_case(cli, tmp_path) -> None:
    (tmp_path / "broken.md").symlink_to(tmp_path / "missing.md")
    root = _xml(cli, tmp_path)
    assert root.get("errors") == "1"
    assert root.find("testsuite/testcase/error") is not None


def test_control_characters_do_not_break_the_xml(cli, tmp_path) -> None:
    (tmp_path / "article.md").write_text("Body text.\n\n![](x.jpg)\n*A caption \x07 with a bell.*\n", encoding="utf-8")
    root = _xml(cli, tmp_path)
    assert "A caption \\x07 with a bell." in (root.find("testsuite/testcase").get("name") or "")  # type: ignore[union-attr]


def test_junitparser_reads_it(cli, tmp_path) -> None:
    junitparser = pytest.importorskip("junitparser", reason="junitparser is not installed")
    out = tmp_path / "junit.xml"
    cli("check", "--format", "junit", "--output", out, BAD / "missing-credit" / "bad-md",
        BAD / "repeated-caption" / "bad-md")
    xml = junitparser.JUnitXml.fromfile(str(out))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 3
    failed = [case for case in cases if not case.is_passed]
    assert len(failed) == 1 and failed[0].result[0].type == "PV001 missing-credit"
