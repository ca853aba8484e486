"""Hostile input found by a red team, one test per hole: each fails on the code before its fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT

COFFEE = FIXTURES / "library" / "coffee.jpg"


def _article(folder: Path, text: str = "![](coffee.jpg)\n*Coffee on a table.*\nGetty Images\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(COFFEE, folder / "coffee.jpg")
    (folder / "story.md").write_text(text, encoding="utf-8")
    return folder


def _cli(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`provenance ARGS` in a new process from `cwd`, the checkout importable through PYTHONPATH."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


# --- 1. reader processes import nothing from the current or the checked folder ----------------------

PLANTED = "import pathlib\npathlib.Path({marker!r}).write_text('ran')\n"


def _plant(folder: Path, marker: Path) -> None:
    """Modules that write `marker` when imported: numpy.py, PIL/, provenance/ and multiprocessing/."""
    code = PLANTED.format(marker=str(marker))
    (folder / "numpy.py").write_text(code, encoding="utf-8")
    for package in ("PIL", "provenance", "multiprocessing"):
        (folder / package).mkdir(exist_ok=True)
        (folder / package / "__init__.py").write_text(code, encoding="utf-8")


def test_readers_import_nothing_from_the_current_or_checked_folder(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    news = _article(work / "news")
    marker = tmp_path / "EXECUTED"
    _plant(work, marker)
    _plant(news, marker)
    proc = _cli("check", "--no-cache", "--jobs", "2", "--format", "json", news, cwd=work)
    assert not marker.exists(), proc.stderr
    assert proc.returncode == 0, proc.stderr
    image = json.loads(proc.stdout)["images"][0]
    assert image["errors"] == [] and image["hashes"], image
