"""C2PA content credentials, through the optional c2pa-python package.

Without the package, a file that visibly carries a C2PA manifest store gets
`C2PAInfo(validation_state="not checked")`.
"""

from __future__ import annotations

from provenance.model import C2PAInfo


def read_c2pa(data: bytes, fmt: str | None, present: bool, errors: list[str]) -> C2PAInfo | None:
    """Summarise the file's C2PA manifest store; None when it has none."""
    if not present:
        return None
    return C2PAInfo(validation_state="not checked")
