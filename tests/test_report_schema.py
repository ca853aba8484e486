"""Every JSON report validates against its published JSON Schema, `docs/report.schema.json`."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, ROOT

from provenance import pipeline
from provenance.pipeline import CheckOptions
from provenance.report.json import SCHEMA_VERSION, to_dict

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
FOLDERS = sorted(p for p in FIXTURES.rglob("*") if p.is_dir() and any(
    q.suffix in (".md", ".html", ".txt") for q in p.iterdir() if q.is_file()))


def test_the_schema_is_a_valid_schema_of_this_version() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema"] == {"const": SCHEMA_VERSION}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_fixture_report_validates(folder) -> None:
    report = to_dict(pipeline.run([folder], CheckOptions(jobs=1)))
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["schema"] == SCHEMA_VERSION


def test_the_schema_catches_a_wrong_report(cli) -> None:
    report = cli("check", "--format", "json", FIXTURES / "seed").json()
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    report["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(report)
    del report["schema"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(report)
