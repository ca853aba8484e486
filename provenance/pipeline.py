"""The one-way flow: find files -> parse articles -> read media -> match -> rules -> suppressions -> Report."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from provenance import __version__
from provenance.articles import ArticleError, article_format, read_article
from provenance.credits import CreditParser
from provenance.matching import match_figures
from provenance.media.files import find_images
from provenance.media.reader import read_image, unreadable_record
from provenance.model import Article, Finding, ImageRecord, Match, Report, Severity
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
    max_age: int = 30
    """Days a photo may predate its article before stale-photo asks for an archive label."""
    published: str | None = None
    """Publication date (ISO 8601) for every article, overriding what the articles say."""


@dataclass(frozen=True)
class Target:
    """One PATH of the command line: its articles and the folder its images live in."""

    label: str
    """The checked folder as the user named it (posix); report paths are relative to it."""
    article_root: Path
    articles: tuple[Path, ...]
    media_root: Path


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
    return Target(label=label, article_root=root, articles=tuple(files), media_root=media or root)


def run(paths: Sequence[Path], options: CheckOptions | None = None) -> Report:
    """Check every PATH and return the report."""
    options = options or CheckOptions()
    targets = [discover(p, options.media) for p in paths]
    parser = CreditParser.default(options.agencies)
    articles: list[Article] = []
    images: list[ImageRecord] = []
    matches: list[Match] = []
    errors: list[str] = []
    seen_media: dict[Path, list[ImageRecord]] = {}
    for target in targets:
        target_articles = []
        for file in target.articles:
            rel = file.relative_to(target.article_root).as_posix()
            try:
                article = read_article(file, rel, target.label, parser, folder=target.article_root)
            except ArticleError as exc:
                errors.append(f"{_join(target.label, rel)}: {exc}")
                continue
            target_articles.append(article)
        media_key = target.media_root.resolve()
        if media_key not in seen_media:
            seen_media[media_key] = _read_media(target)
            images.extend(seen_media[media_key])
        matches.extend(match_figures(target_articles, seen_media[media_key], target.article_root, target.media_root))
        articles.extend(target_articles)
    ctx = CheckContext(
        articles=tuple(articles), images=tuple(images), matches=tuple(matches), parser=parser,
        options={"max_age": options.max_age, "published": options.published},
    )
    findings = _run_rules(ctx, options)
    shown, hidden = _apply_suppressions(findings, articles)
    return Report(
        tool_version=__version__,
        articles=tuple(articles),
        images=tuple(images),
        matches=tuple(matches),
        findings=tuple(shown),
        hidden=tuple(hidden),
        errors=tuple(errors),
        fail_on=options.fail_on,
    )


def _join(label: str, rel: str) -> str:
    return rel if label in ("", ".") else f"{label.rstrip('/')}/{rel}"


def _read_media(target: Target) -> list[ImageRecord]:
    label = target.label if target.media_root == target.article_root else target.media_root.as_posix()
    records = []
    for entry in find_images(target.media_root):
        if entry.path is None:
            records.append(unreadable_record(entry.rel, label, entry.problem or "not read"))
        else:
            records.append(read_image(entry.path, entry.rel, label))
    return records


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
        severity = options.severity.get(rule.name) or options.severity.get(rule.code)
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
