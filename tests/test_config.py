"""Configuration: found from the checked path upward, CLI flags win, every bad file exits 2 naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from provenance.config import find_config, load_config
from provenance.model import Severity

BAD_CREDIT = FIXTURES / "rules" / "missing-credit" / "bad-md"
BAD_CAPTION = FIXTURES / "rules" / "missing-caption" / "bad-md"


def _repo(tmp_path: Path, fixture: Path = BAD_CREDIT) -> Path:
    """A repository with the fixture at articles/story; returns the article folder."""
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "articles" / "story"
    shutil.copytree(fixture, folder)
    return folder


def test_found_upward_and_stops_at_the_repository_root(tmp_path) -> None:
    folder = _repo(tmp_path)
    assert find_config(folder) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "site"\n', encoding="utf-8")
    assert find_config(folder) is None  # a pyproject.toml without [tool.provenance] does not count
    (tmp_path / "pyproject.toml").write_text('[tool.provenance]\nignore = ["PV001"]\n', encoding="utf-8")
    assert find_config(folder) == (tmp_path / "pyproject.toml").resolve()
    assert find_config(folder / "article.md") == (tmp_path / "pyproject.toml").resolve()
    (tmp_path / "articles" / "provenance.toml").write_text("select = []\n", encoding="utf-8")
    assert find_config(folder) == (tmp_path / "articles" / "provenance.toml").resolve()
    inner = tmp_path / "articles" / "nested"
    (inner / ".git").mkdir(parents=True)
    assert find_config(inner) is None  # a .git folder ends the search


def test_every_setting_is_read(tmp_path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("""
[tool.provenance]
select = ["missing-credit", "PV003"]
ignore = ["unused-image"]
fail-on = "warning"
archive = "archive/photos.sqlite"
max-age = 365
file-timeout = 12.5
file-memory = 512

[tool.provenance.severity]
missing-caption = "error"
PV002 = "note"

