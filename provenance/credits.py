"""Credit lines: recognise them, split them off captions, name the agency.

"AFP via Getty Images" is agency AFP distributed by Getty Images; "AP Photo/Sam
Lee" is agency AP, photographer Sam Lee; "REUTERS/Jane Doe" is Reuters.

The agency table is data (`AGENCIES`): canonical name -> aliases. A
`CreditParser` can be built with extra aliases (from configuration) without
touching this module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from provenance.model import Credit

AGENCIES: Mapping[str, tuple[str, ...]] = {
    "Getty Images": ("getty images", "getty", "gettyimages", "getty image"),
    "AP": ("ap", "associated press", "the associated press", "ap photo", "ap photos", "ap images"),
    "Reuters": ("reuters", "thomson reuters"),
    "AFP": ("afp", "agence france-presse", "agence france presse", "afp photo"),
    "EPA": ("epa", "epa-efe", "epa images", "european pressphoto agency"),
    "EFE": ("efe", "agencia efe"),
    "PA": ("pa", "pa images", "pa wire", "pa media", "press association", "pa archive"),
    "Shutterstock": ("shutterstock", "rex", "rex features", "rex shutterstock", "rex/shutterstock"),
    "Alamy": ("alamy", "alamy stock photo", "alamy live news"),
    "Bloomberg": ("bloomberg",),
    "Anadolu": ("anadolu", "anadolu agency", "anadolu ajansı", "anadolu via getty images", "aa"),
    "NurPhoto": ("nurphoto",),
    "Xinhua": ("xinhua", "xinhua news agency"),
    "The Canadian Press": ("the canadian press", "canadian press", "cp", "cp photo"),
    "NASA": ("nasa",),
    "dpa": ("dpa", "picture alliance", "picture-alliance", "dpa picture alliance"),
    "Imago": ("imago", "imago images"),
    "Keystone": ("keystone", "keystone-sda"),
    "ANP": ("anp",),
    "ANSA": ("ansa",),
    "Kyodo": ("kyodo", "kyodo news"),
    "Yonhap": ("yonhap",),
    "TASS": ("tass",),
    "Sipa": ("sipa", "sipa press", "sipa usa"),
    "ABACA": ("abaca", "abacapress"),
    "SOPA Images": ("sopa images", "sopa"),
    "ZUMA": ("zuma", "zuma press", "zuma wire"),
    "WENN": ("wenn",),
    "Bloomberg Creative": ("bloomberg creative",),
    "Polaris": ("polaris",),
    "Redux": ("redux",),
    "Magnum Photos": ("magnum", "magnum photos"),
    "Panos Pictures": ("panos", "panos pictures"),
}
"""Canonical agency name -> lower-case aliases that name it."""

GENERIC_SOURCES: Mapping[str, tuple[str, ...]] = {
    "Handout": ("handout", "handout photo", "courtesy", "handout via reuters"),
    "Pool": ("pool", "pool photo", "pool via reuters", "pool via ap"),
    "Supplied": ("supplied", "supplied photo", "file photo supplied"),
}
"""Credits that name no agency but say where the photo came from."""

DISTRIBUTORS = frozenset({"Getty Images", "Shutterstock", "Alamy", "Reuters", "AP", "AFP", "Imago", "dpa"})
"""Agencies that commonly distribute other agencies' photos ("X via Getty Images", "X/AFP")."""

_LEAD_WORDS = (
    r"photo(?:graph)?s?(?:\s*(?:by|credit|credits))?|pictures?(?:\s*by)?|images?(?:\s*(?:by|credit|source))?|"
    r"credits?|cr[ée]dits?(?:\s+photos?)?|copyright|courtesy(?:\s+of)?|source|photographie|"
    r"foto(?:s|grafie|graf|grafia|graf[ií]a|ğraf)?|fot\.|bild(?:er|quelle)?|quelle|beeld|bron|kuva|kilde|"
    r"fuente|fonte|imagen|zdroj|źródło|sumber|dok\.?|kaynak|ảnh|nguồn|"
    r"фото|снимок|источник|사진(?:\s*출처)?|출처|写真|撮影|提供|图片?(?:来源)?|摄影|फोटो|तस्वीर|सौजन्य|"
    r"صورة|تصوير|المصدر"
)
"""Words that introduce a credit ("Photo:", "Foto:", "Bild:", "Crédit photo :", "Фото:", "사진="...)."""

_PREFIX = re.compile(
    r"^\s*(?:(?:" + _LEAD_WORDS + r"|© ?|\(c\))\s*[:：|=＝]\s*"
    r"|(?:©|\(c\)|copyright\s+©?|(?:photo(?:graph)?s? by|pictures? by|credit|courtesy of)\b)\s*)",
    re.IGNORECASE,
)
"""Generic lead-ins of a credit: "Photo:", "Photograph:", "Credit:", "Image:", "©", "Foto:", "Bild:"..."""

