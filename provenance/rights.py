"""Rights metadata: what an agency's instructions and usage terms demand.

IPTC Special Instructions (2:40, XMP photoshop:Instructions), xmpRights:UsageTerms and the PLUS
licensing fields carry an agency's conditions in words: "EMBARGOED UNTIL 00:01 GMT 10 DECEMBER
2026. MANDATORY CREDIT: REUTERS/Jane Doe. NO SALES. NO ARCHIVES." The wordings recognised are data
(`WORDINGS`: a kind, a pattern and examples that the tests read back). A text is cut into clauses
at sentence ends, semicolons, line breaks, bars and at the start of every recognised wording; what
follows a wording in its clause is its value (the embargo time, the demanded credit, the
territories). Embargo times are read by python-dateutil, time zones by abbreviation (`TIME_ZONES`)
or numeric offset; territories by ISO 3166 names and codes (pycountry) plus the names the press
uses (`TERRITORY_ALIASES`).

`Publisher` is who publishes, and where (the configuration's `territory` and `outlet`): it says
which restrictions apply to this publication.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import pycountry
from dateutil import parser as dateparser
from dateutil import tz

from provenance.model import Provenance, Restriction, RestrictionKind


@dataclass(frozen=True)
class Wording:
    """One way agencies write a condition."""

    kind: RestrictionKind
    """What it demands."""
    pattern: str
    """Regular expression (case-insensitive) matching the words that introduce it."""
    examples: tuple[str, ...]
    """Texts it is written as; the tests parse every one of them."""


K = RestrictionKind

WORDINGS: tuple[Wording, ...] = (
    Wording(K.EMBARGO, r"(?<!no )(?:strictly\s+)?(?:under\s+)?embargo(?:ed)?(?:\s+(?:until|till|to|before))?"
                       r"\s*[:\-–]?",
            ("EMBARGOED UNTIL 00:01 GMT 10 DECEMBER 2026", "EMBARGO: 2026-12-10T00:01Z",
             "Embargoed until 0001 GMT on December 10, 2026", "UNDER EMBARGO UNTIL 10 Dec 2026 00:01 CET",
             "EMBARGOED TO 00.01 BST, 10 December 2026", "STRICTLY EMBARGOED UNTIL 10/12/2026 00:01 GMT")),
    Wording(K.EMBARGO, r"not\s+(?:for\s+(?:publication|release|use)|to\s+be\s+(?:published|used|released))\s+"
                       r"(?:before|until|prior\s+to)\s*:?",
            ("NOT FOR PUBLICATION BEFORE 10 December 2026 05:00 EST",
             "Not to be published before December 10, 2026 at 12:01 a.m. ET")),
    Wording(K.EMBARGO, r"(?:do\s+not|don't)\s+(?:publish|use|release)\s+(?:before|until|prior\s+to)\s*:?",
            ("DO NOT PUBLISH BEFORE 2026-12-10 00:01 UTC",)),
    Wording(K.EMBARGO, r"no\s+(?:use|publication)\s+(?:before|until|prior\s+to)\s*:?",
            ("NO USE BEFORE 10 DECEMBER 2026 00:01 GMT",)),
    Wording(K.EMBARGO, r"hold\s+for\s+release(?:\s+(?:until|till|at))?\s*:?",
            ("HOLD FOR RELEASE UNTIL 10 DECEMBER 2026 00:01 GMT",)),
    Wording(K.MANDATORY_CREDIT, r"mandatory\s+(?:photo\s+)?(?:credit|byline)(?:\s+line)?(?:\s+required)?\s*[:\-–]?",
            ("MANDATORY CREDIT: REUTERS/Jane Doe", "Mandatory Credit: Photo by Jane Doe/Shutterstock (12345a)",
             "MANDATORY CREDIT")),
    Wording(K.MANDATORY_CREDIT, r"(?:credit|byline)\s+(?:must|should|to)\s+read\s*:?",
            ("CREDIT MUST READ: Jane Doe/AFP", "Credit should read Jane Doe/AFP")),
    Wording(K.MANDATORY_CREDIT, r"must\s+(?:credit|courtesy)\s*:?", ("MUST CREDIT: Jane Doe/Example Press",
                                                                     "MUST COURTESY the Doe family")),
    Wording(K.MANDATORY_CREDIT, r"(?:obligatory|compulsory|required)\s+credit\s*:?|credit\s+(?:is\s+)?"
                                r"(?:required|obligatory|compulsory)\s*:?",
            ("OBLIGATORY CREDIT: Jane Doe/EPA", "Credit required: Jane Doe")),
    Wording(K.MANDATORY_CREDIT, r"(?:please\s+)?credit\s+as\s*:?|please\s+credit\s*:?",
            ("Credit as U.S. Navy photo by Jane Doe", "Please credit: Jane Doe/Example Press")),
    Wording(K.TERRITORY, r"(?:no|not\s+for)\s+(?:use|publication|distribution|sale)\s+in(?:\s+the)?\s*:?",
            ("NO USE IN UK", "NOT FOR USE IN THE UNITED KINGDOM, IRELAND AND FRANCE", "NO PUBLICATION IN GERMANY",
             "NOT FOR SALE IN FRANCE")),
    Wording(K.EDITORIAL_USE_ONLY, r"(?:for\s+)?editorial\s+(?:use\s+)?only|(?:for\s+)?editorial\s+use|"
                                  r"not\s+for\s+(?:commercial|advertising)\s+use|no\s+(?:commercial|advertising)"
                                  r"(?:\s+use)?",
            ("EDITORIAL USE ONLY", "For editorial use only", "NOT FOR COMMERCIAL USE", "NO ADVERTISING")),
    Wording(K.NO_SALES, r"no\s+(?:re-?)?sales?|not\s*for\s*(?:re-?)?sale",
            ("NO SALES", "NO RESALES", "NOT FOR SALE", "NotForResale")),
    Wording(K.NO_ARCHIVE, r"no\s+archiv(?:es?|ing|al(?:\s+use)?)|(?:do\s+not|not\s+to\s+be)\s+archived?|"
                          r"not\s+for\s+archiv(?:e|ing|al\s+use)",
            ("NO ARCHIVES", "NO ARCHIVE", "Do not archive", "NO ARCHIVAL USE")),
    Wording(K.NO_ONLINE, r"no\s+(?:online|internet|web)(?:\s+use)?|not\s+for\s+(?:online|internet|web)(?:\s+use)?|"
                         r"print\s+(?:use\s+)?only|(?:online|internet|web)\s+out",
            ("NO ONLINE", "NO INTERNET USE", "PRINT ONLY", "INTERNET OUT")),
    Wording(K.OUTLET, r"(?<![\w-])out\s*:", ("OUT: UK", "OUT: The Daily Example", "OUT: UK, IRELAND")),
    Wording(K.KILLED, r"mandatory\s+kill\b|kill\s+(?:notice|advisory|order)\b|"
                      r"(?:this\s+)?(?:photo|image|picture)\s+(?:has\s+been\s+)?(?:killed|withdrawn|eliminated)|"
                      r"eliminat(?:e|ion)\s*:?\s*(?:this\s+)?(?:photo|image|picture)",
            ("MANDATORY KILL", "KILL NOTICE: the photo was manipulated", "This photo has been withdrawn",
             "ELIMINATE PHOTO")),
)
"""Every wording recognised, most specific first where two could start at the same word."""

SUFFIX_OUT = re.compile(r"^((?:[^\W\d_][\w'&.-]*\s+){0,3}[^\W\d_][\w'&.-]*)\s+out$", re.IGNORECASE)
"""A clause "<territories or media> OUT" ("UK OUT", "MAGS OUT", "LOCAL TELEVISION OUT")."""

TIME_ZONES: Mapping[str, int | str] = {
    "GMT": 0, "UTC": 0, "UT": 0, "Z": 0, "WET": 0, "BST": 3600, "WEST": 3600, "CET": 3600, "CEST": 7200,
    "MEZ": 3600, "MESZ": 7200, "EET": 7200, "EEST": 10800, "MSK": 10800, "GST": 14400, "IST": 19800,
    "HKT": 28800, "SGT": 28800, "AWST": 28800, "JST": 32400, "KST": 32400, "AEST": 36000, "AEDT": 39600,
    "NZST": 43200, "NZDT": 46800, "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000,
    "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200,
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
}
"""Time zone abbreviations of embargo times: seconds east of UTC, or an IANA zone (daylight saving by date).
IST is India's (agencies write "GMT+1" or "BST" for British summer time); a time with no zone is UTC."""

