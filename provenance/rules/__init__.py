"""Every rule, listed explicitly: one module per rule, each with a stable code and name."""

from __future__ import annotations

from provenance.rules import (
    caption_repeats_body,
    credit_mismatch,
    invalid_content_credentials,
    missing_caption,
    missing_credit,
    missing_image,
    previously_published,
    remote_image,
    repeated_caption,
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
)
"""Every rule, in code order."""


def find_rule(name_or_code: str) -> Rule | None:
    """The rule with this name ("missing-credit") or code ("PV001"), case-insensitive."""
    key = name_or_code.strip().lower()
    for rule in ALL_RULES:
        if key in (rule.name, rule.code.lower()):
            return rule
    return None


__all__ = ["ALL_RULES", "CheckContext", "Rule", "find_rule"]
