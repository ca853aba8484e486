"""A one-line progress bar on stderr, for runs long enough to wonder about.

It shows only when the stream is a terminal, and only once the run has taken
more than `DELAY` seconds or has more than `MANY` files to read; it redraws
itself with `\\r` and erases itself when done, so nothing of it is left in the
output. Tests and CI (no terminal) never see it. It counts files while they are
read, then the pairs of images the reused-photo rule compares (a large gallery's
pairs take seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

DELAY = 0.5
"""Seconds after which a run still going shows the bar."""
MANY = 20
"""Files to read past which the bar shows at once."""
WIDTH = 30
"""Characters of the bar itself."""


class ProgressBar:
    """A `pipeline.Progress` callback drawing `[#####.....] 12/40 files` on a terminal (or "pairs")."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.enabled = _is_terminal(stream)
        self.shown = False
        self._last = ""

    def __call__(self, done: int, total: int, unit: str = "files") -> None:
        if not self.enabled:
            return
        if not self.shown and (unit != "files" or total <= MANY) and self.clock() - self.start <= DELAY:
            return
        self.shown = True
        filled = WIDTH * done // total if total else 0
        line = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} {unit}"
        if line != self._last:
            self.stream.write("\r" + line.ljust(len(self._last)))  # over all of a longer line before it
            self.stream.flush()
            self._last = line

    def close(self) -> None:
        """Erase the bar, if it was drawn."""
        if self.shown:
            self.stream.write("\r" + " " * len(self._last) + "\r")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
