"""Test-only: stages pathological images for tests/test_budget.py, in every process of a CLI run.

The tests put this folder first on PYTHONPATH, so Python imports it at start-up in the command's
process and in the fork server that reader processes are forked from. It wraps the media stage's
decoder: a file named slow-*.jpg then reads for ten minutes, a file named hog-*.jpg allocates 2 GB.
"""

from __future__ import annotations

import time

import provenance.media.batch as batch

_real = batch.read_image_bytes


def _staged(data: bytes, rel: str, root: str, digest: str | None = None) -> object:
    name = rel.rsplit("/", 1)[-1]
    if name.startswith("slow-"):
        time.sleep(600)
    if name.startswith("hog-"):
        hog = bytearray(2 * 1024**3)
        hog[-1] = 1
    return _real(data, rel, root, digest)


batch.read_image_bytes = _staged  # type: ignore[assignment]
