"""Agreement of the metadata reader with ExifTool on the shared corpus of real files.

Runs benchmarks/metadata_agreement.py when the corpus (../shared/corpus/real
next to the project root) is present; skipped otherwise. The second set,
benchmarks/metadata-set (files written by other software, clean and damaged,
made by benchmarks/make_metadata_set.py), is committed and always scored.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "real"
TARGET = 0.99
OWN_SET = PROJECT_ROOT / "benchmarks" / "metadata-set"
OWN_SET_TARGET = 0.98


def _benchmark() -> ModuleType:
    path = PROJECT_ROOT / "benchmarks" / "metadata_agreement.py"
    spec = importlib.util.spec_from_file_location("metadata_agreement", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (CORPUS / "exiftool-truth.json").exists(),
    reason="real-image corpus (../shared/corpus/real) not present",
)
def test_agreement_with_exiftool() -> None:
    bench = _benchmark()
    result = bench.run(CORPUS)
    lines: list[str] = []
    bench.report(result, lines.append)
    assert result.records == result.files > 0
    assert result.ours.ratio >= TARGET, "\n".join(lines)
    assert result.ours.ratio > result.baseline.ratio


@pytest.mark.skipif(
    not (CORPUS / "c2pa-python-truth.json").exists(),
    reason="real-image corpus (../shared/corpus/real) not present",
)
def test_c2pa_state_matches_c2pa_python() -> None:
    bench = _benchmark()
    if not bench.c2pa_available():
        pytest.skip("c2pa-python is not installed")
    result = bench.run(CORPUS)
    assert result.c2pa_checked > 0
    assert not result.c2pa_problems, "\n".join(result.c2pa_problems)


def test_agreement_with_exiftool_on_files_other_software_wrote() -> None:
    bench = _benchmark()
    result = bench.run(OWN_SET)
    lines: list[str] = []
    bench.report(result, lines.append)
    assert result.files >= 60
    assert result.records == result.files
    assert result.ours.ratio >= OWN_SET_TARGET, "\n".join(lines)
    assert result.ours.ratio > result.baseline.ratio
