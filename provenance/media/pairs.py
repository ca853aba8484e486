"""Which pairs of a check's images show the same photo: each pair compared once, in parallel, remembered.

The reused-photo rule asks, of every two images its figures use, whether they show the same photo
(`similarity.compare`). That is a check's one quadratic step: 200 photos make 19,900 pairs, at
about a tenth of a millisecond each. `judge_pairs` answers all of them before the rules run:

* a pair whose answer the cache holds (keyed by both files' sha256 and by `JUDGE`, see
  `provenance.cache`) is not compared again, so a re-run with one photo changed or added compares
  only that photo's pairs;
* the rest are compared in `jobs` processes when there are at least `POOL_MIN_PAIRS` of them, each
  image against all the later images it still needs in one task; fewer are compared in this
  process, where starting processes would cost more than it saves;
* answers are keyed by the two files' sha256 in the order the rule asks (`compare` is not
  symmetric in how it describes a copy), so copies of one file are compared once.

What is judged, and how, is `similarity.compare`'s alone: the answers are those the rule would get by
calling it itself.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from provenance.cache import RecordCache
from provenance.media import batch, similarity
from provenance.media.similarity import PreparedHashes, Similarity
from provenance.model import Hashes

COMPARE_REVISION = 1
"""Bump whenever `similarity.compare` could answer differently for the same hashes (thresholds, the
geometric check, how a copy is described); with `similarity.VERSION` it keys cached answers."""

JUDGE = f"{similarity.VERSION} compare{COMPARE_REVISION}"
"""What decides an answer; answers cached under another judge are never used."""

POOL_MIN_PAIRS = 2_000
"""Fewer pairs than this to compare are compared in this process."""

PairKey = tuple[str, str]
"""(sha256 of the first image's file, sha256 of the second), in the order they were compared."""


def judge_pairs(images: Sequence[tuple[str, Hashes]], *, cache: RecordCache | None = None,
                jobs: int | None = None, progress: Callable[[int, int], None] | None = None,
                groups: Sequence[object] | None = None) -> dict[PairKey, Similarity | None]:
    """`similarity.compare(a, b)` of every pair of `images` ((sha256, hashes), a before b in the list).

    Pairs of one file's copies (equal sha256) and of hashes made by another recipe than this
    version's are left out: the rule tells those apart without comparing. `jobs` processes (None:
    one per core) compare what `cache` does not know; the answers are written back to it.
    `progress(done, total)` hears how many of the pairs are answered, as they are. With `groups` (one
    label per image), only pairs of images with equal labels are judged (the articles, when reuse is
    judged per article).
    """
    wanted: dict[PairKey, None] = {}
    for i, (sha_a, hashes_a) in enumerate(images):
        if hashes_a.version != similarity.VERSION:
            continue
        for j in range(i + 1, len(images)):
            sha_b, hashes_b = images[j]
            if groups is not None and groups[j] != groups[i]:
                continue
            if sha_b != sha_a and hashes_b.version == similarity.VERSION:
                wanted.setdefault((sha_a, sha_b))
    if not wanted:
        return {}
    answers: dict[PairKey, Similarity | None] = {}
    usable = cache is not None and cache.usable
    if usable:
        assert cache is not None
        for key, text in cache.pairs(JUDGE, wanted).items():
            known, answer = _from_json(text)
            if known:
                answers[key] = answer
    todo = [key for key in wanted if key not in answers]
    cached = len(answers)

    def tick(done: int) -> None:
        if progress is not None:
            progress(cached + done, len(wanted))

    tick(0)
    if todo:
        hashes = {sha: h for sha, h in images}
        fresh = _compare_all(todo, hashes, jobs, tick)
        answers.update(fresh)
        if usable:
            assert cache is not None
            cache.put_pairs(JUDGE, {key: _to_json(answer) for key, answer in fresh.items()})
    return answers


def _compare_all(todo: list[PairKey], hashes: Mapping[str, Hashes], jobs: int | None,
                 tick: Callable[[int], None]) -> dict[PairKey, Similarity | None]:
    """Compare the pairs `todo`, in processes when they are many; `tick(n)` hears that n are done."""
    shas = list(dict.fromkeys(sha for key in todo for sha in key))
    index = {sha: i for i, sha in enumerate(shas)}
    rows: dict[int, list[int]] = {}
    for sha_a, sha_b in todo:
        rows.setdefault(index[sha_a], []).append(index[sha_b])
    values = [dict(hashes[sha].values) for sha in shas]
    tasks = list(rows.items())
    workers = min(jobs or batch.default_jobs(), len(tasks))
    results: list[list[Similarity | None]] | None = None
    if workers > 1 and len(todo) >= POOL_MIN_PAIRS and batch.processes_can_start():
        results = _in_pool(tasks, values, workers, tick)
    if results is None:
        _start_comparer(values)
        try:
            results = []
            done = 0
            for task in tasks:
                results.append(_compare_row(task))
                done += len(results[-1])
                tick(done)
        finally:
            _start_comparer([])  # the prepared hashes are not kept past the check
    answers: dict[PairKey, Similarity | None] = {}
    for (a, bs), row in zip(tasks, results, strict=True):
        for b, answer in zip(bs, row, strict=True):
            answers[(shas[a], shas[b])] = answer
    return answers


def _in_pool(tasks: list[tuple[int, list[int]]], values: list[dict[str, str]], workers: int,
             tick: Callable[[int], None]) -> list[list[Similarity | None]] | None:
    """The rows compared by `workers` processes; None when the pool broke (they are compared here then)."""
    context = multiprocessing.get_context(batch.START_METHOD)
    # Rows shrink towards the end; small chunks keep the processes evenly busy.
    chunk = max(1, len(tasks) // (workers * 8))
    results: list[list[Similarity | None]] = []
    done = 0
    try:
        with batch.safe_import_path(), ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_start_comparing_process,
                initargs=(values,)) as pool:
            for row in pool.map(_compare_row, tasks, chunksize=chunk):
                results.append(row)
                done += len(row)
                tick(done)
    except BrokenProcessPool:
        return None
    return results


_values: list[dict[str, str]] = []
"""In a comparing process: every image's hash values, by position."""
_prepared: dict[int, PreparedHashes] = {}


def _start_comparing_process(values: list[dict[str, str]]) -> None:
    batch.keep_freed_memory()
    _start_comparer(values)


def _start_comparer(values: list[dict[str, str]]) -> None:
    global _values
    _values = values
    _prepared.clear()


def _prepared_at(i: int) -> PreparedHashes:
    if i not in _prepared:
        _prepared[i] = similarity.prepare(Hashes(version=similarity.VERSION, values=_values[i]))
    return _prepared[i]


def _compare_row(task: tuple[int, list[int]]) -> list[Similarity | None]:
    """Image `a` compared with each of images `bs`, in one `similarity.compare_many` call."""
    a, bs = task
    return similarity.compare_many(_prepared_at(a), [_prepared_at(b) for b in bs])


def _to_json(answer: Similarity | None) -> str | None:
    if answer is None:
        return None
    return json.dumps({"score": answer.score, "distance": answer.distance, "how": list(answer.how)})


def _from_json(text: str | None) -> tuple[bool, Similarity | None]:
    """(whether `text` is a stored answer, the answer); a row that does not read is compared again."""
    if text is None:
        return True, None
    try:
        data: Any = json.loads(text)
        score, distance, how = data["score"], data["distance"], data["how"]
        if not (isinstance(score, float) and isinstance(distance, int) and isinstance(how, list)
                and all(isinstance(w, str) for w in how)):
            return False, None
        return True, Similarity(score=score, distance=distance, how=tuple(how))
    except (ValueError, TypeError, KeyError):
        return False, None
