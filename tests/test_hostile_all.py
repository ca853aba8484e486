"""Every hostile input of fixtures/hostile/build.py, both rounds, in one folder, through every command.

The folder is checked from inside itself (as the GitHub Action and the pre-commit hook run from a
repository's root), where modules are planted that would write a marker if imported. Each
command runs in its own process; after all of them: no traceback, no exit 3, no marker, no
victim file changed, no secret from outside the folder, and no control character of the input in
any output (stdout and stderr of every command, every format), no line beginning with `::` but
the workflow commands of `--format github`. The wall time of the whole run is printed (the
timeout is a hang guard, not a speed test).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from typing import Any

import pytest
from conftest import HOSTILE_BUILD, ROOT

HANG_GUARD_S = 300

build = HOSTILE_BUILD

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What no output may hold: C0 but line feed and tab, DEL, C1, line separators, bidirectional overrides."""
WORKFLOW = re.compile(r"^::(error|warning|notice)( [^:\n]*)?::[^\n]*$")


class Outcome:
    def __init__(self, name: str, proc: subprocess.CompletedProcess[bytes], expect: set[int], seconds: float) -> None:
        self.name = name
        self.seconds = seconds
        self.code = proc.returncode
        self.out = proc.stdout.decode("utf-8")  # every output is UTF-8, whatever the input's names
        self.err = proc.stderr.decode("utf-8")
        self.expect = expect


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("hostile-all")
    news = base / "news"
    cases = build.build(news)
    more, traps = build.build_round_two(news)
    cases += more
    before = {victim: victim.read_bytes() for victim in traps.victims}
    inputs = traps.manifest.parent
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs: list[tuple[str, list[str], set[int]]] = [
        *((f"check --format {fmt}", ["check", "--format", fmt, "."], {1}) for fmt in
          ("text", "json", "sarif", "junit", "github", "html")),
        ("check --quiet --file-memory huge", ["check", "--quiet", "--file-memory", "100000000000000", "."], {1}),
        ("check a trapped folder", ["check", str(traps.trap_folder)], {2}),
        ("check --baseline /dev/zero", ["check", "--baseline", str(traps.zero_baseline), "."], {2}),
        ("check --baseline deep", ["check", "--baseline", str(traps.deep_baseline), "."], {2}),
        ("check --config deep", ["check", "--config", str(traps.deep_config), "."], {2}),
        ("check --output a folder", ["check", "--output", str(inputs), "controls.md"], {2}),
        ("inspect", ["inspect", *map(str, traps.images)], {0}),
        ("inspect --format json", ["inspect", "--format", "json", *map(str, traps.images)], {0}),
        ("archive add", ["archive", "add", "--archive", str(inputs / "archive.sqlite"), "controls.md"], {0, 1}),
        ("archive search", ["archive", "search", "--archive", str(inputs / "archive.sqlite"),
                            *map(str, traps.images)], {0}),
        ("archive search --format json", ["archive", "search", "--format", "json", "--archive",
                                          str(inputs / "archive.sqlite"), *map(str, traps.images)], {0}),
        ("archive add into a victim", ["archive", "add", "--archive", str(traps.victims[0]), "controls.md"], {2}),
        ("archive build a manifest", ["archive", "build", str(traps.manifest), "--out",
                                      str(inputs / "archive.parquet")], {0, 1, 2}),
        ("archive build a deep manifest", ["archive", "build", str(inputs / "deep.jsonl"), "--out",
                                           str(inputs / "deep.parquet")], {2}),
    ]
    if traps.fifo_baseline is not None:
        runs.append(("check --baseline a FIFO", ["check", "--baseline", str(traps.fifo_baseline), "."], {2}))
    outcomes = []
    started = time.monotonic()
    try:
        for name, args, expect in runs:
            one = time.monotonic()
            proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, cwd=news,
                                  timeout=HANG_GUARD_S, env=env)
            outcomes.append(Outcome(name, proc, expect, time.monotonic() - one))
        wall = time.monotonic() - started
        yield news, traps, before, outcomes, wall
    finally:
        for name in ("unreadable.jpg", "unreadable.txt"):
            if (news / name).exists():
                (news / name).chmod(0o644)
        (news / "big-attribute.html").unlink(missing_ok=True)
        build.remove_tree(news / "d")  # pytest's own clean-up recurses once per level


@pytest.mark.slow
def test_the_hostile_run(hostile: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, traps, before, outcomes, wall = hostile
    with capsys.disabled():
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"\n[hostile-all] {len(outcomes)} commands over one hostile folder: {wall:.1f} s wall time "
              f"(load average {load:.1f})")
        slowest = sorted(outcomes, key=lambda o: -o.seconds)[:3]
        print("[hostile-all] slowest: " + ", ".join(f"{o.name} {o.seconds:.1f} s" for o in slowest))
    problems = []
    for o in outcomes:
        if o.code not in o.expect:
            problems.append(f"{o.name}: exit {o.code}, expected {sorted(o.expect)}: {o.err[-300:]}")
        if "Traceback" in o.err or "internal error" in o.err:
            problems.append(f"{o.name}: {o.err[-300:]}")
        for stream, text in (("stdout", o.out), ("stderr", o.err)):
            hit = CONTROL.search(text)
            if hit:
                near = text[max(0, hit.start() - 60):hit.end()]
                problems.append(f"{o.name}: {stream} holds {hit.group()!r} at {near!r}")
            for line in text.splitlines():
                if line.lstrip().startswith("::") and not (o.name == "check --format github" and stream == "stdout"
                                                          and WORKFLOW.match(line)):
                    problems.append(f"{o.name}: {stream} line {line[:120]!r}")
            if build.SECRET in text:
                problems.append(f"{o.name}: {stream} holds the secret of a file outside")
        for line in o.err.splitlines():
            if not line.startswith(("provenance: ", "usage: ")) and "partition" not in line:
                problems.append(f"{o.name}: stderr line {line[:120]!r}")
    assert not traps.marker.exists(), "a planted module was imported"
    for victim, data in before.items():
        assert victim.read_bytes() == data, f"{victim} was changed"
    assert not problems, "\n".join(problems)
