"""Rule selection as ruff reads it: `ALL`, code prefixes, and `per-file-ignores`."""

from __future__ import annotations

import shutil

from conftest import FIXTURES

from provenance.config import rule_names
from provenance.rules import ALL_RULES

BAD = FIXTURES / "rules" / "missing-credit" / "bad-md"


def test_all_and_code_prefixes() -> None:
    assert rule_names(["ALL"]) == {r.name for r in ALL_RULES}
    assert rule_names(["pv0"]) == {r.name for r in ALL_RULES if r.code.startswith("PV0")}
    assert rule_names(["PV01"]) == {r.name for r in ALL_RULES if r.code.startswith("PV01")}
    assert rule_names(["PV001", "credit-mismatch"]) == {"missing-credit", "credit-mismatch"}


def test_select_all_and_prefix_from_the_command_line(cli) -> None:
    every = cli("check", "--format", "json", "--select", "ALL", BAD).json()
    assert "missing-credit" in [f["rule"] for f in every["findings"]]
    none = cli("check", "--format", "json", "--select", "PV01", BAD)
    assert none.code == 0 and "missing-credit" not in none.rules()
    assert cli("check", "--select", "PV9", BAD).code == 2


def test_per_file_ignores(cli, tmp_path) -> None:
    for name in ("archive", "today"):
        shutil.copytree(BAD, tmp_path / name)
    (tmp_path / "provenance.toml").write_text('[per-file-ignores]\n"archive/**" = ["PV001"]\n', encoding="utf-8")
    report = cli("check", "--format", "json", "--ignore", "reused-photo", tmp_path).json()
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("missing-credit", "today/article.md")]
    (tmp_path / "provenance.toml").write_text('[per-file-ignores]\n"*.md" = ["no-such-rule"]\n', encoding="utf-8")
    run = cli("check", tmp_path)
    assert run.code == 2 and "per-file-ignores" in run.err and "no-such-rule" in run.err
