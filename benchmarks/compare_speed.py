"""Benchmark: are `compare` on prepared hashes and `compare_many` as exact as, and how much cheaper
than, the plain one?

Builds the 528 images of `reuse.py` (its photos and their edited copies), then compares every
pair of them three times: with the implementation `compare` had before `prepare` existed (kept
below, verbatim, as the reference), with `compare` on `prepare`d records, and with `compare_many`
(each image against all later ones in one call), as the reused-photo rule runs it. Every decision
must be the same: a `Similarity` with equal score, distance and how, or None for all. Prints the
cost per pair of each and exits 1 on any difference.

Run by hand:  python benchmarks/compare_speed.py [--limit N] [--step K]   (needs scikit-image).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reuse import build

from provenance.media import hashing
from provenance.media.similarity import (
    BAND_CONFIRM,
    BAND_SAME,
    CROPPED,
    DHASH16_CONFIRM,
    LETTERBOX,
    MATCH_BITS,
    MAX_ANGLE,
    MIN_INLIERS,
    MIN_MIDDLE,
    MIN_SPREAD,
    NEIGHBOURS,
    PHASH_NEAR,
    PHASH_SAME,
    SCALE_RANGE,
    SCALE_SLACK,
    TOLERANCE,
    Similarity,
    _Fit,
    _frame,
    _mirrored,
    _trim,
    compare,
    compare_many,
    prepare,
)
from provenance.model import Hashes

# --- the reference: compare before prepare -----------------------------------------------------


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _reference_geometry(a: hashing.Features, b: hashing.Features) -> _Fit | None:
    """The best similarity transform carrying a's features onto b's, if enough agree."""
    if len(a.bits) < 2 or len(b.bits) < 2:
        return None
    dist = np.bitwise_count(a.bits[:, None] ^ b.bits[None, :])
    # Each feature of a with its NEIGHBOURS nearest features of b, when near enough.
    k = min(NEIGHBOURS, len(b.bits))
    nearest = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < len(b.bits) else np.argsort(dist, axis=1)
    rows = np.repeat(np.arange(len(a.bits)), nearest.shape[1])
    cols = nearest.ravel()
    keep = dist[rows, cols] <= MATCH_BITS
    ia, ib = rows[keep], cols[keep]
    if len(ia) < MIN_INLIERS:
        return None
    wa, ha = _frame(a)
    wb, hb = _frame(b)
    pa = np.stack([a.x[ia] * wa, a.y[ia] * ha], axis=1)
    pb = np.stack([b.x[ib] * wb, b.y[ib] * hb], axis=1)
    ratio = np.maximum(b.scale[ib], 1e-6) / np.maximum(a.scale[ia], 1e-6)
    za = pa[:, 0] + 1j * pa[:, 1]
    zb = pb[:, 0] + 1j * pb[:, 1]
    i, j = np.triu_indices(len(ia), k=1)
    da, db = za[j] - za[i], zb[j] - zb[i]
    ok = np.abs(da) > 0.04
    i, j, da, db = i[ok], j[ok], da[ok], db[ok]
    m = db / da  # scale * rotation, as a complex number
    s = np.maximum(np.abs(m), 1e-9)
    ang = np.degrees(np.angle(m))
    ok = (s > SCALE_RANGE[0]) & (s < SCALE_RANGE[1]) & (np.abs(ang) <= MAX_ANGLE)
    ok &= (np.abs(np.log(ratio[i] / s)) < SCALE_SLACK) & (np.abs(np.log(ratio[j] / s)) < SCALE_SLACK)
    if not ok.any():
        return None
    m, i = m[ok], i[ok]
    t = zb[i] - m * za[i]
    resid = np.abs(m[:, None] * za[None, :] + t[:, None] - zb[None, :])
    agree = (resid < TOLERANCE) & (np.abs(np.log(ratio[None, :] / np.abs(m)[:, None])) < SCALE_SLACK)
    counts = agree.sum(axis=1)
    h = int(counts.argmax())
    inl = agree[h]
    # One point of b may answer several of a: count distinct points on both sides.
    n = min(len(set(ia[inl].tolist())), len(set(ib[inl].tolist())))
    if n < MIN_INLIERS:
        return None
    # A ticker, banner or logo shared by two photos sits in their top or bottom band: some of the
    # agreement must come from the middle of both frames.
    ya, yb = a.y[ia[inl]], b.y[ib[inl]]
    middle = (ya > hashing.BAND) & (ya < 1 - hashing.BAND) & (yb > hashing.BAND) & (yb < 1 - hashing.BAND)
    if middle.sum() < MIN_MIDDLE:
        return None
    mh, th = m[h], t[h]
    # Where a's frame lands in b: the overlap, and how much of each frame the other covers.
    corners = np.array([0, wa, wa + 1j * ha, 1j * ha]) * mh + th
    lo_x, hi_x = np.clip([corners.real.min(), corners.real.max()], 0, wb)
    lo_y, hi_y = np.clip([corners.imag.min(), corners.imag.max()], 0, hb)
    if hi_x <= lo_x or hi_y <= lo_y:
        return None
    # The middle 60% of the agreeing points must spread over the overlap: a shared banner or logo
    # (with a few strays) does not.
    spread = np.ptp(np.quantile(pb[inl], [0.2, 0.8], axis=0), axis=0) / (hi_x - lo_x, hi_y - lo_y)
    if spread.min() < MIN_SPREAD:
        return None
    overlap_b = (hi_x - lo_x) * (hi_y - lo_y)
    cover_b = float(overlap_b / (wb * hb))
    cover_a = float(overlap_b / (abs(mh) ** 2 * wa * ha))
    bits = float(dist[ia[inl], ib[inl]].mean())
    return _Fit(n, float(abs(mh)), float(np.degrees(np.angle(mh))), min(cover_a, 1.0), min(cover_b, 1.0), bits)


def reference_compare(a: Hashes, b: Hashes) -> Similarity | None:
    """`compare` as it was before `prepare`: decodes both records on every call, scores every
    transform."""
    if a.version != b.version:
        raise ValueError(f"cannot compare hashes made differently: {a.version!r} vs {b.version!r}")
    av, bv = a.values, b.values
    # Letterbox and pillarbox bars come in pairs (top and bottom, or left and right).
    bars = np.abs(_trim(av) - _trim(bv)) > LETTERBOX
    letterboxed = bool((bars[0] and bars[2]) or (bars[1] and bars[3]))
    best: Similarity | None = None
    for suffix, mirrored in (("", False), ("_mirror", True)):
        phash = _distance(av["phash"], bv["phash" + suffix])
        fine = _distance(av["dhash16"], bv["dhash16" + suffix])
        if phash <= PHASH_SAME and fine <= DHASH16_CONFIRM:
            # The middle band much closer than the whole: a banner or logo at the top or bottom.
            band = _distance(av["band_phash"], bv["band_phash" + suffix])
            overlaid = phash > PHASH_NEAR and band <= phash / 2
            plain = ((("mirrored",) if mirrored else ()) + (("overlaid",) if overlaid else ())
                     + (("letterboxed",) if letterboxed else ()))
            sim = Similarity(score=1.0 - phash / 64, distance=phash, how=plain)
            if best is None or sim.score > best.score:
                best = sim
    if best is not None:
        return best
    # The middle band: the same photo with a ticker, banner or logo burned in at the top or bottom.
    for suffix, mirrored in (("", False), ("_mirror", True)):
        phash = _distance(av["band_phash"], bv["band_phash" + suffix])
        fine = _distance(av["band_dhash"], bv["band_dhash" + suffix])
        if phash <= BAND_SAME and fine <= BAND_CONFIRM:
            words = (("mirrored",) if mirrored else ()) + ("overlaid",) + (("letterboxed",) if letterboxed else ())
            sim = Similarity(score=1.0 - phash / 64, distance=phash, how=words)
            if best is None or sim.score > best.score:
                best = sim
    if best is not None:
        return best
    band = min(_distance(av["band_phash"], bv["band_phash"]), _distance(av["band_phash"], bv["band_phash_mirror"]))
    fa = hashing.unpack_features(av["local"])
    fb = hashing.unpack_features(bv["local"])
    for mirrored in (False, True):
        fit = _reference_geometry(fa, _mirrored(fb) if mirrored else fb)
        if fit is None:
            continue
        how: list[str] = []
        if mirrored:
            how.append("mirrored")
        if min(fit.cover_a, fit.cover_b) < 1 - CROPPED:
            how.append("cropped")
        if abs(fit.angle) >= 0.8:
            how.append("rotated")
        elif "cropped" not in how and band <= PHASH_SAME:
            # Same framing and the middle bands agree, yet the whole-image hashes do not: something
            # was laid over the top or bottom.
            how.append("overlaid")
        if letterboxed:
            how.append("letterboxed")
        phash = min(_distance(av["phash"], bv["phash"]), _distance(av["phash"], bv["phash_mirror"]))
        score = min(1.0, 0.6 + 0.4 * fit.inliers / max(8, min(len(fa.bits), len(fb.bits)) * 0.5))
        sim = Similarity(score=score, distance=phash, how=tuple(how))
        if best is None or sim.score > best.score:
            best = sim
    return best


# --- the run -----------------------------------------------------------------------------------


def _same(x: Similarity | None, y: Similarity | None) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return (x.score, x.distance, x.how) == (y.score, y.distance, y.how)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="use only the first N photos")
    parser.add_argument("--step", type=int, default=1, help="compare only every K-th pair")
    args = parser.parse_args(argv)

    items, _ = build(args.limit)
    hashes = [it.hashes for it in items]
    pairs = [(i, j) for i in range(len(hashes)) for j in range(i + 1, len(hashes))][:: args.step]

    start = time.perf_counter()
    old = [reference_compare(hashes[i], hashes[j]) for i, j in pairs]
    t_old = time.perf_counter() - start
    start = time.perf_counter()
    prepared = [prepare(h) for h in hashes]
    t_prepare = time.perf_counter() - start
    start = time.perf_counter()  # preparing is timed apart, as compare_many's time leaves it out
    new = [compare(prepared[i], prepared[j]) for i, j in pairs]
    t_new = time.perf_counter() - start
    # compare_many: each image against all its later partners at once.
    partners: dict[int, list[int]] = {}
    for i, j in pairs:
        partners.setdefault(i, []).append(j)
    found_many: dict[tuple[int, int], Similarity | None] = {}
    start = time.perf_counter()
    for i, js in partners.items():
        found_many.update(zip([(i, j) for j in js], compare_many(prepared[i], [prepared[j] for j in js]), strict=True))
    t_many = time.perf_counter() - start
    many = [found_many[pair] for pair in pairs]
    start = time.perf_counter()
    plain = [compare(hashes[i], hashes[j]) for i, j in pairs[:: max(1, len(pairs) // 5000)]]
    t_plain = (time.perf_counter() - start) / max(1, len(plain))

    differ = [(pair, x, y) for pair, x, y in zip(pairs, old, new, strict=True) if not _same(x, y)]
    differ_many = [(pair, x, y) for pair, x, y in zip(pairs, new, many, strict=True) if not _same(x, y)]
    found = sum(x is not None for x in old)
    per = 1e6 / max(1, len(pairs))
    print(f"{len(items)} images, {len(pairs):,} pairs, {found} judged the same photo")
    print(f"prepare: {t_prepare * 1e6 / max(1, len(hashes)):.0f} µs per image; compare on unprepared hashes: "
          f"{t_plain * 1e6:.0f} µs per pair")
    verdict = f"decisions identical on {len(pairs)} pairs" if not differ else \
        f"DECISIONS DIFFER on {len(differ)} of {len(pairs)} pairs"
    print(f"compare: {t_old * per:.0f} µs per pair (old) vs {t_new * per:.0f} µs (new, prepared), "
          f"{t_old / t_new:.1f}x cheaper, {verdict}")
    verdict = f"decisions identical to compare's on {len(pairs)} pairs" if not differ_many else \
        f"DECISIONS DIFFER from compare's on {len(differ_many)} of {len(pairs)} pairs"
    print(f"compare_many: {t_many * per:.0f} µs per pair, {t_new / t_many:.1f}x cheaper than compare (prepared), "
          f"{verdict}")
    for (i, j), x, y in (differ + differ_many)[:20]:
        print(f"  {items[i].photo.name}/{items[i].edit} ~ {items[j].photo.name}/{items[j].edit}: {x} vs {y}")
    return 1 if differ or differ_many else 0


if __name__ == "__main__":
    raise SystemExit(main())
