"""Inline suppressions: `<!-- provenance: ignore[rule-name] reason -->`.

Written on a figure's line or just before it in Markdown or HTML, such a
comment silences the named rules (names or codes, comma-separated) for that
figure. The reason is required: a comment without one silences nothing and is
reported as a warning of the article.
"""

from __future__ import annotations

import re

from provenance.model import Suppression

_SUPPRESSION = re.compile(r"^\s*provenance\s*:\s*ignore\s*\[([^\]]*)\](.*)$", re.IGNORECASE | re.DOTALL)
_MENTION = re.compile(r"^\s*provenance\s*:", re.IGNORECASE)
_COMMENT_OPEN = "<!--"
_COMMENT_CLOSE = "-->"

MAX_REASON = 500
"""Longest reason kept, in characters."""


def parse_suppression(text: str, line: int) -> tuple[Suppression | None, str | None]:
    """The suppression a comment's inner text writes, or a warning when it is malformed.

    (None, None) when the comment is not a provenance comment at all.
    """
    if not _MENTION.match(text):
        return None, None
    m = _SUPPRESSION.match(text)
    if not m:
        return None, f"line {line}: provenance comment not understood (expected 'provenance: ignore[rule] reason')"
    # rule names are case-insensitive kebab-case, codes are "PV" and digits
    names = (r.strip().lower() for r in m.group(1).split(",") if r.strip())
    rules = tuple(r.upper() if re.fullmatch(r"pv\d+", r) else r for r in names)
    reason = " ".join(m.group(2).strip().lstrip(" -–—:").split())
    if not rules:
        return None, f"line {line}: provenance suppression names no rule; ignored"
    if not reason:
        return None, f"line {line}: provenance suppression of {', '.join(rules)} gives no reason; ignored"
    return Suppression(rules=rules, reason=reason[:MAX_REASON], line=line), None


def html_comments(text: str) -> list[tuple[int, str]]:
    """(offset, inner text) of every `<!-- ... -->` comment, in one linear pass.

    An unclosed `<!--` ends the scan: nothing after it can close a comment (a regular
    expression would look for the end again from every later `<!--`, quadratic time).
    """
    out: list[tuple[int, str]] = []
    pos = 0
    while True:
        start = text.find(_COMMENT_OPEN, pos)
        if start < 0:
            break
        end = text.find(_COMMENT_CLOSE, start + len(_COMMENT_OPEN))
        if end < 0:
            break
        out.append((start, text[start + len(_COMMENT_OPEN) : end]))
        pos = end + len(_COMMENT_CLOSE)
    return out


def parse_suppressions(text: str) -> tuple[list[Suppression], list[str]]:
    """Every well-formed suppression comment in a text, with its line, and warnings for malformed ones."""
    found: list[Suppression] = []
    warnings: list[str] = []
    line, counted = 1, 0
    for start, inner in html_comments(text):
        line += text.count("\n", counted, start)  # counted on from the previous comment: linear
        counted = start
        sup, warning = parse_suppression(inner, line)
        if sup is not None:
            found.append(sup)
        if warning is not None:
            warnings.append(warning)
    return found, warnings
