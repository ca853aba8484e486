"""undisclosed-ai-image (PV010): an AI-generated or AI-composited image shown as if it were a photo.

What it flags
    A figure whose image says, in its IPTC Digital Source Type or its C2PA
    actions, that it was generated or composited by AI (trainedAlgorithmicMedia,
    compositeWithTrainedAlgorithmicMedia, compositeSynthetic, algorithmicMedia),
    while neither its caption nor its credit tells the reader ("AI-generated",
    "illustration", "created with ...").

Why it matters
    Readers take a news photo as a record of something that happened. Showing a
    synthetic image without saying so misleads them and breaks most newsrooms'
    AI policies.

Example
    ![](skyline.jpg)
    *The city skyline at dusk.* Photo: Jane Doe
    where skyline.jpg carries DigitalSourceType .../trainedAlgorithmicMedia.

How to fix
    Say so in the caption or credit ("AI-generated image", "Illustration created
    with ..."), or replace the image with a photograph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from provenance.model import Finding, ImageRecord, Severity
from provenance.rules.base import CheckContext, Rule, figure_label

AI_SOURCE_TYPES = (
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "compositeSynthetic",
    "algorithmicMedia",
)
"""IPTC Digital Source Type terms that mean generated or composited by an algorithm."""

_DISCLOSURE = re.compile(
    r"\b(?:ai|a\.i\.)\b|artificial intelligence|\bgenerated\b|\billustration\b|\bcreated (?:with|using|by)\b|"
    r"\bsynthetic\b|\bcomposite\b|\brendering\b|\bmidjourney\b|\bdall[-·]?e\b|\bstable diffusion\b|"
    r"\bki\b|künstliche intelligenz|\bia\b|intelligence artificielle|inteligencia artificial|\bfotomontage\b|"
    r"\bmontage\b|\billustrati",
    re.IGNORECASE,
)


def ai_source(image: ImageRecord) -> str | None:
    """The AI digital source type the image declares (metadata or C2PA actions), or None."""
    declared = [image.metadata.digital_source_type or ""]
    if image.metadata.c2pa is not None:
        declared += [a.get("digitalSourceType", "") for a in image.metadata.c2pa.actions]
    for value in declared:
        term = value.rstrip("/").rsplit("/", 1)[-1]
        if term in AI_SOURCE_TYPES:
            return term
    return None


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        for figure in article.figures:
            image = ctx.image_of(article, figure)
            if image is None:
                continue
            term = ai_source(image)
            if term is None:
                continue
            shown = " ".join(x for x in (figure.caption, figure.credit.raw if figure.credit else None, figure.alt) if x)
            if _DISCLOSURE.search(shown):
                continue
            origin = image.metadata.origins.get("digital_source_type", "metadata")
            yield RULE.finding(
                f"{figure_label(figure, capital=True)} shows {image.path}, which its {origin} declares as "
                f"{term}, but the caption and credit do not say it is AI-generated",
                article=article, root=article.root, line=figure.line, figures=[figure], images=[image],
            )


RULE = Rule("PV010", "undisclosed-ai-image", Severity.ERROR,
            "An image declared AI-generated or composited whose caption and credit do not say so.", check)
