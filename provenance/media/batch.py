"""Read the image files of a media folder: from the cache when it knows them, else in a pool of processes.

Each file is read and decoded once, in a reader process (`concurrent.futures.ProcessPoolExecutor`,
safe under every start method) that hands back only the record's content as JSON data: decoded
pixels never leave it, and at most a few files per process are in flight, so memory stays flat
however large the folder. Records come back in the order of the files, whatever the number of
processes. A small batch (under `POOL_MIN_BYTES` to read) is read in this process, where a pool
would cost more to start than it saves, unless a `Budget` applies.

The budget (`--file-timeout`, `--file-memory`) keeps one pathological file from stalling a run:
exceeding it makes that file unreadable, with a line naming the budget, and the run goes on.
With a budget, every file is read in a reader process (even a batch of one, even with `--jobs 1`:
one reader process then), since only a process can be stopped from outside:

- memory: each reader process limits its own address space (`RLIMIT_AS`) to what it holds at
  start plus the budget, so an allocation past it fails there; the `MemoryError` becomes the file's
  error line (a decoder that aborts instead is the crash case below);
- time: each task writes its start time (`time.monotonic`, one clock for every process) and its
  process id into two shared arrays indexed by the file's position, so the parent knows when a file
  started even though each reader process has a few files queued ahead. The parent waits in short
  ticks, and kills (SIGKILL) the process of a file read for longer than the budget; the file gets
  the budget's line, the pool breaks, and the files in flight beside it are read again in a new
  pool, as they were not at fault.

A pool that breaks by itself (a decoder crash) reads every file not yet done again, one process
each (under the same budget), so the crash names the file that caused it.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from provenance.cache import FileKey, RecordCache, lookup_content
from provenance.media.files import OUT_OF_MEMORY, MediaFile, read_file, unreadable_record
from provenance.media.records import content_to_json, record_from_json
from provenance.model import ImageRecord

POOL_MIN_BYTES = 4 * 1024 * 1024
"""Below this many bytes to read, files are read in this process."""
IN_FLIGHT = 3
"""Files handed to each reader process ahead of time."""
CRASHED = "the image decoder stopped unexpectedly on this file (its reading process crashed)"
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
"""How reader processes start: never a plain fork of this process, whose native state (an open
database, c2pa-python's context) a child must not inherit. The fork server imports `PRELOAD` once,
and forks every reader process from that clean state."""
PRELOAD = "provenance.media.preload"
"""The module the fork server imports before it forks any reader process: this one, and all else that
reading a file needs."""

Content = dict[str, Any]
T = TypeVar("T")
Lookup = Callable[[str], "Content | None"]
Result = tuple[Content, bool, bool]
"""A read file: (the record's content, whether the bytes determine it, whether the cache knew it)."""
Finish = Callable[["_Task", Content, bool, bool], None]


@dataclass(frozen=True)
class Budget:
    """What reading one file may take; None: no limit. Any limit makes every file read in a reader process."""

    seconds: float | None = None
    """Wall-clock seconds from the start of its reading."""
    memory_mb: int | None = None
    """Megabytes of address space on top of what a reader process holds before reading it."""

    def __bool__(self) -> bool:
        return self.seconds is not None or self.memory_mb is not None

    def overtime(self) -> str:
        """The error line of a file whose reading took longer than `seconds`."""
        return f"took longer than the {self.seconds:g} s budget (--file-timeout); not read"

    def over_memory(self) -> str:
        """The error line of a file whose reading needed more than `memory_mb`."""
        return f"needed more than the {self.memory_mb} MB memory budget (--file-memory); not read"

    def crashed(self) -> str:
        """The error line of a file whose reading process died."""
        if self.memory_mb is None:
            return CRASHED
        return f"{CRASHED}, perhaps on reaching the {self.memory_mb} MB memory budget (--file-memory)"


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
                cache: RecordCache | None = None, tick: Callable[[], None] | None = None,
                budget: Budget | None = None) -> list[ImageRecord]:
    """The records of `files` (paths relative to the checked folder `root`), in their order.

    `jobs` reader processes (None: `default_jobs()`; 1 reads in this process unless a budget
    applies); `cache` gives known records and keeps new ones; `tick` is called once per file done;
    `budget` limits each file's reading (see the module's documentation).
    """
    return prepare_images(files, root, jobs=jobs, cache=cache, tick=tick, budget=budget).read()


def prepare_images(files: Sequence[MediaFile], root: str, *, jobs: int | None = None,
                   cache: RecordCache | None = None, tick: Callable[[], None] | None = None,
                   budget: Budget | None = None) -> ImageBatch:
    """`read_images` in two steps: this one looks every file up in the cache and, when the others
    are to be read in reader processes, starts the fork server they come from, which then imports
    what they need (`PRELOAD`) while this process does other work; `ImageBatch.read` reads them."""
    budget = budget or Budget()
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
    workers = min(jobs or default_jobs(), len(todo))
    pooled = workers > 1 and sum(t.key.size if t.key else _size(t.path) for t in todo) >= POOL_MIN_BYTES
    in_pool = bool(todo) and (pooled or bool(budget)) and processes_can_start()
    if in_pool:
        _start_fork_server()
    return ImageBatch(root, records, todo, workers, in_pool, cache, done, budget)


@dataclass
class ImageBatch:
    """The files of a media folder once looked up in the cache (see `prepare_images`)."""

    root: str
    records: list[ImageRecord | None]
    """Per file, its record when known (unreadable, or from the cache), else None."""
    todo: list[_Task]
    """The files to read."""
    workers: int
    in_pool: bool
    """Whether `todo` is read in reader processes (else in this process)."""
    cache: RecordCache | None
    done: Callable[[], None]
    budget: Budget

    def read(self) -> list[ImageRecord]:
        """Every file's record, in the order of the files; the cache keeps the new ones."""
        cache = self.cache
        if self.in_pool:
            _in_pool(self.todo, self.root, self.workers, cache, self._finish, self.budget)
        else:
            lookup = cache.get if cache is not None and cache.usable else None
            for task in self.todo:
                self._finish(task, *_read_one(str(task.path), task.rel, self.root, lookup))
        if cache is not None:
            cache.flush()
        return [r for r in self.records if r is not None]

    def _finish(self, task: _Task, content: Content, cacheable: bool, known: bool) -> None:
        record = _rebuild(content, task.rel, self.root)
        if record is None:  # a cached row that no longer reads: read the file again
            content, cacheable, known = _read_one(str(task.path), task.rel, self.root, None)
            record = record_from_json(content, task.rel, self.root)
        self.records[task.index] = record
        if self.cache is not None and cacheable:
            if known and task.key is not None:
                self.cache.remember(task.key, record.sha256)
            elif not known:
                self.cache.put(content, task.key)
        self.done()


def _in_pool(todo: list[_Task], root: str, workers: int, cache: RecordCache | None, finish: Finish,
             budget: Budget | None = None) -> None:
    budget = budget or Budget()
    cache_path = str(cache.path) if cache is not None and cache.usable else None
    memory_mb = budget.memory_mb

    def submit(pool: ProcessPoolExecutor, task: _Task) -> Future[Any]:
        return pool.submit(_read_task, task.index, str(task.path), task.rel, root, cache_path, memory_mb)

    def done(task: _Task, result: Any) -> None:
        finish(task, *result)

    def failed(task: _Task, why: str) -> None:
        finish(task, content_to_json(unreadable_record(task.rel, root, why)), False, False)

    overtime = budget.overtime() if budget.seconds is not None else ""  # only a time budget kills
    _budgeted(todo, workers, budget, submit, done, failed, overtime, budget.crashed())


def _budgeted(todo: list[_Task], workers: int, budget: Budget, submit: Submit, done: Done, failed: Failed,
              overtime: str, crashed: str) -> None:
    """Run `todo` in reader processes held to `budget`: `done` with each result, `failed` with `overtime` for
    a task whose process was killed over the time budget, with `crashed` for one whose process died alone."""
    size = max(t.index for t in todo) + 1
    context = multiprocessing.get_context(START_METHOD)
    shared = _Shared(context.RawArray("d", size), context.RawArray("i", size))
    queue = todo
    with safe_import_path():
        while queue:  # each round finishes at least one task, or sets aside the tasks of a crash
            queue, suspects = _round(queue, workers, budget, shared, submit, done, failed, overtime)
            for task in suspects:
                _, broke = _round([task], 1, budget, shared, submit, done, failed, overtime)
                if broke:
                    failed(task, crashed)


@dataclass(frozen=True)
class Overrun:
    """What a call run by `call_in_readers` gave instead of its result: the line saying why."""

    message: str


def call_in_readers(function: Callable[..., T], calls: Sequence[tuple[Any, ...]], budget: Budget, jobs: int | None,
                    *, overtime: str, over_memory: str, crashed: str) -> list[T | Overrun]:
    """`function(*args)` for each `args` of `calls`, in order, each in a reader process held to `budget`:
    killed past `budget.seconds` (`overtime`), its memory limited to `budget.memory_mb` (`over_memory`), its
    process dying alone (`crashed`). `function` must be a module-level function the fork server can import."""
    results: list[T | Overrun] = [Overrun(crashed)] * len(calls)
    if not calls:
        return results
    todo = [_Task(i, Path(), "", None) for i in range(len(calls))]
    memory_mb = budget.memory_mb

    def submit(pool: ProcessPoolExecutor, task: _Task) -> Future[Any]:
        return pool.submit(_call_task, task.index, function, calls[task.index], over_memory if memory_mb else None)

    def done(task: _Task, result: Any) -> None:
        results[task.index] = result

    def failed(task: _Task, why: str) -> None:
        results[task.index] = Overrun(why)

    _start_fork_server()
    _budgeted(todo, min(jobs or default_jobs(), len(calls)), budget, submit, done, failed, overtime, crashed)
    return results


def _call_task(index: int, function: Callable[..., T], args: tuple[Any, ...], over_memory: str | None) -> T | Overrun:
    """A reader process's task of `call_in_readers`: note its start, call; running out of memory is its error."""
    if _shared is not None:
        _shared.pids[index] = os.getpid()
        _shared.starts[index] = time.monotonic()
    try:
        return function(*args)
    except MemoryError:
        return Overrun(over_memory or OUT_OF_MEMORY)


Submit = Callable[[ProcessPoolExecutor, _Task], "Future[Any]"]
"""Hand one task to a pool of reader processes."""
Done = Callable[[_Task, Any], None]
"""Take the result of one task."""
Failed = Callable[[_Task, str], None]
"""Take the error line of a task that gave no result."""


@dataclass(frozen=True)
class _Shared:
    """Per task position: when it started (`time.monotonic`, 0: not yet) and in which process."""

    starts: Any
    pids: Any


def _round(tasks: list[_Task], workers: int, budget: Budget, shared: _Shared, submit_one: Submit, done: Done,
           failed: Failed, overtime: str) -> tuple[list[_Task], list[_Task]]:
    """Run `tasks` in one pool; returns (the tasks to run again in a new pool: those in flight when a task
    over the time budget had its process killed; the tasks not done when the pool broke by itself, to run
    one process each)."""
    for task in tasks:
        shared.starts[task.index] = 0.0
    queue = iter(tasks)
    pending: dict[Future[Any], _Task] = {}
    left: list[_Task] = []
    killed: set[int] = set()
    tick = None if budget.seconds is None else min(0.5, max(0.01, budget.seconds / 4))
    pool = _pool(workers, shared, budget.memory_mb)
    try:
        def submit() -> None:
            task = next(queue, None)
            if task is None:
                return
            try:
                future = submit_one(pool, task)
            except BrokenProcessPool:  # it broke since the last wait
                left.append(task)
                return
            pending[future] = task

        for _ in range(workers * IN_FLIGHT):
            submit()
        while pending:
            finished, _ = wait(pending, timeout=tick, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f].index):
                task = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    left.append(task)
                    continue
                done(task, result)
                if not left:
                    submit()
            if left:  # the pool broke: every task not yet done is run again
                left.extend(pending.values())
                left.extend(queue)
                pending.clear()
            elif budget.seconds is not None:
                killed.update(_kill_overdue(pending.values(), budget.seconds, shared))
        left.extend(queue)  # when it broke as the first tasks were handed out
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    left.sort(key=lambda t: t.index)
    for task in left:
        if task.index in killed:
            failed(task, overtime)
    rest = [t for t in left if t.index not in killed]
    return (rest, []) if killed else ([], rest)


