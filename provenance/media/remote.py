"""Fetch remote images and pages safely: http and https only, bounded in size, time and redirects.

Every hop of a fetch (the first request and each redirect) has its scheme checked and its host
resolved; the addresses are checked (loopback, private, link-local, cloud metadata and other
non-public addresses are refused unless the host is allowed) and the connection is made to the
address that was checked, so a second DNS answer cannot swap it. Proxies from the environment are
not used. A response is read as a stream and stopped past the size cap (counted after content
decoding, so a gzip bomb stops too), and a fetch stops at its total deadline. Errors are one line
made by this module (a status code, "timed out"...), never text from the response.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

import httpx

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""The size cap of one response when the configuration says nothing (`fetch-max-mb`)."""
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"))
"""Cloud instance-metadata endpoints (AWS, GCP, Azure, ECS, Alibaba): refused by name."""

Resolver = Callable[[str, int], Sequence[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to (an IP literal is itself); raises `OSError` when it does not resolve."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_problem(address: str) -> str | None:
    """Why a connection to `address` is refused (a phrase), or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public address"
    return None


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may do."""

    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest response body, after content decoding."""
    connect_timeout: float = 5.0
    """Seconds to open a connection."""
    read_timeout: float = 10.0
    """Seconds to wait for the next bytes of a response."""
    deadline: float = 30.0
    """Seconds one fetch may take in all, redirects included."""
    max_redirects: int = 5
    """Redirects followed before giving up."""
    per_host: int = 4
    """Requests in flight at once to one host."""
    workers: int = 8
    """Requests in flight at once in all."""
    allow_hosts: frozenset[str] = frozenset()
    """Hosts (lower case) whose addresses are not checked: `--allow-host`, and the article's own host."""
    user_agent: str = "provenance (photo provenance checker)"
    """The User-Agent header of every request."""


@dataclass(frozen=True)
class Validators:
    """What a cached copy was served with, to ask the server whether it changed."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class Fetched:
    """The outcome of one fetch."""

    url: str
    """The URL asked for."""
    data: bytes | None = None
    """The body (content-decoded); None when not modified, refused or failed."""
    final_url: str | None = None
    """The URL the body came from, after redirects."""
    content_type: str | None = None
    """The server's Content-Type, without parameters (lower case)."""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    """The server answered 304 to the validators: the cached copy is current."""
    error: str | None = None
    """Why there is no body, one line (a status, a timeout, a size cap...)."""
    refused: bool = False
    """The address or the scheme of the URL, or of a redirect it led to, is not allowed: not requested."""
    requests: int = 0
    """HTTP requests made (redirect hops included)."""

    @property
    def ok(self) -> bool:
        return self.data is not None or self.not_modified


class _Failure(Exception):
    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass
class _Hosts:
    """One semaphore per host: at most `policy.per_host` requests to it at once."""

    limit: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    slots: dict[str, threading.BoundedSemaphore] = field(default_factory=dict)

    def __call__(self, host: str) -> threading.BoundedSemaphore:
        with self.lock:
            if host not in self.slots:
                self.slots[host] = threading.BoundedSemaphore(max(1, self.limit))
            return self.slots[host]


class Fetcher:
    """Fetches URLs under a `FetchPolicy`; one HTTP client (and its connection pool) per host for its life.

    A connection is only ever reused for the host it was opened (and its certificate verified) for: the
    pool of one client is keyed by the address it connects to, which several hosts may share."""

    def __init__(self, policy: FetchPolicy | None = None, resolver: Resolver | None = None,
                 verify: ssl.SSLContext | None = None) -> None:
        """`resolver` replaces `resolve_host`; `verify` the certificate authorities of the system (certifi's)."""
        self.policy = policy or FetchPolicy()
        self._resolver = resolver
        self._hosts = _Hosts(self.policy.per_host)
        self._verify = verify
        self._clients: dict[tuple[str, str], httpx.Client] = {}
        self._lock = threading.Lock()

    def _client(self, scheme: str, host: str) -> httpx.Client:
        with self._lock:
            client = self._clients.get((scheme, host))
            if client is None:
                if self._verify is None:
                    self._verify = httpx.create_ssl_context()  # once: loading the authorities takes a while
                limits = httpx.Limits(max_connections=max(1, self.policy.per_host),
                                      max_keepalive_connections=max(1, self.policy.per_host))
                client = httpx.Client(
                    follow_redirects=False, trust_env=False, limits=limits, verify=self._verify,
                    headers={"User-Agent": self.policy.user_agent},
                    timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
                )
                self._clients[(scheme, host)] = client
            return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch_many(self, wanted: Sequence[tuple[str, Validators | None]], accept: str = "image/*") -> list[Fetched]:
        """`fetch` of every (url, validators), `policy.workers` at a time; results in the order asked."""
        if not wanted:
            return []
        with ThreadPoolExecutor(max_workers=max(1, min(self.policy.workers, len(wanted)))) as pool:
            return list(pool.map(lambda item: self.fetch(item[0], item[1], accept), wanted))

    def fetch(self, url: str, validators: Validators | None = None, accept: str = "image/*") -> Fetched:
        """Fetch one URL (see the module's documentation); never raises."""
        host = (urlsplit(url).hostname or "").lower()
        requests = 0
        current = url
        seen = {url}
        try:
            with self._hosts(host):
                start = time.monotonic()  # the deadline runs from the request, not the wait for a slot
                for _hop in range(self.policy.max_redirects + 1):
                    requests += 1
                    outcome = self._request(current, validators, accept, start)
                    if isinstance(outcome, Fetched):
                        return dataclasses.replace(outcome, url=url, requests=requests)
                    following = urljoin(current, outcome)
                    if following in seen:
                        raise _Failure(f"redirect loop (back to {safe_text(following)})")
                    seen.add(following)
                    current = following
                    validators = None  # validators belong to the URL they were served for
                raise _Failure(f"more than {self.policy.max_redirects} redirects")
        except _Failure as exc:
            return Fetched(url=url, error=str(exc), refused=exc.refused, requests=requests - int(exc.refused))

    def _request(self, url: str, validators: Validators | None, accept: str, start: float) -> Fetched | str:
        """One hop: the result, or the Location a redirect points to."""
        target, headers, extensions = self._pinned(url)
        if validators:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        headers["Accept"] = accept
        remaining = self.policy.deadline - (time.monotonic() - start)
        if remaining <= 0:
            raise _Failure(f"took longer than the {self.policy.deadline:g} s deadline")
        read = min(self.policy.read_timeout, remaining)
        extensions["timeout"] = {"connect": min(self.policy.connect_timeout, remaining), "read": read,
                                 "write": read, "pool": remaining}
        try:
            client = self._client(target.scheme, headers["Host"].lower())
            request = client.build_request("GET", target, headers=headers, extensions=extensions)
            response = client.send(request, stream=True)
        except httpx.TimeoutException:
            raise _Failure("timed out") from None
        except httpx.HTTPError as exc:
            raise _Failure(_transport_problem(exc)) from None
        try:
            status = response.status_code
            if status in REDIRECT_CODES:
                location: str | None = response.headers.get("location")
                if not location:
                    raise _Failure(f"HTTP {status} redirect without a Location")
                return location
            if status == 304 and validators:
                return Fetched(url=url, final_url=url, not_modified=True, etag=response.headers.get("etag"),
                               last_modified=response.headers.get("last-modified"))
            if status != 200:
                raise _Failure(f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip())
            data = self._body(response, start)
            content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower() or None
            return Fetched(url=url, data=data, final_url=url, content_type=content_type,
                           etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"))
        finally:
            response.close()

    def _body(self, response: httpx.Response, start: float) -> bytes:
        cap = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap and "content-encoding" not in response.headers:
            raise _Failure(f"too large: {int(declared)} bytes, over the {_megabytes(cap)} cap (fetch-max-mb)")
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > cap:
                    raise _Failure(f"too large: more than the {_megabytes(cap)} cap (fetch-max-mb); stopped")
                if time.monotonic() - start > self.policy.deadline:
                    raise _Failure(f"took longer than the {self.policy.deadline:g} s deadline; stopped")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise _Failure("timed out while reading the response") from None
        except httpx.DecodingError:
            raise _Failure("the response's content encoding is broken") from None
        except httpx.HTTPError as exc:
            raise _Failure(_transport_problem(exc)) from None
        return b"".join(chunks)

    def _pinned(self, url: str) -> tuple[httpx.URL, dict[str, str], dict[str, object]]:
        """The request URL with its host replaced by the checked address, the Host header, and the
        TLS server name: the connection goes where the check said, the server sees the real host."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise _Failure("not a valid URL", refused=True) from None
        if parsed.scheme not in ("http", "https"):
            raise _Failure(f"{safe_text(parsed.scheme)}: URLs are not fetched (http and https only)", refused=True)
        host = parsed.host.lower()
        if not host:
            raise _Failure("the URL has no host", refused=True)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = (self._resolver or resolve_host)(host, port)
        except (OSError, UnicodeError):
            raise _Failure(f"the host {safe_text(host)} does not resolve") from None
        if not addresses:
            raise _Failure(f"the host {safe_text(host)} does not resolve")
        if host not in self.policy.allow_hosts:
            for address in addresses:
                problem = address_problem(address)
                if problem is not None:
                    raise _Failure(f"refused: {safe_text(host)} is {problem} ({address}); --allow-host "
                                   f"{safe_text(host)} allows it", refused=True)
        netloc = parsed.netloc.decode("ascii")
        netloc = netloc.rsplit("@", 1)[-1]
        target = parsed.copy_with(host=addresses[0].split("%", 1)[0], username=None, password=None)
        extensions: dict[str, object] = {}
        if parsed.scheme == "https":
            extensions["sni_hostname"] = parsed.raw_host.decode("ascii")
        return target, {"Host": netloc}, extensions


def decode_data_uri(uri: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes | None, str | None]:
    """The bytes of a `data:` URI and None, or None and why it cannot be decoded (one line)."""
    head, comma, payload = uri.partition(",")
    if not comma or not head.lower().startswith("data:"):
        return None, "not a valid data: URI"
    is_base64 = head.lower().endswith(";base64")
    if (len(payload) * 3 // 4 if is_base64 else len(payload) // 3) > max_bytes:
        return None, f"too large: more than the {_megabytes(max_bytes)} cap (fetch-max-mb)"
    try:
        data = base64.b64decode("".join(payload.split()), validate=False) if is_base64 \
            else unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None, "the data: URI's base64 is broken"
    if len(data) > max_bytes:
        return None, f"too large: more than the {_megabytes(max_bytes)} cap (fetch-max-mb)"
    return data, None


def safe_text(text: str, limit: int = 200) -> str:
    """`text` with control characters escaped and its length bounded, for a one-line message."""
    out = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                  for c in text[:limit])
    return out + ("..." if len(text) > limit else "")


def _transport_problem(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return "the server's TLS certificate does not verify for this host"
        return "cannot connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server broke the HTTP protocol"
    if isinstance(exc, httpx.DecodingError):
        return "the response's content encoding is broken"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported protocol"
    return f"the request failed ({type(exc).__name__})"


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"
