"""Which stored photos are worth a `compare`: the candidate stage of every photo search.

`similarity.compare` decides from two `Hashes` records whether they show the same photo, at about
0.15 ms a pair (records `prepare`d once; 0.2 ms otherwise): too slow to run against every photo
of a large archive, or on every pair of figures of a large check. A `PhotoIndex` holds, for a set
of stored photos, the fixed-width 64-bit values `compare` starts from, as numpy arrays:

* the global hashes ``phash``, ``phash_mirror``, ``band_phash`` and ``band_phash_mirror`` of each
  photo, scanned with vectorised Hamming distances (``np.bitwise_count``, about 1 ms per million
  photos and query hash);
* the 64-bit patch hashes of every local feature, indexed by each of their four 16-bit words
  (one copy of the hashes sorted by each word, with where each word value's run starts).

`PhotoIndex.candidates(hashes)` returns the positions of the stored photos near the query in a
global hash (plain or mirrored; the band hashes find copies with a banner or logo burned in), or
sharing enough near patch hashes (distinct features on both sides, as `compare` counts its
matches; the query's own hashes or its mirror image's, derived as `compare` derives them). Two
depths of the patch lookup:

* quick (the archive's): only the word values of the query's patch hashes are looked up, so every
  stored patch hash within 3 bits of a query hash is seen (pigeonhole: 4 words), and most within
  `PATCH_BITS`; words shared by very many stored features (flat or striped patches) are skipped;
* complete (``complete=True``, for a check's own figures): every word value within
  `COMPLETE_PROBE` bits of the query's is looked up too, so every stored patch hash within
  4 * (COMPLETE_PROBE + 1) - 1 = 11 bits is seen, which covers `similarity.MATCH_BITS`; nothing
  is skipped. Then every photo `compare` could judge the same photo is a candidate: its global
  stage needs a phash within `PHASH_SAME` or a band phash within `BAND_SAME`, its local stage at
  least `MIN_INLIERS` distinct features matched within `MATCH_BITS`, and the thresholds here are
  at least as loose. It probes 137 word values per word instead of one.

On real photos the patch-hash stage is a weak filter: edges, gradients and flat areas give patch
hashes that many unrelated photos share, so enough near hashes is common and only `compare`'s
geometric agreement tells them apart. `benchmarks/reuse.py` measures it on 528 images: the
complete lookup keeps every pair `compare` accepts (3121 of 3121) but leaves 95,571 of the
139,128 pairs as candidates, and the pairs it drops are the cheap ones for `compare`, so
comparing the candidates only is not faster than comparing every pair; the reused-photo rule
therefore still compares every pair. The quick lookup kept 107,567 pairs there too, so the
archive search times `benchmarks/archive_search.py` measures with random patch hashes are a
lower bound for an archive of real photos.

An index can be saved to a folder of `.npy` files and opened again memory-mapped (see `save` and
`PhotoIndex.open`), so a large archive's index is built once, not in every process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from provenance.media import hashing
from provenance.media.similarity import BAND_SAME, MATCH_BITS, MIN_INLIERS, PHASH_SAME
from provenance.model import Hashes

PHASH_CANDIDATE = PHASH_SAME + 2
"""Global phash distance (of 64 bits) that makes a stored photo a candidate; looser than `compare`'s own."""
BAND_CANDIDATE = BAND_SAME + 2
"""Band phash distance that makes a stored photo a candidate (copies with a banner or logo burned in)."""
PATCH_BITS = 12
"""Quick lookup: a stored patch hash this close (bits of 64) to one of the query's counts as a hit."""
MIN_PATCH_HITS = 4
"""Quick lookup: distinct stored features hit that make a photo a candidate."""
WORD_BITS = 16
"""Patch hashes are indexed by each of their 64 / WORD_BITS words."""
WORDS = 64 // WORD_BITS
"""Words per patch hash: a stored hash within WORDS - 1 bits of a query hash shares at least one word
with it (pigeonhole)."""
COMPLETE_PROBE = 2
"""Complete lookup: word values within this many bits of the query's are looked up too, so every stored
hash within WORDS * (COMPLETE_PROBE + 1) - 1 bits is seen."""
CROWDED_BUCKET = 64
"""Quick lookup: a word shared by more than this many times the average number of stored features (and
by more than 1024) says little about a photo (a flat or striped patch) and is not looked up."""
FORMAT = 1
"""Layout of a saved index; stored in its manifest."""

