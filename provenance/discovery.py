"""Find the article folders under a checked folder, skipping hidden, excluded and git-ignored paths.

Every folder under the checked one that holds article files is an article folder: its articles are the
files directly in it, its media are the images under it that no deeper article folder claims (a page
bundle `news/fire/index.md` keeps its photos; the folder above it does not read them again). Links to
folders are never followed, so nothing outside the checked folder is listed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from provenance.articles import ARTICLE_EXTENSIONS, article_format
from provenance.media.files import walk as list_folders

DEFAULT_EXCLUDE: tuple[str, ...] = ("node_modules/", "_site/", "__pycache__/", "site-packages/")
"""Paths never checked unless `exclude` replaces this list: installed packages and Jekyll's built site
(copies of the articles). Hidden files and folders (`.git`, `.venv`...) are always skipped."""

Skip = Callable[[Path, bool], bool]
"""`skip(path, is_folder)`: True when a path found while walking is left out."""


@dataclass(frozen=True)
class Patterns:
    """Exclusion globs in `.gitignore` syntax, and the folder they are relative to."""

    base: Path
    """The folder anchored patterns (`drafts/old`, `/tmp`) start from: the configuration file's folder, or
    the current folder for `--exclude`."""
    patterns: tuple[str, ...]
    """The globs, e.g. `drafts/`, `*.draft.md`, `content/archive/**`."""


@dataclass(frozen=True)
class ArticleFolder:
    """A folder holding article files, found under a checked folder."""

    folder: Path
    """The folder, as the checked folder joined with its relative path."""
    rel: str
    """Its path relative to the checked folder (`/`-separated; "" for the checked folder itself)."""
    articles: tuple[Path, ...]
    """The article files directly in it, sorted."""


@dataclass(frozen=True)
class Walk:
    """What walking one checked folder found."""

    folders: tuple[ArticleFolder, ...]
    """Every article folder, in path order."""
    skip: Skip
    """Leaves out of an article folder's media what is excluded, ignored, or another article folder's."""
    searched: int = 0
    """Folders listed."""


@dataclass
class PathFilter:
    """Which paths a walk leaves out: exclusion globs and, in a git work tree, what `.gitignore` ignores.

    Paths are handled as strings (`os.path`): a walk asks about every entry, and pathlib's objects
    cost more than the matching."""

    excludes: Sequence[Patterns] = field(default_factory=lambda: (Patterns(Path("."), DEFAULT_EXCLUDE),))
    """The exclusion globs (see `exclusions`); by default `DEFAULT_EXCLUDE`."""
    gitignore: bool = True
    """Honour `.gitignore` files (and `.git/info/exclude`) of the git work tree holding the paths."""
    _specs: list[tuple[str, pathspec.PathSpec[Any]]] = field(default_factory=list)
    _ignores: dict[str, _GitIgnores] = field(default_factory=dict)
    _tops: dict[str, str | None] = field(default_factory=dict)
    _walks: dict[Path, Walk] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._specs = [(os.path.abspath(p.base), pathspec.GitIgnoreSpec.from_lines(p.patterns))
                       for p in self.excludes if p.patterns]

    def skips(self, path: Path, is_dir: bool, walk_root: Path) -> bool:
        """True when `path` (found under `walk_root`) is excluded or git-ignored."""
        absolute = os.path.abspath(path)
        for base, spec in self._specs:
            rel = _relative(absolute, base) or _relative(absolute, os.path.abspath(walk_root))
            if rel and spec.match_file(rel + "/" if is_dir else rel):
                return True
        if self.gitignore:
            folder = os.path.dirname(absolute)
            ignores = self._git(folder)
            if ignores is not None and ignores.ignored(absolute, folder, is_dir):
                return True
        return False

    def under(self, walk_root: Path) -> Skip:
        """`skips` for the paths found under `walk_root`."""
        return lambda path, is_dir: self.skips(path, is_dir, walk_root)

    def _git(self, folder: str) -> _GitIgnores | None:
        if folder not in self._tops:
            _work_tree(folder, self._tops)
        top = self._tops[folder]
        if top is None:
            return None
        if top not in self._ignores:
            self._ignores[top] = _GitIgnores(top)
        return self._ignores[top]


class _GitIgnores:
    """The `.gitignore` files of one git work tree, read as the walk reaches their folders."""

    def __init__(self, top: str) -> None:
        self.top = top
        git = os.path.join(top, ".git")
        info = _read_spec(os.path.join(git, "info", "exclude")) if os.path.isdir(git) else None
        self._chains: dict[str, tuple[tuple[str, pathspec.PathSpec[Any]], ...]] = {
            top: tuple((top, spec) for spec in (info, _read_spec(os.path.join(top, ".gitignore"))) if spec)}

    def ignored(self, path: str, folder: str, is_dir: bool) -> bool:
        """Whether git ignores `path` (in `folder`): the last pattern that matches it decides, deeper
        `.gitignore` files after the ones above them, `.git/info/exclude` first."""
        decided: bool | None = None
        for base, spec in self._chain(folder):
            sub = path[len(base) + 1:].replace(os.sep, "/")
            result = spec.check_file(sub + "/" if is_dir else sub)
            if result.include is not None:
                decided = result.include
        return bool(decided)

    def _chain(self, folder: str) -> tuple[tuple[str, pathspec.PathSpec[Any]], ...]:
        """The patterns that apply to the entries of `folder`, from the work tree's top down."""
        if folder not in self._chains:
            parent = os.path.dirname(folder)
            above = self._chain(parent) if parent != folder and _relative(parent, self.top) is not None else ()
            spec = _read_spec(os.path.join(folder, ".gitignore"))
            self._chains[folder] = (*above, (folder, spec)) if spec else above
        return self._chains[folder]


