"""`--format html`: one self-contained page for the photo desk, a contact sheet of every figure.

The page holds everything it shows: thumbnails are inlined as `data:` URIs,
the style sheet is inline, there is no JavaScript and no remote reference,
and a Content-Security-Policy forbids scripts and remote loads in case an
article smuggles markup past the escaping. Every text that comes from an
article or from embedded metadata goes through `html.escape`, and every
attribute value is quoted.

Sections: a summary (counts by severity, the gate's verdict), one contact
sheet per article (thumbnail, caption, credit shown to readers, embedded
credit/creator/date/source, how the image was matched, and each finding
badged on its figure), photos used twice side by side, and the files that
are unused, missing, unreadable or could not be checked at all.

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

THUMB_SIZE = (240, 240)
"""Largest thumbnail, in pixels; the page shows them at most 240 CSS pixels wide."""
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
"""Rules whose findings pair two photos; they are shown side by side."""
FILE_RULES = ("missing-image", "unreadable-image", "unused-image")
"""Rules about files rather than figures; they are also listed in the files section."""


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


class _Page:
    def __init__(self, report: Report) -> None:
        self.report = report
        self._thumbs: dict[tuple[str, str], Thumbnail] = {}

    # -- lookups -----------------------------------------------------------

    def image(self, root: str, path: str | None) -> ImageRecord | None:
        return None if path is None else self.report.image(root, path)

    def thumbnail(self, image: ImageRecord) -> Thumbnail:
        key = (image.root, image.path)
        if key not in self._thumbs:
            self._thumbs[key] = make_thumbnail(image)
        return self._thumbs[key]

    def findings_of(self, article: Article, figure: int) -> list[Finding]:
        return [
            f for f in self.report.findings
            if f.article == article.path and f.root == article.root and figure in f.figures
        ]

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
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            self.summary(),
            '<main>',
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

    def summary(self) -> str:
        report = self.report
        s = report.summary
        figures = sum(len(a.figures) for a in report.articles)
        remote = sum(1 for m in report.matches if m.status is RefStatus.REMOTE)
        if report.fail_on is None:
            gate = "The gate never fails (fail on: never)."
        else:
            gate = f"The gate fails on {report.fail_on.label} or worse, and on files that could not be checked."
        verdict = "Failed" if report.failed else "Passed"
        verdict_class = "failed" if report.failed else "passed"
        counts = [
            _count("error", s.error, "error"),
            _count("warning", s.warning, "warning"),
            _count("note", s.note, "note"),
        ]
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
        pairs = sum(1 for f in report.findings if f.rule in REUSE_RULES and len(f.images) >= 2)
        if pairs:
            links.append(f'<li><a href="#reuse">Photos used twice</a> ({pairs})</li>')
        files = sum(1 for f in report.findings if f.rule in FILE_RULES) + len(report.errors)
        if files:
            links.append(f'<li><a href="#files">Unused, missing and unreadable files</a> ({files})</li>')
        return (
            f'<header class="summary {verdict_class}">'
            '<div class="brand">provenance · photo check</div>'
            f'<div class="verdict"><span class="verdict-word">{verdict}</span>'
            f'<span class="gate">{_e(gate)}</span></div>'
            f'<div class="counts">{"".join(counts)}</div>'
            f'<p class="facts">{_e(" · ".join(facts))}</p>'
            + (f'<nav><ul class="toc">{"".join(links)}</ul></nav>' if links else "")
            + "</header>"
        )

    def errors(self) -> str:
        if not self.report.errors:
            return ""
        items = "".join(f"<li>{_e(e)}</li>" for e in self.report.errors)
        return (
            '<section class="block errors"><h2>Files that could not be checked</h2>'
            f'<ul class="plain">{items}</ul></section>'
        )

    def article(self, article: Article) -> str:
        index = self.report.articles.index(article)
        meta = [f'<span class="path">{_e(joined_path(article.root, article.path))}</span>']
        if article.date:
            meta.append(f"<span>published {_e(article.date)}</span>")
        meta.append(f"<span>{_e(article.format.value)}</span>")
        meta.append(f"<span>{_e(_plural(len(article.figures), 'figure'))}</span>")
        mine = [f for f in self.report.findings if f.article == article.path and f.root == article.root]
        general = [f for f in mine if not f.figures]
        tally = [
            f'<span class="tally {sev.label}">{_e(_plural(n, sev.label))}</span>'
            for sev in sorted(Severity, reverse=True)
            if (n := sum(1 for f in mine if f.severity is sev))
        ]
        meta.append(", ".join(tally) if tally else '<span class="tally clean">no findings</span>')
        notes = "".join(f"<li>{_e(w)}</li>" for w in article.warnings)
        cards = "".join(self.card(article, fig) for fig in article.figures)
        if not cards:
            cards = '<p class="empty">This article has no figures.</p>'
        return (
            f'<section class="article" id="{_e(_article_id(index))}">'
            f"<h2>{_e(_article_title(article))}</h2>"
            f'<p class="article-meta">{" · ".join(meta)}</p>'
            + (f'<ul class="plain warnings">{notes}</ul>' if notes else "")
            + (f'<ul class="badges">{"".join(_badge(f) for f in general)}</ul>' if general else "")
            + f'<div class="sheet">{cards}</div></section>'
        )

    def card(self, article: Article, figure: Figure) -> str:
        match = self.report.match_for(article, figure.index)
        image = self.image((match.image_root if match else None) or article.root, match.image if match else None)
        findings = self.findings_of(article, figure.index)
        worst = max((f.severity for f in findings), default=None)
        state = worst.label if worst else "clean"
        shown: list[tuple[str, str]] = [
            ("Caption", _text_or_none(figure.caption, "no caption")),
            ("Credit", _credit(figure)),
        ]
        if figure.alt and figure.alt != figure.caption:
            shown.append(("Alt text", _e(figure.alt)))
        shown.append(("Matched", _match(match, figure)))
        body = _group("Shown to readers", shown)
        if image is not None:
            body += _group("Embedded in the file", _embedded_rows(image))
        if findings:
            badges = '<ul class="badges">' + "".join(_badge(f) for f in findings) + "</ul>"
        else:
            badges = '<p class="ok">No findings</p>'
        return (
            f'<article class="card {state}">'
            + self.picture(image, match, figure)
            + f'<div class="card-body"><h3>Figure {figure.index + 1}'
            f'<span class="line">line {figure.line}</span></h3>'
            f'{badges}{body}</div></article>'
        )

    def picture(self, image: ImageRecord | None, match: Match | None, figure: Figure) -> str:
        name = image.path if image else (figure.image_ref or "")
        caption = f'<figcaption class="file">{_e(name)}</figcaption>' if name else ""
        if image is None:
            return f'<figure class="thumb">{_placeholder(*_missing_reason(match, figure))}{caption}</figure>'
        thumb = self.thumbnail(image)
        if thumb.uri is None:
            return f'<figure class="thumb">{_placeholder(thumb.title, thumb.reason)}{caption}</figure>'
        alt = figure.alt or figure.caption or image.path
        return (
            f'<figure class="thumb"><img class="thumb-img" src="{thumb.uri}" alt="{_e(alt)}" '
            f'width="{thumb.width}" height="{thumb.height}">{caption}</figure>'
        )

    def reuse(self) -> str:
        pairs = [f for f in self.report.findings if f.rule in REUSE_RULES and len(f.images) >= 2]
        if not pairs:
            return ""
        out = []
        for f in pairs:
            sides = "".join(self.reuse_side(f, path) for path in f.images[:2])
            out.append(
                f'<div class="pair {f.severity.label}">'
                f'<p class="pair-head">{_sev(f.severity)} <span class="rule">{_e(f.rule)} '
                f'<span class="code">{_e(f.code)}</span></span> '
                f'<span class="where">{_e(_location(f))}</span></p>'
                f'<p class="message">{_e(f.message)}</p>'
                f'<div class="pair-sides">{sides}</div></div>'
            )
        return (
            '<section class="block reuse" id="reuse"><h2>Photos used twice</h2>'
            '<p class="lead">Each pair below shows one photo under two captions, or a photo published before.</p>'
            + "".join(out) + "</section>"
        )

    def reuse_side(self, finding: Finding, path: str) -> str:
        image = self.image(finding.image_root or finding.root, path)
        used_by = []
        for article in self.report.articles:
            for fig in article.figures:
                m = self.report.match_for(article, fig.index)
                same_root = image is None or (m is not None and (m.image_root or article.root) == image.root)
                if m is not None and m.image == path and same_root:
                    used_by.append((article, fig))
        rows: list[tuple[str, str]] = []
        for article, fig in used_by:
            label = f"Figure {fig.index + 1}"
            if len(self.report.articles) > 1:
                label += f" of {_article_title(article)}"
            rows.append((label, _text_or_none(fig.caption, "no caption")))
        if image is not None:
            meta = image.metadata
            if meta.caption:
                rows.append(("Embedded caption", _e(meta.caption)))
            rows.append(("Taken", _text_or_none(meta.date_created, "no date")))
            rows.append(("File", _e(_file_facts(image))))
            thumb = self.thumbnail(image)
            if thumb.uri is not None:
                picture = (
                    f'<img class="thumb-img" src="{thumb.uri}" alt="{_e(path)}" '
                    f'width="{thumb.width}" height="{thumb.height}">'
                )
            else:
                picture = _placeholder(thumb.title, thumb.reason)
        else:
            picture = _placeholder("No preview", "not among the images of this check")
        body = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows)
        return (
            f'<div class="side"><figure class="thumb">{picture}'
            f'<figcaption class="file">{_e(path)}</figcaption></figure><dl>{body}</dl></div>'
        )

    def files(self) -> str:
        rows = []
        for rule in FILE_RULES:
            for f in self.report.findings:
                if f.rule != rule:
                    continue
                files = _e(", ".join(f.images) or "(no file)")
                if f.rule == "unused-image" and len(f.images) == 1:
                    image = self.image(f.image_root or f.root, f.images[0])
                    thumb = self.thumbnail(image) if image is not None and image.readable else None
                    if thumb is not None and thumb.uri is not None:
                        files = (
                            f'<img class="mini" src="{thumb.uri}" alt="{_e(f.images[0])}" '
                            f'width="{thumb.width}" height="{thumb.height}">{files}'
                        )
                rows.append(
                    f'<tr class="{f.severity.label}"><td>{_sev(f.severity)}</td>'
                    f'<td class="nowrap"><span class="rule">{_e(f.rule)}</span> '
                    f'<span class="code">{_e(f.code)}</span></td>'
                    f'<td class="path">{files}</td><td>{_e(f.message)}</td></tr>'
                )
        for error in self.report.errors:
            rows.append(
                f'<tr class="error"><td>{_sev(Severity.ERROR)}</td><td><span class="rule">not checked</span></td>'
                f'<td class="path">{_e(error.split(": ", 1)[0])}</td><td>{_e(error)}</td></tr>'
            )
        if not rows:
            return ""
        return (
            '<section class="block files" id="files"><h2>Unused, missing and unreadable files</h2>'
            '<table><thead><tr><th>Severity</th><th>Rule</th><th>File</th><th>Reason</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>'
        )

    def media_findings(self) -> str:
        """Findings about the media folder that are neither file findings nor reuse pairs."""
        rest = [
            f for f in self.report.findings
            if f.article is None and f.rule not in FILE_RULES and not (f.rule in REUSE_RULES and len(f.images) >= 2)
        ]
        if not rest:
            return ""
        return (
            '<section class="block"><h2>Other findings</h2>'
            f'<ul class="badges">{"".join(_badge(f) for f in rest)}</ul></section>'
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
            '<section class="block hidden-findings"><h2>Hidden findings</h2>'
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
    root = Path(image.root or ".")
    try:
        base = root.resolve(strict=True)
        path = (root / image.path).resolve(strict=True)
        path.relative_to(base)
    except ValueError:
        return Thumbnail(None, "not previewed: the file lies outside the checked folder")
    except (OSError, RuntimeError):
        return Thumbnail(None, "not previewed: the file is no longer there")
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
    return f'<div class="count {cls}{zero}"><span class="n">{n}</span><span class="label">{_e(word)}</span></div>'


def _sev(severity: Severity) -> str:
    return f'<span class="sev {severity.label}">{_e(severity.label)}</span>'


def _badge(f: Finding) -> str:
    where = f' <span class="where">line {f.line}</span>' if f.line else ""
    return (
        f'<li class="badge {f.severity.label}">{_sev(f.severity)} '
        f'<span class="rule">{_e(f.rule)}</span> <span class="code">{_e(f.code)}</span>{where}'
        f'<span class="message">{_e(f.message)}</span></li>'
    )


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


def _group(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<h4>{_e(title)}</h4><dl>{body}</dl>'


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
        rows.append(("Caption", f'<span class="embedded-caption">{_e(meta.caption)}</span>'))
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
:root{--ink:#1d1f23;--muted:#5f6670;--line:#d9dde3;--paper:#f4f5f7;--card:#fff;
--error:#b42318;--error-bg:#fdecea;--warning:#9a5b00;--warning-bg:#fff4e0;--note:#1f5fa8;--note-bg:#e8f0fb;
--ok:#1f7a3f;--ok-bg:#e6f4ea}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:var(--paper)}
main{max-width:1400px;margin:0 auto;padding:0 24px 32px}
h2{font-size:1.35rem;margin:0 0 4px}
h3{font-size:1rem;margin:0 0 8px;display:flex;justify-content:space-between;align-items:baseline}
h4{font-size:.72rem;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);margin:12px 0 4px;
padding-bottom:2px;border-bottom:1px solid var(--line)}
a{color:inherit}
.path,.file,.code,.where,.line{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.82em}
.path,.where,.line,.article-meta,.facts,.lead{color:var(--muted)}
.summary{background:var(--card);border-bottom:1px solid var(--line);padding:20px 24px;margin-bottom:24px;
border-top:6px solid var(--ok)}
.summary.failed{border-top-color:var(--error)}
.summary>*{max-width:1352px;margin-left:auto;margin-right:auto}
.brand{font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;color:var(--muted)}
.verdict{display:flex;flex-wrap:wrap;align-items:baseline;gap:12px;margin:4px 0 12px}
.verdict-word{font-size:2rem;font-weight:700;color:var(--ok)}
.failed .verdict-word{color:var(--error)}
.gate{color:var(--muted)}
.counts{display:flex;flex-wrap:wrap;gap:10px}
.count{display:flex;align-items:baseline;gap:6px;padding:6px 14px;border-radius:8px;border:1px solid var(--line)}
.count .n{font-size:1.5rem;font-weight:700}
.count.error{background:var(--error-bg);color:var(--error);border-color:#f3c1bb}
.count.warning{background:var(--warning-bg);color:var(--warning);border-color:#f1d3a1}
.count.note{background:var(--note-bg);color:var(--note);border-color:#bcd2f0}
.count.zero{background:transparent;color:var(--muted);border-color:var(--line)}
.facts{margin:10px 0 0}
.toc{margin:8px 0 0;padding-left:18px}
.article,.block{margin:0 0 32px}
.article-meta{margin:0 0 14px}
.tally{font-weight:600}
.tally.error{color:var(--error)}
.tally.warning{color:var(--warning)}
.tally.note{color:var(--note)}
.tally.clean{color:var(--ok)}
.sheet{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px;align-items:start}
.card{background:var(--card);border:1px solid var(--line);border-top:5px solid var(--ok);border-radius:8px;
overflow:hidden;break-inside:avoid;page-break-inside:avoid}
.card.error{border-top-color:var(--error)}
.card.warning{border-top-color:var(--warning)}
.card.note{border-top-color:var(--note)}
.thumb{margin:0;background:#e9ebee;display:flex;flex-direction:column;align-items:center}
.thumb-img{display:block;max-width:100%;height:auto;max-height:240px;width:auto;margin:10px auto 0;
box-shadow:0 1px 3px rgba(0,0,0,.25)}
.thumb .file{align-self:stretch;padding:4px 10px 6px;color:var(--muted);text-align:center;overflow-wrap:anywhere}
.placeholder{width:100%;min-height:170px;display:flex;flex-direction:column;align-items:center;justify-content:center;
gap:6px;padding:16px 20px;text-align:center;color:var(--muted);font-size:.85rem;overflow-wrap:anywhere;
background:repeating-linear-gradient(45deg,#f6f6f6 0 10px,#ececec 10px 20px)}
.placeholder strong{color:var(--error);font-size:1.15rem;text-transform:uppercase;letter-spacing:.05em}
.card-body{padding:12px 14px 14px}
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:3px 12px;font-size:.9rem}
dt{color:var(--muted);font-weight:500}
dd{margin:0;overflow-wrap:anywhere}
.none{color:var(--muted);font-style:italic}
.parsed{color:var(--muted)}
.embedded-caption{font-style:italic}
.weak{display:inline-block;padding:0 6px;border-radius:4px;background:var(--warning-bg);color:var(--warning);
font-weight:700;border:1px solid #f1d3a1}
.ok{margin:0 0 10px;color:var(--ok);font-weight:600}
.ok::before{content:"\\2713  "}
.badges{list-style:none;margin:0 0 12px;padding:0;display:flex;flex-direction:column;gap:6px}
.badge{border-left:4px solid;padding:6px 8px;border-radius:4px;font-size:.88rem}
.badge.error{border-color:var(--error);background:var(--error-bg)}
.badge.warning{border-color:var(--warning);background:var(--warning-bg)}
.badge.note{border-color:var(--note);background:var(--note-bg)}
.badge .message{display:block;margin-top:2px;overflow-wrap:anywhere}
.sev{display:inline-block;font-size:.72rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;
padding:1px 6px;border-radius:3px;color:#fff;vertical-align:1px}
.sev.error{background:var(--error)}
.sev.warning{background:var(--warning)}
.sev.note{background:var(--note)}
.rule{font-weight:600}
.block{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px}
.lead{margin:0 0 12px}
.pair{border-top:1px solid var(--line);padding-top:12px;margin-top:12px;break-inside:avoid;page-break-inside:avoid}
.pair-head,.pair .message{margin:0 0 8px}
.pair-sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px}
.side{border:1px solid var(--line);border-radius:8px;overflow:hidden}
.side dl{padding:10px 12px}
table{width:100%;border-collapse:collapse;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
th{color:var(--muted);font-weight:600}
td.nowrap{white-space:nowrap}
td.path{overflow-wrap:break-word}
img.mini{display:block;width:auto;height:auto;max-width:120px;max-height:80px;margin-bottom:4px;
box-shadow:0 1px 3px rgba(0,0,0,.25)}
td{overflow-wrap:anywhere}
ul.plain{margin:0;padding-left:18px}
.errors{border-left:5px solid var(--error)}
.warnings{color:var(--warning);margin-bottom:10px}
.why{color:var(--muted)}
.empty{color:var(--muted);font-style:italic}
footer{max-width:1400px;margin:0 auto;padding:0 24px 24px;color:var(--muted);font-size:.8rem}
@media (max-width:600px){main{padding:0 12px 24px}.summary{padding:16px 12px}
.sheet{grid-template-columns:1fr}dl{grid-template-columns:1fr}dt{margin-top:4px}}
@media print{
body{background:#fff;font-size:10.5pt}
main,footer{max-width:none;padding:0}
.summary{border:0;border-top:4px solid var(--ok);padding:0 0 8px;margin-bottom:12px}
.summary.failed{border-top-color:var(--error)}
.sheet{grid-template-columns:repeat(3,1fr);gap:8px}
.card,.block,.side{box-shadow:none;border-color:#999}
.thumb,.placeholder,.badge,.count{background:none!important}
.thumb-img{box-shadow:none}
.card,.pair,.side,tr,.badge{break-inside:avoid;page-break-inside:avoid}
h2,h3{break-after:avoid;page-break-after:avoid}
a{text-decoration:none}
}
"""
