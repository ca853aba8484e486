"""reused-photo: one finding per cluster of copies, per article (or per run with reuse-scope "run")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from provenance.baseline import dumps, loads
from provenance.media.clusters import Link, clusters
from provenance.pipeline import CheckOptions, run

GALLERY = FIXTURES / "rules" / "reused-photo" / "bad-gallery-md"
LIBRARY = FIXTURES / "library"


# --- clusters, from pairwise decisions alone ------------------------------------


def test_clusters_are_the_connected_components_with_their_strongest_links() -> None:
    links = [Link(0, 1, 0.9), Link(1, 2, 0.7), Link(0, 2, 0.8), Link(3, 5, 0.6)]
    found = clusters(6, links)
    assert [c.members for c in found] == [(0, 1, 2), (3, 5), (4,)]
    first = found[0]
    assert first.tree == (Link(0, 1, 0.9), Link(0, 2, 0.8))  # 1-2 (0.7) is not needed to hold them
    assert first.weakest == Link(0, 2, 0.8)
    assert first.path(1, 2) == [Link(0, 1, 0.9), Link(0, 2, 0.8)]
    assert first.path(2, 2) == []
    assert found[2].weakest is None
    # the same decisions in another order give the same clusters
    assert clusters(6, links[::-1]) == found


def test_clusters_refuse_links_outside_the_items() -> None:
    with pytest.raises(ValueError):
        clusters(2, [Link(0, 2, 1.0)])


# --- the rule --------------------------------------------------------------------


def test_a_gallery_of_one_photo_four_times_is_one_finding() -> None:
    report = run([GALLERY])
    found = [f for f in report.findings if f.rule == "reused-photo"]
    assert len(found) == 1
    finding = found[0]
    assert finding.images == ("coffee.jpg", "coffee-crop.jpg", "coffee-mirror.jpg", "coffee-thumb.jpg")
    assert finding.figures == (0, 1, 2, 3)
    assert finding.image_notes == ("the largest", "cropped", "mirrored", "resized")
    assert finding.message.startswith("One photo is used 4 times: coffee.jpg (figure 1, 320×213, the largest); ")
    assert "coffee-crop.jpg (figure 2, 240×170, cropped)" in finding.message
    assert "weakest link: " in finding.message and "% similar)" in finding.message
    assert finding.line == report.articles[0].figures[1].line  # the first reuse


def _two_articles(tmp_path: Path) -> tuple[Path, Path]:
    """Two article folders sharing one photo under different names; each article alone reuses nothing."""
    harbour, ferry = tmp_path / "harbour", tmp_path / "ferry"
    for folder in (harbour, ferry):
        folder.mkdir()
    shutil.copyfile(LIBRARY / "coffee.jpg", harbour / "coffee.jpg")
    shutil.copyfile(LIBRARY / "rocket.jpg", harbour / "rocket.jpg")
    shutil.copyfile(LIBRARY / "coffee-small.jpg", ferry / "ferry.jpg")
    shutil.copyfile(LIBRARY / "chelsea.jpg", ferry / "chelsea.jpg")
    (harbour / "article.md").write_text(
        "# Harbour\n\n![](coffee.jpg)\n*Coffee at the harbour cafe.*\nGetty Images\n\n"
        "![](rocket.jpg)\n*A rocket lifts off.*\nAP\n", encoding="utf-8")
    (ferry / "article.md").write_text(
        "# Ferry\n\n![](chelsea.jpg)\n*A cat on the sill.*\nReuters\n\n"
        "![](ferry.jpg)\n*Morning coffee at the ferry terminal.*\nGetty Images\n", encoding="utf-8")
    return harbour, ferry


def _reuse(report):  # type: ignore[no-untyped-def]
    return [f for f in report.findings if f.rule == "reused-photo"]


def test_by_default_an_article_reports_the_same_whatever_else_is_checked(tmp_path: Path) -> None:
    harbour, ferry = _two_articles(tmp_path)
    shutil.copyfile(LIBRARY / "coffee.jpg", harbour / "coffee-again.jpg")
    (harbour / "article.md").write_text((harbour / "article.md").read_text(encoding="utf-8")
                                        + "\n![](coffee-again.jpg)\n*Coffee again.*\nGetty Images\n", encoding="utf-8")
    alone = _reuse(run([harbour]))
    together = _reuse(run([harbour, ferry]))
    assert len(alone) == 1 and together == alone
    assert all(f.other_figures == () for f in together)


def test_reuse_scope_run_names_every_article_in_one_finding(tmp_path: Path) -> None:
    harbour, ferry = _two_articles(tmp_path)
    assert _reuse(run([harbour, ferry])) == []
    report = run([harbour, ferry], CheckOptions(reuse_scope="run"))
    found = _reuse(report)
    assert len(found) == 1
    finding = found[0]
    assert finding.article == "article.md" and finding.root == harbour.as_posix()
    assert finding.figures == (0,)
    assert finding.other_figures == ((ferry.as_posix(), "article.md", 1),)
    assert finding.image_locations() == ((harbour.as_posix(), "coffee.jpg"), (ferry.as_posix(), "ferry.jpg"))
    assert f"figure 2 of {ferry.as_posix()}/article.md" in finding.message
    for root, path in finding.image_locations():
        assert report.image(root, path) is not None


def test_the_json_report_says_each_copy_and_every_article(tmp_path: Path, cli) -> None:
    (finding,) = cli("check", "--format", "json", GALLERY).json()["findings"]
    assert finding["image_notes"] == ["the largest", "cropped", "mirrored", "resized"]
    assert "other_figures" not in finding and "image_roots" not in finding
    harbour, ferry = _two_articles(tmp_path)
    (tmp_path / "provenance.toml").write_text('reuse-scope = "run"\n', encoding="utf-8")
    (finding,) = cli("check", "--format", "json", "--select", "reused-photo", "--config",
                 tmp_path / "provenance.toml", harbour, ferry).json()[
        "findings"]
    assert finding["other_figures"] == [{"root": ferry.as_posix(), "path": "article.md", "figure": 1}]
    assert finding["image_roots"] == [harbour.as_posix(), ferry.as_posix()]
    assert finding["images"] == ["coffee.jpg", "ferry.jpg"]


def test_reuse_scope_from_configuration(tmp_path: Path, cli) -> None:
    harbour, ferry = _two_articles(tmp_path)
    (tmp_path / "provenance.toml").write_text('reuse-scope = "run"\n', encoding="utf-8")
    result = cli("check", "--format", "json", "--select", "reused-photo", "--config",
                 tmp_path / "provenance.toml", harbour, ferry)
    assert [f["rule"] for f in result.json()["findings"]] == ["reused-photo"]
    (tmp_path / "provenance.toml").write_text('reuse-scope = "article"\n', encoding="utf-8")
    result = cli("check", "--format", "json", "--select", "reused-photo", "--config",
                 tmp_path / "provenance.toml", harbour, ferry)
    assert result.json()["findings"] == []
    (tmp_path / "provenance.toml").write_text('reuse-scope = "everything"\n', encoding="utf-8")
    result = cli("check", "--config", tmp_path / "provenance.toml", harbour, ferry)
    assert result.code == 2
    assert result.err.strip().endswith("reuse-scope: expected article or run, not 'everything'")
    assert len(result.err.strip().splitlines()) == 1


def test_the_baseline_knows_a_cluster_by_its_photos(tmp_path: Path) -> None:
    gallery = tmp_path / "gallery"
    shutil.copytree(GALLERY, gallery)
    article = gallery / "article.md"
    before = _reuse(run([gallery]))
    baseline = loads(dumps(before))
    # other captions and another order of the figures: the same photos, the same finding
    text = article.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    figures = [i for i, b in enumerate(blocks) if b.startswith("![")]
    reordered = list(blocks)
    for i, j in zip(figures, figures[::-1], strict=True):
        reordered[i] = blocks[j].replace("\n*", "\n*Updated: ")
    article.write_text("\n\n".join(reordered), encoding="utf-8")
    moved = _reuse(run([gallery]))
    assert [f.fingerprint for f in moved] == [f.fingerprint for f in before]
    assert moved[0].message != before[0].message  # the figures did move
    assert baseline.split(moved)[0] == []
    # a photo fewer: another cluster, a new finding
    article.write_text(article.read_text(encoding="utf-8").replace("coffee-thumb.jpg", "coffee.jpg"),
                       encoding="utf-8")
    fewer = _reuse(run([gallery]))
    assert len(fewer) == 1 and fewer[0].fingerprint != before[0].fingerprint
    assert baseline.split(fewer)[0] == fewer


def test_pairs_are_judged_within_their_groups_only() -> None:
    from provenance.media.pairs import judge_pairs

    report = run([GALLERY])
    images = [(im.sha256, im.hashes) for im in report.images if im.hashes is not None]
    assert len(images) == 4
    every = judge_pairs(images)
    assert len(every) == 6
    grouped = judge_pairs(images, groups=["a", "b", "a", "b"])
    assert set(grouped) == {(images[0][0], images[2][0]), (images[1][0], images[3][0])}
    assert all(grouped[key] == every[key] for key in grouped)