def _kill_overdue(tasks: Iterable[_Task], seconds: float, shared: _Shared) -> list[int]:
    """Kill the reader process of every file read for longer than `seconds`; their positions."""
    now = time.monotonic()
    killed = []
    for task in tasks:
        started = shared.starts[task.index]
        if started and now - started > seconds:
            try:
                os.kill(shared.pids[task.index], signal.SIGKILL)
            except OSError:  # it just ended
                continue
            killed.append(task.index)
    return killed


def processes_can_start() -> bool:
    """False when a new process could not import the main program (a script read from stdin): the
    fork server and spawn start each reader process by importing it."""
    if START_METHOD == "fork":
        return True
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path is None or getattr(main, "__spec__", None) is not None or os.path.isfile(path)


def _start_fork_server() -> None:
    """Start the fork server of reader processes, if they come from one and it is not running yet,
    without waiting for it: it imports `PRELOAD` while this process goes on."""
    if START_METHOD != "forkserver":
        return
    from multiprocessing import forkserver

    forkserver.set_forkserver_preload([PRELOAD])
    with safe_import_path(), _started_from_root():
        forkserver.ensure_running()


CWD_ON_IMPORT_PATH = sys.version_info < (3, 11)
"""Whether a new `python -c` process puts its current folder first on its import path whatever its
environment says: Python 3.10 knows no `PYTHONSAFEPATH`."""
READER_HOME = "PROVENANCE_READER_HOME"
"""The environment variable naming the folder the fork server goes back to once it has imported `PRELOAD`."""


