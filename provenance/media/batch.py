"""Read the image files of a media folder: from the cache when it knows them, else in a pool of processes.

Each file is read and decoded once, in a reader process (`concurrent.futures.ProcessPoolExecutor`,
safe under every start method) that hands back only the record's content as JSON data: decoded
pixels never leave it, and at most a few files per process are in flight, so memory stays flat
however large the folder. Records come back in the order of the files, whatever the number of
processes. A small batch (under `POOL_MIN_BYTES` to read) is read in this process, where a pool
would cost more to start than it saves.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.cache import FileKey, RecordCache, lookup_content
from provenance.media.files import MediaFile
from provenance.media.reader import read_file, read_image_bytes, unreadable_record
from provenance.media.records import content_to_json, record_from_json
from provenance.model import ImageRecord

POOL_MIN_BYTES = 4 * 1024 * 1024
"""Below this many bytes to read, files are read in this process."""
IN_FLIGHT = 3
"""Files handed to each reader process ahead of time."""
CRASHED = "the image decoder stopped unexpectedly on this file (its reading process crashed)"
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
"""How reader processes start: never a plain fork of this process, whose native state (an open
database, c2pa-python's context) a child must not inherit. The fork server imports this module
once, and forks every reader process from that clean state."""

Content = dict[str, Any]
Lookup = Callable[[str], "Content | None"]


def default_jobs() -> int:
    """How many reader processes to use by default: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Task:
    index: int
    path: Path
    rel: str
    key: FileKey | None


def read_images(files: Sequence[MediaFile], root: str, *, jobs: int | None = None,
                cache: RecordCache | None = None, tick: Callable[[], None] | None = None) -> list[ImageRecord]:
    """The records of `files` (paths relative to the checked folder `root`), in their order.

    `jobs` reader processes (None: `default_jobs()`; 1 reads in this process); `cache` gives known
    records and keeps new ones; `tick` is called once per file done.
    """
    done = tick or (lambda: None)
    records: list[ImageRecord | None] = [None] * len(files)
    todo: list[_Task] = []
    for index, entry in enumerate(files):
        if entry.path is None:
            records[index] = unreadable_record(entry.rel, root, entry.problem or "not read")
            done()
            continue
        key = FileKey.of(entry.path) if cache is not None and cache.usable else None
        content = cache.lookup(key) if cache is not None and key is not None else None
        if content is not None:
            records[index] = _rebuild(content, entry.rel, root)
            if records[index] is not None:
                done()
                continue
        todo.append(_Task(index, entry.path, entry.rel, key))

    def finish(task: _Task, content: Content, cacheable: bool, known: bool) -> None:
        record = _rebuild(content, task.rel, root)
        if record is None:  # a cached row that no longer reads: read the file again
            content, cacheable, known = _read_one(str(task.path), task.rel, root, None)
            record = record_from_json(content, task.rel, root)
        records[task.index] = record
        if cache is not None and cacheable:
            if known and task.key is not None:
                cache.remember(task.key, record.sha256)
            elif not known:
                cache.put(content, task.key)
        done()

    workers = min(jobs or default_jobs(), len(todo))
    if (workers > 1 and sum(t.key.size if t.key else _size(t.path) for t in todo) >= POOL_MIN_BYTES
            and _processes_can_start()):
        _in_pool(todo, root, workers, cache, finish)
    else:
        lookup = cache.get if cache is not None and cache.usable else None
        for task in todo:
            finish(task, *_read_one(str(task.path), task.rel, root, lookup))
    if cache is not None:
        cache.flush()
    return [r for r in records if r is not None]


def _in_pool(todo: list[_Task], root: str, workers: int, cache: RecordCache | None,
             finish: Callable[[_Task, Content, bool, bool], None]) -> None:
    cache_path = str(cache.path) if cache is not None and cache.usable else None
    queue = iter(todo)
    pending: dict[Future[tuple[Content, bool, bool]], _Task] = {}
    left: list[_Task] = []
    pool = _pool(workers)
    try:
        def submit() -> None:
            task = next(queue, None)
            if task is not None:
                pending[pool.submit(_read_in_process, str(task.path), task.rel, root, cache_path)] = task

        for _ in range(workers * IN_FLIGHT):
            submit()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f].index):
                task = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    left.append(task)
                    continue
                finish(task, *result)
                if not left:
                    submit()
            if left:  # the pool broke: every file not yet done is read again, one process each
                left.extend(pending.values())
                left.extend(queue)
                pending.clear()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for task in sorted(left, key=lambda t: t.index):
        finish(task, *_alone(task, root, cache_path))


def _alone(task: _Task, root: str, cache_path: str | None) -> tuple[Content, bool, bool]:
    """Read one file in a process of its own, so that a decoder crash names the file that caused it."""
    with _pool(1) as pool:
        try:
            return pool.submit(_read_in_process, str(task.path), task.rel, root, cache_path).result()
        except BrokenProcessPool:
            return content_to_json(unreadable_record(task.rel, root, CRASHED)), False, False


def _processes_can_start() -> bool:
    """False when a new process could not import the main program (a script read from stdin): the
    fork server and spawn start each reader process by importing it."""
    if START_METHOD == "fork":
        return True
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path is None or getattr(main, "__spec__", None) is not None or os.path.isfile(path)


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _read_in_process(path: str, rel: str, root: str, cache_path: str | None) -> tuple[Content, bool, bool]:
    """A reader process's task (see `_read_one`); the cache is looked up through its own connection."""
    lookup = (lambda sha256: lookup_content(cache_path, sha256)) if cache_path is not None else None
    return _read_one(path, rel, root, lookup)


def _read_one(path: str, rel: str, root: str, lookup: Lookup | None) -> tuple[Content, bool, bool]:
    """(the record's content, whether the bytes determine it, whether `lookup` knew it)."""
    data = read_file(Path(path), rel, root)
    if isinstance(data, ImageRecord):
        return content_to_json(data), False, False
    digest = hashlib.sha256(data).hexdigest()
    if lookup is not None:
        content = lookup(digest)
        if content is not None:
            return content, True, True
    return content_to_json(read_image_bytes(data, rel, root, digest)), True, False


def _rebuild(content: Content, rel: str, root: str) -> ImageRecord | None:
    try:
        return record_from_json(content, rel, root)
    except (ValueError, KeyError, TypeError):
        return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
