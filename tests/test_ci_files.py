"""The pre-commit hooks and the GitHub composite action are well formed and do what the README says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
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
    assert "\"$PROVENANCE\" check --format sarif --output" in check["run"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["if"].startswith("always()")
    last = steps[-1]
    assert last["if"] == "always()" and "exit" in last["run"]
    assert steps.index(check) < steps.index(upload) < steps.index(last)


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def _step(action: dict, key: str, value: str) -> dict:
    return next(s for s in action["runs"]["steps"] if str(s.get(key, "")).startswith(value))


def test_action_leaves_the_callers_python_alone() -> None:
    action = _action()
    setup = _step(action, "uses", "actions/setup-python")
    assert setup["with"]["update-environment"] is False
    for step in action["runs"]["steps"]:
        assert "GITHUB_PATH" not in step.get("run", "") and "GITHUB_ENV" not in step.get("run", "")
    install = _step(action, "id", "install")
    assert "-m venv" in install["run"] and "$RUNNER_TEMP" in install["run"]


def test_action_keeps_the_record_cache() -> None:
    cache = _step(_action(), "uses", "actions/cache@")
    assert cache["with"]["path"] == ".provenance/cache.sqlite"
    assert cache["with"]["restore-keys"].startswith("provenance-cache-")
    assert "inputs.cache" in cache["if"]


def test_action_skips_the_upload_on_forks_with_a_notice() -> None:
    action = _action()
    decide = _step(action, "id", "upload")
    upload = _step(action, "uses", "github/codeql-action/upload-sarif")
    assert "steps.upload.outputs.upload == 'true'" in upload["if"]
    assert "::notice" in decide["run"] and "HEAD_REPO" in decide["run"]
    assert action["inputs"]["upload"]["default"] == "auto"
    assert "changed-since" in action["inputs"]
    steps = action["runs"]["steps"]
    assert steps.index(decide) < steps.index(upload)


def _run_step(step: dict, env: dict[str, str], tmp_path: Path) -> str:
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    done = subprocess.run(["bash", str(script)], env={**os.environ, **env, "GITHUB_OUTPUT": str(output)},
                          capture_output=True, text=True, check=True)
    return done.stdout + output.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_action_keeps_paths_with_spaces_whole(tmp_path: Path) -> None:
    check = _step(_action(), "id", "check")
    seen = tmp_path / "argv"
    fake = tmp_path / "provenance"
    fake.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done > "{seen}"\nexit 1\n', encoding="utf-8")
    fake.chmod(0o755)
    (tmp_path / "my photos").mkdir()

    def argv(paths: str, args: str = "", changed: str = "") -> list[str]:
        env = {"PY": sys.executable, "PROVENANCE": str(fake), "PATHS": paths, "ARGS": args, "FAIL_ON": "error",
               "CHANGED_SINCE": changed, "SARIF": str(tmp_path / "out.sarif")}
        out = _run_step(check, env, tmp_path)
        assert "exit-code=1" in out
        return seen.read_text(encoding="utf-8").split("\0")[:-1]

    words = argv("articles/\nmy photos/\n")
    assert words[-3:] == ["--", "articles/", "my photos/"]
    assert argv(str(tmp_path / "my photos"))[-1] == str(tmp_path / "my photos")
    assert argv("a/ 'b c/'")[-2:] == ["a/", "b c/"]
    words = argv("a/", "--baseline 'base line.json'", "origin/main")
    assert words[words.index("--baseline") + 1] == "base line.json"
    assert words[words.index("--changed-since") + 1] == "origin/main"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_action_upload_decision(tmp_path: Path) -> None:
    decide = _step(_action(), "id", "upload")
    base = {"UPLOAD": "auto", "EVENT": "pull_request", "REPO": "desk/site", "ACTOR": "ann", "SARIF": "p.sarif"}
    fork = _run_step(decide, {**base, "HEAD_REPO": "someone/site"}, tmp_path)
    assert "upload=false" in fork and "::notice" in fork and "fork" in fork
    same = _run_step(decide, {**base, "HEAD_REPO": "desk/site"}, tmp_path)
    assert "upload=true" in same and "::notice" not in same
    push = _run_step(decide, {**base, "EVENT": "push", "HEAD_REPO": ""}, tmp_path)
    assert "upload=true" in push
    bot = _run_step(decide, {**base, "HEAD_REPO": "desk/site", "ACTOR": "dependabot[bot]"}, tmp_path)
    assert "upload=false" in bot
    forced = _run_step(decide, {**base, "UPLOAD": "false", "HEAD_REPO": "desk/site"}, tmp_path)
    assert "upload=false" in forced
