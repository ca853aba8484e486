"""missing-alt-text (PV019): an image of the page with no alt text for readers who cannot see it.

What it flags
    An HTML `<img>` or a Markdown image (or figure shortcode) whose alt text is missing, empty,
    or only repeats the image's file name ("IMG_1234.jpg", "img 1234"). Plain text has no alt
    text, and images known only from JSON-LD or Open Graph are not flagged.

Why it matters
    Screen readers read the alt text in place of the photo: without it, blind readers hear
    nothing, or a file name. Accessibility law (the EU's European Accessibility Act, the ADA in
    the US) expects it of news sites.

Example
    <img src="tehran.jpg" alt=""> in a figure captioned "Protesters gather in Tehran".

How to fix
    Describe what the photo shows in the alt text: alt="Protesters with flags fill a square in
    Tehran".
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from provenance.credits import normalise
from provenance.model import Finding, Severity
from provenance.rules.base import CheckContext, Rule, figure_label


def repeats_file_name(alt: str, ref: str | None) -> bool:
    """True when the alt text is nothing but the image's file name, with or without its extension."""
    if not ref:
        return False
    name = posixpath.basename(re.split(r"[?#]", ref, maxsplit=1)[0])
    stem = name.rsplit(".", 1)[0] if "." in name else name
    said = normalise(alt)
    return bool(said) and said in (normalise(name), normalise(stem))


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            if not figure.image_element:
                continue
            alt = (figure.alt or "").strip()
            if alt and not repeats_file_name(alt, figure.image_ref):
                continue
            what = f'only repeats its file name ("{alt}")' if alt else "is missing or empty"
            image = ctx.image_of(article, figure)
            yield RULE.finding(
                f"{figure_label(figure, capital=True)}: the image's alt text {what}; describe the photo for "
                "readers who cannot see it",
                article=article, root=article.root, line=figure.line, figures=[figure],
                images=[image] if image else [],
            )


RULE = Rule("PV019", "missing-alt-text", Severity.NOTE,
            "An HTML or Markdown image whose alt text is missing, empty or only its file name.", check)