@contextlib.contextmanager
def _started_from_root() -> Iterator[None]:
    """Where `CWD_ON_IMPORT_PATH`, the fork server started in this block starts in the root folder, so that
    what it imports before `PRELOAD` (multiprocessing itself) cannot come from the current folder;
    `PRELOAD` then takes the current folder off its import path and goes back to `READER_HOME`."""
    if not CWD_ON_IMPORT_PATH:
        yield
        return
    home = os.getcwd()
    os.environ[READER_HOME] = home
    os.chdir(os.sep)
    try:
        yield
    finally:
        os.chdir(home)
        os.environ.pop(READER_HOME, None)


SAFE_PATH = "PYTHONSAFEPATH"
"""The environment variable that keeps a new Python process's current folder off its import path (`-P`)."""


@contextlib.contextmanager
def safe_import_path() -> Iterator[None]:
    """Python processes started in this block (the fork server, the resource tracker, spawned readers)
    import nothing from the current folder: `python -c` would put it first on their import path, so a
    `numpy.py` or `PIL/` there would run. They still import from PYTHONPATH and the installed packages."""
    before = os.environ.get(SAFE_PATH)
    os.environ[SAFE_PATH] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SAFE_PATH, None)
        else:
            os.environ[SAFE_PATH] = before


def _pool(workers: int, shared: _Shared, memory_mb: int | None) -> ProcessPoolExecutor:
    context = multiprocessing.get_context(START_METHOD)
    _start_fork_server()
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_reader,
                               initargs=(shared, memory_mb))


