"""Fuzz the IPTC-IIM and Photoshop image-resource parsers, which report problems as lines, never raise.

    python fuzz/fuzz_iptc.py CORPUS_DIR fuzz/corpus/iptc -max_total_time=60
"""

from __future__ import annotations

import harness

with harness.instrumented():
    from provenance.media.iptc import parse_iim, parse_photoshop_resources


def test_one_input(data: bytes) -> None:
    block, _errors = parse_iim(data, standard=True)
    if block is not None:
        for key, values in block.datasets.items():
            if not (key[0] in (1, 2) and all(isinstance(v, str) for v in values)):
                raise harness.Violation(f"dataset {key} holds {values!r}")
    resources, _errors = parse_photoshop_resources(data)
    for iptc in resources.iptc:
        parse_iim(iptc, standard=True)


if __name__ == "__main__":
    harness.main(test_one_input, "iptc")
