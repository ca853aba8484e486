"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run. `tool.driver.rules` lists every rule (id = code, name, short and full
description, help as text and Markdown, default level, enabled). Each result has
`ruleId`, `ruleIndex`, `level`, `message`, one physical location (the article
and line; a finding with no article points at its image, line 1) with the
images concerned as `relatedLocations`, and `partialFingerprints` from the
finding's fingerprint, which ignores line numbers. Findings silenced by an
inline comment are results with `suppressions: [{kind: "inSource", justification}]`;
findings hidden by the baseline are left out (`run.properties.summary.baselined`
counts them).

Paths: a file inside the current folder gets a URI relative to it (so
`provenance check articles/` run from a repository's root writes
`articles/story.md`, which GitHub resolves against the checkout), with
`uriBaseId` `%SRCROOT%`; a file outside gets a URI relative to its checked
folder, with a `ROOTn` base. `originalUriBaseIds` gives each base as an absolute
`file://` URI.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from provenance.model import Finding, Report, RuleInfo, Severity, json_visible, workspace_path
from provenance.report.json import summary_dict
from provenance.report.warnings import article_warnings

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
"""The `$schema` written into every SARIF file."""
FINGERPRINT_KEY = "provenanceFindingHash/v1"
"""The `partialFingerprints` key holding `Finding.fingerprint`."""
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
"""Severity -> SARIF level."""


def render(report: Report, cwd: str | None = None) -> str:
    """The report as a SARIF 2.1.0 log (indented JSON)."""
    return json_visible(json.dumps(to_sarif(report, cwd), indent=2, ensure_ascii=False)) + "\n"


def to_sarif(report: Report, cwd: str | None = None) -> dict[str, Any]:
    """The SARIF log as plain data; paths are made relative to `cwd` (default: the current folder)."""
    locator = _Locator(report, cwd if cwd is not None else os.getcwd())
    rules = list(report.rules)
    index = {r.code: i for i, r in enumerate(rules)}
    results = [_result(f, index, locator) for f in report.findings]
    results += [_result(f, index, locator) for f in report.hidden if f.suppressed_by is not None]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "provenance",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": [_rule(r) for r in rules],
            }
        },
        "invocations": [{
            "executionSuccessful": not report.errors,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": error}} for error in report.errors
            ] + [
                {"level": "warning", "message": {"text": w.message}, "locations": [{"physicalLocation": {
                    "artifactLocation": locator.locate(w.root, w.path), "region": {"startLine": w.line or 1}}}]}
                for w in article_warnings(report)
            ],
        }],
        "results": results,
        "properties": {
            "summary": summary_dict(report)
        },
    }
    if locator.bases:
        run["originalUriBaseIds"] = {name: {"uri": uri} for name, uri in locator.bases.items()}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _section(rule.doc, "What it flags") or rule.summary},
        "help": {"text": rule.doc or rule.summary, "markdown": _markdown(rule.doc) or rule.summary},
        **({"helpUri": rule.help_uri} if rule.help_uri else {}),
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.enabled},
        "properties": {"tags": ["provenance", "photos"]},
    }


def _result(finding: Finding, index: dict[str, int], locator: _Locator) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    images = [loc for loc in (locator.image(*at) for at in finding.image_locations()) if loc is not None]
    if finding.article is not None:
        primary: dict[str, Any] | None = locator.locate(finding.root, finding.article)
    else:
        primary = images.pop(0) if images else None
    if primary is not None:
        result["locations"] = [{
            "physicalLocation": {"artifactLocation": primary, "region": {"startLine": finding.line or 1}}
        }]
    if images:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": {"artifactLocation": loc}, "message": {"text": "image"}}
            for i, loc in enumerate(images, start=1)
        ]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    result["properties"] = {"rule": finding.rule, "figures": list(finding.figures)}
    if finding.suppressed_by is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed_by}]
    return result


class _Locator:
    """Turns (checked folder, relative path) into SARIF artifact locations, collecting the URI bases."""

    def __init__(self, report: Report, cwd: str) -> None:
        self.report = report
        self.cwd = cwd
        self.bases: dict[str, str] = {}
        self._roots: dict[str, str] = {}

    def locate(self, root: str, rel: str) -> dict[str, Any]:
        if rel[:8].lower().startswith(("http://", "https://")):  # a URL article or a fetched image
            return {"uri": rel}
        inside = workspace_path(root, rel, self.cwd)
        if inside is not None:
            self.bases.setdefault("%SRCROOT%", _file_uri(self.cwd))
            return {"uri": quote(inside), "uriBaseId": "%SRCROOT%"}
        if root not in self._roots:
            name = f"ROOT{len(self._roots)}"
            self._roots[root] = name
            self.bases[name] = _file_uri(os.path.join(self.cwd, root))
        return {"uri": quote(rel), "uriBaseId": self._roots[root]}

    def image(self, root: str, path: str) -> dict[str, Any] | None:
        """Where an image of a finding is; None when no such file was read (a missing reference)."""
        record = self.report.image(root, path)
        return None if record is None else self.locate(record.root, record.path)


def _file_uri(folder: str) -> str:
    path = PurePosixPath(os.path.abspath(folder).replace("\\", "/")).as_posix()
    if not path.startswith("/"):
        path = "/" + path
    return "file://" + quote(path.rstrip("/") + "/")


def _sections(doc: str) -> list[tuple[str, list[str]]]:
    """A rule doc's parts: (heading, lines); the first has the heading ""."""
    parts: list[tuple[str, list[str]]] = [("", [])]
    for line in doc.splitlines():
        if line and not line[0].isspace() and _is_heading(line):
            parts.append((line.strip(), []))
        else:
            parts[-1][1].append(line)
    return parts


def _is_heading(line: str) -> bool:
    return line.strip() in ("What it flags", "Why it matters", "Example", "How to fix")


def _section(doc: str, heading: str) -> str:
    for name, lines in _sections(doc):
        if name == heading:
            return " ".join(" ".join(lines).split())
    return ""


def _markdown(doc: str) -> str:
    out: list[str] = []
    for name, lines in _sections(doc):
        body = "\n".join(lines).strip("\n")
        if not name:
            if body.strip():
                out.append(" ".join(body.split()))
            continue
        out.append(f"## {name}")
        if name == "Example":
            out.append("```text\n" + textwrap.dedent(body) + "\n```")
        else:
            out.extend(" ".join(p.split()) for p in body.split("\n\n") if p.strip())
    return "\n\n".join(out) + ("\n" if out else "")
