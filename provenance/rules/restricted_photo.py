"""restricted-photo (PV017): a photo the agency restricts: a note, or an error where it applies.

What it flags
    A figure whose image's instructions, usage terms or PLUS constraints restrict its use. Those
    that can be checked against the configuration's `territory` (an ISO 3166 code, "GB") and
    `outlet` (the publication's name) are errors when they apply to this publication ("NO USE IN
    UK" with territory GB; "OUT: The Daily Example" with that outlet); the others are a note on
    the figure, so the desk sees them (a severity set in configuration applies to both). The
    wordings read (case does not matter):

        EDITORIAL USE ONLY, For editorial use only, NOT FOR COMMERCIAL USE, NO ADVERTISING
        NO SALES, NO RESALES, NOT FOR SALE, NotForResale
        NO ARCHIVES, NO ARCHIVE, Do not archive, NO ARCHIVAL USE
        NO ONLINE, NO INTERNET USE, PRINT ONLY, INTERNET OUT
        NO USE IN UK, NOT FOR USE IN THE UNITED KINGDOM, IRELAND AND FRANCE,
        NO PUBLICATION IN GERMANY, NOT FOR SALE IN FRANCE
        OUT: UK, OUT: The Daily Example, OUT: UK, IRELAND
        UK OUT, MAGS OUT, LOCAL TELEVISION OUT (a clause ending in OUT)

    Territories are ISO 3166 names and codes (pycountry) and the names the press uses ("UK",
    "Britain", "USA"); anything else after "OUT" is an outlet or a medium.

Why it matters
    Agencies sell rights by territory, outlet and use: a photo used where its licence excludes
    it is a breach the publisher pays for, and one kept in an archive it may not enter is one
    too.

Example
    Special Instructions "NO USE IN UK. NO SALES" on a photo checked with `territory = "GB"`: an
    error naming "NO USE IN UK" (territory GB), listing "NO SALES".

How to fix
    Use another photo where a restriction applies; for the others, make sure the use respects
    them (no resale, no archive entry, no online publication...).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from provenance.model import Finding, RestrictionKind, Severity
from provenance.rules.base import CheckContext, Rule, figure_label

KINDS = frozenset({RestrictionKind.EDITORIAL_USE_ONLY, RestrictionKind.NO_SALES, RestrictionKind.NO_ARCHIVE,
                   RestrictionKind.NO_ONLINE, RestrictionKind.TERRITORY, RestrictionKind.OUTLET})
"""The restrictions this rule reports (embargoes, credits and kills have rules of their own)."""


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            image = ctx.image_of(article, figure)
            if image is None:
                continue
            found = [r for r in image.metadata.restrictions if r.kind in KINDS]
            if not found:
                continue
            wordings = list(dict.fromkeys(r.wording for r in found))
            applying = [(r, why) for r in found if (why := ctx.publisher.applies(r)) is not None]
            label = figure_label(figure, capital=True)
            if applying:
                reasons = "; ".join(f'"{r.wording}" ({why})' for r, why in applying)
                others = [w for w in wordings if w not in {r.wording for r, _ in applying}]
                rest = f"; it also says: {'; '.join(others)}" if others else ""
                message = f"{label} shows {image.path}, which may not be published here: {reasons}{rest}"
            else:
                message = f"{label} shows {image.path}, restricted by its agency: {'; '.join(wordings)}"
            finding = RULE.finding(message, article=article, root=article.root, line=figure.line,
                                   figures=[figure], images=[image])
            yield dataclasses.replace(finding, severity=Severity.ERROR) if applying else finding


RULE = Rule("PV017", "restricted-photo", Severity.NOTE,
            "A photo whose agency restricts its use (an error where the restriction applies here).", check)
