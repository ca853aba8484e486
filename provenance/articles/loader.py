"""Choose a reader by extension, decode bytes, and hand back an `Article`."""

from __future__ import annotations

import codecs
import dataclasses
import stat
from pathlib import Path

from provenance.credits import CreditParser
from provenance.model import Article, ArticleFormat
from provenance.paths import inside

ARTICLE_EXTENSIONS: dict[str, ArticleFormat] = {
    ".txt": ArticleFormat.TEXT,
    ".text": ArticleFormat.TEXT,
    ".md": ArticleFormat.MARKDOWN,
    ".markdown": ArticleFormat.MARKDOWN,
    ".html": ArticleFormat.HTML,
    ".htm": ArticleFormat.HTML,
}
"""File extension -> article format."""

MAX_ARTICLE_BYTES = 64 * 1024 * 1024
"""Articles larger than this are refused rather than read."""


class ArticleError(Exception):
    """An article file that could not be read at all; the message is one line."""


def article_format(path: Path) -> ArticleFormat | None:
    """The format of an article file, None when the extension is not an article's."""
    return ARTICLE_EXTENSIONS.get(path.suffix.lower())


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode article text as newsrooms write it: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252.

    Returns the text and the encoding used. Bytes that fit no encoding become U+FFFD; nothing raises.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def read_article(path: Path, rel: str, root: str, parser: CreditParser, folder: Path | None = None) -> Article:
    """Read and parse one article file; raises `ArticleError` when the file cannot be read.

    A link that leads outside `folder` (the checked folder) and anything but a regular
    file (a pipe, a device) are refused without being opened.
    """
    fmt = article_format(path)
    if fmt is None:
        raise ArticleError("not an article file (expected .txt, .md or .html)")
    try:
        if path.is_symlink() and folder is not None and not inside(path, folder):
            raise ArticleError("is a link to a file outside the checked folder; not read")
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise ArticleError("is not a regular file; not read")
        size = st.st_size
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(f"{size} bytes is larger than the {MAX_ARTICLE_BYTES} byte limit for articles")
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror or exc}") from None
    try:
        article = _parse(fmt, data, rel, root, parser)
    except Exception as exc:  # last line of defence: a reader bug costs this article, not the whole check
        raise ArticleError(f"could not be parsed ({type(exc).__name__}: {' '.join(str(exc).split())})"[:300]) from None
    if not data:
        article = dataclasses.replace(article, warnings=(*article.warnings, "the file is empty (0 bytes)"))
    return article


def read_article_or_error(path: Path, rel: str, root: str, parser: CreditParser,
                          folder: Path | None = None) -> Article | str:
    """`read_article`, with the line of the `ArticleError` it raises as the result instead (what a reader
    process returns)."""
    try:
        return read_article(path, rel, root, parser, folder)
    except ArticleError as exc:
        return str(exc)


def _parse(fmt: ArticleFormat, data: bytes, rel: str, root: str, parser: CreditParser) -> Article:
    if fmt is ArticleFormat.HTML:
        from provenance.articles.html import parse_html

        return parse_html(data, rel, root, parser)
    text, encoding = decode_text(data)
    if fmt is ArticleFormat.MARKDOWN:
        from provenance.articles.markdown import parse_markdown

        return parse_markdown(text, rel, root, parser, encoding=encoding)
    from provenance.articles.text import parse_text

    return parse_text(text, rel, root, parser, encoding=encoding)

