"""The one-way flow: find files -> parse articles -> read media -> match -> archive look-up -> pairs of
images judged -> rules -> suppressions -> baseline -> Report."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from provenance import __version__, model
from provenance.articles import ArticleError, article_format, read_article
from provenance.baseline import Baseline
from provenance.cache import RecordCache
from provenance.credits import CreditParser
from provenance.matching import match_figures
from provenance.media.batch import Budget, ImageBatch, prepare_images
from provenance.media.files import find_images
from provenance.model import ArchiveHit, Article, Finding, ImageRecord, Match, Report, RuleInfo, Severity, joined_path
from provenance.rules import ALL_RULES, CheckContext, Rule


class UsageError(Exception):
    """A problem with what the user asked for (a path that does not exist...): exit code 2."""


@dataclass(frozen=True)
class CheckOptions:
    """How to run a check; built by the CLI from arguments and configuration."""

    media: Path | None = None
    """Media folder for every article, instead of the article's own folder."""
    fail_on: Severity | None = Severity.ERROR
    """Findings at or above this fail the gate; None never fails."""
    select: frozenset[str] | None = None
    """Rule names to run (None: all)."""
    ignore: frozenset[str] = frozenset()
    """Rule names not to run."""
    severity: Mapping[str, Severity] = field(default_factory=dict)
    """Rule name -> severity overriding the rule's default."""
    agencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Extra agency aliases: canonical name -> aliases."""
    reuse_threshold: int | None = None
    """Largest perceptual-hash distance (bits of 64) at which two photos count as the same (None: the
    similarity engine's default). From configuration; handed to the rules as `CheckContext.options`."""
    archive: Path | None = None
    """The photo archive file (see `provenance.archive`) whose earlier uses previously-published reports
    (None: no archive). From `--archive` or configuration."""
    max_age: int | None = None
    """Days a photo may predate its article before stale-photo asks for an archive label (None: the
    rule's default of 30). From `--max-age` or configuration; handed to the rules as `CheckContext.options`."""
    published: str | None = None
    """Publication date (ISO 8601) for every article, overriding what the articles say (`--published`)."""
    baseline: Baseline | None = None
    """Known findings to hide (reported as baselined); None reports every finding."""
    jobs: int | None = None
    """Processes reading images (None: one per core; 1 reads them in this process)."""
    cache: Path | None = None
    """SQLite file of the image record cache (see `provenance.cache`); None reads every image afresh."""
    file_timeout: float | None = None
    """Seconds the reading of one image may take before it is stopped and reported unreadable (None: no
    limit). Any budget makes images read in reader processes, even with `jobs=1` (see
    `provenance.media.batch`). The CLI's default is `config.DEFAULT_FILE_TIMEOUT`."""
    file_memory: int | None = None
    """Megabytes of memory the reading of one image may take (None: no limit); as `file_timeout`."""
    scheduler: str | None = None
    """Dask scheduler address on which a Parquet archive is searched (None: in this process)."""


Progress = Callable[[int, int, str], None]
"""Called as `progress(done, total, unit)`: while files are read (unit "files"; `total` may grow as
folders are listed), then while the reused-photo rule's pairs of images are compared ("pairs")."""


@dataclass(frozen=True)
class Target:
    """One PATH of the command line: its articles and the folder its images live in."""

    label: str
    """The checked folder as the user named it (posix); report paths are relative to it."""
    article_root: Path
    articles: tuple[Path, ...]
    media_root: Path

    @property
    def media_label(self) -> str:
        """The media folder as the report names it: the checked folder, or `--media` as given."""
        return self.label if self.media_root == self.article_root else model.text_name(self.media_root.as_posix())


def discover(path: Path, media: Path | None = None) -> Target:
    """Turn a PATH argument into a `Target`; raises `UsageError` when it cannot be checked."""
    if media is not None and not media.is_dir():
        raise UsageError(f"--media {media}: not a folder")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if article_format(p) is not None and not p.is_dir())
        root = path
        label = path.as_posix()
    elif path.is_file():
        if article_format(path) is None:
            raise UsageError(f"{path}: not an article file (expected .txt, .text, .md, .markdown, .html or .htm)")
        files = [path]
        root = path.parent
        label = root.as_posix()
    elif path.exists():
        raise UsageError(f"{path}: neither a file nor a folder")
    else:
        raise UsageError(f"{path}: no such file or folder")
    return Target(label=model.text_name(label), article_root=root, articles=tuple(files), media_root=media or root)


