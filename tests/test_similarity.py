"""Similarity of photos: edited copies are caught, distinct photos are not paired."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from provenance.media import similarity
from provenance.media.similarity import VERSION, Similarity, compare, compare_many, compute_hashes, prepare
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


def crop(im: Image.Image) -> Image.Image:
    w, h = im.size
    return im.crop((round(w * 0.15), round(h * 0.1), w, round(h * 0.85)))


def banner(im: Image.Image) -> Image.Image:
    out = im.copy()
    w, h = out.size
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, round(h * 0.85), w, h), fill=(160, 20, 30))
    draw.text((10, round(h * 0.88)), "BREAKING NEWS  Storm hits the coast", fill="white",
              font=ImageFont.load_default(size=round(h * 0.08)))
    return out


def logo(im: Image.Image) -> Image.Image:
    out = im.copy()
    w, h = out.size
    draw = ImageDraw.Draw(out)
    draw.rectangle((round(w * 0.78), round(h * 0.04), round(w * 0.97), round(h * 0.12)), fill=(240, 240, 240))
    draw.text((round(w * 0.8), round(h * 0.05)), "NEWS24", fill=(20, 60, 160),
              font=ImageFont.load_default(size=round(h * 0.05)))
    return out


def letterbox(im: Image.Image) -> Image.Image:
    w, h = im.size
    canvas = Image.new("RGB", (round(h * 16 / 9), h))
    canvas.paste(im, ((canvas.width - w) // 2, 0))
    return canvas


def rotate(im: Image.Image) -> Image.Image:
    return im.rotate(4, Image.Resampling.BICUBIC, expand=True)


ROBUST_EDITS: dict[str, tuple[Callable[[Image.Image], Image.Image], str | None]] = {
    "crop": (crop, "cropped"),
    "mirror": (ImageOps.mirror, "mirrored"),
    "mirror+crop": (lambda im: crop(ImageOps.mirror(im)), "mirrored"),
    "banner": (banner, "overlaid"),
    "logo": (logo, None),
    "letterbox": (letterbox, "letterboxed"),
    "rotate": (rotate, "rotated"),
}


@pytest.mark.parametrize("edit", ROBUST_EDITS)
def test_edited_copies_are_caught(astronaut: Image.Image, edit: str) -> None:
    transform, word = ROBUST_EDITS[edit]
    copy = jpeg(transform(astronaut), 85)
    sim = same(astronaut, copy)
    assert sim is not None
    if word:
        assert word in sim.how
    assert sim.describe().startswith(("same photo", "near-identical"))
    # The order of the two does not matter.
    assert same(copy, astronaut) is not None


def test_banner_is_not_taken_for_letterbox_bars(astronaut: Image.Image) -> None:
    """A coloured band at the bottom is part of the picture, not a bar to trim."""
    sim = same(astronaut, jpeg(banner(astronaut), 85))
    assert sim is not None
    assert "letterboxed" not in sim.how


def test_bar_on_one_side_is_not_letterboxing(astronaut: Image.Image) -> None:
    canvas = Image.new("RGB", (astronaut.width, round(astronaut.height * 1.2)))
    canvas.paste(astronaut, (0, 0))
    sim = same(astronaut, jpeg(canvas, 85))
    assert sim is not None
    assert "letterboxed" not in sim.how


@pytest.mark.parametrize("name", ["moon.png", "rocket.jpg", "clock_motion.png"])
def test_low_detail_photos_are_caught_cropped_and_mirrored(name: str) -> None:
    """Dim, flat or blurred photos still yield enough local features for a heavy crop."""
    im = photo(name)
    copy = jpeg(crop(ImageOps.mirror(im)), 85)
    sim = same(im, copy)
    assert sim is not None
    assert "mirrored" in sim.how


def test_hashes_are_deterministic(astronaut: Image.Image) -> None:
    a = compute_hashes(astronaut)
    assert a == compute_hashes(astronaut.copy())
    # Scratch memory left by other images, larger and smaller, changes nothing.
    compute_hashes(photo("coffee.png"))
    compute_hashes(half(photo("camera.png")))
    assert dict(a.values) == dict(compute_hashes(astronaut).values)


def test_version_names_library_minor_versions() -> None:
    """Patch releases do not change values beyond the matcher's tolerances (see VERSION)."""
    import numpy as np

    minor = ".".join(np.__version__.split(".")[:2])
    assert f"numpy={minor} " in VERSION + " "
    assert f"numpy={np.__version__} " not in VERSION + " " or np.__version__ == minor


