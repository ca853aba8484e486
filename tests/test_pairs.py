"""Judging every pair of a check's images once: in processes, and remembered in the cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from provenance import cache as cache_module
from provenance.cache import RecordCache
from provenance.media import batch, pairs
from provenance.media.files import find_images
from provenance.media.similarity import compare
from provenance.model import Hashes

REUSED = FIXTURES / "rules" / "reused-photo" / "bad-md"


@pytest.fixture(scope="module")
def images() -> list[tuple[str, Hashes]]:
    """(sha256, hashes) of every readable fixture photo of the library and of the reused-photo case."""
    found = []
    for folder in (FIXTURES / "library", REUSED):
        for record in batch.read_images(find_images(folder), folder.name, jobs=1):
            if record.hashes is not None:
                found.append((record.sha256, record.hashes))
    assert len(found) >= 8
    return found


def expected(images: list[tuple[str, Hashes]]) -> dict[tuple[str, str], Any]:
    return {(a, b): compare(ha, hb) for i, (a, ha) in enumerate(images) for b, hb in images[i + 1:] if a != b}


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the pairs compared (in this process: the pool is not used below POOL_MIN_PAIRS)."""
    seen: list[int] = []
    real = pairs._compare_row

    def counting(task: tuple[int, list[int]]) -> Any:
        seen.append(len(task[1]))
        return real(task)

    monkeypatch.setattr(pairs, "_compare_row", counting)
    return seen


def test_answers_are_compare_s_in_the_order_asked(images: list[tuple[str, Hashes]]) -> None:
    answers = pairs.judge_pairs(images, jobs=1)
    assert answers == expected(images)
    assert any(answer is not None for answer in answers.values()), "the fixtures hold copies of one photo"
    backwards = images[::-1]
    assert pairs.judge_pairs(backwards, jobs=1) == expected(backwards)


def test_processes_answer_as_this_process_does(images: list[tuple[str, Hashes]],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairs, "POOL_MIN_PAIRS", 0)
    pooled: list[int] = []
    real = pairs._in_pool

    def spy(tasks: Any, values: Any, workers: int, tick: Any) -> Any:
        pooled.append(workers)
        results = real(tasks, values, workers, tick)
        assert results is not None, "the pool broke (its processes' start failed?) and this process compared"
        return results

    monkeypatch.setattr(pairs, "_in_pool", spy)
    assert pairs.judge_pairs(images, jobs=2) == expected(images)
    assert pooled == [2]


def test_copies_and_hashes_made_another_way_are_left_out(images: list[tuple[str, Hashes]]) -> None:
    sha, hashes = images[0]
    other = Hashes(version="another recipe", values=images[1][1].values)
    answers = pairs.judge_pairs([(sha, hashes), (sha, hashes), ("f" * 64, other), images[2]], jobs=1)
    assert list(answers) == [(sha, images[2][0])]


def test_cached_answers_are_not_compared_again(images: list[tuple[str, Hashes]], tmp_path: Path,
                                               compared: list[int]) -> None:
    path = tmp_path / "cache.sqlite"
    with RecordCache(path) as cache:
        first = pairs.judge_pairs(images[:-1], cache=cache, jobs=1)
    assert sum(compared) == len(first) > 0
    with RecordCache(path) as cache:
        assert pairs.judge_pairs(images[:-1], cache=cache, jobs=1) == first
    assert sum(compared) == len(first), "a re-run compares nothing"
    with RecordCache(path) as cache:
        assert pairs.judge_pairs(images, cache=cache, jobs=1) == expected(images)
    assert sum(compared) == len(expected(images)), "one more photo: only its pairs are compared"


def test_a_new_judge_or_a_damaged_row_is_compared_again(images: list[tuple[str, Hashes]], tmp_path: Path,
                                                        compared: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cache.sqlite"
    with RecordCache(path) as cache:
        first = pairs.judge_pairs(images, cache=cache, jobs=1)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE pairs SET result = '{\"score\": \"high\"}' WHERE result IS NOT NULL")
        damaged = sum(1 for answer in first.values() if answer is not None)
    before = sum(compared)
    with RecordCache(path) as cache:
        assert pairs.judge_pairs(images, cache=cache, jobs=1) == first
    assert sum(compared) - before == damaged
    monkeypatch.setattr(pairs, "JUDGE", pairs.JUDGE + " changed")
    with RecordCache(path) as cache:
        assert pairs.judge_pairs(images, cache=cache, jobs=1) == first
    assert sum(compared) - before == damaged + len(first)
    # the answers of the judge before are gone: only the new judge's are kept
    with sqlite3.connect(path) as db:
        judges = {bytes(row[0]) for row in db.execute("SELECT judge FROM pairs")}
    assert judges == {cache_module._judge_tag(pairs.JUDGE)}


def test_a_warm_check_compares_no_pair_and_reports_the_same(cli, compared: list[int], _own_cache: Path) -> None:
    cold = cli("check", "--format", "json", "--no-cache", REUSED)
    assert "reused-photo" in cold.rules()
    assert sum(compared) == 1
    filling = cli("check", "--format", "json", REUSED)
    assert sum(compared) == 2
    warm = cli("check", "--format", "json", REUSED)
    assert sum(compared) == 2
    assert cold.out == filling.out == warm.out
    assert _own_cache.is_file()


def test_an_old_cache_gets_the_pairs_table(tmp_path: Path, images: list[tuple[str, Hashes]]) -> None:
    path = tmp_path / "cache.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '1')")
    with RecordCache(path) as cache:
        assert cache.usable
        pairs.judge_pairs(images[:3], cache=cache, jobs=1)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (cache_module.SCHEMA,)
        assert db.execute("SELECT count(*) FROM pairs").fetchone()[0] == 3


def test_progress_hears_every_pair_answered_in_processes_too(images: list[tuple[str, Hashes]], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairs, "POOL_MIN_PAIRS", 0)
    pooled: list[bool] = []
    real = pairs._in_pool

    def spy(*args: Any) -> Any:
        results = real(*args)
        pooled.append(results is not None)
        return results

    monkeypatch.setattr(pairs, "_in_pool", spy)
    total = len(expected(images))  # copies of one file are not compared
    for jobs in (1, 2):
        path = tmp_path / f"cache-{jobs}.sqlite"
        heard: list[tuple[int, int]] = []
        with RecordCache(path) as cache:
            pairs.judge_pairs(images, cache=cache, jobs=jobs, progress=lambda done, of, h=heard: h.append((done, of)))
        assert heard[0] == (0, total) and heard[-1] == (total, total)
        assert pooled == ([] if jobs == 1 else [True])  # jobs=2: the answers came from the pool
        assert len(heard) > 2 and [done for done, _ in heard] == sorted(done for done, _ in heard)
        # a second run finds them all in the cache at once
        heard.clear()
        with RecordCache(path) as cache:
            pairs.judge_pairs(images, cache=cache, jobs=jobs, progress=lambda done, of, h=heard: h.append((done, of)))
        assert heard == [(total, total)]
