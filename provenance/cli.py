"""Command line: parse arguments, run the pipeline, pick a formatter, return the exit code.

Exit codes: 0 clean, 1 findings at or above the fail level, 2 usage or
configuration error, 3 internal error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from provenance.atomic import WriteError, write_text
from provenance.console import raw, safe_output, silence_stdout, stdout_closed
from provenance.dates import calendar_date
from provenance.model import Report, Severity
from provenance.version import __version__

if TYPE_CHECKING:
    from provenance.baseline import Baseline
    from provenance.pipeline import CheckOptions

T = TypeVar("T", int, float)

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, so `main` returns the code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageExit(f"{self.prog}: error: {message}")


class _UsageExit(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    from provenance.inspect_cli import add_arguments as inspect_options
    from provenance.report import Format

    parser = _Parser(prog="provenance", description="Check the photos of a news article before it is published.")
    parser.add_argument("--version", action="version", version=f"provenance {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check articles and their media folder",
                           description="Check articles: figures, captions, credits, embedded metadata, reuse.")
    _add_run_options(check)
    check.add_argument("--format", choices=[f.value for f in Format], default=Format.TEXT.value,
                       help="output format (default: text)")
    check.add_argument("--fail-on", choices=["error", "warning", "note", "never"], default=None,
                       help="exit 1 when a finding is at or above this severity (default: the configuration's, "
                            "else error)")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--baseline", type=Path, metavar="FILE",
                       help="hide the findings this baseline file records (see `provenance baseline`)")
    check.add_argument("--quiet", "-q", action="store_true",
                       help="findings only: no summary, no progress bar (nothing on stdout when clean)")
    check.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                       help="colour text output: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR forces "
                            "it), always or never (default: auto)")
    check.add_argument("--statistics", action="store_true",
                       help="print how many findings each rule made instead of the report (with --output, "
                            "beside it)")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when findings fail the gate (2 and 3 still mean a usage or internal "
                            "error)")

    baseline = sub.add_parser("baseline", help="record today's findings, so that `check --baseline` reports new ones",
                              description="Check like `provenance check` and write every finding to a baseline file.")
    _add_run_options(baseline)
    baseline.add_argument("--write", type=Path, metavar="FILE", required=True, help="the baseline file to write")

    inspect = sub.add_parser("inspect", help="print the embedded provenance of images",
                             description="Print each image's provenance record (EXIF, IPTC, XMP, C2PA).")
    inspect.add_argument("images", nargs="+", metavar="IMAGE", type=Path, help="an image file, or a folder of them")
    inspect.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    inspect_options(inspect)
    _add_budget_options(inspect)

    rules = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    rules.add_argument("name", nargs="?", help="a rule name or code")
    rules.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")

    from provenance.archive_cli import add_commands  # `archive add`, `archive search`

    add_commands(sub)
    _add_debug(parser, False)
    for command in _commands(sub):
        _add_debug(command, argparse.SUPPRESS)  # given after the command name; absent: the top level's
    return parser


def _add_debug(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--debug", action="store_true", default=default,
                        help="print the traceback of an internal error (exit 3) on stderr")


def _commands(sub: argparse._SubParsersAction[_Parser]) -> list[argparse.ArgumentParser]:
    """Every command's parser, nested ones (`archive add`) included."""
    found: list[argparse.ArgumentParser] = []
    for command in dict.fromkeys(sub.choices.values()):
        found.append(command)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                found.extend(_commands(action))
    return found


