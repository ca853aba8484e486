"""`--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

    ::error file=articles/story.md,line=9,title=missing-credit (PV001)::Figure 1 shows no credit

Errors are `::error`, warnings `::warning`, notes `::notice`. A media-only finding
points at its image. Data is escaped as GitHub's toolkit does (`%`, CR and LF as
`%25`, `%0D`, `%0A`; in properties also `:` and `,` as `%3A`, `%2C`). Paths are
relative to the current folder when inside it (the repository root in a workflow).

GitHub shows at most 10 annotations of each kind per step: every finding is
still written to the log, and a line says how many of a kind went past that
limit. The last line is the summary; `quiet` leaves out both.
"""

from __future__ import annotations

import os

from provenance.model import Finding, Report, Severity, escape_controls, joined_path, workspace_path
from provenance.report.warnings import article_warnings

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
"""Severity -> workflow command."""
ANNOTATION_LIMIT = 10
"""Annotations of one kind that GitHub shows per step."""


def escape_data(value: str) -> str:
    """Escape a workflow command's message (other control characters as `model.escape_controls` shows them)."""
    return escape_controls(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: str) -> str:
    """Escape a workflow command's property value (file, title)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line: `::name key=value,...::message`."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def render(report: Report, quiet: bool = False, cwd: str | None = None) -> str:
    """The report as workflow commands, one a line."""
    base = cwd if cwd is not None else os.getcwd()
    lines: list[str] = []
    for error in report.errors:
        lines.append(command("error", error, title="provenance: file not checked"))
    counts = {s: 0 for s in Severity}
    for w in article_warnings(report):
        counts[Severity.WARNING] += 1
        path = workspace_path(w.root, w.path, base) or joined_path(w.root, w.path)
        lines.append(command("warning", w.message, file=path, line=w.line, title="provenance: article warning"))
    for f in report.findings:
        counts[f.severity] += 1
        lines.append(_annotation(f, base))
    if quiet:
        return "".join(line + "\n" for line in lines)
    for severity in sorted(Severity, reverse=True):
        if counts[severity] > ANNOTATION_LIMIT:
            name = COMMANDS[severity]
            lines.append(f"provenance: {counts[severity]} {name}s; GitHub shows the first {ANNOTATION_LIMIT} "
                         f"as annotations, every one is listed above")
    s = report.summary
    parts = [f"{s.error} error(s)", f"{s.warning} warning(s)", f"{s.note} note(s)"]
    if s.suppressed:
        parts.append(f"{s.suppressed} suppressed")
    if s.baselined:
        parts.append(f"{s.baselined} hidden by the baseline")
    lines.append(f"provenance: {'FAILED' if report.failed else 'passed'}: {', '.join(parts)}")
    return "".join(line + "\n" for line in lines)


def _annotation(f: Finding, cwd: str) -> str:
    rel = f.article or (f.images[0] if f.images else "")
    if rel[:8].lower().startswith(("http://", "https://")):  # a URL article: no file of the repository to annotate
        where = f"{rel}:{f.line}" if f.line and f.article else rel
        return command(COMMANDS[f.severity], f"{where}: {f.message}", title=f"{f.rule} ({f.code})")
    path = workspace_path(f.root, rel, cwd) or joined_path(f.root, rel)
    return command(COMMANDS[f.severity], f.message, file=path, line=f.line if f.article else None,
                   title=f"{f.rule} ({f.code})")