MMAP_THRESHOLD = 8 << 20
"""Bytes from which an allocation of a reader or comparing process is mapped afresh from the system."""
TRIM_THRESHOLD = 32 << 20
"""Free bytes a reader or comparing process keeps before it gives memory back to the system."""


def keep_freed_memory() -> None:
    """Let glibc's allocator keep and reuse the memory this process frees (reader and comparing processes).

    Hashing an image, or comparing one with many, allocates and frees arrays of a few hundred
    kilobytes to a few megabytes, thousands of times. With glibc's defaults, many of them are mapped
    from the system and unmapped again (or trimmed off the heap), and every page is faulted in anew.
    Measured on `benchmarks/speed.py`'s photos: comparing the 19,900 pairs of 200 of them took 135,000
    page faults and about 10% more time than with these settings (11,000 faults; larger thresholds
    fault no less); reading one took 214 faults and 0.6 ms more (22 faults). The settings are those
    of `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` in the environment, for this process
    only, which keeps at most `TRIM_THRESHOLD` bytes it no longer uses. Elsewhere than glibc, nothing
    changes.
    """
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):  # no C library to name, or no mallopt in it
        return
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
"""glibc's `mallopt` parameters (malloc.h)."""


_shared: _Shared | None = None
"""In a reader process: where its tasks write when they start."""


