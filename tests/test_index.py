"""The candidate index: every edited copy `compare` pairs with its original is a candidate."""

from __future__ import annotations

import numpy as np
import pytest
from test_similarity import PLAIN_EDITS, ROBUST_EDITS, jpeg, photo

from provenance.media import hashing
from provenance.media.index import PhotoIndex
from provenance.media.similarity import VERSION, compare, compute_hashes
from provenance.model import Hashes

pytest.importorskip("skimage.data")

OTHERS = ["coffee.png", "chelsea.png", "rocket.jpg", "camera.png", "moon.png"]


def stranger() -> Hashes:
    """Hashes like a photo's, every global hash and patch hash random (seeded): near nothing."""
    rng = np.random.default_rng(7)
    values = dict(compute_hashes(photo("coffee.png")).values)
    for name in ("phash", "phash_mirror", "band_phash", "band_phash_mirror"):
        values[name] = f"{int(rng.integers(0, 1 << 63)) << 1:016x}"
    n = 100
    features = hashing.Features(rng.random(n), rng.random(n), rng.random(n) * 0.05,
                                rng.integers(0, 1 << 63, size=n, dtype=np.uint64) << np.uint64(1), 1.5)
    values["local"] = hashing.pack_features(features)
    return Hashes(version=VERSION, values=values)


@pytest.fixture(scope="module")
def index() -> PhotoIndex:
    """The astronaut photo at position 0, then other photos, and last `stranger()`."""
    return PhotoIndex.build([*(compute_hashes(photo(name)) for name in ["astronaut.png", *OTHERS]), stranger()])


EDITS = {**{name: edit for name, edit in PLAIN_EDITS.items()},
         **{name: edit for name, (edit, _) in ROBUST_EDITS.items()}}


@pytest.mark.parametrize("complete", [False, True], ids=["quick", "complete"])
@pytest.mark.parametrize("edit", EDITS)
def test_every_edited_copy_is_a_candidate(index: PhotoIndex, edit: str, complete: bool) -> None:
    astronaut = photo("astronaut.png")
    copy = compute_hashes(jpeg(EDITS[edit](astronaut), 85))
    assert compare(compute_hashes(astronaut), copy) is not None
    found = index.candidates(copy, complete=complete).tolist()
    assert 0 in found and len(index) - 1 not in found  # the stranger is near nothing: the index filters


def test_an_empty_index_has_no_candidates() -> None:
    empty = PhotoIndex.build([])
    assert len(empty) == 0 and empty.features == 0
    assert empty.candidates(compute_hashes(photo("coffee.png"))).tolist() == []


def test_saved_index_opens_memory_mapped_and_answers_alike(index: PhotoIndex, tmp_path) -> None:
    folder = tmp_path / "index"
    folder.mkdir()
    index.save(folder, {"generation": 3})
    opened, manifest, _ = PhotoIndex.open(folder)
    assert manifest["generation"] == 3 and len(opened) == len(index)
    assert isinstance(opened.words[0].bits, np.memmap)
    query = compute_hashes(jpeg(photo("astronaut.png").resize((256, 256)), 40))
    assert opened.candidates(query).tolist() == index.candidates(query).tolist()
    for complete in (False, True):
        found = opened.candidates(query, complete=complete).tolist()
        assert found == index.candidates(query, complete=complete).tolist()
        assert 0 in found and len(index) - 1 not in found
