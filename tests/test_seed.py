"""The article that started the project: two Getty photos, one caption repeating the body."""

from __future__ import annotations

from conftest import FIXTURES, SHARED

SEED = FIXTURES / "seed"


def test_seed_repeated_caption_flagged_and_getty_credits_accepted(cli) -> None:
    run = cli("check", "--format", "json", SEED)
    report = run.json()
    assert run.code == 0  # warnings only: the default gate fails on errors
    assert [(f["rule"], f["line"], f["figures"]) for f in report["findings"]] == [("caption-repeats-body", 16, [1])]
    figures = report["articles"][0]["figures"]
    assert [f["credit"] for f in figures] == ["Getty", "Getty"]
    assert [f["agency"] for f in figures] == ["Getty Images", "Getty Images"]
    assert "Source Agencies" not in [f["caption"] for f in figures]


def test_seed_figures_matched_by_embedded_caption_not_file_order(cli) -> None:
    report = cli("check", "--format", "json", SEED).json()
    figures = report["articles"][0]["figures"]
    # photo-1 is the Khamenei photo: the second figure, whatever the file names' order
    assert [(f["image"], f["match"]["method"]) for f in figures] == [
        ("photo-2.jpg", "caption"),
        ("photo-1.jpg", "caption"),
    ]


def test_seed_gate_fails_on_warning(cli) -> None:
    assert cli("check", "--fail-on", "warning", SEED).code == 1
    assert cli("check", "--fail-on", "never", SEED).code == 0


def test_seed_text_output(cli) -> None:
    run = cli("check", SEED)
    assert "article.txt:16: warning caption-repeats-body (PV005)" in run.out
    assert run.out.strip().splitlines()[-1].startswith("passed: 1 article, 2 figures, 2 images, 0 errors, 1 warning")


def test_fixture_seed_is_the_shared_seed() -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        import pytest

        pytest.skip("../shared/seeds is not beside the project")
    original = next(seeds.glob("*.txt"))
    assert (SEED / "article.txt").read_bytes() == original.read_bytes()
