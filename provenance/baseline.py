"""Baselines: today's findings recorded so that a check reports only new ones.

A baseline file is JSON:

    {"format": "provenance-baseline", "version": 1,
     "findings": [{"rule", "code", "article", "images", "fingerprint"}, ...]}

A finding is known by its content fingerprint (`Finding.fingerprint`: rule,
article path, the images' content hashes and the normalised caption), never by
a line number, so moving a figure, or editing text around it, keeps it hidden.
Entries are sorted and carry no timestamp: the same findings give the same bytes.
The same fingerprint may appear several times; each entry hides one finding.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from provenance.model import Finding

FORMAT = "provenance-baseline"
"""The `format` value that marks a baseline file."""
VERSION = 1
"""The baseline format version this code writes and reads."""
MAX_BASELINE_BYTES = 256 * 1024 * 1024
"""A baseline file larger than this is not read."""


class BaselineError(Exception):
    """A baseline file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Baseline:
    """Known findings: fingerprint -> how many findings with that fingerprint are known."""

    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Fingerprint -> number of known findings that share it."""
    source: str = ""
    """Where the baseline was read from, for messages."""

    def __len__(self) -> int:
        return sum(self.counts.values())

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(new findings, findings the baseline knows), each in the given order."""
        left = Counter(self.counts)
        new: list[Finding] = []
        known: list[Finding] = []
        for finding in findings:
            if finding.fingerprint and left[finding.fingerprint] > 0:
                left[finding.fingerprint] -= 1
                known.append(finding)
            else:
                new.append(finding)
        return new, known


def dumps(findings: Iterable[Finding]) -> str:
    """A baseline file's text for `findings`: sorted, no line numbers, no timestamps."""
    entries = sorted(
        (
            {
                "rule": f.rule,
                "code": f.code,
                "article": f.article,
                "images": sorted(f.images),
                "fingerprint": f.fingerprint,
            }
            for f in findings
        ),
        key=lambda e: (e["article"] or "", e["code"], e["fingerprint"], e["images"]),
    )
    doc = {"format": FORMAT, "version": VERSION, "findings": entries}
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def loads(text: str, source: str = "") -> Baseline:
    """Parse a baseline file's text; raises `BaselineError` with a one-line reason."""
    where = f"{source}: " if source else ""
    try:
        doc: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{where}not a baseline: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise BaselineError(f"{where}not a baseline: JSON nested too deep to read") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BaselineError(f'{where}not a baseline: expected a JSON object with "format": "{FORMAT}"')
    if doc.get("version") != VERSION:
        raise BaselineError(f"{where}baseline version {doc.get('version')!r} is not supported (expected {VERSION})")
    entries = doc.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f'{where}"findings" must be a list')
    counts: Counter[str] = Counter()
    for i, entry in enumerate(entries):
        fp = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fp, str) or not fp:
            raise BaselineError(f'{where}findings[{i}]: no "fingerprint"')
        counts[fp] += 1
    return Baseline(counts=MappingProxyType(dict(counts)), source=source)
