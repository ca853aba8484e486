"""Path containment: the one test that keeps every read inside the checked folder."""

from __future__ import annotations

from pathlib import Path


def inside(path: Path, root: Path) -> bool:
    """True when `path`, links resolved, lies inside `root` (links resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True
