"""The fetcher against a server on 127.0.0.1: sizes, time, redirects, addresses, revalidation."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from localserver import LocalServer, Route

from provenance.media import remote
from provenance.media.remote import Fetcher, FetchPolicy, Validators, address_problem, decode_data_uri

LOCAL = frozenset({"127.0.0.1"})


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer().start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address a connection is opened to (only 127.0.0.1 is ever reached)."""
    opened: list[str] = []
    real = socket.create_connection

    def recording(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(address[0]))
        if address[0] != "127.0.0.1":
            raise OSError("test: no connection leaves this machine")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording)
    return opened


def fetcher(**policy: object) -> Fetcher:
    return Fetcher(FetchPolicy(**{"allow_hosts": LOCAL, **policy}))  # type: ignore[arg-type]


def test_a_body_is_fetched_with_its_validators_and_a_clear_user_agent(server: LocalServer) -> None:
    server.routes["/a.jpg"] = Route(b"JPEGBYTES", content_type="image/jpeg")
    with fetcher(user_agent="provenance/test") as f:
        got = f.fetch(server.url("/a.jpg"))
    assert got.data == b"JPEGBYTES" and got.content_type == "image/jpeg"
    assert got.etag and got.last_modified and got.error is None
    assert server.requests("/a.jpg")[0].headers["user-agent"] == "provenance/test"


def test_a_404_is_one_line_without_the_body(server: LocalServer) -> None:
    with fetcher() as f:
        got = f.fetch(server.url("/gone.jpg"))
    assert got.data is None and got.error == "HTTP 404 Not Found"
    assert not got.refused and got.requests == 1


def test_a_redirect_loop_stops(server: LocalServer) -> None:
    server.routes["/a"] = Route(location="/b")
    server.routes["/b"] = Route(location="/a")
    with fetcher() as f:
        got = f.fetch(server.url("/a"))
    assert got.error is not None and got.error.startswith("redirect loop")
    assert len(server.requests()) == 2


def test_at_most_five_redirects(server: LocalServer) -> None:
    for n in range(7):
        server.routes[f"/r{n}"] = Route(location=f"/r{n + 1}")
    server.routes["/r7"] = Route(b"x")
    with fetcher() as f:
        got = f.fetch(server.url("/r0"))
    assert got.error == "more than 5 redirects"
    assert len(server.requests()) == 6
    server.routes["/r2"] = Route(location="/r7")
    with fetcher() as f:
        assert f.fetch(server.url("/r0")).data == b"x"


def test_an_endless_response_stops_at_the_size_cap(server: LocalServer) -> None:
    server.routes["/endless.jpg"] = Route(endless=True, content_type="image/jpeg")
    with fetcher(max_bytes=1024 * 1024) as f:
        got = f.fetch(server.url("/endless.jpg"))
    assert got.data is None and got.error is not None
    assert got.error.startswith("too large: more than the 1 MB cap")


def test_a_declared_length_over_the_cap_is_not_read(server: LocalServer) -> None:
    server.routes["/big.jpg"] = Route(b"x" * 5000, content_type="image/jpeg")
    with fetcher(max_bytes=4000) as f:
        got = f.fetch(server.url("/big.jpg"))
    assert got.error is not None and got.error.startswith("too large: 5000 bytes")


def test_a_slow_response_times_out(server: LocalServer) -> None:
    server.routes["/slow.jpg"] = Route(b"late", delay=3.0)
    with fetcher(read_timeout=0.3) as f:
        got = f.fetch(server.url("/slow.jpg"))
    assert got.data is None and got.error == "timed out"


def test_gzip_is_decoded_and_the_cap_counts_decoded_bytes(server: LocalServer) -> None:
    page = b"<html><body>" + b"<p>word</p>" * 1000 + b"</body></html>"
    server.routes["/page.html"] = Route(page, content_type="text/html", gzip=True)
    with fetcher() as f:
        assert f.fetch(server.url("/page.html")).data == page
    with fetcher(max_bytes=5000) as f:  # about 200 bytes compressed, 11 kB decoded: a small gzip bomb
        got = f.fetch(server.url("/page.html"))
    assert got.error is not None and got.error.startswith("too large")


