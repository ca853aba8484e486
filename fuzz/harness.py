"""What the fuzz harnesses share: the crash rule, instrumentation, and the two engines.

A harness module defines `test_one_input(data: bytes) -> None`, which raises when
the input shows a bug, and ends with `harness.main(test_one_input, NAME)`.
Run as a script, the harness fuzzes with atheris (coverage-guided libFuzzer,
libFuzzer flags pass through) when it is installed, else, or with
`--engine=random`, with the plain random-mutation engine of `mutate.py`.

What counts as a crash: an exception escaping an entry point that promises
never to raise, a hang (`-timeout`), or memory blow-up (`-rss_limit_mb`).
With PROVENANCE_FUZZ_STRICT=1 (`run.py --strict`) a failure caught by an
entry point's last-line-of-defence handler ("metadata: unexpected failure",
"the page could not be read as HTML") is a crash too: it is a reader bug that
cost the whole record.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # the repository root, for `import provenance`
    sys.path.insert(0, str(HERE.parent))

TestOneInput = Callable[[bytes], None]


class GuardedFailure(AssertionError):
    """A bug that the entry point's last-line-of-defence handler swallowed (a crash in strict mode)."""


class Violation(AssertionError):
    """An entry point returned something its contract rules out (a figure index out of order...)."""


def strict() -> bool:
    """True when guarded failures count as crashes."""
    return os.environ.get("PROVENANCE_FUZZ_STRICT", "") not in ("", "0")


def check_guarded(lines: tuple[str, ...] | list[str], marker: str) -> None:
    """Raise `GuardedFailure` (in strict mode) when an error line says the guard caught an exception."""
    if strict():
        for line in lines:
            if line.startswith(marker):
                raise GuardedFailure(line)


def atheris_available() -> bool:
    try:
        import atheris  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def _wants_random(argv: list[str]) -> bool:
    return "--engine=random" in argv or not atheris_available()


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """Instrument the modules imported inside for coverage, when fuzzing with atheris."""
    if _wants_random(sys.argv) or "pytest" in sys.modules:
        yield
        return
    import atheris

    with atheris.instrument_imports(include=["provenance"]):
        yield


def main(test_one_input: TestOneInput, name: str) -> None:
    """Fuzz `test_one_input` with atheris, or with the random-mutation engine."""
    argv = list(sys.argv)
    if _wants_random(argv):
        import mutate

        sys.exit(mutate.main(test_one_input, name, [a for a in argv[1:] if a != "--engine=random"]))
    import atheris

    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