_SEPARATORS = re.compile(r"\s*(?:/|\||;|,|\s[-–—]\s|\bvia\b|\bfor\b)\s*", re.IGNORECASE)
_STORY_SOURCE = re.compile(
    r"^\s*(?:sources?|additional reporting|reporting|reported|written|edited|with reporting|"
    r"compiled|fuente|quelle|mit material)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^\d{4}$")
_SENTENCE_INSIDE = re.compile(r"\w{3,}[.!?]\s+\S")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


def normalise(text: str) -> str:
    """Case-folded text with punctuation and runs of white space folded to single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _alias_index(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in table.items():
        index[_alias_key(name)] = name
        for alias in aliases:
            index[_alias_key(alias)] = name
    return index


def _alias_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = re.sub(r"[\s_]+", " ", text)
    return text.strip(" .,;:()[]\"'“”«»")


@dataclass(frozen=True)
class CreditParser:
    """Recognises credit lines with a given agency table."""

    agencies: Mapping[str, tuple[str, ...]]
    generic: Mapping[str, tuple[str, ...]]

    @classmethod
    def default(cls, extra: Mapping[str, Iterable[str]] | None = None) -> CreditParser:
        """The built-in table, extended by `extra` (canonical name -> aliases)."""
        agencies = {name: tuple(aliases) for name, aliases in AGENCIES.items()}
        for name, aliases in (extra or {}).items():
            agencies[name] = tuple(agencies.get(name, ())) + tuple(_alias_key(a) for a in aliases)
        return cls(agencies=agencies, generic=dict(GENERIC_SOURCES))

    @cached_property
    def _index(self) -> dict[str, str]:
        """Alias key -> canonical agency, built once per parser."""
        return _alias_index(self.agencies)

    @cached_property
    def _generic_index(self) -> dict[str, str]:
        """Alias key -> "Handout", "Pool" or "Supplied"."""
        return _alias_index(self.generic)

    def agency_of(self, token: str) -> str | None:
        """The agency a single token names: "AP Photo" -> "AP", "Getty Images Europe" -> "Getty Images"."""
        key = _alias_key(token)
        if not key:
            return None
        index = self._index
        if key in index:
            return index[key]
        # "Getty Images Europe", "AFP Photo", "Reuters Pictures": longest alias at the start
        words = key.split()
        for n in range(min(len(words), 4), 0, -1):
            head = " ".join(words[:n])
            # a short tail only ("Getty Images Europe", "AFP Photo"): "Reuters reported that" is a sentence
            if head in index and len(words) - n <= 2 and (len(head) > 2 or len(words) <= 2):
                return index[head]
        # "Getty Images for Xbox" handled by separators; "… Agency/Getty" by split
        return None

    def generic_of(self, token: str) -> str | None:
        """"Handout", "Pool" or "Supplied" when the token is one of those."""
        key = _alias_key(token)
        gen = self._generic_index
        if key in gen:
            return gen[key]
        first = key.split(" ")[0] if key else ""
        return gen.get(first) if first in ("handout", "pool", "supplied") else None

    def parse(self, raw: str) -> Credit:
        """Parse a credit line into agency, photographer and distributor."""
        text = " ".join(raw.split())
        body = strip_prefix(text)
        body = body.strip(" ()[]{}.,;:\"'“”")
        tokens = [t for t in _SEPARATORS.split(body) if t and t.strip()]
        agencies: list[str] = []
        people: list[str] = []
        for tok in tokens:
            tok = tok.strip(" ()[]\"'“”.")
            tok = re.sub(r"^(?:©|\(c\))\s*", "", tok, flags=re.IGNORECASE)
            tok = re.sub(r"^\d{4}\s+", "", tok)  # "© 2024 Getty Images"
            if not tok or _YEAR.match(tok):
                continue
            agency = self.agency_of(tok) or self.generic_of(tok)
            if agency:
                if agency not in agencies:
                    agencies.append(agency)
            elif _WORD.search(tok):
                people.append(tok)
        agency = agencies[0] if agencies else None
        distributor = None
        if len(agencies) > 1:
            distributor = agencies[-1]
            if agencies[0] in DISTRIBUTORS and agencies[-1] not in DISTRIBUTORS:
                agency, distributor = agencies[-1], agencies[0]
        photographer = people[0] if people else None
        return Credit(raw=text, agency=agency, photographer=photographer, distributor=distributor)

    def is_credit_line(self, line: str) -> bool:
        """True when a whole line is a photo credit ("Getty", "AP Photo/Jane Doe", "Photo: Name").

        Every part of the line must be an agency, a generic source or a short name: a sentence
        that mentions Reuters is not a credit line.
        """
        text = " ".join(line.split())
        if not text or len(text) > 120 or _STORY_SOURCE.match(text) or _SENTENCE_INSIDE.search(text):
            return False
        body = strip_prefix(text)
        had_prefix = body != text
        tokens = [t.strip(" ()[]\"'“”.") for t in _SEPARATORS.split(body.strip(" ()[]"))]
        tokens = [re.sub(r"^(?:©|\(c\))\s*(?:\d{4}\s+)?", "", t, flags=re.IGNORECASE) for t in tokens if t]
        agencies = 0
        for tok in tokens:
            if not tok or _YEAR.match(tok):
                continue
            if self.agency_of(tok) or self.generic_of(tok):
                agencies += 1
            elif len(tok.split()) > 4 or not _WORD.search(tok):
                return False
        return agencies > 0 or (had_prefix and bool(body))

    def split(self, caption: str) -> tuple[str, str | None]:
        """Split a credit off the end of a caption.

        "Smoke rises. Photo: Getty Images" -> ("Smoke rises.", "Getty Images")
        "Crowds gather (AP Photo/Sam Lee)" -> ("Crowds gather", "AP Photo/Sam Lee")
        "Flooded street. REUTERS/Jane Doe" -> ("Flooded street.", "REUTERS/Jane Doe")
        """
        text = " ".join(caption.split())
        if not text:
            return "", None
        # trailing parenthetical or bracketed credit
        m = re.search(r"[\(\[]([^()\[\]]{2,100})[\)\]]\s*\.?\s*$", text)
        if m and (self._credit_like(m.group(1))):
            return text[: m.start()].rstrip(" ,;:-–—|"), m.group(1).strip()
        # an explicit lead-in near the end: "... Photo: X", "... Foto: X", "... © X"
        for m in _LEAD_IN.finditer(text):
            tail = text[m.start():].strip()
            head = text[: m.start()].rstrip(" ,;:-–—|/")
            # "FILE PHOTO: Crowds gather..." labels an archive photo; a sentence after "Photo:" is no credit
            if re.search(r"\bfile\s*$", head, re.IGNORECASE) or _SENTENCE_INSIDE.search(tail):
                continue
            if len(tail) <= 100 and head and len(strip_prefix(tail).split()) <= 10:
                return head, tail
        # "... | Getty Images", "... / AFP", "... - REUTERS"
        m = re.search(r"\s(?:\||/|[-–—])\s([^|/]{2,80}(?:/[^|/]{2,60})?)$", text)
        if m and self._credit_like(m.group(1)):
            return text[: m.start()].rstrip(" ,;:"), m.group(1).strip()
        # "... REUTERS/Jane Doe", "... AP Photo/Sam Lee", "... Name/Getty Images"
        m = re.search(r"(?:^|[.!?»”\"]\s+|\s)((?:[\w.'’-]+\s){0,3}[\w.'’-]+/[\w.'’ -]{2,60})$", text)
        if m and self.parse(m.group(1)).agency and len(m.group(1).split()) <= 8:
            head = text[: m.start(1)].rstrip(" ,;:-–—")
            if head:
                return head, m.group(1).strip()
        # last sentence is nothing but an agency: "Protesters in Tehran. Getty Images"
        m = re.search(r"[.!?»”\"]\s+([^.!?]{2,60})$", text)
        if m and self.is_credit_line(m.group(1)) and self.parse(m.group(1)).agency:
            return text[: m.start() + 1].rstrip(), m.group(1).strip()
        return text, None

    def _credit_like(self, text: str) -> bool:
        text = text.strip()
        if _PREFIX.match(text):
            return True
        credit = self.parse(text)
        return credit.agency is not None and len(text.split()) <= 8


_LEAD_IN = re.compile(
    r"(?:(?<=\s)|(?<=[(\[（])|^)(?:" + _LEAD_WORDS + r")\s*[:：=＝]\s*\S[^:：]{0,90}$"
    r"|(?<=\s)(?:©|\(c\)\s)\s*\S[^©]{0,90}$",
    re.IGNORECASE,
)


def strip_prefix(text: str) -> str:
    """Remove generic lead-ins ("Photo:", "Credit:", "©") from a credit line."""
    previous = None
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text, count=1).strip()
    return text


def story_source_line(line: str) -> bool:
    """True for story-level lines such as "Source Agencies" or "Additional reporting by ..."."""
    return bool(_STORY_SOURCE.match(line))


def consistent(shown: Credit, embedded: Iterable[Credit]) -> bool | None:
    """Whether a shown credit agrees with the embedded ones.

    True when they share an agency (agency or distributor), False when both
    name agencies and none is shared, None when either side names none.
    """
    shown_agencies = {a for a in shown.agencies() if a not in GENERIC_SOURCES}
    embedded_agencies: set[str] = set()
    for credit in embedded:
        embedded_agencies |= {a for a in credit.agencies() if a not in GENERIC_SOURCES}
    if not shown_agencies or not embedded_agencies:
        return None
    return bool(shown_agencies & embedded_agencies)


ROLE_CREDITS = frozenset({
    "staff", "staff photo", "staff photographer", "staff photographers", "staff photograph", "staff image",
    "freelance", "freelance photographer", "contributor", "contributing photographer", "stringer",
    "file", "file photo", "handout", "pool", "supplied", "unknown", "unknown photographer", "anonymous",
})
"""Credit lines that name a role, not a person ("Staff photographer"): a credit, never a photographer."""

_NOT_PERSON = re.compile(
    r"\b(?:family|museum|archives?|collection|library|university|ministry|government|police|office|department|"
    r"council|agency|press|news|studio|studios|foundation|institute|company|ltd|inc|llc|gmbh|handout|courtesy|"
    r"staff|pool|file|photographer|photographers|contributor|stringer|freelance|unknown|anonymous|images?|"
    r"photos?|pictures?)\b",
    re.IGNORECASE,
)
_PARTICLES = frozenset({"de", "da", "di", "do", "dos", "das", "du", "del", "della", "der", "den", "van", "von",
                        "la", "le", "bin", "ibn", "al", "el", "y", "e", "ter", "ten", "zu", "st"})
_NAME_WORD = re.compile(r"^(?:[^\W\d_]\.|[^\W\d_]\.-?[^\W\d_]\.|[^\W\d_][^\W\d_]*(?:['’-][^\W\d_]+)*\.?)$")
_FUNCTION_WORDS = frozenset({
    "the", "a", "an", "in", "on", "of", "and", "or", "for", "to", "with", "at", "by", "from", "what", "why", "how",
    "who", "when", "where", "this", "that", "these", "those", "our", "your", "my", "its", "is", "are", "was",
    "new", "latest", "more", "read", "see", "also", "watch", "video", "pictures", "photos", "live", "update",
    "updates", "next", "top", "news", "related", "analysis", "comment", "opinion", "background", "timeline",
    "source", "sources", "agencies",
})
"""Words that mark a heading or a link ("What Happens Next", "Read More"), never a name."""


def bare_name(line: str) -> bool:
    """True when a line is a credit made of a bare name ("Jane Doe", "María José García", "J. Smith") or a
    role ("Staff photographer"), with no agency or lead-in; headings ("What Happens Next", "LATEST
    DEVELOPMENTS:") are not names."""
    text = " ".join(line.split())
    if not text or len(text) > 60:
        return False
    if _alias_key(text) in ROLE_CREDITS:
        return True
    words = text.split(" ")
    if not 2 <= len(words) <= 4 or text.isupper() or text[-1] in ":;,!?":
        return False
    named = 0
    for word in words:
        lower = word.casefold()
        if lower in _PARTICLES and named:
            continue
        if lower.strip(".") in _FUNCTION_WORDS or not _NAME_WORD.match(word) or not word[0].isupper():
            return False
        named += 1
    return named >= 2


def person_key(name: str) -> tuple[str, ...]:
    """A person's name as comparable words: accents, case and punctuation dropped, "Doe, Jane" read as
    "Jane Doe"."""
    text = " ".join(name.split())
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if last and first:
            text = f"{first} {last}"
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return tuple(re.findall(r"[^\W\d_]+", folded))


def is_person(name: str, parser: CreditParser) -> bool:
    """True when a name credited or embedded is a person's (two to five words), not an agency, an
    organisation, a role or a desk code."""
    text = " ".join(name.split())
    if not text or _alias_key(text) in ROLE_CREDITS or _NOT_PERSON.search(text):
        return False
    if parser.agency_of(text) or parser.generic_of(text):
        return False
    return 2 <= len(person_key(text)) <= 5  # one word is a desk code ("STR", "HO") or a surname alone


def same_person(a: str, b: str) -> bool:
    """True when two names can be the same person: the same words in any order and case, accents
    dropped, an initial standing for a name ("J. Smith", "Smith, John" and "JOHN SMITH" are John Smith)."""
    left, right = person_key(a), person_key(b)
    if not left or not right:
        return False
    short, long_ = (left, right) if len(left) <= len(right) else (right, left)
    free = list(long_)
    full = False
    for word in sorted(short, key=len, reverse=True):  # whole words first, then initials
        match = next((w for w in free if w == word), None)
        if match is None and len(word) == 1:
            match = next((w for w in free if w[0] == word), None)
        if match is None and len(word) > 1:
            match = next((w for w in free if len(w) == 1 and w == word[0]), None)
        if match is None:
            return False
        full = full or (len(word) > 1 and match == word)
        free.remove(match)
    return full
