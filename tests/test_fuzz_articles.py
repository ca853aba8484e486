"""Property-based tests of the plain-text, Markdown and HTML article readers.

Whatever the text, a reader returns an `Article` (it never raises), numbers its
figures 0..n-1, puts them on lines the file has, and takes captions and credits
from the text it was given.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from provenance.articles.html import parse_html  # noqa: E402
from provenance.articles.markdown import parse_markdown  # noqa: E402
from provenance.articles.text import parse_text  # noqa: E402
from provenance.credits import CreditParser  # noqa: E402
from provenance.model import Article  # noqa: E402

P = CreditParser.default()

CAPTIONS = ["Protesters gather in Tehran on Friday.", "A street after the storm", "Smoke rises over the port",
            "Zürich café at dawn", "Crowds gather (AP Photo/Sam Lee)", "Flooded street. REUTERS/Jane Doe",
            "Smoke rises. Photo: Getty Images", "FILE PHOTO: Crowds gather", "Marchers fill the avenue"]
CREDITS = ["Getty Images", "AP Photo/Sam Lee", "REUTERS/Jane Doe", "Photo: Jane Doe/AFP", "© 2024 AFP",
           "AFP via Getty Images", "Handout", "EPA-EFE/Jörg Müller", "Foto: dpa", "(AP)", "Picture: PA"]
BODY = ["The council met on Tuesday to discuss the bridge.", "Source Agencies", "Additional reporting by Jane Doe",
        "Reuters reported that the talks had stalled.", "# A heading", "- a list item", "> a quote"]
SOURCES = ["a.jpg", "photos/b.png", "../c.jpg", "/abs/d.jpg", "https://x.org/e.jpg", "café.jpg", "f g.jpg", ""]
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])
SHORT_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
PHRASE = st.one_of(st.sampled_from(CAPTIONS + CREDITS + BODY), SHORT_TEXT)
LINE = st.one_of(st.sampled_from(CAPTIONS + CREDITS + BODY + ["", "  ", "\t"]), SHORT_TEXT)


INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
"""Characters the readers drop as invisible (zero-width spaces and joiners, BOM, soft hyphen): "0\xad0" reads "00"."""


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text.translate(INVISIBLE)).casefold()))


def check_figures(article: Article, text: str) -> None:
    """Indexes 0..n-1, lines within the file, captions and credits made of the text's words."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert [f.index for f in article.figures] == list(range(len(article.figures)))
    source = words(text)
    for f in article.figures:
        assert 1 <= f.line <= lines
        if f.credit is not None:
            assert f.credit.raw == " ".join(f.credit.raw.split()) and f.credit.raw
        if "&" in text or "\\" in text:
            continue  # entities and escapes spell words differently
        for part in (f.caption, f.credit.raw if f.credit else None, f.alt):
            if part:
                assert words(part) <= source, (part, words(part) - source)
    for p in article.body:
        assert 1 <= p.line <= lines


# -- plain text --------------------------------------------------------------------------------------------


@st.composite
def text_articles(draw: st.DrawFn) -> str:
    lines = draw(st.lists(LINE, max_size=30))
    newline = draw(NEWLINES)
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@given(text_articles())
def test_text_reader(text: str) -> None:
    article = parse_text(text, "a.txt", ".", P)
    check_figures(article, text)
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    for f in article.figures:
        assert f.caption == lines[f.line - 1]  # the caption line, and the credit on the next one
        assert f.credit is not None and f.credit.raw == " ".join(lines[f.line].split())
        # a figure's own two lines read back as the same figure
        (again,) = parse_text(f"{f.caption}\n{f.credit.raw}\n", "b.txt", ".", P).figures
        assert (again.caption, again.credit) == (f.caption, f.credit)
    assert parse_text(text.replace("\r\n", "\n").replace("\r", "\n"), "a.txt", ".", P) == article


# -- Markdown ----------------------------------------------------------------------------------------------


