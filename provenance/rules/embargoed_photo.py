"""embargoed-photo (PV015): a photo whose embargo has not lifted when the article is published.

What it flags
    A figure whose image's Special Instructions (IPTC 2:40, XMP photoshop:Instructions), usage
    terms (xmpRights:UsageTerms) or PLUS constraints state an embargo that lifts after the
    article's publication time: `--published`, else the article's date, else now. A date without
    a time is read as 00:00 UTC that day; an embargo whose time cannot be read is reported too.
    A lifted embargo is quiet. The wordings read (case does not matter):

        EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026
        EMBARGO: 2026-12-10T00:01Z
        Embargoed until 0001 GMT on December 10, 2026
        UNDER EMBARGO UNTIL 10 Dec 2026 00:01 CET
        EMBARGOED TO 00.01 BST, 10 December 2026
        STRICTLY EMBARGOED UNTIL 10/12/2026 00:01 GMT
        NOT FOR PUBLICATION BEFORE 10 December 2026 05:00 EST
        Not to be published before December 10, 2026 at 12:01 a.m. ET
        DO NOT PUBLISH BEFORE 2026-12-10 00:01 UTC
        NO USE BEFORE 10 DECEMBER 2026 00:01 GMT
        HOLD FOR RELEASE UNTIL 10 DECEMBER 2026 00:01 GMT

    Times are read by python-dateutil: numeric dates day first (10/12/2026 is 10 December) unless
    written year first (ISO 8601); zones by abbreviation (GMT, UTC, BST, CET, CEST, EET, EST, EDT,
    CST, PST, ET, PT, JST, AEST... see `provenance.rights.TIME_ZONES`) or offset (GMT+1, +01:00); a
    time without a zone is read as UTC; "midnight" and "noon" are understood. "NO EMBARGO",
    "EMBARGO LIFTED" and "Embargo: none" state no embargo.

Why it matters
    Publishing before an embargo lifts breaks the agency's terms and the trust of whoever gave
    the story under embargo (a report, an award, a court).

Example
    The photo's Special Instructions say "EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026"; the
    article is published on 9 December 2026.

How to fix
    Hold the article (or the photo) until the embargo lifts, or use another photo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from provenance.dates import utc_instant
from provenance.model import Article, Finding, RestrictionKind, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def publication_time(published: str | None, article: Article) -> tuple[dt.datetime, str]:
    """When the article is published (UTC) and how a message names it: `--published`, the article's
    date, else now."""
    for value, what in ((published, "publication date"), (article.date, "article's date")):
        when = utc_instant(value)
        if when is not None:
            return when, f"the {what} {value}"
    return dt.datetime.now(dt.timezone.utc), "now (the article states no date)"


def shown_time(iso: str) -> str:
    """An embargo time for a message: "00:01 UTC on 10 December 2026"."""
    when = dt.datetime.fromisoformat(iso)
    return f"{when:%H:%M} UTC on {when.day} {when:%B %Y}"


def check(ctx: CheckContext) -> Iterator[Finding]:
    published = ctx.options.get("published")
    for article in ctx.articles:
        now, named = publication_time(str(published) if published else None, article)
        for figure in article.figures:
            image = ctx.image_of(article, figure)
            if image is None:
                continue
            embargoes = [r for r in image.metadata.restrictions if r.kind is RestrictionKind.EMBARGO]
            unread = [r for r in embargoes if r.value is None]
            pending = sorted((r for r in embargoes if r.value and dt.datetime.fromisoformat(r.value) > now),
                             key=lambda r: str(r.value))
            if pending:
                last = pending[-1]
                message = (f"{figure_label(figure, capital=True)} shows {image.path}, embargoed until "
                           f'{shown_time(str(last.value))} ("{last.wording}"), after {named}')
            elif unread:
                message = (f"{figure_label(figure, capital=True)} shows {image.path}, whose metadata states an "
                           f'embargo whose time cannot be read ("{unread[0].wording}"): check it before publishing')
            else:
                continue
            yield RULE.finding(message, article=article, root=article.root, line=figure.line, figures=[figure],
                               images=[image])


RULE = Rule("PV015", "embargoed-photo", Severity.ERROR,
            "A photo whose embargo has not lifted at the article's publication time.", check)
