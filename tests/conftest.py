"""Shared helpers: where the fixtures are, and running the CLI in-process."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from provenance.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


def _hostile_builder() -> ModuleType:
    """fixtures/hostile/build.py, which is a script, not a package module."""
    spec = importlib.util.spec_from_file_location("hostile_build", FIXTURES / "hostile" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_build"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


HOSTILE_BUILD = _hostile_builder()
"""The builder of the hostile inputs (bombs, traps, escapes), shared by the tests that use them."""


class Run:
    """The outcome of one CLI run."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    def json(self) -> Any:
        return json.loads(self.out)

    def rules(self) -> list[str]:
        return [f["rule"] for f in self.json()["findings"]]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's CLI runs use a cache of their own, never one in the current folder."""
    import provenance.cache

    path = tmp_path / ".provenance" / "cache.sqlite"
    monkeypatch.setattr(provenance.cache, "DEFAULT_PATH", path)
    return path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `provenance ARGS...` in-process and return code, stdout and stderr."""

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


# Property-based tests: quick in the normal suite, longer with `pytest --hypothesis-profile=long`.
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is in the test extra; the property tests skip without it
    pass
else:
    settings.register_profile(
        "suite", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.register_profile(
        "long", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile("suite")
