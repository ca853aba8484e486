"""Nothing provenance writes is left half-written when its process is killed (SIGKILL) at any moment.

- The archive: `provenance archive add` is killed at random moments, seeded, while another
  process keeps adding other articles and a third keeps reading the photos table; every article
  the reader sees, and every article at the end, has all its figures or none, and SQLite's
  integrity check passes (the record cache, written by the same runs, too).
- Reports and baselines: a writer of large JSON documents is killed at random moments; the target
  is always absent or one whole document, never a part of one. A killed writer may leave its
  hidden temporary file (`.NAME.XXXXXXXX.tmp`) beside the target; nothing reads it.

Kill moments come from a seeded generator, so a failure can be replayed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

SEED = 20240801
KILLS = 30
VICTIMS = {f"victims/v{i}.md": 40 for i in range(8)}
"""The articles of the killed `archive add`, and their figures (each with a readable image)."""
OTHERS = {f"others/o{i}.md": 10 for i in range(3)}
"""The articles another process keeps adding meanwhile."""

_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

_OTHER_WRITER = """
import sys
from pathlib import Path
from provenance.cli import main
stop = Path(sys.argv[2])
runs = 0
while not stop.exists():
    assert main(["archive", "add", "--archive", sys.argv[1], "others"]) == 0
    runs += 1
print("runs", runs)
"""

_READER = """
import json, sqlite3, sys, time
from pathlib import Path
expected = json.loads(sys.argv[2])
stop = Path(sys.argv[3])
reads = 0
partial = []
while not stop.exists():
    try:
        db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
        rows = db.execute("SELECT article, COUNT(*), COUNT(DISTINCT figure) FROM photos GROUP BY article").fetchall()
        db.close()
    except sqlite3.OperationalError as exc:  # not created yet
        time.sleep(0.01)
        continue
    reads += 1
    for article, count, figures in rows:
        if count != expected.get(article) or figures != count:
            partial.append([article, count, figures])
