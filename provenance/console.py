"""The terminal and the CI log: every line provenance prints there is one line, with no control characters.

`SafeLines` wraps a text stream so that each write is shown through `model.printable` (escape
sequences, CR, NUL, newlines of the input as `\\x1b`, `\\r`, `\\x00`, `\\n`; a line that would
begin with `::`, a GitHub Actions workflow command, begun with `\\x3a`), except the newline that
ends a `print`. The command line puts its messages on stderr through it, and the text output of
`inspect` on stdout; reports are escaped by their formatters, which alone write their own escape
sequences (colour) and workflow commands (`--format github`).
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from provenance.model import printable


class SafeLines:
    """A text stream's stand-in whose writes are each one printable line (see the module)."""

    def __init__(self, stream: TextIO) -> None:
        self.raw = stream
        """The stream written to: what may write escape sequences of its own (the progress bar) uses it."""

    def write(self, text: str) -> int:
        end = "\n" if text.endswith("\n") else ""
        body = text[: len(text) - len(end)]
        self.raw.write((printable(body) if body else "") + end)
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding...
        return getattr(self.raw, name)


def raw(stream: TextIO) -> TextIO:
    """The stream under a `SafeLines` (else the stream itself)."""
    return stream.raw if isinstance(stream, SafeLines) else stream


@contextlib.contextmanager
def safe_output(stderr: bool = True, stdout: bool = False) -> Iterator[None]:
    """Within the block, `sys.stderr` (and `sys.stdout` when asked) write printable lines only."""
    saved = sys.stderr, sys.stdout
    if stderr and not isinstance(sys.stderr, SafeLines):
        sys.stderr = SafeLines(sys.stderr)
    if stdout and not isinstance(sys.stdout, SafeLines):
        sys.stdout = SafeLines(sys.stdout)
    try:
        yield
    finally:
        sys.stderr, sys.stdout = saved


def stdout_closed() -> bool:
    """True when the reader of stdout has gone (`provenance check | head -1`): a pipe that reports an
    error or a hang-up when polled. Only then is a broken pipe the end of a run rather than a fault."""
    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False
    poller.register(fd, select.POLLOUT)
    try:
        events = poller.poll(0)
    except OSError:
        return False
    return any(mask & (select.POLLERR | select.POLLHUP) for _, mask in events)


def silence_stdout() -> None:
    """Point stdout at the null device, so that nothing is written to a closed pipe at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