def run(paths: Sequence[Path], options: CheckOptions | None = None, progress: Progress | None = None) -> Report:
    """Check every PATH and return the report; `progress` hears how many files are read."""
    options = options or CheckOptions()
    targets = [discover(p, options.media) for p in paths]
    tick = _Counter(progress, sum(len(t.articles) for t in targets))
    parser = CreditParser.default(options.agencies)
    articles: list[Article] = []
    images: list[ImageRecord] = []
    matches: list[Match] = []
    errors: list[str] = []
    seen_media: dict[Path, list[ImageRecord]] = {}
    cache = RecordCache(options.cache) if options.cache is not None else None
    try:
        # The first media folder is listed and looked up in the cache before any article is parsed:
        # reader processes, when some of its images are to be read, then get ready meanwhile. (The
        # others are looked up when their turn comes, after the folders before them have been read
        # and cached: a folder may hold another's images.)
        first = _prepare_media(targets[0], tick, options, cache) if targets else None
        for target in targets:
            target_articles = []
            for file in target.articles:
                rel = model.text_name(file.relative_to(target.article_root).as_posix())
                try:
                    article = read_article(file, rel, target.label, parser, folder=target.article_root)
                except ArticleError as exc:
                    errors.append(f"{joined_path(target.label, rel)}: {exc}")
                    continue
                finally:
                    tick()
                target_articles.append(article)
            media_key = target.media_root.resolve()
            if media_key not in seen_media:
                batch = first if first is not None else _prepare_media(target, tick, options, cache)
                first = None
                seen_media[media_key] = batch.read()
                images.extend(seen_media[media_key])
            matches.extend(match_figures(target_articles, seen_media[media_key], target.article_root, target.media_root,
                                         target.media_label))
            articles.extend(target_articles)
        archive_hits, archive_errors = _archive_stage(options, articles, images, matches)
        errors.extend(archive_errors)
        ctx = CheckContext(articles=tuple(articles), images=tuple(images), matches=tuple(matches), parser=parser,
                           options=_rule_options(options), archive=archive_hits)
        ctx = _similarity_stage(ctx, options, cache, progress)
    finally:
        if cache is not None:
            cache.close()
    findings = _run_rules(ctx, options)
    shown, hidden = _apply_suppressions(findings, articles)
    if options.baseline is not None:
        shown, known = options.baseline.split(shown)
        hidden.extend(known)
    return Report(
        tool_version=__version__,
        articles=tuple(articles),
        images=tuple(images),
        matches=tuple(matches),
        findings=tuple(shown),
        hidden=tuple(hidden),
        errors=tuple(errors),
        fail_on=options.fail_on,
        rules=rule_infos(options),
    )


class _Counter:
    """Counts files read for a `Progress` callback; silent when there is none."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def grow(self, more: int) -> None:
        self.total += more
        if self.progress is not None:
            self.progress(self.done, self.total, "files")

    def __call__(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, "files")


def _archive_stage(options: CheckOptions, articles: list[Article], images: list[ImageRecord],
                   matches: list[Match]) -> tuple[Mapping[tuple[str, str, int], tuple[ArchiveHit, ...]], list[str]]:
    """Each figure's earlier uses in the photo archive, when one is named and previously-published runs."""
    if options.archive is None or not any(r.name == "previously-published" for r in active_rules(options)):
        return MappingProxyType({}), []
    from provenance.archive import lookup

    if not options.archive.is_file() and not options.archive.is_dir():  # a folder: a Parquet archive
        raise UsageError(f"archive {options.archive}: no such file (`provenance archive add` creates it)")
    return lookup(options.archive, articles, images, matches, Path.cwd(), scheduler=options.scheduler)


