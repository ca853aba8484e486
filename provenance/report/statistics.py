"""`--statistics`: how many findings each rule made, most first, as ruff prints them.

    3  PV001  missing-credit   error    A figure that shows the reader no credit.
"""

from __future__ import annotations

from collections import Counter

from provenance.model import Report


def render(report: Report) -> str:
    """One line per rule with findings: count, code, name, severity and summary; a last line of totals."""
    counts = Counter((f.code, f.rule, f.severity.label) for f in report.findings)
    summaries = {r.code: r.summary for r in report.rules}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    if not rows:
        return "no findings\n"
    width = len(str(rows[0][1]))
    names = max(len(rule) for (_, rule, _), _ in rows)
    lines = [f"{count:>{width}}  {code}  {rule:<{names}}  {severity:<7}  {summaries.get(code, '')}".rstrip()
             for (code, rule, severity), count in rows]
    total = sum(counts.values())
    lines.append(f"{total} finding{'s' if total != 1 else ''}")
    return "\n".join(lines) + "\n"
