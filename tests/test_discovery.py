"""`check PATH` walks subfolders: page bundles, flat folders, exclusions, .gitignore, links, nothing found."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES

from provenance import pipeline
from provenance.discovery import PathFilter, walk

BAD = FIXTURES / "rules" / "missing-credit" / "bad-md"  # coffee.jpg, no credit under the caption
CLEAN = FIXTURES / "rules" / "missing-credit" / "clean-md"
LIBRARY = FIXTURES / "library"


def bundle(folder: Path, source: Path) -> Path:
    """A page bundle: `index.md` with its photo beside it."""
    folder.mkdir(parents=True)
    shutil.copy(source / "article.md", folder / "index.md")
    shutil.copy(source / "coffee.jpg", folder / "coffee.jpg")
    return folder / "index.md"


def page_bundles(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    bundle(site / "content" / "news" / "harbour-fire", BAD)
    bundle(site / "content" / "news" / "storm", CLEAN)
    return site


def test_page_bundles_two_levels_down_are_found_and_checked(cli, tmp_path) -> None:
    site = page_bundles(tmp_path)
    run = cli("check", "--format", "json", site / "content")
    assert run.code == 1
    report = run.json()
    assert sorted(a["path"] for a in report["articles"]) == ["news/harbour-fire/index.md", "news/storm/index.md"]
    (credit,) = [f for f in report["findings"] if f["rule"] == "missing-credit"]
    assert credit["path"] == "news/harbour-fire/index.md" and credit["line"] == 9
    images = sorted((im["root"], im["path"]) for im in report["images"])
    content = (site / "content").as_posix()
    assert images == [(f"{content}/news/harbour-fire", "coffee.jpg"), (f"{content}/news/storm", "coffee.jpg")]
    text = cli("check", site / "content")
    assert f"{content}/news/harbour-fire/index.md:9: error missing-credit (PV001)" in text.out
    assert "2 articles, 2 figures, 2 images" in text.out
    # the same photo in both bundles: two articles, so reported only when reuse is judged across the run
    assert not [f for f in report["findings"] if f["rule"] == "reused-photo"]
    config = tmp_path / "provenance.toml"
    config.write_text('reuse-scope = "run"\n', encoding="utf-8")
    (reused,) = [f for f in cli("check", "--format", "json", "--config", config, site / "content").json()["findings"]
                 if f["rule"] == "reused-photo"]
    assert reused["path"] == "news/harbour-fire/index.md"
    assert reused["message"].startswith("One photo is used twice: coffee.jpg (figure 1")
    assert f"{content}/news/storm/coffee.jpg (figure 1 of " in reused["message"]


def test_a_folder_without_articles_exits_2_saying_what_was_searched(cli, tmp_path) -> None:
    (tmp_path / "photos" / "day1").mkdir(parents=True)
    shutil.copy(LIBRARY / "coffee.jpg", tmp_path / "photos" / "day1" / "coffee.jpg")
    (tmp_path / "photos" / ".hidden").mkdir()
    (tmp_path / "photos" / ".hidden" / "story.md").write_text("![](x.jpg)\n", encoding="utf-8")
    run = cli("check", tmp_path / "photos")
    assert run.code == 2 and run.out == ""
    (line,) = run.err.splitlines()
    assert "no article found in" in line and "photos" in line and ".md" in line and "subfolders" in line


def test_nested_article_folders_own_their_images_once(cli, tmp_path) -> None:
    section = tmp_path / "news"
    section.mkdir()
    (section / "_index.md").write_text("# News\n\nThe section page.\n", encoding="utf-8")
    shutil.copy(LIBRARY / "rocket.jpg", section / "banner.jpg")  # the section's own image, used by nothing
    bundle(section / "fire", CLEAN)
    shutil.copy(LIBRARY / "chelsea.jpg", section / "fire" / "gallery-extra.jpg")
    (section / "fire" / "photos").mkdir()  # a plain subfolder of the bundle: its images are the bundle's
    shutil.copy(LIBRARY / "coffee-small.jpg", section / "fire" / "photos" / "small.jpg")
    report = cli("check", "--format", "json", "--fail-on", "never", section).json()
    assert len(report["images"]) == 4  # none read twice
    unused = sorted((f["root"], f["images"][0]) for f in report["findings"] if f["rule"] == "unused-image")
    assert unused == [(section.as_posix(), "banner.jpg"), ((section / "fire").as_posix(), "gallery-extra.jpg"),
                      ((section / "fire").as_posix(), "photos/small.jpg")]
    assert not [f for f in report["findings"] if f["rule"] in ("missing-image", "missing-credit")]


def test_an_article_file_does_not_read_the_images_of_nested_bundles(cli, tmp_path) -> None:
    section = tmp_path / "news"
    section.mkdir()
    (section / "_index.md").write_text("# News\n", encoding="utf-8")
    bundle(section / "fire", CLEAN)
    report = cli("check", "--format", "json", section / "_index.md").json()
    assert report["images"] == []


def test_flat_folder_jekyll_posts_and_shared_media(cli, tmp_path) -> None:
    posts, assets = tmp_path / "_posts", tmp_path / "assets"
    posts.mkdir()
    assets.mkdir()
    for name, source in (("2024-08-01-harbour.md", BAD), ("2024-08-02-storm.md", CLEAN)):
        text = (source / "article.md").read_text(encoding="utf-8").replace("](coffee.jpg)", f"](../assets/{name}.jpg)")
        (posts / name).write_text(text, encoding="utf-8")
        shutil.copy(source / "coffee.jpg", assets / f"{name}.jpg")
    (tmp_path / "_site").mkdir()  # Jekyll's built copy of the site: excluded by default
    shutil.copy(posts / "2024-08-01-harbour.md", tmp_path / "_site" / "harbour.md")
    report = cli("check", "--format", "json", "--ignore", "reused-photo", "--media", assets, posts).json()
    assert [a["path"] for a in report["articles"]] == ["2024-08-01-harbour.md", "2024-08-02-storm.md"]
    assert [f["rule"] for f in report["findings"]] == ["missing-credit"]
    site = cli("check", "--format", "json", "--fail-on", "never", "--media", assets, tmp_path).json()
    assert sorted(a["path"] for a in site["articles"]) == ["_posts/2024-08-01-harbour.md", "_posts/2024-08-02-storm.md"]


def test_exclude_extend_exclude_and_the_command_line(cli, tmp_path) -> None:
    site = page_bundles(tmp_path)
    drafts = site / "content" / "drafts" / "wip"
    bundle(drafts, BAD)
    (site / "content" / "news" / "storm" / "notes.draft.md").write_text("draft\n", encoding="utf-8")

    def paths(*args: str | Path) -> list[str]:
        run = cli("check", "--format", "json", "--fail-on", "never", *args, site / "content")
        assert run.code == 0, run.err
        return sorted(a["path"] for a in run.json()["articles"])

    every = ["drafts/wip/index.md", "news/harbour-fire/index.md", "news/storm/index.md", "news/storm/notes.draft.md"]
    assert paths() == every
    (site / "provenance.toml").write_text('exclude = ["content/drafts/"]\nextend-exclude = ["*.draft.md"]\n',
                                          encoding="utf-8")
    assert paths() == ["news/harbour-fire/index.md", "news/storm/index.md"]
    # --exclude replaces `exclude` (relative to the current folder); `extend-exclude` still applies
    assert paths("--exclude", "news/harbour-fire") == ["drafts/wip/index.md", "news/storm/index.md"]
    assert paths("--extend-exclude", "storm/") == ["news/harbour-fire/index.md"]
    run = cli("check", "--extend-exclude", "news/", site / "content")
    assert run.code == 2 and "no article found" in run.err
    # an article named on the command line is checked even when a glob excludes it
    named = cli("check", "--format", "json", "--exclude", "*.md", site / "content" / "news" / "storm" / "index.md")
    assert [a["path"] for a in named.json()["articles"]] == ["index.md"]


def test_excluded_images_are_not_read(cli, tmp_path) -> None:
    story = bundle(tmp_path / "story", CLEAN)
    (story.parent / "raw").mkdir()
    shutil.copy(LIBRARY / "rocket.jpg", story.parent / "raw" / "rocket.jpg")
    run = cli("check", "--format", "json", "--fail-on", "never", story.parent)
    assert len(run.json()["images"]) == 2
    run = cli("check", "--format", "json", "--fail-on", "never", "--extend-exclude", "raw/", story.parent)
    assert [im["path"] for im in run.json()["images"]] == ["coffee.jpg"]


def test_gitignored_paths_are_skipped_in_a_git_work_tree(cli, tmp_path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    site = page_bundles(repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("build/\n*.jpg\n!keep.jpg\n", encoding="utf-8")
    bundle(site / "content" / "build" / "copy", BAD)
    (site / "content" / "news" / ".gitignore").write_text("storm/\n", encoding="utf-8")
    shutil.copy(LIBRARY / "rocket.jpg", site / "content" / "news" / "harbour-fire" / "keep.jpg")
    report = cli("check", "--format", "json", "--fail-on", "never", site / "content").json()
    assert [a["path"] for a in report["articles"]] == ["news/harbour-fire/index.md"]
    assert [im["path"] for im in report["images"]] == ["keep.jpg"]  # *.jpg ignored, keep.jpg re-included
    (repo / "provenance.toml").write_text("respect-gitignore = false\n", encoding="utf-8")
    report = cli("check", "--format", "json", "--fail-on", "never", site / "content").json()
    assert len(report["articles"]) == 3 and len(report["images"]) == 4
    outside = tmp_path / "plain"  # not a git work tree: nothing is ignored
    bundle(outside / "a", CLEAN)
    (outside / ".gitignore").write_text("*\n", encoding="utf-8")
    assert len(cli("check", "--format", "json", outside).json()["articles"]) == 1


def test_links_to_folders_are_never_followed(cli, tmp_path) -> None:
    checked = tmp_path / "checked"
    bundle(checked / "story", CLEAN)
    elsewhere = tmp_path / "elsewhere"
    bundle(elsewhere / "secret", BAD)
    try:
        os.symlink(elsewhere, checked / "linked", target_is_directory=True)
        os.symlink(elsewhere / "secret" / "index.md", checked / "story" / "linked.md")
    except OSError:
        pytest.skip("cannot make links here")
    run = cli("check", "--format", "json", checked)
    assert [a["path"] for a in run.json()["articles"]] == ["story/index.md"]
    assert "story/linked.md" in run.err and "outside the checked folder" in run.err
    assert [im["path"] for im in run.json()["images"]] == ["coffee.jpg"]


def test_walk_lists_each_article_folder(tmp_path) -> None:
    site = page_bundles(tmp_path)
    (site / "README.md").write_text("# Site\n", encoding="utf-8")
    found = walk(site, PathFilter())
    assert [f.rel for f in found.folders] == ["", "content/news/harbour-fire", "content/news/storm"]
    assert found.skip(site / "content" / "news" / "storm", True)
    assert not found.skip(site / "content" / "news", True)
    targets = pipeline.discover(site)
    assert [t.media_root for t in targets] == [site, site / "content/news/harbour-fire", site / "content/news/storm"]
    assert {t.label for t in targets} == {site.as_posix()}


def test_page_bundles_are_archived_and_looked_up(cli, tmp_path, monkeypatch) -> None:
    site = page_bundles(tmp_path)
    monkeypatch.chdir(tmp_path)
    run = cli("archive", "add", "--archive", "a.sqlite", "site/content")
    assert run.code == 0 and run.out.count("recorded 1 photo") == 2, run.out
    later = tmp_path / "later" / "news" / "again"
    bundle(later, CLEAN)
    report = cli("check", "--format", "json", "--archive", "a.sqlite", tmp_path / "later").json()
    (hit,) = [f for f in report["findings"] if f["rule"] == "previously-published"]
    assert hit["path"] == "news/again/index.md" and "site/content/news" in hit["message"]
    assert site.is_dir()


def test_a_deep_folder_looks_for_its_git_work_tree_once_per_level(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    deepest = tmp_path / "news"
    deepest.mkdir()
    for _ in range(200):
        deepest = deepest / "d"
        deepest.mkdir()
    (deepest / "story.md").write_text("Text.\n", encoding="utf-8")
    looked: list[str] = []
    lexists = os.path.lexists

    def counting(path: str) -> bool:
        looked.append(path)
        return lexists(path)

    monkeypatch.setattr(os.path, "lexists", counting)
    found = walk(tmp_path / "news", PathFilter())
    assert [f.articles for f in found.folders] == [(deepest / "story.md",)]
    gits = [p for p in looked if os.path.basename(p) == ".git"]
    assert len(gits) == len(set(gits)) <= 200 + len(tmp_path.parts) + 2
