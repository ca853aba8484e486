"""Reconcile EXIF, IPTC and XMP the way the Metadata Working Group guidance says.

The rules are those of ExifTool's MWG composite tags (Image::ExifTool::MWG),
because that is the reading agencies and newsrooms compare against:

* Creator, Copyright, Description: a non-blank EXIF value wins. Otherwise the
  XMP value wins when there is no standard IPTC, or when XMP exists and the
  IPTCDigest is absent or matches the IPTC (XMP and IPTC are in sync).
  Otherwise the IPTC value is used, replaced by the XMP value when the IPTC one
  was cut at its length limit (32/128/2000 bytes) and XMP holds the whole.
* City, State, Country: the same without EXIF; XMP means
  Iptc4xmpExt:LocationShown when present, else the legacy photoshop property.
* DateTimeOriginal: EXIF (with sub-seconds and offset), else XMP
  photoshop:DateCreated under the same digest rule, else IPTC date and time.

"Standard IPTC" means IPTC where the MWG puts it (JPEG APP13, TIFF IFD0, PSD);
IPTC elsewhere (a PNG text profile, say) does not take part in these rules,
exactly as in ExifTool. Fields the MWG does not cover (credit, source,
headline, the creator's job title) prefer XMP over IPTC: the XMP copy is never
cut at a length limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MwgValue = str | list[str] | None


@dataclass(frozen=True)
class Chosen:
    """A reconciled value and where it came from."""

    value: str | list[str]
    origin: str
    """"EXIF", "IPTC" or "XMP"."""


def _blank(value: MwgValue) -> bool:
    """Perl's `!~ /^ *$/` test negated: None or only spaces (a list is never blank)."""
    if value is None:
        return True
    if isinstance(value, list):
        return False
    return re.fullmatch(r" *", value) is not None


def _truthy(value: MwgValue) -> bool:
    """Perl truth of a scalar or list reference."""
    if value is None:
        return False
    if isinstance(value, list):
        return True
    return value not in ("", "0")


def recover_truncated(iptc: MwgValue, xmp: MwgValue, limit: int) -> tuple[MwgValue, bool]:
    """ExifTool's RecoverTruncatedIPTC; the flag says whether XMP text replaced IPTC text."""
    if xmp is None:
        return iptc, False
    if isinstance(iptc, list):
        xmps = xmp if isinstance(xmp, list) else [xmp]
        out: list[str] = []
        used = False
        for i, value in enumerate(iptc):
            other = xmps[i] if i < len(xmps) else None
            fixed, flag = recover_truncated(value, other, limit)
            out.append(fixed if isinstance(fixed, str) else value)
            used = used or flag
        return out, used
    if iptc is not None and len(iptc.encode("utf-8")) == limit:
        full = xmp[0] if isinstance(xmp, list) else xmp
        full_bytes = full.encode("utf-8")
        if len(full_bytes) > limit and iptc.encode("utf-8") == full_bytes[:limit]:
            return full, True
    return iptc, False


@dataclass(frozen=True)
class Digests:
    """IPTC digests: the one computed from the standard IPTC block, and the one stored."""

    current: str | None
    """MD5 of the standard IPTC block; None when the file has no standard IPTC."""
    stored: str | None
    """Photoshop IPTCDigest resource; None when absent."""

    def xmp_in_sync(self, xmp: MwgValue) -> bool:
        """The condition under which the XMP value wins over IPTC."""
        return self.current is None or (
            xmp is not None and (self.stored is None or self.current == self.stored)
        )


def _nonempty_origin(value: MwgValue, origin: str) -> Chosen | None:
    if value is None:
        return None
    return Chosen(value, origin)


def exif_iptc_xmp(
    exif: MwgValue, iptc: MwgValue, xmp: MwgValue, digests: Digests, limit: int
) -> Chosen | None:
    """Creator, Copyright, Description."""
    if not _blank(exif):
        return _nonempty_origin(exif, "EXIF")
    if digests.xmp_in_sync(xmp):
        return _nonempty_origin(xmp, "XMP")
    value, recovered = recover_truncated(iptc, xmp, limit)
    return _nonempty_origin(value, "XMP" if recovered else "IPTC")


