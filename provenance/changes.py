"""`--changed-since REF`: the files of a git work tree changed since a commit, asked of `git` itself.

Changed means added, copied, modified, renamed (the new name) or deleted between the merge base of
REF and HEAD and the work tree as it is now (staged or not), plus untracked files `.gitignore` does
not ignore. On a pull request, REF is the target branch: the merge base is where the branch left it,
so commits made on the target since do not count.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from provenance.media.files import IMAGE_EXTENSIONS

GIT_TIMEOUT = 60.0
"""Seconds one git command may take."""


class ChangesError(Exception):
    """git could not say what changed (not a work tree, an unknown ref, no git); the message is one line."""


def changed_files(ref: str, where: Path) -> frozenset[Path]:
    """The real paths of the files changed since `ref` in the git work tree holding `where`."""
    if not ref or ref.startswith("-"):
        raise ChangesError(f"--changed-since {ref!r}: not a git revision")
    folder = where if where.is_dir() else where.parent
    top = Path(_git(folder, "rev-parse", "--show-toplevel").decode(errors="surrogateescape").strip())
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                  failure=f"--changed-since {ref}: no such commit in {top.as_posix()}").decode().strip()
    base = _git(top, "merge-base", commit, "HEAD",
                failure=f"--changed-since {ref}: no common history with HEAD").decode().strip()
    diff = _git(top, "diff", "--name-only", "-z", "-M", "--no-ext-diff", "--diff-filter=ACDMRT", base, "--")
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z")
    names = [n for n in (diff + untracked).split(b"\0") if n]
    real_top = Path(os.path.realpath(top))
    return frozenset(real_top / os.fsdecode(name) for name in names)


def _git(cwd: Path, *args: str, failure: str | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise ChangesError("--changed-since needs git, which is not installed")
    try:
        # core.fsmonitor would run a command a work tree's own configuration names: never
        done = subprocess.run([git, "-c", "core.fsmonitor=false", *args], cwd=cwd, capture_output=True,
                              timeout=GIT_TIMEOUT, check=False,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ChangesError(f"--changed-since: git {args[0]} failed: {exc}") from None
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode(errors="replace").split())[:200]
        raise ChangesError(failure or f"--changed-since: git {args[0]} failed in {cwd.as_posix()}: {detail}")
    return done.stdout


def changed_articles(articles: tuple[Path, ...], media_root: Path, skip: Callable[[Path, bool], bool] | None,
                     changed: frozenset[Path]) -> tuple[Path, ...]:
    """Which of one article folder's `articles` to check: all of them when an image of its media folder
    changed (which article shows it is known only once they are read), else the changed ones."""
    root = Path(os.path.realpath(media_root))
    for path in changed:
        if path.suffix.lower() in IMAGE_EXTENSIONS and _in_media(path, root, skip):
            return articles
    return tuple(a for a in articles if Path(os.path.realpath(a)) in changed)


def _in_media(path: Path, root: Path, skip: Callable[[Path, bool], bool] | None) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    if skip is None:
        return True
    here = root
    for part in parts[:-1]:
        here = here / part
        if skip(here, True):
            return False
    return not skip(path, False)