TERRITORY_ALIASES: Mapping[str, str] = {
    "uk": "GB", "u.k.": "GB", "u.k": "GB", "britain": "GB", "great britain": "GB", "united kingdom": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "us": "US", "u.s.": "US", "u.s": "US", "usa": "US", "u.s.a.": "US", "america": "US", "united states": "US",
    "uae": "AE", "holland": "NL", "the netherlands": "NL", "russia": "RU", "south korea": "KR", "korea": "KR",
    "north korea": "KP", "vietnam": "VN", "syria": "SY", "iran": "IR", "taiwan": "TW", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "laos": "LA", "moldova": "MD", "czech republic": "CZ",
    "ivory coast": "CI", "turkey": "TR", "hong kong": "HK", "macau": "MO", "vatican": "VA",
}
"""Territory names the press uses that ISO 3166 spells otherwise."""

MEDIA_WORDS = frozenset({
    "tv", "television", "local", "mags", "magazines", "magazine", "print", "newspapers", "books", "book",
    "broadcast", "broadcasters", "video", "social", "media", "wire", "agency", "agencies", "third", "party",
    "parties", "calendars", "posters", "advertising", "merchandise", "sales", "trade", "tabloids",
})
"""Words naming a medium, not a territory or an outlet ("TV OUT", "MAGS OUT", "LOCAL PRINT OUT")."""

