"""Replay what fuzzing found: every input in fuzz/regressions/<target>/ (and every seed) through its harness.

A harness raises on a crash (an exception escaping a never-raise entry point,
a guarded failure, a broken contract); here it runs in strict mode, under an
alarm that turns a hang into a failure. Inputs that only show their problem
when large (quadratic time) are generated here rather than committed.
"""

from __future__ import annotations

import importlib
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ROOT

FUZZ = ROOT / "fuzz"
TARGETS = ("metadata", "iptc", "xmp", "html", "articles", "frontmatter", "suppressions")
HANG_GUARD_S = 30
"""Seconds one input may take before it counts as a hang (a guard, not a speed test: each takes milliseconds)."""


def harness(target: str) -> Callable[[bytes], None]:
    if str(FUZZ) not in sys.path:
        sys.path.insert(0, str(FUZZ))
    module = importlib.import_module(f"fuzz_{target}")
    test_one_input: Callable[[bytes], None] = module.test_one_input
    return test_one_input


def inputs(folder: str) -> Iterator[tuple[str, Path]]:
    for target in TARGETS:
        for path in sorted((FUZZ / folder / target).glob("*")):
            if path.is_file():
                yield target, path


class Hang(BaseException):
    pass


@pytest.fixture(autouse=True)
def strict_and_guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PROVENANCE_FUZZ_STRICT", "1")

    def on_alarm(signum: int, frame: object) -> None:
        raise Hang(f"input still running after {HANG_GUARD_S} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(HANG_GUARD_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(("target", "path"), list(inputs("regressions")), ids=lambda v: getattr(v, "name", v))
def test_regression(target: str, path: Path) -> None:
    harness(target)(path.read_bytes())


@pytest.mark.parametrize("target", TARGETS)
def test_seed_corpus(target: str) -> None:
    run = harness(target)
    import make_corpus  # on sys.path through `harness`

    seeds = make_corpus.TARGETS[target]()
    assert seeds, f"no seeds for {target}"
    for data in seeds.values():
        run(data)


AMPLIFIED = {
    "unclosed-shortcodes": b"{{< figure " * 100_000,
    "unclosed-comments": b"<!--" * 100_000,
    "closed-shortcodes-and-suppressions": (b'{{< figure src="a.jpg" >}}\n<!-- provenance: ignore[x] y -->\n') * 20_000,
    "suppression-reason-of-spaces": b"<!-- provenance: ignore[x] a" + b" " * 200_000 + b"b -->",
}
"""Article inputs that took quadratic time (minutes) before the fix."""

AMPLIFIED_HTML = {
    "images-in-a-row": b"<img src=a.jpg>" * 20_000,
    "nested-caption-blocks": b"<figure><img src=a.jpg><figcaption>" + b"<div class=caption>" * 20_000,
    "nested-figures": b"<figure>" * 20_000,
}
"""HTML inputs that took quadratic time (from 4 s to minutes) before the fix."""

AMPLIFIED_SUPPRESSIONS = {
    "comments-before-a-figure": b"<!-- provenance: ignore[missing-credit] r -->\n" * 16_000
    + b"<figure><img src=a.jpg></figure>",
    "element-with-many-attributes": b"<figure><img " + b'data-a="x" ' * 64_000 + b"src=a.jpg></figure>",
}
"""Suppression inputs that took quadratic time (16,000 comments: 17.6 s; 64,000 attributes: 6 s) before the fix."""


@pytest.mark.parametrize("name", list(AMPLIFIED))
def test_amplified_articles(name: str) -> None:
    harness("articles")(AMPLIFIED[name])


@pytest.mark.parametrize("name", list(AMPLIFIED_HTML))
def test_amplified_html(name: str) -> None:
    harness("html")(AMPLIFIED_HTML[name])


@pytest.mark.parametrize("name", list(AMPLIFIED_SUPPRESSIONS))
def test_amplified_suppressions(name: str) -> None:
    harness("suppressions")(AMPLIFIED_SUPPRESSIONS[name])


def test_bigtiff_value_counts_are_eight_bytes() -> None:
    from provenance.media.metadata import read_metadata

    record, _errors = read_metadata((FUZZ / "regressions" / "metadata" / "bigtiff-value-count.tif").read_bytes())
    assert record.credit == "BigTIFF"