def test_shared_overlay_does_not_pair_different_photos() -> None:
    a, b = photo("coffee.png"), photo("chelsea.png").resize((600, 400))
    for edit in (banner, logo):
        assert same(edit(a), edit(b)) is None


def test_draft_decode_hashes_like_full_decode_then_resize(astronaut: Image.Image) -> None:
    """The pipeline may decode a JPEG in draft mode (DCT scaling) instead of decoding it whole."""
    buf = io.BytesIO()
    astronaut.resize((2048, 2048), Image.Resampling.BICUBIC).save(buf, "JPEG", quality=90)
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        im.draft("RGB", (256, 256))
        draft = im.convert("RGB")
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        full = im.convert("RGB").resize(draft.size, Image.Resampling.LANCZOS)
    assert draft.size == (256, 256)
    a, b = compute_hashes(draft), compute_hashes(full)
    sim = compare(a, b)
    assert sim is not None
    assert sim.how == ()
    assert sim.distance <= 2


def test_distinct_photos_are_not_paired() -> None:
    names = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png",
             "hubble_deep_field.jpg", "camera.png", "coins.png", "retina.jpg", "moon.png"]
    hashes = {n: compute_hashes(photo(n)) for n in names}
    # Mirror images and crops of each are still not the others.
    hashes |= {n + " mirrored": compute_hashes(ImageOps.mirror(photo(n))) for n in names[:5]}
    hashes |= {n + " cropped": compute_hashes(crop(photo(n))) for n in names[:5]}
    names = list(hashes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if a.split()[0] != b.split()[0]:
                assert compare(hashes[a], hashes[b]) is None, (a, b)


def test_version_mismatch_raises(astronaut: Image.Image) -> None:
    h = compute_hashes(astronaut)
    other = Hashes(version=VERSION + "-other", values=h.values)
    with pytest.raises(ValueError, match="differently"):
        compare(h, other)


def test_describe_mentions_how() -> None:
    sim = Similarity(score=0.92, distance=7, how=("mirrored", "cropped"))
    assert sim.describe() == "same photo, mirrored and cropped (92% similar)"


@pytest.fixture(scope="module")
def album() -> list[Hashes]:
    """Three photos, each with its copies edited every way `compare` tells apart."""
    hashes = []
    for name in ("astronaut.png", "coffee.png", "rocket.jpg"):
        im = photo(name)
        hashes.append(compute_hashes(im))
        hashes += [compute_hashes(edit(im)) for edit in PLAIN_EDITS.values()]
        hashes += [compute_hashes(jpeg(transform(im), 85)) for transform, _ in ROBUST_EDITS.values()]
    return hashes


# compare_many's steps (see similarity.py) made small, and every image's transforms bounded, so that
# every path of its screen runs; compare's scoring takes its shortcut whenever transforms times matches
# exceed 4096.
SMALL_STEPS = {"_SCREEN_CELLS": 1 << 15, "_SCREEN_PAIRS": 1 << 8, "_XOR_CELLS": 1 << 12, "_SCORE_CELLS": 1 << 12,
               "_BOUND_CELLS": 1 << 60}


@pytest.mark.slow
@pytest.mark.parametrize("steps", [{}, SMALL_STEPS], ids=["default", "small-steps"])
def test_compare_many_decides_as_compare(album: list[Hashes], steps: dict[str, int],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = [prepare(h) for h in album]
    with monkeypatch.context() as plain:
        # compare's transform scoring without its shortcut: every cell as `_agree` computes it.
        plain.setattr(similarity, "_SCORE_CELLS", 1 << 60)
        expected = [[compare(a, b) for b in prepared] for a in prepared]
    # The album holds every kind of decision, so a screen that dropped one would be seen.
    decided = [sim for row in expected for sim in row]
    assert any(sim is None for sim in decided)
    assert any(sim is not None and not sim.how for sim in decided)
    assert any(sim is not None and "overlaid" in sim.how for sim in decided)
    assert any(sim is not None and {"cropped", "rotated"} & set(sim.how) for sim in decided)
    for name, value in steps.items():
        monkeypatch.setattr(similarity, name, value)
    for a, row in zip(prepared, expected, strict=True):
        assert compare_many(a, prepared) == row
        assert [compare(a, b) for b in prepared] == row


def test_compare_many_of_none_is_empty(astronaut: Image.Image) -> None:
    assert compare_many(prepare(compute_hashes(astronaut)), []) == []


def test_compare_many_refuses_hashes_made_differently(astronaut: Image.Image) -> None:
    h = compute_hashes(astronaut)
    other = Hashes(version=VERSION + "-other", values=h.values)
    with pytest.raises(ValueError, match="differently"):
        compare_many(prepare(h), [prepare(h), prepare(other)])