ONLINE_WORDS = frozenset({"online", "internet", "web", "digital", "websites", "website"})
"""Words naming online publication ("INTERNET OUT")."""

_COMPILED = re.compile("|".join(f"(?P<w{i}>(?<![\\w-]){w.pattern})" for i, w in enumerate(WORDINGS)), re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;\n|]+|\s[-–—]\s|\.(?=\s+[^\W\d_])")
_NO_SENTENCE_END = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
                              "st", "mt", "ft", "dr", "mr", "mrs", "ms", "jr", "sr", "no", "nos", "approx"})
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?",
                  re.IGNORECASE)
_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b|(?<=:\d\d)\s?([+-])(\d{2}):?(\d{2})\b",
                     re.IGNORECASE)
_ZONE = re.compile(r"(?<![\w/])(" + "|".join(sorted(TIME_ZONES, key=len, reverse=True)) + r")(?![\w/])",
                   re.IGNORECASE)
_DOTTED_TIME = re.compile(r"(?<![.\d])(\d{1,2})[.h](\d{2})(?![.\d])")
_FOUR_DIGIT_TIME = re.compile(r"(?<![\d:./-])([01]\d|2[0-3])([0-5]\d)(?=\s*(?:hrs?|h|hours|" +
                              "|".join(TIME_ZONES) + r")\b)", re.IGNORECASE)
_ITEM_SPLIT = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|\+)\s*", re.IGNORECASE)
MAX_TEXT = 10_000
"""Characters of one field that are read: agencies' instructions are a few hundred."""
MAX_WORDING = 300
"""Longest wording kept in a `Restriction` (and quoted in messages); longer ones are cut with "..."."""
MAX_CREDIT_WORDS = 10
"""Most words of a demanded credit; a longer text after "MANDATORY CREDIT" is a sentence, and the
embedded credit line is what is demanded."""
MAX_TIME_TEXT = 200
"""Characters after an embargo wording that are read as its time."""
_NO_EMBARGO = re.compile(r"(?:(?:is|has\s+been|now)\s+)?(?:lifted|none|n/?a|no)\b", re.IGNORECASE)
"""What after "EMBARGO" says there is none ("EMBARGO LIFTED", "Embargo: none")."""
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_PLUS_NOT_REQUIRED = re.compile(r"(?:^|[/#-])CR-NRQ$|^not\s+required$", re.IGNORECASE)