def test_a_broken_content_encoding_is_one_line(server: LocalServer) -> None:
    server.routes["/a.jpg"] = Route(b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with fetcher() as f:
        got = f.fetch(server.url("/a.jpg"))
    assert got.data is None and got.error == "the response's content encoding is broken"


def test_a_redirect_to_a_private_address_is_refused_before_connecting(
        server: LocalServer, connections: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real = remote.resolve_host

    def fake(host: str, port: int) -> list[str]:
        return ["10.20.30.40"] if host == "photos.internal.test" else real(host, port)

    monkeypatch.setattr(remote, "resolve_host", fake)
    server.routes["/photo.jpg"] = Route(location="http://photos.internal.test/photo.jpg")
    with fetcher() as f:
        got = f.fetch(server.url("/photo.jpg"))
    assert got.refused and got.data is None
    assert got.error == ("refused: photos.internal.test is a private address (10.20.30.40); "
                         "--allow-host photos.internal.test allows it")
    assert set(connections) == {"127.0.0.1"}
    assert len(server.requests()) == 1


def test_a_cloud_metadata_redirect_is_refused(server: LocalServer, connections: list[str]) -> None:
    server.routes["/meta"] = Route(location="http://169.254.169.254/latest/meta-data/")
    with fetcher() as f:
        got = f.fetch(server.url("/meta"))
    assert got.refused and got.error is not None and "a cloud metadata address" in got.error
    assert set(connections) == {"127.0.0.1"}


def test_loopback_is_refused_unless_allowed(server: LocalServer) -> None:
    server.routes["/a.jpg"] = Route(b"x")
    with Fetcher(FetchPolicy()) as f:
        got = f.fetch(server.url("/a.jpg"))
    assert got.refused and got.error is not None and "is a loopback address" in got.error
    assert server.requests() == []


def test_the_connection_goes_to_the_checked_address(server: LocalServer, monkeypatch: pytest.MonkeyPatch,
                                                    connections: list[str]) -> None:
    """A name resolved once is connected to at that address: the server sees the name as Host."""
    monkeypatch.setattr(remote, "resolve_host", lambda host, port: ["127.0.0.1"])
    server.routes["/a.jpg"] = Route(b"pinned")
    with Fetcher(FetchPolicy(allow_hosts=frozenset({"cdn.example.test"}))) as f:
        got = f.fetch(f"http://cdn.example.test:{server.port}/a.jpg")
    assert got.data == b"pinned"
    assert server.requests()[0].headers["host"] == f"cdn.example.test:{server.port}"
    assert connections == ["127.0.0.1"]


def test_other_schemes_are_refused_without_a_request() -> None:
    with Fetcher() as f:
        for url in ("file:///etc/passwd", "ftp://example.test/a.jpg", "gopher://example.test/"):
            got = f.fetch(url)
            assert got.refused and got.requests == 0 and got.error is not None
            assert "http and https only" in got.error


def test_a_conditional_request_is_answered_not_modified(server: LocalServer) -> None:
    server.routes["/a.jpg"] = Route(b"JPEG")
    with fetcher() as f:
        first = f.fetch(server.url("/a.jpg"))
        again = f.fetch(server.url("/a.jpg"), Validators(first.etag, first.last_modified))
    assert again.not_modified and again.data is None and again.ok
    assert server.requests()[1].headers["if-none-match"] == first.etag
    assert [s.status for s in server.requests()] == [200, 304]


def test_at_most_per_host_requests_at_once(server: LocalServer) -> None:
    for n in range(6):
        server.routes[f"/{n}.jpg"] = Route(b"x", delay=0.2)
    with fetcher(per_host=2, workers=6) as f:
        got = f.fetch_many([(server.url(f"/{n}.jpg"), None) for n in range(6)])
    assert [g.data for g in got] == [b"x"] * 6
    assert server.most_in_flight <= 2


def test_errors_never_carry_the_body(server: LocalServer) -> None:
    server.routes["/e.jpg"] = Route(b"SECRET-ERROR-BODY", status=500)
    with fetcher() as f:
        got = f.fetch(server.url("/e.jpg"))
    assert got.error == "HTTP 500 Internal Server Error"


@pytest.mark.parametrize(("address", "problem"), [
    ("93.184.216.34", None), ("2606:2800:220:1::1", None), ("127.0.0.1", "a loopback address"),
    ("::1", "a loopback address"), ("10.1.2.3", "a private address"), ("192.168.0.1", "a private address"),
    ("172.16.5.5", "a private address"), ("fc00::1", "a private address"), ("169.254.1.1", "a link-local address"),
    ("fe80::1", "a link-local address"), ("169.254.169.254", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address"), ("::ffff:10.0.0.1", "a private address"),
    ("0.0.0.0", "a reserved address"), ("100.64.0.1", "not a public address"),
])
def test_address_problems(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


def test_data_uris_are_decoded_with_the_cap() -> None:
    assert decode_data_uri("data:image/png;base64,aGVsbG8=") == (b"hello", None)
    assert decode_data_uri("data:,a%20b") == (b"a b", None)
    data, error = decode_data_uri("data:image/png;base64," + "A" * 4000, max_bytes=1000)
    assert data is None and error is not None and error.startswith("too large")


def _certificate(tmp_path, name: str):  # type: ignore[no-untyped-def]
    """A throwaway CA and a certificate for `name` signed by it: (server context, client context)."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    later = now + datetime.timedelta(days=2)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now).not_valid_after(later)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2).not_valid_before(now)
            .not_valid_after(later).add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(pem))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cadata=ca.public_bytes(pem).decode())
    return server, client


def test_https_to_the_checked_address_verifies_the_certificate_for_the_name(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("cryptography")
    server_context, client_context = _certificate(tmp_path, "cdn.example.test")
    s = LocalServer()
    s.routes["/a.jpg"] = Route(b"over tls")
    s.start()
    try:
        assert s._server is not None
        s._server.socket = server_context.wrap_socket(s._server.socket, server_side=True)
        monkeypatch.setattr(remote, "resolve_host", lambda host, port: ["127.0.0.1"])
        policy = FetchPolicy(allow_hosts=frozenset({"cdn.example.test", "other.example.test"}))
        with Fetcher(policy, verify=client_context) as f:
            got = f.fetch(f"https://cdn.example.test:{s.port}/a.jpg")
            wrong = f.fetch(f"https://other.example.test:{s.port}/a.jpg")
        assert got.data == b"over tls", got.error
        assert s.requests()[0].headers["host"] == f"cdn.example.test:{s.port}"
        assert wrong.data is None  # the certificate names another host
        assert wrong.error == "the server's TLS certificate does not verify for this host"
    finally:
        s.stop()
