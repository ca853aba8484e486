"""Files a configuration inside a checked folder may have provenance write: only inside its own folder.

A `provenance.toml` or `pyproject.toml` found inside a folder being checked comes with the articles
(a pull request may add it), so its `cache` and `archive` may name files only within the folder it
lies in: `cache = "../notes.txt"` would otherwise have provenance open, and write, a file the
article's author chose. Links are followed before the comparison. A file named with `--config`, or
one found above every checked folder (the repository's own), is not restricted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from provenance.config import Config, ConfigError


def check_confined(config: Config, config_file: Path, display: str, checked: Iterable[Path]) -> None:
    """Raise `ConfigError` (one line) when `config_file` lies inside one of the `checked` paths and its
    cache or archive leads outside the folder that holds it."""
    home = config_file.parent.resolve()
    inside = [c for c in checked if _within(home, (c if c.is_dir() else c.parent).resolve())]
    if not inside:
        return
    for key, value in (("cache", config.cache), ("archive", config.archive)):
        if value is None or _within(value.resolve(), home):
            continue
        shown = os.path.relpath(value, config_file.parent)
        raise ConfigError(f"{display}: {key}: {shown} leads outside the folder of this configuration file, which "
                          f"is inside the checked folder {inside[0]}; refused (name the file with --config to "
                          "use it anyway)")


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
