"""Turn an HTML page's bytes into text the way a careful browser would.

Order of trust: a byte-order mark, then the charset the page declares (in the
first few kilobytes: `<meta charset>` or `<meta http-equiv content-type>`),
then UTF-8, then cp1252. A declaration is not believed blindly: newsroom
exports often declare latin-1 while writing UTF-8, and invalid bytes must never
stop the check, so every path ends in a lossless-enough decode with U+FFFD
for what cannot be read.
"""

from __future__ import annotations

import codecs
import re

_SNIFF_BYTES = 4096
"""How far into the file a charset declaration is looked for (the standard says 1024; pages are sloppier)."""

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""",
    re.IGNORECASE,
)

_SINGLE_BYTE = frozenset({"iso8859-1", "cp1252", "iso8859-15", "ascii"})
"""Declared encodings under which valid multi-byte UTF-8 is almost certainly a mislabelled UTF-8 file."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def declared_charset(data: bytes) -> str | None:
    """The codec name a page declares in its first kilobytes, None when it declares none we know."""
    m = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if not m:
        return None
    label = m.group(1).decode("ascii", "replace").strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # Browsers treat latin-1 and ascii labels as windows-1252, which decodes 0x80-0x9F to letters.
    if name in ("iso8859-1", "ascii"):
        return "cp1252"
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a byte stream read as ASCII-compatible cannot really be UTF-16
    return name


def decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """Decode page bytes: returns the text, the encoding used and warnings (empty when clean)."""
    warnings: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, errors="replace")
            if "\ufffd" in text:
                warnings.append(f"bytes that are not valid {encoding} were replaced")
            return text, encoding, warnings
    declared = declared_charset(data)
    if declared is not None and declared != "utf-8":
        if declared in _SINGLE_BYTE and not data.isascii() and _valid_utf8(data):
            warnings.append(f"the page declares {declared} but is written in UTF-8; read as UTF-8")
            return data.decode("utf-8"), "utf-8", warnings
        try:
            return data.decode(declared), declared, warnings
        except UnicodeDecodeError:
            warnings.append(f"the page declares {declared} but is not valid {declared}")
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    if declared in (None, "utf-8"):
        # Mostly UTF-8 with a few broken bytes: keep UTF-8 and replace them; else it is a legacy file.
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        has_utf8 = any(ord(ch) > 127 and ch != "\ufffd" for ch in text)
        if has_utf8 and bad <= max(8, len(data) // 1000):
            warnings.append(f"{bad} invalid UTF-8 byte sequence(s) replaced")
            return text, "utf-8", warnings
    warnings.append("not valid UTF-8; read as cp1252")
    return data.decode("cp1252", errors="replace"), "cp1252", warnings


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
