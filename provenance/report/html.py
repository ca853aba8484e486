"""`--format html`: one self-contained page for the photo desk, a contact sheet of every figure.

The page holds everything it shows: thumbnails are inlined as `data:` URIs,
the style sheet is inline, there is no JavaScript and no remote reference,
and a Content-Security-Policy forbids scripts and remote loads in case an
article smuggles markup past the escaping. Every text that comes from an
article or from embedded metadata goes through `html.escape`, and every
attribute value is quoted; class names and anchors made from rule codes keep
only letters, digits and hyphens.

Sections: a sticky bar (the verdict, counts by severity that filter the page,
a filter by rule), an overview (the gate, the counts of articles, figures and
images, a table of contents), one contact sheet per article (each card the
photo first, then its figure and line, its findings as compact badges, the
caption and credit readers see, what the file embeds, how it was matched),
each set of copies of one photo once, as a strip of its images with how each
differs, and the files that are unused, missing, unreadable or could not be
checked at all.

Filtering needs no script: a count is a link to an empty anchor (`#only-error`)
and `body:has(#only-error:target)` hides what holds no error; the rule filter
is a group of radio buttons, read by `body:has(#rule-PV001:checked)`. Both
combine, and a filtered view can be bookmarked or sent (`report.html#only-error`).

A compromise: formatters otherwise recompute nothing and read no file, but
thumbnails need pixels, and the report carries none. So this formatter opens
the image files the report names, again, under guards of its own: the path
(the record's root joined with its path, links resolved) must stay inside
that root, only regular files are opened, files over `MAX_FILE_BYTES` or
`MAX_PIXELS` are refused, JPEGs are decoded at reduced scale (`draft`), and
any failure becomes a placeholder that says why. Images the pipeline could
not decode are not opened again.
"""

from __future__ import annotations

import base64
import io
import os
import re
import stat
import warnings
from dataclasses import dataclass
from html import escape
from pathlib import Path

from PIL import Image, ImageOps

from provenance.model import (
    Article,
    Figure,
    Finding,
    ImageRecord,
    Match,
    MatchMethod,
    RefStatus,
    Report,
    Severity,
    escape_controls,
    joined_path,
)
from provenance.paths import inside

THUMB_SIZE = (480, 480)
"""Largest thumbnail, in pixels (never larger than the file); the cards show them at most 320 CSS pixels high."""
THUMB_QUALITY = 70
"""JPEG quality of the inlined thumbnails."""
MAX_FILE_BYTES = 100 * 1024 * 1024
"""Files larger than this are not opened for a thumbnail."""
MAX_PIXELS = 200_000_000
"""Images with more pixels than this are not opened (the pipeline's decompression-bomb limit)."""
MAX_DECODED_PIXELS = 40_000_000
"""After JPEG draft scaling, images still larger than this are not decoded."""

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""The page's Content-Security-Policy: no script, no remote load, images only from data: URIs."""

PREVIEW_FORMATS = ("JPEG", "MPO", "PNG", "TIFF", "WEBP", "GIF", "BMP", "PSD", "AVIF", "HEIF")
"""Formats a thumbnail is decoded from (those Pillow knows); never EPS or PDF, which call out to Ghostscript."""

REUSE_RULES = frozenset({"reused-photo", "previously-published"})
"""Rules whose findings can name several copies of one photo; those are shown once, as a strip."""
FILE_RULES = ("missing-image", "unreadable-image", "unused-image")
"""Rules about files rather than figures; they are also listed in the files section."""

SEVERITIES = tuple(sorted(Severity, reverse=True))


@dataclass(frozen=True)
class Thumbnail:
    """A thumbnail as a data URI, or the reason there is none."""

    uri: str | None
    reason: str = ""
    title: str = "No preview"
    width: int = 0
    height: int = 0


def render(report: Report) -> str:
    """The report as one HTML page."""
    return _Page(report).render()


Place = tuple[str, str, int]
"""A figure: (checked folder, article path, figure index)."""


