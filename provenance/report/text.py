"""`--format text`: findings grouped by article, `file:line severity rule message`, then a summary.

Colour is used only when the output is a terminal (the CLI decides and passes `color`). With `quiet`,
only the findings are printed, one a line with no heading and no summary: nothing at all when clean.
"""

from __future__ import annotations

from provenance.model import Finding, RefStatus, Report, Severity, joined_path, printable
from provenance.report.warnings import article_warnings

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.NOTE: "\033[36m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def render(report: Report, color: bool = False, quiet: bool = False) -> str:
    """The report as lines of text."""
    if quiet:
        return "".join(_line(f, color) + "\n" for f in report.findings)
    out: list[str] = []
    for error in report.errors:
        out.append(f"error: {printable(error)}")
    groups: dict[tuple[str, str | None], list[Finding]] = {}
    warned: dict[tuple[str, str | None], list[str]] = {}
    for w in article_warnings(report):  # shown with the article's findings, as a line of its own
        loc = joined_path(w.root, w.path) + (f":{w.line}" if w.line else "")
        warned.setdefault((w.root, w.path), []).append(f"{loc}: warning: {w.message}")
        groups.setdefault((w.root, w.path), [])
    for f in report.findings:
        groups.setdefault((f.root, f.article), []).append(f)
    for (root, article), findings in groups.items():
        where = printable(joined_path(root, article) if article else f"{joined_path(root, '')} (media folder)".lstrip())
        out.append(f"{_BOLD}{where}{_RESET}" if color else where)
        out.extend("  " + line for line in warned.get((root, article), ()))
        for f in findings:
            out.append("  " + _line(f, color))
    remote = sum(1 for m in report.matches if m.status is RefStatus.REMOTE)
    s = report.summary
    figures = sum(len(a.figures) for a in report.articles)
    parts = [
        f"{len(report.articles)} article{'s' if len(report.articles) != 1 else ''}",
        f"{figures} figure{'s' if figures != 1 else ''}",
        f"{len(report.images)} image{'s' if len(report.images) != 1 else ''}",
        f"{s.error} error{'s' if s.error != 1 else ''}",
        f"{s.warning} warning{'s' if s.warning != 1 else ''}",
        f"{s.note} note{'s' if s.note != 1 else ''}",
    ]
    if s.suppressed:
        parts.append(f"{s.suppressed} suppressed")
    if s.baselined:
        parts.append(f"{s.baselined} hidden by the baseline")
    if warned:
        count = sum(len(lines) for lines in warned.values())
        parts.append(f"{count} article warning{'s' if count != 1 else ''}")
    if remote:
        parts.append(f"{remote} remote image{'s' if remote != 1 else ''} not checked")
    verdict = "FAILED" if report.failed else "passed"
    if out:
        out.append("")
    out.append(f"{verdict}: " + ", ".join(parts))
    return "\n".join(out) + "\n"


def _line(f: Finding, color: bool) -> str:
    loc = joined_path(f.root, f.article or (f.images[0] if f.images else ""))
    if f.line:
        loc += f":{f.line}"
    sev = f.severity.label
    if color:
        sev = f"{_COLOURS[f.severity]}{sev}{_RESET}"
    return f"{printable(loc)}: {sev} {f.rule} ({f.code}): {printable(f.message)}"
