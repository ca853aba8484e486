"""Whether to colour terminal output: `--color auto|always|never`, `NO_COLOR` and `FORCE_COLOR`.

`always` and `never` decide. `auto` colours a terminal, except when `NO_COLOR` is set to anything but
the empty string (https://no-color.org); `FORCE_COLOR` set the same way colours even a pipe, as ruff
and pytest read it. `NO_COLOR` wins over `FORCE_COLOR`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

CHOICES = ("auto", "always", "never")


def use_color(choice: str, stream: TextIO, environ: Mapping[str, str]) -> bool:
    """True when output written to `stream` should be coloured."""
    if choice == "always":
        return True
    if choice == "never" or environ.get("NO_COLOR", ""):
        return False
    if environ.get("FORCE_COLOR", ""):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
