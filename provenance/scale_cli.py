"""`provenance archive build` and `provenance archive import`: the Parquet archive on the command line.

`build` hashes folders of articles or CSV/JSONL manifests into a Parquet archive folder (see
`provenance.archive_parquet`), in this process (`--engine local`) or on a Dask cluster (`--engine
dask`: the scheduler at `--scheduler`, else a local cluster of one worker process per core).
`import` copies a SQLite archive into a Parquet one, or back.

Exit codes as for `archive add`: 0 done, 1 an image could not be read, 2 usage error (also a
manifest path outside its folder, or photos hashed differently from the archive's).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE

if TYPE_CHECKING:
    from distributed import Client

DEFAULT_OUT = Path(".provenance") / "archive.parquet"
"""Where `archive build` writes when `--out` is not given (relative to the current folder)."""

WORKER_ENVIRON = {"MALLOC_TRIM_THRESHOLD_": str(256 << 20), "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}
"""Environment of the local cluster's worker processes. Dask starts workers with glibc's trim threshold at
64 KB, which also turns off its adaptive mmap threshold: every array of a few MB a search makes is then
mapped and unmapped afresh, and a partition's search takes about 5 times as long. These keep freed memory
for reuse (start the workers of another cluster with them too)."""


def add_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """The `archive build` and `archive import` subcommands."""
    build = commands.add_parser("build", help="hash articles or a CMS manifest into a Parquet archive, in parallel",
                                description="Hash the photos of SOURCE (article folders or files, or a CSV/JSONL "
                                            "manifest of image, article, date, caption, credit) into a "
                                            "partitioned Parquet archive; an interrupted build resumes.")
    build.add_argument("sources", nargs="+", metavar="SOURCE", type=Path)
    build.add_argument("--out", type=Path, metavar="DIR", default=DEFAULT_OUT,
                       help=f"the Parquet archive folder (default: {DEFAULT_OUT.as_posix()})")
    build.add_argument("--engine", choices=["local", "dask"], default="local",
                       help="hash in this process (local) or on a Dask cluster (dask; default: local)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="the Dask scheduler to use, e.g. tcp://host:8786 (implies --engine dask; default: a "
                            "local cluster of one worker per core)")
    build.add_argument("--workers", type=int, metavar="N", help="workers of the local cluster (default: one per core)")
    build.add_argument("--partition-size", type=int, metavar="N",
                       help="manifest rows (default 1000) or article folders (default 50) per partition")
    imp = commands.add_parser("import", help="copy a SQLite archive into a Parquet archive, or back",
                              description="Copy every photo of SRC into DEST: a SQLite archive file into a Parquet "
                                          "archive folder, or a Parquet folder into a SQLite file.")
    imp.add_argument("source", metavar="SRC", type=Path)
    imp.add_argument("dest", metavar="DEST", type=Path)


def add_scheduler_option(command: argparse.ArgumentParser) -> None:
    """`--scheduler` for `archive search`: search a Parquet archive's partitions on a Dask cluster."""
    command.add_argument("--scheduler", metavar="ADDRESS",
                         help="search a Parquet archive's partitions on this Dask scheduler (e.g. tcp://host:8786)")


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None = None) -> Iterator[Client]:
    """A client of the scheduler at `scheduler`, else of a local cluster of `workers` single-threaded workers."""
    from distributed import Client, LocalCluster

    if scheduler:
        from provenance.archive import ArchiveError

        try:
            client = Client(scheduler)
        except (OSError, ValueError) as exc:  # unreachable, or not an address
            raise ArchiveError(f"Dask scheduler {scheduler}: cannot connect: {exc}") from None
        with client:
            yield client
        return
    import dask

    count = workers or os.cpu_count() or 1
    environ = {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in WORKER_ENVIRON.items()}
    with dask.config.set(environ), LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                                dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


def run(args: argparse.Namespace) -> int:
    """Run `archive build` or `archive import`; returns the exit code."""
    from provenance.archive import ArchiveError
    from provenance.archive_parquet import missing, missing_dask

    reason = missing()
    if reason is None and args.archive_command == "build" and (args.engine == "dask" or args.scheduler):
        reason = missing_dask()
    if reason is not None:
        print(f"provenance: {reason}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.archive_command == "build":
            return _build(args)
        return _import(args)
    except ArchiveError as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _build(args: argparse.Namespace) -> int:
    from provenance.archive_parquet import build

    if args.partition_size is not None and args.partition_size < 1:
        print("provenance: --partition-size: expected a positive number", file=sys.stderr)
        return EXIT_USAGE
    started = time.monotonic()

    def built(name: str, hashed: Any) -> None:
        print(f"{name}: {len(hashed.photos)} photo{'s' if len(hashed.photos) != 1 else ''}", file=sys.stderr)

    if args.engine == "dask" or args.scheduler:
        with dask_client(args.scheduler, args.workers) as client:
            result = build(args.sources, args.out, client=client, size=args.partition_size, on_partition=built)
    else:
        result = build(args.sources, args.out, size=args.partition_size, on_partition=built)
    for error in result.errors:
        print(f"provenance: {error}", file=sys.stderr)
    seconds = time.monotonic() - started
    print(f"{args.out.as_posix()}: {len(result.built)} partition{'s' if len(result.built) != 1 else ''} built "
          f"({result.rows} photos, {result.reads} images read in {seconds:.1f} s), {len(result.skipped)} already "
          f"complete, {len(result.removed)} removed")
    return EXIT_FINDINGS if result.errors else EXIT_CLEAN


def _import(args: argparse.Namespace) -> int:
    from provenance.archive_parquet import import_archive

    count, direction = import_archive(args.source, args.dest)
    kind = "SQLite archive" if direction == "parquet-to-sqlite" else "Parquet archive"
    print(f"{args.dest.as_posix()}: imported {count} photo{'s' if count != 1 else ''} into the {kind}")
    return EXIT_CLEAN
