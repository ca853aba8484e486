"""stale-photo (PV011): a photo much older than the article, not labelled as archive.

What it flags
    A figure whose image was taken (embedded date created) more than the
    maximum age (default 30 days, `--max-age` or `max-age` in configuration)
    before the article's date (front matter, JSON-LD datePublished, `<meta>`,
    or `--published`), while its caption does not label it as archive:
    "FILE PHOTO", "FILE -", "archive", "file image", or a year.

Why it matters
    An old photo presented as new is the classic way a story misleads: last
    year's flood shown as today's. Wire style labels archive photos for that reason.

Example
    Article dated 2024-08-01; figure caption "Crowds outside parliament."; the
    image was taken on 2019-03-12.

How to fix
    Label it ("FILE PHOTO: Crowds outside parliament in March 2019.") or use a
    current photo.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from provenance.dates import calendar_date
from provenance.model import Finding, Severity
from provenance.rules.base import CheckContext, Rule, figure_label

DEFAULT_MAX_AGE = 30
"""Days a photo may predate its article before it must be labelled as archive."""

ARCHIVE_LABEL = re.compile(
    r"\bfile\s*(?:photo|picture|image|pic)\b|\bfile\s*[-–—:]|\barchiv|\bfrom the archives?\b|\bstock photo\b|"
    r"\b(?:19|20)\d{2}\b|\bfoto\s*de\s*archivo\b|\bphoto d'archives\b|\bsymbolbild\b|\barkiv",
    re.IGNORECASE,
)
"""What labels a caption as an archive photo ("FILE PHOTO", "FILE -", "Archive", a year)."""


def check(ctx: CheckContext) -> Iterator[Finding]:
    max_age = int(str(ctx.options.get("max_age", DEFAULT_MAX_AGE)))
    published_option = calendar_date(str(ctx.options.get("published") or "")) if ctx.options.get("published") else None
    for article in ctx.articles:
        published = published_option or calendar_date(article.date)
        if published is None:
            continue
        for figure in article.figures:
            image = ctx.image_of(article, figure)
            if image is None:
                continue
            taken = calendar_date(image.metadata.date_created)
            if taken is None:
                continue
            age = (published - taken).days
            if age <= max_age:
                continue
            label = " ".join(x for x in (figure.caption, figure.alt) if x)
            if ARCHIVE_LABEL.search(label):
                continue
            yield RULE.finding(
                f"{figure_label(figure, capital=True)} shows {image.path}, taken on {taken.isoformat()}, "
                f"{age} days before the article's date {published.isoformat()}, but the caption does not "
                "label it as an archive photo",
                article=article, root=article.root, line=figure.line, figures=[figure], images=[image],
            )


RULE = Rule("PV011", "stale-photo", Severity.WARNING,
            "A photo taken long before the article's date whose caption does not label it as archive.", check)
