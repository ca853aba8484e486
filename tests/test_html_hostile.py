"""Hostile and broken HTML: every page parses or says in one warning why it could not, and fast."""

from __future__ import annotations

import codecs

import pytest

from provenance.articles.html import parse_html
from provenance.credits import CreditParser
from provenance.model import Article

FIGURE = (
    b'<figure><img src="a.jpg"><figcaption>Smoke rises over the port. Photo: Agency</figcaption></figure>'
)


CAFE = '<figure><img src="a.jpg"><figcaption>Zürich café. Foto: Jörg</figcaption></figure>'


@pytest.fixture(scope="module")
def parser() -> CreditParser:
    return CreditParser.default()


def parse(data: bytes, parser: CreditParser) -> Article:
    return parse_html(data, "hostile.html", ".", parser)


def test_nesting_100000_deep_parses_with_one_warning(parser: CreditParser) -> None:
    data = (
        b"<html><body><article>"
        + b"<div>" * 100_000
        + FIGURE
        + b"</div>" * 100_000
        + b"</article></body></html>"
    )
    article = parse(data, parser)
    assert len(article.warnings) == 1 and "parser limit" in article.warnings[0]


def test_deeply_nested_figures_do_not_hang(parser: CreditParser) -> None:
    article = parse(b"<html><body>" + b"<figure>" * 100_000 + FIGURE, parser)
    assert any("parser limit" in w for w in article.warnings)


def test_moderate_nesting_is_read_in_full(parser: CreditParser) -> None:
    data = (
        b"<html><body><article>" + b"<div>" * 1000 + FIGURE + b"</div>" * 1000 + b"</article></body></html>"
    )
    article = parse(data, parser)
    assert [f.caption for f in article.figures] == ["Smoke rises over the port."]
    assert article.warnings == ()


def test_megabyte_attributes_and_text_are_clipped(parser: CreditParser) -> None:
    data = (
        b'<html><body><article><figure><img src="https://x/'
        + b"a" * 5_000_000
        + b'.jpg" alt="'
        + b"b" * 3_000_000
        + b'" class="'
        + b"caption " * 100_000
        + b'"><figcaption>'
        + b"word " * 400_000
        + b"</figcaption></figure></article></body></html>"
    )
    article = parse(data, parser)
    (figure,) = article.figures
    assert figure.image_ref is not None and len(figure.image_ref) <= 2000
    assert figure.alt is not None and len(figure.alt) <= 2000
    assert figure.caption is not None and len(figure.caption) <= 5000


def test_declared_latin1_but_written_in_utf8(parser: CreditParser) -> None:
    data = '<meta charset="iso-8859-1">' + CAFE
    article = parse(data.encode("utf-8"), parser)
    assert article.encoding == "utf-8"
    assert [(f.caption, f.credit.raw if f.credit else None) for f in article.figures] == [
        ("Zürich café.", "Foto: Jörg")
    ]
    assert len(article.warnings) == 1


def test_declared_utf8_but_written_in_cp1252(parser: CreditParser) -> None:
    data = '<meta charset="utf-8">' + CAFE
    article = parse(data.encode("cp1252"), parser)
    assert article.encoding == "cp1252"
    assert article.figures[0].caption == "Zürich café."
    assert article.warnings


def test_invalid_utf8_bytes_are_replaced(parser: CreditParser) -> None:
    data = (
        b"<figure><img src='a.jpg'><figcaption>Caf\xc3\xa9 \xff\xfe here. Photo: Agency</figcaption></figure>"
    )
    article = parse(data, parser)
    assert article.encoding == "utf-8"
    assert article.figures[0].caption == "Café \ufffd\ufffd here."
    assert any("invalid UTF-8" in w for w in article.warnings)


def test_nul_bytes(parser: CreditParser) -> None:
    data = b"<figure>\x00<img src='a.jpg'><figcaption>Cap\x00tion. Photo: Agency</figcaption></figure>"
    article = parse(data, parser)
    assert article.figures[0].caption == "Cap\ufffdtion."
    assert any("NUL" in w for w in article.warnings)


def test_byte_order_marks(parser: CreditParser) -> None:
    text = "<figure><img src='a.jpg'><figcaption>Ünïcode page. Photo: Agency</figcaption></figure>"
    for encoded in (codecs.BOM_UTF8 + text.encode("utf-8"), text.encode("utf-16")):
        article = parse(encoded, parser)
        assert article.figures[0].caption == "Ünïcode page."


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t ",
        bytes(range(256)) * 50,
        b"<" * 10_000,
        b"<!--" + b"-" * 100_000,
        b"<script type='application/ld+json'>" + b"[" * 100_000 + b"</script>",
        b"<!-- provenance: ignore[x] -->" * 5_000 + FIGURE,
        b"<p>" + b"word " * 1_000_000,
    ],
)
def test_garbage_never_raises(parser: CreditParser, data: bytes) -> None:
    article = parse(data, parser)
    assert len(article.warnings) <= 22


def test_many_figures_are_capped(parser: CreditParser) -> None:
    article = parse(b"<article>" + FIGURE * 6000 + b"</article>", parser)
    assert any("only the first" in w for w in article.warnings)


def test_lines_beyond_the_parsers_count(parser: CreditParser) -> None:
    article = parse(b"<p>x</p>\n" * 70_000 + FIGURE, parser)
    assert article.figures and any("65535" in w for w in article.warnings)
