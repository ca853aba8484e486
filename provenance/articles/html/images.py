"""Find the real source of an image in lazy-loading, responsive and `<noscript>` markup.

Pages rarely put the photo in `src`: lazy loaders park a 1x1 GIF or a data: URI
there and keep the real address in `data-src`, `data-lazy-src`, `srcset`,
`data-srcset`, a `<picture><source>`, or a `<noscript>` copy of the tag.
"""

from __future__ import annotations

import re

from lxml.etree import _Element

SRC_ATTRIBUTES = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-full-src",
    "data-hi-res-src",
    "data-src-large",
    "data-url",
    "data-img-src",
    "data-image",
    "src",
)
"""Single-URL attributes, most specific first: a lazy loader's real source beats the placeholder in `src`."""

SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "srcset")

_PLACEHOLDER = re.compile(
    r"^(?:data:|about:|javascript:|#)|(?:^|[/_.-])(?:blank|spacer|pixel|transparent|placeholder|1x1|empty|grey|gray|"
    r"loading|lazy|lazyload|dummy|clear)(?:[_.-]|\.(?:gif|png|svg|jpg|webp))|"
    r"\b1x1\b|/(?:p|t|b)\.gif\b",
    re.IGNORECASE,
)

_CANDIDATE = re.compile(r"\s*(\S+?)(?:\s+([\d.]+)([wx]))?\s*(?:,|$)")


_BLOB = re.compile(r"^(?:R0lGOD|iVBORw0KGgo|/9j/|UklGR|PHN2Zy|PD94bW)[A-Za-z0-9+/]{18,}={0,2}$")
"""A bare base64 image (a lazy loader's inline placeholder): the base64 of a GIF, PNG, JPEG, WebP, SVG or
XML file's first bytes, then more base64. A path of letters and digits (`images/2024/05/photo1234`) is
not one."""


def is_placeholder(url: str) -> bool:
    """True for data: URIs, spacer GIFs, lazy-loading placeholders and bare base64 images: not the photo."""
    url = url.strip()
    return not url or bool(_PLACEHOLDER.search(url[:300])) or bool(_BLOB.match(url[:300]))


def best_from_srcset(value: str) -> str | None:
    """The largest candidate of a `srcset` ("a.jpg 320w, b.jpg 1024w" -> "b.jpg")."""
    best: tuple[float, str] | None = None
    value = value[:20000]
    # URLs may contain commas; candidates are separated by ", " in practice
    parts = re.split(r",\s+(?=\S)", value.strip()) if ", " in value else value.split(",")
    for order, part in enumerate(parts):
        bits = part.strip().split()
        if not bits:
            continue
        url = bits[0]
        size = 1.0
        if len(bits) > 1:
            m = re.match(r"^([\d.]+)([wxh])$", bits[1])
            if m:
                try:
                    size = float(m.group(1))
                except ValueError:
                    size = 1.0
        if is_placeholder(url):
            continue
        key = (size + order * 1e-6, url)
        if best is None or key[0] > best[0]:
            best = key
    return best[1] if best else None


def image_source(img: _Element) -> str | None:
    """The real source of one `<img>` (or `<amp-img>`, `<source>`), None when it names only placeholders."""
    get = img.get
    for name in SRC_ATTRIBUTES:
        value = get(name)
        if value and not is_placeholder(value):
            return value.strip()[:2000]
    for name in SRCSET_ATTRIBUTES:
        value = get(name)
        if value:
            best = best_from_srcset(value)
            if best:
                return best[:2000]
    # other lazy loaders' attributes: data-lazyimage-src, data-original-src, data-echo...
    for raw_name, raw_value in img.items():
        lowered = str(raw_name).lower()
        if lowered.startswith("data-") and ("src" in lowered or "original" in lowered or "url" in lowered):
            text = str(raw_value).strip()
            if "srcset" in lowered:
                best = best_from_srcset(text)
                if best:
                    return best[:2000]
            elif text and not is_placeholder(text) and ("/" in text or "." in text) and " " not in text:
                return text[:2000]
    return None


def is_tiny(img: _Element) -> bool:
    """True for images declared at most 2 pixels wide or high (tracking pixels, spacers)."""
    for name in ("width", "height"):
        value = (img.get(name) or "").strip().rstrip("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return False


def picture_source(picture: _Element) -> str | None:
    """The best `<source>` of a `<picture>` when its `<img>` names only a placeholder."""
    for source in picture.iter("source"):
        src = image_source(source)
        if src:
            return src
    return None
