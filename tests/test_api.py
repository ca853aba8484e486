"""The Python API: `provenance.check`, `provenance.check_article`, and the README's example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

import provenance

SEED = FIXTURES / "seed"


def test_check_returns_the_seeds_one_finding() -> None:
    report = provenance.check([SEED])
    assert [(f.rule, f.severity) for f in report.findings] == [("caption-repeats-body", provenance.Severity.WARNING)]
    assert isinstance(report, provenance.Report) and not report.failed
    assert provenance.check(str(SEED)).findings == report.findings  # one path, as a string


def test_check_takes_the_options_of_the_command_line(tmp_path: Path) -> None:
    assert provenance.check([SEED], select=frozenset({"missing-credit"})).findings == ()
    with pytest.raises(TypeError):
        provenance.check([SEED], no_such_option=True)
    with pytest.raises(provenance.UsageError):
        provenance.check([tmp_path / "missing"])


def test_check_article_checks_a_story_held_in_memory() -> None:
    text = (SEED / "article.txt").read_text(encoding="utf-8")
    images = {name: (SEED / name).read_bytes() for name in ("photo-1.jpg", "photo-2.jpg")}
    report = provenance.check_article(text, "text", images)
    [finding] = report.findings
    assert (finding.rule, finding.article, finding.line) == ("caption-repeats-body", "article.txt", 16)
    assert [im.path for im in report.images] == ["photo-1.jpg", "photo-2.jpg"]
    assert [a.root for a in report.articles] == ["."]  # not the temporary folder
    missing = provenance.check_article(b"![A cup](cup.jpg)\n*A cup.*\nPhoto: AP\n", "markdown", {})
    assert [f.rule for f in missing.findings] == ["missing-image"]


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.jpg", "a/../../b.jpg", "C:/x.jpg", ""])
def test_check_article_refuses_image_names_leading_out(name: str) -> None:
    with pytest.raises(ValueError, match="image name"):
        provenance.check_article("Text.", "markdown", {name: b"x"})


def test_check_article_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="format 'docx'"):
        provenance.check_article("Text.", "docx")


def test_the_readmes_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    assert "warning caption-repeats-body" in capsys.readouterr().out


def test_the_package_ships_type_information() -> None:
    assert (Path(provenance.__file__).parent / "py.typed").is_file()
