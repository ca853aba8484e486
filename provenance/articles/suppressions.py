"""Inline suppressions: `<!-- provenance: ignore[rule-name] reason -->`.

Written on a figure's line or just before it in Markdown or HTML, such a
comment silences the named rules (names or codes, comma-separated) for that
figure. The reason is required: a comment without one silences nothing.
"""

from __future__ import annotations

import re

from provenance.model import Suppression

SUPPRESSION = re.compile(
    r"<!--\s*provenance\s*:\s*ignore\s*\[([^\]]*)\]\s*(.*?)\s*-->", re.IGNORECASE | re.DOTALL
)


def parse_comment(comment: str, line: int) -> Suppression | None:
    """The suppression a comment holds, or None when it holds none (or no reason)."""
    m = SUPPRESSION.search(comment if comment.lstrip().startswith("<!--") else f"<!--{comment}-->")
    if not m:
        return None
    rules = tuple(r.strip().lower() for r in m.group(1).split(",") if r.strip())
    reason = " ".join(m.group(2).split())
    if not rules or not reason:
        return None
    return Suppression(rules=tuple(r.upper() if re.fullmatch(r"pv\d+", r) else r for r in rules),
                       reason=reason, line=line)


def parse_suppressions(text: str) -> list[Suppression]:
    """Every well-formed suppression comment in a text, with its line."""
    found = []
    for m in SUPPRESSION.finditer(text):
        s = parse_comment(m.group(0), text.count("\n", 0, m.start()) + 1)
        if s is not None:
            found.append(s)
    return found
