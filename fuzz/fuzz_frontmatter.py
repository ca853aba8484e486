"""Fuzz YAML front matter: the loader refuses anchors and aliases, and a Markdown article with any front
matter is read without raising.

    python fuzz/fuzz_frontmatter.py CORPUS_DIR fuzz/corpus/frontmatter -max_total_time=60 -max_len=16384
"""

from __future__ import annotations

import harness

with harness.instrumented():
    import yaml

    from provenance.articles import front_matter
    from provenance.articles.loader import decode_text
    from provenance.articles.markdown import parse_markdown
    from provenance.credits import CreditParser

PARSER = CreditParser.default()


def test_one_input(data: bytes) -> None:
    text, encoding = decode_text(data)
    try:
        front_matter.load(text)
    except front_matter.FrontMatterError as exc:
        if "\n" in str(exc):
            raise harness.Violation(f"a front matter message of more than one line: {exc!r}") from None
    except (yaml.YAMLError, ValueError, RecursionError):
        pass  # reported by the Markdown reader as "not valid YAML"
    else:
        if "&" in text or "*" in text:
            _no_alias_survived(text)
    article = parse_markdown(f"---\n{text}\n---\n\n![](a.jpg)\n*A caption.*\n", "fuzz.md", ".", PARSER,
                             encoding=encoding)
    if len(article.figures) != 1:
        raise harness.Violation(f"front matter swallowed the figure after it ({len(article.figures)} figures)")
    if article.title is not None and "\n---" in article.title:
        raise harness.Violation("the title runs past the front matter")


def _no_alias_survived(text: str) -> None:
    """A document the loader accepted composes with no anchor and no alias."""
    try:
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return
    for event in events:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise harness.Violation("front matter with an anchor or alias was loaded")


if __name__ == "__main__":
    harness.main(test_one_input, "frontmatter")
