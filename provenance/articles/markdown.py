"""Markdown articles: images, their captions and credits, front matter.

Recognised figure forms:

    ![Protesters in Tehran](tehran.jpg "optional title")
    *Protesters gather in Tehran on Friday.*
    Getty Images

    ![alt](tehran.jpg)
    Protesters gather in Tehran on Friday. Photo: Getty Images

    {{< figure src="tehran.jpg" caption="Protesters gather." attr="AP Photo/Sam Lee" >}}

The caption is the text that follows the image in the same paragraph, or the
next paragraph when it is emphasised or carries a credit; failing both, the
image title. The credit is a line of its own after the caption, or is split
off the caption's end ("... (AP Photo/Sam Lee)", "... REUTERS/Jane Doe"); a
last line holding only a name or a role ("Jane Doe", "Staff photographer") is a
credit too.
YAML front matter gives the title and date. `<!-- provenance: ignore[rule]
reason -->` on the figure's line or just before it suppresses findings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from provenance.articles import front_matter
from provenance.articles.suppressions import parse_suppressions
from provenance.credits import CreditParser, bare_name
from provenance.model import Article, ArticleFormat, Credit, Figure, Paragraph, Suppression

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_SHORTCODE_OPEN = re.compile(r"\{\{[<%]\s*figure\b", re.IGNORECASE)
_SHORTCODE_CLOSE = re.compile(r"[>%]\}\}")
_ATTR = re.compile(r"""(\w[\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))""")
_MAX_CAPTION = 600
_HTML_PAGE = re.compile(r"\A\s*(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE)
"""The start of a whole HTML page (not an HTML block inside Markdown)."""


@dataclass
class _Block:
    """A top-level block of the document with its source lines."""

    kind: str
    start: int
    end: int
    inline: Token | None = None
    html: str = ""


def parse_markdown(text: str, path: str, root: str, parser: CreditParser, *, encoding: str = "utf-8") -> Article:
    """Parse a Markdown article."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[str] = []
    title, date, offset, body_text = _front_matter(text, warnings)
    if _HTML_PAGE.match(body_text):
        warnings.append("the file is an HTML page, read as Markdown (name it .html to read it as HTML)")
    md = _EveryLink("commonmark")
    try:
        tokens = md.parse(body_text)
    except RecursionError:
        return Article(path, root, ArticleFormat.MARKDOWN, title, date, (), (), encoding,
                       ("markdown nesting too deep to parse",))
    blocks = _blocks(tokens, offset)
    found, suppression_warnings = parse_suppressions(text)
    suppressions: dict[int, list[Suppression]] = {}
    for sup in found:
        suppressions.setdefault(sup.line, []).append(sup)
    warnings.extend(suppression_warnings)
    lines = text.split("\n")

    figures: list[Figure] = []
    body: list[Paragraph] = []
    used: set[int] = set()
    for i, block in enumerate(blocks):
        if i in used:
            continue
        if block.kind == "html" or (block.kind == "inline" and _shortcodes(_source(lines, block))):
            src = _source(lines, block)
            line, counted = block.start, 0
            for start, attrs_text in _shortcodes(src):
                line += src.count("\n", counted, start)  # counted on from the previous one: linear
                counted = start
                figures.append(_shortcode_figure(attrs_text, len(figures), line, parser, suppressions))
            continue
        if block.kind != "inline" or block.inline is None:
            continue
        images = [c for c in (block.inline.children or []) if c.type == "image"]
        if not images:
            text_ = _plain(block.inline)
            if text_:
                body.append(Paragraph(line=block.start, text=text_))
            continue
        after = _text_after_last_image(block.inline)
        next_block = blocks[i + 1] if i + 1 < len(blocks) else None
        caption_lines = _split_lines(after)
        emphasised = False
        if not caption_lines and next_block is not None and next_block.kind == "inline" and next_block.inline:
            candidate = next_block.inline
            if not any(c.type == "image" for c in candidate.children or []):
                cand_lines = _split_lines(_plain(candidate))
                emphasised = _is_emphasised(candidate)
                joined = " ".join(cand_lines)
                has_credit = bool(cand_lines) and (
                    parser.is_credit_line(cand_lines[-1]) or parser.split(joined)[1] is not None
                    or (len(cand_lines) >= 2 and bare_name(cand_lines[-1]))
                )
                if cand_lines and len(joined) <= _MAX_CAPTION and (emphasised or has_credit):
                    caption_lines = cand_lines
                    used.add(i + 1)
        for n, img in enumerate(images):
            last = n == len(images) - 1
            caption, credit = _caption_and_credit(caption_lines if last else [], parser)
            img_title = str(img.attrs.get("title") or "") or None
            if caption is None and img_title:
                caption, credit2 = parser.split(img_title)
                caption = caption or None
                if credit is None and credit2:
                    credit = parser.parse(credit2)
            line = block.start
            figures.append(
                Figure(
                    index=len(figures),
                    line=line,
                    image_ref=str(img.attrs.get("src") or "") or None,
                    caption=caption,
                    credit=credit,
                    alt=img.content or None,
                    suppressions=_near(suppressions, line),
                    image_element=True,
                )
            )
    return Article(
        path=path,
        root=root,
        format=ArticleFormat.MARKDOWN,
        title=title,
        date=date,
        body=tuple(body),
        figures=tuple(figures),
        encoding=encoding,
        warnings=tuple(warnings),
    )


