"""The pre-commit hooks and the GitHub composite action are well formed and do what the README says."""

from __future__ import annotations

import yaml
from conftest import ROOT


def test_pre_commit_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    articles, images = hooks["provenance"], hooks["provenance-images"]
    assert articles["entry"] == "provenance check" and articles["language"] == "python"
    assert articles["types_or"] == ["markdown", "html", "text"]
    assert images["types"] == ["image"] and images["pass_filenames"] is False


def test_action_uploads_sarif_always_then_fails_by_exit_code() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    check = next(s for s in steps if s.get("id") == "check")
    assert "provenance check --format sarif --output" in check["run"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["if"].startswith("always()")
    last = steps[-1]
    assert last["if"] == "always()" and "exit" in last["run"]
    assert steps.index(check) < steps.index(upload) < steps.index(last)
