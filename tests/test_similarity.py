"""Similarity of photos: edited copies are caught, distinct photos are not paired."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageEnhance

from provenance.media.similarity import VERSION, Similarity, compare, compute_hashes
from provenance.model import Hashes

skimage_data = pytest.importorskip("skimage.data")
DATA = Path(skimage_data.__file__).parent


def photo(name: str) -> Image.Image:
    with Image.open(DATA / name) as im:
        return im.convert("RGB")


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return photo("astronaut.png")


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return im.convert("RGB")


def same(a: Image.Image, b: Image.Image) -> Similarity | None:
    return compare(compute_hashes(a), compute_hashes(b))


def test_identical_image_is_near_identical(astronaut: Image.Image) -> None:
    sim = same(astronaut, astronaut.copy())
    assert sim is not None
    assert sim.distance == 0
    assert sim.score == 1.0
    assert sim.how == ()
    assert sim.describe() == "near-identical (phash distance 0)"


def half(im: Image.Image) -> Image.Image:
    return im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS)


PLAIN_EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "resize": half,
    "recompress": lambda im: jpeg(im, 30),
    "greyscale": lambda im: im.convert("L").convert("RGB"),
    "brighten": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
}


@pytest.mark.parametrize("edit", PLAIN_EDITS)
def test_plain_copies_are_caught(astronaut: Image.Image, edit: str) -> None:
    sim = same(astronaut, PLAIN_EDITS[edit](astronaut))
    assert sim is not None
    assert sim.how == ()


def test_distinct_photos_are_not_paired() -> None:
    names = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png",
             "hubble_deep_field.jpg", "camera.png", "coins.png"]
    hashes = {n: compute_hashes(photo(n)) for n in names}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert compare(hashes[a], hashes[b]) is None, (a, b)


def test_version_mismatch_raises(astronaut: Image.Image) -> None:
    h = compute_hashes(astronaut)
    other = Hashes(version=VERSION + "-other", values=h.values)
    with pytest.raises(ValueError, match="differently"):
        compare(h, other)


def test_describe_mentions_how() -> None:
    sim = Similarity(score=0.92, distance=7, how=("mirrored", "cropped"))
    assert sim.describe() == "same photo, mirrored and cropped (92% similar)"