def _add_run_options(command: argparse.ArgumentParser) -> None:
    """The options `check` and `baseline` share: what to check, and with which rules."""
    command.add_argument("paths", nargs="+", metavar="PATH", type=_path_or_url,
                         help="an article folder (every article file in it, images anywhere under it), "
                              "an article file, or the http(s) URL of an article page (fetched with its images)")
    command.add_argument("--media", type=Path, metavar="DIR",
                         help="the folder holding the images (default: the article's folder)")
    command.add_argument("--select", action="append", metavar="RULES",
                         help="run only these rules (names, codes, code prefixes such as PV0, or ALL; "
                              "comma-separated); replaces the configuration's `select`")
    command.add_argument("--ignore", action="append", metavar="RULES",
                         help="do not run these rules (names or codes, comma-separated); added to the "
                              "configuration's")
    command.add_argument("--exclude", action="append", metavar="GLOBS",
                         help="leave out the paths these .gitignore-style globs match (comma-separated); replaces "
                              "the configuration's `exclude` and the defaults")
    command.add_argument("--extend-exclude", action="append", metavar="GLOBS",
                         help="leave out these paths too, on top of `exclude`")
    command.add_argument("--changed-since", metavar="REF",
                         help="check only the articles changed since this git revision (added, modified, "
                              "renamed, untracked), and those whose images changed")
    command.add_argument("--config", type=Path, metavar="FILE",
                         help="read this configuration file instead of looking for one from PATH upward")
    command.add_argument("--max-age", type=_days, metavar="DAYS",
                         help="days a photo may predate its article before stale-photo flags it "
                              "(default: the configuration's, else 30)")
    command.add_argument("--published", type=_iso_date, metavar="DATE",
                         help="publication date (YYYY-MM-DD) of the articles, instead of the date they state")
    command.add_argument("--archive", type=Path, metavar="FILE",
                         help="look each photo up in this archive (`provenance archive add`; a folder: a Parquet "
                              "archive from `provenance archive build`): previously-published "
                              "(default: the configuration's `archive`, else .provenance/archive.sqlite when it "
                              "exists)")
    command.add_argument("--scheduler", metavar="ADDRESS",
                         help="search a Parquet archive (`provenance archive build`) on this Dask scheduler, e.g. "
                              "tcp://host:8786 (default: in this process)")
    command.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                         help="processes reading images (default: one per core; 1 reads them in this process when no "
                              "budget applies, else in one reader process)")
    _add_budget_options(command)
    command.add_argument("--fetch", action="store_true", default=None,
                         help="fetch and check the remote images of local articles (default: the configuration's "
                              "`fetch`, else off: each is a remote-image note)")
    command.add_argument("--allow-host", action="append", metavar="HOST",
                         help="fetch from HOST even when it resolves to a loopback, private or link-local address "
                              "(repeatable; added to the configuration's `allow-hosts`)")
    command.add_argument("--fetch-max-mb", type=_positive_megabytes, metavar="MB",
                         help="largest remote response, in megabytes (default: the configuration's, else 50)")
    command.add_argument("--no-cache", action="store_true",
                         help="read every image afresh, without the record cache (default: the configuration's "
                              "cache, else .provenance/cache.sqlite in the current folder)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code. Its messages on stderr are printable lines."""
    with safe_output():
        return _main(argv)


def _main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    _show_warnings()
    try:
        args = parser.parse_args(argv)
    except _UsageExit as exc:
        print(parser.format_usage().rstrip(), file=raw(sys.stderr))
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_CLEAN
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "baseline":
            return _baseline(args)
        if args.command == "inspect":  # its text escapes every value itself (inspect_cli)
            return _inspect(args)
        if args.command == "archive":
            from provenance.archive_cli import run as run_archive

            return run_archive(args)
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("provenance: interrupted", file=sys.stderr)
        return 130
    except WriteError as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError as exc:
        if stdout_closed():  # the reader of the output has all it wanted
            silence_stdout()
            return EXIT_CLEAN
        print(f"provenance: internal error: a pipe to another process broke ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:
        print(f"provenance: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if getattr(args, "debug", False):
            traceback.print_exc(file=raw(sys.stderr))
        return EXIT_INTERNAL


def _options(args: argparse.Namespace) -> CheckOptions:
    """CheckOptions from the configuration file, then the command line (which wins).

    Raises `ConfigError` or `UsageError` (both exit 2).
    """
    from provenance import config as configuration
    from provenance.config import Config, find_config, load_config, rule_names
    from provenance.confined import check_confined
    from provenance.discovery import exclusions
    from provenance.per_file_ignores import PerFileIgnores
    from provenance.pipeline import CheckOptions, UsageError
    from provenance.rights import Publisher

    if args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"--config {args.config}: no such file")
        config = load_config(args.config)
    else:
        found = {p: find_config(Path.cwd() if isinstance(p, str) else p) for p in args.paths}
        files = sorted({str(f) for f in found.values() if f is not None})
        if len(set(found.values())) > 1:
            raise UsageError(f"the PATHs are governed by different configuration files ({', '.join(files)}); "
                             "check them separately, or name one with --config")
        path = next(iter(found.values()), None)
        config = load_config(path, _display(path)) if path is not None else Config()
        if path is not None:
            check_confined(config, path, _display(path), args.paths)
    select = config.select
    ignore = set(config.ignore)
    for flag, values in (("select", args.select), ("ignore", args.ignore)):
        if not values:
            continue
        try:
            names = rule_names(_split(values))
        except ValueError as exc:
            raise UsageError(f"--{flag}: {exc}") from None
        if flag == "select":
            select = names
        else:
            ignore |= names
    fail_on_label = getattr(args, "fail_on", None) or config.fail_on or "error"
    baseline = _read_baseline(args.baseline) if getattr(args, "baseline", None) is not None else None
    return CheckOptions(
        media=args.media,
        fail_on=None if fail_on_label == "never" else Severity.parse(fail_on_label),
        select=select,
        ignore=frozenset(ignore),
        severity=config.severity,
        agencies=config.agencies,
        reuse_scope=config.reuse_scope,
        archive=_archive_path(args.archive, config.archive),
        max_age=args.max_age if args.max_age is not None else config.max_age,
        published=args.published,
        baseline=baseline,
        jobs=getattr(args, "jobs", None),  # commands without --jobs/--no-cache (archive add) take the defaults
        cache=None if getattr(args, "no_cache", False) else (config.cache or _default_cache()),
        file_timeout=_limit(getattr(args, "file_timeout", None), config.file_timeout,
                            configuration.DEFAULT_FILE_TIMEOUT),
        file_memory=_limit(getattr(args, "file_memory", None), config.file_memory, configuration.DEFAULT_FILE_MEMORY),
        scheduler=getattr(args, "scheduler", None),
        exclude=exclusions(config.path.parent if config.path else None, config.exclude, config.extend_exclude,
                           _split(args.exclude) if getattr(args, "exclude", None) else None,
                           _split(getattr(args, "extend_exclude", None) or [])),
        respect_gitignore=config.respect_gitignore is not False,
        per_file_ignores=PerFileIgnores(config.path.parent, config.per_file_ignores)
        if config.path is not None and config.per_file_ignores else None,
        changed_since=getattr(args, "changed_since", None),
        publisher=Publisher(territory=config.territory, outlet=config.outlet),
        fetch=bool(getattr(args, "fetch", None) or config.fetch),
        allow_hosts=config.allow_hosts | {h.strip().lower() for h in getattr(args, "allow_host", None) or ()},
        fetch_max_mb=getattr(args, "fetch_max_mb", None) or config.fetch_max_mb,
    )


def _add_budget_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--file-timeout", type=_seconds, metavar="SECONDS",
                         help="seconds reading one file (an image, an article over 64 KiB) may take before it is "
                              "stopped and reported unreadable; 0: no limit (default: the configuration's, else 30)")
    command.add_argument("--file-memory", type=_megabytes, metavar="MB",
                         help="megabytes of memory reading one file (an image, an article over 64 KiB) may take; "
                              "0: no limit (default: the configuration's, else 1024)")


def _limit(flag: T | None, configured: T | None, default: T | None) -> T | None:
    """A budget from the command line, else the configuration, else the default; 0 means no limit (None)."""
    value = flag if flag is not None else configured if configured is not None else default
    return value if value else None


def _archive_path(flag: Path | None, configured: Path | None) -> Path | None:
    """The archive `check` looks photos up in: `--archive`, else the configured one, else the default
    `.provenance/archive.sqlite` of the current folder when it exists (a missing default is no error)."""
    from provenance.config import DEFAULT_ARCHIVE

    if flag is not None:
        return flag
    if configured is not None:
        return configured
    return DEFAULT_ARCHIVE if DEFAULT_ARCHIVE.is_file() else None


def _default_cache() -> Path:
    from provenance.cache import DEFAULT_PATH

    return DEFAULT_PATH


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _display(path: Path) -> str:
    """A configuration file's path as messages show it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_baseline(path: Path) -> Baseline:
    from provenance.baseline import MAX_BASELINE_BYTES, loads
    from provenance.pipeline import UsageError
    from provenance.user_files import read_regular

    try:
        text = read_regular(path, MAX_BASELINE_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"--baseline {path}: cannot read: {reason}") from None
    return loads(text, str(path))


def _run(args: argparse.Namespace, quiet: bool = False) -> Report | int:
    """Options, then the pipeline with a progress bar; an exit code when it cannot run."""
    from provenance.baseline import BaselineError
    from provenance.config import ConfigError
    from provenance.pipeline import UsageError

    try:
        options = _options(args)
    except (ConfigError, UsageError, BaselineError) as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_with_progress(args.paths, options, quiet=quiet)


def run_with_progress(paths: Sequence[Path | str], options: CheckOptions, *, quiet: bool = False) -> Report | int:
    """The pipeline with a progress bar on a terminal; its error lines go to stderr. An exit code when it
    cannot run (a usage error)."""
    from provenance.pipeline import UsageError, run
    from provenance.progress import ProgressBar

    bar = ProgressBar(raw(sys.stderr))
    bar.enabled = bar.enabled and not quiet
    try:
        report = run(paths, options, progress=bar)
    except UsageError as exc:
        print(f"provenance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        bar.close()
    for error in report.errors:
        print(f"provenance: {error}", file=sys.stderr)
    return report


def _check(args: argparse.Namespace) -> int:
    from provenance.report import Format, RenderOptions, render, statistics
    from provenance.terminal import use_color

    report = _run(args, quiet=args.quiet)
    if isinstance(report, int):
        return report
    if args.changed_since is not None and not report.articles:
        print(f"provenance: no article changed since {args.changed_since}", file=sys.stderr)
    fmt = Format(args.format)
    color = fmt is Format.TEXT and (args.color == "always" or (args.output is None and use_color(
        args.color, sys.stdout, os.environ)))
    text = render(report, fmt, RenderOptions(color=color, quiet=args.quiet))
    if args.output is not None:
        write_text(args.output, text)
    if args.statistics:
        text = statistics.render(report)
    if args.output is None or args.statistics:
        sys.stdout.write(text)
        sys.stdout.flush()
    return EXIT_FINDINGS if report.failed and not args.exit_zero else EXIT_CLEAN


def _baseline(args: argparse.Namespace) -> int:
    from provenance.baseline import dumps

    args.baseline = None
    report = _run(args)
    if isinstance(report, int):
        return report
    write_text(args.write, dumps(report.findings))
    count = len(report.findings)
    print(f"provenance: wrote {count} finding{'s' if count != 1 else ''} to {args.write}", file=sys.stderr)
    return EXIT_FINDINGS if report.errors else EXIT_CLEAN


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError("days cannot be negative")
    return days


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError("seconds must be a finite number, 0 or more")
    return seconds


def _megabytes(value: str) -> int:
    try:
        megabytes = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of megabytes") from None
    if megabytes < 0:
        raise argparse.ArgumentTypeError("megabytes cannot be negative")
    return megabytes


def _path_or_url(value: str) -> Path | str:
    """A PATH argument: an http(s) URL stays a string (a Path would fold its `//`)."""
    return value if value[:8].lower().startswith(("http://", "https://")) else Path(value)


def _positive_megabytes(value: str) -> int:
    megabytes = _megabytes(value)
    if megabytes < 1:
        raise argparse.ArgumentTypeError("at least 1 megabyte is needed")
    return megabytes


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of processes") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("at least 1 process is needed")
    return jobs


class _WarningLine(logging.Handler):
    """Prints the library's warnings (a rebuilt cache...) as one `provenance: warning: ...` line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"provenance: warning: {record.getMessage()}", file=sys.stderr)


def _show_warnings() -> None:
    logger = logging.getLogger("provenance")
    if not any(isinstance(h, _WarningLine) for h in logger.handlers):
        logger.addHandler(_WarningLine(logging.WARNING))


def _iso_date(value: str) -> str:
    date = calendar_date(value) if value[4:5] == "-" else None
    if date is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)")
    return date.isoformat()


