"""HTML articles: one small hand-written page per markup pattern (fixtures/html/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.articles.html import parse_html, split_caption
from provenance.credits import CreditParser
from provenance.model import Article, ArticleFormat

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"


@pytest.fixture(scope="module")
def parser() -> CreditParser:
    return CreditParser.default()


def load(name: str, parser: CreditParser) -> Article:
    return parse_html((FIXTURES / name).read_bytes(), name, "fixtures/html", parser)


def captions(article: Article) -> list[tuple[str | None, str | None]]:
    return [(f.caption, f.credit.raw if f.credit else None) for f in article.figures]


def test_figure_figcaption_and_credit_markup(parser: CreditParser) -> None:
    article = load("figure_credit_class.html", parser)
    assert article.format is ArticleFormat.HTML
    assert article.title == "Flood waters recede | Example Daily"
    assert article.date == "2024-05-02T08:30:00+00:00"
    assert captions(article) == [
        ("Water covers a street in the old town.", "Jane Doe/Reuters"),
        ("Rescuers use a boat to reach stranded residents.", "AP Photo/Sam Lee"),
        ("The mayor visits a shelter.", "Photo: City Hall"),
        ("Volunteers fill sandbags near the bridge.", "Getty Images"),
    ]
    first = article.figures[0]
    assert (first.index, first.line, first.image_ref) == (0, 13, "/photos/flood.jpg")
    assert first.alt == "A flooded street"
    assert first.credit is not None and first.credit.agency == "Reuters"
    assert article.figures[1].credit is not None and article.figures[1].credit.agency == "AP"
    # the site logo in the page header and the related-story teaser are not figures
    refs = [f.image_ref for f in article.figures]
    assert "/static/logo.png" not in refs and "/photos/other.jpg" not in refs
    assert [p.text for p in article.body] == [
        "Residents returned to their homes on Thursday.",
        "The river peaked overnight.",
    ]
    assert [p.line for p in article.body] == [12, 20]


def test_lazy_loaded_images_resolve_to_real_sources(parser: CreditParser) -> None:
    article = load("lazy_images.html", parser)
    assert [f.image_ref for f in article.figures] == [
        "https://cdn.example.com/a.jpg",
        "https://cdn.example.com/b-1280.jpg",
        "https://cdn.example.com/c-1600.webp",
        "https://cdn.example.com/d.jpg",
        "https://cdn.example.com/e.jpg",
    ]
    assert captions(article) == [
        ("A data-src image.", "Unsplash"),
        ("A data-srcset image", "Lorenzo Marina"),
        ("A picture element.", "Foto: Max Muster/dpa"),
        ("A noscript fallback.", "© Example Agency"),
        ("An image outside figure with a caption block.", None),
    ]
    dpa = article.figures[2].credit
    assert dpa is not None and dpa.agency == "dpa" and dpa.photographer == "Max Muster"


def test_jsonld_image_object_and_microdata(parser: CreditParser) -> None:
    article = load("jsonld_imageobject.html", parser)
    assert article.title == "Council approves budget"
    assert article.date == "2024-03-05T09:00:00+01:00"
    assert captions(article) == [
        ("Councillors vote on the budget on Tuesday.", "Anna Berg/Example Agency"),
        ("The town hall at dusk.", "Example Agency"),
    ]
    assert article.figures[0].image_ref == "https://cdn.example.com/lead.jpg"
    # the publisher logo's ImageObject is not a figure; the broken JSON-LD block is reported
    assert all("logo" not in (f.image_ref or "") for f in article.figures)
    assert any("JSON-LD" in w for w in article.warnings)


def test_logos_avatars_pixels_and_teasers_are_skipped(parser: CreditParser) -> None:
    article = load("skipped_images.html", parser)
    assert [f.image_ref for f in article.figures] == ["/photos/lead.jpg", "/photos/real.jpg"]
    # the standfirst beside the lead photo is not its caption
    assert captions(article) == [(None, None), ("The real photo.", "Photo: Agency")]
    assert article.figures[0].alt == "The lead photo"


def test_suppressions_attach_to_the_figure_they_precede_or_sit_in(parser: CreditParser) -> None:
    article = load("suppressions.html", parser)
    first, second, third = article.figures
    assert [(s.rules, s.reason, s.line) for s in first.suppressions] == [
        (("missing-credit",), "family photo, credit withheld at their request", 7)
    ]
    assert [(s.rules, s.reason) for s in second.suppressions] == [
        (("credit-mismatch", "PV004"), "agency confirmed the licence by email")
    ]
    assert third.suppressions == ()
    assert any("line 13" in w and "no reason" in w for w in article.warnings)


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Smoke rises. Photo: Getty Images", ("Smoke rises.", "Photo: Getty Images")),
        ("Crowds gather (AP Photo/Sam Lee)", ("Crowds gather", "AP Photo/Sam Lee")),
        ("Islands for sale. (Christie's)", ("Islands for sale.", "Christie's")),
        ("Vargas Llosa in Palma (2010)", ("Vargas Llosa in Palma (2010)", None)),
        ("Die Ministerin tritt an. (Archivbild)", ("Die Ministerin tritt an. (Archivbild)", None)),
        ("Der Lauf durch die Stadt. | Axel Heimken/dpa", ("Der Lauf durch die Stadt.", "Axel Heimken/dpa")),
        ("후보가 유세에서 연설하고 있다. 연합뉴스", ("후보가 유세에서 연설하고 있다.", "연합뉴스")),
        ("Кадр из зала. Фото: Дмитрий Азаров", ("Кадр из зала.", "Фото: Дмитрий Азаров")),
        ("Bheki/ Informal Traders/ City of Joburg", ("Bheki/ Informal Traders/ City of Joburg", None)),
        ("Students march in Managua. Carlos Herrera | Archive | Confidencial.",
         ("Students march in Managua.", "Carlos Herrera | Archive | Confidencial")),
        ("La policía rodea la plaza. Ana Ruiz / Diario del Sur.",
         ("La policía rodea la plaza.", "Ana Ruiz / Diario del Sur")),
        ("The fire spread. More photos / video below.", ("The fire spread. More photos / video below.", None)),
    ],
)
def test_split_caption(parser: CreditParser, caption: str, expected: tuple[str | None, str | None]) -> None:
    assert split_caption(caption, parser) == expected


def test_caption_conventions(parser: CreditParser) -> None:
    article = load("caption_conventions.html", parser)
    assert captions(article) == [
        ("Rescue teams work through the night", "Getty Images"),
        ("Commuters wait on a platform in the rain.", "Ana Lima for The Daily"),
        ("Crowds in the square on Sunday.", "Photograph: Piet Jansen/ANP"),
        ("A classic CMS caption", "Photo: Lee Park"),
        ("The harbour at dawn", "Maria Costa"),
        ("Fishermen mend their nets before the season opens.", None),
        ("Caption kept in a data attribute", "Tom Berg/NTB"),
        ("Gallery photo one.", "Foto: Eva Nilsson"),
        ("Gallery photo two.", "Foto: Eva Nilsson"),
    ]
    assert [f.index for f in article.figures] == list(range(9))
    assert all("teaser" not in (f.image_ref or "") for f in article.figures)
    assert article.date == "2024-06-01T12:00:00+02:00"
    # captions are not body text
    assert [p.line for p in article.body] == [11, 34]
    # declared windows-1252 but written in UTF-8
    assert article.encoding == "utf-8" and any("UTF-8" in w for w in article.warnings)
    anp = article.figures[2].credit
    assert anp is not None and anp.agency == "ANP" and anp.photographer == "Piet Jansen"


def test_open_graph_image_stands_in_when_the_markup_has_none(parser: CreditParser) -> None:
    article = load("og_image_only.html", parser)
    assert article.title == "A page whose only photo is its sharing image"
    assert article.date == "2023-11-05"
    (figure,) = article.figures
    assert (figure.image_ref, figure.caption, figure.credit, figure.alt) == (
        "https://cdn.example.com/share.jpg",
        None,
        None,
        "The old bridge at night",
    )
    assert figure.line == 6


def test_json_ld_crops_of_the_lead_photo_are_one_figure(parser: CreditParser) -> None:
    ld = (
        '{"@type": "NewsArticle", "headline": "Crops", "image": ['
        '{"@type": "ImageObject", "url": "https://x/g/wide__1280x720", "creditText": "© Ann\u200b Lee/dpa"},'
        '{"@type": "ImageObject", "url": "https://x/g/square__960x960", "creditText": "© Ann Lee/dpa"}]}'
    )
    page = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body><article><h1>Crops</h1>'
        '<figure><img src="/g/lead.jpg"><figcaption>The lead photo. © Ann Lee/dpa</figcaption></figure>'
        "<p>Text.</p></article></body></html>"
    ).encode()
    article = parse_html(page, "crops.html", ".", parser)
    assert captions(article) == [("The lead photo.", "\u00a9 Ann Lee/dpa")]