assert WORDS * (COMPLETE_PROBE + 1) - 1 >= MATCH_BITS, "the complete lookup must see every tentative match"
assert MATCH_BITS <= PATCH_BITS


class IndexFormatError(ValueError):
    """A saved index is missing, incomplete or damaged."""


@dataclass(frozen=True)
class Words:
    """The stored patch hashes sorted by one of their words, with where each word value's run starts."""

    offsets: NDArray[np.int64]
    """Word value v's stored features are at [offsets[v], offsets[v + 1])."""
    bits: NDArray[np.uint64]
    """Every stored patch hash, sorted by this word."""
    feature: NDArray[np.uint32]
    """The position of each among all stored features (photo by photo, in order)."""


def _masks(bits: int) -> NDArray[np.uint64]:
    """Every WORD_BITS-bit value with at most `bits` bits set."""
    values = np.arange(1 << WORD_BITS, dtype=np.uint64)
    return values[np.bitwise_count(values) <= bits]


_QUICK = np.zeros(1, dtype=np.uint64)
_COMPLETE = _masks(COMPLETE_PROBE)
_HEX = ("phash", "phash_mirror", "band_phash", "band_phash_mirror")


def patch_hashes(hashes: Hashes) -> NDArray[np.uint64]:
    """The 64-bit patch hashes of an image's local features (empty when it has none)."""
    local = hashes.values.get("local")
    if not local:
        return np.zeros(0, dtype=np.uint64)
    return np.ascontiguousarray(hashing.unpack_features(local).bits, dtype=np.uint64)


def global_value(hashes: Hashes, name: str) -> int:
    """One 64-bit global hash as an unsigned integer (0 when absent)."""
    value = hashes.values.get(name)
    return int(value, 16) if value else 0


def _word(bits: NDArray[np.uint64], w: int) -> NDArray[np.uint64]:
    word: NDArray[np.uint64] = (bits >> np.uint64(WORD_BITS * w)) & np.uint64((1 << WORD_BITS) - 1)
    return word


def _index_word(bits: NDArray[np.uint64], w: int) -> Words:
    words = _word(bits, w).astype(np.uint16)
    order = np.argsort(words, kind="stable")  # a radix sort for 16-bit keys
    offsets = np.zeros((1 << WORD_BITS) + 1, dtype=np.int64)
    np.cumsum(np.bincount(words, minlength=1 << WORD_BITS), out=offsets[1:])
    return Words(offsets=offsets, bits=bits[order], feature=order.astype(np.uint32))