def _similarity_stage(ctx: CheckContext, options: CheckOptions, cache: RecordCache | None,
                      progress: Progress | None) -> CheckContext:
    """The context with every pair of figures' images judged (see `provenance.media.pairs`), when
    reused-photo runs: in processes, and only the pairs the cache does not know."""
    if not any(r.name == "reused-photo" for r in active_rules(options)):
        return ctx
    from provenance.media.pairs import judge_pairs  # numpy and the similarity engine: only when needed

    used = [(image.sha256, image.hashes) for _, _, image in ctx.figure_images() if image.hashes is not None]
    tick = None if progress is None else (lambda done, total: progress(done, total, "pairs"))
    similar = judge_pairs(used, cache=cache, jobs=options.jobs, progress=tick)
    return dataclasses.replace(ctx, similar=MappingProxyType(similar))


def _rule_options(options: CheckOptions) -> Mapping[str, object]:
    values = {"reuse_threshold": options.reuse_threshold, "archive": options.archive, "max_age": options.max_age,
              "published": options.published}
    return MappingProxyType({k: v for k, v in values.items() if v is not None})


def rule_infos(options: CheckOptions) -> tuple[RuleInfo, ...]:
    """What the report says about every rule: its severity in this run, and whether it ran."""
    active = {r.code for r in active_rules(options)}
    return tuple(
        RuleInfo(code=r.code, name=r.name, severity=_severity(r, options) or r.severity, summary=r.summary,
                 doc=r.doc, enabled=r.code in active)
        for r in ALL_RULES
    )


def _severity(rule: Rule, options: CheckOptions) -> Severity | None:
    return options.severity.get(rule.name) or options.severity.get(rule.code)


def _prepare_media(target: Target, tick: _Counter, options: CheckOptions, cache: RecordCache | None) -> ImageBatch:
    """A media folder's images, looked up in the cache; `ImageBatch.read` reads the others with
    `options.jobs` processes."""
    label = target.media_label
    entries = find_images(target.media_root)
    tick.grow(len(entries))
    budget = Budget(seconds=options.file_timeout, memory_mb=options.file_memory)
    return prepare_images(entries, label, jobs=options.jobs, cache=cache, tick=tick, budget=budget)


def active_rules(options: CheckOptions) -> list[Rule]:
    """The rules this run applies, after select/ignore."""
    rules = []
    for rule in ALL_RULES:
        if options.select is not None and rule.name not in options.select and rule.code not in options.select:
            continue
        if rule.name in options.ignore or rule.code in options.ignore:
            continue
        rules.append(rule)
    return rules


def _run_rules(ctx: CheckContext, options: CheckOptions) -> list[Finding]:
    findings: list[Finding] = []
    for rule in active_rules(options):
        severity = _severity(rule, options)
        for finding in rule.check(ctx):
            if severity is not None and severity != finding.severity:
                finding = dataclasses.replace(finding, severity=severity)
            findings.append(finding)
    findings.sort(key=lambda f: (f.root, f.article or "~", f.line or 0, f.code, f.images))
    return findings


def _apply_suppressions(findings: list[Finding], articles: list[Article]) -> tuple[list[Finding], list[Finding]]:
    by_article = {(a.root, a.path): a for a in articles}
    shown: list[Finding] = []
    hidden: list[Finding] = []
    for finding in findings:
        reason = None
        article = by_article.get((finding.root, finding.article or ""))
        if article is not None:
            for index in finding.figures:
                for s in article.figures[index].suppressions:
                    if finding.rule in s.rules or finding.code in s.rules:
                        reason = s.reason
        if reason is None:
            shown.append(finding)
        else:
            hidden.append(dataclasses.replace(finding, suppressed_by=reason))
    return shown, hidden
