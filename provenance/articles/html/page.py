"""Find the figures, captions and credits of a news page, whoever published it.

No rule here knows a publisher. Figures are recognised by the conventions
pages share: `<figure>`/`<figcaption>`, an image next to an element whose
class, id or itemprop says caption or credit (in several languages),
`data-caption`/`data-credit` attributes, schema.org microdata and JSON-LD
`ImageObject`s. Images that belong to the page rather than the story (logos,
avatars, ads, teasers of other stories, navigation) are left out by where they
stand: inside links to other pages, in nav/aside/footer, in blocks whose class
says related/teaser/recommended/ad, in author boxes and video players, or in
another `<article>` than the story's.

Pages with generated class names give only position: the short text blocks
right after a story photo are its caption and credit, and a credit may hide
in the image's alt text. Credits at the end of a caption are split off
(`captions`); the same photo seen twice (JSON-LD and markup, `<noscript>` and
`<img>`, crops) is one figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml.etree import _Element

from provenance.articles.html.captions import name_like, split_caption
from provenance.articles.html.decode import decode_html
from provenance.articles.html.images import image_source, is_placeholder, is_tiny, picture_source
from provenance.articles.html.jsonld import LdImage, read_jsonld
from provenance.articles.html.limits import MAX_ATTRIBUTES, crowded_element
from provenance.articles.html.suppress import attach_suppressions
from provenance.articles.html.text import (
    INLINE_TAGS,
    SKIP_TAGS,
    clean,
    is_hidden,
    signature,
    source_line,
    text_of,
)
from provenance.credits import CreditParser, strip_prefix
from provenance.dates import page_date
from provenance.model import Article, ArticleFormat, Figure, Paragraph

MAX_PAGE_BYTES = 32 * 1024 * 1024
"""Pages larger than this are cut (with a warning): no news article is this big."""

STORY_MIN_TEXT = 500
"""Characters of paragraph text an `<article>` needs to be taken for the story (teaser cards have less)."""

MAX_FIGURES = 2000
"""`<figure>` elements looked at per page; a real article has a few dozen."""
MAX_IMAGES = 5000
"""Images looked at per page."""

MAX_BLOCK_ELEMENTS = 300
"""Elements of one figure's block sorted into caption and credit holders (a real figure has a few dozen;
each one's text is read, so thousands nested in one another took quadratic time)."""

MAX_SKIPPED_SIBLINGS = 10
"""Empty elements (spacers, script mounts) passed over when looking for the caption right after a photo."""

MAX_SOURCE_LINE = 65535
"""libxml2's HTML parser counts lines up to this number and no further."""

IMAGE_TAGS = frozenset({"img", "amp-img", "image"})

# -- what a block says it is --------------------------------------------------------------
CREDIT_WORDS = re.compile(
    r"credit|copyright|byline|author|photographer|fotograf|photog|urheber|bildnachweis|bildquelle|quelle|"
    r"source|rights|attribution|courtesy|cr[eé]dit|autor|fonte|fuente|zdroj|kilde|kuvaaja|agentur|"
    r"provider|creator|copyrightholder|credittext|copyrightnotice|photo-?by|foto-?by|fotoquelle|distributor"
)
"""Class/id/itemprop fragments naming a credit (English, German, French, Spanish, Czech, Nordic...)."""

CAPTION_WORDS = re.compile(
    r"caption|figcap|legend|l[eé]gende|bildunterschrift|bildtext|unterschrift|cutline|leyenda|didascalia|"
    r"subtitle|description|desc\b|pie-?de|pie-?foto|popis|podpis|bildetekst|billedtekst|kuvateksti|"
    r"onderschrift|image-?text|photo-?text|img-?text|foto-?text|image__text|chu-?thich|opis|sous-?titre|"
    r"title-?photo|photo-?title|image-?info|photo-?info|img-?info|foto-?info|imagetext|phototext"
)
"""Class/id/itemprop fragments naming a caption."""

EXCLUDE_WORDS = re.compile(
    r"related|teaser|recommend|promo|newsletter|advert|sponsor|outbrain|taboola|social|"
    r"sharing|share-|-share|avatar|logo|navbar|navigation|breadcrumb|trending|most-?read|disqus|"
    r"(?:^|[\s_-])comments?(?:$|\s|[_-](?:list|section|area|box|form|thread|container|wrapper|count|block))|"
    r"most-?popular|subscribe|(?:^|[\s_-])(?:nav|menu|footer|share|popular|more)(?:$|[\s_-])|"
    r"(?:^|\s)(?:ads?|ads?[-_]?(?:slot|container|wrapper|unit|banner|box|placeholder|label)s?)(?:$|\s)|"
    r"read-?more|more-?stories|more-?articles|further-?reading|recirc|cross-?link|"
    r"author-?(?:box|bio|image|photo|info|avatar)|banner-?ad|ad-?slot|ad-?container|native-?ad"
)
"""Class/id fragments of blocks that are not the story: teasers, ads, sharing, navigation."""

_STORY_LEVEL = re.compile(
    r"(?:article|story|post|entry|page|headline|teaser|summary|intro|lead|standfirst|meta|header|hero-text)"
    r"[-_]*(?:desc|description|subtitle|sub-?title)"
)
"""A story's standfirst or a teaser's summary ("article-description"), not a photo caption."""


def is_caption_sig(sig: str) -> bool:
    """True when a class/id/itemprop names a caption (and not a story's description or subtitle)."""
    m = CAPTION_WORDS.search(sig)
    if not m:
        return False
    if m.group(0).startswith(("desc", "subtitle")) and _STORY_LEVEL.search(sig):
        return any(w.group(0)[:4] not in ("desc", "subt") for w in CAPTION_WORDS.finditer(sig))
    return True


LOGO_WORDS = re.compile(
    r"logo|icon|avatar|sprite|emoji|badge|favicon|placeholder|author|profile|button|newsletter|headshot",
    re.IGNORECASE,
)
"""Words in an image's source, class or alt that say it is page furniture, not a photo."""