def parse_terms(text: str, field: str) -> tuple[Restriction, ...]:
    """Every condition the text states, in the order written; `field` names where it was read."""
    found: list[Restriction] = []
    text = _CONTROL.sub(" ", text[:MAX_TEXT])
    for clause in _clauses(text):
        matches = list(_COMPILED.finditer(clause))
        if not matches:
            suffix = SUFFIX_OUT.match(clause) if len(clause) <= MAX_WORDING else None
            if suffix:
                found.extend(_out(suffix.group(1), " ".join(clause.split()), field))
            continue
        for n, m in enumerate(matches):
            end = matches[n + 1].start() if n + 1 < len(matches) else len(clause)
            wording = WORDINGS[int(str(m.lastgroup)[1:])]
            value = clause[m.end():end].strip(" \t:,.-–")
            whole = " ".join(clause[m.start():end].strip(" \t,.;").split())
            found.extend(_restrictions(wording.kind, value, whole, field))
    return tuple(dict.fromkeys(found))


def restrictions_of(meta: Provenance) -> tuple[Restriction, ...]:
    """What an image's instructions, usage terms and PLUS fields demand."""
    found: list[Restriction] = []
    for field in ("instructions", "usage_terms", "other_constraints"):
        text = getattr(meta, field)
        if text:
            found.extend(parse_terms(text, field))
    required = meta.credit_line_required
    if required and not _PLUS_NOT_REQUIRED.search(required.strip()):
        found.append(Restriction(K.MANDATORY_CREDIT, " ".join(_CONTROL.sub(" ", required).split()),
                                 "credit_line_required"))
    return tuple(dict.fromkeys(found))


def _clauses(text: str) -> list[str]:
    """The text cut at sentence ends (not after an initial or an abbreviation), semicolons, breaks, bars."""
    clauses: list[str] = []
    start = 0
    for m in _CLAUSE_BREAK.finditer(text):
        if m.group(0) == ".":
            before = re.findall(r"[^\W\d_]+", text[start:m.start()][-12:])
            if not before or len(before[-1]) == 1 or before[-1].casefold() in _NO_SENTENCE_END:
                continue
        clauses.append(text[start:m.start()])
        start = m.end()
    clauses.append(text[start:])
    return [c.strip(" \t.,") for c in clauses if c.strip(" \t.,")]


def _restrictions(kind: RestrictionKind, value: str, whole: str, field: str) -> list[Restriction]:
    whole = whole if len(whole) <= MAX_WORDING else whole[:MAX_WORDING - 3].rstrip() + "..."
    if kind is K.EMBARGO:
        if _NO_EMBARGO.match(value):
            return []
        when = embargo_time(value[:MAX_TIME_TEXT])
        return [Restriction(kind, whole, field, value=when.isoformat() if when else None)]
    if kind is K.MANDATORY_CREDIT:
        if len(value.split()) > MAX_CREDIT_WORDS:  # a sentence about the credit, not its wording
            return [Restriction(kind, whole, field)]
        credit = re.sub(r"\s*\((?=[^)]*\d)[\w-]{3,}\)\s*$", "", value).strip(" \"'“”")  # a picture-desk id
        return [Restriction(kind, whole, field, value=credit or None)]
    if kind is K.TERRITORY:
        return [Restriction(kind, whole, field, places=_places(value[:MAX_WORDING]))]
    if kind is K.OUTLET:
        return _out(value[:MAX_WORDING], whole, field)
    return [Restriction(kind, whole, field)]


def _out(value: str, whole: str, field: str) -> list[Restriction]:
    """ "OUT: UK, The Daily Example" or "UK OUT": territories, online media and outlets."""
    places: list[str] = []
    others: list[str] = []
    online = False
    for item in (i.strip(" .") for i in _ITEM_SPLIT.split(value)):
        if not item:
            continue
        words = set(_words(item))
        code = territory_code(item)
        if words & ONLINE_WORDS:
            online = True
        elif code is not None and not words & MEDIA_WORDS:
            places.append(code)
        else:
            others.append(item)
    found = []
    if places:
        found.append(Restriction(K.TERRITORY, whole, field, places=tuple(dict.fromkeys(places))))
    if online:
        found.append(Restriction(K.NO_ONLINE, whole, field))
    if others:
        found.append(Restriction(K.OUTLET, whole, field, value=", ".join(others)))
    return found


