"""YAML front matter, read without the YAML features a hostile article could use against the reader.

PyYAML's safe loader still expands aliases: a few hundred bytes of anchors referring to anchors
(`a: &a [x, x]`, `b: &b [*a, *a]`, ...) make a structure of billions of nodes as soon as it is
walked (`str(data["title"])`). Front matter needs none of it, so `AliasFreeLoader` refuses every
anchor and alias while composing, before anything is built; the block is also bounded in size.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 64 * 1024
"""Front matter longer than this (in characters) is not read."""


class FrontMatterError(Exception):
    """Front matter that is not read; the message is one line."""


class AliasFreeLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that stops at the first anchor (`&name`) or alias (`*name`)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML types no event API
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            raise FrontMatterError(f"YAML anchors and aliases (&name, *name) are not read (line {mark.line + 1})")
        return super().compose_node(parent, index)


def load(text: str) -> Any:
    """The YAML value of a front matter block; raises `FrontMatterError` (anchors, aliases, size) or
    `yaml.YAMLError`."""
    if len(text) > MAX_BYTES:
        raise FrontMatterError(f"longer than {MAX_BYTES // 1024} KB; not read")
    return yaml.load(text, Loader=AliasFreeLoader)


def scalar(value: Any) -> str | None:
    """A title as text, when it is one value (not a list or table)."""
    if value is None or isinstance(value, list | dict):
        return None
    return str(value)
