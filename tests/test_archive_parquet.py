"""The Parquet archive on a real local Dask cluster: the same rows, hits and findings as the SQLite archive;
resuming a killed build; manifests; version mismatches."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT

pytest.importorskip("pyarrow", reason="the Parquet archive needs the 'scale' extra (pyarrow)")
distributed = pytest.importorskip("distributed", reason="archive build --engine dask needs the 'scale' extra (dask)")

from provenance import archive_parquet  # noqa: E402
from provenance.archive import Archive, ArchivedPhoto, HashVersionError  # noqa: E402
from provenance.archive_parquet import ParquetArchive, build, done_partitions, table_of, write_partition  # noqa: E402
from provenance.media import similarity  # noqa: E402
from provenance.model import Hashes  # noqa: E402

REUSED = FIXTURES / "rules" / "reused-photo"
MANIFEST = """image,article,date,caption,credit
photos/coffee.jpg,https://example.com/coffee,2023-05-01,Coffee on the terrace,Jane Doe/Reuters
photos/chelsea.jpg,https://example.com/coffee,2023-05-01,A cat in Chelsea,AFP
photos/photo-1.jpg,https://example.com/iran,2022-01-03,The supreme leader,Getty Images
"""


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real local Dask cluster: two single-threaded workers in this process (fast to start)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A newsroom folder (the current folder): the reused-photo articles, the seed article and a CMS export
    (`cms/manifest.csv` with its `photos/`)."""
    # the six folders counted below, not the gallery or HEIC ones
    shutil.copytree(REUSED, tmp_path / "articles", ignore=shutil.ignore_patterns("bad-gallery-md", "bad-heic"))
    shutil.copytree(FIXTURES / "seed", tmp_path / "articles" / "seed")
    photos = tmp_path / "cms" / "photos"
    photos.mkdir(parents=True)
    for source in (REUSED / "clean-md" / "coffee.jpg", REUSED / "clean-md" / "chelsea.jpg",
                   FIXTURES / "seed" / "photo-1.jpg"):
        shutil.copy(source, photos / source.name)
    (tmp_path / "cms" / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _key(photo: ArchivedPhoto) -> tuple[str, int]:
    return photo.article, photo.figure


def _sqlite_rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT article, path, title, published, figure, caption, credit, image, sha256, "
                            "version, phash, phash_mirror, patches, local_head, local, hashes FROM photos "
                            "ORDER BY article, figure").fetchall()


def _articles() -> list[Path]:
    return sorted(Path("articles").iterdir())


def test_a_dask_build_stores_the_rows_archive_add_stores(cli, desk, client) -> None:
    assert cli("archive", "add", *_articles(), "--archive", "a.sqlite").code == 0
    result = build([Path("articles")], Path("pq"), client=client, size=3)
    assert len(result.built) == 3 and not result.errors  # 7 article folders, 3 per partition
    parquet = sorted(ParquetArchive(Path("pq")).photos(), key=_key)
    with Archive(Path("a.sqlite")) as archive:
        assert parquet == sorted(archive.photos(), key=_key)
    assert len(parquet) == 14
    # Back into SQLite: byte for byte the rows `archive add` wrote.
    assert cli("archive", "import", "pq", "b.sqlite").code == 0
    assert _sqlite_rows(Path("b.sqlite")) == _sqlite_rows(Path("a.sqlite"))


