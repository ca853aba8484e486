"""The per-file budget (--file-timeout, --file-memory): a file over it is a finding, never a hang.

The pathological files are staged by tests/budget_hook/sitecustomize.py, which the CLI's
subprocess imports at start-up (and so does the fork server its reader processes come from):
slow-*.jpg reads for ten minutes, hog-*.jpg allocates 2 GB. The subprocess timeout is a hang
guard, not a speed test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT

from provenance.media import batch
from provenance.media.files import find_images
from provenance.pipeline import CheckOptions

HOOK = Path(__file__).resolve().parent / "budget_hook"
HANG_GUARD_S = 120


def _check(folder: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "provenance.cli", "check", "--format", "json", "--no-cache", *args, str(folder)],
        capture_output=True, text=True, timeout=HANG_GUARD_S, cwd=folder.parent,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HOOK), str(ROOT)])},
    )
    return proc, json.loads(proc.stdout)


@pytest.fixture
def story(tmp_path: Path) -> Path:
    folder = tmp_path / "story"
    shutil.copytree(FIXTURES / "seed", folder)
    shutil.copy(folder / "photo-1.jpg", folder / "slow-1.jpg")
    shutil.copy(folder / "photo-2.jpg", folder / "hog-1.jpg")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_over_its_budget_is_a_finding_and_the_run_goes_on(story: Path, jobs: str) -> None:
    proc, report = _check(story, "--jobs", jobs, "--file-timeout", "2", "--file-memory", "200")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = {im["path"]: im["errors"] for im in report["images"]}
    assert errors == {
        "hog-1.jpg": ["needed more than the 200 MB memory budget (--file-memory); not read"],
        "photo-1.jpg": [],
        "photo-2.jpg": [],
        "slow-1.jpg": ["took longer than the 2 s budget (--file-timeout); not read"],
    }
    unreadable = {f["images"][0]: f["message"] for f in report["findings"] if f["rule"] == "unreadable-image"}
    assert sorted(unreadable) == ["hog-1.jpg", "slow-1.jpg"]
    assert "2 s budget" in unreadable["slow-1.jpg"]


def test_the_budget_comes_from_the_configuration(story: Path) -> None:
    (story / "provenance.toml").write_text("file-timeout = 1.5\nfile-memory = 300\n", encoding="utf-8")
    _, report = _check(story)
    errors = {im["path"]: im["errors"] for im in report["images"]}
    assert errors["slow-1.jpg"] == ["took longer than the 1.5 s budget (--file-timeout); not read"]
    assert errors["hog-1.jpg"] == ["needed more than the 300 MB memory budget (--file-memory); not read"]


def test_without_a_budget_a_small_batch_is_read_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[int] = []
    real = batch._in_pool

    def spy(todo: Any, *args: Any) -> None:
        pools.append(len(todo))
        real(todo, *args)

    monkeypatch.setattr(batch, "_in_pool", spy)
    entries = find_images(FIXTURES / "seed")
    free = batch.read_images(entries, "seed", jobs=1)
    assert pools == []
    bounded = batch.read_images(entries, "seed", jobs=1, budget=batch.Budget(seconds=30, memory_mb=1024))
    assert pools == [len(entries)], "with a budget, even one job reads in a reader process"
    assert bounded == free


def test_the_cli_default_budget_reaches_the_options(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance import pipeline

    seen: list[CheckOptions] = []
    real = pipeline.run

    def spy(paths: Any, options: CheckOptions, progress: Any = None) -> Any:
        seen.append(options)
        return real(paths, options, progress)

    monkeypatch.setattr(pipeline, "run", spy)
    cli("check", "--jobs", "1", FIXTURES / "seed")
    cli("check", "--jobs", "1", "--file-timeout", "0", "--file-memory", "0", FIXTURES / "seed")
    cli("check", "--jobs", "1", "--file-timeout", "0.5", "--file-memory", "64", FIXTURES / "seed")
    assert [(o.file_timeout, o.file_memory) for o in seen] == [(30.0, 1024), (None, None), (0.5, 64)]


@pytest.mark.parametrize("args", [("--file-timeout", "-1"), ("--file-timeout", "soon"), ("--file-memory", "1.5"),
                                  ("--file-memory", "-2")])
def test_a_bad_budget_exits_2(cli: Any, args: tuple[str, str]) -> None:
    run = cli("check", *args, FIXTURES / "seed")
    assert run.code == 2
    assert args[0] in run.err