def _places(value: str) -> tuple[str, ...]:
    codes = [territory_code(item) for item in _ITEM_SPLIT.split(value) if item.strip()]
    return tuple(dict.fromkeys(c for c in codes if c))


def territory_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a territory name or code stands for ("UK" -> "GB"), or None."""
    text = " ".join(name.split()).strip(" .,;:()")
    key = text.casefold()
    if key in TERRITORY_ALIASES:
        return TERRITORY_ALIASES[key]
    if len(text) <= 3 and not text.isupper():  # "no", "in": words, not codes
        return None
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    if key.startswith("the "):
        return territory_code(text[4:])
    return None


def embargo_time(text: str) -> dt.datetime | None:
    """When an embargo lifts, in UTC, from the words after "EMBARGOED UNTIL"; None when no whole date
    (day, month and year) can be read. A time without a zone is read as UTC."""
    text = " ".join(text.split())
    if not text:
        return None
    iso = _ISO.search(text)
    if iso:
        stamp = re.sub(r"\s*(?=[Zz+-]\d*[:\d]*$)", "", iso.group(0).strip()).replace(" ", "T", 1)
        named = _ZONE.search(text[iso.end():])
        try:
            when = dateparser.isoparse(stamp.upper().replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            return None
        return _utc(when, _zone(named.group(1).upper()) if named else None)
    zone: dt.tzinfo | None = None
    offset = _OFFSET.search(text)
    if offset:
        sign, hours, minutes = (offset.group(1), offset.group(2), offset.group(3)) if offset.group(1) else (
            offset.group(4), offset.group(5), offset.group(6))
        seconds = int(hours) * 3600 + int(minutes or 0) * 60
        zone = dt.timezone(dt.timedelta(seconds=-seconds if sign == "-" else seconds))
        text = text[:offset.start()] + " " + text[offset.end():]
    text = _FOUR_DIGIT_TIME.sub(r"\1:\2", _DOTTED_TIME.sub(r"\1:\2", text))
    named = _ZONE.search(text)
    if named:
        if zone is None:
            zone = _zone(named.group(1).upper())
        text = text[:named.start()] + " " + text[named.end():]
    text = re.sub(r"\bmidnight\b", "00:00", re.sub(r"\bnoon\b", "12:00", text, flags=re.I), flags=re.I)
    text = text.casefold()  # upper-case words would be taken for time zone names
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = dateparser.parse(text, fuzzy=True, dayfirst=True, default=dt.datetime(1900, 1, 1))
            second = dateparser.parse(text, fuzzy=True, dayfirst=True, default=dt.datetime(1904, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None  # a part of the date is missing
    return _utc(first, zone)


def _zone(name: str) -> dt.tzinfo | None:
    value = TIME_ZONES.get(name)
    if isinstance(value, int):
        return dt.timezone(dt.timedelta(seconds=value))
    return tz.gettz(value) if value else None


def _utc(when: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone or dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    return re.findall(r"[a-z0-9]+", folded)


@dataclass(frozen=True)
class Publisher:
    """Who publishes the checked articles, and where: what territory and outlet restrictions are
    checked against (the configuration's `territory` and `outlet`)."""

    territory: str | None = None
    """ISO 3166-1 alpha-2 code of the territory published in ("GB"); None: not known."""
    outlet: str | None = None
    """The publication's name ("The Daily Example"); None: not known."""

    def applies(self, restriction: Restriction) -> str | None:
        """Why `restriction` forbids this publication ("territory GB"), or None when it does not, or
        cannot be checked."""
        if restriction.kind is K.TERRITORY and self.territory and self.territory in restriction.places:
            return f"territory {self.territory}"
        if restriction.kind is K.OUTLET and self.outlet and restriction.value:
            mine = _outlet_key(self.outlet)
            for item in _ITEM_SPLIT.split(restriction.value):
                if mine and _outlet_key(item) == mine:
                    return f"outlet {self.outlet}"
        return None


def _outlet_key(name: str) -> str:
    words = _words(name)
    return " ".join(words[1:] if words[:1] == ["the"] else words)
