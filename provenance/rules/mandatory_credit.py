"""mandatory-credit (PV016): the agency demands a credit wording the figure does not show.

What it flags
    A figure whose image's instructions or usage terms demand a credit, when the credit shown
    does not contain the demanded wording. Case, spacing, punctuation and lead-ins ("Photo by",
    "Photo:", "©") are ignored, and so is a picture-desk reference in brackets at the end of the
    demand ("(12345a)"). A demand without wording ("MANDATORY CREDIT", PLUS CreditLineRequired)
    asks for the embedded credit line: the credit shown must name its agency or contain it; so
    does one followed by a sentence rather than a credit (more than ten words). A
    figure showing no credit at all is reported here too, with the wording to use. The wordings
    read (case does not matter):

        MANDATORY CREDIT: REUTERS/Jane Doe
        Mandatory Credit: Photo by Jane Doe/Shutterstock (12345a)
        MANDATORY CREDIT
        CREDIT MUST READ: Jane Doe/AFP
        Credit should read Jane Doe/AFP
        MUST CREDIT: Jane Doe/Example Press
        MUST COURTESY the Doe family
        OBLIGATORY CREDIT: Jane Doe/EPA
        Credit required: Jane Doe
        Credit as U.S. Navy photo by Jane Doe
        Please credit: Jane Doe/Example Press
        PLUS CreditLineRequired: credit on image, adjacent to image or in the credits area

Why it matters
    The credit is part of the licence: a photo published without the wording the agency
    demands is used outside its terms, and the photographer loses the name on the work.

Example
    Special Instructions "MANDATORY CREDIT: REUTERS/Jane Doe"; the figure is credited "Reuters".

How to fix
    Show the demanded wording on the credit line: "Photo: REUTERS/Jane Doe".
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.credits import CreditParser, consistent, normalise, strip_prefix
from provenance.model import Credit, Finding, Restriction, RestrictionKind, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def _key(text: str) -> str:
    return f" {normalise(strip_prefix(' '.join(text.split())))} "


def shows(shown: Credit | None, demanded: str, parser: CreditParser, *, by_agency: bool = False) -> bool:
    """True when the credit shown contains the demanded wording (or, with `by_agency`, names its agency)."""
    if shown is None or not shown.raw.strip():
        return False
    wanted = _key(demanded)
    if wanted.strip() and wanted in _key(shown.raw):
        return True
    return by_agency and consistent(shown, [parser.parse(demanded)]) is True


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            image = ctx.image_of(article, figure)
            if image is None:
                continue
            meta = image.metadata
            missing: Restriction | None = None
            wording = ""
            for demand in (r for r in meta.restrictions if r.kind is RestrictionKind.MANDATORY_CREDIT):
                wording = demand.value or meta.credit or ""
                if wording and not shows(figure.credit, wording, ctx.parser, by_agency=demand.value is None):
                    missing = demand
                    break
            if missing is None:
                continue
            shown = f'is credited "{figure.credit.raw}"' if figure.credit and figure.credit.raw.strip() \
                else "shows no credit"
            source = "" if missing.value else f' ("{missing.wording}" asks for the embedded credit line)'
            yield RULE.finding(
                f'{figure_label(figure, capital=True)} {shown}, but {image.path} demands the credit "{wording}"'
                f"{source}",
                article=article, root=article.root, line=figure.line, figures=[figure], images=[image],
            )


RULE = Rule("PV016", "mandatory-credit", Severity.ERROR,
            "The agency demands a credit wording that the figure's credit does not show.", check)
