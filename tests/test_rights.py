"""Rights metadata: every wording of `provenance.rights.WORDINGS` is read, and the values are right."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES

from provenance.media.reader import read_image
from provenance.model import Provenance, Restriction, RestrictionKind
from provenance.rights import WORDINGS, Publisher, embargo_time, parse_terms, restrictions_of, territory_code
from provenance.rules import find_rule

K = RestrictionKind
UTC = dt.timezone.utc

EXAMPLES = [(w.kind, example) for w in WORDINGS for example in w.examples]


@pytest.mark.parametrize(("kind", "text"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_wording_is_read(kind: RestrictionKind, text: str) -> None:
    found = parse_terms(text, "instructions")
    kinds = {r.kind for r in found}
    if text.startswith("OUT: UK"):  # "OUT:" naming a territory is a territory restriction
        assert kinds == {K.TERRITORY}
    else:
        assert kinds == {kind}, found
    assert all(r.field == "instructions" and r.wording for r in found)


@pytest.mark.parametrize("kind,rule", [(K.EMBARGO, "embargoed-photo"), (K.MANDATORY_CREDIT, "mandatory-credit"),
                                       (K.KILLED, "killed-photo")])
def test_the_rule_docs_list_every_wording(kind: RestrictionKind, rule: str) -> None:
    found = find_rule(rule)
    assert found is not None
    for wording in (w for w in WORDINGS if w.kind is kind):
        for example in wording.examples:
            assert example in found.doc, example


def test_restricted_photo_doc_lists_every_restriction_wording() -> None:
    rule = find_rule("restricted-photo")
    assert rule is not None
    doc = " ".join(rule.doc.split())
    kinds = {K.EDITORIAL_USE_ONLY, K.NO_SALES, K.NO_ARCHIVE, K.NO_ONLINE, K.TERRITORY, K.OUTLET}
    for wording in (w for w in WORDINGS if w.kind in kinds):
        for example in wording.examples:
            assert example in doc, example


EMBARGOES = [
    ("EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026", "2026-12-10T00:01:00+00:00"),
    ("EMBARGO: 2026-12-10T00:01Z", "2026-12-10T00:01:00+00:00"),
    ("Embargoed until 0001 GMT on December 10, 2026", "2026-12-10T00:01:00+00:00"),
    ("UNDER EMBARGO UNTIL 10 Dec 2026 00:01 CET", "2026-12-09T23:01:00+00:00"),
    ("EMBARGOED TO 00.01 BST, 10 December 2026", "2026-12-09T23:01:00+00:00"),
    ("STRICTLY EMBARGOED UNTIL 10/12/2026 00:01 GMT", "2026-12-10T00:01:00+00:00"),  # day first
    ("NOT FOR PUBLICATION BEFORE 10 December 2026 05:00 EST", "2026-12-10T10:00:00+00:00"),
    ("Not to be published before December 10, 2026 at 12:01 a.m. ET", "2026-12-10T05:01:00+00:00"),
    ("Not to be published before July 10, 2026 at 12:01 a.m. ET", "2026-07-10T04:01:00+00:00"),  # EDT by date
    ("DO NOT PUBLISH BEFORE 2026-12-10 00:01 UTC", "2026-12-10T00:01:00+00:00"),
    ("NO USE BEFORE 10 DECEMBER 2026 00:01 GMT", "2026-12-10T00:01:00+00:00"),
    ("HOLD FOR RELEASE UNTIL 10 DECEMBER 2026 00:01 GMT", "2026-12-10T00:01:00+00:00"),
    ("EMBARGOED UNTIL 2026-12-10T00:01:00+01:00", "2026-12-09T23:01:00+00:00"),
    ("EMBARGOED UNTIL 10 December 2026 00:01 GMT+1", "2026-12-09T23:01:00+00:00"),
    ("EMBARGOED UNTIL midnight GMT 10 December 2026", "2026-12-10T00:00:00+00:00"),
    ("EMBARGOED UNTIL 10 December 2026", "2026-12-10T00:00:00+00:00"),  # no time: the day's start
    ("EMBARGOED UNTIL 10 December 2026 09:30", "2026-12-10T09:30:00+00:00"),  # no zone: UTC
    ("EMBARGOED UNTIL 10 DECEMBER", None),  # no year: cannot be read
    ("EMBARGOED UNTIL FURTHER NOTICE", None),
    ("EMBARGOED UNTIL 2026-13-45", None),
]


@pytest.mark.parametrize(("text", "expected"), EMBARGOES, ids=[t for t, _ in EMBARGOES])
def test_embargo_times(text: str, expected: str | None) -> None:
    [found] = parse_terms(text, "instructions")
    assert found.kind is K.EMBARGO and found.value == expected


def test_embargo_time_is_utc() -> None:
    when = embargo_time("00:01 GMT 10 DECEMBER 2026")
    assert when == dt.datetime(2026, 12, 10, 0, 1, tzinfo=UTC) and when.tzinfo is UTC


CREDITS = [
    ("MANDATORY CREDIT: REUTERS/Jane Doe", "REUTERS/Jane Doe"),
    ("Mandatory Credit: Photo by Jane Doe/Shutterstock (12345a)", "Photo by Jane Doe/Shutterstock"),
    ("MANDATORY CREDIT", None),
    ("CREDIT MUST READ: Jane Doe/AFP", "Jane Doe/AFP"),
    ("Credit should read Jane Doe/AFP", "Jane Doe/AFP"),
    ("MUST CREDIT: Jane Doe/Example Press", "Jane Doe/Example Press"),
    ("MUST COURTESY the Doe family", "the Doe family"),
    ("OBLIGATORY CREDIT: Jane Doe/EPA", "Jane Doe/EPA"),
    ("Credit required: Jane Doe", "Jane Doe"),
    ("MANDATORY CREDIT: REUTERS/J. Smith. THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY.", "REUTERS/J. Smith"),
    ("Credit as U.S. Navy photo by Jane Doe", "U.S. Navy photo by Jane Doe"),
    ("Please credit: Jane Doe/Example Press", "Jane Doe/Example Press"),
    # a sentence after the words: the embedded credit line is demanded
    ("MANDATORY CREDIT THE EXAMPLE PRESS PROVIDES ACCESS TO THIS HANDOUT PHOTO TO BE USED SOLELY TO ILLUSTRATE "
     "NEWS REPORTING", None),
]


@pytest.mark.parametrize(("text", "expected"), CREDITS, ids=[t for t, _ in CREDITS])
def test_mandatory_credit_wordings(text: str, expected: str | None) -> None:
    [found] = parse_terms(text, "usage_terms")
    assert found.kind is K.MANDATORY_CREDIT and found.value == expected


def test_words_that_only_resemble_a_wording_are_not_conditions() -> None:
    for text in ("Police said the attack was meant to kill.", "The embargoed report", "Reuters reported OUT of hours",
                 "A man sells newspapers; no one buys", "Photographer's note: shot at dawn"):
        assert [r.kind for r in parse_terms(text, "instructions")] in ([], [K.EMBARGO]), text
    assert parse_terms("Police said the attack was meant to kill.", "instructions") == ()
    for text in ("NO EMBARGO", "EMBARGO LIFTED", "Embargo: none", "The embargo has been lifted"):
        assert parse_terms(text, "instructions") == (), text


def test_an_agency_line_is_cut_into_its_conditions() -> None:
    text = ("EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026. MANDATORY CREDIT: REUTERS/Jane Doe. EDITORIAL USE ONLY. "
            "NO SALES. NO ARCHIVES; UK OUT; MAGS OUT | OUT: The Daily Example, New Zealand, INTERNET")
    found = parse_terms(text, "instructions")
    assert [(r.kind, r.value, r.places) for r in found] == [
        (K.EMBARGO, "2026-12-10T00:01:00+00:00", ()),
        (K.MANDATORY_CREDIT, "REUTERS/Jane Doe", ()),
        (K.EDITORIAL_USE_ONLY, None, ()),
        (K.NO_SALES, None, ()),
        (K.NO_ARCHIVE, None, ()),
        (K.TERRITORY, None, ("GB",)),
        (K.OUTLET, "MAGS", ()),
        (K.TERRITORY, None, ("NZ",)),
        (K.NO_ONLINE, None, ()),
        (K.OUTLET, "The Daily Example", ()),
    ]
    assert found[0].wording == "EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026"


TERRITORIES = [("UK", "GB"), ("U.K.", "GB"), ("Britain", "GB"), ("the United Kingdom", "GB"), ("England", "GB"),
               ("USA", "US"), ("France", "FR"), ("FR", "FR"), ("DEU", "DE"), ("Russia", "RU"),
               ("The Netherlands", "NL"), ("New Zealand", "NZ"), ("no", None), ("Mags", None), ("Gotham", None)]


@pytest.mark.parametrize(("name", "code"), TERRITORIES)
def test_territory_names(name: str, code: str | None) -> None:
    assert territory_code(name) == code


def test_territory_restrictions_name_iso_codes() -> None:
    [found] = parse_terms("NOT FOR USE IN THE UNITED KINGDOM, IRELAND AND FRANCE", "instructions")
    assert found.places == ("GB", "IE", "FR")
    [found] = parse_terms("TV OUT", "instructions")  # a medium, not Tuvalu
    assert (found.kind, found.value, found.places) == (K.OUTLET, "TV", ())


def test_publisher_says_which_restrictions_apply() -> None:
    uk = Restriction(K.TERRITORY, "NO USE IN UK", "instructions", places=("GB",))
    out = Restriction(K.OUTLET, "OUT: The Daily Example, TV", "instructions", value="The Daily Example, TV")
    sales = Restriction(K.NO_SALES, "NO SALES", "instructions")
    assert Publisher(territory="GB").applies(uk) == "territory GB"
    assert Publisher(territory="FR").applies(uk) is None
    assert Publisher().applies(uk) is None
    assert Publisher(outlet="Daily Example").applies(out) == "outlet Daily Example"
    assert Publisher(outlet="The Evening Example").applies(out) is None
    assert Publisher(territory="GB", outlet="X").applies(sales) is None


def test_plus_credit_line_required() -> None:
    required = restrictions_of(Provenance(credit_line_required="http://ns.useplus.org/ldf/vocab/CR-CAI"))
    assert [(r.kind, r.value, r.field) for r in required] == [(K.MANDATORY_CREDIT, None, "credit_line_required")]
    assert restrictions_of(Provenance(credit_line_required="http://ns.useplus.org/ldf/vocab/CR-NRQ")) == ()


def test_hostile_text_is_read_quietly() -> None:
    assert parse_terms("", "instructions") == ()
    assert parse_terms("EMBARGOED UNTIL \x1b[31m 10 December 2026 \x00", "instructions")[0].wording == (
        "EMBARGOED UNTIL [31m 10 December 2026")
    found = parse_terms("NO SALES. EMBARGOED UNTIL 99999999999999999999 GMT", "instructions")
    assert found[0].kind is K.NO_SALES and found[-1].value is None
    huge = parse_terms("EMBARGOED UNTIL 10 December 2026 " + "and then some " * 200_000, "instructions")
    assert len(huge) == 1 and huge[0].value == "2026-12-10T00:00:00+00:00" and len(huge[0].wording) == 300
    assert parse_terms("NO SALES. " * 200_000, "instructions") == (Restriction(K.NO_SALES, "NO SALES", "instructions"),)


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool writes the fixture's metadata")
def test_the_record_carries_instructions_usage_terms_and_restrictions(tmp_path: Path, cli) -> None:
    photo = tmp_path / "photo.jpg"
    shutil.copy(FIXTURES / "library" / "coffee.jpg", photo)
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-codedcharacterset=utf8",
                    "-IPTC:SpecialInstructions=EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026. NO SALES",
                    "-XMP-xmpRights:UsageTerms=Editorial use only. OUT: UK",
                    "-XMP-plus:OtherConstraints=NO ARCHIVE",
                    "-XMP-plus:CreditLineRequired=Credit Adjacent To Image", str(photo)], check=True)
    meta = read_image(photo, "photo.jpg", tmp_path.as_posix()).metadata
    assert meta.instructions == "EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026. NO SALES"
    assert meta.origins["instructions"] == "IPTC"
    assert (meta.usage_terms, meta.other_constraints) == ("Editorial use only. OUT: UK", "NO ARCHIVE")
    assert meta.credit_line_required == "http://ns.useplus.org/ldf/vocab/CR-CAI"
    assert [r.kind for r in meta.restrictions] == [K.EMBARGO, K.NO_SALES, K.EDITORIAL_USE_ONLY, K.TERRITORY,
                                                  K.NO_ARCHIVE, K.MANDATORY_CREDIT]
    run = cli("inspect", "--format", "json", photo)
    [record] = run.json()["images"]
    assert record["instructions"].startswith("EMBARGOED") and record["usage_terms"].startswith("Editorial")
    assert record["restrictions"][0] == {"kind": "embargo", "wording": "EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026",
                                         "field": "instructions", "value": "2026-12-10T00:01:00+00:00", "places": []}
    assert record["restrictions"][3]["places"] == ["GB"]
    text = cli("inspect", photo).out
    assert "  restrictions         embargo: EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026; no-sales: NO SALES;" in text
    # the cached record gives the same restrictions back (a check needs an article showing the photo)
    (tmp_path / "story.md").write_text("![A photo](photo.jpg)\n\n*A caption.* Photo: Getty Images\n", encoding="utf-8")
    first = cli("check", "--format", "json", "--fail-on", "never", tmp_path).json()["images"][0]["restrictions"]
    again = cli("check", "--format", "json", "--fail-on", "never", tmp_path).json()["images"][0]["restrictions"]
    assert first == again == record["restrictions"]
