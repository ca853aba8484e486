"""The progress bar: only on a terminal, only for long or large runs, erased when done."""

from __future__ import annotations

import io

from conftest import FIXTURES

from provenance.pipeline import run
from provenance.progress import MANY, ProgressBar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(1, MANY * 10)
    bar.close()
    assert stream.getvalue() == ""


def test_shows_for_many_files_and_erases_itself() -> None:
    stream = _Terminal()
    bar = ProgressBar(stream, clock=_Clock())
    bar(0, MANY + 1)
    bar(MANY + 1, MANY + 1)
    assert "\r[" in stream.getvalue() and f"{MANY + 1}/{MANY + 1} files" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r") and "\n" not in stream.getvalue()


def test_shows_only_after_a_moment_for_few_files() -> None:
    stream, clock = _Terminal(), _Clock()
    bar = ProgressBar(stream, clock=clock)
    bar(1, 3)
    assert stream.getvalue() == ""
    clock.now = 1.0
    bar(2, 3)
    assert "2/3 files" in stream.getvalue()


def test_pipeline_reports_every_file() -> None:
    calls: list[tuple[int, int, str]] = []
    run([FIXTURES / "rules" / "unused-image" / "bad-md"],
        progress=lambda done, total, unit: calls.append((done, total, unit)))
    files = [call for call in calls if call[2] == "files"]
    assert files[-1] == (3, 3, "files")  # one article, two images
    assert all(done <= total for done, total, _ in calls)


def test_pipeline_reports_the_pairs_compared_after_the_files() -> None:
    calls: list[tuple[int, int, str]] = []
    run([FIXTURES / "rules" / "reused-photo" / "bad-md"],
        progress=lambda done, total, unit: calls.append((done, total, unit)))
    units = [unit for _, _, unit in calls]
    assert "pairs" in units and units.index("pairs") > max(i for i, u in enumerate(units) if u == "files")
    pairs = [(done, total) for done, total, unit in calls if unit == "pairs"]
    assert pairs[0][0] == 0 and pairs[-1][0] == pairs[-1][1] > 0
    assert [done for done, _ in pairs] == sorted(done for done, _ in pairs)


def test_pairs_show_after_a_moment_whatever_their_number() -> None:
    stream, clock = _Terminal(), _Clock()
    bar = ProgressBar(stream, clock=clock)
    bar(0, 19_900, "pairs")
    assert stream.getvalue() == ""
    clock.now = 1.0
    bar(9_950, 19_900, "pairs")
    assert "9950/19900 pairs" in stream.getvalue()
    longer = stream.getvalue().rsplit("\r", 1)[1]
    bar(5, 5, "pairs")  # a shorter line covers all of the longer one before it
    shorter = stream.getvalue().rsplit("\r", 1)[1]
    assert shorter.rstrip() == "[" + "#" * 30 + "] 5/5 pairs" and len(shorter) == len(longer)


def test_no_progress_in_captured_runs(cli) -> None:
    run_ = cli("check", FIXTURES / "seed")
    assert "\r" not in run_.err and "\r" not in run_.out


def test_quiet_prints_findings_only(cli) -> None:
    clean = cli("check", "--quiet", FIXTURES / "rules" / "missing-credit" / "clean-md")
    assert clean.code == 0 and clean.out == ""
    seed = cli("check", "-q", FIXTURES / "seed")
    lines = seed.out.splitlines()
    assert len(lines) == 1 and "caption-repeats-body (PV005)" in lines[0] and not lines[0].startswith(" ")
    github = cli("check", "-q", "--format", "github", FIXTURES / "seed")
    assert [line[:10] for line in github.out.splitlines()] == ["::warning "]
