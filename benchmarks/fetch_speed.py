"""Benchmark: how many remote images per second does `--fetch` fetch, cold and warm (revalidated)?

Serves the photos of `benchmarks/speed.py` (generated the same way, into the same `--workdir`) from
a server on 127.0.0.1 that this script starts and stops (ETag and Last-Modified on every photo, 304
to a conditional request), then measures, in one run and against the same server:

* the baseline: a plain httpx loop, one client, `client.get(url).content` for each URL in turn;
* `Fetcher.fetch_many` cold: the fetching layer of `--fetch` alone (address checks, streaming under
  the size cap, `FetchPolicy.workers` requests at a time, at most `per_host` to the one host);
* `Fetcher.fetch_many` warm: the same with each photo's validators, so every answer is a 304;
* `provenance check --fetch --allow-host 127.0.0.1` on an article naming every photo by URL, with a
  fresh cache (cold: fetch, read, decode and hash each photo, fill the cache), then again (warm:
  every photo revalidated, its record read from the cache). These run as subprocesses, so they
  include starting Python; the server counts the 200 and 304 answers each run got.

Run by hand:  python benchmarks/fetch_speed.py [--n 40] [--size 3000x2000] [--workdir DIR] [--repeat K]
(needs scikit-image, to make the photos).
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
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
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    folder = build_folder(args.workdir, args.n, (width, height), os.cpu_count() or 1)
    load = os.getloadavg()[0]
    rows: list[tuple[str, float]] = []
    with PhotoServer(folder) as server, tempfile.TemporaryDirectory() as tmp:
        urls = server.urls()
        size = sum(len(d) for d in server.files.values()) / len(urls) / 1e6
        rows.append(("plain httpx loop (client.get(url).content, one at a time)", timed(lambda: plain_loop(urls),
                                                                                        args.repeat)))
        policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))
        with Fetcher(policy) as fetcher:
            cold = fetcher.fetch_many([(u, None) for u in urls])
            assert all(f.data for f in cold), [f.error for f in cold if not f.data]
            validators = [(f.url, Validators(f.etag, f.last_modified)) for f in cold]
            rows.append((f"Fetcher.fetch_many, cold ({policy.workers} at a time, {policy.per_host} per host)",
                         timed(lambda: fetcher.fetch_many([(u, None) for u in urls]), args.repeat)))
            rows.append(("Fetcher.fetch_many, warm (conditional requests, all 304)",
                         timed(lambda: fetcher.fetch_many(validators), args.repeat)))
        server.count()
        article = Path(tmp) / "article"
        article.mkdir()
        lines = ["---", "title: Remote benchmark", "date: 2024-05-01", "---", "", "A day in pictures.", ""]
        for i, url in enumerate(urls):
            lines += [f"![Photo {i}]({url})", f"*Scene number {i} of the day, seen from the harbour.*",
                      f"Photographer {i % 17}/Agence Exemple", ""]
        (article / "article.md").write_text("\n".join(lines), encoding="utf-8")
        start = time.perf_counter()
        first = check(article, Path(tmp))
        rows.append(("provenance check --fetch, cold (fetch, read, fill the cache; a process)",
                     time.perf_counter() - start))
        cold_counts = server.count()
        start = time.perf_counter()
        second = check(article, Path(tmp))
        rows.append(("provenance check --fetch, warm (all 304, records cached; a process)",
                     time.perf_counter() - start))
        warm_counts = server.count()
    plain = rows[0][1]
    print(f"{len(urls)} photos of {width}x{height} ({size:.1f} MB each on average) served from 127.0.0.1, "
          f"Python {sys.version.split()[0]}, load average {load:.1f} before the runs, fetch rows median of "
          f"{args.repeat} rounds, check rows one run each (reused-photo ignored)")
    print(f"{'run':<72}{'seconds':>8}{'images/s':>10}{'vs plain':>10}")
    for label, seconds in rows:
        print(f"{label:<72}{seconds:>8.2f}{len(urls) / seconds:>10.1f}{plain / seconds:>9.1f}x")
    print(f"server answers: cold check {dict(sorted(cold_counts.items()))}, warm check "
          f"{dict(sorted(warm_counts.items()))}; warm and cold reports identical: {'yes' if first == second else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
