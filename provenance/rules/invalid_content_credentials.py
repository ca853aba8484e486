"""invalid-content-credentials (PV012): a C2PA manifest that fails validation.

What it flags
    An image whose C2PA content credentials do not validate: the image was
    changed after it was signed, or the manifest is damaged. C2PA is read
    offline with the optional c2pa-python package (`pip install
    'provenance[c2pa]'`); without it, credentials are reported as not checked
    and this rule stays quiet.

Why it matters
    Content credentials are the signed record of where a photo comes from and
    what was done to it. A broken signature means that record no longer
    describes these pixels: the photo may have been edited after the agency
    signed it.

Example
    media/summit.jpg carries a manifest signed by an agency, but its pixels were
    retouched afterwards: validation reports assertion.dataHash.mismatch.

How to fix
    Get the original file from the agency again; if the edit was deliberate,
    re-sign it with your newsroom's credentials.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import Article, Figure, Finding, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def check(ctx: CheckContext) -> Iterator[Finding]:
    users: dict[tuple[str, str], list[tuple[Article, Figure]]] = {}
    for article in ctx.articles:
        for figure in article.figures:
            image = ctx.image_of(article, figure)
            if image is not None:
                users.setdefault((image.root, image.path), []).append((article, figure))
    for image in ctx.images:
        c2pa = image.metadata.c2pa
        if c2pa is None or c2pa.validation_state.casefold() != "invalid":
            continue
        # without a trust list every signer is "untrusted": name the failures that make it invalid first
        causes = [e for e in c2pa.errors if "untrusted" not in e] or list(c2pa.errors)
        why = "; ".join(causes[:3]) or "validation failed"
        used = users.get((image.root, image.path))
        if not used:
            yield RULE.finding(f"{image.path} has content credentials that fail validation: {why}",
                               article=None, root=image.root, images=[image])
            continue
        for article, figure in used:
            yield RULE.finding(
                f"{figure_label(figure, capital=True)} shows {image.path}, whose content credentials fail "
                f"validation: {why}",
                article=article, root=article.root, line=figure.line, figures=[figure], images=[image],
            )


RULE = Rule("PV012", "invalid-content-credentials", Severity.ERROR,
            "A C2PA manifest that fails validation: the image changed after signing.", check)
