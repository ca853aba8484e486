"""What CI maintainers expect of a linter, as ruff and bandit do it: `python -m`, colour, statistics,
exit-zero, rules as JSON, help links, warnings in every format, a cache git ignores, exit codes."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from provenance.cli import build_parser
from provenance.rules import ALL_RULES
from provenance.terminal import use_color

BAD = FIXTURES / "rules" / "missing-credit" / "bad-md"
ESC = "\033["


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_python_dash_m_provenance() -> None:
    done = subprocess.run([sys.executable, "-m", "provenance", "rules"], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0 and "PV001" in done.stdout


def test_colour_follows_the_choice_then_no_color_then_force_color() -> None:
    tty, pipe = _Tty(), io.StringIO()
    assert use_color("auto", tty, {}) and not use_color("auto", pipe, {})
    assert not use_color("auto", tty, {"NO_COLOR": "1"}) and use_color("auto", tty, {"NO_COLOR": ""})
    assert use_color("auto", pipe, {"FORCE_COLOR": "1"}) and not use_color("auto", pipe, {"FORCE_COLOR": ""})
    assert not use_color("auto", tty, {"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert use_color("always", pipe, {"NO_COLOR": "1"}) and not use_color("never", tty, {"FORCE_COLOR": "1"})


def test_color_option(cli, monkeypatch) -> None:
    assert ESC in cli("check", "--color", "always", BAD).out
    assert ESC not in cli("check", "--color", "never", BAD).out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC in cli("check", BAD).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in cli("check", BAD).out


def test_statistics_and_exit_zero(cli, tmp_path) -> None:
    folder = FIXTURES / "rules" / "missing-image" / "bad-md"
    run = cli("check", "--statistics", folder)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0].split()[:3] == ["2", "PV007", "missing-image"] and lines[-1] == "2 findings"
    out = tmp_path / "report.sarif"
    run = cli("check", "--statistics", "--format", "sarif", "--output", out, folder)
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == "2.1.0" and "PV007" in run.out
    assert cli("check", "--exit-zero", folder).code == 0
    assert cli("check", "--exit-zero", "--bogus", folder).code == 2
    clean = cli("check", "--statistics", FIXTURES / "rules" / "missing-credit" / "clean-md")
    assert clean.code == 0 and clean.out == "no findings\n"


def test_rules_as_json_with_help_links_that_the_readme_holds(cli) -> None:
    data = cli("rules", "--format", "json").json()["rules"]
    assert [r["code"] for r in data] == [r.code for r in ALL_RULES]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in data:
        assert rule["help_uri"].endswith(f"README.md#{rule['name']}")
        assert f'<a id="{rule["name"]}"></a>' in readme, rule["name"]
        assert "What it flags" in rule["doc"]
    one = cli("rules", "--format", "json", "PV001").json()
    assert one["name"] == "missing-credit"
    sarif = cli("check", "--format", "sarif", BAD).json()
    uris = {r["id"]: r["helpUri"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert uris["PV001"] == one["help_uri"]


@pytest.fixture
def unreasoned(tmp_path: Path) -> Path:
    folder = tmp_path / "story"
    shutil.copytree(BAD, folder)
    article = folder / "article.md"
    comment = "<!-- provenance: ignore[missing-credit] -->\n"
    text = article.read_text(encoding="utf-8").replace("![A cup", comment + "![A cup")
    article.write_text(text, encoding="utf-8")
    return folder


def test_a_suppression_without_a_reason_is_shown_in_every_format(cli, unreasoned: Path) -> None:
    text = cli("check", unreasoned)
    assert "article.md:9: warning: provenance suppression of missing-credit gives no reason; ignored" in text.out
    assert "missing-credit (PV001)" in text.out and "1 article warning" in text.out
    github = cli("check", "--format", "github", unreasoned).out
    assert "::warning file=" in github
    assert "line=9,title=provenance%3A article warning::provenance suppression" in github
    sarif = cli("check", "--format", "sarif", unreasoned).json()
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    (note,) = [n for n in notes if n["level"] == "warning"]
    assert "gives no reason" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    schema = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if schema.is_file():  # the OASIS schema, when it is beside the project
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(sarif, json.loads(schema.read_text(encoding="utf-8")))
    assert "gives no reason" in json.dumps(cli("check", "--format", "json", unreasoned).json()["articles"])


def test_the_cache_folder_is_ignored_by_git(cli, tmp_path, monkeypatch, _own_cache) -> None:
    cli("check", BAD)
    ignore = _own_cache.parent / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[1:] == ["/cache.sqlite", "/cache.sqlite-*"]
    if shutil.which("git") is not None:
        repo = _own_cache.parent.parent
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        (repo / ".provenance" / "archive.sqlite").write_bytes(b"")
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                                capture_output=True, text=True, check=True).stdout
        assert "cache.sqlite" not in status and ".provenance/archive.sqlite" in status
    ignore.write_text("mine\n", encoding="utf-8")
    cli("check", BAD)
    assert ignore.read_text(encoding="utf-8") == "mine\n"  # never overwritten
    own = tmp_path / "site"
    own.mkdir()
    (own / "provenance.toml").write_text('cache = "cache.sqlite"\n', encoding="utf-8")
    shutil.copytree(BAD, own / "story")
    cli("check", own)
    assert (own / "cache.sqlite").is_file() and not (own / ".gitignore").exists()  # a folder of the user's
    (own / "provenance.toml").write_text('cache = "build/cache/records.sqlite"\n', encoding="utf-8")
    cli("check", own)
    assert (own / "build" / "cache" / ".gitignore").read_text(encoding="utf-8").endswith("/records.sqlite-*\n")


def test_select_help_is_a_whole_sentence() -> None:
    check = build_parser()._subparsers._group_actions[0].choices["check"]  # type: ignore[union-attr]
    (select,) = [a for a in check._actions if "--select" in a.option_strings]
    assert select.help.endswith("replaces the configuration's `select`")


def test_an_archive_that_is_not_one_exits_2_like_a_missing_one(cli, tmp_path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not an archive\n", encoding="utf-8")
    for archive in (notes, tmp_path / "missing.sqlite"):
        run = cli("check", "--archive", archive, BAD)
        assert run.code == 2 and run.out == "" and str(archive) in run.err, archive
