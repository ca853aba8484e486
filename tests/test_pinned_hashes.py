"""Pinned records and findings: reading images faster must not change what a check finds.

The hash values were computed before the media stage was parallelised and cached. They depend
on the similarity recipe and library versions (`similarity.VERSION`), so their comparison is
skipped when that differs; the findings must match whatever the version.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import FIXTURES, ROOT

from provenance.media import hashing, similarity
from provenance.pipeline import run

PINNED_VERSION = (
    "sim3 work256 trim0.2 thumb64 phash8 dhash8 dhash16 band0.2 +mirror dog4x3t3.0 c0.0003 e20."
    "0 n128 patch8r6.0 pillow=13.0 numpy=2.4 scipy=1.17"
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
            "band_dhash": "96ea45b63535d45a",
            "band_dhash_mirror": "96a85d925353d4a5",
            "band_phash": "b46941ba78556b87",
            "band_phash_mirror": "e13d14ef2d013ed2",
            "dhash": "60d6caa435d46459",
            "dhash16": "77529d4c329dd619c55cd95ddb59d69abd37ac93a35a91693691569bab66d29b",
            "dhash16_mirror": "b511cd4646b36794c55c45646524a694134236caa53a697676932695992a26b4",
            "dhash_mirror": "f994acda53d4d965",
            "local": "cff4c704ee4558f6a0f91e07ccf402a12dda359781bd178ea0644b219b625e9f",
            "phash": "84cc4b96ba4d333e",
            "phash_mirror": "d1991ec3ef10466b",
            "trim": "00000000",
        },
        "photo-2.jpg": {
            "band_dhash": "cdb95c8d8dc93233",
            "band_dhash_mirror": "4c62c54e4e6cb333",
            "band_phash": "d2b2cd4220b773b5",
            "band_phash_mirror": "87e7981575e236e0",
            "dhash": "cd8dd91d897293a7",
            "dhash16": "d9b6d2d26656d65664d2669222d0a1e6c266e8e65949091c9916d325e9256d1d",
            "dhash16_mirror": "9264b4b495999594b4d9b699f4bb987a99bc98e86d65c76f97665b345b684749",
            "dhash_mirror": "4c4e64476eb1361a",
            "local": "713252a05918f23b34ea892a74c08a226305acc41a110c8da3a0bfea3c43e0bc",
            "phash": "c2924c5532bddfc8",
            "phash_mirror": "97c7191867e88a9d",
            "trim": "00000000",
        },
    },
    "rules/reused-photo/bad-md": {
        "coffee-small.jpg": {
            "band_dhash": "e9496b33160e0b1b",
            "band_dhash_mirror": "686d2933978f2f27",
            "band_phash": "bf823372d98d4433",
            "band_phash_mirror": "eed766278cd91144",
            "dhash": "f3e96933160b1b36",
            "dhash16": "bb3f7f9fe9c3d9c799ef5b4f8dca169f936d05bd049ba49790b591edcbdcc73a",
            "dhash16_mirror": "032206013c681c6408660d25ac4e06974936425f26df16da52f64876c42ca31c",
            "dhash_mirror": "30686933972f2793",
            "local": "392fed4bfbf1777c82279cd12910383ab5183d3c368654c0f84df2d18e830a5c",
            "phash": "bb8320376c0f3637",
            "phash_mirror": "eed67562195a6322",
            "trim": "00000000",
        },
        "coffee.jpg": {
            "band_dhash": "e9496b33160e0b1b",
            "band_dhash_mirror": "686d2933978f2f27",
            "band_phash": "bf823372d98c44b3",
            "band_phash_mirror": "eed766278cd91144",
            "dhash": "f3e96933160b1b36",
            "dhash16": "bb3f7f9fe9c3d9c799ef5b4f8dce169f932d05bd0493a49790b593edcbdcc73a",
            "dhash16_mirror": "032206013c681c6408660d258c4e06974b36425f36df16da52f64836c42ca31c",
            "dhash_mirror": "30686933972f2793",
            "local": "0ad37acaa2c79843ba94fd61adf7c79312092a90e90fcc0e731a1ac37150e3eb",
            "phash": "bb8320376c0f3637",
            "phash_mirror": "eed67562195a6322",
            "trim": "00000000",
        },
    },
}

FINDINGS = {
    "seed": [
        (
            "caption-repeats-body",
            "article.txt",
            16,
            ("photo-1.jpg",),
            'Figure 2 ("Ayatollah Ali Khamenei, Iran’s supreme leader is believed...") repeats the body text at line 2',
        ),
    ],
    "rules/reused-photo/bad-md": [
        (
            "reused-photo",
            "article.md",
            13,
            ("coffee.jpg", "coffee-small.jpg"),
            "One photo is used twice: coffee.jpg (figure 1, 320×213, the largest); coffee-small.jpg (figure 2, "
            "213×142, resized); weakest link: coffee.jpg – coffee-small.jpg, near-identical (phash distance 0)",
        ),
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


def test_scipy_compiled_functions_give_the_values_of_scipys_own() -> None:
    """The hashes call scipy's compiled correlation and DCT loaded without their packages
    (`hashing.compiled`): bit for bit what scipy.ndimage.correlate1d and scipy.fft.dct give."""
    from scipy import ndimage
    from scipy.fft import dct

    rng = np.random.default_rng(7)
    fast = hashing.compiled()
    for sigma in (1.0, 1.28, 1.55, 3.09):
        weights = hashing._kernel(sigma)
        image = rng.random((37, 53), dtype=np.float32)
        for axis in (0, 1):
            out = np.empty_like(image)
            fast.correlate1d(image, weights, axis, out)
            assert out.tobytes() == ndimage.correlate1d(image, weights, axis=axis, mode="reflect").tobytes()
    pixels = rng.random((32, 32)) * 255
    for x in (pixels, pixels[:, ::-1]):
        for axis in (0, 1):
            assert fast.dct(x, axis).tobytes() == dct(x, axis=axis).tobytes()


def test_patch_block_means_are_numpys_means_bit_for_bit() -> None:
    """The patch samples average 2 x 2 blocks by hand (`hashing._block_means`), in numpy's order."""
    rng = np.random.default_rng(11)
    for n in (1, 2, 3, 17, 128):
        blocks = rng.normal(size=(n, 8, 2, 8, 2)) * 10.0 ** rng.uniform(-6, 6, size=(n, 8, 2, 8, 2))
        assert hashing._block_means(blocks).tobytes() == blocks.mean(axis=(2, 4)).tobytes()


def test_hashing_imports_neither_scipy_ndimage_nor_scipy_fft() -> None:
    """Importing those packages would cost every reader process's fork server about a quarter of a second."""
    code = ("import sys; from provenance.media import hashing; hashing.compiled(); "
            "print('scipy.ndimage' in sys.modules, 'scipy.fft' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == ["False", "False"]
