"""A small HTTP server on 127.0.0.1 for the fetching tests: routes, a request log, and bounds.

Each route answers with a body (ETag and Last-Modified, honouring conditional requests), a redirect,
a gzip-encoded body, an endless body, or a late answer. The server answers at most `max_requests`
requests (then 503), every endless or late answer stops by itself within seconds, and `stop` shuts
it down and joins its thread.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    location: str | None = None
    """Answer a redirect (302) to this location."""
    gzip: bool = False
    endless: bool = False
    """Send chunks of zeros until the client goes away (at most `ENDLESS_SECONDS`)."""
    delay: float = 0.0
    """Seconds to wait before answering (cut short when the server stops)."""
    validators: bool = True
    """Send an ETag and a Last-Modified, and answer 304 to a request that has them."""
    headers: dict[str, str] = field(default_factory=dict)
    """More headers of the answer."""


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int = 0


ENDLESS_SECONDS = 10.0
LAST_MODIFIED = "Mon, 05 Aug 2024 08:00:00 GMT"


@dataclass
class LocalServer:
    routes: dict[str, Route] = field(default_factory=dict)
    max_requests: int = 200
    seen: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: http.server.ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if path is None or s.path == path]

    def start(self) -> LocalServer:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                owner._answer(self)

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        seen = Seen(handler.path, {k.lower(): v for k, v in handler.headers.items()})
        with self._lock:
            self.seen.append(seen)
            over = len(self.seen) > self.max_requests
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            route = None if over else self.routes.get(handler.path.split("?", 1)[0])
            self._send(handler, route, over, seen)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.in_flight -= 1

    def _send(self, handler: http.server.BaseHTTPRequestHandler, route: Route | None, over: bool, seen: Seen) -> None:
        """Answer; `seen.status` is set before anything is sent, so the client never sees an answer unlogged."""

        def respond(status: int) -> None:
            with self._lock:
                seen.status = status
            handler.send_response(status)

        if over or route is None:
            status = 503 if over else 404
            body = b"<html><body>SECRET-ERROR-BODY not here</body></html>"
            respond(status)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        if route.delay:
            self._stopping.wait(route.delay)
        if route.location is not None:
            respond(302)
            handler.send_header("Location", route.location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if route.endless:
            respond(200)
            handler.send_header("Content-Type", route.content_type)
            handler.send_header("Connection", "close")
            handler.end_headers()
            chunk = b"\0" * 65536
            end = time.monotonic() + ENDLESS_SECONDS
            while time.monotonic() < end and not self._stopping.is_set():
                handler.wfile.write(chunk)
            handler.close_connection = True
            return
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
        if route.validators and (seen.headers.get("if-none-match") == etag
                                 or seen.headers.get("if-modified-since") == LAST_MODIFIED):
            respond(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        body = gzip.compress(route.body) if route.gzip else route.body
        respond(route.status)
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(body)))
        if route.gzip:
            handler.send_header("Content-Encoding", "gzip")
        if route.validators:
            handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", LAST_MODIFIED)
        for key, value in route.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client that drops its kept-alive connection (the fetcher closing its pool) is no server error:
    printed, it would land in the stderr a test compares. Any other error is printed as usual."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

