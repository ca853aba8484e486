"""GitHub Actions annotations: commands by severity, escaping, the 10-per-kind limit."""

from __future__ import annotations

import shutil

from conftest import FIXTURES

from provenance.model import Finding, Report, Severity
from provenance.report import Format, RenderOptions, render
from provenance.report.github import command, escape_data, escape_property

BAD = FIXTURES / "rules"


def _finding(i: int, severity: Severity = Severity.ERROR, message: str = "m") -> Finding:
    return Finding(rule="missing-credit", code="PV001", severity=severity, message=message, article="a, b:c.md",
                   root="articles", line=i, fingerprint=str(i))


def _render(report: Report, quiet: bool = False) -> list[str]:
    return render(report, Format.GITHUB, RenderOptions(quiet=quiet, cwd="/repo")).splitlines()


def test_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("warning", "x: y, z", file="a,b.md", line=3, title="t: 1") == \
        "::warning file=a%2Cb.md,line=3,title=t%3A 1::x: y, z"


def test_commands_by_severity_with_file_and_line() -> None:
    report = Report(tool_version="0", articles=(), images=(), matches=(), findings=(
        _finding(3, Severity.ERROR, "line one\nline two 50%"),
        _finding(4, Severity.WARNING),
        _finding(5, Severity.NOTE),
    ))
    lines = _render(report)
    assert lines[0] == ("::error file=articles/a%2C b%3Ac.md,line=3,title=missing-credit (PV001)::"
                        "line one%0Aline two 50%25")
    assert lines[1].startswith("::warning ") and lines[2].startswith("::notice ")
    assert lines[-1] == "provenance: FAILED: 1 error(s), 1 warning(s), 1 note(s)"
    assert _render(report, quiet=True) == lines[:3]


def test_more_than_ten_of_a_kind_says_so() -> None:
    report = Report(tool_version="0", articles=(), images=(), matches=(),
                    findings=(*(_finding(i) for i in range(12)), _finding(99, Severity.WARNING)))
    lines = _render(report)
    assert sum(1 for line in lines if line.startswith("::error ")) == 12  # every one is in the log
    limit = [line for line in lines if "GitHub shows the first 10" in line]
    assert limit == ["provenance: 12 errors; GitHub shows the first 10 as annotations, every one is listed above"]


def test_cli_paths_relative_to_the_current_folder(cli, tmp_path, monkeypatch) -> None:
    shutil.copytree(BAD / "unused-image" / "bad-md", tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    run = cli("check", "--format", "github", "--fail-on", "note", tmp_path / "articles")
    assert run.code == 1
    assert run.out.splitlines()[0] == (
        "::notice file=articles/rocket.jpg,title=unused-image (PV008)::"
        "rocket.jpg is in the media folder but no figure uses it")
