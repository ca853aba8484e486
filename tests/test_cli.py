"""Exit codes, usage errors, the rules command, the JSON shape."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

from provenance.report import Format
from provenance.rules import ALL_RULES


def test_exit_codes(cli, tmp_path) -> None:
    assert cli("check", FIXTURES / "rules" / "missing-credit" / "clean-md").code == 0
    assert cli("check", FIXTURES / "rules" / "missing-credit" / "bad-md").code == 1
    assert cli("check", "--fail-on", "never", FIXTURES / "rules" / "missing-credit" / "bad-md").code == 0
    assert cli("check", FIXTURES / "rules" / "unused-image" / "bad-md").code == 0  # a note
    assert cli("check", "--fail-on", "note", FIXTURES / "rules" / "unused-image" / "bad-md").code == 1


def test_usage_errors_exit_2(cli, tmp_path) -> None:
    run = cli("check", tmp_path / "nope")
    assert run.code == 2 and "no such file or folder" in run.err
    assert cli("check", "--bogus", tmp_path).code == 2
    assert cli("check").code == 2
    assert cli("check", "--format", "yaml", tmp_path).code == 2
    (tmp_path / "photo.jpg").write_bytes(b"")
    assert cli("check", tmp_path / "photo.jpg").code == 2
    assert cli("frobnicate").code == 2
    assert cli().code == 2


def test_internal_error_exits_3(cli, monkeypatch, tmp_path) -> None:
    import provenance.pipeline

    def boom(*_args, **_kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(provenance.pipeline, "run", boom)
    run = cli("check", tmp_path)
    assert run.code == 3
    assert "internal error" in run.err and "Traceback" not in run.err


def test_rules_command_lists_and_documents(cli) -> None:
    run = cli("rules")
    assert run.code == 0
    assert len(run.out.strip().splitlines()) == len(ALL_RULES)
    doc = cli("rules", "missing-credit")
    assert doc.code == 0 and "PV001" in doc.out and "How to fix" in doc.out
    assert cli("rules", "PV005").out == cli("rules", "caption-repeats-body").out
    assert cli("rules", "no-such-rule").code == 2


def test_every_format_choice_has_a_renderer(cli) -> None:
    from provenance.cli import build_parser
    from provenance.pipeline import run
    from provenance.report import RenderOptions

    check = build_parser()._subparsers._group_actions[0].choices["check"]  # type: ignore[union-attr]
    choices = next(a.choices for a in check._actions if a.dest == "format")
    assert sorted(choices) == sorted(f.value for f in Format)
    report = run([FIXTURES / "rules" / "missing-credit" / "bad-md"])
    outputs = {}
    for fmt in Format:
        text = fmt.renderer(report, RenderOptions())
        assert isinstance(text, str) and "PV001" in text, fmt
        outputs[fmt] = text
        assert cli("check", "--format", fmt.value, FIXTURES / "rules" / "missing-credit" / "bad-md").code == 1
    assert len(set(outputs.values())) == len(Format)  # each choice its own renderer


def test_json_shape(cli) -> None:
    report = cli("check", "--format", "json", FIXTURES / "rules" / "reused-photo" / "bad-md").json()
    assert set(report) >= {"tool", "articles", "images", "findings", "summary"}
    assert report["tool"]["name"] == "provenance"
    article = report["articles"][0]
    assert set(article) >= {"path", "title", "date", "figures"}
    assert (article["title"], article["date"]) == ("Harbour bridge", "2024-08-01")
    figure = article["figures"][0]
    assert set(figure) >= {"index", "line", "image", "caption", "credit", "agency", "match"}
    image = report["images"][0]
    assert set(image) >= {"path", "credit", "creator", "copyright", "source", "caption", "date_created", "hashes"}
    assert image["hashes"]["version"]
    finding = report["findings"][0]
    assert set(finding) >= {"rule", "severity", "message", "path", "line", "images", "figures"}
    assert finding["images"] == ["coffee-small.jpg", "coffee.jpg"] or finding["images"] == [
        "coffee.jpg", "coffee-small.jpg"]
    assert set(report["summary"]) >= {"error", "warning", "note"}


def test_output_file_and_article_file_argument(cli, tmp_path) -> None:
    out = tmp_path / "report.json"
    run = cli("check", "--format", "json", "--output", out, FIXTURES / "seed" / "article.txt")
    assert run.code == 0 and run.out == ""
    assert '"caption-repeats-body"' in out.read_text(encoding="utf-8")


def test_cli_py_from_a_checkout() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", "--no-cache", str(FIXTURES / "seed")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "caption-repeats-body" in proc.stdout


def test_output_file_gets_ordinary_permissions(cli, tmp_path) -> None:
    import os
    import stat

    out = tmp_path / "report.txt"
    cli("check", "--output", out, FIXTURES / "seed")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    cli("check", "--output", out, FIXTURES / "seed")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_separate_media_folder_and_several_paths(cli, tmp_path) -> None:
    import shutil

    library = FIXTURES / "library"
    articles, media = tmp_path / "articles", tmp_path / "media"
    articles.mkdir()
    media.mkdir()
    (articles / "story.md").write_text("![A cup](coffee.jpg)\n*A cup of coffee on a cafe counter.*\nReuters\n",
                                       encoding="utf-8")
    shutil.copy(library / "coffee.jpg", media / "coffee.jpg")
    shutil.copy(library / "rocket.jpg", media / "rocket.jpg")
    report = cli("check", "--format", "json", "--fail-on", "never", "--media", media, articles).json()
    figure = report["articles"][0]["figures"][0]
    assert (figure["image"], figure["match"]["method"]) == ("coffee.jpg", "reference")
    rules = {f["rule"]: f for f in report["findings"]}
    assert set(rules) == {"credit-mismatch", "unused-image"}  # Reuters shown, Getty Images embedded
    assert rules["unused-image"]["images"] == ["rocket.jpg"]

    # two folders: an image used in one is not "used" in the other because it has the same name
    other = tmp_path / "other"
    other.mkdir()
    (other / "story.md").write_text("Nothing but text here.\n", encoding="utf-8")
    shutil.copy(library / "coffee.jpg", other / "coffee.jpg")
    shutil.copy(library / "coffee.jpg", articles / "coffee.jpg")
    report = cli("check", "--format", "json", "--fail-on", "never", articles, other).json()
    unused = [(f["root"], f["images"]) for f in report["findings"] if f["rule"] == "unused-image"]
    assert unused == [(other.as_posix(), ["coffee.jpg"])]


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_prints_the_traceback_of_an_internal_error(cli, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    import provenance.cli

    def broken(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(provenance.cli, "_check", broken)
    args = ["--debug", "check", "fixtures/seed"] if where == "before" else ["check", "--debug", "fixtures/seed"]
    run = cli(*args)
    assert run.code == 3 and "internal error: RuntimeError: boom" in run.err and "Traceback" in run.err
    plain = cli("check", "fixtures/seed")
    assert plain.code == 3 and "Traceback" not in plain.err
