"""Split a credit off the end of a caption, as captions are written in any language.

The credit parser (`provenance.credits`) knows lead-ins ("Photo:", "Foto:") and agencies;
this module adds the conventions that name no agency: a short name in parentheses at the
end, after a final `|` or ` / `, after the last sentence, or a last sentence holding an
e-mail address.
"""

from __future__ import annotations

import re

from provenance.credits import CreditParser

_PIPE_TAIL = re.compile(r"\s[|]\s*([^|]{2,80})$")
_CONTACT_TAIL = re.compile(r"(?<=[.!?])\s+([^.!?]*\b[\w.+-]+@[\w-]+\.[\w.]+)\s*$")
"""A last sentence holding an e-mail address: the photographer's contact, i.e. the credit."""
_SLASH_TAIL = re.compile(r"\s/\s+([^/]{2,60})$")
_TRAILING_PAREN = re.compile(r"\s*[(（\[]([^()（）\[\]]{2,60})[)）\]]\s*\.?\s*$")
_TRAILING_NAME = re.compile(r"(?<=[.!?。»\"”)])\s+([^.!?。]{2,40})$")
_CHAIN_TAIL = re.compile(r"(?<=[.!?。»\"”)])\s+((?:[^.!?。|/]{2,40}[|/]\s*)+[^.!?。|/]{2,40}?)\s*\.?\s*$")
"""A last sentence that is a chain of names joined by `|` or `/`, perhaps ended by a period
("... en Managua. Carlos Herrera | Archivo | Confidencial.")."""
_SENTENCE_END = re.compile(r"[.!?。»\"”…]$")
NOT_CREDITS = frozenset(
    {
        "archiv", "archivbild", "archivfoto", "symbolbild", "symbolfoto", "file", "file photo", "file image",
        "file picture", "archive", "archives", "archive photo", "left", "right", "center", "centre", "l",
        "r", "m", "li", "re", "v l", "v r", "video", "photo", "foto", "illustration", "graphic", "grafik",
        "screenshot", "handout photo",
    }
)  # fmt: skip
"""Parenthetical tails that say what a photo is, not who made it."""


def name_like(text: str) -> bool:
    """True for a short name-like line ("Lorenzo Marina", "Unsplash/Kelly Sikkema", "연합뉴스"), not prose."""
    text = text.strip(" ()[]（）")
    words = text.split()
    if not words or len(words) > 6 or len(text) > 60:
        return False
    if _SENTENCE_END.search(text) and not re.search(r"\b[A-Z]\.$", text):
        return False
    if text[0].islower() or text.isdigit() or re.fullmatch(r"[\d\s.,:/-]+", text):
        return False
    return re.sub(r"\W+", " ", text.casefold()).strip() not in NOT_CREDITS


def split_caption(caption: str, parser: CreditParser) -> tuple[str | None, str | None]:
    """Split a trailing credit off a caption.

    First the credit parser's rules (lead-ins, agencies, "AP Photo/Name"), then the conventions
    captions share in every language: a short name in parentheses at the end, a short name after
    a final `|`, a chain of short names joined by `|` or `/` after the last sentence, or a short name
    standing alone after the last sentence ("... 있다. 연합뉴스").
    """
    head, credit = parser.split(caption)
    if credit:
        return head or None, credit
    m = _TRAILING_PAREN.search(caption)
    head = caption[: m.start()] if m else ""
    if m and name_like(m.group(1)) and (len(head.split()) >= 2 or len(head) >= 8):
        return head.rstrip(" ,;:-–—") or None, m.group(1).strip()
    m = _PIPE_TAIL.search(caption)
    if m and len(m.group(1).split()) <= 6 and not m.group(1).rstrip().endswith((".", "!", "?")):
        return caption[: m.start()].rstrip() or None, m.group(1).strip()
    m = _SLASH_TAIL.search(caption)
    short = m is not None and len(m.group(1).split()) <= 4
    if m and short and name_like(m.group(1)) and len(caption[: m.start()].split()) >= 3:
        return caption[: m.start()].rstrip() or None, m.group(1).strip()
    m = _CONTACT_TAIL.search(caption)
    if m and len(m.group(1).split()) <= 12:
        return caption[: m.start(1)].rstrip() or None, m.group(1).strip()
    m = _CHAIN_TAIL.search(caption)
    if m and len(caption[: m.start()].split()) >= 3:
        parts = [p.strip() for p in re.split(r"[|/]", m.group(1))]
        names = [p for p in parts if name_like(p) and len(p.split()) <= 4]
        labels = [p for p in parts if re.sub(r"\W+", " ", p.casefold()).strip() in NOT_CREDITS]  # "| Archivo |"
        if names and len(names) + len(labels) == len(parts):
            return caption[: m.start()].rstrip(), m.group(1).strip()
    m = _TRAILING_NAME.search(caption)
    if m and name_like(m.group(1)) and len(m.group(1).split()) <= 4:
        head = caption[: m.start()].rstrip()
        if len(head.split()) >= 3 or len(head) >= 12:
            return head, m.group(1).strip()
    return caption, None
