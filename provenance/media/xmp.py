"""XMP packets: decoding, safe parsing, and flattening to property paths.

Packets are parsed with defusedxml only: a packet that declares entities (the
"billion laughs" attack) or reaches for external resources is refused with an
error line. Packets may be UTF-8, UTF-16 or UTF-32 (with or without a byte
order mark, as Photoshop and ExifTool's own test files write them).

A parsed packet is flattened the way ExifTool flattens it: every property,
including the fields of structures inside lists (Iptc4xmpExt:LocationShown,
plus:Licensor), becomes a path of Clark names ("{namespace}local") mapped to
its values in document order. Language alternatives keep the x-default value
(or the item without a language); other languages are left out, as in ExifTool.
Junk after `</x:xmpmeta>` is cut off; a packet with junk inside it (a stray
element after `rdf:RDF`) is read as far as it is well formed, as ExifTool reads
it, with an error line. A simple property given twice (photoshop:DateCreated as
an attribute and again as an element) has the value given last, as in ExifTool.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from lxml import etree

MAX_XMP_BYTES = 16 * 1024 * 1024
"""Largest XMP (one packet, or an extended XMP reassembled) we parse."""

MAX_DEPTH = 32
"""Deepest structure nesting we follow."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_NS = "http://www.w3.org/XML/1998/namespace"

NS_DC = "http://purl.org/dc/elements/1.1/"
NS_DCTERMS = "http://purl.org/dc/terms/"
NS_PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
NS_IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
NS_IPTC_CORE = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
NS_XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
NS_PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
NS_XMP_NOTE = "http://ns.adobe.com/xmp/note/"

Path = tuple[str, ...]


def clark(ns: str, local: str) -> str:
    """The ElementTree name of a property."""
    return "{" + ns + "}" + local


@dataclass
class XmpProperties:
    """Flattened XMP: property path -> values in document order."""

    values: dict[Path, list[str]] = field(default_factory=dict)

    def get(self, *path: tuple[str, str]) -> list[str] | None:
        """Values at a path given as (namespace, local name) pairs; None when absent."""
        return self.values.get(tuple(clark(ns, local) for ns, local in path))

    def first(self, *path: tuple[str, str]) -> str | None:
        """The first value at a path, or None."""
        vals = self.get(*path)
        return vals[0] if vals else None

    def merge(self, other: XmpProperties) -> None:
        """Add the properties of the extended packet that this one lacks (the main packet wins)."""
        for key, vals in other.values.items():
            self.values.setdefault(key, list(vals))

    def update(self, later: XmpProperties) -> None:
        """Take the properties of a later packet of the file: where both have one, the later wins (ExifTool)."""
        for key, vals in later.values.items():
            self.values[key] = list(vals)

    def __bool__(self) -> bool:
        return bool(self.values)


_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_END_MARKERS = (re.compile(r"</(?:[\w.-]+:)?x[am]pmeta\s*>"), re.compile(r"</(?:[\w.-]+:)?RDF\s*>"))


