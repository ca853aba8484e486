"""One page, six photos, and what their agencies demand: exactly the four findings it should get.

fixtures/rights/page (built by fixtures/build.py): 1 an embargo that lifts after the article's
date, 2 one already lifted, 3 a mandatory credit not shown, 4 one shown, 5 a shown photographer
who is not the embedded one, 6 an image with empty alt text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES

PAGE = FIXTURES / "rights" / "page"


def test_six_photos_give_exactly_four_findings(cli) -> None:
    run = cli("check", "--format", "json", PAGE)
    assert run.code == 1, run.err
    report = run.json()
    assert report["errors"] == [] and len(report["articles"][0]["figures"]) == 6
    assert [(f["rule"], f["figures"], f["severity"]) for f in report["findings"]] == [
        ("embargoed-photo", [0], "error"),
        ("mandatory-credit", [2], "error"),
        ("photographer-mismatch", [4], "warning"),
        ("missing-alt-text", [5], "note"),
    ]
    embargo, credit, photographer, _ = (f["message"] for f in report["findings"])
    assert "embargoed until 00:01 UTC on 2 August 2024" in embargo and "2024-08-01T08:00:00" in embargo
    assert 'demands the credit "REUTERS/Jane Doe"' in credit and 'credited "Reuters"' in credit
    assert '"John Smith"' in photographer and '"Jane Doe"' in photographer


def test_publication_date_decides_the_embargo(cli) -> None:
    later = cli("check", "--format", "json", "--published", "2024-08-03", PAGE).json()
    assert "embargoed-photo" not in {f["rule"] for f in later["findings"]}
    # a date without a time is read as 00:00 UTC: the embargo lifting at 00:01 that day has not lifted
    same_day = cli("check", "--format", "json", "--published", "2024-08-02", PAGE).json()
    assert [f["figures"] for f in same_day["findings"] if f["rule"] == "embargoed-photo"] == [[0]]
    earlier = cli("check", "--format", "json", "--published", "2024-07-30", PAGE).json()
    assert [f["figures"] for f in earlier["findings"] if f["rule"] == "embargoed-photo"] == [[0], [1]]


def test_markdown_page_with_the_same_photos(cli, tmp_path: Path) -> None:
    """The same figures in Markdown: the same four findings (a bare-name credit line is a credit there)."""
    folder = tmp_path / "page"
    shutil.copytree(PAGE, folder)
    (folder / "article.html").unlink()
    figures = [("embargoed.jpg", "Coffee is served at the harbour cafe.", "Getty Images", "Coffee on the counter"),
               ("lifted.jpg", "The harbour master's cat.", "AFP via Getty Images", "A cat on a window sill"),
               ("credit-missing.jpg", "The rocket lifts off from the coast.", "Reuters", "A rocket rising"),
               ("credit-shown.jpg", "An astronaut visits the harbour school.", "Photo: Sam Lee/Shutterstock",
                "An astronaut beside a flag"),
               ("photographer.jpg", "A photographer at work on the quay.", "John Smith", "A man with a camera"),
               ("no-alt.jpg", "The night sky over the harbour.", "AP Photo/Sam Lee", "")]
    body = "\n\n".join(f"![{alt}]({src})\n*{caption}*\n{credit}" for src, caption, credit, alt in figures)
    (folder / "article.md").write_text(f"---\ntitle: Harbour day\ndate: 2024-08-01\n---\n\n{body}\n",
                                       encoding="utf-8")
    report = cli("check", "--format", "json", folder).json()
    assert [(f["rule"], f["figures"]) for f in report["findings"]] == [
        ("embargoed-photo", [0]), ("mandatory-credit", [2]), ("photographer-mismatch", [4]),
        ("missing-alt-text", [5])]