@dataclass(frozen=True)
class PhotoIndex:
    """The candidate index of a set of stored photos, each known by its position (0, 1, ...)."""

    phash: NDArray[np.uint64]
    """`phash` of each photo."""
    phash_mirror: NDArray[np.uint64]
    """`phash_mirror` of each photo."""
    band_phash: NDArray[np.uint64]
    """`band_phash` of each photo."""
    band_phash_mirror: NDArray[np.uint64]
    """`band_phash_mirror` of each photo."""
    starts: NDArray[np.int64]
    """Photo p's features are at [starts[p], starts[p + 1]) of all stored features."""
    words: tuple[Words, ...]
    """The patch hashes indexed by each word."""

    def __len__(self) -> int:
        return len(self.phash)

    @property
    def features(self) -> int:
        """How many patch hashes are stored."""
        return int(self.starts[-1])

    @classmethod
    def build(cls, photos: Sequence[Hashes]) -> PhotoIndex:
        """The index of `photos` (position i is photos[i])."""
        patches = [patch_hashes(h) for h in photos]
        columns = {name: np.array([global_value(h, name) for h in photos], dtype=np.uint64) for name in _HEX}
        return cls.from_arrays(
            **columns, counts=np.array([len(p) for p in patches], dtype=np.int64),
            bits=np.concatenate(patches) if patches else np.zeros(0, dtype=np.uint64))

    @classmethod
    def from_arrays(
        cls,
        *,
        phash: NDArray[np.uint64],
        phash_mirror: NDArray[np.uint64],
        band_phash: NDArray[np.uint64],
        band_phash_mirror: NDArray[np.uint64],
        counts: NDArray[np.int64],
        bits: NDArray[np.uint64],
    ) -> PhotoIndex:
        """The index of photos given column by column: global hashes, how many patch hashes each has,
        and all patch hashes, photo by photo."""
        starts = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        if starts[-1] != len(bits):
            raise ValueError(f"{len(bits)} patch hashes given, counts add up to {starts[-1]}")
        bits = np.ascontiguousarray(bits, dtype=np.uint64)
        with ThreadPoolExecutor(max_workers=2) as pool:  # numpy sorts and gathers outside the GIL
            words = tuple(pool.map(lambda w: _index_word(bits, w), range(WORDS)))
        return cls(phash=phash, phash_mirror=phash_mirror, band_phash=band_phash,
                   band_phash_mirror=band_phash_mirror, starts=starts, words=words)

    def candidates(self, hashes: Hashes, *, complete: bool = False) -> NDArray[np.intp]:
        """Positions (sorted) of the stored photos worth a `compare` with `hashes`.

        `complete` looks deeper, so that no photo `compare` would pair with `hashes` is left out
        (see the module's notes); the quick lookup suits large archives.
        """
        found: list[NDArray[np.intp]] = []
        if len(self):
            for query, stored, limit in (
                ("phash", ("phash", "phash_mirror"), PHASH_CANDIDATE),
                ("phash_mirror", ("phash",), PHASH_CANDIDATE),
                ("band_phash", ("band_phash", "band_phash_mirror"), BAND_CANDIDATE),
                ("band_phash_mirror", ("band_phash",), BAND_CANDIDATE),
            ):
                if not hashes.values.get(query):
                    continue
                q = np.uint64(global_value(hashes, query))
                for name in stored:
                    found.append(np.flatnonzero(np.bitwise_count(getattr(self, name) ^ q) <= limit))
        patches = patch_hashes(hashes)
        if len(patches) and self.features:
            # The mirror image's features are looked up apart: `compare` matches either orientation whole.
            for oriented in (patches, hashing.mirrored_bits(patches)):
                found.append(self._by_patches(oriented, complete))
        if not found:
            return np.zeros(0, dtype=np.intp)
        return np.unique(np.concatenate(found)).astype(np.intp)

    def _by_patches(self, query: NDArray[np.uint64], complete: bool) -> NDArray[np.intp]:
        """Photos with enough distinct stored features near enough distinct `query` patch hashes."""
        masks, limit, enough = (_COMPLETE, MATCH_BITS, MIN_INLIERS) if complete else (
            _QUICK, PATCH_BITS, MIN_PATCH_HITS)
        crowded = None if complete else max(1024, int(CROWDED_BUCKET * self.features / (1 << WORD_BITS)))
        asked_of: list[NDArray[np.intp]] = []
        stored_of: list[NDArray[np.uint32]] = []
        for w, words in enumerate(self.words):
            keys = (_word(query, w)[:, None] ^ masks[None, :]).ravel().astype(np.intp)
            asked = np.repeat(np.arange(len(query)), len(masks))
            lo, hi = words.offsets[keys], words.offsets[keys + 1]
            sizes = hi - lo
            keep = (sizes > 0) if crowded is None else (sizes > 0) & (sizes <= crowded)
            lo, sizes, asked = lo[keep], sizes[keep], asked[keep]
            total = int(sizes.sum())
            if not total:
                continue
            # Every position of every run looked up, in one gather.
            firsts = np.cumsum(sizes) - sizes
            where = np.repeat(lo - firsts, sizes) + np.arange(total)
            asked = np.repeat(asked, sizes)
            near = np.bitwise_count(np.asarray(words.bits[where]) ^ query[asked]) <= limit
            asked_of.append(asked[near])
            stored_of.append(np.asarray(words.feature[where[near]]))
        if not stored_of:
            return np.zeros(0, dtype=np.intp)
        stored = np.concatenate(stored_of).astype(np.int64)
        photo = np.searchsorted(self.starts, stored, side="right") - 1
        inside = (photo >= 0) & (photo < len(self))  # always, unless a saved index was damaged
        photo, stored, asked_all = photo[inside], stored[inside], np.concatenate(asked_of)[inside]
        # Distinct features on both sides: one feature found through several words or several
        # near hashes counts once, as `compare` counts its matches.
        # (A stored feature belongs to one photo: its distinct pairs are its distinct features.)
        stored_hits = photo[np.unique(stored, return_index=True)[1]]
        asked_hits = np.unique(photo * len(query) + asked_all) // len(query)
        photos, by_stored = np.unique(stored_hits, return_counts=True)
        by_asked = np.bincount(np.searchsorted(photos, asked_hits), minlength=len(photos))
        return photos[np.minimum(by_stored, by_asked) >= enough].astype(np.intp)

    def save(self, folder: Path, manifest: Mapping[str, Any], extra: Mapping[str, NDArray[Any]] | None = None) -> None:
        """Write the index and the `extra` arrays into the (new, empty) `folder` as `.npy` files,
        flushed to disk, then `manifest.json`: `manifest` with the index's format and array shapes."""
        shapes: dict[str, list[int]] = {}
        for name, array in {**self._arrays(), **(extra or {})}.items():
            path = folder / f"{name}.npy"
            with open(path, "wb") as f:
                np.save(f, np.ascontiguousarray(array), allow_pickle=False)
                f.flush()
                os.fsync(f.fileno())
            shapes[name] = list(array.shape)
        document = {**manifest, "format": FORMAT, "photos": len(self), "features": self.features, "arrays": shapes}
        with open(folder / "manifest.json", "w", encoding="utf-8") as f:
            json.dump(document, f, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())

    @classmethod
    def open(
        cls, folder: Path, extra: Sequence[str] = ()
    ) -> tuple[PhotoIndex, dict[str, Any], dict[str, NDArray[Any]]]:
        """A saved index, memory-mapped, with its manifest and the `extra` arrays saved beside it.

        Raises `IndexFormatError` when the folder does not hold a complete index of this format.
        """
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexFormatError(f"{folder}: no manifest") from None
        except (OSError, ValueError) as exc:
            raise IndexFormatError(f"{folder}: unreadable manifest ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise IndexFormatError(f"{folder}: not an index of format {FORMAT}")
        shapes = manifest.get("arrays")
        if not isinstance(shapes, dict):
            raise IndexFormatError(f"{folder}: the manifest lists no arrays")
        arrays: dict[str, NDArray[Any]] = {}
        for name in (*_names(), *extra):
            try:
                array = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise IndexFormatError(f"{folder}: {name}.npy: {exc}") from None
            if list(array.shape) != shapes.get(name):
                raise IndexFormatError(f"{folder}: {name}.npy has shape {list(array.shape)}, the manifest says "
                                       f"{shapes.get(name)}")
            arrays[name] = array
        try:
            index = cls._from_saved(arrays)
        except (ValueError, TypeError) as exc:
            raise IndexFormatError(f"{folder}: {exc}") from None
        return index, manifest, {name: arrays[name] for name in extra}

    def _arrays(self) -> dict[str, NDArray[Any]]:
        out: dict[str, NDArray[Any]] = {name: getattr(self, name) for name in (*_HEX, "starts")}
        for w, words in enumerate(self.words):
            out[f"word{w}_offsets"], out[f"word{w}_bits"], out[f"word{w}_feature"] = (
                words.offsets, words.bits, words.feature)
        return out

    @classmethod
    def _from_saved(cls, arrays: Mapping[str, NDArray[Any]]) -> PhotoIndex:
        def typed(name: str, dtype: type[np.generic]) -> NDArray[Any]:
            array = arrays[name]
            if array.dtype != np.dtype(dtype) or array.ndim != 1:
                raise ValueError(f"{name}.npy holds {array.dtype} of {array.ndim} dimensions")
            return array

        starts = typed("starts", np.int64)
        photos = len(starts) - 1
        features = int(starts[-1]) if photos >= 0 else -1
        words = []
        for w in range(WORDS):
            offsets = typed(f"word{w}_offsets", np.int64)
            bits, feature = typed(f"word{w}_bits", np.uint64), typed(f"word{w}_feature", np.uint32)
            if len(offsets) != (1 << WORD_BITS) + 1 or int(offsets[0]) != 0 or int(offsets[-1]) != features or (
                    len(bits) != features or len(feature) != features or bool((np.diff(offsets) < 0).any())):
                raise ValueError(f"word {w} does not index {features} features")
            words.append(Words(offsets=offsets, bits=bits, feature=feature))
        columns = {name: typed(name, np.uint64) for name in _HEX}
        if any(len(c) != photos for c in columns.values()):
            raise ValueError(f"global hashes of other than {photos} photos")
        return cls(**columns, starts=starts, words=tuple(words))


def _names() -> tuple[str, ...]:
    return (*_HEX, "starts", *(f"word{w}_{part}" for w in range(WORDS) for part in ("offsets", "bits", "feature")))
