"""`--changed-since REF`: only the articles changed since a git revision, or whose images changed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES

BAD = FIXTURES / "rules" / "missing-credit" / "bad-md"
CLEAN = FIXTURES / "rules" / "missing-credit" / "clean-md"
LIBRARY = FIXTURES / "library"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Desk", "-c", "user.email=desk@example.org", *args], cwd=repo,
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A work tree with two committed page bundles, `harbour` (no credit) and `storm`."""
    root = tmp_path / "site"
    for name, source in (("harbour", BAD), ("storm", CLEAN)):
        shutil.copytree(source, root / "news" / name)
    (root / "news" / "storm" / "coffee.jpg").unlink()
    shutil.copy(LIBRARY / "rocket.jpg", root / "news" / "storm" / "coffee.jpg")  # not a reused photo
    git(root.parent, "init", "-q", str(root))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two articles")
    return root


def checked(cli, repo: Path, ref: str = "HEAD") -> list[str]:
    run = cli("check", "--format", "json", "--fail-on", "never", "--changed-since", ref, repo / "news")
    assert run.code == 0, run.err
    return [a["path"] for a in run.json()["articles"]]


def test_editing_one_of_two_committed_articles_checks_one(cli, repo: Path) -> None:
    assert checked(cli, repo) == []
    run = cli("check", "--changed-since", "HEAD", repo / "news")
    assert run.code == 0 and "no article changed since HEAD" in run.err
    story = repo / "news" / "storm" / "article.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA late paragraph.\n", encoding="utf-8")
    assert checked(cli, repo) == ["storm/article.md"]
    assert len(cli("check", "--format", "json", "--fail-on", "never", repo / "news").json()["articles"]) == 2
    git(repo, "commit", "-q", "-am", "edit storm")
    assert checked(cli, repo) == []
    assert checked(cli, repo, "HEAD~1") == ["storm/article.md"]


def test_added_renamed_and_image_changed_articles(cli, repo: Path) -> None:
    shutil.copytree(CLEAN, repo / "news" / "new")  # untracked
    git(repo, "mv", "news/storm/article.md", "news/storm/story.md")
    assert checked(cli, repo) == ["new/article.md", "storm/story.md"]
    git(repo, "commit", "-q", "-am", "rename")
    shutil.rmtree(repo / "news" / "new")
    shutil.copy(LIBRARY / "chelsea.jpg", repo / "news" / "harbour" / "coffee.jpg")  # the photo replaced
    run = cli("check", "--format", "json", "--changed-since", "HEAD", repo / "news")
    assert [a["path"] for a in run.json()["articles"]] == ["harbour/article.md"]
    assert run.code == 1 and "missing-credit" in run.rules()


def test_a_bad_ref_or_no_work_tree_exits_2(cli, repo: Path, tmp_path: Path) -> None:
    for ref in ("no-such-branch", "--output=x"):
        run = cli("check", f"--changed-since={ref}", repo / "news")
        assert run.code == 2 and "--changed-since" in run.err and len(run.err.splitlines()) == 1
    plain = tmp_path / "plain"
    shutil.copytree(CLEAN, plain)
    run = cli("check", "--changed-since", "HEAD", plain)
    assert run.code == 2 and "--changed-since" in run.err