class _Page:
    def __init__(self, report: Report) -> None:
        self.report = report
        self._thumbs: dict[tuple[str, str], Thumbnail] = {}
        self.articles = {(a.root, a.path): i for i, a in enumerate(report.articles)}
        self.strips = [f for f in report.findings if f.rule in REUSE_RULES and len(f.images) >= 2]
        """Findings shown as a strip of copies, numbered from 1 in this order."""
        self.strip_number = {id(f): n for n, f in enumerate(self.strips, start=1)}

    # -- lookups -----------------------------------------------------------

    def image(self, root: str, path: str | None) -> ImageRecord | None:
        return None if path is None else self.report.image(root, path)

    def thumbnail(self, image: ImageRecord) -> Thumbnail:
        key = (image.root, image.path)
        if key not in self._thumbs:
            self._thumbs[key] = make_thumbnail(image)
        return self._thumbs[key]

    def findings_of(self, article: Article, figure: int) -> list[Finding]:
        place = (article.root, article.path, figure)
        return [
            f for f in self.report.findings
            if (f.article == article.path and f.root == article.root and figure in f.figures)
            or place in f.other_figures
        ]

    def figure_image(self, place: Place) -> ImageRecord | None:
        index = self.articles.get(place[:2])
        if index is None:
            return None
        article = self.report.articles[index]
        return self.report.image_of(self.report.match_for(article, place[2]))

    def card_id(self, place: Place) -> str:
        return f"a{self.articles.get(place[:2], 0) + 1}-f{place[2] + 1}"

    # -- page --------------------------------------------------------------

    def render(self) -> str:
        report = self.report
        title = "Photo check: " + (
            _article_title(report.articles[0]) if len(report.articles) == 1 else f"{len(report.articles)} articles"
        )
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f'<meta name="generator" content="provenance {_e(report.tool_version)}">',
            f"<title>{_e(title)}</title>",
            f"<style>{_CSS}{self.filter_css()}</style>",
            "</head>",
            '<body id="top">',
            "".join(f'<span class="anchor" id="only-{s.label}"></span>' for s in SEVERITIES),
            self.bar(),
            "<main>",
            self.overview(),
            self.errors(),
            *(self.article(a) for a in report.articles),
            self.reuse(),
            self.files(),
            self.media_findings(),
            self.hidden(),
            "</main>",
            f'<footer>Made by provenance {_e(report.tool_version)}. Thumbnails are reduced copies of the '
            "files checked; this page loads nothing from the network.</footer>",
            "</body>",
            "</html>",
        ]
        return "\n".join(p for p in parts if p) + "\n"

    def codes(self) -> list[tuple[str, str, int]]:
        """(code, rule name, findings) of every rule with a finding, in code order."""
        counts: dict[str, tuple[str, int]] = {}
        for f in self.report.findings:
            name, n = counts.get(f.code, (f.rule, 0))
            counts[f.code] = (name, n + 1)
        return [(code, name, n) for code, (name, n) in sorted(counts.items())]

    def filter_css(self) -> str:
        """The rules that hide what a chosen filter leaves out (the codes come from this report)."""
        out = []
        items = ":is(.card,.strip,.frow,.badge,.member)"
        for s in SEVERITIES:
            on = f"body:has(#only-{s.label}:target)"
            out.append(f"{on} {items}:not(.has-{s.label}),{on} .group:not(:has(.has-{s.label})){{display:none}}")
            out.append(f"{on} .count.{s.label}{{outline:3px solid currentColor;outline-offset:1px}}")
        for code, _, _ in self.codes():
            c = _token(code)
            on = f"body:has(#rule-{c}:checked)"
            out.append(f"{on} {items}:not(.has-{c}),{on} .group:not(:has(.has-{c})){{display:none}}")
            out.append(f"{on} label[for=rule-{c}]{{background:var(--ink);color:#fff;border-color:var(--ink)}}")
        return "\n".join(out) + "\n"

    def bar(self) -> str:
        report = self.report
        s = report.summary
        verdict = "Failed" if report.failed else "Passed"
        verdict_class = "failed" if report.failed else "passed"
        counts = [
            _count("error", s.error, "error"),
            _count("warning", s.warning, "warning"),
            _count("note", s.note, "note"),
        ]
        chips = [
            '<input class="choice" type="radio" name="rule" id="rule-all" checked>'
            '<label class="chip" for="rule-all">every rule</label>'
        ]
        for code, name, n in self.codes():
            c = _token(code)
            chips.append(
                f'<input class="choice" type="radio" name="rule" id="rule-{c}">'
                f'<label class="chip" for="rule-{c}" title="{_e(code)}">{_e(name)} <b>{n}</b></label>'
            )
        return (
            f'<header class="bar {verdict_class}">'
            f'<span class="verdict-word">{verdict}</span>'
            f'<nav class="counts" aria-label="Show only">{"".join(counts)}'
            '<a class="count all" href="#top">show all</a></nav>'
            + (f'<div class="rules" role="radiogroup" aria-label="Rule">{"".join(chips)}</div>'
               if len(chips) > 1 else "")
            + "</header>"
        )

    def overview(self) -> str:
        report = self.report
        s = report.summary
        figures = sum(len(a.figures) for a in report.articles)
        remote = sum(1 for m in report.matches if m.status is RefStatus.REMOTE)
        if report.fail_on is None:
            gate = "The gate never fails (fail on: never)."
        else:
            gate = f"The gate fails on {report.fail_on.label} or worse, and on files that could not be checked."
        facts = [
            _plural(len(report.articles), "article"),
            _plural(figures, "figure"),
            _plural(len(report.images), "image"),
        ]
        if report.errors:
            facts.append(_plural(len(report.errors), "file") + " not checked")
        if s.suppressed:
            facts.append(f"{s.suppressed} suppressed")
        if s.baselined:
            facts.append(f"{s.baselined} hidden by the baseline")
        if remote:
            facts.append(_plural(remote, "remote image") + " not checked")
        links = [
            f'<li><a href="#{_e(_article_id(i))}">{_e(_article_title(a))}</a> '
            f'<span class="path">{_e(joined_path(a.root, a.path))}</span></li>'
            for i, a in enumerate(report.articles)
        ] if len(report.articles) > 1 else []
        if self.strips:
            links.append(f'<li><a href="#reuse">Photos used more than once</a> ({len(self.strips)})</li>')
        files = sum(1 for f in report.findings if f.rule in FILE_RULES) + len(report.errors)
        if files:
            links.append(f'<li><a href="#files">Unused, missing and unreadable files</a> ({files})</li>')
        return (
            '<section class="overview">'
            '<div class="brand">provenance · photo check</div>'
            f'<p class="gate">{_e(gate)} {_e(" · ".join(facts))}</p>'
            + (f'<nav><ul class="toc">{"".join(links)}</ul></nav>' if links else "")
            + "</section>"
        )

    def errors(self) -> str:
        if not self.report.errors:
            return ""
        items = "".join(f'<li class="frow has-error">{_e(e)}</li>' for e in self.report.errors)
        return (
            '<section class="block errors group"><h2>Files that could not be checked</h2>'
            f'<ul class="plain">{items}</ul></section>'
        )

    def article(self, article: Article) -> str:
        index = self.articles[(article.root, article.path)]
        meta = [f'<span class="path">{_e(joined_path(article.root, article.path))}</span>']
        if article.date:
            meta.append(f"<span>published {_e(article.date)}</span>")
        meta.append(f"<span>{_e(article.format.value)}</span>")
        meta.append(f"<span>{_e(_plural(len(article.figures), 'figure'))}</span>")
        mine = [f for f in self.report.findings if f.article == article.path and f.root == article.root]
        general = [f for f in mine if not f.figures]
        tally = [
            f'<span class="tally {sev.label}">{_e(_plural(n, sev.label))}</span>'
            for sev in SEVERITIES
            if (n := sum(1 for f in mine if f.severity is sev))
        ]
        meta.append(", ".join(tally) if tally else '<span class="tally clean">no findings</span>')
        notes = "".join(f"<li>{_e(w)}</li>" for w in article.warnings)
        cards = "".join(self.card(article, fig) for fig in article.figures)
        if not cards:
            cards = '<p class="empty">This article has no figures.</p>'
        return (
            f'<section class="article group" id="{_e(_article_id(index))}">'
            f"<h2>{_e(_article_title(article))}</h2>"
            f'<p class="article-meta">{" · ".join(meta)}</p>'
            + (f'<ul class="plain warnings">{notes}</ul>' if notes else "")
            + (f'<ul class="badges">{"".join(self.badge(f, None) for f in general)}</ul>' if general else "")
            + f'<div class="sheet">{cards}</div></section>'
        )

    def card(self, article: Article, figure: Figure) -> str:
        place = (article.root, article.path, figure.index)
        match = self.report.match_for(article, figure.index)
        image = self.report.image_of(match)
        findings = self.findings_of(article, figure.index)
        worst = max((f.severity for f in findings), default=None)
        classes = ["card", worst.label if worst else "clean", *_has(findings)]
        if findings:
            badges = '<ul class="badges">' + "".join(self.badge(f, (figure, image)) for f in findings) + "</ul>"
        else:
            badges = '<p class="ok">No findings</p>'
        shown: list[tuple[str, str]] = [
            ("Caption", f'<span class="clamp">{_text_or_none(figure.caption, "no caption")}</span>'),
            ("Credit", _credit(figure)),
        ]
        if figure.alt and figure.alt != figure.caption:
            shown.append(("Alt text", f'<span class="clamp">{_e(figure.alt)}</span>'))
        shown.append(("Matched", _match(match, figure)))
        details = _rows(shown)
        if image is not None:
            details += f'<h4>Embedded in the file</h4>{_rows(_embedded_rows(image))}'
        card_id = self.card_id(place)
        return (
            f'<article class="{" ".join(classes)}" id="{card_id}">'
            + self.picture(image, match, figure)
            + f'<div class="card-head"><a class="fig" href="#{card_id}">Figure {figure.index + 1}</a>'
            f'<span class="where"><a href="#{_article_id(self.articles[place[:2]])}">{_e(article.path)}</a>:'
            f'<a href="#{card_id}">{figure.line}</a></span></div>'
            f'<div class="card-findings">{badges}</div>'
            f'<div class="card-body">{details}</div></article>'
        )

    def badge(self, f: Finding, on: tuple[Figure, ImageRecord | None] | None) -> str:
        """A finding as a compact badge; on a card (`on`: its figure and image) its message drops what the
        card already shows, and a photo shown as a strip links to it instead of repeating it."""
        message = f.message
        link = ""
        if on is not None:
            figure, image = on
            number = self.strip_number.get(id(f))
            if number is not None:
                note = ""
                if image is not None and f.image_notes:
                    where = (image.root, image.path)
                    for at, said in zip(f.image_locations(), f.image_notes, strict=False):
                        if at == where:
                            note = said
                others = len(f.figures) + len(f.other_figures) - 1
                message = f"The same photo as {_plural(others, 'other figure')}" + (
                    f"; this copy: {note}" if note else "")
                link = f' <a class="see" href="#reuse-{number}">see the copies</a>'
            else:
                message = _without_label(message, figure)
        return (
            f'<li class="badge {f.severity.label} {" ".join(_has([f]))}">{_sev(f.severity)} '
            f'<span class="rule">{_e(f.rule)}</span> <span class="code">{_e(f.code)}</span>'
            f'<span class="message">{_e(message)}{link}</span></li>'
        )

    def picture(self, image: ImageRecord | None, match: Match | None, figure: Figure) -> str:
        name = image.path if image else (figure.image_ref or "")
        caption = f'<figcaption class="file">{_e(name)}</figcaption>' if name else ""
        if image is None:
            return f'<figure class="photo">{_placeholder(*_missing_reason(match, figure))}{caption}</figure>'
        thumb = self.thumbnail(image)
        if thumb.uri is None:
            return f'<figure class="photo">{_placeholder(thumb.title, thumb.reason)}{caption}</figure>'
        alt = figure.alt or figure.caption or image.path
        size = f" · {image.width}×{image.height}" if image.width and image.height else ""
        return (
            f'<figure class="photo"><div class="frame"><img class="thumb-img" src="{thumb.uri}" alt="{_e(alt)}" '
            f'width="{thumb.width}" height="{thumb.height}"></div>'
            f'<figcaption class="file">{_e(name)}{_e(size)}</figcaption></figure>'
        )

    def reuse(self) -> str:
        if not self.strips:
            return ""
        out = []
        for number, f in enumerate(self.strips, start=1):
            locations = f.image_locations()
            notes = f.image_notes if len(f.image_notes) == len(locations) else ("",) * len(locations)
            places = [(f.root, f.article or "", i) for i in f.figures] + list(f.other_figures)
            uses: dict[tuple[str, str], list[Place]] = {}
            for place in places:
                image = self.figure_image(place)
                if image is not None:
                    uses.setdefault((image.root, image.path), []).append(place)
            members = "".join(self.member(at, note, uses.get(at, []), f)
                              for at, note in zip(locations, notes, strict=True))
            out.append(
                f'<div class="strip {f.severity.label} {" ".join(_has([f]))}" id="reuse-{number}">'
                f'<p class="strip-head">{_sev(f.severity)} <span class="rule">{_e(f.rule)} '
                f'<span class="code">{_e(f.code)}</span></span> '
                f'<span class="where">{self.where(f)}</span></p>'
                f'<p class="message">{_e(f.message)}</p>'
                f'<div class="members">{members}</div></div>'
            )
        return (
            '<section class="block reuse group" id="reuse"><h2>Photos used more than once</h2>'
            '<p class="lead">Each strip is one photo: every copy the check found, how it differs from the largest, '
            "and the figures that show it.</p>" + "".join(out) + "</section>"
        )

    def where(self, f: Finding) -> str:
        """The finding's article and line, a link to the card of its line's figure when it has one."""
        text = _e(_location(f))
        if f.article is None or not f.figures or (f.root, f.article) not in self.articles:
            return text
        article = self.report.articles[self.articles[(f.root, f.article)]]
        on_line = [i for i in f.figures if article.figures[i].line == f.line] or list(f.figures)
        return f'<a href="#{self.card_id((f.root, f.article, on_line[0]))}">{text}</a>'

    def member(self, at: tuple[str, str], note: str, places: list[Place], f: Finding) -> str:
        image = self.image(*at)
        if image is None:
            picture = _placeholder("No preview", "the file was not read by this check")
            facts = ""
        else:
            thumb = self.thumbnail(image)
            picture = (
                f'<img class="thumb-img" src="{thumb.uri}" alt="{_e(at[1])}" width="{thumb.width}" '
                f'height="{thumb.height}">' if thumb.uri is not None else _placeholder(thumb.title, thumb.reason)
            )
            facts = _file_facts(image)
            if image.metadata.date_created:
                facts += f" · taken {image.metadata.date_created}"
        name = at[1] if at[0] == (f.image_root or f.root) else joined_path(*at)
        rows = []
        for place in places:
            index = self.articles[place[:2]]
            article = self.report.articles[index]
            figure = article.figures[place[2]]
            where = f" of {_article_title(article)}" if len(self.report.articles) > 1 else ""
            rows.append(
                f'<li><a href="#{self.card_id(place)}">Figure {place[2] + 1}{_e(where)}</a> '
                f'<span class="where">line {figure.line}</span> '
                f'<span class="clamp">{_text_or_none(figure.caption, "no caption")}</span></li>'
            )
        edit = f'<p class="edit">{_e(note)}</p>' if note else ""
        return (
            f'<figure class="member"><div class="frame small">{picture}</div>'
            f'<figcaption>{edit}<p class="file">{_e(name)}</p>'
            + (f'<p class="facts">{_e(facts)}</p>' if facts else "")
            + f'<ul class="uses">{"".join(rows)}</ul></figcaption></figure>'
        )

    def files(self) -> str:
        rows = []
        for rule in FILE_RULES:
            for f in self.report.findings:
                if f.rule != rule:
                    continue
                files = _e(", ".join(f.images) or "(no file)")
                if f.rule == "unused-image" and len(f.images) == 1:
                    image = self.image(*f.image_locations()[0])
                    thumb = self.thumbnail(image) if image is not None and image.readable else None
                    if thumb is not None and thumb.uri is not None:
                        files = (
                            f'<img class="mini" src="{thumb.uri}" alt="{_e(f.images[0])}" '
                            f'width="{thumb.width}" height="{thumb.height}">{files}'
                        )
                rows.append(
                    f'<tr class="frow {f.severity.label} {" ".join(_has([f]))}"><td>{_sev(f.severity)}</td>'
                    f'<td class="nowrap"><span class="rule">{_e(f.rule)}</span> '
                    f'<span class="code">{_e(f.code)}</span></td>'
                    f'<td class="path">{files}</td><td>{_e(f.message)}</td></tr>'
                )
        for error in self.report.errors:
            rows.append(
                f'<tr class="frow error has-error"><td>{_sev(Severity.ERROR)}</td>'
                '<td><span class="rule">not checked</span></td>'
                f'<td class="path">{_e(error.split(": ", 1)[0])}</td><td>{_e(error)}</td></tr>'
            )
        if not rows:
            return ""
        return (
            '<section class="block files group" id="files"><h2>Unused, missing and unreadable files</h2>'
            '<table><thead><tr><th>Severity</th><th>Rule</th><th>File</th><th>Reason</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>'
        )

    def media_findings(self) -> str:
        """Findings about the media folder that are neither file findings nor strips of copies."""
        rest = [
            f for f in self.report.findings
            if f.article is None and f.rule not in FILE_RULES and id(f) not in self.strip_number
        ]
        if not rest:
            return ""
        return (
            '<section class="block group"><h2>Other findings</h2>'
            f'<ul class="badges">{"".join(self.badge(f, None) for f in rest)}</ul></section>'
        )

    def hidden(self) -> str:
        if not self.report.hidden:
            return ""
        items = []
        for f in self.report.hidden:
            why = f"suppressed: {f.suppressed_by}" if f.suppressed_by is not None else "known to the baseline"
            items.append(
                f"<li>{_sev(f.severity)} <span class=\"rule\">{_e(f.rule)}</span> "
                f"<span class=\"where\">{_e(_location(f))}</span> {_e(f.message)} "
                f"<em class=\"why\">({_e(why)})</em></li>"
            )
        return (
            '<section class="block hidden-findings group"><h2>Hidden findings</h2>'
            f'<ul class="plain">{"".join(items)}</ul></section>'
        )


