"""`provenance archive add`, `search` and `kill`: record published photos, find earlier uses, record kills.

Exit codes as for `check`: 0 done, 1 a file could not be read, 2 usage error (also an archive
that cannot be opened, or whose hashes were made by another recipe), 3 internal error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from provenance.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, _iso_date, _options, run_with_progress
from provenance.model import ArchiveHit, Hashes, KillNotice, image_table, json_visible, printable, text_name


def add_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """The `archive` command and its `add` and `search` subcommands."""
    archive = sub.add_parser("archive", help="record published articles' photos, or find earlier uses of a photo",
                             description="The photo archive: every figure of published articles.")
    commands = archive.add_subparsers(dest="archive_command", metavar="COMMAND", parser_class=type(archive))
    add = commands.add_parser("add", help="record every figure of published articles",
                              description="Record every figure of the articles at PATH (replacing what the "
                                          "archive had of them).")
    add.add_argument("paths", nargs="+", metavar="PATH", type=Path,
                     help="an article folder (every article file in it) or an article file")
    _archive_option(add)
    add.add_argument("--url", metavar="URL", help="the article's published URL, its key in the archive "
                                                  "(only with one article; default: its path)")
    add.add_argument("--published", type=_iso_date, metavar="DATE",
                     help="publication date (YYYY-MM-DD), instead of the date the article states")
    add.add_argument("--media", type=Path, metavar="DIR",
                     help="the folder holding the images (default: the article's folder)")
    add.add_argument("--config", type=Path, metavar="FILE",
                     help="read this configuration file instead of looking for one from PATH upward")
    search = commands.add_parser("search", help="list the earlier uses of images",
                                 description="List every recorded figure that shows the same photo as IMAGE.")
    search.add_argument("images", nargs="+", metavar="IMAGE", type=Path)
    _archive_option(search)
    search.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    search.add_argument("--config", type=Path, metavar="FILE",
                        help="read this configuration file instead of looking for one from the current folder")
    kill = commands.add_parser("kill", help="record photos as killed, so that `check` reports any use of them",
                               description="Record each IMAGE as killed (by its content and its perceptual hashes, "
                                           "so edited copies are caught), with the reason.")
    kill.add_argument("images", nargs="+", metavar="IMAGE", type=Path)
    kill.add_argument("--reason", required=True, metavar="TEXT", help="why the photos were killed (quoted by `check`)")
    _archive_option(kill)
    kill.add_argument("--config", type=Path, metavar="FILE",
                      help="read this configuration file instead of looking for one from the current folder")
    from provenance.scale_cli import add_commands as add_scale_commands  # `archive build`, `archive import`
    from provenance.scale_cli import add_scheduler_option

    add_scheduler_option(search)
    add_scale_commands(commands)


def _archive_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--archive", type=Path, metavar="FILE",
                         help="the archive file (default: the configuration's `archive`, else "
                              ".provenance/archive.sqlite)")


def run(args: argparse.Namespace) -> int:
    """Run `archive add` or `archive search`; returns the exit code."""
    if args.archive_command == "add":
        return _add(args)
    if args.archive_command == "search":
        return _search(args)
    if args.archive_command == "kill":
        return _kill(args)
    if args.archive_command in ("build", "import"):
        from provenance.scale_cli import run as run_scale

        return run_scale(args)
    print("provenance: archive: expected a command: add, search, kill, build or import", file=sys.stderr)
    return EXIT_USAGE


def _add(args: argparse.Namespace) -> int:
    from provenance.archive import Archive, ArchiveError, article_key, photos_of
    from provenance.baseline import BaselineError
    from provenance.config import DEFAULT_ARCHIVE, ConfigError
    from provenance.pipeline import UsageError, discover

    for name in ("select", "ignore", "max_age", "baseline"):
        setattr(args, name, None)
    try:
        options = _options(args)
        count = sum(len(t.articles) for p in args.paths for t in discover(p, args.media))
        if args.url and count != 1:
            raise UsageError(f"--url names one article, but the PATHs hold {count}")
    except (ConfigError, UsageError, BaselineError) as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    path = args.archive or options.archive or DEFAULT_ARCHIVE
    report = run_with_progress(args.paths, dataclasses.replace(options, select=frozenset(), archive=None))
    if isinstance(report, int):
        return report
    cwd = Path.cwd()
    images = image_table(report.images)
    try:
        with Archive(path, create=True) as archive:
            for article in report.articles:
                key = article_key(article, cwd, args.url)
                photos = photos_of(article, images, report.matches, key=key, cwd=cwd, published=args.published)
                stored = archive.record(key, photos)
                skipped = len(article.figures) - stored
                note = f" ({skipped} figure{'s' if skipped != 1 else ''} without a readable image)" if skipped else ""
                print(printable(f"{key}: recorded {stored} photo{'s' if stored != 1 else ''} in {path}{note}"))
    except ArchiveError as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FINDINGS if report.errors else EXIT_CLEAN


def _configured_archive(args: argparse.Namespace) -> Path | None:
    """`--archive`, else the configuration's `archive`, else the default; None (after one line on
    stderr) when the configuration cannot be read."""
    from provenance.config import DEFAULT_ARCHIVE, ConfigError, find_config, load_config

    try:
        found = args.config if args.config is not None else find_config(Path.cwd())
        configured = load_config(found).archive if found is not None else None
    except ConfigError as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return None
    return args.archive or configured or DEFAULT_ARCHIVE


def _kill(args: argparse.Namespace) -> int:
    from provenance.archive import ArchiveError, location
    from provenance.kills import KilledPhoto, KillRegister, now
    from provenance.media.reader import read_image

    path = _configured_archive(args)
    if path is None:
        return EXIT_USAGE
    reason = " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in args.reason).split())
    if not reason:
        print("provenance: archive kill: --reason must say why the photos were killed", file=sys.stderr)
        return EXIT_USAGE
    missing = [image for image in args.images if not image.is_file()]
    for image in missing:
        print(f"provenance: {image}: not a file", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    failed = 0
    when = now()
    try:
        with KillRegister(path, create=True) as register:
            for image in args.images:
                record = read_image(image, image.name, image.parent.as_posix())
                hashes = record.hashes
                if hashes is None:  # its copies cannot be known: the file itself still is
                    reason_line = "; ".join(record.errors) or "cannot be decoded"
                    print(f"provenance: {image.as_posix()}: {reason_line}; recorded by its content only",
                          file=sys.stderr)
                    failed += 1
                    hashes = Hashes(version="")
                register.kill(KilledPhoto(sha256=record.sha256, image=location(record.root, record.path, Path.cwd()),
                                          reason=reason, killed=when, hashes=hashes))
                print(f"{image.as_posix()}: killed in {path.as_posix()} ({reason})")
    except ArchiveError as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def _search(args: argparse.Namespace) -> int:
    from provenance.archive import ArchiveError, open_archive
    from provenance.kills import KillRegister, NoKillNotices
    from provenance.media.reader import read_image

    path = _configured_archive(args)
    if path is None:
        return EXIT_USAGE
    results: list[dict[str, object]] = []
    queries: list[tuple[Hashes, str | None]] = []
    errors: list[str] = []
    missing = 0
    try:
        with open_archive(path, args.scheduler) as archive:
            for image in args.images:
                if not image.is_file():
                    print(f"provenance: {image}: not a file", file=sys.stderr)
                    missing += 1
                    continue
                record = read_image(image, image.name, image.parent.as_posix())
                name = text_name(image.as_posix())
                if record.hashes is None:
                    reason = "; ".join(record.errors) or "cannot be decoded"
                    errors.append(f"{name}: {reason}")
                    continue
                results.append({"image": name, "sha256": record.sha256})
                queries.append((record.hashes, record.sha256))
            # One pass over the archive for every image (a Parquet archive reads each partition once).
            for result, hits in zip(results, archive.search_many(queries), strict=True):
                result["matches"] = [_hit_json(h) for h in hits]
        holds_kills = True
        killed: list[tuple[KillNotice, ...]]
        try:
            with KillRegister(path) as register:
                killed = register.search_many([(h, str(sha)) for h, sha in queries])
        except NoKillNotices as exc:
            print(f"provenance: note: {exc}", file=sys.stderr)
            holds_kills = False
            killed = [() for _ in queries]
        for result, found in zip(results, killed, strict=True):
            result["killed"] = [_notice_json(n) for n in found]
    except ArchiveError as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for error in errors:
        print(f"provenance: {error}", file=sys.stderr)
    if args.format == "json":
        document = {"archive": path.as_posix(), "holds_kill_notices": holds_kills, "images": results,
                    "errors": errors}
        sys.stdout.write(json_visible(json.dumps(document, indent=2, ensure_ascii=False)) + "\n")
    else:
        for result in results:
            print(printable(str(result["image"])))
            matches = result["matches"]
            notices = result["killed"]
            assert isinstance(matches, list) and isinstance(notices, list)
            for n in notices:
                print(f"  KILLED on {n['killed'][:10]}: {n['reason']} ({n['similarity']}"
                      f"{', killed as ' + n['image'] if n['image'] else ''})")
            if not matches:
                print("  no earlier use recorded")
            for m in matches:
                when = m["published"] or "undated"
                print(printable(f"  {m['article']} ({when}), figure {m['figure']}: {m['similarity']}"))
                for key in ("title", "caption", "credit", "image"):
                    if m[key]:
                        print(printable(f"    {key + ':':<8} {m[key]}"))
    if missing:
        return EXIT_USAGE
    return EXIT_FINDINGS if errors else EXIT_CLEAN


def _hit_json(hit: ArchiveHit) -> dict[str, object]:
    """An earlier use as JSON: the article and figure (1-based), and how similar."""
    return {
        "article": hit.article,
        "path": hit.path,
        "title": hit.title,
        "published": hit.published,
        "figure": hit.figure + 1,
        "caption": hit.caption,
        "credit": hit.credit,
        "image": hit.image,
        "sha256": hit.sha256,
        "similarity": hit.similarity,
        "score": round(hit.score, 3),
        "how": list(hit.how),
    }


def _notice_json(notice: KillNotice) -> dict[str, object]:
    """A kill notice as JSON: why and when, and how similar the searched image is to the killed one."""
    return {
        "reason": notice.reason,
        "killed": notice.killed,
        "image": notice.image,
        "sha256": notice.sha256,
        "similarity": notice.similarity,
        "score": round(notice.score, 3),
        "how": list(notice.how),
    }
