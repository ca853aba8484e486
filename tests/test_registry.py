"""Rules are listed explicitly, with unique codes and names, and documented."""

from __future__ import annotations

import pkgutil
import re

import provenance.rules
from provenance.rules import ALL_RULES, find_rule


def test_codes_and_names_unique() -> None:
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
    for rule in ALL_RULES:
        assert re.fullmatch(r"PV\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.name)
        assert find_rule(rule.name) is rule and find_rule(rule.code.lower()) is rule


def test_every_rule_module_is_listed() -> None:
    modules = {m.name for m in pkgutil.iter_modules(provenance.rules.__path__) if m.name != "base"}
    listed = {r.check.__module__.rsplit(".", 1)[1] for r in ALL_RULES}
    assert modules == listed


def test_every_rule_documented_in_four_parts() -> None:
    for rule in ALL_RULES:
        doc = rule.doc
        assert doc.startswith(f"{rule.name} ({rule.code})"), rule.name
        for part in ("What it flags", "Why it matters", "Example", "How to fix"):
            assert part in doc, (rule.name, part)


def test_readme_documents_every_rule() -> None:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"| {rule.code} | {rule.name} | {rule.severity.label} |" in readme, rule.name
