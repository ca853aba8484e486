"""Markdown figures: captions, credits, shortcodes, front matter, suppressions."""

from __future__ import annotations

from provenance.articles.markdown import parse_markdown
from provenance.credits import CreditParser

P = CreditParser.default()


def figures(text: str):
    return parse_markdown(text, "a.md", ".", P).figures


def test_emphasised_caption_then_credit_line() -> None:
    (fig,) = figures("Intro paragraph.\n\n![Alt text](tehran.jpg \"Title\")\n*Protesters in Tehran.*\nGetty Images\n")
    assert (fig.image_ref, fig.caption, fig.credit.raw, fig.alt, fig.line) == (
        "tehran.jpg", "Protesters in Tehran.", "Getty Images", "Alt text", 3)


def test_caption_in_next_paragraph_when_emphasised() -> None:
    (fig,) = figures("![](a.jpg)\n\n_A quiet street in Lagos._ Photo: Jane Doe/AFP\n\nBody text follows here.\n")
    assert fig.caption == "A quiet street in Lagos." and fig.credit.raw == "Photo: Jane Doe/AFP"
    assert fig.credit.agency == "AFP"


def test_plain_next_paragraph_is_body_not_caption() -> None:
    article = parse_markdown("![](a.jpg)\n\nThe council met on Tuesday to discuss the bridge.\n", "a.md", ".", P)
    assert article.figures[0].caption is None
    assert [p.text for p in article.body] == ["The council met on Tuesday to discuss the bridge."]


def test_credit_at_end_of_caption() -> None:
    cases = {
        "Crowds gather (AP Photo/Sam Lee)": ("Crowds gather", "AP Photo/Sam Lee"),
        "A flooded street. REUTERS/Jane Doe": ("A flooded street.", "REUTERS/Jane Doe"),
        "Smoke rises. Photo: Getty Images": ("Smoke rises.", "Photo: Getty Images"),
    }
    for caption, (text, credit) in cases.items():
        (fig,) = figures(f"![](a.jpg)\n{caption}\n")
        assert (fig.caption, fig.credit.raw) == (text, credit)


def test_title_is_the_caption_fallback() -> None:
    (fig,) = figures('![x](a.jpg "Rescue workers at the scene. EPA-EFE/JOHN SMITH")\n')
    assert (fig.caption, fig.credit.agency) == ("Rescue workers at the scene.", "EPA")


def test_hugo_figure_shortcode() -> None:
    (fig,) = figures('Text.\n\n{{< figure src="crowd.jpg" caption="Crowds gather." attr="AP Photo/Sam Lee" >}}\n')
    assert (fig.image_ref, fig.caption, fig.credit.agency, fig.line) == ("crowd.jpg", "Crowds gather.", "AP", 3)


def test_front_matter_title_date_and_line_numbers() -> None:
    article = parse_markdown("---\ntitle: Bridge\ndate: 2024-08-01T10:00:00Z\n---\n\n![](a.jpg)\n*Cap.*\nAP\n",
                             "a.md", ".", P)
    assert article.title == "Bridge" and article.date.startswith("2024-08-01T10:00:00")
    assert article.figures[0].line == 6


def test_bad_front_matter_is_a_warning() -> None:
    article = parse_markdown("---\ntitle: [unclosed\n---\n\n![](a.jpg)\n*Cap.*\nAP\n", "a.md", ".", P)
    assert article.title is None and article.warnings and len(article.figures) == 1


def test_suppression_with_reason_applies_and_without_reason_does_not() -> None:
    text = (
        "<!-- provenance: ignore[missing-credit] family handout, credit agreed -->\n![](a.jpg)\n*Cap.*\n\n"
        "<!-- provenance: ignore[missing-credit] -->\n![](b.jpg)\n*Cap two.*\n"
    )
    article = parse_markdown(text, "a.md", ".", P)
    first, second = article.figures
    assert first.suppressions and first.suppressions[0].reason == "family handout, credit agreed"
    assert second.suppressions == ()
    assert article.warnings == ("line 5: provenance suppression of missing-credit gives no reason; ignored",)


def test_images_in_code_blocks_are_not_figures() -> None:
    assert figures("```\n![](a.jpg)\n*Cap.*\nAP\n```\n") == ()