print(json.dumps({"reads": reads, "partial": partial}))
"""


def _article(path: Path, figures: int) -> None:
    """An article of `figures` figures showing the two seed photos, copied beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for name in ("photo-1.jpg", "photo-2.jpg"):
        shutil.copy(FIXTURES / "seed" / name, path.parent / name)
    lines = [f"# {path.stem}", ""]
    for i in range(figures):
        lines += [f"![Figure {i}](photo-{i % 2 + 1}.jpg)", f"*Figure {i} of {path.stem}. Photo: Agency*", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _add(folder: Path, archive: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "provenance.cli", "archive", "add", "--archive", str(archive),
                             "victims"], cwd=folder, env={**_ENV, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)


def _kill(proc: subprocess.Popen[str]) -> str:
    """SIGKILL the run and every process it started (its reader processes); what it printed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate()
    return out


@pytest.mark.slow
def test_archive_add_killed_at_random_moments_leaves_every_article_whole_or_absent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(SEED)
    folder = tmp_path / "desk"
    for rel, figures in {**VICTIMS, **OTHERS}.items():
        _article(folder / rel, figures)
    archive = folder / "archive.sqlite"
    stop = tmp_path / "stop"

    started = time.monotonic()
    first = _add(folder, archive)
    first.wait(timeout=120)
    whole_run = time.monotonic() - started  # kill moments spread over a whole run
    assert first.returncode == 0
    with sqlite3.connect(archive) as db:
        assert dict(db.execute("SELECT article, COUNT(*) FROM photos GROUP BY article").fetchall()) == VICTIMS
    with sqlite3.connect(archive) as db:
        db.execute("DELETE FROM photos")

    expected = {**VICTIMS, **OTHERS}
    other = subprocess.Popen([sys.executable, "-c", _OTHER_WRITER, str(archive), str(stop)], cwd=folder, env=_ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(archive), json.dumps(expected), str(stop)],
                              cwd=folder, env=_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    recorded: set[str] = set()
    midway = 0
    try:
        for kill in range(KILLS):
            proc = _add(folder, archive)
            out = ""
            if kill % 2:  # anywhere in the run: mostly before the archive is written
                time.sleep(rng.uniform(0, whole_run))
            else:  # while the archive is written: after some articles' transactions, maybe inside the next
                assert proc.stdout is not None
                for _ in range(rng.randrange(1, len(VICTIMS))):
                    out += proc.stdout.readline()
                time.sleep(rng.uniform(0, 0.004))
            out += _kill(proc)
            done = {line.split(": recorded", 1)[0] for line in out.splitlines() if ": recorded" in line}
            recorded |= done
            midway += 0 < len(done) < len(VICTIMS)
    finally:
        stop.touch()
        other_out, other_err = other.communicate(timeout=120)
        reader_out, reader_err = reader.communicate(timeout=120)
    assert other.returncode == 0, other_err
    assert reader.returncode == 0, reader_err
    seen = json.loads(reader_out)

    with sqlite3.connect(archive) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        counts = dict(db.execute("SELECT article, COUNT(*) FROM photos GROUP BY article").fetchall())
    cache = folder / ".provenance" / "cache.sqlite"
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    with capsys.disabled():
        print(f"\n[durability] {KILLS} kills of `archive add` ({midway} after some of its {len(VICTIMS)} articles' "
              "transactions), "
              f"{len(recorded)} victim articles recorded before a kill, other writer: {other_out.split()[-1]} runs, "
              f"reader: {seen['reads']} reads, integrity_check ok")
    assert seen["partial"] == [], "the reader saw an article with some of its figures"
    assert seen["reads"] > 0
    assert all(counts[a] == expected[a] for a in counts), counts
    assert recorded <= set(counts), "an article whose add completed is missing"
    assert set(OTHERS) <= set(counts)


_WRITER = """
import json, sys
from pathlib import Path
from provenance.atomic import write_text
target = Path(sys.argv[1])
n = 0
while True:
    findings = [{"rule": "missing-credit", "message": f"finding {i} of version {n}", "n": n} for i in range(40000)]
    write_text(target, json.dumps({"version": n, "findings": findings}, indent=2) + "\\n")
    print(f"wrote {n}", flush=True)
    n += 1
"""
WRITE_GUARD_S = 120
"""How long the test waits for a writer's first complete write (a hang guard, not a speed test)."""


@pytest.mark.slow
def test_a_report_killed_while_written_is_the_old_file_or_the_new_one_never_a_part(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    target = tmp_path / "out" / "report.json"
    versions: set[int] = set()
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], env=_ENV, stdout=subprocess.PIPE,
                                text=True, start_new_session=True)
        guard = threading.Timer(WRITE_GUARD_S, proc.kill)  # a writer that never finishes a write ends the wait
        guard.start()
        try:  # one write has finished, however loaded the machine: the kill below lands in a later one
            assert proc.stdout is not None and proc.stdout.readline() == "wrote 0\n"
        finally:
            guard.cancel()
        time.sleep(rng.uniform(0, 0.3))
        _kill(proc)
        if target.exists():
            document = json.loads(target.read_text(encoding="utf-8"))  # never a part of one
            assert len(document["findings"]) == 40000
            assert {f["n"] for f in document["findings"]} == {document["version"]}
            versions.add(document["version"])
    assert target.exists() and versions, "no write finished before a kill: the kills test nothing"
    for leftover in target.parent.iterdir():
        assert leftover == target or leftover.name.startswith(".report.json."), leftover


@pytest.mark.slow
def test_a_baseline_killed_while_written_is_absent_or_whole(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "many.md").write_text("\n\n".join(f"![Figure {i}](missing-{i}.jpg)" for i in range(3000)),
                                    encoding="utf-8")
    target = tmp_path / "baseline.json"
    command = [sys.executable, "-m", "provenance.cli", "baseline", "--no-cache", "--write", str(target), str(folder)]
    started = time.monotonic()
    assert subprocess.run(command, env=_ENV, capture_output=True, timeout=120).returncode == 0
    whole_run = time.monotonic() - started
    complete = target.read_text(encoding="utf-8")
    target.unlink()
    kills = 4
    for _ in range(kills):
        proc = subprocess.Popen(command, env=_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                text=True, start_new_session=True)
        time.sleep(rng.uniform(0.5 * whole_run, 1.1 * whole_run))
        _kill(proc)
        if target.exists():
            assert target.read_text(encoding="utf-8") == complete
            target.unlink()
