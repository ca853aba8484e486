"""Plain-text articles: caption line + credit line."""

from __future__ import annotations

from provenance.articles.text import parse_text
from provenance.credits import CreditParser

P = CreditParser.default()


def test_caption_then_credit_lines() -> None:
    text = "Body one.\nMarchers fill the avenue on Sunday\nAP Photo/Sam Lee\nBody two.\nSource Agencies\n"
    article = parse_text(text, "a.txt", ".", P)
    (fig,) = article.figures
    assert (fig.caption, fig.credit.agency, fig.credit.photographer, fig.line) == (
        "Marchers fill the avenue on Sunday", "AP", "Sam Lee", 2)
    assert [p.text for p in article.body] == ["Body one.", "Body two.", "Source Agencies"]


def test_story_source_lines_are_not_figures() -> None:
    text = "A paragraph.\nAdditional reporting by Jane Doe\nReuters\n"
    # "Reuters" after a story-level line is not a figure's credit
    assert parse_text(text, "a.txt", ".", P).figures == ()


def test_blank_line_paragraphs() -> None:
    text = "First line of a paragraph\nthat wraps.\n\nA street after the storm\nREUTERS/Jane Doe\n\nLast one.\n"
    article = parse_text(text, "a.txt", ".", P)
    assert [p.text for p in article.body] == ["First line of a paragraph that wraps.", "Last one."]
    assert article.figures[0].caption == "A street after the storm"
