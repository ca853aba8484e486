"""HTML articles: figures, captions and credits from any publisher's page.

`parse_html` is the entry point; the modules of this package decode bytes
(`decode`), find real image sources (`images`), read JSON-LD (`jsonld`),
extract visible text (`text`), split credits off captions (`captions`), attach
inline suppressions (`suppress`), and find the figures (`page`).
"""

from __future__ import annotations

from provenance.articles.html.captions import split_caption
from provenance.articles.html.page import parse_html

__all__ = ["parse_html", "split_caption"]