[tool.provenance.agencies]
"Agence Exemple" = ["AGEX"]
""", encoding="utf-8")
    config = load_config(path)
    assert config.select == {"missing-credit", "missing-caption"}
    assert config.ignore == {"unused-image"}
    assert config.fail_on == "warning"
    assert dict(config.severity) == {"missing-caption": Severity.ERROR, "credit-mismatch": Severity.NOTE}
    assert dict(config.agencies) == {"Agence Exemple": ("AGEX",)}
    assert config.max_age == 365
    assert config.archive == tmp_path / "archive" / "photos.sqlite"
    assert (config.file_timeout, config.file_memory) == (12.5, 512)


def test_configuration_applies_and_the_command_line_wins(cli, tmp_path) -> None:
    folder = _repo(tmp_path, BAD_CAPTION)
    assert cli("check", folder).code == 0  # missing-caption is a warning
    (tmp_path / "provenance.toml").write_text('[severity]\nmissing-caption = "error"\n', encoding="utf-8")
    run = cli("check", "--format", "json", folder)
    assert run.code == 1 and [f["severity"] for f in run.json()["findings"]] == ["error"]
    (tmp_path / "provenance.toml").write_text('ignore = ["missing-caption"]\nfail-on = "note"\n', encoding="utf-8")
    assert cli("check", "--format", "json", folder).json()["findings"] == []
    # --select replaces the file's select; --ignore adds to the file's ignore; --fail-on replaces fail-on
    (tmp_path / "provenance.toml").write_text('select = ["missing-credit"]\nfail-on = "note"\n', encoding="utf-8")
    assert cli("check", "--format", "json", folder).json()["findings"] == []
    run = cli("check", "--format", "json", "--select", "missing-caption", folder)
    assert run.code == 1 and run.rules() == ["missing-caption"]
    assert cli("check", "--select", "missing-caption", "--fail-on", "error", folder).code == 0
    assert cli("check", "--format", "json", "--select", "PV003", "--ignore", "missing-caption", folder).rules() == []


def test_config_option_names_the_file(cli, tmp_path) -> None:
    folder = _repo(tmp_path)
    other = tmp_path / "strict.toml"
    other.write_text('ignore = ["missing-credit"]\n', encoding="utf-8")
    assert cli("check", folder).code == 1
    assert cli("check", "--config", other, folder).code == 0
    pyproject = tmp_path / "elsewhere" / "pyproject.toml"
    pyproject.parent.mkdir()
    pyproject.write_text('[tool.provenance]\nignore = ["missing-credit"]\n', encoding="utf-8")
    assert cli("check", "--config", pyproject, folder).code == 0
    run = cli("check", "--config", tmp_path / "nope.toml", folder)
    assert run.code == 2 and "nope.toml" in run.err


def test_agency_aliases_from_configuration(cli, tmp_path) -> None:
    folder = _repo(tmp_path, FIXTURES / "rules" / "credit-mismatch" / "clean-md")
    article = folder / "article.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("AFP via Getty Images", "Photo: AGEX"), encoding="utf-8")
    before = cli("check", "--format", "json", folder).json()
    assert before["articles"][0]["figures"][0]["agency"] != "Agence Exemple"
    (tmp_path / "provenance.toml").write_text('[agencies]\n"Agence Exemple" = ["AGEX"]\n', encoding="utf-8")
    after = cli("check", "--format", "json", folder).json()
    assert after["articles"][0]["figures"][0]["agency"] == "Agence Exemple"
    assert after["articles"][0]["figures"][0]["credit"] == "Photo: AGEX"


@pytest.mark.parametrize(("text", "key", "problem"), [
    ("selct = []\n", "selct", "unknown key"),
    ('select = "PV999"\n', "select", "unknown rule"),
    ("ignore = 3\n", "ignore", "expected a list"),
    ('[severity]\nmissing-caption = "fatal"\n', "severity.missing-caption", "unknown severity"),
    ('[severity]\nno-such-rule = "error"\n', "severity.no-such-rule", "unknown rule"),
    ("[severity]\nmissing-caption = 3\n", "severity.missing-caption", "expected a string"),
    ('max-age = "a year"\n', "max-age", "expected an integer"),
    ('fail-on = "sometimes"\n', "fail-on", "expected error, warning, note or never"),
    ('[agencies]\n"Agence Exemple" = [1]\n', 'agencies."Agence Exemple"', "list of non-empty strings"),
    ("archive = true\n", "archive", "expected a file path"),
    ("file-timeout = -1\n", "file-timeout", "expected a number of seconds"),
    ('file-timeout = "30s"\n', "file-timeout", "expected a number of seconds"),
    ("file-memory = 1.5\n", "file-memory", "expected an integer"),
    ("file-memory = -1\n", "file-memory", "0 or more"),
    ("select = [\n", "", "TOML syntax error"),
])
def test_bad_configuration_exits_2_naming_file_and_key(cli, tmp_path, text: str, key: str, problem: str) -> None:
    folder = _repo(tmp_path)
    (tmp_path / "provenance.toml").write_text(text, encoding="utf-8")
    run = cli("check", folder)
    assert run.code == 2, run.err
    assert run.out == "" and len(run.err.strip().splitlines()) == 1, run.err
    assert "provenance.toml" in run.err and f": {key}:" in run.err if key else "provenance.toml" in run.err
    assert problem in run.err


def test_bad_pyproject_names_the_dotted_key(cli, tmp_path) -> None:
    folder = _repo(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.provenance.severity]\nPV003 = "loud"\n', encoding="utf-8")
    run = cli("check", folder)
    assert run.code == 2 and "pyproject.toml: tool.provenance.severity.PV003: unknown severity" in run.err


def test_unknown_rule_on_the_command_line_exits_2(cli) -> None:
    run = cli("check", "--ignore", "missing-credit,PV042", BAD_CREDIT)
    assert run.code == 2 and "--ignore" in run.err and "PV042" in run.err


def test_paths_with_different_configurations_exit_2(cli, tmp_path) -> None:
    a = _repo(tmp_path)
    b = tmp_path / "other"
    shutil.copytree(BAD_CREDIT, b)
    (a / "provenance.toml").write_text("ignore = []\n", encoding="utf-8")
    run = cli("check", a, b)
    assert run.code == 2 and "different configuration files" in run.err


def test_reuse_threshold_is_no_longer_used_and_says_so(cli, tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "seed", tmp_path / "seed")
    (tmp_path / "seed" / "provenance.toml").write_text("reuse-threshold = 8\n", encoding="utf-8")
    run = cli("check", tmp_path / "seed")
    assert run.code == 0
    assert [line for line in run.err.splitlines() if "reuse-threshold" in line] == [
        f"provenance: warning: {tmp_path / 'seed' / 'provenance.toml'}: reuse-threshold is no longer used "
        "(reused-photo decides with its similarity engine, see the README's reused-photo section); remove it"]