def _start_reader(shared: _Shared, memory_mb: int | None) -> None:
    """A reader process's start: keep the shared arrays, limit its memory to what it holds plus the budget."""
    global _shared
    _shared = shared
    keep_freed_memory()
    if memory_mb is None:
        return
    try:
        import resource
    except ImportError:  # not on this platform: no memory budget
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            held = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        held = 0
    limit = held + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    # more than the system can set: its own limit is the budget
    with contextlib.suppress(ValueError, OverflowError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _read_task(index: int, path: str, rel: str, root: str, cache_path: str | None,
               memory_mb: int | None) -> Result:
    """A reader process's task: note its start, read the file; running out of memory is the file's error."""
    if _shared is not None:
        _shared.pids[index] = os.getpid()
        _shared.starts[index] = time.monotonic()
    budget = Budget(memory_mb=memory_mb)
    why = budget.over_memory() if memory_mb is not None else OUT_OF_MEMORY
    try:
        content, cacheable, known = _read_in_process(path, rel, root, cache_path)
    except MemoryError:
        return content_to_json(unreadable_record(rel, root, why)), False, False
    errors = content.get("errors")
    if isinstance(errors, list) and OUT_OF_MEMORY in errors:
        content = dict(content, errors=[why if e == OUT_OF_MEMORY else e for e in errors])
    return content, cacheable, known


def _read_in_process(path: str, rel: str, root: str, cache_path: str | None) -> Result:
    """A reader process's task (see `_read_one`); the cache is looked up through its own connection."""
    lookup = (lambda sha256: lookup_content(cache_path, sha256)) if cache_path is not None else None
    return _read_one(path, rel, root, lookup)


def read_image_bytes(data: bytes, rel: str, root: str, digest: str | None = None) -> ImageRecord:
    """`provenance.media.reader.read_image_bytes`, imported on first use: this process needs neither
    Pillow, nor numpy, nor scipy when reader processes do the reading."""
    from provenance.media.reader import read_image_bytes as read

    return read(data, rel, root, digest)


def _read_one(path: str, rel: str, root: str, lookup: Lookup | None) -> Result:
    """(the record's content, whether the bytes determine it, whether `lookup` knew it)."""
    data = read_file(Path(path), rel, root)
    if isinstance(data, ImageRecord):
        return content_to_json(data), False, False
    digest = hashlib.sha256(data).hexdigest()
    if lookup is not None:
        content = lookup(digest)
        if content is not None:
            return content, True, True
    record = read_image_bytes(data, rel, root, digest)
    if OUT_OF_MEMORY in record.errors:  # the decoder ran out of memory: not the bytes' doing, not cached
        return content_to_json(record), False, False
    return content_to_json(record), True, False


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
