"""How provenance's 64-bit global phash and dhash compare with imagehash's on the same files.

    python benchmarks/imagehash_agreement.py FILE...

provenance computes imagehash's phash and dhash algorithms on the image content it compares (after
EXIF orientation and border trimming, from one floating-point 64 x 64 thumbnail of the draft-decoded
image); `imagehash.phash(Image.open(p))` hashes the stored pixels, converted to 8-bit greyscale and
resized once per hash. Prints how many files get the same bits from both, the Hamming distances,
and the time of each. Needs the `bench` extra (imagehash).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import imagehash
from PIL import Image

from provenance.media.reader import read_image


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    same = 0
    distances: list[tuple[int, int]] = []
    theirs_s = ours_s = 0.0
    for path in map(Path, argv):
        started = time.perf_counter()
        try:
            with Image.open(path) as image:
                phash, dhash = imagehash.phash(image), imagehash.dhash(image)
        except Exception:
            continue
        theirs_s += time.perf_counter() - started
        started = time.perf_counter()
        record = read_image(path, path.name, str(path.parent))
        ours_s += time.perf_counter() - started
        values = record.hashes.values if record.hashes else {}
        if "phash" not in values:
            continue
        d = (phash - imagehash.hex_to_hash(values["phash"]), dhash - imagehash.hex_to_hash(values["dhash"]))
        distances.append(d)
        same += d == (0, 0)
    n = len(distances)
    if not n:
        print("no file read by both")
        return 1
    print(f"{n} files: the same phash and dhash bits from both {same} ({same / n:.0%}); "
          f"phash distance mean {sum(p for p, _ in distances) / n:.2f} bits, max {max(p for p, _ in distances)}; "
          f"dhash mean {sum(d for _, d in distances) / n:.2f}, max {max(d for _, d in distances)}")
    print(f"imagehash phash + dhash: {theirs_s:.2f} s; provenance's whole record (metadata, global and local "
          f"hashes): {ours_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
