"""Every rule fires on its bad fixtures and stays quiet on its clean ones, in each article format."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import FIXTURES

NEEDS_C2PA = {"invalid-content-credentials"}
"""Rules whose bad fixtures only fire when c2pa-python can validate the content credentials."""

_NO_C2PA = pytest.mark.skipif(
    importlib.util.find_spec("c2pa") is None,
    reason="c2pa-python is not installed: content credentials read as not checked",
)


def _case(path: Path) -> object:
    if path.parent.name in NEEDS_C2PA and path.name.startswith("bad"):
        return pytest.param(path, marks=_NO_C2PA)
    return path


CASES = [_case(p) for p in sorted(p for p in (FIXTURES / "rules").glob("*/*") if p.is_dir())]

# how many findings of its own rule each bad fixture holds
EXPECTED_BAD = {
    "missing-credit": 1,
    "credit-mismatch": 1,
    "missing-caption": 1,
    "repeated-caption": 1,
    "caption-repeats-body": 1,
    "reused-photo": 1,
    "missing-image": 2,
    "unused-image": 1,
    "unreadable-image": 3,
    "undisclosed-ai-image": 1,
    "stale-photo": 1,
    "invalid-content-credentials": 1,
    "previously-published": 1,
    "embargoed-photo": 1,
    "mandatory-credit": 1,
    "restricted-photo": 2,
    "photographer-mismatch": 1,
    "missing-alt-text": 1,
    "killed-photo": 1,
    "remote-image": 1,
}

ARCHIVED = {"previously-published": "published-md"}
"""Rules checked against a photo archive: the fixture folder recorded in it (`archive add`) first."""

KILLED = {"killed-photo": FIXTURES / "library" / "chelsea.jpg"}
"""Rules checked against a photo archive in which this photo was killed (`archive kill`) first."""


def test_every_rule_has_bad_and_clean_fixtures() -> None:
    from provenance.rules import ALL_RULES

    for rule in ALL_RULES:
        names = {p.name for p in (FIXTURES / "rules" / rule.name).iterdir()}
        assert {"bad-md", "clean-md", "bad-html", "clean-html"} <= names, rule.name


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(case: Path, cli, tmp_path: Path) -> None:
    rule = case.parent.name
    extra: list[str | Path] = []
    if rule in ARCHIVED:
        archive = tmp_path / "archive.sqlite"
        assert cli("archive", "add", "--archive", archive, case.parent / ARCHIVED[rule]).code == 0
        extra = ["--archive", archive]
    if rule in KILLED:
        archive = tmp_path / "archive.sqlite"
        assert cli("archive", "kill", "--archive", archive, KILLED[rule], "--reason", "manipulated").code == 0
        extra = ["--archive", archive]
    run = cli("check", "--format", "json", "--fail-on", "never", *extra, case)
    assert run.code == 0, run.err
    report = run.json()
    assert not report["errors"]
    found = [f for f in report["findings"] if f["rule"] == rule]
    if case.name.startswith("bad"):
        expected = EXPECTED_BAD[rule] if not (rule == "unreadable-image" and case.name.endswith("txt")) else 1
        assert len(found) == expected, report["findings"]
        for finding in found:
            assert finding["code"].startswith("PV")
            assert finding["fingerprint"]
            assert finding["images"] or finding["figures"]
    else:
        assert found == []
        # a clean fixture is clean of every rule
        assert report["findings"] == [], report["findings"]