# -- thumbnails ----------------------------------------------------------------


def make_thumbnail(image: ImageRecord) -> Thumbnail:
    """A JPEG thumbnail of `image` as a data URI, or a placeholder reason; never raises."""
    if not image.readable:
        reason = image.errors[0] if image.errors else "cannot be decoded"
        return Thumbnail(None, reason, "Unreadable")
    if image.width and image.height and image.width * image.height > MAX_PIXELS:
        return Thumbnail(None, f"too large to preview ({image.width}×{image.height} pixels)")
    if image.path[:8].lower().startswith(("http://", "https://", "data:")):  # fetched, never kept on disk
        return Thumbnail(None, "not previewed: a remote image")
    root = Path(image.root or ".")
    path = root / image.path
    try:
        there = path.exists()  # through links, as the preview would read it
    except OSError:
        there = False
    if not there:
        return Thumbnail(None, "not previewed: the file is no longer there")
    if not inside(path, root):
        return Thumbnail(None, "not previewed: the file lies outside the checked folder")
    try:
        info = os.stat(path)
    except OSError as exc:
        return Thumbnail(None, f"not previewed: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return Thumbnail(None, "not previewed: not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        return Thumbnail(None, f"too large to preview ({_bytes(info.st_size)})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _encode(path)
    except Exception as exc:  # a preview must never stop the report
        return Thumbnail(None, f"not previewed: {type(exc).__name__}: {exc}")


def _encode(path: Path) -> Thumbnail:
    Image.init()
    formats = [f for f in PREVIEW_FORMATS if f in Image.OPEN]
    with Image.open(path, formats=formats) as im:
        width, height = im.size
        if width * height > MAX_PIXELS:
            return Thumbnail(None, f"too large to preview ({width}×{height} pixels)")
        if im.format == "JPEG":
            im.draft("RGB", THUMB_SIZE)
        if im.size[0] * im.size[1] > MAX_DECODED_PIXELS:
            return Thumbnail(None, f"too large to preview ({width}×{height} pixels)")
        im.thumbnail(THUMB_SIZE)
        small = ImageOps.exif_transpose(im)
    small.thumbnail(THUMB_SIZE)
    if small.mode in ("RGBA", "LA", "PA") or (small.mode == "P" and "transparency" in small.info):
        rgba = small.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        small = flat
    elif small.mode.startswith("I;16"):
        small = small.convert("I").point(lambda v: v * (1 / 257)).convert("L").convert("RGB")
    elif small.mode in ("I", "F"):
        extrema = small.getextrema()
        low, high = (float(extrema[0]), float(extrema[1])) if isinstance(extrema[0], (int, float)) else (0.0, 0.0)
        scale = 255 / (high - low) if high > low else 0
        small = small.point(lambda v: (v - low) * scale).convert("L").convert("RGB")
    elif small.mode != "RGB":
        small = small.convert("RGB")
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=THUMB_QUALITY, optimize=True)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Thumbnail(f"data:image/jpeg;base64,{data}", width=small.width, height=small.height)


# -- small pieces --------------------------------------------------------------


def _e(text: object) -> str:
    return escape(escape_controls(str(text)), quote=True)


def _text_or_none(text: str | None, missing: str) -> str:
    return _e(text) if text else f'<span class="none">{_e(missing)}</span>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _count(label: str, n: int, cls: str) -> str:
    zero = " zero" if n == 0 else ""
    word = label if n == 1 else f"{label}s"
    return (f'<a class="count {cls}{zero}" href="#only-{cls}" title="show only {_e(word)}">'
            f'<span class="n">{n}</span><span class="label">{_e(word)}</span></a>')


def _sev(severity: Severity) -> str:
    return f'<span class="sev {severity.label}">{_e(severity.label)}</span>'


def _has(findings: list[Finding]) -> list[str]:
    """The filter classes of an element holding `findings`: has-<severity>, has-<code>."""
    out = dict.fromkeys(f"has-{f.severity.label}" for f in findings)
    out.update(dict.fromkeys(f"has-{_token(f.code)}" for f in findings))
    return list(out)


def _token(code: str) -> str:
    """A rule code as a class name or anchor: letters, digits and hyphens only."""
    return re.sub(r"[^A-Za-z0-9-]", "", code) or "rule"


def _without_label(message: str, figure: Figure) -> str:
    """`message` without the leading 'Figure 2 ("caption...")' a card already shows, as "This figure ..."."""
    caption = figure.caption or figure.alt or figure.image_ref or ""
    short = caption if len(caption) <= 60 else caption[:57].rstrip() + "..."
    label = f'Figure {figure.index + 1} ("{short}")' if short else f"Figure {figure.index + 1}"
    if message.startswith(label + " "):
        return "This figure " + message[len(label) + 1:]
    return message


def _credit(figure: Figure) -> str:
    credit = figure.credit
    if credit is None:
        return '<span class="none">no credit shown</span>'
    parsed = []
    if credit.agency:
        parsed.append(credit.agency)
    if credit.distributor:
        parsed.append(f"via {credit.distributor}")
    if credit.photographer:
        parsed.append(f"photographer {credit.photographer}")
    extra = f' <span class="parsed">({_e(", ".join(parsed))})</span>' if parsed and parsed != [credit.raw] else ""
    return f"{_e(credit.raw)}{extra}"


def _rows(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f"<dl>{body}</dl>"


def _embedded_rows(image: ImageRecord) -> list[tuple[str, str]]:
    meta = image.metadata
    rows = [
        ("Credit", _text_or_none(meta.credit, "none")),
        ("Creator", _text_or_none(", ".join(meta.creator), "none")),
        ("Taken", _text_or_none(meta.date_created, "no date")),
        ("Source", _text_or_none(meta.source, "none")),
    ]
    if meta.copyright:
        rows.append(("Copyright", _e(meta.copyright)))
    if meta.caption:
        rows.append(("Caption", f'<span class="embedded-caption clamp">{_e(meta.caption)}</span>'))
    rows.append(("File", _e(_file_facts(image))))
    return rows


def _file_facts(image: ImageRecord) -> str:
    parts = []
    if image.format:
        parts.append(image.format)
    if image.width and image.height:
        parts.append(f"{image.width}×{image.height}")
    parts.append(_bytes(image.size))
    return " · ".join(parts)


def _match(match: Match | None, figure: Figure) -> str:
    if match is None:
        return '<span class="none">not matched</span>'
    if match.method is None:
        return f'<span class="none">{_e(_STATUS_WORDS.get(match.status, match.status.value))}</span>'
    if match.method is MatchMethod.REFERENCE:
        return "by reference: the article names the file"
    if match.method is MatchMethod.CAPTION:
        return f"by caption: resembles the embedded caption (score {match.score:.2f})"
    if match.method is MatchMethod.FILENAME:
        return f"by file name: the remote rendition {_e(match.url or '')} names this original"
    if match.method is MatchMethod.CONTENT:
        return f"by content: the remote image {_e(match.url or '')} is the same photo as this file"
    return (
        '<span class="weak">weak match</span> by order only: nothing tied this figure to the file; '
        "check that it is the right photo"
    )


_STATUS_WORDS = {
    RefStatus.MISSING: "the named file does not exist",
    RefStatus.REMOTE: "remote image, not checked",
    RefStatus.OUTSIDE: "outside the checked folder, not followed",
    RefStatus.NONE: "no image found for this figure",
    RefStatus.FOUND: "found",
}


def _missing_reason(match: Match | None, figure: Figure) -> tuple[str, str]:
    ref = figure.image_ref
    if match is None or match.status is RefStatus.NONE:
        return "No image", "no image file was paired with this figure"
    if match.status is RefStatus.MISSING:
        return "Missing file", f"{ref} does not exist" if ref else "the file does not exist"
    if match.status is RefStatus.REMOTE:
        return "Remote image", "not checked"
    if match.status is RefStatus.OUTSIDE:
        return "Not followed", "the reference leaves the checked folder"
    return "No preview", "the image is not among the files checked"


def _placeholder(title: str, reason: str) -> str:
    short = reason if len(reason) <= 140 else reason[:137].rstrip() + "..."
    return (
        f'<div class="placeholder" role="img" aria-label="{_e(title)}: {_e(reason)}">'
        f'<strong>{_e(title)}</strong><span>{_e(short)}</span></div>'
    )


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def _location(f: Finding) -> str:
    where = joined_path(f.root, f.article) if f.article else (joined_path(f.root, f.images[0]) if f.images else f.root)
    return f"{where}:{f.line}" if f.line else where


def _article_title(article: Article) -> str:
    return article.title or article.path


def _article_id(index: int) -> str:
    return f"article-{index + 1}"




_CSS = """
:root{--ink:#1d1f23;--muted:#5f6670;--line:#d9dde3;--paper:#f4f5f7;--card:#fff;--light:#2f3136;
--error:#b42318;--error-bg:#fdecea;--warning:#9a5b00;--warning-bg:#fff4e0;--note:#1f5fa8;--note-bg:#e8f0fb;
--ok:#1f7a3f;--ok-bg:#e6f4ea}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;scroll-padding-top:72px}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:var(--paper)}
.anchor{position:absolute;top:0;left:0;width:1px;height:1px;overflow:hidden}
main{max-width:1560px;margin:0 auto;padding:0 20px 32px}
h2{font-size:1.3rem;margin:0 0 2px}
h4{font-size:.68rem;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);margin:8px 0 3px;
padding-bottom:2px;border-bottom:1px solid var(--line)}
a{color:inherit}
.path,.file,.code,.where,.line{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.82em}
.path,.where,.line,.article-meta,.gate,.lead,.facts{color:var(--muted)}
h1,h2,.path,.gate,.toc,.article-meta,.lead{overflow-wrap:anywhere}
.bar{position:sticky;top:0;z-index:10;display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px;
padding:8px 20px;background:rgba(255,255,255,.97);border-top:4px solid var(--ok);border-bottom:1px solid var(--line);
box-shadow:0 1px 4px rgba(0,0,0,.08)}
.bar.failed{border-top-color:var(--error)}
.verdict-word{font-size:1.3rem;font-weight:700;color:var(--ok)}
.failed .verdict-word{color:var(--error)}
.counts{display:flex;flex-wrap:wrap;gap:6px}
.count{display:inline-flex;align-items:baseline;gap:5px;padding:2px 11px;border-radius:999px;
border:1px solid var(--line);text-decoration:none;white-space:nowrap}
.count .n{font-size:1.1rem;font-weight:700}
.count.error{background:var(--error-bg);color:var(--error);border-color:#f3c1bb}
.count.warning{background:var(--warning-bg);color:var(--warning);border-color:#f1d3a1}
.count.note{background:var(--note-bg);color:var(--note);border-color:#bcd2f0}
.count.zero{background:transparent;color:var(--muted);border-color:var(--line)}
.count.all{color:var(--muted);align-self:center}
.rules{display:flex;flex-wrap:wrap;gap:5px;align-items:center}
.choice{position:absolute;opacity:0;width:1px;height:1px;margin:0}
.chip{padding:1px 9px;border:1px solid var(--line);border-radius:999px;cursor:pointer;font-size:.82rem;background:#fff;
white-space:nowrap}
.choice:focus-visible+.chip{outline:2px solid var(--note);outline-offset:1px}
#rule-all:checked+.chip{background:var(--ink);color:#fff;border-color:var(--ink)}
.overview{padding:14px 0 6px}
.brand{font-size:.75rem;letter-spacing:.08em;text-transform:uppercase;color:var(--muted)}
.gate{margin:2px 0 0}
.toc{margin:6px 0 0;padding-left:18px}
.article,.block{margin:0 0 28px}
.article{scroll-margin-top:72px}
.article-meta{margin:0 0 12px}
.tally{font-weight:600}
.tally.error{color:var(--error)}
.tally.warning{color:var(--warning)}
.tally.note{color:var(--note)}
.tally.clean{color:var(--ok)}
.sheet{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));column-gap:14px;row-gap:0;
align-items:start}
.card{display:grid;grid-row:span 4;grid-template-rows:subgrid;row-gap:0;margin-bottom:14px;min-width:0;
background:var(--card);border:1px solid var(--line);border-top:4px solid var(--ok);border-radius:6px;overflow:hidden;
break-inside:avoid;page-break-inside:avoid}
.card.error{border-top-color:var(--error)}
.card.warning{border-top-color:var(--warning)}
.card.note{border-top-color:var(--note)}
.photo{margin:0;background:var(--light);display:flex;flex-direction:column;min-width:0}
.frame{height:320px;display:flex;align-items:center;justify-content:center;padding:10px;min-width:0}
.frame.small{height:170px;padding:6px}
.thumb-img{display:block;width:auto;height:auto;max-width:100%;max-height:100%}
.photo .file{padding:3px 10px 5px;color:#d4d7dc;background:#26282c;overflow-wrap:anywhere}
.placeholder{width:100%;height:100%;display:flex;flex-direction:column;align-items:center;justify-content:center;
gap:6px;padding:16px 20px;text-align:center;color:var(--muted);font-size:.85rem;overflow-wrap:anywhere;overflow:hidden;
background:repeating-linear-gradient(45deg,#f6f6f6 0 10px,#ececec 10px 20px)}
.photo>.placeholder{height:340px}
.placeholder strong{color:var(--error);font-size:1.1rem;text-transform:uppercase;letter-spacing:.05em}
.card-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:2px 8px;
padding:8px 12px 6px;min-width:0}
.fig{font-weight:700;text-decoration:none}
.card-head .where{overflow-wrap:anywhere;min-width:0}
.card-findings{padding:0 12px;min-width:0}
.card-body{padding:0 12px 12px;font-size:.86rem;min-width:0}
.badges{list-style:none;margin:0 0 8px;padding:0;display:flex;flex-direction:column;gap:4px}
.badge{padding:3px 7px;border-radius:4px;font-size:.82rem;border-left:3px solid;min-width:0}
.badge.error{border-color:var(--error);background:var(--error-bg)}
.badge.warning{border-color:var(--warning);background:var(--warning-bg)}
.badge.note{border-color:var(--note);background:var(--note-bg)}
.badge .message,.clamp{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden;
overflow-wrap:anywhere}
.badge .message{margin-top:1px}
.see{white-space:nowrap}
.sev{display:inline-block;font-size:.68rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;
padding:0 5px;border-radius:3px;color:#fff;vertical-align:1px}
.sev.error{background:var(--error)}
.sev.warning{background:var(--warning)}
.sev.note{background:var(--note)}
.rule{font-weight:600}
.ok{margin:0 0 8px;color:var(--ok);font-weight:600}
.ok::before{content:"\\2713  "}
dl{margin:0;display:grid;grid-template-columns:max-content minmax(0,1fr);gap:1px 10px}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere;min-width:0}
.none{color:var(--muted);font-style:italic}
.parsed{color:var(--muted)}
.embedded-caption{font-style:italic}
.weak{display:inline-block;padding:0 6px;border-radius:4px;background:var(--warning-bg);color:var(--warning);
font-weight:700;border:1px solid #f1d3a1}
.block{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:14px 16px}
.lead{margin:0 0 10px}
.strip{border-top:1px solid var(--line);padding-top:12px;margin-top:12px;break-inside:avoid;page-break-inside:avoid;
scroll-margin-top:72px}
.strip-head,.strip .message{margin:0 0 8px;overflow-wrap:anywhere}
.strip .message{font-size:.86rem;color:var(--muted)}
.members{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px}
.member{margin:0;border:1px solid var(--line);border-radius:6px;overflow:hidden;min-width:0;break-inside:avoid}
.member .frame{background:var(--light)}
.member figcaption{padding:6px 9px 8px;font-size:.82rem;min-width:0}
.member p{margin:0 0 2px;overflow-wrap:anywhere}
.edit{font-weight:700;font-size:.95rem}
.uses{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-direction:column;gap:3px}
.uses li{overflow-wrap:anywhere}
.uses .clamp{-webkit-line-clamp:2}
table{width:100%;border-collapse:collapse;font-size:.88rem;table-layout:fixed}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600}
th:nth-child(1){width:90px}
th:nth-child(2){width:200px}
th:nth-child(3){width:28%}
img.mini{display:block;width:auto;height:auto;max-width:min(120px,100%);max-height:80px;margin-bottom:4px;
box-shadow:0 1px 3px rgba(0,0,0,.25)}
ul.plain{margin:0;padding-left:18px}
.errors{border-left:5px solid var(--error)}
.warnings{color:var(--warning);margin-bottom:10px}
.why{color:var(--muted)}
.empty{color:var(--muted);font-style:italic}
footer{max-width:1560px;margin:0 auto;padding:0 20px 24px;color:var(--muted);font-size:.8rem}
@media (max-width:640px){main{padding:0 10px 24px}.bar{padding:6px 10px}
.sheet{grid-template-columns:minmax(0,1fr)}.frame{height:260px}
th:nth-child(1){width:70px}th:nth-child(2){width:30%}}
@media print{
@page{margin:12mm}
body{background:#fff;font-size:9pt}
main,footer{max-width:none;padding:0}
.bar{position:static;box-shadow:none;border-bottom:0;padding:0 0 6px}
.rules,.count.all,.toc,.anchor{display:none}
.sheet{grid-template-columns:repeat(3,minmax(0,1fr));column-gap:8px}
.card{margin-bottom:8px}
.frame{height:190px;padding:4px}
.frame.small{height:120px}
.photo,.member .frame,.photo .file{background:#fff;color:var(--ink)}
.photo{border-bottom:1px solid var(--line)}
.card,.block,.member{border-color:#999}
.badge,.count,.placeholder{background:none!important}
.badge .message,.clamp{display:block;-webkit-line-clamp:none;overflow:visible}
.card,.strip,.member,tr,.badge{break-inside:avoid;page-break-inside:avoid}
h2,h4,.strip-head{break-after:avoid;page-break-after:avoid}
a{text-decoration:none}
}
"""
