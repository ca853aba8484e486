"""`--format junit`: JUnit XML, as CI systems (GitLab, Jenkins, Azure, CircleCI) read test reports.

    <testsuites name="provenance" tests= failures= errors= skipped="0">
      <testsuite name="ARTICLE PATH" tests= failures= errors= skipped="0">
        <testcase classname="ARTICLE PATH" name="figure 1: CAPTION..." file="ARTICLE PATH" line="9">
          <failure type="PV001 missing-credit" message="...">every finding at or above the fail level</failure>
          <system-out>findings below the fail level, and suppressed ones with their reason</system-out>
        </testcase>
      </testsuite>
      <testsuite name="FOLDER (media folder)">  one testcase per media-only finding (unused, unreadable image)
      <testsuite name="provenance">  one erroring testcase per file that could not be checked
    </testsuites>

One testsuite per article and one testcase per figure: a figure passes when no
finding at or above the fail level concerns it (`--fail-on never`: every figure
passes, findings are in `<system-out>`). A finding that concerns two figures is
reported on each. Findings hidden by the baseline are left out. No timestamps,
no durations: the same report gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from provenance.model import Article, Finding, Report, escape_controls, joined_path, printable

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even escaped."""


def render(report: Report) -> str:
    """The report as a JUnit XML document."""
    root = ET.Element("testsuites", name="provenance")
    suppressed = [f for f in report.hidden if f.suppressed_by is not None]
    for article in report.articles:
        _article_suite(root, report, article, suppressed)
    media: dict[str, list[Finding]] = {}
    for f in [*report.findings, *suppressed]:
        if f.article is None:
            media.setdefault(f.root, []).append(f)
    for folder, findings in media.items():
        suite = _suite(root, f"{joined_path(folder, '') or '.'} (media folder)")
        for f in findings:
            where = joined_path(folder, f.images[0]) if f.images else folder
            case = _case(suite, where, f"{f.code} {f.rule}: {where}", where, None)
            _outcome(case, report, [f])
    if report.errors:
        suite = _suite(root, "provenance")
        for error in report.errors:
            case = _case(suite, "provenance", error.split(": ", 1)[0], None, None)
            ET.SubElement(case, "error", type="unreadable", message=error).text = error
    _count(root)
    _clean(root)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _article_suite(root: ET.Element, report: Report, article: Article, suppressed: list[Finding]) -> None:
    path = joined_path(article.root, article.path)
    suite = _suite(root, path)
    mine = [f for f in [*report.findings, *suppressed] if f.root == article.root and f.article == article.path]
    for figure in article.figures:
        caption = figure.caption or figure.alt or figure.image_ref or ""
        short = caption if len(caption) <= 60 else caption[:57].rstrip() + "..."
        name = f"figure {figure.index + 1}: {short}" if short else f"figure {figure.index + 1}"
        case = _case(suite, path, name, path, figure.line)
        _outcome(case, report, [f for f in mine if figure.index in f.figures])
    loose = [f for f in mine if not f.figures]
    if loose or not article.figures:
        case = _case(suite, path, "article", path, None)
        _outcome(case, report, loose)


def _suite(root: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=name)


def _case(suite: ET.Element, classname: str, name: str, file: str | None, line: int | None) -> ET.Element:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if file is not None:
        case.set("file", file)
    if line is not None:
        case.set("line", str(line))
    return case


def _outcome(case: ET.Element, report: Report, findings: Iterable[Finding]) -> None:
    failing: list[Finding] = []
    other: list[str] = []
    for f in findings:
        if f.suppressed_by is not None:
            other.append(f"suppressed: {_line(f)} (reason: {f.suppressed_by})")
        elif report.fail_on is not None and f.severity >= report.fail_on:
            failing.append(f)
        else:
            other.append(_line(f))
    if failing:
        first = failing[0]
        message = first.message if len(failing) == 1 else f"{len(failing)} findings; first: {first.message}"
        kinds = " ".join(dict.fromkeys(f"{f.code} {f.rule}" for f in failing))
        failure = ET.SubElement(case, "failure", type=kinds, message=message)
        failure.text = "\n".join(_line(f) for f in failing)
    if other:
        ET.SubElement(case, "system-out").text = "\n".join(other)


def _line(f: Finding) -> str:
    where = joined_path(f.root, f.article or (f.images[0] if f.images else ""))
    if f.line:
        where += f":{f.line}"
    return f"{printable(where)}: {f.severity.label} {f.rule} ({f.code}): {printable(f.message)}"


def _clean(element: ET.Element) -> None:
    """Show control characters, line separators and bidirectional overrides from the input (a caption,
    a file name) as visible escapes, as every other format does; the report's own line breaks stay.
    What XML cannot hold even then becomes U+FFFD."""
    for node in element.iter():
        if node.text:
            lines = node.text.split("\n")
            node.text = _NOT_XML.sub("\ufffd", "\n".join(escape_controls(line) for line in lines))
        for key, value in node.attrib.items():
            node.set(key, _NOT_XML.sub("\ufffd", escape_controls(value)))


def _count(root: ET.Element) -> None:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        counts = {
            "tests": len(suite),
            "failures": sum(1 for c in suite if c.find("failure") is not None),
            "errors": sum(1 for c in suite if c.find("error") is not None),
            "skipped": 0,
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
