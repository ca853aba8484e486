"""`per-file-ignores`: rules not reported for the articles (or images) a glob matches, as ruff does."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

from provenance.model import Finding, joined_path


@dataclass(frozen=True)
class PerFileIgnores:
    """Globs in `.gitignore` syntax, each with the rules its files do not report."""

    base: Path
    """The folder the globs are relative to (the configuration file's)."""
    entries: Mapping[str, frozenset[str]]
    """Glob -> rule names."""

    def drops(self, finding: Finding) -> bool:
        """True when the finding's article (or, for a finding about the media folder alone, its first image)
        matches a glob that names its rule."""
        if finding.article is not None:
            where = joined_path(finding.root, finding.article)
        elif finding.images:
            where = joined_path(finding.image_root or finding.root, finding.images[0])
        else:
            return False
        path = Path(os.path.abspath(where))
        try:
            rel = path.relative_to(Path(os.path.abspath(self.base))).as_posix()
        except ValueError:
            return False
        return any(finding.rule in rules and _spec(glob).match_file(rel) for glob, rules in self.entries.items())


def _spec(glob: str) -> pathspec.PathSpec[Any]:
    return pathspec.GitIgnoreSpec.from_lines([glob])
