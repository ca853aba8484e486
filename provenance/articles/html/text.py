"""Readable text of an element, and the class/attribute signals that name what it is."""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml.etree import _Element

SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "button", "svg", "select", "option", "iframe",
        "object", "video", "audio", "canvas", "map", "head", "title", "meta", "link", "input", "textarea",
        "form", "dialog",
    }
)  # fmt: skip
"""Elements whose text a reader never sees as prose."""

INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark", "q",
     "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "del", "ins"}
)  # fmt: skip

_HIDDEN = re.compile(
    r"(?:^|[\s_-])(?:sr-only|visually-?hidden|screen-?reader|hidden|a11y|assistive|d-none)(?:$|[\s_-])"
)

MAX_TEXT = 20_000
"""Longest text kept from one element: no caption is longer, and megabyte text must not be copied around."""

MAX_NODES = 50_000
"""Most nodes visited for one element's text: a subtree of a million empty elements has no caption worth
walking it for (and callers ask for the text of many nested elements)."""


def is_hidden(el: _Element) -> bool:
    """True for text meant only for screen readers or kept hidden ("sr-only", `hidden`, `aria-hidden`)."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    cls = el.get("class")
    return cls is not None and bool(_HIDDEN.search(cls.lower()))


def text_of(el: _Element, skip: Collection[_Element] = (), *, keep_hidden: bool = False) -> str:
    """The visible text of `el` with white space folded, leaving out the `skip` subtrees and non-prose."""
    out: list[str] = []
    size = 0
    visits = 0
    stack: list[tuple[_Element, bool]] = [(el, False)]
    while stack and size < MAX_TEXT and visits < MAX_NODES:
        visits += 1
        node, closing = stack.pop()
        tag = node.tag
        if closing:
            if isinstance(tag, str) and tag not in INLINE_TAGS:
                out.append(" ")
            if node is not el and node.tail:
                out.append(node.tail)
                size += len(node.tail)
            continue
        if not isinstance(tag, str) or (node is not el and (
            tag in SKIP_TAGS or node in skip or (not keep_hidden and is_hidden(node))
        )):
            if node is not el and node.tail:
                out.append(node.tail)
                size += len(node.tail)
            continue
        if tag == "br" or tag not in INLINE_TAGS:
            out.append(" ")
        if node.text:
            out.append(node.text)
            size += len(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return clean("".join(out)[:MAX_TEXT])


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
"""Zero-width spaces, joiners, BOMs and soft hyphens: invisible, yet they break matching."""


def clean(text: str) -> str:
    """Text with invisible characters removed and white space folded to single spaces."""
    return " ".join(text.translate(_INVISIBLE).split())


def signature(el: _Element) -> str:
    """Lower-case class, id, itemprop and role of an element: where publishers say what a block is."""
    get = el.get
    parts = [get("class"), get("id"), get("itemprop"), get("data-testid"), get("data-component")]
    return " ".join(p[:300] for p in parts if p).lower()


def source_line(el: _Element) -> int:
    """1-based line of the page where `el` starts (1 when the parser does not know)."""
    line = getattr(el, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else 1
