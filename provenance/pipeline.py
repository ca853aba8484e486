"""The one-way flow: find files -> parse articles -> read media -> match -> archive look-up -> pairs of
images judged -> rules -> suppressions -> baseline -> Report."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from provenance import model
from provenance.articles import article_format, read_article_or_error
from provenance.baseline import Baseline
from provenance.cache import RecordCache
from provenance.changes import ChangesError, changed_articles, changed_files
from provenance.credits import CreditParser
from provenance.discovery import DEFAULT_EXCLUDE, PathFilter, Patterns, Skip, nothing_found, walk
from provenance.matching import match_figures
from provenance.media.batch import Budget, ImageBatch, Overrun, call_in_readers, prepare_images, processes_can_start
from provenance.media.files import find_images
from provenance.model import ArchiveHit, Article, Finding, ImageRecord, Match, Report, RuleInfo, Severity, joined_path
from provenance.per_file_ignores import PerFileIgnores
from provenance.rights import Publisher
from provenance.rules import ALL_RULES, CheckContext, Rule
from provenance.rules.reused_photo import ReuseScope
from provenance.version import __version__

if TYPE_CHECKING:
    from provenance.model import KillNotice

if TYPE_CHECKING:
    from provenance.media.remote import Fetcher


REMOTE_MEDIA = "."
"""The media folder of a URL PATH checked without `--media`: it holds no image (references are URLs)."""


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
    """Rule name -> severity replacing the rule's default; a finding the rule itself lowered below its default
    (a labelled archive photo's note) keeps the lower of the two."""
    agencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Extra agency aliases: canonical name -> aliases."""
    reuse_scope: ReuseScope | None = None
    """Which figures reused-photo compares: "article" (each article alone; the default) or "run" (every
    article of the check together). From configuration; handed to the rules as `CheckContext.options`."""
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
    exclude: tuple[Patterns, ...] = (Patterns(Path("."), DEFAULT_EXCLUDE),)
    """Globs of the paths a folder's walk leaves out (`exclude`, `extend-exclude`, `--exclude`)."""
    respect_gitignore: bool = True
    """Leave out what the `.gitignore` files of the git work tree ignore (`respect-gitignore`)."""
    per_file_ignores: PerFileIgnores | None = None
    """Rules not reported for the files globs match (`per-file-ignores`)."""
    changed_since: str | None = None
    """A git revision: only the articles changed since it (or whose images changed) are checked."""
    publisher: Publisher = field(default_factory=Publisher)
    """Territory and outlet the articles are published in, from configuration (restricted-photo)."""
    fetch: bool = False
    """Fetch the remote images of local articles (`--fetch`); the images of URL PATHs are always fetched."""
    allow_hosts: frozenset[str] = frozenset()
    """Hosts fetched even when they resolve to a loopback, private or link-local address (`--allow-host`)."""
    fetch_max_mb: int | None = None
    """Largest remote response, in megabytes (None: `provenance.media.remote.DEFAULT_MAX_BYTES`)."""


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
    skip: Skip | None = field(default=None, compare=False)
    """What the media folder's listing leaves out: excluded and ignored paths, other article folders."""

    @property
    def media_label(self) -> str:
        """The media folder as the report names it: the checked folder, or `--media` as given."""
        return self.label if self.media_root == self.article_root else model.text_name(self.media_root.as_posix())


def discover(path: Path, media: Path | None = None, path_filter: PathFilter | None = None) -> list[Target]:
    """Turn a PATH argument into its `Target`s, one per article folder under a folder (see
    `provenance.discovery`); raises `UsageError` when it cannot be checked."""
    if media is not None and not media.is_dir():
        raise UsageError(f"--media {media}: not a folder")
    path_filter = path_filter or PathFilter()
    if path.is_dir():
        found = walk(path, path_filter)
        skip = found.skip if media is None else path_filter.under(media)
        label = model.text_name(path.as_posix())
        return [Target(label=label, article_root=path, articles=f.articles, media_root=media or f.folder, skip=skip)
                for f in found.folders]
    if path.is_file():
        if article_format(path) is None:
            raise UsageError(f"{path}: not an article file (expected .txt, .text, .md, .markdown, .html or .htm)")
        root = path.parent
        skip = walk(root, path_filter).skip if media is None else path_filter.under(media)
        return [Target(label=model.text_name(root.as_posix()), article_root=root, articles=(path,),
                       media_root=media or root, skip=skip)]
    if path.exists():
        raise UsageError(f"{path}: neither a file nor a folder")
    raise UsageError(f"{path}: no such file or folder")


def run(paths: Sequence[Path | str], options: CheckOptions | None = None, progress: Progress | None = None, *,
        label: str | None = None) -> Report:
    """Check every PATH (a file or folder, or an http(s) URL as a string) and return the report; `progress`
    hears how many files are read; `label`, when given, is how the report names every checked folder
    (`provenance.api.check_article` names its temporary folder ".")."""
    options = options or CheckOptions()
    urls = [p for p in paths if isinstance(p, str) and p[:8].lower().startswith(("http://", "https://"))]
    path_filter = PathFilter(options.exclude, gitignore=options.respect_gitignore)
    targets = [t for p in paths if p not in urls for t in discover(Path(p), options.media, path_filter)]
    if label is not None:
        targets = [dataclasses.replace(t, label=label) for t in targets]
    if not targets and not urls:
        raise UsageError(nothing_found([Path(p) for p in paths]))
    if options.changed_since is not None:
        targets = _changed_only(targets, options.changed_since)
    tick = _Counter(progress, sum(len(t.articles) for t in targets))
    parser = CreditParser.default(options.agencies)
    articles: list[Article] = []
    images: list[ImageRecord] = []
    matches: list[Match] = []
    errors: list[str] = []
    seen_media: dict[Path, list[ImageRecord]] = {}
    cache = RecordCache(options.cache) if options.cache is not None else None
    fetcher = None
    if options.fetch or urls:
        from provenance import fetching  # httpx: only when something is fetched

        fetcher = fetching.open_fetcher(options.fetch_max_mb, options.allow_hosts, urls)
    try:
        # The first media folder is listed and looked up in the cache before any article is parsed:
        # reader processes, when some of its images are to be read, then get ready meanwhile. (The
        # others are looked up when their turn comes, after the folders before them have been read
        # and cached: a folder may hold another's images.)
        first = _prepare_media(targets[0], tick, options, cache) if targets else None
        for target in targets:
            target_articles = []
            for rel, article in _read_articles(target, parser, options, tick):
                if isinstance(article, str):
                    errors.append(f"{joined_path(target.label, rel)}: {article}")
                else:
                    target_articles.append(article)
            media_key = target.media_root.resolve()
            if media_key not in seen_media:
                batch = first if first is not None else _prepare_media(target, tick, options, cache)
                first = None
                seen_media[media_key] = batch.read()
                images.extend(seen_media[media_key])
            target_matches = match_figures(target_articles, seen_media[media_key], target.article_root,
                                           target.media_root, target.media_label)
            if fetcher is not None:
                target_matches, remote = fetching.fetch_images(target_matches, seen_media[media_key],
                                                               target.media_label, fetcher, cache, jobs=options.jobs,
                                                               budget=_budget(options), progress=tick)
                _add_new(images, remote)
            matches.extend(target_matches)
            articles.extend(target_articles)
        if fetcher is not None and urls:
            _url_stage(urls, fetcher, parser, options, cache, tick, articles, images, matches, errors)
        archive_hits, archive_errors = _archive_stage(options, articles, images, matches)
        errors.extend(archive_errors)
        kills, kill_errors = _kill_stage(options, articles, images, matches)
        errors.extend(kill_errors)
        ctx = CheckContext(articles=tuple(articles), images=tuple(images), matches=tuple(matches), parser=parser,
                           options=_rule_options(options), archive=archive_hits, publisher=options.publisher,
                           kills=kills)
        ctx = _similarity_stage(ctx, options, cache, progress)
    finally:
        if fetcher is not None:
            fetcher.close()
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


def _changed_only(targets: list[Target], ref: str) -> list[Target]:
    """The targets cut down to the articles changed since `ref`, or whose images changed (see
    `provenance.changes`); targets left with no article are dropped."""
    changed: dict[Path, frozenset[Path]] = {}
    kept = []
    for target in targets:
        if target.article_root not in changed:
            try:
                changed[target.article_root] = changed_files(ref, target.article_root)
            except ChangesError as exc:
                raise UsageError(str(exc)) from None
        articles = changed_articles(target.articles, target.media_root, target.skip, changed[target.article_root])
        if articles:
            kept.append(dataclasses.replace(target, articles=articles))
    return kept


def _url_stage(urls: list[str], fetcher: Fetcher, parser: CreditParser, options: CheckOptions,
               cache: RecordCache | None, tick: _Counter, articles: list[Article], images: list[ImageRecord],
               matches: list[Match], errors: list[str]) -> None:
    """The articles at `urls`, fetched with their images; the images of `--media` (read here unless a
    target read them) are the originals renditions are matched to."""
    from provenance import fetching

    tick.grow(len(urls))
    media: list[ImageRecord] = []
    label = REMOTE_MEDIA
    if options.media is not None:
        target = Target(options.media.as_posix(), options.media, (), options.media)
        label = target.media_label
        media = [im for im in images if im.root == label]
        if not media:
            media = _prepare_media(target, tick, options, cache).read()
            images.extend(media)
    for url in urls:
        article = fetching.fetch_article(url, fetcher, parser)
        tick()
        if isinstance(article, str):
            errors.append(article)
            continue
        found = match_figures([article], media, Path(REMOTE_MEDIA), options.media or Path(REMOTE_MEDIA), label)
        found, remote = fetching.fetch_images(found, media, label, fetcher, cache, jobs=options.jobs,
                                              budget=_budget(options), progress=tick)
        _add_new(images, remote)
        matches.extend(found)
        articles.append(article)


IN_PROCESS_ARTICLE_BYTES = 64 * 1024
"""Article files up to this size are parsed in this process; larger ones in reader processes held to the
file budget (`--file-timeout`, `--file-memory`), where a page built to make a parser take minutes or
gigabytes costs only itself. (Starting the reader processes costs more than parsing a small file.)"""


def _read_articles(target: Target, parser: CreditParser, options: CheckOptions,
                   tick: Callable[[], None]) -> list[tuple[str, Article | str]]:
    """Each article file of `target` with its article, or the line saying why it was not read."""
    budget = _budget(options)
    calls: list[tuple[Path, str, str, CreditParser, Path]] = []
    for file in target.articles:
        rel = model.text_name(file.relative_to(target.article_root).as_posix())
        calls.append((file, rel, target.label, parser, target.article_root))
    pooled = [i for i, call in enumerate(calls) if _size(call[0]) > IN_PROCESS_ARTICLE_BYTES]
    out: list[Article | str | None] = [None] * len(calls)
    if budget and pooled and processes_can_start():
        results = call_in_readers(read_article_or_error, [calls[i] for i in pooled], budget, options.jobs,
                                  overtime="parsing " + budget.overtime() if budget.seconds is not None else "",
                                  over_memory="parsing " + budget.over_memory() if budget.memory_mb is not None else "",
                                  crashed="its parser stopped unexpectedly (its parsing process crashed); not read")
        for i, result in zip(pooled, results, strict=True):
            out[i] = result.message if isinstance(result, Overrun) else result
            tick()
    for i, call in enumerate(calls):
        if out[i] is None:
            out[i] = read_article_or_error(*call)
            tick()
    return [(call[1], result) for call, result in zip(calls, out, strict=True) if result is not None]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _add_new(images: list[ImageRecord], remote: list[ImageRecord]) -> None:
    """Add the remote records `images` lacks (several articles may show one URL)."""
    known = {(im.root, im.path) for im in images}
    images.extend(im for im in remote if (im.root, im.path) not in known)


def _budget(options: CheckOptions) -> Budget:
    return Budget(seconds=options.file_timeout, memory_mb=options.file_memory)


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
    from provenance.archive import NotAnArchive, lookup

    if not options.archive.is_file() and not options.archive.is_dir():  # a folder: a Parquet archive
        raise UsageError(f"archive {options.archive}: no such file (`provenance archive add` creates it)")
    try:
        return lookup(options.archive, articles, images, matches, Path.cwd(), scheduler=options.scheduler)
    except NotAnArchive as exc:
        raise UsageError(str(exc)) from None


def _kill_stage(options: CheckOptions, articles: list[Article], images: list[ImageRecord],
                matches: list[Match]) -> tuple[Mapping[tuple[str, str, int], tuple[KillNotice, ...]], list[str]]:
    """Each figure's kill notices in the photo archive, when one is named and killed-photo runs."""
    if options.archive is None or not any(r.name == "killed-photo" for r in active_rules(options)):
        return MappingProxyType({}), []
    from provenance.archive import ArchiveError
    from provenance.kills import NoKillNotices, lookup

    if not options.archive.is_file() and not options.archive.is_dir():
        raise UsageError(f"archive {options.archive}: no such file (`provenance archive add` creates it)")
    try:
        return lookup(options.archive, articles, images, matches, Path.cwd()), []
    except NoKillNotices as exc:
        logging.getLogger("provenance.kills").warning("%s; killed-photo checks kill advisories only", exc)
        return MappingProxyType({}), []
    except ArchiveError as exc:
        return MappingProxyType({}), [str(exc)]


def _similarity_stage(ctx: CheckContext, options: CheckOptions, cache: RecordCache | None,
                      progress: Progress | None) -> CheckContext:
    """The context with every pair of figures' images judged (see `provenance.media.pairs`), when
    reused-photo runs: in processes, and only the pairs the cache does not know."""
    if not any(r.name == "reused-photo" for r in active_rules(options)):
        return ctx
    from provenance.media.pairs import judge_pairs  # numpy and the similarity engine: only when needed

    figures = [(article, image) for article, _, image in ctx.figure_images() if image.hashes is not None]
    used = [(image.sha256, image.hashes) for _, image in figures if image.hashes is not None]
    groups = None if options.reuse_scope == "run" else [id(article) for article, _ in figures]
    tick = None if progress is None else (lambda done, total: progress(done, total, "pairs"))
    similar = judge_pairs(used, cache=cache, jobs=options.jobs, progress=tick, groups=groups)
    return dataclasses.replace(ctx, similar=MappingProxyType(similar))


def _rule_options(options: CheckOptions) -> Mapping[str, object]:
    values = {"archive": options.archive, "max_age": options.max_age, "published": options.published,
              "reuse_scope": options.reuse_scope}
    return MappingProxyType({k: v for k, v in values.items() if v is not None})


def rule_infos(options: CheckOptions) -> tuple[RuleInfo, ...]:
    """What the report says about every rule: its severity in this run, and whether it ran."""
    active = {r.code for r in active_rules(options)}
    return tuple(
        RuleInfo(code=r.code, name=r.name, severity=_severity(r, options) or r.severity, summary=r.summary,
                 doc=r.doc, enabled=r.code in active, help_uri=r.help_uri)
        for r in ALL_RULES
    )


def _severity(rule: Rule, options: CheckOptions) -> Severity | None:
    return options.severity.get(rule.name) or options.severity.get(rule.code)


def _prepare_media(target: Target, tick: _Counter, options: CheckOptions, cache: RecordCache | None) -> ImageBatch:
    """A media folder's images, looked up in the cache; `ImageBatch.read` reads the others with
    `options.jobs` processes."""
    label = target.media_label
    entries = find_images(target.media_root, target.skip)
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
            if options.per_file_ignores is not None and options.per_file_ignores.drops(finding):
                continue
            if severity is not None:  # a rule's own downgrade (a labelled archive photo's note) is kept
                own = finding.severity
                finding = dataclasses.replace(finding, severity=min(own, severity) if own < rule.severity else severity)
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
