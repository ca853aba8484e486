"""The rights rules' edges, names and bare-name credit lines, and the territory/outlet configuration."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES

from provenance.articles.markdown import parse_markdown
from provenance.articles.text import parse_text
from provenance.config import ConfigError, load_config
from provenance.credits import CreditParser, bare_name, is_person, same_person

PARSER = CreditParser.default()
LIBRARY = FIXTURES / "library"
NEEDS_EXIFTOOL = pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool writes the metadata")

SAME = [("John Smith", "J. Smith"), ("Smith, John", "John Smith"), ("JOSÉ GARCÍA", "Jose Garcia"),
        ("John Smith", "SMITH JOHN"), ("Jean-Luc Picard", "J.-L. Picard"), ("María José García", "Maria J. Garcia"),
        ("Smith", "John Smith")]
DIFFERENT = [("Jane Doe", "John Smith"), ("J. Smith", "Jane Doe"), ("John Smith", "John Smithson"),
             ("Jane Doe", "Jane Roe")]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_person(a: str, b: str) -> None:
    assert same_person(a, b) and same_person(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_people(a: str, b: str) -> None:
    assert not same_person(a, b) and not same_person(b, a)


def test_who_is_a_person() -> None:
    assert is_person("Jane Doe", PARSER) and is_person("María José García", PARSER)
    for name in ("Staff photographer", "Reuters", "Getty Images", "Handout", "the Doe family", "City Museum", "",
                 "STR", "HO", "Smith"):
        assert not is_person(name, PARSER), name


@pytest.mark.parametrize("line", ["Jane Doe", "Staff photographer", "María José García", "J. Smith",
                                  "Ludwig van Beethoven", "Staff"])
def test_bare_names(line: str) -> None:
    assert bare_name(line)


@pytest.mark.parametrize("line", ["LATEST DEVELOPMENTS:", "What Happens Next", "Source Agencies", "Read More",
                                  "Israel has not confirmed the report", "JANE DOE", "Getty", "Jane", "In Pictures"])
def test_not_bare_names(line: str) -> None:
    assert not bare_name(line)


def test_a_bare_name_credit_line_in_plain_text() -> None:
    text = ("The council met on Tuesday to discuss the bridge.\n"
            "Protesters gather outside the town hall on Friday\nJane Doe\n"
            "Engineers presented three designs.\n"
            "A cat rests on the sill of the office\nStaff photographer\n"
            "LATEST DEVELOPMENTS:\nMarket News\n"
            "Short line\nJohn Smith\n")
    article = parse_text(text, "a.txt", ".", PARSER)
    assert [(f.caption, f.credit.raw if f.credit else None) for f in article.figures] == [
        ("Protesters gather outside the town hall on Friday", "Jane Doe"),
        ("A cat rests on the sill of the office", "Staff photographer"),
    ]
    assert article.figures[0].credit is not None and article.figures[0].credit.photographer == "Jane Doe"
    assert "Short line" in {p.text for p in article.body}


def test_a_bare_name_credit_line_in_markdown() -> None:
    text = ("![Protesters](tehran.jpg)\n*Protesters gather in Tehran on Friday.*\nJane Doe\n\n"
            "![](flood.jpg)\n\nA flooded street in Lagos.\nStaff photographer\n")
    article = parse_markdown(text, "a.md", ".", PARSER)
    assert [(f.caption, f.credit.raw if f.credit else None) for f in article.figures] == [
        ("Protesters gather in Tehran on Friday.", "Jane Doe"),
        ("A flooded street in Lagos.", "Staff photographer"),
    ]
    assert [f.image_element for f in article.figures] == [True, True]


def test_territory_and_outlet_configuration(tmp_path: Path) -> None:
    path = tmp_path / "provenance.toml"
    path.write_text('territory = "United Kingdom"\noutlet = "  The Harbour   Gazette "\n', encoding="utf-8")
    config = load_config(path)
    assert (config.territory, config.outlet) == ("GB", "The Harbour Gazette")
    for bad, key in (('territory = "Gotham"', "territory"), ("territory = 44", "territory"),
                     ('outlet = ""', "outlet"), ("outlet = []", "outlet")):
        path.write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=f"provenance.toml: {key}: expected"):
            load_config(path)


def test_a_bad_territory_stops_the_check(cli, tmp_path: Path) -> None:
    folder = tmp_path / "story"
    shutil.copytree(FIXTURES / "rules" / "restricted-photo" / "bad-md", folder)
    (folder / "provenance.toml").write_text('territory = "Gotham"\n', encoding="utf-8")
    run = cli("check", folder)
    assert run.code == 2 and run.err.count("\n") == 1 and "territory" in run.err


def _story(tmp_path: Path, credit: str | None, **tags: str) -> Path:
    folder = tmp_path / "story"
    folder.mkdir(exist_ok=True)
    lines = ["---", "title: Harbour", "date: 2024-08-01", "---", "", "![A cat on a sill](cat.jpg)",
             "*A cat rests on the sill of the harbour master's office.*"]
    if credit:
        lines.append(credit)
    (folder / "article.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(LIBRARY / "chelsea.jpg", folder / "cat.jpg")  # Reuters, By-line Jane Doe
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-codedcharacterset=utf8",
                    *(f"-{k}={v}" for k, v in tags.items()), str(folder / "cat.jpg")], check=True)
    return folder


def _findings(cli, folder: Path, rule: str) -> list[dict[str, object]]:
    run = cli("check", "--format", "json", "--fail-on", "never", folder)
    assert run.code == 0, run.err
    return [f for f in run.json()["findings"] if f["rule"] == rule]


@NEEDS_EXIFTOOL
def test_an_embargo_that_cannot_be_read_is_an_error(cli, tmp_path: Path) -> None:
    folder = _story(tmp_path, "Reuters", **{"IPTC:SpecialInstructions": "EMBARGOED UNTIL FURTHER NOTICE"})
    [finding] = _findings(cli, folder, "embargoed-photo")
    assert finding["severity"] == "error" and "cannot be read" in str(finding["message"])


@NEEDS_EXIFTOOL
def test_a_demand_without_wording_asks_for_the_embedded_credit(cli, tmp_path: Path) -> None:
    folder = _story(tmp_path, "Thomson Reuters", **{"XMP-plus:CreditLineRequired": "Credit Adjacent To Image"})
    assert _findings(cli, folder, "mandatory-credit") == []  # names the embedded credit's agency
    folder = _story(tmp_path, "Photo: Jane Doe", **{"XMP-plus:CreditLineRequired": "Credit Adjacent To Image"})
    [finding] = _findings(cli, folder, "mandatory-credit")
    assert 'demands the credit "Reuters"' in str(finding["message"])
    folder = _story(tmp_path, None, **{"IPTC:SpecialInstructions": "MANDATORY CREDIT: REUTERS/Jane Doe"})
    run = cli("check", "--format", "json", folder).json()
    assert {f["rule"] for f in run["findings"]} == {"missing-credit", "mandatory-credit"}
    assert "shows no credit" in next(f["message"] for f in run["findings"] if f["rule"] == "mandatory-credit")


@NEEDS_EXIFTOOL
def test_an_outlet_restriction_applies_to_the_configured_outlet(cli, tmp_path: Path) -> None:
    folder = _story(tmp_path, "Reuters", **{"XMP-xmpRights:UsageTerms": "OUT: The Harbour Gazette, TV"})
    [note] = _findings(cli, folder, "restricted-photo")
    assert note["severity"] == "note"
    (folder / "provenance.toml").write_text('outlet = "Harbour Gazette"\n', encoding="utf-8")
    [error] = _findings(cli, folder, "restricted-photo")
    assert error["severity"] == "error" and "(outlet Harbour Gazette)" in str(error["message"])


@NEEDS_EXIFTOOL
def test_the_photographer_rule_reads_every_credit_form(cli, tmp_path: Path) -> None:
    for credit, expected in (("REUTERS/John Smith", 1), ("Photo by John Smith", 1), ("John Smith/Reuters", 1),
                             ("John Smith", 1), ("REUTERS/Jane Doe", 0), ("Photo by Doe, Jane", 0),
                             ("Staff photographer", 0), ("Reuters", 0)):
        folder = _story(tmp_path, credit)
        assert len(_findings(cli, folder, "photographer-mismatch")) == expected, credit
