"""Fuzz XMP packet parsing (defusedxml) and extended-XMP reassembly, which never raise.

    python fuzz/fuzz_xmp.py CORPUS_DIR fuzz/corpus/xmp -max_total_time=60
"""

from __future__ import annotations

import harness

with harness.instrumented():
    from provenance.media.xmp import ExtendedXmp, parse_packet


def test_one_input(data: bytes) -> None:
    props, errors = parse_packet(data)
    if props is not None and errors:
        raise harness.Violation(f"both properties and errors: {errors}")
    ext = ExtendedXmp()
    ext.add(data)
    ext.add(data[:32] + data[40:] if len(data) > 40 else data)
    if len(data) >= 32:
        extended, _error = ext.assemble(data[:32].decode("ascii", errors="replace"))
        if extended is not None:
            parse_packet(extended)


if __name__ == "__main__":
    harness.main(test_one_input, "xmp")