def location(
    iptc: MwgValue, xmp_legacy: MwgValue, xmp_shown: MwgValue, digests: Digests, limit: int
) -> Chosen | None:
    """City, State, Country."""
    xmp = xmp_shown if _truthy(xmp_shown) else xmp_legacy
    if digests.xmp_in_sync(xmp):
        return _nonempty_origin(xmp, "XMP")
    value, recovered = recover_truncated(iptc, xmp, limit)
    return _nonempty_origin(value, "XMP" if recovered else "IPTC")


def date_time_original(
    exif_subsec: str | None,
    exif: str | None,
    iptc_date: str | None,
    iptc_time: str | None,
    xmp: str | None,
    digests: Digests,
) -> Chosen | None:
    """DateTimeOriginal, as ExifTool-formatted text ("YYYY:MM:DD HH:MM:SS..." or ISO from XMP)."""
    exists = (
        exif_subsec is not None
        or exif is not None
        or _truthy(iptc_date)
        or (
            xmp is not None
            and (digests.current is None or digests.stored is None or digests.current == digests.stored)
        )
    )
    if not exists:
        return None
    if exif_subsec is not None and not re.fullmatch(r"[: ]*", exif_subsec):
        return Chosen(exif_subsec, "EXIF")
    if exif is not None and not re.fullmatch(r"[: ]*", exif):
        return Chosen(exif, "EXIF")
    if digests.current is None or (
        xmp is not None and (digests.stored is None or digests.current == digests.stored)
    ):
        return _nonempty_origin(xmp, "XMP")
    if _truthy(iptc_date):
        assert iptc_date is not None
        return Chosen(f"{iptc_date} {iptc_time}" if _truthy(iptc_time) else iptc_date, "IPTC")
    return None


def keywords(iptc: MwgValue, xmp: MwgValue, digests: Digests) -> Chosen | None:
    """Keywords (IPTC 2:25, XMP dc:subject): XMP when in sync with IPTC, as for the other MWG fields."""
    if digests.xmp_in_sync(xmp):
        return _nonempty_origin(xmp, "XMP")
    return _nonempty_origin(iptc, "IPTC")


def xmp_then_iptc(iptc: MwgValue, xmp: MwgValue) -> Chosen | None:
    """Fields outside the MWG rules: the XMP value when present, else IPTC."""
    if xmp is not None:
        return Chosen(xmp, "XMP")
    return _nonempty_origin(iptc, "IPTC")


def exif_subsec_datetime(dto: str | None, subsec: str | None, offset: str | None) -> str | None:
    """ExifTool's Composite:SubSecDateTimeOriginal: DateTimeOriginal plus sub-seconds and offset."""
    if dto is None:
        return None
    value = dto
    if subsec is not None:
        digits = re.match(r"\s*(\d+)", subsec)
        if digits:
            value = re.sub(r"( \d{2}:\d{2}:\d{2})(?!\.\d+)", r"\g<1>." + digits.group(1), value, count=1)
    if offset is not None and not re.search(r"[-+]", dto):
        m = re.match(r"\s*([-+])(\d{1,2}):(\d{2})", offset)
        if m:
            value += f"{m.group(1)}{int(m.group(2)):02d}:{m.group(3)}"
    return value


def split_artist(value: str) -> str | list[str]:
    """ExifTool's MWG StringToList: EXIF Artist "a; b" is the list [a, b]; quotes protect "; "."""
    vals: list[str] = []
    in_quotes = False
    for part in value.split("; "):
        was_quotes = in_quotes
        if not in_quotes and part.startswith('"'):
            in_quotes = True
            part = part[1:]
        if in_quotes:
            m = re.search(r'((?:^|[^"])(?:"")*)"$', part)
            if m:
                in_quotes = False
                part = part[: m.start()] + m.group(1)
            part = part.replace('""', '"')
        if was_quotes and vals:
            vals[-1] += "; " + part
        else:
            vals.append(part)
    return vals if len(vals) > 1 else vals[0]