def decode_packet(data: bytes) -> str:
    """Decode an XMP packet to text, detecting UTF-16/32 by byte order mark or zero bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    for bom, codec in (
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xff\xfe", "utf-16-le"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    head = data[:4]
    if len(head) == 4:
        if head[0] == 0 and head[1] == 0 and head[2] == 0 and head[3] != 0:
            return data.decode("utf-32-be", errors="replace")
        if head[0] != 0 and head[1] == 0 and head[2] == 0 and head[3] == 0:
            return data.decode("utf-32-le", errors="replace")
        if head[0] == 0 and head[1] != 0:
            return data.decode("utf-16-be", errors="replace")
        if head[0] != 0 and head[1] == 0:
            return data.decode("utf-16-le", errors="replace")
    return data.decode("utf-8", errors="replace")


def _trim(text: str) -> tuple[str, bool]:
    """The packet from its first tag to the end of its last `</x:xmpmeta>` (or `</rdf:RDF>`), without
    the XML declaration; the flag says whether such an end was found (the packet is not cut short)."""
    text = text.lstrip("\ufeff\x00 \t\r\n")
    first = text.find("<")
    if first > 0:
        text = text[first:]  # junk before the packet, as ExifTool skips it
    text = _DECL.sub("", text, count=1)
    for pattern in _END_MARKERS:
        ends = [m.end() for m in pattern.finditer(text)]
        if ends:
            return text[: ends[-1]], True
    return text.rstrip("\x00 \t\r\n"), False


def parse_packet(data: bytes, where: str = "XMP") -> tuple[XmpProperties | None, list[str]]:
    """Parse one packet; malformed or hostile XML becomes an error line, never an exception."""
    if len(data) > MAX_XMP_BYTES:
        return None, [f"{where}: packet of {len(data)} bytes is larger than {MAX_XMP_BYTES}; skipped"]
    text, closed = _trim(decode_packet(data))
    if not text.strip():
        return None, []
    errors: list[str] = []
    try:
        root = fromstring(text.encode("utf-8"), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        return None, [f"{where}: refused unsafe XML ({type(exc).__name__}: entity or external reference)"]
    except ParseError as exc:
        root = _recover(text) if closed else None
        if root is None:
            return None, [f"{where}: malformed packet ({exc})"]
        errors.append(f"{where}: malformed packet ({exc}); read as far as it is well formed")
    except (ValueError, RecursionError) as exc:
        return None, [f"{where}: malformed packet ({type(exc).__name__})"]
    props = XmpProperties()
    for rdf in _iter_rdf(root):
        for desc in rdf:
            if desc.tag == clark(RDF, "Description"):
                _read_description(desc, (), props, 0)
    return props, errors


_RECOVERING = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
)
_DECLARATIONS = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z_][\w.-]*;)")
STANDARD_PREFIXES = {
    "x": "adobe:ns:meta/",
    "rdf": RDF,
    "dc": NS_DC,
    "dcterms": NS_DCTERMS,
    "photoshop": NS_PHOTOSHOP,
    "Iptc4xmpExt": NS_IPTC_EXT,
    "Iptc4xmpCore": NS_IPTC_CORE,
    "xmpRights": NS_XMP_RIGHTS,
    "plus": NS_PLUS,
    "xmpNote": NS_XMP_NOTE,
}
"""Namespaces of the prefixes ExifTool knows, for properties whose prefix a writer never declared."""


def _recover(text: str) -> Element | None:
    """The well-formed part of a packet that ends properly but has junk inside it (a stray or unclosed
    element, a bare "&", a prefix never declared), read as ExifTool reads it.

    libxml2's recovering parser keeps every element it can close; its output is parsed again by
    defusedxml. Packets with declarations are never recovered.
    """
    if _DECLARATIONS.search(text):
        return None
    try:
        tree = etree.fromstring(_BARE_AMPERSAND.sub("&amp;", text).encode("utf-8"), _RECOVERING)
        if tree is None:
            return None
        _bind_prefixes(tree)
        again = etree.tostring(tree)
        parsed: Element | None = fromstring(again, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        return parsed
    except (etree.LxmlError, ParseError, DefusedXmlException, ValueError, TypeError, RecursionError):
        return None


def _unbound(name: str) -> tuple[str, str] | None:
    """(prefix, local name) of a name whose prefix was never declared."""
    if name.startswith("{") or ":" not in name:
        return None
    prefix, _, local = name.partition(":")
    return prefix, local


def _bind_prefixes(tree: etree._Element) -> None:
    """Give undeclared standard prefixes their namespace; drop elements and attributes of other ones."""
    for elem in list(tree.iter()):
        for name in list(elem.attrib):
            parts = _unbound(str(name))
            if parts is None:
                continue
            value = elem.attrib.pop(name)
            if parts[0] in STANDARD_PREFIXES:
                elem.set(clark(STANDARD_PREFIXES[parts[0]], parts[1]), value)
        parts = _unbound(str(elem.tag))
        if parts is None:
            continue
        if parts[0] in STANDARD_PREFIXES:
            elem.tag = clark(STANDARD_PREFIXES[parts[0]], parts[1])
        else:
            parent = elem.getparent()
            if parent is not None:
                parent.remove(elem)


def _iter_rdf(root: Element) -> Iterable[Element]:
    if root.tag == clark(RDF, "RDF"):
        yield root
        return
    yield from root.iter(clark(RDF, "RDF"))


def _is_meta(name: str) -> bool:
    return name.startswith("{" + RDF) or name.startswith("{" + XML_NS) or "{" not in name


def _add(props: XmpProperties, path: Path, value: str) -> None:
    props.values.setdefault(path, []).append(value)


def _read_description(desc: Element, path: Path, props: XmpProperties, depth: int) -> None:
    """Fields of an rdf:Description (or parseType="Resource" element): attributes then child elements."""
    if depth > MAX_DEPTH:
        return
    if path:  # a qualified value (rdf:value plus qualifiers) stands for its rdf:value
        value_attr = desc.get(clark(RDF, "value"))
        value_elem = desc.find(clark(RDF, "value"))
        if value_attr is not None:
            _add(props, path, value_attr)
            return
        if value_elem is not None:
            _read_value(value_elem, path, props, depth + 1)
            return
    for name, value in desc.attrib.items():
        if not _is_meta(name):
            if not path:
                props.values.pop((name,), None)  # a repeated simple property: the last one wins
            _add(props, (*path, name), value)
    for child in desc:
        if not _is_meta(child.tag):
            if not path and _is_simple(child):
                props.values.pop((child.tag,), None)
            _read_property(child, (*path, child.tag), props, depth + 1)


def _is_simple(elem: Element) -> bool:
    """A property holding one value (text, a resource or a language alternative), not a list or structure."""
    if elem.get(clark(RDF, "parseType")) == "Resource":
        return False
    children = list(elem)
    if not children:
        return elem.get(clark(RDF, "resource")) is not None or not any(not _is_meta(n) for n in elem.attrib)
    return len(children) == 1 and children[0].tag == clark(RDF, "Alt")


def _read_property(elem: Element, path: Path, props: XmpProperties, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    resource = elem.get(clark(RDF, "resource"))
    if resource is not None:
        _add(props, path, resource)
        return
    if elem.get(clark(RDF, "parseType")) == "Resource":
        _read_description(elem, path, props, depth)
        return
    children = list(elem)
    fields = [name for name in elem.attrib if not _is_meta(name)]
    if not children:
        if fields:  # struct in attribute shorthand
            _read_description(elem, path, props, depth)
        else:
            _add(props, path, elem.text or "")
        return
    for child in children:
        if child.tag == clark(RDF, "Alt"):
            # Only the default language is "the" value (as in ExifTool); other languages are variants.
            items = child.findall(clark(RDF, "li"))
            chosen = next(
                (li for li in items if li.get(clark(XML_NS, "lang"), "x-default") == "x-default"), None
            )
            if chosen is not None:
                _read_value(chosen, path, props, depth + 1)
        elif child.tag in (clark(RDF, "Seq"), clark(RDF, "Bag")):
            for li in child.findall(clark(RDF, "li")):
                _read_value(li, path, props, depth + 1)
        elif child.tag == clark(RDF, "Description"):
            _read_description(child, path, props, depth + 1)
        elif not _is_meta(child.tag):
            _read_property(child, (*path, child.tag), props, depth + 1)


def _read_value(li: Element, path: Path, props: XmpProperties, depth: int) -> None:
    """One list item: text, a nested container, or a structure."""
    if depth > MAX_DEPTH:
        return
    resource = li.get(clark(RDF, "resource"))
    if resource is not None:
        _add(props, path, resource)
        return
    if li.get(clark(RDF, "parseType")) == "Resource":
        _read_description(li, path, props, depth)
        return
    children = list(li)
    if not children:
        if any(not _is_meta(n) for n in li.attrib):
            _read_description(li, path, props, depth)
        else:
            _add(props, path, li.text or "")
        return
    for child in children:
        if child.tag == clark(RDF, "Description"):
            _read_description(child, path, props, depth + 1)
        elif child.tag in (clark(RDF, "Alt"), clark(RDF, "Seq"), clark(RDF, "Bag")):
            holder = Element("holder")
            holder.append(child)
            _read_property(holder, path, props, depth + 1)
        elif not _is_meta(child.tag):
            _read_property(child, (*path, child.tag), props, depth + 1)


@dataclass
class ExtendedXmp:
    """Chunks of extended XMP (JPEG APP1 "http://ns.adobe.com/xmp/extension/"), keyed by GUID."""

    chunks: dict[str, dict[int, bytes]] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)

    def add(self, payload: bytes) -> str | None:
        """Add one chunk (GUID, full length, offset, data); returns an error line or None."""
        if len(payload) < 40:
            return "XMP: extended XMP chunk too short"
        guid = payload[:32].decode("ascii", errors="replace")
        full = int.from_bytes(payload[32:36], "big")
        offset = int.from_bytes(payload[36:40], "big")
        data = payload[40:]
        if full > MAX_XMP_BYTES:
            return f"XMP: extended XMP of {full} bytes is larger than {MAX_XMP_BYTES}; skipped"
        if offset + len(data) > full:
            return f"XMP: extended XMP chunk at offset {offset} runs past its announced length {full}"
        self.lengths.setdefault(guid, full)
        self.chunks.setdefault(guid, {})[offset] = data
        return None

    def assemble(self, guid: str) -> tuple[bytes | None, str | None]:
        """The extended packet for a GUID, or an error line when chunks are missing."""
        chunks = self.chunks.get(guid)
        if not chunks:
            return None, f"XMP: extended XMP {guid} announced but not found"
        full = self.lengths[guid]
        buf = bytearray(full)
        covered = 0
        for offset in sorted(chunks):
            data = chunks[offset]
            buf[offset : offset + len(data)] = data
            covered += len(data)
        if covered < full:
            return bytes(buf), f"XMP: extended XMP {guid} is incomplete ({covered} of {full} bytes)"
        return bytes(buf), None
