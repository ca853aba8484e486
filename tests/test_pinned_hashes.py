"""Pinned records and findings: reading images faster must not change what a check finds.

The hash values were computed before the media stage was parallelised and cached. They depend
on the similarity recipe and library versions (`similarity.VERSION`), so their comparison is
skipped when that differs; the findings must match whatever the version.
"""

from __future__ import annotations

import hashlib

import pytest
from conftest import FIXTURES

from provenance.media import similarity
from provenance.pipeline import run

PINNED_VERSION = (
    "sim2 work256 trim phash8 dhash8 dhash16 +mirror dog3x3 c0.002 n128 patch8r6.0 "
    "imagehash=4.3.2 pillow=13.0.0 numpy=2.4.6"
)
"""`similarity.VERSION` when the values below were computed."""

# path -> (format, width, height, size, sha256 prefix)
RECORDS = {
    "seed": {
        "photo-1.jpg": ("JPEG", 320, 279, 32468, "a28a898d1977cfbe"),
        "photo-2.jpg": ("JPEG", 320, 320, 33104, "3ea960ce5bcd0896"),
    },
    "rules/reused-photo/bad-md": {
        "coffee-small.jpg": ("JPEG", 213, 142, 4253, "18c8d10cdd8d50c7"),
        "coffee.jpg": ("JPEG", 320, 213, 25679, "ac4025bf81073cb2"),
    },
}

# path -> hash values ("local" as the sha256 of its hex, it is long)
HASHES = {
    "seed": {
        "photo-1.jpg": {
            "phash": "84cc4b96ba4d333e", "phash_mirror": "d1991ec3ef10466b",
            "dhash": "60d6caa435d46458", "dhash_mirror": "b990a8da53d4d965",
            "dhash16": "57529d443289d619c55cd959db59d61ab937ac93a35a91690691569b2966529a",
            "dhash16_mirror": "b510cd4646b36594c45c45646524a694134236caa53a497266932695992a04b4",
            "trim": "00000000",
            "local": "f2850fecceb59af7080bea293abc4e58060f269760b9a3f3e96c761ebf8b950c",
        },
        "photo-2.jpg": {
            "phash": "c2924c5532bddfc8", "phash_mirror": "97c7190867e88a9f",
            "dhash": "cd8dd91d897293a7", "dhash_mirror": "4c4e64476eb1361a",
            "dhash16": "d9b6d2d26656d65664d2669222d0a1e6c266e8e05949091c9902d325e9256d0d",
            "dhash16_mirror": "926494b495999594b4d9b699f4bb987a99bc18e86d65c76f87665b345b684349",
            "trim": "00000000",
            "local": "bc31997ce5fb56c44849af2cee213d12fe4af468dadecf4c71e5f07904470d64",
        },
    },
    "rules/reused-photo/bad-md": {
        "coffee-small.jpg": {
            "phash": "bb8320376c0f3637", "phash_mirror": "eed67562195a6322",
            "dhash": "f3e96933160b1b36", "dhash_mirror": "30686933972f2793",
            "dhash16": "bb3f7f1fe9c3d9c799ef5b4f8dca169f136d05bd0493a49790b591edcbdcc73a",
            "dhash16_mirror": "032206013c681c6408660d25ac4e06974936425f26cf16da12f64836c42ca31c",
            "trim": "00000000",
            "local": "afb11e590ff82d8ef6532abc6c0313fe010d1bd5782c3cb6e09bac10c178f79d",
        },
        "coffee.jpg": {
            "phash": "bb8320376c0f3637", "phash_mirror": "eed67562195a6322",
            "dhash": "f3e96933160b1b36", "dhash_mirror": "30686933972f2793",
            "dhash16": "bb2f7f9fe9c3d8c799ef5b4f8dce169f932d05bd0493a49790b591edcbdcc73a",
            "dhash16_mirror": "032206013c681c6408660d258c4e06974b36425f36cf16da12d64836c42ca31c",
            "trim": "00000000",
            "local": "8e2cf83d83f64fd64029e441c24a9de7bdb83820aa8e02c4ef3283a88f3ecf37",
        },
    },
}

FINDINGS = {
    "seed": [
        ("caption-repeats-body", "article.txt", 16, ("photo-1.jpg",),
         'Figure 2 ("Ayatollah Ali Khamenei, Iran’s supreme leader is believed...") repeats the body text at line 2'),
    ],
    "rules/reused-photo/bad-md": [
        ("reused-photo", "article.md", 13, ("coffee.jpg", "coffee-small.jpg"),
         'Figure 1 ("A cup of coffee on the counter of a harbour cafe on Tuesday.") and figure 2 ("Morning coffee '
         'at the ferry terminal.") show the same photo: coffee-small.jpg is a copy of coffee.jpg, near-identical '
         "(phash distance 0)"),
    ],
}


@pytest.mark.parametrize("folder", sorted(FINDINGS))
def test_findings_and_records_are_pinned(folder: str) -> None:
    report = run([FIXTURES / folder])
    assert [(f.rule, f.article, f.line, f.images, f.message) for f in report.findings] == FINDINGS[folder]
    records = {im.path: (im.format, im.width, im.height, im.size, im.sha256[:16]) for im in report.images}
    assert records == RECORDS[folder]
    assert all(not im.errors for im in report.images)


@pytest.mark.parametrize("folder", sorted(HASHES))
def test_hash_values_are_pinned(folder: str) -> None:
    if similarity.VERSION != PINNED_VERSION:
        pytest.skip(f"hash values pinned for {PINNED_VERSION!r}; this build makes {similarity.VERSION!r}")
    report = run([FIXTURES / folder])
    got = {}
    for im in report.images:
        assert im.hashes is not None and im.hashes.version == similarity.VERSION
        values = dict(im.hashes.values)
        values["local"] = hashlib.sha256(values["local"].encode()).hexdigest()
        got[im.path] = values
    assert got == HASHES[folder]
