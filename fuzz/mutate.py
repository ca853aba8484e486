"""A plain random-mutation fuzzing engine: the fallback when atheris is not installed.

It takes the same command line as a libFuzzer/atheris harness (a subset of it)
and prints the same final statistics, so `run.py` drives both alike:

    python fuzz/fuzz_metadata.py --engine=random WORK_CORPUS SEED_CORPUS \\
        -max_total_time=60 -timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix=out/

There is no coverage feedback: inputs are seeds mutated at random (bit flips,
interesting integers, inserted, deleted, duplicated and repeated chunks,
splices of two seeds). Repeating a chunk many times is what finds inputs that
take quadratic time. Files given instead of folders are replayed once each.
"""

from __future__ import annotations

import hashlib
import random
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]


class Hang(BaseException):
    """Raised by the alarm when one input runs past the timeout (a BaseException: guards must not catch it)."""


def _options(args: list[str]) -> tuple[dict[str, str], list[str]]:
    flags: dict[str, str] = {}
    paths: list[str] = []
    for arg in args:
        if arg.startswith("-") and "=" in arg:
            key, _, value = arg.lstrip("-").partition("=")
            flags[key] = value
        elif not arg.startswith("-"):
            paths.append(arg)
    return flags, paths


def mutate(data: bytes, seeds: list[bytes], rng: random.Random, max_len: int) -> bytes:
    """One to four random mutations of `data`."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(9)
        n = len(buf)
        if op == 0 and n:  # flip a bit
            i = rng.randrange(n)
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:  # random byte
            buf[rng.randrange(n)] = rng.randrange(256)
        elif op == 2 and n >= 2:  # interesting integer, 1/2/4 bytes, either byte order
            width = rng.choice((1, 2, 4))
            i = rng.randrange(max(1, n - width + 1))
            value = rng.choice(INTERESTING) & ((1 << (8 * width)) - 1)
            buf[i : i + width] = value.to_bytes(width, rng.choice(("big", "little")))
        elif op == 3 and n:  # delete a range
            i = rng.randrange(n)
            del buf[i : i + rng.randint(1, max(1, min(64, n - i)))]
        elif op == 4:  # insert random bytes
            i = rng.randint(0, n)
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 5 and n:  # duplicate a chunk
            i = rng.randrange(n)
            j = min(n, i + rng.randint(1, 256))
            k = rng.randint(0, n)
            buf[k:k] = buf[i:j]
        elif op == 6 and n:  # repeat a chunk many times (quadratic-time finder)
            i = rng.randrange(n)
            j = min(n, i + rng.randint(1, 32))
            times = rng.choice((100, 1000, 10_000))
            buf[j:j] = bytes(buf[i:j]) * times
        elif op == 7 and seeds:  # splice with another seed
            other = rng.choice(seeds)
            if other:
                i = rng.randint(0, n)
                a = rng.randrange(len(other))
                buf[i:] = other[a : a + rng.randint(1, len(other) - a)] + bytes(buf[i:])
        elif op == 8 and n:  # truncate
            del buf[rng.randint(0, n - 1) :]
    return bytes(buf[:max_len])


def _load(paths: list[str]) -> tuple[list[bytes], list[Path]]:
    seeds: list[bytes] = []
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            seeds.extend(f.read_bytes() for f in sorted(p.rglob("*")) if f.is_file())
        elif p.is_file():
            files.append(p)
    return seeds, files


def main(test_one_input: Callable[[bytes], None], name: str, args: list[str]) -> int:
    flags, paths = _options(args)
    seconds = float(flags.get("max_total_time", "0") or 0)
    runs = int(flags.get("runs", "-1"))
    timeout = float(flags.get("timeout", "10"))
    rss_limit = int(flags.get("rss_limit_mb", "2048"))
    max_len = int(flags.get("max_len", "65536"))
    prefix = flags.get("artifact_prefix", "./")
    rng = random.Random(int(flags.get("seed", "0")) or None)
    seeds, files = _load(paths)

    def on_alarm(signum: int, frame: object) -> None:
        raise Hang(f"input ran longer than {timeout} s")

    signal.signal(signal.SIGALRM, on_alarm)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    executed = 0
    start = time.monotonic()
    queue: list[bytes] = [f.read_bytes() for f in files] if files else list(seeds) or [b""]
    replay = bool(files)
    print(f"random-mutation engine: {name}, {len(seeds)} seeds, rss baseline {baseline} MB", file=sys.stderr)
    while True:
        if replay:
            if not queue:
                break
            data = queue.pop(0)
        else:
            if (runs >= 0 and executed >= runs) or (seconds and time.monotonic() - start >= seconds):
                break
            # every seed once, unmutated, first
            data = queue.pop(0) if queue else mutate(rng.choice(seeds) if seeds else b"", seeds, rng, max_len)
        kind = None
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            test_one_input(data)
        except Hang:
            kind = "timeout"
        except BaseException:
            kind = "crash"
            traceback.print_exc()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        executed += 1
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        if kind is None and rss > rss_limit:
            kind = "oom"
        if kind is not None:
            artifact = f"{prefix}{kind}-{hashlib.sha1(data).hexdigest()}"
            Path(artifact).parent.mkdir(parents=True, exist_ok=True)
            Path(artifact).write_bytes(data)
            print(f"==ERROR: {kind} ({rss} MB peak); input written to {artifact}", file=sys.stderr)
            print(f"stat::number_of_executed_units: {executed}", file=sys.stderr)
            print(f"stat::peak_rss_mb: {rss}", file=sys.stderr)
            return 1
        if executed % 1000 == 0:
            print(f"#{executed} rss: {rss}Mb", file=sys.stderr)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"Done {executed} runs in {int(time.monotonic() - start)} second(s)", file=sys.stderr)
    print(f"stat::number_of_executed_units: {executed}", file=sys.stderr)
    print(f"stat::peak_rss_mb: {rss}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    print("run a harness instead: python fuzz/fuzz_metadata.py --engine=random ...", file=sys.stderr)
    sys.exit(2)
