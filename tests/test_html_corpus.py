"""Regression cases from real news pages (the fundus test corpus, MIT), one markup convention each.

The corpus lives outside the project (`../shared/corpus/fundus` next to it); these tests skip
when it is absent.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from provenance.articles.html import parse_html
from provenance.credits import CreditParser

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "fundus"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the fundus corpus is not available")


def figures(page: str) -> list[tuple[str | None, str | None]]:
    path = CORPUS / page
    if not path.exists():
        pytest.skip(f"{page} is not in the corpus")
    article = parse_html(gzip.decompress(path.read_bytes()), path.name, str(CORPUS), CreditParser.default())
    return [(f.caption, f.credit.raw if f.credit else None) for f in article.figures]


CASES = [
    # figcaption with caption and credit in spans: the credit span has a credit class
    ("uk/Metro_2024_11_29.html.gz", "The English version of Sweden’s new war pamphlet", "Picture: MSB"),
    # figcaption made of two unlabelled spans: caption, then the credit
    (
        "ch/ZwanzigMinuten_2025_11_06.html.gz",
        "Viel Ruhe, Schlaf und Erholung helfen, wieder zu Kräften zu kommen.",
        "Unsplash/Kelly Sikkema",
    ),
    # credit in an unlabelled element outside the figcaption, introduced by "Foto:"
    (
        "cz/SeznamZpravy_2025_11_06.html.gz",
        "Premiér v demisi Petr Fiala.",
        "Foto: Renata Matějková, Seznam Zprávy",
    ),
    # bracketed credit with a Korean lead-in at the end of the caption
    (
        "kr/MBN_2025_06_03.html.gz",
        "2017년 서울 용산구 백범김구기념관에서 성남시장으로 강연을 하고 있는 이재명 대통령 당선인",
        "사진 출처 = 연합뉴스",
    ),
    # a short name after the caption's last sentence
    (
        "kr/HankookIlbo_2025_05_15.html.gz",
        "이재명 더불어민주당 대선 후보가 15일 전남 순천시 연향동 패션의 거리에서 열린 유세에서 "
        "연설하고 있다.",
        "연합뉴스",
    ),
    # trailing parenthetical credit
    (
        "au/NineNews_2024_05_02.html.gz",
        "The Caribbean Islands formerly owned by Jeffrey Epstein have been listed for sale.",
        "Bespoke Real Estate",
    ),
    # lazy image (data-lazyimage-src), two <p> in the figcaption, Russian lead-in
    (
        "ru/Kommersant_2025_05_14.html.gz",
        "Ожидание начала переговоров было полно внутреннего напряжения",
        "Фото: Дмитрий Азаров, Коммерсантъ",
    ),
    # generated class names: caption and credit are the short blocks after the photo
    ("uk/EveningStandard_2024_10_24.html.gz", "Former Prime Minister Tony Blair", "ES"),
    # caption block after a <figure> that has none, credit after a final "|"
    ("es/MallorcaMagazin_2025_04_16.html.gz", None, "Jörg Carstensen/dpa"),
]


@pytest.mark.parametrize(("page", "caption", "credit"), CASES)
def test_corpus_figure(page: str, caption: str | None, credit: str) -> None:
    got = figures(page)
    if caption is None:
        assert credit in [c for _, c in got]
    else:
        assert (caption, credit) in got


def test_teasers_and_author_portraits_are_not_figures() -> None:
    got = figures("de/HamburgerAbendblatt_2025_09_09.html.gz")
    assert all(not (c or "").startswith("Von ") for c, _ in got)
    assert all("Baerbock-Bashing" not in (c or "") for c, _ in got)


def test_pull_quotes_are_not_figures() -> None:
    got = figures("lu/LuxemburgerWort_2025_06_30.html.gz")
    assert ("Alexandre Kess führt das Feld an.", "Foto: Alexander Daleiden") in got
    assert all(c != "Arthur Kluckers" for c, _ in got)


def test_story_is_the_article_with_the_headline() -> None:
    got = figures("no/Dagbladet_2026_01_06.html.gz")
    assert all("Solskjær" not in (c or "") for c, _ in got)
