"""Inline suppressions: `<!-- provenance: ignore[rule-a, rule-b] reason -->` on or just before a figure.

A comment inside a figure's block, or standing right before it (only white
space or other comments between), silences the named rules for that figure.
The reason is required: a suppression without one is ignored and reported.
"""

from __future__ import annotations

from dataclasses import replace

from lxml.etree import _Element

from provenance.articles.html.text import source_line
from provenance.articles.suppressions import parse_suppression
from provenance.model import Figure, Suppression

MAX_NOTES = 20
"""Warnings about malformed suppression comments reported one by one; the rest are counted."""


def attach_suppressions(
    figures: list[Figure],
    anchors: list[_Element | None],
    comments: list[_Element],
    order: dict[_Element, int],
    warnings: list[str],
) -> list[Figure]:
    """Attach each suppression comment to the figure it stands in or before."""
    extra: dict[int, list[Suppression]] = {}
    notes: list[str] = []
    targets = _Targets(anchors)
    for comment in comments:
        text = comment.text or ""
        if "provenance" not in text[:200].lower():
            continue
        line = source_line(comment)
        sup, warning = parse_suppression(text, line)
        if warning:
            notes.append(warning)
        if sup is None:
            continue
        target = targets.of(comment)
        if target is None:
            notes.append(f"line {line}: provenance suppression is not on or just before a figure; ignored")
            continue
        extra.setdefault(target, []).append(sup)
    warnings.extend(notes[:MAX_NOTES])
    if len(notes) > MAX_NOTES:
        warnings.append(f"{len(notes) - MAX_NOTES} more provenance comments were ignored")
    if not extra:
        return figures
    return [
        replace(fig, suppressions=fig.suppressions + tuple(extra[i])) if i in extra else fig
        for i, fig in enumerate(figures)
    ]


class _Targets:
    """Which figure a comment stands in or before, found in time linear in the document: each anchor's
    ancestors are listed once, and each run of consecutive comments is walked once."""

    def __init__(self, anchors: list[_Element | None]) -> None:
        self.inside: dict[_Element, int] = {}
        """A figure's anchor -> its index (the first figure when two share one)."""
        self.wraps: dict[_Element, int] = {}
        """An anchor or any of its ancestors -> the first figure it holds."""
        for i, anchor in enumerate(anchors):
            if anchor is None:
                continue
            self.inside.setdefault(anchor, i)
            node: _Element | None = anchor
            while node is not None and node not in self.wraps:
                self.wraps[node] = i
                node = node.getparent()
        self._after: dict[_Element, _Element | None] = {}

    def of(self, comment: _Element) -> int | None:
        """The index of the figure `comment` is inside of (closest first), else the one it stands right
        before (the next element is the figure's anchor or holds it); None when neither."""
        node = comment.getparent()
        while node is not None:
            if node in self.inside:
                return self.inside[node]
            node = node.getparent()
        following = self._next_element(comment)
        return None if following is None else self.wraps.get(following)

    def _next_element(self, comment: _Element) -> _Element | None:
        """The element right after a comment when only white space and comments stand between them."""
        walked: list[_Element] = []
        node = comment
        found: _Element | None = None
        while True:
            if node in self._after:
                found = self._after[node]
                break
            walked.append(node)
            if node.tail and node.tail.strip():
                break
            nxt = node.getnext()
            if nxt is None:
                break
            if isinstance(nxt.tag, str):
                found = nxt
                break
            node = nxt
        for seen in walked:
            self._after[seen] = found
        return found