def test_search_and_check_find_what_the_sqlite_archive_finds(cli, desk, client) -> None:
    assert cli("archive", "add", *_articles(), "--archive", "a.sqlite").code == 0
    build([Path("articles")], Path("pq"), client=client)
    images = ["articles/bad-md/coffee-small.jpg", "articles/seed/photo-1.jpg", "articles/clean-txt/chelsea.jpg"]
    local = cli("archive", "search", *images, "--archive", "pq", "--format", "json")
    sqlite = cli("archive", "search", *images, "--archive", "a.sqlite", "--format", "json")
    assert local.code == sqlite.code == 0
    assert local.json()["images"] == sqlite.json()["images"]
    assert sum(len(i["matches"]) for i in local.json()["images"]) >= 3
    # On the cluster: the same hits.
    on_dask = ParquetArchive(Path("pq"), client=client)
    with Archive(Path("a.sqlite")) as archive:
        for image in images:
            from provenance.media.reader import read_image

            record = read_image(Path(image), Path(image).name, Path(image).parent.as_posix())
            assert record.hashes is not None
            assert on_dask.search(record.hashes, record.sha256) == archive.search(record.hashes, record.sha256)
    # check --archive DIR: the same previously-published findings.
    for article in ("articles/bad-md", "articles/bad-html", "articles/clean-txt"):
        found = cli("check", "--archive", "pq", "--format", "json", article)
        expected = cli("check", "--archive", "a.sqlite", "--format", "json", article)
        assert found.code == expected.code
        assert found.json()["findings"] == expected.json()["findings"]
    assert "previously-published" in cli("check", "--archive", "pq", "--format", "json", "articles/bad-md").rules()
    # check and archive search on the cluster (--scheduler): the same again.
    address = client.scheduler.address
    on_cluster = cli("check", "--archive", "pq", "--scheduler", address, "--format", "json", "articles/bad-md")
    expected = cli("check", "--archive", "a.sqlite", "--format", "json", "articles/bad-md")
    assert on_cluster.json()["findings"] == expected.json()["findings"]
    searched = cli("archive", "search", *images, "--archive", "pq", "--scheduler", address, "--format", "json")
    assert searched.code == 0 and searched.json()["images"] == sqlite.json()["images"]


