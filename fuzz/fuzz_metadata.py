"""Fuzz `read_metadata` (every container walker and block reader) with arbitrary bytes.

    python fuzz/fuzz_metadata.py CORPUS_DIR fuzz/corpus/metadata -max_total_time=60 -rss_limit_mb=2048

`read_metadata` promises never to raise; in strict mode its last-line-of-defence
"metadata: unexpected failure" line is a crash too.
"""

from __future__ import annotations

import harness

with harness.instrumented():
    from provenance.media.metadata import read_metadata


def test_one_input(data: bytes) -> None:
    _record, errors = read_metadata(data)
    harness.check_guarded(errors, "metadata: unexpected failure")
    for line in errors:
        if "\n" in line:
            raise harness.Violation(f"error line with a line break: {line!r}")


if __name__ == "__main__":
    harness.main(test_one_input, "metadata")
