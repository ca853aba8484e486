"""previously-published (PV013): a photo already published with another article.

What it flags
    A figure whose photo matches one recorded in the photo archive
    (`provenance archive add`) from another article: the same file, or a
    resized, recompressed, cropped or otherwise edited copy, as judged by
    perceptual hashes. The message names the earlier article, its date, the
    caption the photo had there and how similar the two are. Runs when an
    archive is named (`--archive FILE`, or `archive` in configuration). When
    the caption labels the photo as archive ("FILE PHOTO", "FILE -",
    "Archive", a year), the finding is only a note.

Why it matters
    A photo from an earlier story presented as new misleads readers about
    when and where it was taken, and a photo published under another caption
    may contradict what the new caption says. Wire style labels such photos.

Example
    Figure 1 of today's article shows coffee-small.jpg, a resized copy of the
    photo published on 2024-08-01 in articles/harbour.md with the caption
    "A cup of coffee on the counter of a harbour cafe on Tuesday.".

How to fix
    Label the photo as archive ("FILE PHOTO: ...") with when it was taken,
    or use a photo of the event being reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from provenance.model import ArchiveHit, Finding, Severity
from provenance.rules.base import CheckContext, Rule, figure_label
from provenance.rules.stale_photo import ARCHIVE_LABEL


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            hits = ctx.archive_hits(article, figure)
            if not hits:
                continue
            first = hits[0]
            others = len({h.article for h in hits} - {first.article})
            image = ctx.image_of(article, figure)
            labelled = bool(ARCHIVE_LABEL.search(" ".join(x for x in (figure.caption, figure.alt) if x)))
            message = (f"{figure_label(figure, capital=True)} shows a photo published in {_describe(first)}: "
                       f"{first.similarity}")
            if others:
                message += f"; also published in {others} other article{'s' if others != 1 else ''}"
            if labelled:
                message += "; the caption labels it as an archive photo"
            finding = RULE.finding(message, article=article, root=article.root, line=figure.line,
                                   figures=[figure], images=[image] if image is not None else [])
            yield dataclasses.replace(finding, severity=Severity.NOTE) if labelled else finding


def _describe(hit: ArchiveHit) -> str:
    when = f"on {hit.published[:10]}" if hit.published else "(undated)"
    caption = hit.caption or ""
    if len(caption) > 80:
        caption = caption[:77].rstrip() + "..."
    said = f'captioned "{caption}"' if caption else "with no caption"
    return f"{hit.article} {when}, figure {hit.figure + 1}, {said}"


RULE = Rule("PV013", "previously-published", Severity.WARNING,
            "A photo the archive records from another published article.", check)