_BACKGROUND = re.compile(r"""background(?:-image)?\s*:[^;]*?url\(\s*['"]?([^'")]+)""", re.IGNORECASE)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|tiff?|bmp|heic)(?:$|[?#])", re.I)


@dataclass
class _Fig:
    """A figure being built: where it stands and what was found for it."""

    anchor: _Element | None
    """The element the figure is (a `<figure>`, or the block around an image)."""
    order: int
    line: int
    image_ref: str | None
    caption: str | None
    credit: str | None
    alt: str | None
    marked: bool = False
    """True when markup (a figcaption, a caption or credit class) says this is a captioned photo."""
    parts: list[_Element] = field(default_factory=list)
    """The elements its caption and credit were read from (not body text)."""
    teaser: bool = False
    """True when the "caption" is a link to another page: a teaser of another story."""
    image_element: bool = False
    """True when an `<img>` (or `<picture>`) of the markup is the figure's image: it can carry alt text."""


@dataclass
class _Page:
    """Everything the one pass over the tree collected."""

    order: dict[_Element, int] = field(default_factory=dict)
    figures: list[_Element] = field(default_factory=list)
    images: list[_Element] = field(default_factory=list)
    pictures: list[_Element] = field(default_factory=list)
    ld_scripts: list[tuple[str, int, int]] = field(default_factory=list)
    metas: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    title: str | None = None
    times: list[_Element] = field(default_factory=list)
    blocks: list[_Element] = field(default_factory=list)
    articles: list[_Element] = field(default_factory=list)
    mains: list[_Element] = field(default_factory=list)
    comments: list[_Element] = field(default_factory=list)
    attr_captions: list[_Element] = field(default_factory=list)


DATE_METAS = ("datepublished", "date", "pubdate", "publishdate", "dc.date", "dcterms.date", "sailthru.date")
"""`<meta>` names that carry the publication date, after JSON-LD and article:published_time."""

NOT_BODY_TAGS = frozenset({"figure", "figcaption", "nav", "aside", "footer", "header", "form"})

BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre"})


def parse_html(data: bytes, path: str, root: str, parser: CreditParser) -> Article:
    """Parse an HTML article file's bytes. Never raises on bad input: problems go to Article.warnings."""
    warnings: list[str] = []
    try:
        return _parse(data, path, root, parser, warnings)
    except Exception as exc:
        warnings.append(f"the page could not be read as HTML: {type(exc).__name__}: {str(exc)[:200]}")
        return Article(
            path=path, root=root, format=ArticleFormat.HTML, title=None, date=None, body=(), figures=(),
            warnings=tuple(warnings),
        )


def _parse(data: bytes, path: str, root: str, parser: CreditParser, warnings: list[str]) -> Article:
    if len(data) > MAX_PAGE_BYTES:
        warnings.append(f"the page is {len(data)} bytes; only the first {MAX_PAGE_BYTES} were read")
        data = data[:MAX_PAGE_BYTES]
    text, encoding, decode_warnings = decode_html(data)
    warnings.extend(decode_warnings)
    if "\x00" in text:
        warnings.append("NUL characters in the page were replaced")
        text = text.replace("\x00", "\ufffd")
    tree = _build_tree(text, warnings)
    if tree is None:
        return Article(
            path=path, root=root, format=ArticleFormat.HTML, title=None, date=None, body=(), figures=(),
            encoding=encoding, warnings=tuple(warnings),
        )
    page = _collect(tree)
    ld = read_jsonld([s for s, _, _ in page.ld_scripts])
    if ld.errors:
        warnings.append(f"{ld.errors} JSON-LD block(s) are not valid JSON (or too big) and were skipped")
    story = _story_element(page, ld.headline or _meta(page, "og:title") or page.title)
    if len(page.figures) > MAX_FIGURES or len(page.images) > MAX_IMAGES:
        warnings.append(
            f"the page has {len(page.figures)} <figure> and {len(page.images)} image elements; "
            f"only the first {MAX_FIGURES} and {MAX_IMAGES} were read"
        )
    figs = _markup_figures(page, story, parser)
    figs = _merge_jsonld(figs, ld.images, page, parser)
    if not figs:
        og = _og_figure(page)
        if og is not None:
            figs.append(og)
    figs.sort(key=lambda f: f.order)
    figures = [
        Figure(
            index=i,
            line=f.line,
            image_ref=f.image_ref,
            caption=f.caption or None,
            credit=parser.parse(f.credit) if f.credit else None,
            alt=f.alt,
            image_element=f.image_element,
        )
        for i, f in enumerate(figs)
    ]
    figures = attach_suppressions(figures, [f.anchor for f in figs], page.comments, page.order, warnings)
    title = (
        ld.headline
        or _meta(page, "og:title")
        or _meta(page, "twitter:title")
        or page.title
    )
    date = page_date(ld.date) or page_date(_meta(page, "article:published_time"))
    if date is None:
        for name in DATE_METAS:
            date = page_date(_meta(page, name))
            if date:
                break
    if date is None:
        for t in page.times:
            date = page_date(t.get("datetime"))
            if date:
                break
    taken = [el for f in figs for el in ([f.anchor] if f.anchor is not None else []) + f.parts]
    body = _paragraphs(page, story, taken)
    return Article(
        path=path,
        root=root,
        format=ArticleFormat.HTML,
        title=_clip(title, 500),
        date=date,
        body=tuple(body),
        figures=tuple(figures),
        encoding=encoding,
        warnings=tuple(warnings),
    )


# -- parsing ---------------------------------------------------------------------------------
def _build_tree(text: str, warnings: list[str]) -> _Element | None:
    """Parse text with libxml2's forgiving HTML parser; None (with a warning) when nothing parses.

    libxml2 stops reading a page nested deeper than 256 elements. Real pages stay far below
    that; a page that hits it is parsed again with the limit raised to 2048 (`huge_tree`, safe
    here because the input is already capped at `MAX_PAGE_BYTES`), and if that is not enough
    the rest of the page is left unread with one warning.
    """
    crowded = crowded_element(text)
    if crowded is not None:
        warnings.append(f"line {crowded}: an element has more than {MAX_ATTRIBUTES} attributes; the page was not read")
        return None
    raw = text.encode("utf-8", errors="replace")
    tree = None
    for huge in (False, True):
        html_parser = etree.HTMLParser(
            encoding="utf-8", remove_blank_text=False, remove_comments=False, no_network=True, recover=True,
            huge_tree=huge, collect_ids=False,
        )
        try:
            tree = etree.fromstring(raw, html_parser)
        except (etree.LxmlError, ValueError) as exc:
            warnings.append(f"the page could not be parsed as HTML: {str(exc)[:200]}")
            return None
        limits = [e for e in html_parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"]
        if not limits:
            break
        if huge:
            error = limits[0]
            warnings.append(
                f"line {error.line}: the page exceeds a parser limit ({error.message.strip()[:80]}); "
                "the rest of the page was not read"
            )
    if tree is None:
        if raw.strip():
            warnings.append("the page holds no HTML elements")
        return None
    if text.count("\n") >= MAX_SOURCE_LINE:
        limit = MAX_SOURCE_LINE
        warnings.append(f"the page has over {limit} lines; later lines are reported as {limit}")
    return tree


def _collect(tree: _Element) -> _Page:
    """One pass over the tree, keeping what later steps need (and every element's document order)."""
    page = _Page()
    order = page.order
    for i, el in enumerate(tree.iter()):
        tag = el.tag
        if not isinstance(tag, str):
            if tag is etree.Comment:
                order[el] = i
                page.comments.append(el)
            continue
        tag = tag.lower()
        if tag == "figure":
            order[el] = i
            page.figures.append(el)
        elif tag in IMAGE_TAGS:
            order[el] = i
            page.images.append(el)
        elif tag in BLOCK_TAGS:
            order[el] = i
            page.blocks.append(el)
        elif tag == "picture":
            page.pictures.append(el)
        elif tag == "script":
            kind = (el.get("type") or "").lower()
            if "ld+json" in kind and el.text:
                order[el] = i
                page.ld_scripts.append((el.text, i, source_line(el)))
        elif tag == "meta":
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            content = el.get("content")
            if key and content and key not in page.metas:
                page.metas[key] = (content[:5000], i, source_line(el))
        elif tag == "title":
            if page.title is None and el.text:
                page.title = clean(el.text[:2000]) or None
        elif tag == "time":
            if el.get("datetime"):
                page.times.append(el)
        elif tag == "article":
            page.articles.append(el)
        elif tag == "main":
            page.mains.append(el)
        if el.get("data-caption") or el.get("data-credit"):
            order[el] = i
            page.attr_captions.append(el)
        if el.get("itemprop") == "articleBody":
            page.articles.append(el)
        elif el.get("role") == "main":
            page.mains.append(el)
    return page


def _meta(page: _Page, key: str) -> str | None:
    got = page.metas.get(key)
    if not got:
        return None
    return clean(got[0]) or None


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- where the story is ------------------------------------------------------------------------
def _story_element(page: _Page, headline: str | None = None) -> _Element | None:
    """The story's element, else `<main>`.

    Among `<article>`s and articleBody blocks, the first whose `<h1>` is the headline (pages that
    load the next story below the first have several), else the one with the most paragraph
    text if it has `STORY_MIN_TEXT` characters or stands alone.
    """
    sized: list[tuple[int, _Element]] = []
    for art in page.articles:
        size = 0
        for p in art.iter("p"):
            size += len(p.text or "") + sum(len(c.tail or "") + len(c.text or "") for c in p)
            if size > 200_000:
                break
        sized.append((size, art))
    best = max(sized, key=lambda pair: pair[0], default=None)
    wanted = _norm_caption(headline)
    if best is not None and wanted:
        for size, art in sized:
            h1 = art.find(".//h1")
            if h1 is None or size == 0:
                continue
            got = _norm_caption(text_of(h1))
            if got and (got in wanted or wanted in got):
                return art
    if best is not None and best[0] >= STORY_MIN_TEXT:
        return best[1]
    if page.mains:
        return page.mains[0]
    # one short article is the story; several short ones are a list of teasers
    return best[1] if best is not None and len(sized) == 1 else None


def _excluded(
    el: _Element, story: _Element | None, image_ref: str | None = None, *, marked: bool = False
) -> bool:
    """True when `el` stands where story photos do not: links to other pages, nav, teasers, other articles."""
    return _exclusion(el, story, image_ref, marked=marked) is not None


def _exclusion(
    el: _Element, story: _Element | None, image_ref: str | None = None, *, marked: bool = False
) -> str | None:
    """Why `el` is not a story photo (the first ancestor that says so), None when nothing does."""
    node: _Element | None = el
    inside_story = False
    depth = 0
    while node is not None and depth < 200:
        depth += 1
        tag = node.tag if isinstance(node.tag, str) else ""
        if node is story:
            inside_story = True
        if tag in ("nav", "aside", "footer", "menu"):
            return f"<{tag}>"
        if tag == "header" and not inside_story and not _has_story_ancestor(node, story):
            return "page <header>"
        if tag == "a" and node is not el and _author_link(node):
            return "link to an author"
        if node is not el and tag not in ("body", "html") and sig_is_byline(node):
            return "author or byline block"
        if tag == "a" and node is not el and _links_elsewhere(node, image_ref) and not (
            marked and story is not None and _is_ancestor(story, node) and not text_of(node)
        ):  # a captioned story photo may link to its own page
            return "link to " + (node.get("href") or "")[:80]
        if (
            tag == "article" and story is not None and node is not story and not inside_story
            and not _is_ancestor(node, story) and not _is_ancestor(story, node)
        ):
            return "another <article>"
        sig = signature(node) if tag not in ("body", "html") else ""
        if sig and not inside_story and node is not el and _VIDEO.search(sig):
            return "video player"
        if sig and not inside_story:
            m = EXCLUDE_WORDS.search(sig)
            if m and not _caption_or_credit_sig(sig):
                return f"<{tag} {sig[:80]}> says {m.group(0)!r}"
        node = node.getparent()
    return None


_BYLINE_TEXT = re.compile(r"^(?:by|von|par|por|di|door|av|af|przez|od)\s", re.IGNORECASE)
_VIDEO = re.compile(r"(?:^|[\s_-])(?:video|videos|jwplayer|player|video-?player)(?:$|[\s_-])")
_BYLINE = re.compile(
    r"(?:^|[\s_-])(?:authors?|autor(?:en|in)?|byline|bylines|avatar|profile|contributor|reporter|journalist)"
    r"(?:$|[\s_-])"
)
_AUTHOR_HREF = re.compile(
    r"/(?:authors?|autor(?:en|in)?|autori|auteurs?|team|profiles?|journalists?|staff|people)/", re.IGNORECASE
)


def sig_is_byline(el: _Element) -> bool:
    """True for a byline or author box (its photo is the writer's portrait, not a story photo)."""
    sig = signature(el)
    return bool(sig) and bool(_BYLINE.search(sig)) and not re.search(r"credit|copyright|caption|figure", sig)


def _author_link(a: _Element) -> bool:
    return "author" in (a.get("rel") or "").lower() or bool(_AUTHOR_HREF.search(a.get("href") or ""))


def _has_story_ancestor(node: _Element, story: _Element | None) -> bool:
    parent = node.getparent()
    while parent is not None:
        if parent is story or parent.tag in ("article", "main"):
            return True
        parent = parent.getparent()
    return False


def _is_ancestor(a: _Element, b: _Element) -> bool:
    """True when `a` is `b` or contains it."""
    node: _Element | None = b
    while node is not None:
        if node is a:
            return True
        node = node.getparent()
    return False


def _caption_or_credit_sig(sig: str) -> bool:
    """True for a caption or credit block: its class may also mention an excluded word ("share-caption")."""
    return bool(CAPTION_WORDS.search(sig) or re.search(r"credit|copyright|figure", sig))


def _links_elsewhere(a: _Element, image_ref: str | None) -> bool:
    """True for a link to another page (a teaser), False for a link to the photo itself (a lightbox)."""
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")):
        return False
    if _IMAGE_EXT.search(href):
        return False
    if image_ref and _image_key(href) == _image_key(image_ref):
        return False
    sig = signature(a)
    return not any(word in sig for word in ("lightbox", "zoom", "gallery", "enlarge", "fancybox"))


# -- figures in the markup ---------------------------------------------------------------------
def _markup_figures(page: _Page, story: _Element | None, parser: CreditParser) -> list[_Fig]:
    figs: list[_Fig] = []
    claimed: set[_Element] = set()
    # <figure> elements: innermost ones holding images (a <figure> of <figure>s is a gallery)
    wrappers = _gallery_wrappers(page)
    for fig_el in page.figures[:MAX_FIGURES]:
        if fig_el in wrappers:
            continue
        img = _first_image(fig_el)
        in_story = story is None or _is_ancestor(story, fig_el)
        built = _figure_from_block(fig_el, img, page, parser, in_story=in_story)
        for im in fig_el.iter(*IMAGE_TAGS):
            claimed.add(im)
        if built is None:
            continue
        if _excluded(fig_el, story, built.image_ref, marked=built.marked):
            continue
        if img is None or fig_el.find(".//video") is not None or fig_el.find(".//iframe") is not None:
            continue  # a pull quote, a video or an embed: not a photo
        if built.teaser or any(_author_link(a) for a in _ancestors_in(img, fig_el, ("a",))):
            continue
        if built.image_ref and _furniture(img, built.image_ref) and (not built.marked or _small(img)):
            continue
        figs.append(built)
    # images outside <figure>: the block around them, when it carries a caption or credit
    for img in page.images[:MAX_IMAGES]:
        if img in claimed or _in_noscript_with_sibling(img):
            continue
        src = _image_ref(img)
        if src is None or _tracking_pixel(img) or _furniture(img, src):
            continue
        block = _image_block(img)
        claimed.update(block.iter(*IMAGE_TAGS))
        built = _figure_from_block(
            block, img, page, parser, in_story=story is None or _is_ancestor(story, img)
        )
        if built is None or built.teaser or _excluded(block, story, built.image_ref, marked=built.marked):
            continue
        if not built.caption and not built.credit and not _plain_story_photo(img, src, story):
            continue
        figs.append(built)
    return _dedupe(figs)


def _gallery_wrappers(page: _Page) -> set[_Element]:
    """`<figure>`s that hold other `<figure>`s with images: galleries, whose inner figures are the photos."""
    wrappers: set[_Element] = set()
    for img in page.images:
        node = img.getparent()
        inner = None
        while node is not None:
            if node.tag == "figure":
                if inner is None:
                    inner = node
                elif node in wrappers:
                    break  # its ancestors are marked already
                else:
                    wrappers.add(node)
            node = node.getparent()
    return wrappers


def _first_image(el: _Element) -> _Element | None:
    """The first image of a block that names a real source (outside `<noscript>` when possible)."""
    fallback = None
    for img in el.iter(*IMAGE_TAGS):
        if _image_ref(img) is None or _tracking_pixel(img):
            continue
        if _inside(img, "noscript", el):
            fallback = fallback if fallback is not None else img
            continue
        return img
    if fallback is not None:
        return fallback
    # a photo shown as a CSS background
    for styled in el.iter():
        style = styled.get("style") if isinstance(styled.tag, str) else None
        if style and "url(" in style and _image_ref(styled):
            return styled
    # <noscript> content kept as text by some parsers: look for the tag inside it
    for ns in el.iter("noscript"):
        if ns.text and "<img" in ns.text:
            return ns
    return None


def _inside(el: _Element, tag: str, stop: _Element) -> bool:
    node = el.getparent()
    while node is not None and node is not stop:
        if node.tag == tag:
            return True
        node = node.getparent()
    return node is not None and node.tag == tag


def _in_noscript_with_sibling(img: _Element) -> bool:
    """True for the `<noscript>` copy of an image whose scripted twin stands next to it."""
    parent = img.getparent()
    while parent is not None and parent.tag != "noscript":
        parent = parent.getparent()
        if parent is not None and parent.tag in ("body", "article", "main"):
            return False
    if parent is None:
        return False
    container = parent.getparent()
    if container is None:
        return False
    return any(
        other is not img and not _inside(other, "noscript", container)
        for other in container.iter(*IMAGE_TAGS)
    )


def _image_ref(img: _Element) -> str | None:
    """The real source of an image element: its own attributes, its `<picture>`, its `<noscript>` twin."""
    if img.tag not in IMAGE_TAGS and img.tag != "noscript":
        m = _BACKGROUND.search(img.get("style") or "")
        return m.group(1) if m and not is_placeholder(m.group(1)) else None
    if img.tag == "noscript":
        m = re.search(r"""<img[^>]*?\ssrc\s*=\s*["']([^"']+)""", img.text or "", re.I)
        return m.group(1) if m and not is_placeholder(m.group(1)) else None
    src = image_source(img)
    if src:
        return src
    parent = img.getparent()
    # <source> is not void to libxml2, so the <img> may sit inside a <source> inside the <picture>
    node = parent
    for _ in range(3):
        if node is None:
            break
        if node.tag == "picture":
            src = picture_source(node)
            if src:
                return src
            break
        node = node.getparent()
    # lazy loaders keep the real tag in a <noscript> next to the placeholder
    if parent is not None:
        for ns in parent.iter("noscript"):
            for inner in ns.iter(*IMAGE_TAGS):
                src = image_source(inner)
                if src:
                    return src
            if ns.text and "<img" in ns.text:
                m = re.search(r"""<img[^>]*?\ssrc\s*=\s*["']([^"']+)""", ns.text, re.I)
                if m and not is_placeholder(m.group(1)):
                    return m.group(1)
    return None


def _image_block(img: _Element) -> _Element:
    """The block an image stands in with its caption: climb while no other photo joins in."""
    block = img
    for _ in range(6):
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html", "article", "main", "section", "ul", "ol"):
            break
        if parent.get("itemprop") == "articleBody":
            break
        others = 0
        for other in parent.iter(*IMAGE_TAGS):
            if other is img or _inside(other, "noscript", parent):
                continue
            if _image_ref(other) is not None and not _tracking_pixel(other):
                others += 1
                break
        if others:
            break
        if _too_much_text(parent):
            break
        block = parent
        if _has_caption_or_credit(block, img):
            break
    return block


def _too_much_text(el: _Element) -> bool:
    """True for a block holding more prose than a caption would (a story body, not a figure)."""
    return any(count > 3 for count, _ in enumerate(el.iter("p"), 1))


def _has_caption_or_credit(block: _Element, img: _Element) -> bool:
    for el in block.iter():
        if el is img or not isinstance(el.tag, str):
            continue
        if el.tag == "figcaption":
            return True
        sig = signature(el)
        if sig and (is_caption_sig(sig) or CREDIT_WORDS.search(sig)) and not _is_ancestor(el, img):
            return True
    return False


def _tracking_pixel(img: _Element) -> bool:
    """True for an image whose own source is declared 1 or 2 pixels big (not a placeholder's size)."""
    return image_source(img) is not None and is_tiny(img)


def _small(img: _Element) -> bool:
    """True for an image declared at most 200 pixels wide and high: a portrait or icon, not a news photo."""
    sizes = [(img.get(name) or "").strip().removesuffix("px") for name in ("width", "height")]
    return all(size.isdigit() for size in sizes) and all(0 < int(size) <= 200 for size in sizes)


def _furniture(img: _Element, src: str) -> bool:
    """True for logos, icons and avatars: their source, class, id or alt says so, or they are SVG drawings."""
    said = " ".join(x for x in (src, img.get("class"), img.get("alt"), img.get("id")) if x)
    return bool(LOGO_WORDS.search(said)) or src.lower().split("?")[0].endswith(".svg")


def _plain_story_photo(img: _Element, src: str, story: _Element | None) -> bool:
    """An uncaptioned image counts as a story photo only inside the story and when nothing says logo/icon."""
    if story is None or not _is_ancestor(story, img):
        return False
    for name in ("width", "height"):
        value = (img.get(name) or "").strip()
        if value.isdigit() and int(value) < 100:
            return False
    return True


def _classify(
    block: _Element, img: _Element | None, credit_els: list[_Element], caption_els: list[_Element]
) -> None:
    """Sort the elements of a figure's block into caption and credit holders (outermost ones)."""
    hidden: set[_Element] = set()
    for el in islice(block.iter(), MAX_BLOCK_ELEMENTS):
        if not isinstance(el.tag, str) or el is block:
            continue
        if is_hidden(el) or el.getparent() in hidden:
            hidden.add(el)  # screen-reader labels ("Image caption,", "Credit...") are neither
            continue
        if img is not None and (el is img or _is_ancestor(el, img)):
            continue
        if any(_is_ancestor(c, el) for c in credit_els):
            continue
        tag = el.tag
        if tag in ("script", "style", "noscript", "template", "button", "figure", "svg"):
            continue
        if _ancestors_in(el, block, ("figure",)):
            continue  # inside a nested figure
        sig = signature(el)
        is_credit = bool(sig and CREDIT_WORDS.search(sig))
        if is_credit and CAPTION_WORDS.search(sig) and not re.search(r"credit|copyright", sig):
            # "caption-author", "description-source": a caption block that names its source inside
            is_credit = False
        in_caption = any(_is_ancestor(c, el) for c in caption_els)
        if not is_credit and tag not in ("figcaption", "p"):
            # "Foto: Name", "© Agency": a lead-in says credit whatever the class
            text = text_of(el)
            is_credit = 0 < len(text) <= 150 and bool(strip_prefix(text)) and strip_prefix(text) != text
        if not is_credit and in_caption and tag in ("cite", "small"):
            is_credit = True
        if is_credit:
            credit_els.append(el)
            continue
        if in_caption:
            continue
        if tag == "figcaption" or (sig and is_caption_sig(sig)):
            caption_els.append(el)


def _ancestors_in(el: _Element, stop: _Element, tags: tuple[str, ...]) -> list[_Element]:
    found = []
    node = el.getparent()
    while node is not None and node is not stop:
        if node.tag in tags:
            found.append(node)
        node = node.getparent()
    return found


def _segments(el: _Element, skip: list[_Element]) -> list[str]:
    """The parts of a caption element split at `<br>` and block children (or at every child of a
    caption made only of child elements); one part when it is a single run of prose."""
    pure = not (el.text or "").strip() and all(not (c.tail or "").strip() for c in el)
    parts: list[str] = []
    current: list[str] = [el.text or ""]

    def flush() -> None:
        text = clean("".join(current))
        if text:
            parts.append(text)
        current.clear()

    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and child not in skip and not is_hidden(child) and tag not in SKIP_TAGS:
            if tag == "br":
                flush()
            elif tag not in INLINE_TAGS or pure:
                flush()
                current.append(text_of(child, skip))
                flush()
            else:
                current.append(" " + text_of(child, skip) + " ")
        current.append(child.tail or "")
    flush()
    return parts


def _leading_credit(segs: list[str], parser: CreditParser) -> bool:
    """True when the first part of a caption is its credit ("<span>Agency</span><br>Caption ...")."""
    first = segs[0]
    if strip_prefix(first) != first or parser.is_credit_line(first):
        return True
    return name_like(first) and len(first.split()) <= 4 and len(" ".join(segs[1:]).split()) >= 6


def _credit_segment(text: str, parser: CreditParser) -> bool:
    return strip_prefix(text) != text or parser.is_credit_line(text) or name_like(text)


def _empty(el: _Element) -> bool:
    """True for an element with neither text nor image (a spacer, a script mount point)."""
    return not text_of(el) and el.find(".//img") is None


def _following_caption(block: _Element) -> _Element | None:
    """A caption or credit element standing right after a block (or after the wrapper it fills)."""
    node = block
    for _ in range(3):
        sib = node.getnext()
        skipped = 0  # a caption stands right after the block: a few spacers, not thousands of empty images
        while sib is not None and (not isinstance(sib.tag, str) or sib.tag in SKIP_TAGS or _empty(sib)):
            sib = sib.getnext()
            skipped += 1
            if skipped > MAX_SKIPPED_SIBLINGS:
                return None
        if sib is not None:
            sig = signature(sib)
            labelled = sib.tag == "figcaption" or (sig and _caption_or_credit_sig(sig))
            if labelled and sib.find(".//img") is None:
                return sib
            return None
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "article", "main") or len(parent) > 3:
            return None
        node = parent
    return None


def _in_list_of_cards(node: _Element) -> bool:
    """True when a block is one of several image cards side by side (a carousel or a list of teasers)."""
    ancestor = node
    for _ in range(3):
        parent = ancestor.getparent()
        if parent is None or parent.tag in ("body", "html", "article", "main"):
            return False
        ancestor = parent
        children = [child for child in ancestor if isinstance(child.tag, str)]
        with_images = sum(1 for child in children if child.find(".//img") is not None)
        if with_images >= 3 and with_images >= 0.6 * len(children):
            return True
    return False


def _emphasised_caption(p: _Element, text: str) -> bool:
    """True for a paragraph that is all italic (or all bold and a sentence) right after a photo."""
    children = [c for c in p if isinstance(c.tag, str)]
    if (p.text or "").strip() or len(children) != 1 or (children[0].tail or "").strip():
        return False
    tag = children[0].tag
    if tag in ("em", "i"):
        return True
    return tag in ("strong", "b") and text.endswith((".", "!", "?")) and len(text) <= 200


ADJACENT_LOOK = 12
"""Siblings after a story photo's wrapper looked at for its unlabelled caption and credit."""


def _adjacent_caption(
    img: _Element, parser: CreditParser, used: list[_Element]
) -> tuple[str | None, str | None]:
    """Caption and credit in unlabelled blocks right after a story photo.

    Pages built with generated class names give no signal but position: the photo's wrapper is
    followed by a short text block (the caption) and often a shorter one (the credit), or by a
    paragraph and a line that starts with a credit lead-in ("Image: Name").
    """
    node = img
    for _ in range(5):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return None, None
        sibs: list[_Element] = []
        sib = node.getnext()
        looked = 0  # at most ADJACENT_LOOK siblings: a run of thousands of empty ones is walked once per photo
        while sib is not None and len(sibs) < 3 and looked < ADJACENT_LOOK:
            if isinstance(sib.tag, str) and sib.tag not in SKIP_TAGS and text_of(sib):
                sibs.append(sib)
            sib = sib.getnext()
            looked += 1
        if not sibs:
            if parent.tag in ("article", "main", "section"):
                return None, None
            node = parent
            continue
        if _in_list_of_cards(parent):
            return None, None
        texts: list[str] = []
        for sib in sibs[:2]:
            text = text_of(sib)
            if (
                sib.tag not in ("div", "span", "p", "small", "em", "i", "figcaption")
                or len(text) > 400
                or sib.find(".//img") is not None
                or sib.find(".//p") is not None
                or _mostly_linked(sib)
            ):
                break
            texts.append(text)
        if not texts:
            return None, None
        lead = [strip_prefix(t) != t and bool(strip_prefix(t)) for t in texts]
        if lead[0]:
            used.append(sibs[0])
            return None, texts[0]
        if len(texts) > 1 and (lead[1] or (sibs[0].tag != "p" and _credit_segment(texts[1], parser))):
            used.extend(sibs[:2])
            return texts[0], texts[1]
        if (sibs[0].tag != "p" and len(texts[0].split()) >= 2) or (
            sibs[0].tag == "p" and _emphasised_caption(sibs[0], texts[0])
        ):
            used.append(sibs[0])
            return texts[0], None
        return None, None
    return None, None


def _figure_from_block(
    block: _Element, img: _Element | None, page: _Page, parser: CreditParser, *, in_story: bool = False
) -> _Fig | None:
    """Caption, credit, alt and source of the figure that `block` holds."""
    image_ref = _image_ref(img) if img is not None else None
    alt = None
    if img is not None and img.tag != "noscript":
        alt = clean((img.get("alt") or "")[:2000]) or None
    credit_els: list[_Element] = []
    caption_els: list[_Element] = []
    _classify(block, img, credit_els, caption_els)
    adjacent: tuple[str | None, str | None] = (None, None)
    adjacent_els: list[_Element] = []
    if not credit_els and not caption_els and img is not None and in_story:
        adjacent = _adjacent_caption(img, parser, adjacent_els)
    if not credit_els and not caption_els:
        following = _following_caption(block)
        if following is not None:
            sig = signature(following)
            if sig and CREDIT_WORDS.search(sig) and not CAPTION_WORDS.search(sig):
                credit_els.append(following)
            else:
                caption_els.append(following)
                _classify(following, None, credit_els, caption_els)
                caption_els[:] = [c for c in caption_els if c is following or not _is_ancestor(following, c)]
    caption_parts: list[str] = []
    credit_parts: list[str] = []
    for el in credit_els:
        text = text_of(el)
        if _BYLINE_TEXT.match(text) and sig_is_byline(el):
            continue  # "By Jane Doe" in an author block: who wrote a story, not who took the photo
        if text and text not in credit_parts and len(text) <= 300:
            credit_parts.append(text)
    for el in caption_els:
        segs = _segments(el, credit_els)
        if not credit_parts and len(segs) >= 2:
            if _credit_segment(segs[-1], parser) and len(segs[-1]) < len(" ".join(segs[:-1])):
                credit_parts.append(segs.pop())
            elif _leading_credit(segs, parser):
                credit_parts.append(segs.pop(0))
        text = " ".join(segs)
        if text and text not in caption_parts:
            caption_parts.append(text)
    caption = " ".join(caption_parts) or adjacent[0]
    credit = " / ".join(credit_parts) or adjacent[1]
    if caption and credit and (not re.search(r"\w", caption) or parser.is_credit_line(caption)):
        # "<span class=credit>Photo by X</span> / <span>Getty Images</span>": the rest is credit too
        credit = " ".join(f"{credit} {caption}".split()) if re.search(r"\w", caption) else credit
        caption = None
    teaser = any(_mostly_linked(el) for el in caption_els)
    # data-caption / data-credit attributes on the image, its links and the block
    if caption is None or credit is None:
        for el in _attribute_holders(block, img):
            if caption is None:
                caption = _attr_text(el, ("data-caption", "data-title", "data-description"))
            if credit is None:
                credit = _attr_text(el, ("data-credit", "data-copyright", "data-photographer", "data-author",
                                         "data-source"))
    if caption and credit and caption.endswith(credit):
        caption = caption[: -len(credit)].rstrip(" |/–—-,;:") or None
    if caption:
        caption, split_credit = split_caption(caption, parser)
        if credit is None:
            credit = split_credit
    if caption and not credit and parser.is_credit_line(caption) and len(caption.split()) <= 6:
        caption, credit = None, caption
    if credit is None and alt:
        # "… (Photo: Gallo Images / Name)": alt texts often end with the credit the page does not show
        _, alt_credit = parser.split(alt)
        if alt_credit and (strip_prefix(alt_credit) != alt_credit or parser.parse(alt_credit).agency):
            credit = alt_credit
    if caption is None and credit is None and image_ref is None:
        return None
    order = page.order.get(block)
    if order is None:
        order = page.order.get(img, 0) if img is not None else 0
    return _Fig(
        anchor=block,
        order=order,
        line=source_line(block),
        image_ref=image_ref,
        caption=_clip(caption, 5000),
        credit=_clip(credit, 500),
        alt=alt,
        marked=bool(caption_els or credit_els or adjacent[0] or adjacent[1]),
        parts=caption_els + credit_els + adjacent_els,
        teaser=teaser,
        image_element=img is not None and img.tag != "noscript",
    )


def _mostly_linked(el: _Element) -> bool:
    """True when most of a caption's text is a link to another page (a headline, not a caption)."""
    total = len(text_of(el))
    if total == 0:
        return False
    node = el.getparent()
    for _ in range(3):
        if node is None:
            break
        if node.tag == "a" and _links_elsewhere(node, None):
            return True
        node = node.getparent()
    linked = sum(len(text_of(a)) for a in el.iter("a") if _links_elsewhere(a, None))
    return linked >= 0.6 * total


def _attribute_holders(block: _Element, img: _Element | None) -> list[_Element]:
    holders: list[_Element] = []
    if img is not None:
        node: _Element | None = img
        while node is not None:
            holders.append(node)
            if node is block:
                break
            node = node.getparent()
    else:
        holders.append(block)
    return holders


def _attr_text(el: _Element, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = el.get(name)
        if value:
            text = clean(value[:5000])
            if "<" in text:
                text = clean(re.sub(r"<[^>]*>", " ", text))
            if text:
                return text
    return None


# -- same photo twice --------------------------------------------------------------------------
_SIZE_TOKEN = re.compile(
    r"[-_.](?:\d{2,5}x\d{2,5}|w\d{2,5}|h\d{2,5}|\d{2,5}w|scaled|large|medium|small|thumb)", re.IGNORECASE
)


def _image_key(url: str | None) -> str | None:
    """What identifies a photo across its sizes: the file name without extension and size suffixes."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    path = unquote(parts.path).rstrip("/")
    name = path.rsplit("/", 1)[-1].lower()
    name = re.sub(r"=[swh]\d+[^/]*$", "", name)  # image servers' size suffixes: "…=s750", "…=w700-h400"
    name = re.sub(r"\.[a-z0-9]{2,5}$", "", name)
    name = _SIZE_TOKEN.sub("", name)
    if len(name) < 6 or name in ("image", "img", "photo", "picture", "default", "index", "original"):
        # generic file names: the folder names the photo
        name = path.lower()
    return name or None


def _norm_caption(text: str | None) -> str:
    return re.sub(r"\W+", " ", (text or "").casefold()).strip()


def _same_photo(same: _Fig, fig: _Fig, key: str | None, cap: str) -> bool:
    """Whether `fig` repeats `same` (same file or caption) rather than another crop with its own caption.

    Two different image files are never one photo here, whatever their captions: a caption shared
    by two files is what the repeated-caption rule exists to report.
    """
    other = _image_key(same.image_ref)
    if key and other and key != other:
        return False
    known = _norm_caption(same.caption)
    if not cap or not known or known == cap:
        return True
    return bool(key and _image_key(same.image_ref) == key and not same.caption)


def _dedupe(figs: list[_Fig]) -> list[_Fig]:
    """Merge figures that show the same photo (same file, or same caption where one names no file).

    The first keeps its place and takes what the other knows.
    """
    kept: list[_Fig] = []
    by_key: dict[str, _Fig] = {}
    by_caption: dict[str, _Fig] = {}
    for fig in sorted(figs, key=lambda f: f.order):
        key = _image_key(fig.image_ref)
        cap = _norm_caption(fig.caption)
        same = by_key.get(key) if key else None
        if same is None and len(cap) >= 15:
            # the same caption on two different files is two photos (a finding, not a duplicate)
            candidate = by_caption.get(cap)
            if candidate is not None and (not candidate.image_ref or not fig.image_ref):
                same = candidate
        if same is not None and _same_photo(same, fig, key, cap):
            same.caption = same.caption or fig.caption
            same.credit = same.credit or fig.credit
            same.alt = same.alt or fig.alt
            same.image_element = same.image_element or fig.image_element
            same.image_ref = same.image_ref or fig.image_ref
            continue
        kept.append(fig)
        if key:
            by_key.setdefault(key, fig)
        if len(cap) >= 15:
            by_caption.setdefault(cap, fig)
    return kept


# -- JSON-LD and Open Graph ----------------------------------------------------------------------
def _merge_jsonld(figs: list[_Fig], images: list[LdImage], page: _Page, parser: CreditParser) -> list[_Fig]:
    """Fill captions and credits from JSON-LD `ImageObject`s; add the lead photo when the markup lacks it."""
    first_script = page.ld_scripts[0] if page.ld_scripts else ("", 0, 1)
    for ld in images:
        caption, credit = ld.caption, ld.credit
        if caption and not credit:
            caption_split, credit = split_caption(caption, parser)
            caption = caption_split
        if caption and credit and caption.endswith(credit):
            caption = caption[: -len(credit)].rstrip(" |/–—-,;:") or None
        key = _image_key(ld.url)
        cap = _norm_caption(caption)
        match = None
        for fig in figs:
            if key and _image_key(fig.image_ref) == key:
                match = fig
                break
            fcap = _norm_caption(fig.caption)
            if len(cap) >= 15 and fcap and (cap == fcap or cap in fcap or fcap in cap):
                match = fig
                break
        if match is None and not cap and credit:
            # crops of one photo (wide, square...) under other names: known by their credit
            wanted = _norm_caption(credit)
            match = next((f for f in figs if _norm_caption(f.credit) == wanted), None)
        if match is not None:
            match.caption = match.caption or caption
            match.credit = match.credit or credit
            continue
        if not ld.lead and not caption:
            continue
        if not caption and not credit:
            continue
        figs.append(
            _Fig(anchor=None, order=first_script[1], line=first_script[2], image_ref=ld.url,
                 caption=_clip(caption, 5000), credit=_clip(credit, 500), alt=None)
        )
    return figs


def _og_figure(page: _Page) -> _Fig | None:
    """The Open Graph image as the lead photo of a page whose markup shows none."""
    got = page.metas.get("og:image") or page.metas.get("og:image:url") or page.metas.get("twitter:image")
    if not got or is_placeholder(got[0]):
        return None
    alt = _meta(page, "og:image:alt") or _meta(page, "twitter:image:alt")
    return _Fig(anchor=None, order=got[1], line=got[2], image_ref=got[0].strip(), caption=None, credit=None,
                alt=alt)


# -- body text -------------------------------------------------------------------------------------
def _paragraphs(page: _Page, story: _Element | None, anchors: list[_Element]) -> list[Paragraph]:
    """Paragraphs of the story (or of the whole page when no story element stands out), figures left out."""
    anchor_set = set(anchors)
    out: list[Paragraph] = []
    for block in page.blocks:
        if story is not None and not _is_ancestor(story, block):
            continue
        if block.tag == "blockquote" and block.find(".//p") is not None:
            continue
        if block.tag == "li" and block.find(".//p") is not None:
            continue
        if _skip_paragraph(block, anchor_set, story):
            continue
        text = text_of(block)
        if text:
            out.append(Paragraph(line=source_line(block), text=text))
    return out


def _skip_paragraph(block: _Element, anchors: set[_Element], story: _Element | None) -> bool:
    node: _Element | None = block
    while node is not None and node is not story:
        if node in anchors or node.tag in NOT_BODY_TAGS:
            return True
        sig = signature(node)
        if sig and (CAPTION_WORDS.search(sig) or CREDIT_WORDS.search(sig) or EXCLUDE_WORDS.search(sig)):
            return True
        node = node.getparent()
    return False
