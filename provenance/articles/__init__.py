"""Article readers: plain text, Markdown and HTML into `Article`.

`read_article` picks the reader by file extension; each reader turns the
file's bytes into an `Article` and never raises on bad input.
"""

from __future__ import annotations

from provenance.articles.loader import (
    ARTICLE_EXTENSIONS,
    ArticleError,
    article_format,
    read_article,
    read_article_or_error,
)

__all__ = ["ARTICLE_EXTENSIONS", "ArticleError", "article_format", "read_article", "read_article_or_error"]