def test_a_manifest_build_records_every_row(cli, desk, client) -> None:
    result = build([Path("cms/manifest.csv")], Path("pq"), client=client, size=2)
    assert (len(result.built), result.rows, result.reads) == (2, 3, 3)
    photos = ParquetArchive(Path("pq")).photos()
    assert [(p.article, p.figure, p.published, p.credit, p.image) for p in photos] == [
        ("https://example.com/coffee", 0, "2023-05-01", "Jane Doe/Reuters", "cms/photos/coffee.jpg"),
        ("https://example.com/coffee", 1, "2023-05-01", "AFP", "cms/photos/chelsea.jpg"),
        ("https://example.com/iran", 0, "2022-01-03", "Getty Images", "cms/photos/photo-1.jpg"),
    ]
    # JSONL says the same.
    lines = [json.dumps({"image": f"photos/{name}", "article": "https://example.com/coffee", "date": "2023-05-01"})
             for name in ("coffee.jpg", "chelsea.jpg")]
    Path("cms/manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build([Path("cms/manifest.jsonl")], Path("pq2"))
    assert [p.sha256 for p in ParquetArchive(Path("pq2")).photos()] == [p.sha256 for p in photos[:2]]
    # Imported into SQLite and back: the same photos.
    assert cli("archive", "import", "pq", "a.sqlite").code == 0
    assert cli("archive", "import", "a.sqlite", "pq3").code == 0
    assert sorted(ParquetArchive(Path("pq3")).photos(), key=_key) == sorted(photos, key=_key)
    hit = cli("archive", "search", "articles/bad-md/coffee-small.jpg", "--archive", "pq", "--format", "json")
    assert [m["article"] for m in hit.json()["images"][0]["matches"]] == ["https://example.com/coffee"]


def test_the_cli_builds_on_a_local_cluster(cli, desk) -> None:
    run = cli("archive", "build", "cms/manifest.csv", "--engine", "dask", "--workers", "1", "--out", "pq")
    assert run.code == 0, run.err
    assert "1 partition built (3 photos, 3 images read" in run.out
    again = cli("archive", "build", "cms/manifest.csv", "--out", "pq")
    assert "0 partitions built" in again.out and "1 already complete" in again.out


def test_a_killed_build_resumes_without_rehashing_or_duplicates(desk, client, monkeypatch) -> None:
    import provenance.media.reader

    read: list[str] = []
    real = provenance.media.reader.read_image

    def counting(path: Path, rel: str, root: str) -> Any:
        read.append(rel)
        return real(path, rel, root)

    monkeypatch.setattr(provenance.media.reader, "read_image", counting)
    first = build([Path("cms/manifest.csv")], Path("pq"), client=client, size=1)
    assert len(first.built) == 3 and sorted(read) == ["photos/chelsea.jpg", "photos/coffee.jpg", "photos/photo-1.jpg"]
    names = sorted(done_partitions(Path("pq")))
    # A kill midway: the last partition's rows written but not its marker, the second one never started,
    # a temporary file left behind.
    (Path("pq") / f"{names[2]}.done.json").unlink()
    (Path("pq") / f"{names[1]}.done.json").unlink()
    (Path("pq") / f"{names[1]}.parquet").unlink()
    (Path("pq") / f".{names[1]}.parquet.x.tmp").write_bytes(b"half")
    assert len(ParquetArchive(Path("pq")).photos()) == 1  # only complete partitions count
    read.clear()
    second = build([Path("cms/manifest.csv")], Path("pq"), client=client, size=1)
    assert sorted(second.built) == names[1:] and second.skipped == names[:1]
    assert sorted(read) == ["photos/chelsea.jpg", "photos/photo-1.jpg"] and second.reads == 2
    photos = ParquetArchive(Path("pq")).photos()
    assert len(photos) == 3 and len({_key(p) for p in photos}) == 3
    assert not list(Path("pq").glob(".*.tmp"))  # a killed build's temporary files are cleared
    # Nothing changed: nothing read; an edited image: its partition only.
    read.clear()
    assert build([Path("cms/manifest.csv")], Path("pq"), client=client, size=1).built == [] and read == []
    shutil.copy(Path("cms/photos/photo-1.jpg"), Path("cms/photos/coffee.jpg"))
    third = build([Path("cms/manifest.csv")], Path("pq"), client=client, size=1)
    assert third.built == names[:1] and read == ["photos/coffee.jpg"]
    assert len(ParquetArchive(Path("pq")).photos()) == 3
    # A shorter manifest: the partitions it no longer names go.
    Path("cms/manifest.csv").write_text("\n".join(MANIFEST.splitlines()[:2]) + "\n", encoding="utf-8")
    fourth = build([Path("cms/manifest.csv")], Path("pq"), client=client, size=1)
    assert fourth.removed == names[1:] and len(ParquetArchive(Path("pq")).photos()) == 1


@pytest.mark.parametrize("image", ["../articles/seed/photo-1.jpg", "photos/../../articles/seed/photo-1.jpg", "ABS"])
def test_manifest_paths_outside_its_folder_are_refused(cli, desk, image: str) -> None:
    if image == "ABS":
        image = str((desk / "cms" / "photos" / "coffee.jpg").resolve())
    Path("cms/manifest.csv").write_text(f"image,article\n{image},https://example.com/x\n", encoding="utf-8")
    run = cli("archive", "build", "cms/manifest.csv", "--out", "pq")
    assert run.code == 2
    assert "cms/manifest.csv:2: image" in run.err and "outside the manifest's folder" in run.err
    assert not list(Path("pq").glob("*.parquet"))


def test_hashes_made_differently_are_refused(cli, desk, client) -> None:
    build([Path("cms/manifest.csv")], Path("pq"), client=client)
    photo = ParquetArchive(Path("pq")).photos()[0]
    old = dataclasses.replace(photo, article="https://example.com/old",
                              hashes=Hashes(version="sim0 old recipe", values=photo.hashes.values))
    write_partition(Path("pq"), "import-old-000000", table_of([old]), {
        "format": 1, "partition": "import-old-000000", "inputs": "x", "rows": 1, "versions": {old.hashes.version: 1}})
    run = cli("archive", "search", "articles/seed/photo-1.jpg", "--archive", "pq")
    assert run.code == 2
    assert "hashes made differently cannot be compared: the archive holds 1 photo by 'sim0 old recipe'" in run.err
    with pytest.raises(HashVersionError):
        ParquetArchive(Path("pq"), client=client).search(photo.hashes)
    again = cli("archive", "build", "articles/seed", "--out", "pq")
    assert again.code == 2 and "hashes made differently" in again.err
    check = cli("check", "--archive", "pq", "--format", "json", "articles/seed")
    assert any("hashes made differently" in e for e in check.json()["errors"])
    assert cli("archive", "add", "articles/seed", "--archive", "a.sqlite").code == 0
    mixed = cli("archive", "import", "pq", "a.sqlite")
    assert mixed.code == 2 and "hashes made differently" in mixed.err


def test_a_folder_that_is_not_an_archive_is_refused(cli, desk) -> None:
    run = cli("archive", "build", "articles/seed", "--out", "articles")
    assert run.code == 2 and "not empty and not a provenance Parquet archive" in run.err
    search = cli("archive", "search", "articles/seed/photo-1.jpg", "--archive", "articles")
    assert search.code == 2 and "not a provenance Parquet archive" in search.err


def test_the_base_tool_never_imports_dask_or_pyarrow() -> None:
    code = ("import sys; from provenance.cli import main; main(['check', '--format', 'json', '-q', sys.argv[1]]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'pyarrow')))")
    out = subprocess.run([sys.executable, "-c", code, str(FIXTURES / "seed")], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, cwd=ROOT, check=False)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


def test_partition_columns_hold_every_hash(desk) -> None:
    import pyarrow.parquet as pq

    build([Path("cms/manifest.csv")], Path("pq"))
    table = pq.read_table(next(Path("pq").glob("*.parquet")))
    assert table.schema == archive_parquet.schema()
    row = table.slice(0, 1).to_pylist()[0]
    values = json.loads(row["hashes"])
    assert row["phash"] == int(values["phash"], 16) and row["band_phash"] == int(values["band_phash"], 16)
    assert row["local_head"] and row["local"] and len(row["patches"]) % 8 == 0
    assert row["version"] == similarity.VERSION


def test_an_edited_article_folder_rebuilds_its_partition_only(desk) -> None:
    first = build([Path("articles")], Path("pq"), size=3)
    assert len(first.built) == 3
    shutil.copy(Path("articles/seed/photo-2.jpg"), Path("articles/seed/photo-1.jpg"))
    again = build([Path("articles")], Path("pq"), size=3)
    assert again.built == first.built[-1:]  # the seed folder sorts last
    assert len(again.skipped) == 2 and again.reads == 2
    assert len(ParquetArchive(Path("pq")).photos()) == 14


def test_without_the_extra_build_says_what_to_install(cli, desk, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if dask were not installed
    run = cli("archive", "build", "cms/manifest.csv", "--engine", "dask", "--out", "pq")
    assert run.code == 2 and "--engine dask needs dask.distributed" in run.err
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # and pyarrow neither
    run = cli("archive", "build", "cms/manifest.csv", "--out", "pq")
    assert run.code == 2 and "pip install 'provenance[scale]'" in run.err
    assert not Path("pq").exists()


def test_a_scheduler_searches_parquet_archives_only(cli, desk) -> None:
    assert cli("archive", "add", "articles/seed", "--archive", "a.sqlite").code == 0
    run = cli("archive", "search", "articles/seed/photo-1.jpg", "--archive", "a.sqlite", "--scheduler", "tcp://x:1")
    assert run.code == 2 and "--scheduler searches a Parquet archive folder only" in run.err
    check = cli("check", "--archive", "a.sqlite", "--scheduler", "tcp://x:1", "--format", "json", "articles/seed")
    assert any("--scheduler searches a Parquet archive folder only" in e for e in check.json()["errors"])


def test_a_build_killed_at_a_random_moment_resumes(desk) -> None:
    import os
    import re
    import signal
    import time

    lines = ["image,article"]
    for i in range(40):
        shutil.copy(Path("cms/photos/coffee.jpg"), Path(f"cms/photos/copy-{i:02d}.jpg"))
        lines.append(f"photos/copy-{i:02d}.jpg,https://example.com/{i}")
    Path("cms/big.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "provenance.cli", "archive", "build", "cms/big.csv", "--partition-size", "1",
               "--out", "pq"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(Path("pq").glob("*.done.json"))) < 5:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    finished = len(done_partitions(Path("pq")))
    assert 5 <= finished < 40  # killed midway: the second run has partitions left to build
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    read = re.search(r"(\d+) images read", again.stdout)
    assert read is not None and int(read.group(1)) == 40 - finished
    photos = ParquetArchive(Path("pq")).photos()
    assert len(photos) == 40 and len({p.article for p in photos}) == 40
    assert not list(Path("pq").glob(".*.tmp"))


def test_a_search_finds_the_same_file_by_its_sha256_whatever_its_hashes(desk) -> None:
    from provenance.media.reader import read_image

    build([Path("articles")], Path("pq"))
    stored = read_image(Path("articles/seed/photo-1.jpg"), "photo-1.jpg", "articles/seed")
    other = read_image(Path("articles/clean-txt/chelsea.jpg"), "chelsea.jpg", "articles/clean-txt")
    assert stored.hashes is not None and other.hashes is not None
    parquet = ParquetArchive(Path("pq"))
    plain = {hit.sha256 for hit in parquet.search(other.hashes)}
    assert stored.sha256 not in plain  # the other photo's hashes alone do not find it
    # given the stored file's sha256, the search lists that file as itself, first of all
    hits = parquet.search(other.hashes, stored.sha256)
    same = [hit for hit in hits if hit.sha256 == stored.sha256]
    assert same and all(hit.similarity == "the same file (byte-identical)" and hit.score == 1.0 for hit in same)
    assert {hit.sha256 for hit in hits} == plain | {stored.sha256}
