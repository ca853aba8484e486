"""The media stage: reader processes (--jobs), the record cache (--no-cache), and the draft decode."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from PIL import Image

from provenance import cache as cache_module
from provenance.cache import RecordCache
from provenance.media import batch, reader, similarity
from provenance.media.files import find_images
from provenance.media.reader import read_image, read_image_bytes
from provenance.media.records import content_to_json, record_from_json
from provenance.pipeline import CheckOptions, run

LIBRARY = FIXTURES / "library"
REUSED = FIXTURES / "rules" / "reused-photo" / "bad-md"
UNREADABLE = FIXTURES / "rules" / "unreadable-image" / "bad-md"


@pytest.fixture(autouse=True)
def _fresh_reader_key() -> Any:
    cache_module.reader_key.cache_clear()
    yield
    cache_module.reader_key.cache_clear()


@pytest.fixture
def pool_always(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Use reader processes even for the small fixture folders; counts the pools started."""
    monkeypatch.setattr(batch, "POOL_MIN_BYTES", 0)
    started: list[int] = []
    real = batch._in_pool

    def spy(todo: Any, *args: Any) -> None:
        started.append(len(todo))
        real(todo, *args)

    monkeypatch.setattr(batch, "_in_pool", spy)
    return started


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the images decoded in this process (use --jobs 1; the CLI's default budget is lifted, as a
    budget reads every image in a reader process)."""
    from provenance import config

    monkeypatch.setattr(config, "DEFAULT_FILE_TIMEOUT", None)
    monkeypatch.setattr(config, "DEFAULT_FILE_MEMORY", None)
    seen: list[str] = []

    def counting(data: bytes, rel: str, root: str, digest: str | None = None) -> Any:
        seen.append(rel)
        return read_image_bytes(data, rel, root, digest)

    monkeypatch.setattr(batch, "read_image_bytes", counting)
    return seen


def _copy(fixture: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "story"
    shutil.copytree(fixture, folder)
    return folder


# --- reader processes ------------------------------------------------------------------------

@pytest.mark.parametrize("fixture", [REUSED, UNREADABLE, FIXTURES / "seed"])
def test_jobs_2_reports_what_jobs_1_reports(cli, fixture: Path, pool_always: list[int]) -> None:
    one = cli("check", "--format", "json", "--no-cache", "--jobs", "1", "--file-timeout", "0", "--file-memory", "0",
              fixture)
    assert pool_always == []
    two = cli("check", "--format", "json", "--no-cache", "--jobs", "2", fixture)
    assert pool_always, "the second run read its images in reader processes"
    assert (two.code, two.out, two.err) == (one.code, one.out, one.err)


def test_records_come_back_in_file_order_from_any_number_of_processes(pool_always: list[int]) -> None:
    entries = find_images(LIBRARY)
    alone = batch.read_images(entries, "library", jobs=1)
    pooled = batch.read_images(entries, "library", jobs=3)
    assert pool_always == [len(entries)]
    assert pooled == alone
    assert [r.path for r in pooled] == [e.rel for e in entries]


def test_a_reader_process_that_crashes_fails_only_its_file(pool_always: list[int],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the crash is staged by patching the reader, which only forked processes inherit")
    monkeypatch.setattr(batch, "START_METHOD", "fork")
    real = batch._read_one

    def crashing(path: str, rel: str, root: str, lookup: Any) -> Any:
        if rel == "coffee.jpg":
            os._exit(7)
        return real(path, rel, root, lookup)

    monkeypatch.setattr(batch, "_read_one", crashing)
    records = batch.read_images(find_images(LIBRARY), "library", jobs=2)
    crashed = [r for r in records if r.errors == (batch.CRASHED,)]
    assert [r.path for r in crashed] == ["coffee.jpg"]
    assert next(r for r in records if r.path == "chelsea.jpg").readable


def test_jobs_must_be_a_positive_number(cli) -> None:
    run_ = cli("check", "--jobs", "0", FIXTURES / "seed")
    assert run_.code == 2 and "at least 1 process" in run_.err


# --- the cache -------------------------------------------------------------------------------

def test_a_cached_record_is_identical_and_nothing_is_decoded_again(tmp_path: Path, decodes: list[str]) -> None:
    folder = _copy(REUSED, tmp_path)
    options = CheckOptions(jobs=1, cache=tmp_path / "cache.sqlite")
    first = run([folder], options)
    assert sorted(decodes) == ["coffee-small.jpg", "coffee.jpg"]
    second = run([folder], options)
    assert len(decodes) == 2
    assert second.images == first.images
    assert second.findings == first.findings
    assert run([folder], CheckOptions(jobs=1)).images == first.images


def test_a_changed_file_is_read_again(tmp_path: Path, decodes: list[str]) -> None:
    folder = _copy(REUSED, tmp_path)
    options = CheckOptions(jobs=1, cache=tmp_path / "cache.sqlite")
    before = {im.path: im for im in run([folder], options).images}
    shutil.copyfile(LIBRARY / "chelsea.jpg", folder / "coffee-small.jpg")
    after = {im.path: im for im in run([folder], options).images}
    assert decodes == ["coffee-small.jpg", "coffee.jpg", "coffee-small.jpg"]
    assert after["coffee.jpg"] == before["coffee.jpg"]
    assert after["coffee-small.jpg"] == read_image(folder / "coffee-small.jpg", "coffee-small.jpg", str(folder))
    assert after["coffee-small.jpg"].sha256 != before["coffee-small.jpg"].sha256


def test_a_touched_moved_or_copied_file_is_hashed_but_not_decoded_again(tmp_path: Path,
                                                                        decodes: list[str]) -> None:
    folder = _copy(REUSED, tmp_path)
    options = CheckOptions(jobs=1, cache=tmp_path / "cache.sqlite")
    first = run([folder], options)
    os.utime(folder / "coffee.jpg", ns=(1, 1))
    moved = tmp_path / "elsewhere"
    shutil.copytree(folder, moved)
    assert run([folder], options).images == first.images
    assert [im.sha256 for im in run([moved], options).images] == [im.sha256 for im in first.images]
    assert len(decodes) == 2


def test_another_hash_recipe_does_not_use_the_cached_records(tmp_path: Path, decodes: list[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy(REUSED, tmp_path)
    options = CheckOptions(jobs=1, cache=tmp_path / "cache.sqlite")
    run([folder], options)
    monkeypatch.setattr(similarity, "VERSION", similarity.VERSION + " next")
    cache_module.reader_key.cache_clear()
    images = run([folder], options).images
    assert len(decodes) == 4
    assert {im.hashes.version for im in images if im.hashes} == {similarity.VERSION}
    monkeypatch.setattr(reader, "READER_REVISION", reader.READER_REVISION + 1)
    cache_module.reader_key.cache_clear()
    run([folder], options)
    assert len(decodes) == 6


def _rows(path: Path, table: str, column: str) -> list[Any]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return sorted(row[0] for row in db.execute(f"SELECT {column} FROM {table}"))


def test_records_of_another_reader_are_deleted_once_after_an_upgrade(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy(REUSED, tmp_path)
    path = tmp_path / "cache.sqlite"
    options = CheckOptions(jobs=1, cache=path)
    run([folder], options)
    old = cache_module.reader_key()
    assert _rows(path, "records", "reader") == [old, old]
    monkeypatch.setattr(reader, "READER_REVISION", reader.READER_REVISION + 1)
    cache_module.reader_key.cache_clear()
    new = cache_module.reader_key()
    run([folder], options)
    assert _rows(path, "records", "reader") == [new, new]
    # an older version writing again: its rows stay until the cache's reader changes again
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO records (sha256, reader, record) VALUES ('0' , ?, '{}')", (old,))
    run([folder], options)
    assert _rows(path, "records", "reader") == sorted([old, new, new])


def test_no_cache_reads_every_image_and_writes_no_cache(cli, tmp_path: Path, decodes: list[str],
                                                         _own_cache: Path) -> None:
    folder = _copy(REUSED, tmp_path)
    assert cli("check", "--jobs", "1", "--no-cache", folder).code == 0
    assert not _own_cache.exists()
    cli("check", "--jobs", "1", folder)
    assert _own_cache.is_file()
    cli("check", "--jobs", "1", folder)
    assert len(decodes) == 4
    cli("check", "--jobs", "1", "--no-cache", folder)
    assert len(decodes) == 6


def test_a_file_that_is_not_a_cache_is_left_alone_with_one_warning(cli, tmp_path: Path, decodes: list[str],
                                                                   _own_cache: Path) -> None:
    folder = _copy(REUSED, tmp_path)
    _own_cache.parent.mkdir(parents=True)
    _own_cache.write_bytes(b"this is not a database" * 100)
    first = cli("check", "--jobs", "1", folder)
    assert first.code == 0
    warnings = first.err.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("provenance: warning: cache ")
    assert "not a provenance cache (not a SQLite database); left alone" in warnings[0]
    assert _own_cache.read_bytes() == b"this is not a database" * 100
    second = cli("check", "--jobs", "1", folder)
    assert second.err == first.err and second.out == first.out
    assert len(decodes) == 4


def test_a_cache_damaged_inside_is_rebuilt_with_one_warning(cli, tmp_path: Path, _own_cache: Path) -> None:
    folder = _copy(REUSED, tmp_path)
    clean = cli("check", "--jobs", "1", folder)
    data = bytearray(_own_cache.read_bytes())
    for offset in range(1024, len(data), 97):  # keep the header, damage every page
        data[offset] ^= 0x5A
    _own_cache.write_bytes(bytes(data))
    damaged = cli("check", "--jobs", "1", folder)
    assert damaged.out == clean.out
    assert len(damaged.err.splitlines()) <= 1  # SQLite may not notice every damage; never a crash
    assert cli("check", "--jobs", "1", folder).out == clean.out


def test_a_cache_of_an_older_schema_is_rebuilt_with_one_warning(cli, tmp_path: Path, decodes: list[str],
                                                                 _own_cache: Path) -> None:
    folder = _copy(REUSED, tmp_path)
    _own_cache.parent.mkdir(parents=True)
    with sqlite3.connect(_own_cache) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '0')")
        db.execute("CREATE TABLE records (sha256 TEXT, record BLOB)")
    db.close()
    first = cli("check", "--jobs", "1", folder)
    assert len(first.err.splitlines()) == 1 and "another version" in first.err
    assert cli("check", "--jobs", "1", folder).err == ""
    assert len(decodes) == 2


def test_a_cache_that_cannot_be_created_is_skipped_with_one_warning(cli, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache's folder should be", encoding="utf-8")
    monkeypatch.setattr(cache_module, "DEFAULT_PATH", blocker / "cache.sqlite")
    result = cli("check", FIXTURES / "seed")
    assert result.code == 0
    assert len(result.err.splitlines()) == 1 and "cannot be used" in result.err


def test_the_configured_cache_is_used(cli, tmp_path: Path, _own_cache: Path) -> None:
    folder = _copy(REUSED, tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "provenance.toml").write_text('cache = "state/records.sqlite"\n', encoding="utf-8")
    assert cli("check", folder).code == 0
    assert (tmp_path / "state" / "records.sqlite").is_file()
    assert not _own_cache.exists()


def test_a_cached_row_that_does_not_read_is_read_again(tmp_path: Path, decodes: list[str]) -> None:
    folder = _copy(REUSED, tmp_path)
    options = CheckOptions(jobs=1, cache=tmp_path / "cache.sqlite")
    first = run([folder], options)
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        db.execute("UPDATE records SET record = '{\"sha256\": 1'")
    db.close()
    assert run([folder], options).images == first.images
    assert len(decodes) == 4


def _write_records(path: str, start: int, count: int, go: Any) -> None:
    cache_module.FLUSH_EVERY = 1
    go.wait()
    cache = RecordCache(Path(path))
    template = content_to_json(read_image(LIBRARY / "coffee.jpg", "coffee.jpg", "library"))
    for i in range(start, start + count):
        cache.put(dict(template, sha256=f"{i:064x}"), None)
    cache.close()


def test_concurrent_writers_lose_nothing_and_readers_never_see_a_partial_row(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    RecordCache(path).close()
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    writers = [context.Process(target=_write_records, args=(str(path), n * 1000, 150, go)) for n in range(2)]
    for w in writers:
        w.start()
    go.set()
    seen = 0
    reading = RecordCache(path)
    while any(w.is_alive() for w in writers):
        for i in (0, 75, 149, 1000, 1075, 1149):
            content = reading.get(f"{i:064x}")
            if content is not None:
                seen += 1
                assert record_from_json(content, "x.jpg", "r").sha256 == f"{i:064x}"
    reading.close()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    final = RecordCache(path)
    for n in range(2):
        for i in range(n * 1000, n * 1000 + 150):
            content = final.get(f"{i:064x}")
            assert content is not None and content["sha256"] == f"{i:064x}"
    final.close()


# --- records and the draft decode ----------------------------------------------------------

def test_records_survive_their_json_form() -> None:
    for entry in find_images(LIBRARY):
        assert entry.path is not None
        record = read_image(entry.path, entry.rel, "library")
        assert record_from_json(content_to_json(record), entry.rel, "library") == record


def test_a_large_jpeg_is_draft_decoded_and_hashes_as_its_full_decode() -> None:
    with Image.open(LIBRARY / "coffee.jpg") as im:
        big = im.convert("RGB").resize((2400, 1600), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", quality=90)
    record = read_image_bytes(buffer.getvalue(), "big.jpg", "r")
    assert (record.width, record.height) == (2400, 1600)
    assert record.hashes is not None
    with Image.open(io.BytesIO(buffer.getvalue())) as full:
        full.load()
        reference = similarity.compute_hashes(full)
    same = similarity.compare(record.hashes, reference)
    assert same is not None and same.distance <= 4
    with Image.open(io.BytesIO(buffer.getvalue())) as drafted:
        drafted.draft("RGB", (reader.DECODE_SIZE, reader.DECODE_SIZE))
        assert drafted.size == (600, 400)  # 1/4: the smallest scale keeping both sides >= DECODE_SIZE


def test_a_cache_key_that_is_not_a_path_exits_2(cli, tmp_path: Path) -> None:
    folder = _copy(REUSED, tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "provenance.toml").write_text("cache = 3\n", encoding="utf-8")
    result = cli("check", folder)
    assert result.code == 2 and "provenance.toml: cache: expected a file path, not an integer" in result.err


def test_baseline_reads_with_processes_and_the_cache_too(cli, tmp_path: Path, pool_always: list[int],
                                                         _own_cache: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert cli("baseline", "--jobs", "1", "--no-cache", "--write", one, REUSED).code == 0
    assert cli("baseline", "--jobs", "2", "--write", two, REUSED).code == 0
    assert pool_always and _own_cache.is_file()
    assert one.read_bytes() == two.read_bytes()


def test_a_program_read_from_stdin_reads_in_its_own_process(pool_always: list[int],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(batch, "START_METHOD", "spawn")
    monkeypatch.setattr(sys.modules["__main__"], "__file__", "<stdin>", raising=False)
    monkeypatch.setattr(sys.modules["__main__"], "__spec__", None, raising=False)
    records = batch.read_images(find_images(LIBRARY), "library", jobs=2)
    assert pool_always == []
    assert not [r for r in records if r.errors == (batch.CRASHED,)]
