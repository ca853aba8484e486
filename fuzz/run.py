"""Run the fuzz harnesses for a bounded time and report executions and crashes.

    python fuzz/run.py --seconds 60                  # every harness, 60 s each
    python fuzz/run.py --seconds 300 --target html   # one harness
    python fuzz/run.py --seconds 60 --strict         # guarded failures count as crashes
    python fuzz/run.py --seconds 60 --engine random  # without atheris

Each harness runs in its own process (atheris when installed, else the random
mutation engine), one after the other, with a per-input timeout and an RSS
limit. New coverage goes to a scratch corpus under the output folder (default
fuzz/out/, not committed); crashing inputs are written there as
`<target>/crash-*`, `timeout-*` or `oom-*`. A crash is fixed, then its input
copied to fuzz/regressions/<target>/, where tests/test_fuzz_regressions.py
replays it. Exit code 1 when any harness crashed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = ("metadata", "iptc", "xmp", "html", "articles", "frontmatter", "suppressions")
MAX_LEN = {"metadata": 65536, "iptc": 16384, "xmp": 32768, "html": 65536, "articles": 65536, "frontmatter": 16384,
           "suppressions": 65536}
"""Largest input per target: big enough for quadratic-time behaviour to show within the timeout."""


@dataclass
class Outcome:
    target: str
    engine: str
    seconds: float
    executions: int
    peak_rss_mb: int
    artifacts: list[Path]
    returncode: int


def _stat(text: str, name: str) -> int:
    m = re.findall(rf"stat::{name}:\s*(\d+)", text)
    return int(m[-1]) if m else 0


def run_target(target: str, args: argparse.Namespace) -> Outcome:
    out = Path(args.out) / target
    work = out / "corpus"
    work.mkdir(parents=True, exist_ok=True)
    before = set(out.glob("*-*"))
    engine = args.engine
    if engine == "auto":
        probe = subprocess.run([sys.executable, "-c", "import atheris"], capture_output=True)
        engine = "atheris" if probe.returncode == 0 else "random"
    cmd = [
        sys.executable,
        str(HERE / f"fuzz_{target}.py"),
        str(work),
        str(HERE / "corpus" / target),
        f"-max_total_time={args.seconds}",
        f"-timeout={args.timeout}",
        f"-rss_limit_mb={args.rss_limit_mb}",
        f"-max_len={args.max_len or MAX_LEN[target]}",
        f"-artifact_prefix={out}/",
        "-print_final_stats=1",
    ]
    if engine == "random":
        cmd.insert(2, "--engine=random")
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    if args.strict:
        env["PROVENANCE_FUZZ_STRICT"] = "1"
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, errors="replace",
                              timeout=args.seconds + args.timeout * 3 + 120)
        log, code = proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        log, code = (exc.stderr or b"").decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else "", -9
    elapsed = time.monotonic() - start
    (out / "last.log").write_text(log, encoding="utf-8")
    artifacts = sorted(set(out.glob("*-*")) - before)
    return Outcome(target, engine, elapsed, _stat(log, "number_of_executed_units"), _stat(log, "peak_rss_mb"),
                   [a for a in artifacts if a.is_file()], code)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=60, help="fuzzing time per harness (default 60)")
    ap.add_argument("--target", action="append", choices=TARGETS, help="harness to run (repeatable; default all)")
    ap.add_argument("--engine", choices=("auto", "atheris", "random"), default="auto")
    ap.add_argument("--strict", action="store_true", help="failures caught by the last-line guards are crashes")
    ap.add_argument("--timeout", type=int, default=10, help="seconds one input may take (default 10)")
    ap.add_argument("--rss-limit-mb", type=int, default=2048, help="memory limit (default 2048)")
    ap.add_argument("--max-len", type=int, default=0, help="largest input in bytes (default per target)")
    ap.add_argument("--out", default=str(HERE / "out"), help="scratch corpus and crash folder (default fuzz/out)")
    args = ap.parse_args(argv)
    if not all((HERE / "corpus" / t).is_dir() for t in args.target or TARGETS):
        import make_corpus  # the seed corpora are generated, not committed

        make_corpus.main()
    crashed = False
    print(f"{'target':<10} {'engine':<8} {'seconds':>7} {'execs':>9} {'rss MB':>7}  result")
    for target in args.target or TARGETS:
        o = run_target(target, args)
        if o.artifacts or o.returncode not in (0,):
            crashed = True
            what = ", ".join(str(a) for a in o.artifacts) or f"exit code {o.returncode}, see {Path(args.out) / target}"
            result = f"CRASH: {what}"
        else:
            result = "ok"
        print(f"{o.target:<10} {o.engine:<8} {o.seconds:>7.0f} {o.executions:>9} {o.peak_rss_mb:>7}  {result}",
              flush=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
