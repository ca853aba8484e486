"""Every rule, listed explicitly: one module per rule, each with a stable code and name."""

from __future__ import annotations

from provenance.rules import (
    caption_repeats_body,
    credit_mismatch,
    embargoed_photo,
    invalid_content_credentials,
    killed_photo,
    mandatory_credit,
    missing_alt_text,
    missing_caption,
    missing_credit,
    missing_image,
    photographer_mismatch,
    previously_published,
    remote_image,
    repeated_caption,
    restricted_photo,
    reused_photo,
    stale_photo,
    undisclosed_ai_image,
    unreadable_image,
    unused_image,
)
from provenance.rules.base import CheckContext, Rule

ALL_RULES: tuple[Rule, ...] = (
    missing_credit.RULE,
    credit_mismatch.RULE,
    missing_caption.RULE,
    repeated_caption.RULE,
    caption_repeats_body.RULE,
    reused_photo.RULE,
    missing_image.RULE,
    unused_image.RULE,
    unreadable_image.RULE,
    undisclosed_ai_image.RULE,
    stale_photo.RULE,
    invalid_content_credentials.RULE,
    previously_published.RULE,
    remote_image.RULE,
    embargoed_photo.RULE,
    mandatory_credit.RULE,
    restricted_photo.RULE,
    photographer_mismatch.RULE,
    missing_alt_text.RULE,
    killed_photo.RULE,
)
"""Every rule, in code order."""


def find_rule(name_or_code: str) -> Rule | None:
    """The rule with this name ("missing-credit") or code ("PV001"), case-insensitive."""
    key = name_or_code.strip().lower()
    for rule in ALL_RULES:
        if key in (rule.name, rule.code.lower()):
            return rule
    return None


def rules_by_prefix(selector: str) -> frozenset[str]:
    """The names of the rules `ALL` or a code prefix (`PV0`, `PV01`, `PV001`) selects, as ruff reads them;
    empty when `selector` is neither."""
    key = selector.strip().upper()
    if key == "ALL":
        return frozenset(r.name for r in ALL_RULES)
    if len(key) > 2 and key.startswith("PV") and key[2:].isdigit():
        return frozenset(r.name for r in ALL_RULES if r.code.startswith(key))
    return frozenset()


__all__ = ["ALL_RULES", "CheckContext", "Rule", "find_rule", "rules_by_prefix"]