def _read_spec(path: str) -> pathspec.PathSpec[Any] | None:
    try:
        if not os.path.isfile(path):
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _work_tree(folder: str, known: dict[str, str | None]) -> str | None:
    """The top of the git work tree holding `folder` (a folder with `.git`, a folder or a file), or None;
    `known` holds the answers found so far, and gets this one for `folder` and the folders up to the top
    (so a walk down a folder nested thousands deep looks each folder up once)."""
    below: list[str] = []
    top: str | None = None
    while True:
        if folder in known:
            top = known[folder]
            break
        below.append(folder)
        if os.path.lexists(os.path.join(folder, ".git")):
            top = folder
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for seen in below:
        known[seen] = top
    return top


def _relative(path: str, base: str) -> str | None:
    """`path` relative to `base` with `/` separators ("" for `base` itself), None when outside it."""
    if path == base:
        return ""
    prefix = base if base.endswith(os.sep) else base + os.sep
    return path[len(prefix):].replace(os.sep, "/") if path.startswith(prefix) else None


def walk(root: Path, path_filter: PathFilter) -> Walk:
    """The article folders under `root`, hidden, excluded and ignored paths left out (links to folders
    are listed by `os.walk` but never entered). Walked once per filter: a second call answers from memory."""
    key = Path(os.path.abspath(root))
    if key not in path_filter._walks:
        path_filter._walks[key] = _walk(root, path_filter)
    return path_filter._walks[key]


def _walk(root: Path, path_filter: PathFilter) -> Walk:
    folders: list[ArticleFolder] = []
    searched = 0
    for dirpath, dirnames, filenames in list_folders(root):  # no recursion: a folder 1,000 deep is listed
        searched += 1
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and not path_filter.skips(here / d, True, root))
        articles = sorted(here / name for name in filenames
                          if not name.startswith(".") and article_format(Path(name)) is not None
                          and not path_filter.skips(here / name, False, root))
        if articles:
            rel = _relative(os.path.abspath(here), os.path.abspath(root))
            folders.append(ArticleFolder(folder=here, rel=rel or "", articles=tuple(articles)))
    folders.sort(key=lambda f: f.rel)
    claimed = frozenset(os.path.abspath(f.folder) for f in folders)

    def skip(path: Path, is_dir: bool) -> bool:
        if is_dir and os.path.abspath(path) in claimed:
            return True
        return path_filter.skips(path, is_dir, root)

    return Walk(folders=tuple(folders), skip=skip, searched=searched)


def exclusions(config_base: Path | None, exclude: Sequence[str] | None, extend: Sequence[str],
               cli_exclude: Sequence[str] | None, cli_extend: Sequence[str]) -> tuple[Patterns, ...]:
    """The exclusion globs of a run, as ruff combines them: `--exclude` replaces `exclude` (itself replacing
    `DEFAULT_EXCLUDE`), and `extend-exclude` and `--extend-exclude` add to it. Configured globs are relative
    to the configuration file's folder, those of the command line to the current folder."""
    here = Path(".")
    base = config_base or here
    if cli_exclude is not None:
        out = [Patterns(here, tuple(cli_exclude))]
    elif exclude is not None:
        out = [Patterns(base, tuple(exclude))]
    else:
        out = [Patterns(here, DEFAULT_EXCLUDE)]
    return (*out, Patterns(base, tuple(extend)), Patterns(here, tuple(cli_extend)))


def nothing_found(paths: Iterable[Path]) -> str:
    """The one line a run that found no article says: what was searched."""
    names = ", ".join(p.as_posix() for p in paths) or "(no PATH)"
    kinds = ", ".join(ARTICLE_EXTENSIONS)
    return (f"no article found in {names} or its subfolders (looked for {kinds} files; hidden folders, "
            "excluded and git-ignored paths skipped)")
