"""Find image files under a folder, read their bytes, and resolve article references, never leaving the folder."""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from provenance.model import ImageRecord, Provenance, RefStatus, text_name
from provenance.paths import inside

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".tif", ".tiff", ".webp", ".gif", ".bmp", ".avif",
     ".heic", ".heif", ".psd", ".dng"}
)
"""Extensions of the files treated as images of the media folder."""

REMOTE_SCHEMES = frozenset({"http", "https", "data", "ftp", "ftps"})
"""URL schemes of images on a server (or inline): reported as not checked. Any other scheme is outside."""

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Image files larger than this are not read."""

OUT_OF_MEMORY = "out of memory while decoding; not decoded"
"""The error line of an image whose decoding failed for want of memory (a reader process's budget,
see `provenance.media.batch`): it says nothing of the bytes, so such a record is never cached."""


@dataclass(frozen=True)
class MediaFile:
    """An image file found in the media folder."""

    rel: str
    """Path relative to the checked folder, `/`-separated."""
    path: Path | None
    """Where to read it, None when it must not be read."""
    problem: str | None = None
    """Why it is not read (a link leaving the folder, not a regular file...)."""


def find_images(root: Path, skip: Callable[[Path, bool], bool] | None = None) -> list[MediaFile]:
    """Every image-named entry under `root` (hidden folders skipped), sorted by path; `skip(path, is_folder)`
    leaves out more (excluded paths, the folders of other articles)."""
    found: list[MediaFile] = []
    resolved_root = root.resolve()
    for dirpath, dirnames, filenames in walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and (skip is None or not skip(here / d, True)))
        names = list(filenames) + [d for d in dirnames if Path(d).suffix.lower() in IMAGE_EXTENSIONS]
        for name in sorted(names):
            if Path(name).suffix.lower() not in IMAGE_EXTENSIONS or name.startswith("."):
                continue
            full = here / name
            if skip is not None and name in filenames and skip(full, False):
                continue
            rel = text_name(full.relative_to(root).as_posix())
            found.append(_classify(full, rel, resolved_root))
    found.sort(key=lambda m: m.rel)
    return found


def walk(root: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(root)` without following links, hidden folders left out, folders in sorted order; without
    recursion, so a folder nested thousands deep is listed as far as the system lets it be opened."""
    stack = [os.fspath(root)]
    while stack:
        folder = stack.pop()
        dirs: list[str] = []
        files: list[str] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    (dirs if is_dir else files).append(entry.name)
        except OSError:  # vanished, unreadable, or a path too long to open
            continue
        dirs = sorted(d for d in dirs if not d.startswith("."))
        yield folder, dirs, files
        stack.extend(os.path.join(folder, d) for d in reversed(dirs))


def _classify(full: Path, rel: str, resolved_root: Path) -> MediaFile:
    try:
        st = full.lstat()
    except OSError as exc:
        return MediaFile(rel, None, f"cannot be read: {exc.strerror or exc}")
    if stat.S_ISLNK(st.st_mode):
        try:
            full.resolve()
        except (OSError, RuntimeError):  # a loop of links
            return MediaFile(rel, None, "is a link that loops; not read")
        if not inside(full, resolved_root):
            return MediaFile(rel, None, "is a link to a file outside the checked folder; not read")
        try:
            st = full.stat()
        except OSError:
            return MediaFile(rel, None, "is a broken link")
    if stat.S_ISDIR(st.st_mode):
        return MediaFile(rel, None, "is a folder, not an image file")
    if not stat.S_ISREG(st.st_mode):
        return MediaFile(rel, None, "is not a regular file (a pipe, socket or device); not read")
    return MediaFile(rel, full)


@dataclass(frozen=True)
class Resolved:
    """Where an article's image reference leads."""

    status: RefStatus
    rel: str | None = None
    """Path relative to the media folder when the reference leads to a file in it."""


