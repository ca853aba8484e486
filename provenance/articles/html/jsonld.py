"""Read schema.org JSON-LD: the article's headline and date, and its `ImageObject`s.

Publishers describe the lead photo (and sometimes every photo) in JSON-LD with
a caption and a credit (`creditText`, `copyrightNotice`, `creator`, `author`).
Scripts are untrusted: malformed JSON is skipped, and the walk is bounded in
depth and size so a hostile document cannot make it slow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from provenance.articles.html.text import clean

_MAX_SCRIPT_CHARS = 2_000_000
_MAX_DEPTH = 12
_MAX_NODES = 5000

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "socialmediaposting",
        "liveblogposting",
        "webpage",
        "scholarlyarticle",
        "techarticle",
        "report",
        "photograph",
        "mediagallery",
        "imagegallery",
    }
)


@dataclass
class LdImage:
    """One image described in JSON-LD."""

    url: str | None
    caption: str | None
    credit: str | None
    lead: bool
    """True when it is the `image` of the article itself (the lead photo)."""


@dataclass
class LdData:
    """What the page's JSON-LD says."""

    headline: str | None = None
    date: str | None = None
    images: list[LdImage] = field(default_factory=list)
    errors: int = 0
    """JSON-LD blocks that could not be read (not JSON, or too big)."""


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    if isinstance(value, str):
        return {value.lower()}
    if isinstance(value, list):
        return {v.lower() for v in value if isinstance(v, str)}
    return set()


def _text(value: Any) -> str | None:
    """A plain string out of a JSON-LD value: strings, names of persons/organisations, lists of them."""
    if isinstance(value, str):
        text = clean(value[:20_000])
        return text or None
    if isinstance(value, dict):
        for key in ("name", "text", "@value", "caption"):
            got = _text(value.get(key))
            if got:
                return got
        return None
    if isinstance(value, list):
        parts = [t for t in (_text(v) for v in value[:10]) if t]
        return ", ".join(dict.fromkeys(parts)) or None
    return None


def _credit(node: dict[str, Any]) -> str | None:
    for key in ("creditText", "copyrightNotice", "creator", "author", "copyrightHolder", "provider"):
        got = _text(node.get(key))
        if got:
            return got
    return None


def _image_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("url", "contentUrl", "@id"):
            if isinstance(value.get(key), str) and value[key].strip():
                return str(value[key]).strip()
    return None


NOT_PHOTO_KEYS = frozenset(
    {"logo", "publisher", "author", "creator", "brand", "sourceorganization", "provider", "copyrightholder",
     "ispartof", "thumbnail", "thumbnailurl", "video", "mainentityofpage"}
)  # fmt: skip
"""Keys under which an `ImageObject` is a logo, an avatar or a thumbnail, not a photo of the story."""


PARTY_TYPES = frozenset({"person", "organization", "newsmediaorganization", "corporation", "brand"})
_NOT_PHOTO_ID = re.compile(r"logo|person|avatar|gravatar|author|favicon", re.IGNORECASE)


def _walk(data: Any) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every JSON object of a document, with whether it sits under an article's `image`.

    Objects under `logo`, `publisher`, `author`... are left out: they describe the site, not the story.
    """
    stack: list[tuple[Any, int, bool]] = [(data, 0, False)]
    seen = 0
    while stack and seen < _MAX_NODES:
        value, depth, under_image = stack.pop()
        seen += 1
        if depth > _MAX_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((v, depth + 1, under_image) for v in reversed(value[:500]))
        elif isinstance(value, dict):
            yield value, under_image
            types = _types(value)
            if types & PARTY_TYPES:
                continue  # a person's portrait, an organisation's logo
            is_article = bool(types & ARTICLE_TYPES)
            for key, child in reversed(list(value.items())[:200]):
                if isinstance(child, (dict, list)) and key.lower() not in NOT_PHOTO_KEYS:
                    stack.append((child, depth + 1, under_image or (is_article and key == "image")))


def read_jsonld(scripts: list[str]) -> LdData:
    """Merge what the JSON-LD scripts of a page say (the first article object wins headline and date)."""
    result = LdData()
    seen_urls: set[str] = set()
    for script in scripts:
        script = script.strip()
        if not script:
            continue
        if len(script) > _MAX_SCRIPT_CHARS:
            result.errors += 1
            continue
        # CDATA wrappers and HTML comments around JSON are common
        script = re.sub(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$", "", script)
        try:
            data = json.loads(script, strict=False)
        except (ValueError, RecursionError):
            result.errors += 1
            continue
        for node, under_image in _walk(data):
            types = _types(node)
            if types & ARTICLE_TYPES - {"webpage", "photograph", "mediagallery", "imagegallery"}:
                if result.headline is None:
                    result.headline = _text(node.get("headline")) or _text(node.get("name"))
                if result.date is None:
                    result.date = _text(node.get("datePublished")) or _text(node.get("dateCreated"))
                for image in _as_list(node.get("image")):
                    if isinstance(image, str) and image.strip() and image.strip() not in seen_urls:
                        seen_urls.add(image.strip())
                        result.images.append(LdImage(image.strip(), None, None, lead=True))
            is_image = "imageobject" in types or "photograph" in types
            if is_image and not _NOT_PHOTO_ID.search(f"{node.get('@id', '')} {_image_url(node) or ''}"):
                url = _image_url(node)
                caption = _text(node.get("caption")) or _text(node.get("description"))
                credit = _credit(node)
                if url and url in seen_urls:
                    for known in result.images:
                        if known.url == url:
                            known.caption = known.caption or caption
                            known.credit = known.credit or credit
                            known.lead = known.lead or under_image
                    continue
                if url:
                    seen_urls.add(url)
                result.images.append(LdImage(url, caption, credit, lead=under_image))
    return result


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value[:50]
    return [] if value is None else [value]
