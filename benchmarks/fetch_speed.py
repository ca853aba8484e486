"""Benchmark: how many remote images per second does `--fetch` fetch, cold and warm (revalidated)?

Serves the photos of `benchmarks/speed.py` (generated the same way, into the same `--workdir`) from
a server on 127.0.0.1 that this script starts in a process of its own and stops at the end (ETag and
Last-Modified on every photo, 304 to a conditional request), then measures, in one run and against
the same server (each fetch row fetches every photo `--passes` times):

* the baseline: a plain httpx loop, one client, `client.get(url).content` for each URL in turn;
* `Fetcher.fetch_many` cold: the fetching layer of `--fetch` alone (address checks, streaming under
  the size cap, `FetchPolicy.workers` requests at a time, at most `per_host` to the one host);
* `Fetcher.fetch_many` warm: the same with each photo's validators, so every answer is a 304;
* `provenance check --fetch --allow-host 127.0.0.1` on an article naming every photo by URL, with a
  fresh cache (cold: fetch, read, decode and hash each photo, fill the cache), then again (warm:
  every photo revalidated, its record read from the cache). These run as subprocesses, so they
  include starting Python; the server counts the 200 and 304 answers each run got.

Run by hand:  python benchmarks/fetch_speed.py [--n 40] [--size 3000x2000] [--workdir DIR] [--repeat K] [--passes P]
(needs scikit-image, to make the photos).
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from speed import build_folder  # noqa: E402  (the speed benchmark's photos)

from provenance.media.remote import Fetcher, FetchPolicy, Validators  # noqa: E402

LAST_MODIFIED = "Wed, 01 May 2024 08:00:00 GMT"


class PhotoServer:
    """Serves the photos of one folder at /photos/NAME on 127.0.0.1, with validators; counts answers."""

    def __init__(self, folder: Path) -> None:
        self.files = {f"/photos/{p.name}": p.read_bytes() for p in sorted(folder.glob("photo-*.jpg"))}
        self.etags = {path: '"' + hashlib.sha256(data).hexdigest()[:16] + '"' for path, data in self.files.items()}
        self.statuses: Counter[int] = Counter()
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.answer(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> PhotoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def urls(self) -> list[str]:
        port = self.server.server_address[1]
        return [f"http://127.0.0.1:{port}{path}" for path in self.files]

    def count(self) -> Counter[int]:
        with self.lock:
            counts = Counter(self.statuses)
            self.statuses.clear()
        return counts

    def answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        if handler.path == "/_counts":  # the answers given since the last ask, for the measuring process
            body = json.dumps({str(k): v for k, v in self.count().items()}).encode()
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        data = self.files.get(handler.path)
        if data is None:
            status, body, headers = 404, b"", {}
        elif handler.headers.get("If-None-Match") == self.etags[handler.path]:
            status, body, headers = 304, b"", {"ETag": self.etags[handler.path]}
        else:
            status, body = 200, data
            headers = {"Content-Type": "image/jpeg", "ETag": self.etags[handler.path], "Last-Modified": LAST_MODIFIED}
        with self.lock:
            self.statuses[status] += 1
        try:
            handler.send_response(status)
            for key, value in headers.items():
                handler.send_header(key, value)
            if status != 304:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def timed(run: Callable[[], object], repeat: int) -> float:
    """The median seconds of `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def serve(folder: Path) -> int:
    """The server process: print the base URL, serve until the measuring process closes stdin."""
    with PhotoServer(folder) as server:
        print(json.dumps({"urls": server.urls()}), flush=True)
        sys.stdin.read()
    return 0


def plain_loop(urls: list[str]) -> None:
    with httpx.Client() as client:
        for url in urls:
            response = client.get(url)
            response.raise_for_status()
            assert response.content


def check(article: Path, cwd: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "provenance.cli", "check", "--fetch", "--allow-host", "127.0.0.1",
            "--ignore", "reused-photo", "--fail-on", "never", "--quiet", str(article)]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"provenance check failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40, help="number of photos (default 40)")
    parser.add_argument("--size", default="3000x2000", help="photo size WIDTHxHEIGHT (default 3000x2000)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "provenance-speed")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each fetch row; medians (default 3)")
    parser.add_argument("--passes", type=int, default=5, help="times each fetch row fetches every photo (default 5)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        return serve(args.serve)
    width, height = (int(v) for v in args.size.lower().split("x"))
    folder = build_folder(args.workdir, args.n, (width, height), os.cpu_count() or 1)
    load = os.getloadavg()[0]
    rows: list[tuple[str, float]] = []
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(folder)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stdin is not None
    try:
        urls = json.loads(server.stdout.readline())["urls"]
        counts_url = urls[0].rsplit("/photos/", 1)[0] + "/_counts"

        def counts() -> dict[str, int]:
            return dict(sorted(httpx.get(counts_url).json().items()))

        size = sum(p.stat().st_size for p in folder.glob("photo-*.jpg")) / len(urls) / 1e6
        many = urls * args.passes
        fetches = len(many)
        rows.append(("plain httpx loop (client.get(url).content, one at a time)",
                     fetches / timed(lambda: plain_loop(many), args.repeat)))
        policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))
        with Fetcher(policy) as fetcher:
            cold = fetcher.fetch_many([(u, None) for u in urls])
            assert all(f.data for f in cold), [f.error for f in cold if not f.data]
            validators = [(f.url, Validators(f.etag, f.last_modified)) for f in cold] * args.passes
            rows.append((f"Fetcher.fetch_many, cold ({policy.workers} at a time, {policy.per_host} per host)",
                         fetches / timed(lambda: fetcher.fetch_many([(u, None) for u in many]), args.repeat)))
            rows.append(("Fetcher.fetch_many, warm (conditional requests, all 304)",
                         fetches / timed(lambda: fetcher.fetch_many(validators), args.repeat)))
        counts()
        with tempfile.TemporaryDirectory() as tmp:
            checked, facts = _checks(urls, Path(tmp), counts)
            rows.extend(checked)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    plain = rows[0][1]
    print(f"{len(urls)} photos of {width}x{height} ({size:.1f} MB each on average) served from 127.0.0.1 by another "
          f"process, Python {sys.version.split()[0]}, load average {load:.1f} before the runs; fetch rows: "
          f"{fetches} fetches, median of {args.repeat} rounds; check rows: one run each (reused-photo ignored)")
    print(f"{'run':<72}{'images/s':>10}{'vs plain':>10}")
    for label, rate in rows:
        print(f"{label:<72}{rate:>10.1f}{rate / plain:>9.1f}x")
    print(facts)
    return 0


def _checks(urls: list[str], tmp: Path,
            counts: Callable[[], dict[str, int]]) -> tuple[list[tuple[str, float]], str]:
    """`provenance check --fetch` cold then warm on an article naming every photo by URL: (label, images/s)
    rows, and a line of what the server answered."""
    article = tmp / "article"
    article.mkdir()
    lines = ["---", "title: Remote benchmark", "date: 2024-05-01", "---", "", "A day in pictures.", ""]
    for i, url in enumerate(urls):
        lines += [f"![Photo {i}]({url})", f"*Scene number {i} of the day, seen from the harbour.*",
                  f"Photographer {i % 17}/Agence Exemple", ""]
    (article / "article.md").write_text("\n".join(lines), encoding="utf-8")
    start = time.perf_counter()
    first = check(article, tmp)
    cold = len(urls) / (time.perf_counter() - start)
    cold_counts = counts()
    start = time.perf_counter()
    second = check(article, tmp)
    warm = len(urls) / (time.perf_counter() - start)
    facts = (f"server answers: cold check {cold_counts}, warm check {counts()}; warm and cold reports identical: "
             f"{'yes' if first == second else 'no'}")
    return [("provenance check --fetch, cold (fetch, read, fill the cache; a process)", cold),
            ("provenance check --fetch, warm (all 304, records cached; a process)", warm)], facts


if __name__ == "__main__":
    sys.exit(main())