def resolve_reference(ref: str, article_dir: Path, article_root: Path, media_root: Path) -> Resolved:
    """Resolve an image reference of an article without ever leaving the checked folders.

    URLs (http, https, protocol-relative, data:) are remote; other schemes (file:, javascript:), absolute paths and
    `../` that climb out of the article's folder are outside; a relative path is
    looked up beside the article, then in the media folder, and must exist there.
    """
    ref = ref.strip()
    parts = urlsplit(ref)
    if ref.startswith("//") or parts.scheme.lower() in REMOTE_SCHEMES:
        return Resolved(RefStatus.REMOTE)
    if parts.scheme and len(parts.scheme) > 1:  # file:, javascript:...: nothing in the folder, never followed
        return Resolved(RefStatus.OUTSIDE)
    target = unquote(parts.path)
    if not target:
        return Resolved(RefStatus.MISSING)
    posix = PurePosixPath(target.replace("\\", "/"))
    if posix.is_absolute() or (len(target) > 1 and target[1] == ":"):
        return Resolved(RefStatus.OUTSIDE)
    status = RefStatus.OUTSIDE
    for base in dict.fromkeys([article_dir, media_root]):
        candidate = base.joinpath(*posix.parts)
        if not (_lexically_inside(candidate, article_root) or _lexically_inside(candidate, media_root)):
            continue
        if not (inside(candidate.parent, article_root) or inside(candidate.parent, media_root)):
            continue  # a folder link leading out: outside, whether or not the file exists there
        status = RefStatus.MISSING
        if not _lexically_inside(candidate, media_root):
            continue
        # a link inside the folder counts as found: reading it is refused (and reported) by the media stage
        found = candidate if os.path.lexists(candidate) else _unicode_variant(candidate, media_root)
        if found is not None and not found.is_dir():
            rel = Path(os.path.normpath(found.absolute())).relative_to(
                Path(os.path.normpath(media_root.absolute())))
            return Resolved(RefStatus.FOUND, text_name(rel.as_posix()))
    return Resolved(status)


def _unicode_variant(candidate: Path, root: Path) -> Path | None:
    """The existing path under `root` that `candidate` names up to Unicode normalisation, or None.

    An article written on one system says "café.jpg" in NFC while the file saved on another
    (macOS) is named in NFD: to the reader they are one name, so they match. Each path part is
    looked up as written, else among its folder's entries by NFC form (when exactly one fits).
    """
    base = Path(os.path.normpath(root.absolute()))
    try:
        parts = Path(os.path.normpath(candidate.absolute())).relative_to(base).parts
    except ValueError:
        return None
    current = base
    for part in parts:
        if os.path.lexists(current / part):
            current = current / part
            continue
        wanted = unicodedata.normalize("NFC", part)
        if not inside(current, base):  # a folder link leading out: not even listed
            return None
        try:
            fits = [e for e in os.listdir(current) if unicodedata.normalize("NFC", e) == wanted]
        except OSError:
            return None
        if len(fits) != 1:
            return None
        current = current / fits[0]
    return current


def _lexically_inside(path: Path, root: Path) -> bool:
    norm = Path(os.path.normpath(path.absolute()))
    try:
        norm.relative_to(Path(os.path.normpath(root.absolute())))
    except ValueError:
        return False
    return True


def read_file(path: Path, rel: str, root: str) -> bytes | ImageRecord:
    """The bytes of an image file, or the record of why they cannot be read (too large, not a regular file,
    an OS error). The file is opened without blocking and checked once open: a pipe never stalls the run."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            return unreadable_record(rel, root, "is not a regular file (a pipe, socket or device); not read")
        size = st.st_size
        if size > MAX_FILE_BYTES:
            os.close(fd)
            why = f"file of {size} bytes is larger than the {MAX_FILE_BYTES} byte limit"
            return unreadable_record(rel, root, why, size)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:  # read(n) reserves n bytes first: ask for the size, not the limit
            data = fh.read(min(size, MAX_FILE_BYTES) + 1)
            if len(data) > size:  # it grew since: read on, to the limit
                data += fh.read(MAX_FILE_BYTES + 1 - len(data))
            return data
    except OSError as exc:
        return unreadable_record(rel, root, f"cannot read: {exc.strerror or exc}")


def unreadable_record(rel: str, root: str, why: str, size: int = 0, digest: str = "") -> ImageRecord:
    """The record of a file that could not be read at all."""
    return ImageRecord(
        path=rel, root=root, format=None, width=None, height=None, size=size,
        sha256=digest or hashlib.sha256(b"").hexdigest(), metadata=Provenance(), hashes=None, errors=(why,),
    )
