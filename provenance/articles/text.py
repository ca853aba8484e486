"""Plain-text articles: a caption line followed by a line holding only the credit.

    Protests have been carried out in Iran following the death of ...
    Getty

The line before a credit line is the figure's caption; everything else is
body text. A credit line names an agency ("Getty", "REUTERS/Jane Doe"), has a
lead-in ("Photo: ..."), or is a bare name or role ("Jane Doe", "Staff
photographer") after a caption of a few words. Story-level lines ("Source Agencies", "Additional reporting by
...") are neither figures nor credits. Blank-line separated blocks are
paragraphs; a file without blank lines has one paragraph per line.
"""

from __future__ import annotations

from provenance.credits import CreditParser, bare_name, story_source_line
from provenance.model import Article, ArticleFormat, Figure, Paragraph


def parse_text(text: str, path: str, root: str, parser: CreditParser, *, encoding: str = "utf-8") -> Article:
    """Parse a plain-text article."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stripped = [line.strip() for line in lines]
    figure_lines: set[int] = set()
    figures: list[Figure] = []
    for i, line in enumerate(stripped):
        if not line or i in figure_lines or story_source_line(line):
            continue
        prev = i - 1
        if prev < 0 or not stripped[prev] or prev in figure_lines:
            continue
        caption_line = stripped[prev]
        if not parser.is_credit_line(line) and not (bare_name(line) and _caption_like(caption_line)):
            continue
        if parser.is_credit_line(caption_line) or story_source_line(caption_line) or bare_name(caption_line):
            continue
        figure_lines.update((prev, i))
        figures.append(
            Figure(
                index=len(figures),
                line=prev + 1,
                image_ref=None,
                caption=caption_line,
                credit=parser.parse(line),
            )
        )
    body = _paragraphs(stripped, figure_lines)
    return Article(
        path=path,
        root=root,
        format=ArticleFormat.TEXT,
        title=None,
        date=None,
        body=tuple(body),
        figures=tuple(figures),
        encoding=encoding,
    )


_CAPTION_WORDS = 4
"""Fewest words of a caption whose next line is a bare name: a shorter line is a heading or a name."""


def _caption_like(line: str) -> bool:
    """True when a line can be the caption a bare-name credit line follows (not a heading)."""
    return len(line.split()) >= _CAPTION_WORDS and not line.endswith(":")


def _paragraphs(lines: list[str], skip: set[int]) -> list[Paragraph]:
    filled = [i for i, line in enumerate(lines) if line]
    # blank lines between text mean blank-line separated paragraphs; otherwise one paragraph per line
    has_blocks = bool(filled) and any(not lines[i] for i in range(filled[0], filled[-1])) and any(
        lines[i] and lines[i + 1] and i not in skip and i + 1 not in skip for i in range(len(lines) - 1)
    )
    paragraphs: list[Paragraph] = []
    block: list[str] = []
    start = 0
    for i, line in enumerate(lines):
        if i in skip or not line:
            if block:
                paragraphs.append(Paragraph(line=start + 1, text=" ".join(block)))
                block = []
            continue
        if not has_blocks:
            paragraphs.append(Paragraph(line=i + 1, text=line))
            continue
        if not block:
            start = i
        block.append(line)
    if block:
        paragraphs.append(Paragraph(line=start + 1, text=" ".join(block)))
    return paragraphs
