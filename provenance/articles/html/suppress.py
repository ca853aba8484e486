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


def _next_element(comment: _Element) -> _Element | None:
    """The element right after a comment when only white space and comments stand between them."""
    node = comment
    while True:
        if node.tail and node.tail.strip():
            return None
        nxt = node.getnext()
        if nxt is None:
            return None
        if isinstance(nxt.tag, str):
            return nxt
        node = nxt


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
        target = _target(comment, anchors)
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


def _target(comment: _Element, anchors: list[_Element | None]) -> int | None:
    # inside a figure's block
    node = comment.getparent()
    while node is not None:
        for i, anchor in enumerate(anchors):
            if anchor is node:
                return i
        node = node.getparent()
    # just before one: the next element is the figure, or wraps it first thing
    following = _next_element(comment)
    if following is None:
        return None
    for i, anchor in enumerate(anchors):
        if anchor is None:
            continue
        walk: _Element | None = anchor
        while walk is not None:
            if walk is following:
                return i
            walk = walk.getparent()
    return None
