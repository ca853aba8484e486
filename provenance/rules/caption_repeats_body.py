"""caption-repeats-body (PV005): a caption that repeats a sentence or paragraph of the body.

What it flags
    A caption of five words or more that stands again in the body text: the
    same as a paragraph or a sentence of it, contained in it, or containing a
    whole paragraph, after case, punctuation and white space are ignored; or
    nearly the same (95% similar) as a paragraph or sentence.

Why it matters
    A caption pasted from the body tells the reader nothing new about the photo,
    and often means the real caption was lost; on wire copy it can attribute a
    claim to the wrong photo.

Example
    Body:    "Ayatollah Ali Khamenei, Iran's Supreme Leader is believed to have
              ordered the attack during an emergency meeting."
    Caption: "Ayatollah Ali Khamenei, Iran's supreme leader is believed to have
              ordered the attack during an emergency meeting"

How to fix
    Write a caption that describes the photo itself: who, where, when.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz import fuzz

from provenance.credits import normalise
from provenance.model import Finding, Paragraph, Severity
from provenance.rules.base import CheckContext, Rule, figure_label

MIN_WORDS = 5
"""Captions shorter than this are too generic to call a repetition."""

SIMILARITY = 95.0
"""Lowest rapidfuzz ratio (0-100) at which a caption is "nearly the same" as a sentence."""

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+")


def check(ctx: CheckContext) -> Iterator[Finding]:
    for article in ctx.articles:
        units = [(p, normalise(p.text), [normalise(s) for s in _SENTENCE_END.split(p.text)]) for p in article.body]
        for figure in article.figures:
            caption = normalise(figure.caption or "")
            if len(caption.split()) < MIN_WORDS:
                continue
            hit = _find(caption, units)
            if hit is None:
                continue
            image = ctx.image_of(article, figure)
            yield RULE.finding(
                f"{figure_label(figure, capital=True)} repeats the body text at line {hit.line}",
                article=article, root=article.root, line=figure.line, figures=[figure],
                images=[image] if image else [],
            )


def _find(caption: str, units: list[tuple[Paragraph, str, list[str]]]) -> Paragraph | None:
    padded = f" {caption} "
    for paragraph, text, sentences in units:
        if not text:
            continue
        if padded in f" {text} ":
            return paragraph
        if len(text.split()) >= MIN_WORDS and f" {text} " in padded:
            return paragraph
        for sentence in [text, *sentences]:
            if sentence and abs(len(sentence) - len(caption)) <= 0.1 * len(caption) \
                    and fuzz.ratio(caption, sentence) >= SIMILARITY:
                return paragraph
    return None


RULE = Rule("PV005", "caption-repeats-body", Severity.WARNING,
            "A caption that repeats a sentence or paragraph of the body.", check)