class _EveryLink(MarkdownIt):
    """Every image source makes a figure: markdown-it's default drops `javascript:`, `file:` and other links,
    and the figure with them. (They are reported, never followed; nothing is rendered.)"""

    def validateLink(self, url: str) -> bool:
        return True


def _front_matter(text: str, warnings: list[str]) -> tuple[str | None, str | None, int, str]:
    """Title, date, the body's first line number, and the body with front matter blanked out."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return None, None, 0, text
    title = date = None
    try:
        data = front_matter.load(m.group(1))
    except front_matter.FrontMatterError as exc:
        warnings.append(f"front matter: {exc}")
        data = None
    except Exception as exc:  # YAMLError, and ValueError from a date like 2024-00-13, RecursionError...
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warnings.append(f"front matter is not valid YAML: {first}"[:300])
        data = None
    if isinstance(data, dict):
        title = front_matter.scalar(data.get("title"))
        raw_date = data.get("date") or data.get("published") or data.get("publishDate")
        if isinstance(raw_date, dt.datetime | dt.date):
            date = raw_date.isoformat()
        elif raw_date is not None:
            date = str(raw_date)
    consumed = m.group(0)
    # keep line numbers: replace the front matter by as many empty lines
    return title, date, 0, "\n" * consumed.count("\n") + text[len(consumed):]


def _blocks(tokens: list[Token], offset: int) -> list[_Block]:
    blocks: list[_Block] = []
    for tok in tokens:
        if tok.map is None:
            continue
        start, end = tok.map[0] + 1 + offset, tok.map[1] + offset
        if tok.type == "inline":
            blocks.append(_Block("inline", start, end, inline=tok))
        elif tok.type == "html_block":
            blocks.append(_Block("html", start, end, html=tok.content))
        elif tok.type in ("fence", "code_block"):
            blocks.append(_Block("code", start, end))
    return blocks


def _source(lines: list[str], block: _Block) -> str:
    return "\n".join(lines[block.start - 1: block.end])


def _plain(inline: Token) -> str:
    """The text of an inline token, markup removed, line breaks kept as newlines."""
    out: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or child.type == "image":
            out.append("\n")
    return "".join(out).strip()


def _text_after_last_image(inline: Token) -> str:
    children = inline.children or []
    last = max(i for i, c in enumerate(children) if c.type == "image")
    out: list[str] = []
    for child in children[last + 1:]:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out).strip()


def _is_emphasised(inline: Token) -> bool:
    """True when the paragraph's first text is inside *emphasis* or **strong**."""
    for child in inline.children or []:
        if child.type in ("em_open", "strong_open"):
            return True
        if child.type == "text" and child.content.strip():
            return False
    return False


def _split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _caption_and_credit(lines: list[str], parser: CreditParser) -> tuple[str | None, Credit | None]:
    """Caption lines -> caption and credit: a last line that is a credit, or a credit at the caption's end."""
    if not lines:
        return None, None
    credit_raw: str | None
    if parser.is_credit_line(lines[-1]) or (len(lines) >= 2 and bare_name(lines[-1])):
        credit_raw = lines[-1]
        caption = " ".join(lines[:-1])
    else:
        caption, credit_raw = parser.split(" ".join(lines))
    return (caption or None), (parser.parse(credit_raw) if credit_raw else None)


def _shortcodes(src: str) -> list[tuple[int, str]]:
    """(offset, attribute text) of every `{{< figure ... >}}` shortcode, in one linear pass.

    An unclosed shortcode ends the scan: nothing after it can close one (a lazy regular
    expression would look for the end again from every later opening, quadratic time).
    """
    out: list[tuple[int, str]] = []
    pos = 0
    while True:
        opening = _SHORTCODE_OPEN.search(src, pos)
        if opening is None:
            break
        closing = _SHORTCODE_CLOSE.search(src, opening.end())
        if closing is None:
            break
        out.append((opening.start(), src[opening.end() : closing.start()]))
        pos = closing.end()
    return out


def _shortcode_figure(
    attrs_text: str, index: int, line: int, parser: CreditParser, suppressions: dict[int, list[Suppression]]
) -> Figure:
    attrs: dict[str, str] = {}
    for m in _ATTR.finditer(attrs_text):
        value = m.group(2) if m.group(2) is not None else (m.group(3) if m.group(3) is not None else m.group(4))
        attrs[m.group(1).lower()] = value.replace('\\"', '"')
    caption = attrs.get("caption") or attrs.get("title") or None
    credit_raw = attrs.get("attr") or attrs.get("credit") or None
    if caption and not credit_raw:
        caption, credit_raw = parser.split(caption)
        caption = caption or None
    return Figure(
        index=index,
        line=line,
        image_ref=attrs.get("src") or None,
        caption=caption,
        credit=parser.parse(credit_raw) if credit_raw else None,
        alt=attrs.get("alt") or None,
        suppressions=_near(suppressions, line),
        image_element=True,
    )


def _near(suppressions: dict[int, list[Suppression]], line: int) -> tuple[Suppression, ...]:
    """Suppressions (by line) on the figure's line or on the two lines just before it."""
    return tuple(s for n in (line - 2, line - 1, line) for s in suppressions.get(n, ()))
