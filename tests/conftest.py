"""Shared helpers: where the fixtures are, and running the CLI in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provenance.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


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
