"""Benchmark: does `compare` catch edited copies of a photo, and never pair two different photos?

Builds a set of distinct photos from the freely licensed images shipped inside scikit-image
(`skimage/data`), scikit-learn (`datasets/images`) and matplotlib (`mpl-data/sample_data`);
the larger ones are cut into non-overlapping tiles, each tile counting as one photo. Every
photo gets one copy per edit (seeded, so every run builds the same set). It then prints, per
edit, the share of copies `compare` pairs with their original (recall) beside plain imagehash
phash (distance <= 10), and counts false pairs: any two images (originals or copies) of two
different photos that were paired.

Two more come from matplotlib's sample data arrays (an MRI slice and a shaded terrain relief),
added so that the set holds at least 40 photos unrelated to any other (38 before them).

motorcycle_left and motorcycle_right are two frames of one scene (a stereo pair, shot a few
centimetres apart); the right frame's tiles are kept out of the distinct set and reported
apart: pairing them with the left frame is allowed ("two frames of one scene may be reported
as the same photo"), so they are neither recall nor false pairs.

`compare_speed.py` checks, on the same images, that `compare` on prepared hashes decides every
pair as the reference implementation does, and how much cheaper it is.

Run by hand:  python benchmarks/reuse.py   (needs scikit-image; scikit-learn and matplotlib
add photos when installed).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import imagehash
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from provenance.media.index import PhotoIndex
from provenance.media.similarity import Similarity, compare, compute_hashes, prepare
from provenance.model import Hashes

SEED = 5


@dataclass(frozen=True)
class Photo:
    """One distinct photo of the benchmark (a whole sample image or a tile of one)."""

    name: str
    scenes: frozenset[str]
    """Photos showing part of one scene (the stereo pair) share one; distinct photos never do."""
    image: Image.Image

    def related(self, other: Photo) -> bool:
        """True when the two show (part of) one scene, so pairing them is allowed."""
        return bool(self.scenes & other.scenes)


def _skimage_dir() -> Path:
    import skimage.data

    return Path(skimage.data.__file__).parent


def _sample_files() -> Iterator[tuple[Path, tuple[int, int]]]:
    """(file, (columns, rows) of tiles) for every sample photo found."""
    sk = _skimage_dir()
    whole = ["chelsea.png", "coins.png", "page.png", "text.png", "clock_motion.png",
             "color.png", "brick.png", "grass.png", "gravel.png"]
    tiles = {
        "hubble_deep_field.jpg": (3, 2), "retina.jpg": (2, 2), "rocket.jpg": (2, 1), "coffee.png": (2, 1),
        "motorcycle_left.png": (2, 1), "motorcycle_right.png": (2, 1), "cell.png": (1, 2),
        "ihc.png": (2, 1), "astronaut.png": (2, 1), "camera.png": (2, 1), "moon.png": (2, 1),
        "china.jpg": (2, 1), "flower.jpg": (2, 1),
    }
    for name in whole:
        if (sk / name).exists():
            yield sk / name, (1, 1)
    for name, grid in tiles.items():
        if (sk / name).exists():
            yield sk / name, grid
    try:
        import sklearn

        for name in ("china.jpg", "flower.jpg"):
            yield Path(sklearn.__file__).parent / "datasets" / "images" / name, tiles[name]
    except ImportError:
        pass
    try:
        import matplotlib

        yield Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg", (1, 1)
    except ImportError:
        pass


def _matplotlib_scans() -> Iterator[tuple[str, Image.Image]]:
    """Two images made from matplotlib's sample data arrays: an MRI slice of a head and a shaded
    relief of a terrain model (as an aerial photo would show it)."""
    try:
        import gzip

        import matplotlib
        import numpy as np
        from matplotlib import colormaps
        from matplotlib.colors import LightSource
    except ImportError:
        return
    data = Path(matplotlib.get_data_path()) / "sample_data"
    with gzip.open(data / "s1045.ima.gz") as f:
        mri = np.frombuffer(f.read(), dtype="<u2").reshape(256, 256).astype(float)
    yield "mri", Image.fromarray(np.round(mri / mri.max() * 255).astype(np.uint8)).convert("RGB")
    with np.load(data / "jacksboro_fault_dem.npz") as dem:
        rgb = LightSource(azdeg=315, altdeg=45).shade(
            dem["elevation"], cmap=colormaps["gist_earth"], blend_mode="overlay", vert_exag=0.05,
            dx=float(dem["dx"]), dy=float(dem["dy"]))
    yield "terrain", Image.fromarray(np.round(rgb[:, :, :3] * 255).astype(np.uint8))


def photos() -> list[Photo]:
    """The distinct photos, tiles cut edge to edge so that no two share a pixel."""
    out: list[Photo] = []
    for path, (cols, rows) in _sample_files():
        with Image.open(path) as im:
            image = im.convert("RGB")
        stem = path.stem
        w, h = image.size
        for r in range(rows):
            for c in range(cols):
                box = (c * w // cols, r * h // rows, (c + 1) * w // cols, (r + 1) * h // rows)
                name = stem if cols * rows == 1 else f"{stem}[{r},{c}]"
                scenes = frozenset({name})
                if stem == "motorcycle_left":
                    scenes = frozenset({f"motorcycle[{c}]"})
                elif stem == "motorcycle_right":
                    # The right camera sits a few centimetres over: each of its halves shows some
                    # of both halves of the left frame.
                    scenes = frozenset({f"motorcycle[{i}]" for i in range(cols)})
                out.append(Photo(name, scenes, image.crop(box)))
    out.extend(Photo(name, frozenset({name}), image) for name, image in _matplotlib_scans())
    return out


# --- edits -------------------------------------------------------------------------------------

Edit = Callable[[Image.Image, random.Random], Image.Image]


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return im.convert("RGB")


def resize(im: Image.Image, rng: random.Random) -> Image.Image:
    f = rng.choice([0.5, 0.6, 0.75, 1.5])
    return im.resize((round(im.width * f), round(im.height * f)), Image.Resampling.BICUBIC)


def recompress(im: Image.Image, rng: random.Random) -> Image.Image:
    return _jpeg(im, rng.randint(15, 40))


def greyscale(im: Image.Image, rng: random.Random) -> Image.Image:
    return _jpeg(im.convert("L").convert("RGB"), 85)


def brighten(im: Image.Image, rng: random.Random) -> Image.Image:
    out = ImageEnhance.Brightness(im).enhance(rng.uniform(1.2, 1.5))
    return ImageEnhance.Contrast(out).enhance(rng.uniform(0.85, 1.15))


def crop(im: Image.Image, rng: random.Random) -> Image.Image:
    """Take 10-20% off one or more sides."""
    sides = rng.sample(["left", "top", "right", "bottom"], rng.randint(1, 4))
    cut = {s: rng.uniform(0.10, 0.20) if s in sides else 0.0 for s in ("left", "top", "right", "bottom")}
    w, h = im.size
    box = (round(w * cut["left"]), round(h * cut["top"]), round(w * (1 - cut["right"])),
           round(h * (1 - cut["bottom"])))
    return _jpeg(im.crop(box), 85)


def mirror(im: Image.Image, rng: random.Random) -> Image.Image:
    return _jpeg(ImageOps.mirror(im), 85)


def mirror_crop(im: Image.Image, rng: random.Random) -> Image.Image:
    return crop(ImageOps.mirror(im), rng)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def banner(im: Image.Image, rng: random.Random) -> Image.Image:
    """A news ticker burned in across the bottom: a solid band with text (12-18% of the height)."""
    out = im.copy()
    w, h = out.size
    band = round(h * rng.uniform(0.12, 0.18))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, h - band, w, h), fill=(160, 20, 30))
    words = rng.choice(["BREAKING NEWS  Storm hits the coast", "LIVE  Minister resigns after vote",
                        "EXCLUSIVE  Markets fall sharply"])
    draw.text((round(w * 0.03), h - band + band // 5), words, fill="white", font=_font(round(band * 0.55)))
    return _jpeg(out, 85)


def logo(im: Image.Image, rng: random.Random) -> Image.Image:
    """A channel logo in the top right corner, as every frame of one channel carries it."""
    out = im.copy()
    w, h = out.size
    lw = round(w * 0.18)
    lh = round(lw * 0.45)
    x, y = w - lw - round(w * 0.03), round(h * 0.04)
    draw = ImageDraw.Draw(out)
    draw.rounded_rectangle((x, y, x + lw, y + lh), radius=lh // 4, fill=(240, 240, 240),
                           outline=(20, 60, 160), width=max(2, lh // 12))
    draw.text((x + lw // 10, y + lh // 5), "NEWS24", fill=(20, 60, 160), font=_font(round(lh * 0.5)))
    return _jpeg(out, 85)


def letterbox(im: Image.Image, rng: random.Random) -> Image.Image:
    """Black bars: the photo centred on a 16:9 canvas (or 1:1 for wide photos)."""
    w, h = im.size
    size = (round(h * 16 / 9), h) if w / h < 16 / 9 else (w, w)
    canvas = Image.new("RGB", size, (0, 0, 0))
    canvas.paste(im, ((size[0] - w) // 2, (size[1] - h) // 2))
    return _jpeg(canvas, 85)


def rotate(im: Image.Image, rng: random.Random) -> Image.Image:
    """Straightened by 1-5 degrees: rotated, then either cropped to the largest upright rectangle
    free of corners, or left with black corners."""
    angle = rng.uniform(1, 5) * rng.choice([-1, 1])
    if rng.random() < 0.5:
        return _jpeg(im.rotate(angle, Image.Resampling.BICUBIC, expand=True), 85)
    import math

    w, h = im.size
    rotated = im.rotate(angle, Image.Resampling.BICUBIC, expand=False)
    a = math.radians(abs(angle))
    # Largest axis-aligned rectangle of the original aspect ratio inside the rotated image.
    scale = 1 / (math.cos(a) + math.sin(a) * max(w / h, h / w))
    cw, ch = w * scale, h * scale
    box = (round((w - cw) / 2), round((h - ch) / 2), round((w + cw) / 2), round((h + ch) / 2))
    return _jpeg(rotated.crop(box), 85)


EDITS: dict[str, Edit] = {
    "resize": resize,
    "recompress": recompress,
    "greyscale": greyscale,
    "brighten": brighten,
    "crop": crop,
    "mirror": mirror,
    "banner": banner,
    "logo": logo,
    "letterbox": letterbox,
    "rotate": rotate,
    "mirror+crop": mirror_crop,
}


# --- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    photo: Photo
    edit: str
    """"original" or an edit name."""
    image: Image.Image
    hashes: Hashes
    phash: imagehash.ImageHash


def _baseline(a: Item, b: Item) -> bool:
    return bool(a.phash - b.phash <= 10)


def build(limit: int | None) -> tuple[list[Item], float]:
    """Every photo and its copies, hashed; also the mean cost of one compute_hashes in ms."""
    items: list[Item] = []
    spent = 0.0
    for i, photo in enumerate(photos()[:limit]):
        rng = random.Random(f"{SEED}:{photo.name}")
        images = {"original": photo.image}
        for name, edit in EDITS.items():
            images[name] = edit(photo.image, rng)
        for edit_name, image in images.items():
            start = time.perf_counter()
            hashes = compute_hashes(image)
            spent += time.perf_counter() - start
            items.append(Item(photo, edit_name, image, hashes, imagehash.phash(image)))
        del i
    return items, spent * 1000 / max(1, len(items))


def _cost_on_512() -> float:
    """Best of 20 compute_hashes on one 512 x 512 photo, in ms (the best is the least disturbed by
    other work on the machine)."""
    import skimage.data

    image = Image.fromarray(skimage.data.astronaut()).convert("RGB")
    best = float("inf")
    for _ in range(20):
        start = time.perf_counter()
        compute_hashes(image)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="use only the first N photos")
    parser.add_argument("--show", action="store_true", help="list every miss and false pair")
    args = parser.parse_args(argv)

    items, cost = build(args.limit)
    one = _cost_on_512()
    originals = [it for it in items if it.edit == "original"]
    distinct = [o for o in originals if not any(o.photo.related(p.photo) for p in originals if p is not o)]
    print(f"{len(originals)} photos ({len(distinct)} of them unrelated to any other), {len(items)} images, "
          f"compute_hashes {cost:.1f} ms per image ({one:.1f} ms on a 512 x 512 photo, best of 20)\n")

    by_photo = {o.photo.name: o for o in originals}
    rows = []
    for edit in EDITS:
        copies = [it for it in items if it.edit == edit]
        found = base = 0
        for c in copies:
            sim = compare(by_photo[c.photo.name].hashes, c.hashes)
            found += sim is not None
            base += _baseline(by_photo[c.photo.name], c)
            if args.show and sim is None:
                print(f"  missed {edit}: {c.photo.name}")
            elif args.show and sim is not None:
                print(f"  {edit:12} {c.photo.name:28} {sim.describe()}")
        rows.append((edit, len(copies), found, base))

    # Every pair, as the reused-photo rule compares a check's figures: each image prepared once.
    start = time.perf_counter()
    prepared = [prepare(it.hashes) for it in items]
    accepted: dict[tuple[int, int], Similarity] = {}
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            sim = compare(prepared[i], prepared[j])
            if sim is not None:
                accepted[(i, j)] = sim
    exhaustive = time.perf_counter() - start
    compared = len(items) * (len(items) - 1) // 2
    per_compare = exhaustive * 1e6 / max(1, compared)
    false_pairs: list[tuple[Item, Item, Similarity]] = []
    base_false = 0
    scene_pairs = scene_found = different = 0
    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            if a.photo.name == b.photo.name:
                continue
            different += 1
            sim = accepted.get((i, j))
            if a.photo.related(b.photo):
                scene_pairs += 1
                scene_found += sim is not None
                continue
            if sim is not None:
                false_pairs.append((a, b, sim))
            base_false += _baseline(a, b)

    # The alternative to comparing every pair (what the reused-photo rule does, through compare_many):
    # compare only the pairs a complete candidate lookup gives.
    start = time.perf_counter()
    index = PhotoIndex.build([it.hashes for it in items])
    candidates = {(min(i, j), max(i, j)) for i, it in enumerate(items)
                  for j in index.candidates(it.hashes, complete=True).tolist() if j != i}
    lookup = time.perf_counter() - start
    found_by_candidates = {pair for pair in sorted(candidates)
                           if compare(prepared[pair[0]], prepared[pair[1]]) is not None}
    indexed = time.perf_counter() - start
    # The archive's quick lookup, for comparison: how many accepted pairs it would leave out.
    quick = {(min(i, j), max(i, j)) for i, it in enumerate(items)
             for j in index.candidates(it.hashes).tolist() if j != i}

    print(f"{'edit':<12} {'copies':>6} {'recall':>8} {'phash<=10':>10}")
    for edit, n, found, base in rows:
        print(f"{edit:<12} {n:>6} {found / n:>8.2f} {base / n:>10.2f}")
    total = sum(r[1] for r in rows)
    print(f"{'all':<12} {total:>6} {sum(r[2] for r in rows) / total:>8.2f} "
          f"{sum(r[3] for r in rows) / total:>10.2f}")
    print(f"\nfalse pairs among {different - scene_pairs} pairs of images of different photos: "
          f"{len(false_pairs)} (phash<=10: {base_false})")
    print(f"same-scene pairs (motorcycle left/right frames) reported as the same photo: "
          f"{scene_found} of {scene_pairs}")
    print(f"compare: {per_compare:.1f} µs per pair (prepared; benchmarks/compare_speed.py checks it against the "
          "unprepared reference)")
    same_pairs = len(accepted)
    print(f"\npairs of images judged the same photo, among {compared:,} pairs of {len(items)} images:")
    print(f"  exhaustive compare (every pair):          {same_pairs} pairs found in {exhaustive:.1f} s")
    print(f"  compare on complete-index candidates:     {len(found_by_candidates)} pairs found in {indexed:.1f} s "
          f"({len(candidates):,} candidate pairs, index and lookups {lookup:.2f} s)")
    print(f"  found by both: {len(found_by_candidates & accepted.keys())}; missed by the candidates: "
          f"{len(accepted.keys() - found_by_candidates)}")
    print(f"  (the archive's quick lookup: {len(quick):,} candidate pairs, would miss "
          f"{len(accepted.keys() - quick)} of the {same_pairs})")
    for a, b, sim in false_pairs[:50]:
        print(f"  FALSE PAIR {a.photo.name}/{a.edit} ~ {b.photo.name}/{b.edit}: {sim.describe()}")
    return 1 if false_pairs or accepted.keys() - found_by_candidates else 0


if __name__ == "__main__":
    raise SystemExit(main())