def _inspect(args: argparse.Namespace) -> int:
    from provenance import config as configuration
    from provenance.inspect_cli import run as run_inspect
    from provenance.media.batch import Budget

    budget = Budget(seconds=_limit(args.file_timeout, None, configuration.DEFAULT_FILE_TIMEOUT),
                    memory_mb=_limit(args.file_memory, None, configuration.DEFAULT_FILE_MEMORY))
    return run_inspect(args, budget)


def _rules(args: argparse.Namespace) -> int:
    from provenance.rules import ALL_RULES, find_rule

    rule = find_rule(args.name) if args.name else None
    if args.name and rule is None:
        print(f"provenance: no rule named {args.name!r}; `provenance rules` lists them", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        import json

        data = [{"code": r.code, "name": r.name, "severity": r.severity.label, "summary": r.summary,
                 "help_uri": r.help_uri, "doc": r.doc} for r in ([rule] if rule else ALL_RULES)]
        sys.stdout.write(json.dumps(data[0] if rule else {"rules": data}, indent=2, ensure_ascii=False) + "\n")
        return EXIT_CLEAN
    if rule is not None:
        print(f"{rule.code} {rule.name} (default severity: {rule.severity.label})\n")
        print(rule.doc)
        return EXIT_CLEAN
    width = max(len(r.name) for r in ALL_RULES)
    for each in ALL_RULES:
        print(f"{each.code}  {each.name:<{width}}  {each.severity.label:<7}  {each.summary}")
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
