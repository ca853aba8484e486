"""Formatters: one module per output format, each `render(report) -> str`, chosen through `Format`."""

from __future__ import annotations

import enum
from collections.abc import Callable

from provenance.model import Report


class Format(str, enum.Enum):
    """The `--format` choices."""

    TEXT = "text"
    JSON = "json"
    HTML = "html"

    @property
    def renderer(self) -> Callable[[Report], str]:
        """The function that renders a report in this format."""
        from provenance.report import html, json, text

        renderers: dict[Format, Callable[[Report], str]] = {
            Format.TEXT: text.render,
            Format.JSON: json.render,
            Format.HTML: html.render,
        }
        return renderers[self]


def render(report: Report, fmt: Format, *, color: bool = False) -> str:
    """Render `report` in `fmt`; `color` only affects terminal text."""
    if fmt is Format.TEXT:
        from provenance.report import text

        return text.render(report, color=color)
    return fmt.renderer(report)


__all__ = ["Format", "render"]
