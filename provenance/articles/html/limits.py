"""Limits checked on a page's text before libxml2 parses it, where its own cost would not be linear.

libxml2's HTML parser compares each attribute of an element with all those before it (duplicates
are dropped), so one element with tens of thousands of attributes takes seconds to parse (64,000
took 6 s), and more takes minutes. No page needs more than a few dozen: a page with an element
holding more than `MAX_ATTRIBUTES` is not parsed. The scan is one linear pass over the tags.
"""

from __future__ import annotations

import re

MAX_ATTRIBUTES = 1000
"""Attributes one element may have."""

_TAG = re.compile(r"<[A-Za-z][^<>]*")
"""A start tag's text up to its end (or the next tag): each character is looked at once."""


def crowded_element(text: str) -> int | None:
    """The line of the first element with more than `MAX_ATTRIBUTES` attributes, or None."""
    for m in _TAG.finditer(text):
        if m.end() - m.start() > 2 * MAX_ATTRIBUTES and text.count("=", m.start(), m.end()) > MAX_ATTRIBUTES:
            return text.count("\n", 0, m.start()) + 1
    return None
