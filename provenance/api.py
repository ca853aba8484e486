"""The Python API: what a CMS, a notebook or a script calls instead of the command line.

`check` checks files and folders as `provenance check PATH...` does; `check_article` checks one story
held in memory with its uploads. Both return the `Report` every formatter renders (`provenance.report`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from provenance.config import DEFAULT_FILE_MEMORY, DEFAULT_FILE_TIMEOUT
from provenance.model import ArticleFormat, Report
from provenance.pipeline import CheckOptions, run

PathArgument = str | os.PathLike[str]
"""A file, a folder, or an http(s) URL (as a string)."""

_SUFFIXES = {ArticleFormat.TEXT: ".txt", ArticleFormat.MARKDOWN: ".md", ArticleFormat.HTML: ".html"}


def check(paths: PathArgument | Sequence[PathArgument], **options: Any) -> Report:
    """Check articles as `provenance check PATH...` does and return the report.

    `paths` are article files, folders or http(s) URLs; `options` are the fields of
    `provenance.pipeline.CheckOptions` (`media=Path("photos")`, `select=frozenset({"missing-credit"})`,
    `fail_on=None`...). Each file is read under the command line's default budget (30 s, 1024 MB)
    unless `file_timeout` / `file_memory` say otherwise; no cache is used unless `cache` names one.
    Raises `provenance.pipeline.UsageError` for a path that cannot be checked and `TypeError` for an
    unknown option.
    """
    given = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    return run([_argument(p) for p in given], _options(options))


def check_article(article: bytes | str, format: str, images: Mapping[str, bytes] | None = None,
                  **options: Any) -> Report:
    """Check one article held in memory, with the images it references, and return the report.

    `format` is "markdown", "html" or "text"; `images` maps each file name as the article references
    it (`photos/harbour.jpg`) to the file's bytes. The report names the article `article.md` (`.html`,
    `.txt`) and the images by these names; `options` are those of `check`. Raises `ValueError` for an
    unknown format or an image name that is absolute or leads out of the article's folder.
    """
    try:
        kind = ArticleFormat(format.lower())
    except ValueError:
        raise ValueError(f"format {format!r}: expected one of {', '.join(f.value for f in ArticleFormat)}") from None
    names = {_image_name(name): data for name, data in (images or {}).items()}
    with tempfile.TemporaryDirectory(prefix="provenance-") as tmp:
        folder = Path(tmp)
        for name, data in names.items():
            target = folder.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        text = article.encode("utf-8") if isinstance(article, str) else article
        (folder / f"article{_SUFFIXES[kind]}").write_bytes(text)
        return run([folder], _options(options), label=".")


def _options(options: Mapping[str, Any]) -> CheckOptions:
    return CheckOptions(**{"file_timeout": DEFAULT_FILE_TIMEOUT, "file_memory": DEFAULT_FILE_MEMORY, **options})


def _argument(path: PathArgument) -> Path | str:
    text = os.fspath(path)
    return text if text[:8].lower().startswith(("http://", "https://")) else Path(text)


def _image_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if not name or path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0].endswith(":"):
        raise ValueError(f"image name {name!r}: expected a relative path inside the article's folder")
    return path
