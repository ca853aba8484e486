"""Credit lines: agencies, photographers, distributors, consistency."""

from __future__ import annotations

import pytest

from provenance.credits import CreditParser, consistent

P = CreditParser.default()


@pytest.mark.parametrize(
    ("raw", "agency", "photographer", "distributor"),
    [
        ("Getty", "Getty Images", None, None),
        ("Getty Images", "Getty Images", None, None),
        ("Jane Doe/Getty Images", "Getty Images", "Jane Doe", None),
        ("AFP via Getty Images", "AFP", None, "Getty Images"),
        ("NASA via Getty Images", "NASA", None, "Getty Images"),
        ("AP", "AP", None, None),
        ("AP Photo/Sam Lee", "AP", "Sam Lee", None),
        ("Associated Press", "AP", None, None),
        ("REUTERS/Jane Doe", "Reuters", "Jane Doe", None),
        ("EPA-EFE/JOHN SMITH", "EPA", "JOHN SMITH", None),
        ("PA", "PA", None, None),
        ("Rex/Shutterstock", "Shutterstock", None, None),
        ("Alamy Stock Photo", "Alamy", None, None),
        ("Bloomberg", "Bloomberg", None, None),
        ("Anadolu Agency", "Anadolu", None, None),
        ("NurPhoto via Getty Images", "NurPhoto", None, "Getty Images"),
        ("Xinhua/Li Ming", "Xinhua", "Li Ming", None),
        ("The Canadian Press/Sean Kilpatrick", "The Canadian Press", "Sean Kilpatrick", None),
        ("Handout", "Handout", None, None),
        ("Pool", "Pool", None, None),
        ("Supplied", "Supplied", None, None),
        ("Photo: Getty Images", "Getty Images", None, None),
        ("Photograph: Tom Jamieson/Getty Images", "Getty Images", "Tom Jamieson", None),
        ("Credit: Reuters", "Reuters", None, None),
        ("Image: NASA", "NASA", None, None),
        ("© 2024 Getty Images", "Getty Images", None, None),
    ],
)
def test_parse(raw: str, agency: str, photographer: str | None, distributor: str | None) -> None:
    credit = P.parse(raw)
    assert (credit.agency, credit.photographer, credit.distributor) == (agency, photographer, distributor)
    assert credit.raw == raw


@pytest.mark.parametrize(
    ("shown", "embedded", "expected"),
    [
        ("AFP via Getty Images", ["AFP"], True),
        ("NASA via Getty Images", ["Getty Images"], True),
        ("Getty", ["AFP via Getty Images", "AFP"], True),
        ("Reuters", ["Getty Images"], False),
        ("AP Photo/Sam Lee", ["Reuters"], False),
        ("Jane Doe", ["Getty Images"], None),
        ("Handout", ["Reuters"], None),
    ],
)
def test_consistency(shown: str, embedded: list[str], expected: bool | None) -> None:
    assert consistent(P.parse(shown), [P.parse(e) for e in embedded]) is expected


@pytest.mark.parametrize(
    "line", ["Getty", "AP Photo/Sam Lee", "REUTERS/Jane Doe", "Photo: Jane Doe", "AFP via Getty Images"]
)
def test_credit_lines(line: str) -> None:
    assert P.is_credit_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Source Agencies",
        "Additional reporting by Jane Doe",
        "LATEST DEVELOPMENTS:",
        "Reuters reported that the talks had stalled on Friday.",
        "Smoke rises. Photo: Getty",
        "",
    ],
)
def test_not_credit_lines(line: str) -> None:
    assert not P.is_credit_line(line)


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Smoke rises over the city. Photo: Getty Images", ("Smoke rises over the city.", "Photo: Getty Images")),
        ("Crowds gather in the square (AP Photo/Sam Lee)", ("Crowds gather in the square", "AP Photo/Sam Lee")),
        ("A flooded street in Lagos. REUTERS/Jane Doe", ("A flooded street in Lagos.", "REUTERS/Jane Doe")),
        ("Protesters in Tehran. Getty Images", ("Protesters in Tehran.", "Getty Images")),
        ("The minister, right, speaks to AP reporters", ("The minister, right, speaks to AP reporters", None)),
    ],
)
def test_split(caption: str, expected: tuple[str, str | None]) -> None:
    assert P.split(caption) == expected


def test_extra_agencies_from_configuration() -> None:
    parser = CreditParser.default({"Agence Exemple": ["agex"]})
    assert parser.parse("AGEX/Jean Dupont").agency == "Agence Exemple"
    assert P.parse("AGEX/Jean Dupont").agency is None
