"""Formatters: one module per output format, each with a `render(report, ...) -> str`, chosen through `Format`.

Every formatter imports only `provenance.model`. `Format.renderer` maps each
choice to its renderer through one `match` that mypy checks for exhaustiveness;
tests check the same at run time.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from provenance.model import Report


@dataclass(frozen=True)
class RenderOptions:
    """How the command line asks for a report to be rendered."""

    color: bool = False
    """Colour terminal text (the CLI sets it only for a terminal)."""
    quiet: bool = False
    """Findings only: no summary line in text and github output (documents such as JSON are unchanged)."""
    cwd: str | None = None
    """The folder that SARIF and GitHub paths are made relative to (None: the current folder)."""


Renderer = Callable[[Report, RenderOptions], str]
"""Renders a report in one format."""


class Format(str, enum.Enum):
    """The `--format` choices."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"
    HTML = "html"

    @property
    def renderer(self) -> Renderer:
        """The function that renders a report in this format (its module imported now: HTML's imports Pillow)."""
        match self:
            case Format.TEXT:
                from provenance.report import text

                return lambda report, o: text.render(report, color=o.color, quiet=o.quiet)
            case Format.JSON:
                from provenance.report import json

                return lambda report, o: json.render(report)
            case Format.SARIF:
                from provenance.report import sarif

                return lambda report, o: sarif.render(report, cwd=o.cwd)
            case Format.JUNIT:
                from provenance.report import junit

                return lambda report, o: junit.render(report)
            case Format.GITHUB:
                from provenance.report import github

                return lambda report, o: github.render(report, quiet=o.quiet, cwd=o.cwd)
            case Format.HTML:
                from provenance.report import html

                return lambda report, o: html.render(report)
            case _:
                _unreachable(self)


def _unreachable(value: NoReturn) -> NoReturn:
    raise AssertionError(f"no renderer for {value!r}")


def render(report: Report, fmt: Format, options: RenderOptions | None = None, *, color: bool = False) -> str:
    """Render `report` in `fmt`."""
    return fmt.renderer(report, options or RenderOptions(color=color))


__all__ = ["Format", "RenderOptions", "Renderer", "render"]
