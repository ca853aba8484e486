"""Property-based tests of the credit parser: it never raises, and parse/split keep to the text they are given."""

from __future__ import annotations

import re

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from provenance.credits import AGENCIES, GENERIC_SOURCES, CreditParser  # noqa: E402

P = CreditParser.default()

NAMES = ["Jane Doe", "Sam Lee", "Jörg Müller", "O'Brien", "Ana-María", "李明", "J. R. Smith"]
AGENCY_WORDS = ["Getty Images", "getty", "AP Photo", "REUTERS", "AFP", "EPA-EFE", "PA Wire", "Shutterstock",
                "dpa", "Anadolu Agency", "Handout", "Pool", "Supplied", "Xinhua", "NurPhoto", "Alamy Stock Photo"]
PREFIXES = ["", "Photo: ", "Photograph: ", "Credit: ", "© ", "(c) ", "Foto: ", "Bild: ", "Crédit photo : ",
            "Фото: ", "Picture by ", "Courtesy of ", "© 2024 ", "Image: "]
SEPARATORS = ["/", " / ", " via ", " for ", " | ", ", ", " - ", "; ", " — "]
CAPTIONS = ["Smoke rises over the port.", "Crowds gather", "A street after the storm!", "FILE PHOTO:",
            "Protesters in Tehran?", "Zürich café", "«Quote»", "Marchers fill the avenue on Sunday"]


@st.composite
def credit_lines(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(AGENCY_WORDS + NAMES), min_size=1, max_size=4))
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in parts[1:]]
    body = parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=True))
    line = draw(st.sampled_from(PREFIXES)) + body
    if draw(st.booleans()):
        line = f"({line})" if draw(st.booleans()) else f"[{line}]"
    return line


@st.composite
def captions_with_credits(draw: st.DrawFn) -> str:
    caption = draw(st.one_of(st.sampled_from(CAPTIONS), st.text(max_size=40)))
    joint = draw(st.sampled_from([" ", ". ", " | ", " - ", " / ", "  ", "\n", " (", "\t"]))
    credit = draw(credit_lines())
    return caption + joint + credit + draw(st.sampled_from(["", ")", ".", " ", "\n"]))


ANY_TEXT = st.one_of(credit_lines(), captions_with_credits(), st.text(max_size=200))
KNOWN = set(AGENCIES) | set(GENERIC_SOURCES)
GAP = re.compile(r"[\s,;:\-–—|/()\[\].]*")
"""What `split` may drop between the caption and the credit, and after the credit."""


@given(ANY_TEXT)
def test_parse_keeps_the_folded_text(raw: str) -> None:
    credit = P.parse(raw)
    assert credit.raw == " ".join(raw.split())
    assert P.parse(credit.raw) == credit  # idempotent
    assert credit.agency is None or credit.agency in KNOWN
    assert credit.distributor is None or (credit.agency is not None and credit.distributor != credit.agency)
    if credit.photographer is not None:
        assert credit.photographer.casefold() in credit.raw.casefold()


@given(ANY_TEXT)
def test_split_covers_the_text(caption: str) -> None:
    folded = " ".join(caption.split())
    head, tail = P.split(caption)
    assert P.split(folded) == (head, tail)  # white space makes no difference
    if tail is None:
        assert head == folded
        return
    assert tail and tail == tail.strip()
    assert folded.startswith(head)
    at = folded.find(tail, len(head))
    assert at >= 0, (folded, head, tail)
    assert GAP.fullmatch(folded[len(head):at]) and GAP.fullmatch(folded[at + len(tail):])


@given(ANY_TEXT)
def test_is_credit_line_ignores_white_space(line: str) -> None:
    verdict = P.is_credit_line(line)
    assert P.is_credit_line(" \t".join(line.split())) == verdict
    if len(" ".join(line.split())) > 120:
        assert not verdict


@given(credit_lines())
def test_generated_credit_lines_name_someone(line: str) -> None:
    credit = P.parse(line)
    assert credit.agency or credit.photographer