@st.composite
def markdown_blocks(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 8))
    if kind == 0:
        alt, src = draw(st.sampled_from(["", "Alt text", *CAPTIONS])), draw(st.sampled_from(SOURCES))
        title = draw(st.sampled_from(["", *CAPTIONS]))
        image = f"![{alt}]({src}" + (f' "{title}"' if title else "") + ")"
        after = draw(st.lists(st.one_of(st.sampled_from(CAPTIONS + CREDITS).map(
            lambda s: draw(st.sampled_from(["*{}*", "_{}_", "**{}**", "{}"])).format(s)), SHORT_TEXT), max_size=3))
        return "\n".join([image, *after])
    if kind == 1:
        src, caption, credit = (draw(st.sampled_from(SOURCES)), draw(PHRASE), draw(st.sampled_from(CREDITS)))
        return f'{{{{< figure src="{src}" caption="{caption}" attr="{credit}" >}}}}'
    if kind == 2:
        return draw(st.sampled_from(["<!-- provenance: ignore[missing-credit] agreed with the desk -->",
                                     "<!-- provenance: ignore[] -->", "<!-- provenance: nonsense -->", "<!--"]))
    if kind == 3:
        return "```\n" + draw(PHRASE) + "\n```"
    if kind == 4:
        return "- " + draw(PHRASE) + "\n- " + draw(PHRASE)
    return draw(LINE)


@st.composite
def markdown_articles(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(markdown_blocks(), max_size=12))
    joints = [draw(st.sampled_from(["\n", "\n\n"])) for _ in blocks]
    text = "".join(b + j for b, j in zip(blocks, joints, strict=True))
    if draw(st.booleans()):
        title = draw(st.sampled_from(["A story", "[unclosed", "'quoted'", ""]))
        text = f"---\ntitle: {title}\ndate: 2024-03-01\n---\n" + text
    return text.replace("\n", draw(NEWLINES))


@given(markdown_articles())
def test_markdown_reader(text: str) -> None:
    article = parse_markdown(text, "a.md", ".", P)
    check_figures(article, text)
    assert parse_markdown(text.replace("\r\n", "\n").replace("\r", "\n"), "a.md", ".", P) == article
    for f in article.figures:
        for s in f.suppressions:
            assert f.line - 2 <= s.line <= f.line and s.reason


@given(st.text(max_size=300))
def test_markdown_reader_on_any_text(text: str) -> None:
    check_figures(parse_markdown(text, "a.md", ".", P), text)


# -- HTML --------------------------------------------------------------------------------------------------


@st.composite
def html_elements(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 7))
    src = draw(st.sampled_from(SOURCES))
    caption, credit = draw(PHRASE), draw(st.sampled_from(CREDITS))
    if kind == 0:
        return (f'<figure><img src="{src}" alt="{draw(PHRASE)}"><figcaption>{caption} '
                f'<span class="credit">{credit}</span></figcaption></figure>')
    if kind == 1:
        return f'<div class="image"><img src="{src}"><p class="caption">{caption}</p></div>'
    if kind == 2:
        return f'<img src="{src}" data-caption="{caption}" data-credit="{credit}">'
    if kind == 3:
        return ('<script type="application/ld+json">{"@type":"ImageObject","url":"' + src
                + '","caption":"' + caption.replace('"', "") + '","creditText":"' + credit + '"}</script>')
    if kind == 4:
        return "<!-- provenance: ignore[missing-credit] agreed -->"
    if kind == 5:
        depth = draw(st.integers(1, 40))
        return "<div>" * depth + draw(PHRASE) + "</div>" * depth
    if kind == 6:
        return "<p>" + draw(PHRASE) + "</p>"
    return draw(st.sampled_from(["<article>", "</article>", "<nav>", "</nav>", "<figure>", "</p>", "<", "&amp;"]))


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    elements = draw(st.lists(html_elements(), max_size=15))
    return draw(st.sampled_from(["", "<html><body>"])) + draw(st.sampled_from(["", "\n"])).join(elements)


@given(html_pages())
@example('<figure><img src="a.jpg" alt="0\xad0"><figcaption>Cap 0\u200b1</figcaption></figure>')
def test_html_reader(page: str) -> None:
    article = parse_html(page.encode("utf-8"), "a.html", ".", P)
    assert not any(w.startswith("the page could not be read as HTML") for w in article.warnings)
    check_figures(article, page)


@given(st.binary(max_size=400))
def test_html_reader_on_any_bytes(data: bytes) -> None:
    article = parse_html(data, "a.html", ".", P)
    assert not any(w.startswith("the page could not be read as HTML") for w in article.warnings)
    assert [f.index for f in article.figures] == list(range(len(article.figures)))
