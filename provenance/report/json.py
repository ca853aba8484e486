"""`--format json`: the whole report as one JSON object, stable key order.

    {"schema": 1, "tool": {"name", "version"},
     "articles": [{"path", "title", "date", "figures": [{"index", "line", "image", "caption", "credit",
                                                          "agency", "match"}]}],
     "images": [{"path", "credit", "creator", "copyright", "source", "caption", "date_created", "hashes"}],
     "findings": [{"rule", "code", "severity", "message", "path", "line", "images", "figures", "fingerprint"}],
     "suppressed": [...], "errors": [...], "summary": {"error", "warning", "note", ...}}

Paths are relative to the checked folder and use `/`.
"""

from __future__ import annotations

import json
from typing import Any

from provenance.model import Article, Finding, ImageRecord, Report, json_visible

SCHEMA_VERSION = 1
"""The report's `schema`: bumped when a key is removed or changes meaning (`docs/report.schema.json`)."""


def render(report: Report) -> str:
    """The report as indented JSON."""
    return json_visible(json.dumps(to_dict(report), indent=2, ensure_ascii=False)) + "\n"


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain data."""
    return {
        "schema": SCHEMA_VERSION,
        "tool": {"name": "provenance", "version": report.tool_version},
        "articles": [_article(report, a) for a in report.articles],
        "images": [image_dict(im) for im in report.images],
        "findings": [_finding(f) for f in report.findings],
        "suppressed": [_finding(f) for f in report.hidden],
        "errors": list(report.errors),
        "summary": summary_dict(report),
    }


def summary_dict(report: Report) -> dict[str, Any]:
    """Counts by severity, suppressed and baselined findings, and the gate's verdict."""
    summary = report.summary
    return {
        "error": summary.error,
        "warning": summary.warning,
        "note": summary.note,
        "suppressed": summary.suppressed,
        "baselined": summary.baselined,
        "failed": report.failed,
        "fail_on": report.fail_on.label if report.fail_on else "never",
    }


def _article(report: Report, article: Article) -> dict[str, Any]:
    figures = []
    for fig in article.figures:
        m = report.match_for(article, fig.index)
        figures.append({
            "index": fig.index,
            "line": fig.line,
            "image_ref": fig.image_ref,
            "image": m.image if m else None,
            "caption": fig.caption,
            "credit": fig.credit.raw if fig.credit else None,
            "agency": fig.credit.agency if fig.credit else None,
            "distributor": fig.credit.distributor if fig.credit else None,
            "photographer": fig.credit.photographer if fig.credit else None,
            "alt": fig.alt,
            "match": {
                "status": m.status.value,
                "method": m.method.value if m.method else None,
                "score": m.score,
                "url": m.url,
            } if m else None,
        })
    return {
        "path": article.path,
        "root": article.root,
        "format": article.format.value,
        "title": article.title,
        "date": article.date,
        "encoding": article.encoding,
        "warnings": list(article.warnings),
        "figures": figures,
    }


def image_dict(image: ImageRecord) -> dict[str, Any]:
    """One image record: file facts, embedded provenance, hashes and errors."""
    return {
        "path": image.path,
        "root": image.root,
        "format": image.format,
        "width": image.width,
        "height": image.height,
        "size": image.size,
        "sha256": image.sha256,
        **image.metadata.to_json(),
        "hashes": {"version": image.hashes.version, **dict(image.hashes.values)} if image.hashes else None,
        "errors": list(image.errors),
    }


def _finding(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "code": f.code,
        "severity": f.severity.label,
        "message": f.message,
        "path": f.article,
        "root": f.root,
        "line": f.line,
        "images": list(f.images),
        "figures": list(f.figures),
        "fingerprint": f.fingerprint,
    }
    if f.image_roots:  # images under several checked folders: each one's folder
        out["image_roots"] = list(f.image_roots)
    if f.image_notes:
        out["image_notes"] = list(f.image_notes)
    if f.other_figures:
        out["other_figures"] = [{"root": root, "path": path, "figure": index} for root, path, index in f.other_figures]
    if f.suppressed_by is not None:
        out["reason"] = f.suppressed_by
    return out
