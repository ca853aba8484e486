"""Dates as the inputs write them: web pages, embedded metadata, captions' ISO values, the command line.

One home for the parsers; each says which dialect it reads and returns None for what is not a date.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as dateparser

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def page_date(value: str | None) -> str | None:
    """An ISO 8601 rendering of a date as web pages write it (meta tags, JSON-LD, `<time>`); None when it is
    not a date."""
    if not value:
        return None
    value = value.strip()[:64]
    if _DATE_ONLY.match(value):
        return value
    candidate = value.replace("Z", "+00:00").replace(" ", "T", 1)
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", candidate)
    candidate = re.sub(r"\.(\d{1,6})\d*", r".\1", candidate)
    try:
        return dt.datetime.fromisoformat(candidate).isoformat()
    except ValueError:
        pass
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
    return m.group(1) if m else None


_METADATA_DATE = re.compile(
    r"\s*(\d{4})(?:[:-](\d{2})(?:[:-](\d{2}))?)?"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?)?\s*(Z|[-+]\d{2}:?\d{2})?\s*$"
)


def metadata_date(value: str) -> str | None:
    """ExifTool-style ("2004:06:21 23:37:53.06+02:00") or XMP dates as ISO 8601; None if not a date."""
    m = _METADATA_DATE.match(value)
    if not m:
        return None
    year, month, day, hh, mm, ss, frac, tz = m.groups()
    if year == "0000" or month == "00":
        return None
    out = year + (f"-{month}" if month else "") + (f"-{day}" if day else "")
    if hh is not None and day:
        out += f"T{hh}:{mm}:{ss or '00'}{frac or ''}"
        if tz:
            if tz == "Z":
                tz = "+00:00"
            elif ":" not in tz:
                tz = tz[:3] + ":" + tz[3:]
            out += tz
    return out


def calendar_date(value: str | None) -> dt.date | None:
    """The calendar date at the start of an ISO 8601 (or EXIF-style "2024:07:31") value."""
    if not value:
        return None
    m = re.match(r"\s*(\d{4})[-:](\d{2})[-:](\d{2})", value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def utc_instant(value: str | None) -> dt.datetime | None:
    """An ISO 8601 date or time as an aware UTC datetime (a time without a zone is taken as UTC); None when
    it is not one."""
    if not value or not value.strip():
        return None
    try:
        when = dateparser.isoparse(value.strip())
    except (ValueError, OverflowError):
        return None
    return when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when.astimezone(dt.timezone.utc)
