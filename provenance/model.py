"""The shared types every stage of provenance speaks.

Data flows one way: articles and media are read into `Article` and
`ImageRecord`, figures are matched to images (`Match`), rules turn the whole
into `Finding`s, and a `Report` carries everything a formatter needs.

This module imports nothing of the project, so every other module may import it.
"""

from __future__ import annotations

import enum
import hashlib
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from types import MappingProxyType


def _frozen_map(value: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


class Severity(enum.IntEnum):
    """How serious a finding is; higher is worse."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (expected error, warning or note)") from None


class ArticleFormat(str, enum.Enum):
    """The markup an article file is written in, chosen by its extension."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


class MatchMethod(str, enum.Enum):
    """How a figure was paired with an image file."""

    REFERENCE = "reference"
    """The article names the file (a Markdown or HTML image source)."""
    CAPTION = "caption"
    """The figure's caption resembles the image's embedded caption."""
    ORDER = "order"
    """Nothing better was known: the n-th unclaimed figure got the n-th unclaimed image."""
    FILENAME = "filename"
    """A remote rendition's file name, without the CDN's size and format suffixes, names the image."""
    CONTENT = "content"
    """The fetched remote image is the same photo (by hash) as the image of the media folder."""


class RefStatus(str, enum.Enum):
    """What became of a figure's image reference."""

    FOUND = "found"
    """The reference resolved to a readable path inside the media folder."""
    MISSING = "missing"
    """The reference points to a local file that does not exist."""
    REMOTE = "remote"
    """The reference is a URL (http, https, data...): not checked."""
    OUTSIDE = "outside"
    """The reference leaves the checked folder (`../`, an absolute path, a link): not followed."""
    NONE = "none"
    """The figure names no file and no image could be paired with it."""


@dataclass(frozen=True)
class Credit:
    """A credit line as shown to readers, and what it names."""

    raw: str
    """The credit text as it stands in the article (or in the metadata)."""
    agency: str | None = None
    """Canonical name of the agency that supplied the photo ("Getty Images", "AP")."""
    photographer: str | None = None
    """The person credited, when the line names one."""
    distributor: str | None = None
    """Who distributed another agency's photo ("AFP via Getty Images": agency AFP, distributor Getty Images)."""

    def agencies(self) -> frozenset[str]:
        """Every organisation this credit names (agency and distributor)."""
        return frozenset(a for a in (self.agency, self.distributor) if a)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of an article's body text."""

    line: int
    """1-based line of the article file where the paragraph starts."""
    text: str
    """The paragraph's text, markup removed."""


@dataclass(frozen=True)
class Suppression:
    """An inline `provenance: ignore[rule] reason` comment attached to a figure."""

    rules: tuple[str, ...]
    """Rule names (or codes) it silences."""
    reason: str
    """Why, as written by the editor; required."""
    line: int
    """Line of the comment."""


@dataclass(frozen=True)
class Figure:
    """One photo as the reader sees it: where it stands, its caption and credit."""

    index: int
    """0-based position among the article's figures."""
    line: int
    """1-based line of the article where the figure starts."""
    image_ref: str | None
    """The image source the article names (src, path or URL), or None in plain text."""
    caption: str | None
    """The caption shown to readers, credit split off; None when there is none."""
    credit: Credit | None
    """The credit shown to readers, or None."""
    alt: str | None = None
    """Alternative text, when the markup has one."""
    suppressions: tuple[Suppression, ...] = ()
    """Inline suppressions written on or just before this figure."""
    image_element: bool = False
    """True when the figure is an image element of the markup (`<img>`, a Markdown image or figure
    shortcode), which can carry alt text; False in plain text and for JSON-LD or Open Graph images."""


@dataclass(frozen=True)
class Article:
    """A parsed article file."""

    path: str
    """Path relative to the checked folder, with `/` separators."""
    root: str
    """The checked folder as the user named it (posix); `path` is relative to it."""
    format: ArticleFormat
    """Markup the article is written in."""
    title: str | None
    """Title from front matter, `<title>`, headline metadata; None if none."""
    date: str | None
    """Publication date (ISO 8601) when the article states one."""
    body: tuple[Paragraph, ...]
    """Body paragraphs: text that is neither a caption nor a credit."""
    figures: tuple[Figure, ...]
    """The figures in reading order."""
    encoding: str = "utf-8"
    """Text encoding the file was decoded with."""
    warnings: tuple[str, ...] = ()
    """One-line notes about what could not be read cleanly."""


@dataclass(frozen=True)
class C2PAInfo:
    """What a C2PA manifest store says about an image."""

    validation_state: str
    """"Valid", "Trusted", "Invalid", or "not checked" (c2pa-python absent, or the manifest is remote)."""
    claim_generator: str | None = None
    """Software that wrote the active manifest."""
    signer: str | None = None
    """Who signed the active manifest."""
    actions: tuple[Mapping[str, str], ...] = ()
    """c2pa.actions entries of the active manifest: action; digitalSourceType, softwareAgent if present."""
    ingredients: tuple[str, ...] = ()
    """Titles of the ingredients the manifest names."""
    errors: tuple[str, ...] = ()
    """Validation failures, one line each."""


class RestrictionKind(str, enum.Enum):
    """What an agency's instruction or usage term demands (see `provenance.rights` for the wordings)."""

    EMBARGO = "embargo"
    """Not to be published before a time."""
    MANDATORY_CREDIT = "mandatory-credit"
    """A credit that must be shown, in the agency's wording when it gives one."""
    EDITORIAL_USE_ONLY = "editorial-use-only"
    """Editorial use only: no advertising or commercial use."""
    NO_SALES = "no-sales"
    """Not to be sold on (no sales, no resales)."""
    NO_ARCHIVE = "no-archive"
    """Not to be kept in the publisher's archive."""
    NO_ONLINE = "no-online"
    """Not to be published online (print only)."""
    TERRITORY = "territory"
    """Not to be published in the territories named."""
    OUTLET = "outlet"
    """Not to be used by the outlets or media named ("OUT: ...", "TV OUT")."""
    KILLED = "killed"
    """A kill advisory: the agency withdrew the photo."""


@dataclass(frozen=True)
class Restriction:
    """One condition an image's rights metadata states, parsed."""

    kind: RestrictionKind
    """What it restricts."""
    wording: str
    """The words as the metadata has them ("EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026")."""
    field: str
    """The field it was read from: "instructions", "usage_terms", "other_constraints" or "credit_line_required"."""
    value: str | None = None
    """EMBARGO: the time it lifts, ISO 8601 in UTC (None when it cannot be read); MANDATORY_CREDIT: the
    demanded credit (None: the embedded credit line is demanded); OUTLET: the outlets or media named."""
    places: tuple[str, ...] = ()
    """TERRITORY: ISO 3166-1 alpha-2 codes of the territories named ("GB"); empty when none is known."""

    def to_json(self) -> dict[str, object]:
        """Every field as plain JSON data."""
        return {"kind": self.kind.value, "wording": self.wording, "field": self.field, "value": self.value,
                "places": list(self.places)}


@dataclass(frozen=True)
class Provenance:
    """The provenance an image carries in its embedded metadata."""

    credit: str | None = None
    """Credit line (IPTC 2:110, XMP photoshop:Credit)."""
    creator: tuple[str, ...] = ()
    """Photographers (IPTC 2:80 By-line, XMP dc:creator, EXIF Artist)."""
    creator_title: str | None = None
    """Creator's job title (IPTC 2:85 By-line Title)."""
    copyright: str | None = None
    """Copyright notice (IPTC 2:116, XMP dc:rights, EXIF Copyright)."""
    source: str | None = None
    """Source (IPTC 2:115, XMP photoshop:Source)."""
    caption: str | None = None
    """Caption/description (IPTC 2:120, XMP dc:description, EXIF ImageDescription)."""
    headline: str | None = None
    """Headline (IPTC 2:105, XMP photoshop:Headline)."""
    date_created: str | None = None
    """When the photo was taken, ISO 8601."""
    city: str | None = None
    """City shown (IPTC 2:90, XMP photoshop:City)."""
    state: str | None = None
    """Province or state (IPTC 2:95, XMP photoshop:State)."""
    country: str | None = None
    """Country name (IPTC 2:101, XMP photoshop:Country)."""
    digital_source_type: str | None = None
    """IPTC Digital Source Type URI (Iptc4xmpExt:DigitalSourceType)."""
    web_statement: str | None = None
    """Web statement of rights (xmpRights:WebStatement)."""
    licensor: str | None = None
    """Licensor name (plus:Licensor)."""
    camera_make: str | None = None
    """Camera maker (EXIF Make)."""
    camera_model: str | None = None
    """Camera model (EXIF Model)."""
    gps: tuple[float, float] | None = None
    """Where the photo was taken: latitude and longitude in decimal degrees (EXIF GPS; south, west negative)."""
    keywords: tuple[str, ...] = ()
    """Keywords (IPTC 2:25, XMP dc:subject)."""
    # Rights: what the agency demands of whoever publishes the photo.
    instructions: str | None = None
    """Special Instructions (IPTC 2:40, XMP photoshop:Instructions): embargoes, mandatory credits, restrictions."""
    usage_terms: str | None = None
    """Rights usage terms (XMP xmpRights:UsageTerms)."""
    other_constraints: str | None = None
    """PLUS licensing constraints in words (XMP plus:OtherConstraints)."""
    credit_line_required: str | None = None
    """PLUS credit line requirement (XMP plus:CreditLineRequired) as written: a PLUS vocabulary code or URI."""
    restrictions: tuple[Restriction, ...] = ()
    """What the four fields above demand, parsed (`provenance.rights.restrictions_of`)."""
    c2pa: C2PAInfo | None = None
    """C2PA content credentials, or None when the file has none (or were not checked)."""
    origins: Mapping[str, str] = field(default_factory=_frozen_map)
    """Field name -> "EXIF", "IPTC", "XMP", "C2PA" or "PNG" (PNG text keyword): where each value came from."""

    def to_json(self) -> dict[str, object]:
        """Every field as plain JSON data, in declaration order."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, C2PAInfo):
                value = {
                    "validation_state": value.validation_state,
                    "claim_generator": value.claim_generator,
                    "signer": value.signer,
                    "actions": [dict(sorted(a.items())) for a in value.actions],
                    "ingredients": list(value.ingredients),
                    "errors": list(value.errors),
                }
            elif isinstance(value, tuple):
                value = [v.to_json() if isinstance(v, Restriction) else v for v in value]
            elif isinstance(value, Mapping):
                value = {k: value[k] for k in sorted(value)}
            out[f.name] = value
        return out


@dataclass(frozen=True)
class Hashes:
    """Perceptual hashes of one image, with what made them.

    Values made by another algorithm set or library version are never compared.
    """

    version: str
    """Identity of the hashing recipe: algorithms, sizes and library versions."""
    values: Mapping[str, str] = field(default_factory=_frozen_map)
    """Hash name ("phash", "dhash", "phash_mirror"...) -> hexadecimal value."""


@dataclass(frozen=True)
class ImageRecord:
    """An image file of the media folder, read once."""

    path: str
    """Path relative to the checked folder, with `/` separators; the URL of a fetched remote image."""
    root: str
    """The checked folder as the user named it (posix)."""
    format: str | None
    """Image format as decoded ("JPEG", "PNG"...), None if unreadable."""
    width: int | None
    """Pixel width after EXIF orientation, None if unknown."""
    height: int | None
    """Pixel height after EXIF orientation, None if unknown."""
    size: int
    """File size in bytes."""
    sha256: str
    """SHA-256 of the file's bytes."""
    metadata: Provenance
    """Embedded provenance."""
    hashes: Hashes | None
    """Perceptual hashes, None when the pixels could not be decoded."""
    errors: tuple[str, ...] = ()
    """Why the file could not be (fully) read, one line each; empty when clean."""

    @property
    def readable(self) -> bool:
        """True when the pixels decoded."""
        return self.hashes is not None


@dataclass(frozen=True)
class Match:
    """The image a figure was paired with, and how."""

    article: str
    """Article path (relative to `root`)."""
    root: str
    """The checked folder the paths are relative to."""
    figure: int
    """Figure index within the article."""
    status: RefStatus
    """What became of the reference."""
    image: str | None = None
    """Path of the paired image (relative to the checked folder), if any."""
    method: MatchMethod | None = None
    """How the pairing was made."""
    score: float = 1.0
    """Confidence of the pairing, 0..1 (1 for an explicit reference)."""
    image_root: str | None = None
    """The folder `image` is relative to: the media folder as named (the checked folder unless `--media`)."""
    url: str | None = None
    """The absolute URL of a remote reference (http, https or data:), whether it was fetched or not."""
    unchecked: str | None = None
    """Why a remote image (`RefStatus.REMOTE`) was not checked when it was not for want of `--fetch`: a
    refused address, an unsupported scheme."""

    @property
    def image_key(self) -> tuple[str, str] | None:
        """The paired image's (media folder, path), the key of every image table (None: no image)."""
        return None if self.image is None else (self.image_root or self.root, self.image)


@dataclass(frozen=True)
class ArchiveHit:
    """A photo recorded in the archive from a published article that an image matches."""

    article: str
    """The archived article's key: its URL, or its path relative to the folder it was recorded from."""
    path: str | None
    """The archived article file's path when it was recorded (relative to the folder it was recorded from)."""
    title: str | None
    """The archived article's title."""
    published: str | None
    """The archived article's publication date (ISO 8601), if known."""
    figure: int
    """0-based index of the figure in the archived article."""
    caption: str | None
    """The caption the photo had there."""
    credit: str | None
    """The credit line the photo had there."""
    image: str | None
    """The archived image file's path when it was recorded."""
    sha256: str
    """SHA-256 of the archived image file."""
    score: float
    """How similar the two are, 0..1 (1 for the same file)."""
    similarity: str
    """One phrase for an editor: "the same file (byte-identical)", "near-identical (phash distance 2)"..."""
    how: tuple[str, ...] = ()
    """How one copy differs from the other ("cropped", "mirrored"...); empty for plain copies."""


@dataclass(frozen=True)
class KillNotice:
    """A photo recorded as killed in the archive (`provenance archive kill`) that an image matches."""

    reason: str
    """Why it was killed, as recorded."""
    killed: str
    """When the kill was recorded, ISO 8601 in UTC."""
    image: str | None
    """The killed image file's path when it was recorded."""
    sha256: str
    """SHA-256 of the killed image file."""
    score: float
    """How similar the two are, 0..1 (1 for the same file)."""
    similarity: str
    """One phrase for an editor: "the same file (byte-identical)", "mirrored copy"..."""
    how: tuple[str, ...] = ()
    """How one copy differs from the other ("cropped", "mirrored"...); empty for plain copies."""


@dataclass(frozen=True)
class Finding:
    """A problem a rule found."""

    rule: str
    """Kebab-case rule name, e.g. "missing-credit"."""
    code: str
    """Stable rule code, e.g. "PV001"."""
    severity: Severity
    """How serious it is (after configuration)."""
    message: str
    """One sentence for the editor."""
    article: str | None
    """Path of the article concerned (relative to the checked folder), or None for a media-only finding."""
    root: str
    """The checked folder the paths are relative to."""
    line: int | None
    """1-based line in the article, if any."""
    images: tuple[str, ...] = ()
    """Paths of every image concerned."""
    figures: tuple[int, ...] = ()
    """Indexes of every figure concerned."""
    fingerprint: str = ""
    """Stable identity that ignores line numbers (see `fingerprint`)."""
    suppressed_by: str | None = None
    """The reason of the inline suppression that silenced it, if any."""
    image_root: str | None = None
    """The folder the `images` paths are relative to, when it is not `root` (a separate media folder)."""
    image_roots: tuple[str, ...] = ()
    """The folder each of `images` is relative to, in order, when they are not all under one folder (a photo
    shared by articles of several checked folders); empty otherwise (see `image_locations`)."""
    image_notes: tuple[str, ...] = ()
    """One phrase per image of `images` when the rule says something of each (reused-photo: how each copy
    differs from the cluster's largest, "the largest", "cropped", "mirrored"); empty otherwise."""
    other_figures: tuple[tuple[str, str, int], ...] = ()
    """Figures of other articles the finding concerns, as (root, article path, figure index): a photo
    reused across the articles of one run (reuse-scope "run"); `figures` holds this article's."""

    def image_locations(self) -> tuple[tuple[str, str], ...]:
        """(folder, path) of each of `images`: the record `Report.image(folder, path)` describes."""
        if self.image_roots:
            return tuple(zip(self.image_roots, self.images, strict=True))
        return tuple((self.image_root or self.root, path) for path in self.images)


def fingerprint(rule: str, article: str | None, contents: tuple[str, ...], text: str) -> str:
    """A finding's identity: rule, article, image contents and normalised text; never a line number."""
    normalised = " ".join(text.casefold().split())
    blob = "\x1f".join([rule, article or "", *sorted(contents), normalised])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Summary:
    """Counts of a finished check."""

    error: int
    warning: int
    note: int
    suppressed: int = 0
    """Findings silenced by inline suppressions."""
    baselined: int = 0
    """Findings hidden because the baseline knew them."""


@dataclass(frozen=True)
class RuleInfo:
    """What a report says about one rule, so formatters can describe it without importing the rules."""

    code: str
    """Stable code, e.g. "PV001"."""
    name: str
    """Kebab-case name, e.g. "missing-credit"."""
    severity: Severity
    """Severity of its findings in this run (the default, or the configured one)."""
    summary: str
    """One line: what it flags."""
    doc: str
    """Its documentation: what it flags, why it matters, an example, how to fix."""
    enabled: bool = True
    """False when the run's select/ignore turned it off."""
    help_uri: str = ""
    """Where its documentation is published (the README's section)."""


@dataclass(frozen=True)
class Report:
    """Everything a formatter needs; formatters recompute nothing."""

    tool_version: str
    """Version of provenance that made the report."""
    articles: tuple[Article, ...]
    """Every article checked."""
    images: tuple[ImageRecord, ...]
    """Every image read."""
    matches: tuple[Match, ...]
    """One per figure."""
    findings: tuple[Finding, ...]
    """Active findings (suppressed and baselined ones are in `hidden`)."""
    hidden: tuple[Finding, ...] = ()
    """Findings silenced by a suppression or the baseline."""
    errors: tuple[str, ...] = ()
    """Files that could not be checked at all, one line each."""
    fail_on: Severity | None = Severity.ERROR
    """The gate's threshold; None means never fail."""
    rules: tuple[RuleInfo, ...] = ()
    """Every rule known to the run, in code order, enabled or not."""

    @property
    def summary(self) -> Summary:
        counts = {s: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity] += 1
        return Summary(
            error=counts[Severity.ERROR],
            warning=counts[Severity.WARNING],
            note=counts[Severity.NOTE],
            suppressed=sum(1 for f in self.hidden if f.suppressed_by is not None),
            baselined=sum(1 for f in self.hidden if f.suppressed_by is None),
        )

    @property
    def failed(self) -> bool:
        """True when a finding is at or above the fail level, or a file could not be checked at all."""
        if self.fail_on is None:
            return False
        return bool(self.errors) or any(f.severity >= self.fail_on for f in self.findings)

    @cached_property
    def _matches_by_figure(self) -> dict[tuple[str, str, int], Match]:
        return {(m.root, m.article, m.figure): m for m in self.matches}

    @cached_property
    def _images_by_path(self) -> dict[tuple[str, str], ImageRecord]:
        return image_table(self.images)

    def match_for(self, article: Article, figure: int) -> Match | None:
        """The match of one figure of `article`."""
        return self._matches_by_figure.get((article.root, article.path, figure))

    def image(self, root: str, path: str) -> ImageRecord | None:
        """The image record at `path` under `root`."""
        return self._images_by_path.get((root, path))

    def image_of(self, match: Match | None) -> ImageRecord | None:
        """The image record `match` paired its figure with, if any."""
        key = None if match is None else match.image_key
        return None if key is None else self._images_by_path.get(key)


def image_table(images: Iterable[ImageRecord]) -> dict[tuple[str, str], ImageRecord]:
    """The images keyed (media folder, path), as `Match.image_key` names them."""
    return {(im.root, im.path): im for im in images}


def joined_path(root: str, rel: str) -> str:
    """`rel` under the checked folder `root`, as the user would type it (`/` separators)."""
    if root in ("", "."):
        return rel
    return f"{root.rstrip('/')}/{rel}" if rel else root


def workspace_path(root: str, rel: str, cwd: str) -> str | None:
    """`rel` under `root`, relative to the folder `cwd` (`/` separators); None when it lies outside `cwd`.

    `root` is relative to `cwd` unless absolute. Links are not resolved: paths are compared as written.
    """
    full = posixpath.normpath(posixpath.join(_posix(cwd), _posix(root) or ".", rel))
    base = posixpath.normpath(_posix(cwd))
    if full == base:
        return "."
    prefix = base if base.endswith("/") else base + "/"
    return full[len(prefix):] if full.startswith(prefix) else None


def _posix(path: str) -> str:
    path = path.replace("\\", "/")
    if len(path) >= 2 and path[1] == ":":  # a Windows drive: compare as an absolute path
        path = "/" + path
    return path


def _escapes() -> dict[int, str]:
    table = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
    table.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
    table.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
    table.update({c: f"\\x{c - 0xDC00:02x}" for c in range(0xDC80, 0xDD00)})  # undecodable bytes of a file name
    table.update({c: f"\\u{c:04x}" for c in range(0xD800, 0xE000) if c not in table})
    return table


_PRINTABLE = _escapes()
_NAME = {c: e for c, e in _PRINTABLE.items() if 0xD800 <= c < 0xE000}


def one_line(exc: BaseException) -> str:
    """An exception as one short line: its text on one line (its type's name when empty), at most 200
    characters, without the address of an in-memory buffer that Pillow names."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return re.sub(r"\s*<_io\.BytesIO object at 0x[0-9a-f]+>", "", text)[:200]


def printable(text: str) -> str:
    """`text` as one safe line of human-readable output: control characters (C0, DEL, C1), line and
    paragraph separators, bidirectional overrides and undecodable bytes shown as visible escapes
    (`\\n`, `\\x1b`, `\\u202e`), and a line that would begin with `::` (a GitHub Actions workflow
    command) begun with `\\x3a` instead."""
    text = escape_controls(text)
    stripped = text.lstrip(" ")
    if stripped.startswith("::"):
        text = text[: len(text) - len(stripped)] + "\\x3a" + stripped[1:]
    return text


def escape_controls(text: str) -> str:
    """`text` with the characters `printable` escapes shown as its visible escapes (nothing else changed)."""
    return text.translate(_PRINTABLE)


def text_name(name: str) -> str:
    """A file name as text every output can carry: the bytes it holds that are not UTF-8 (Python's
    surrogate escapes) as visible `\\xff` escapes; the rest as it is."""
    return name.translate(_NAME)


_JSON_INVISIBLE = {c: f"\\u{c:04x}" for c in (*range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
                                                *range(0x2066, 0x206A))}


def json_visible(document: str) -> str:
    """A JSON document (as `json.dumps(..., ensure_ascii=False)` writes it, which escapes C0 controls
    itself) with DEL, C1 controls, line separators and bidirectional overrides escaped as `\\u009b`: the
    same data, and nothing a terminal or viewer acts on. Outside strings JSON holds none of them."""
    return document.translate(_JSON_INVISIBLE)
