"""`provenance check URL` and `--fetch` end to end, against a server on 127.0.0.1 the tests start."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES
from localserver import LocalServer, Route
from PIL import Image, ImageOps

LIBRARY = FIXTURES / "library"
COFFEE = "A cup of coffee on the counter of a harbour cafe on Tuesday."
ROCKET = "A rocket lifts off from the coast during the test launch."
PAD = "The launch pad seen from the beach before dawn."
CAT = "A cat rests on the sill of the harbour master's office."


def figure(src: str, caption: str, credit: str) -> str:
    return (f'<figure><img src="{src}" alt="{caption}"><figcaption>{caption} <span class="credit">{credit}</span>'
            "</figcaption></figure>")


def page(*figures: str) -> bytes:
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harbour launch</title>'
            '<meta property="article:published_time" content="2024-08-01T08:00:00Z"></head><body><article>'
            "<p>The council met on Tuesday to discuss the harbour and the launch site.</p>"
            + "".join(figures) + "<p>A decision is expected next month.</p></article></body></html>").encode()


def mirrored(path: Path) -> bytes:
    out = io.BytesIO()
    with Image.open(path) as im:
        ImageOps.mirror(im.convert("RGB")).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer().start()
    s.routes.update({
        "/news/img/coffee.jpg": Route((LIBRARY / "coffee.jpg").read_bytes(), content_type="image/jpeg"),
        "/news/img/rocket.jpg": Route((LIBRARY / "rocket.jpg").read_bytes(), content_type="image/jpeg"),
        "/news/img/rocket-flipped.jpg": Route(mirrored(LIBRARY / "rocket.jpg"), content_type="image/jpeg"),
    })
    try:
        yield s
    finally:
        s.stop()


def story(base: str = "") -> bytes:
    """Coffee credited Reuters (its metadata: Getty Images), the rocket twice (once mirrored), a 404. Without
    `base`, references are relative to the page (one to its root)."""
    rocket = f"{base}img/rocket.jpg" if base else "/news/img/rocket.jpg"
    return page(figure(f"{base}img/coffee.jpg", COFFEE, "Reuters"), figure(rocket, ROCKET, "AP"),
                figure(f"{base}img/rocket-flipped.jpg", PAD, "AP"), figure(f"{base}img/gone.jpg", CAT, "Reuters"))


def image_paths(server: LocalServer) -> list[str]:
    return [s.path for s in server.requests() if "/img/" in s.path]


def assert_the_three_findings(report: dict, server: LocalServer) -> None:
    by_rule: dict[str, list[dict]] = {}
    for f in report["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    coffee, rocket, flipped, gone = (server.url(f"/news/img/{n}") for n in
                                     ("coffee.jpg", "rocket.jpg", "rocket-flipped.jpg", "gone.jpg"))
    [mismatch] = by_rule["credit-mismatch"]
    assert mismatch["images"] == [coffee] and "Getty Images" in mismatch["message"]
    [reused] = by_rule["reused-photo"]
    assert reused["images"] == [rocket, flipped] and "mirrored" in reused["message"]
    [broken] = by_rule["unreadable-image"]
    assert broken["images"] == [gone]
    assert broken["message"] == f"{gone} cannot be read: cannot be fetched: HTTP 404 Not Found"
    assert "remote-image" not in by_rule
    assert {im["path"] for im in report["images"]} == {coffee, rocket, flipped, gone}


def test_check_url_fetches_the_page_and_its_images(cli, server: LocalServer) -> None:
    server.routes["/news/page.html"] = Route(story(), content_type="text/html; charset=utf-8", gzip=True)
    run = cli("check", "--format", "json", server.url("/news/page.html"))
    assert run.code == 1, run.err
    report = run.json()
    assert [a["path"] for a in report["articles"]] == [server.url("/news/page.html")]
    assert_the_three_findings(report, server)
    assert server.requests("/news/page.html")[0].headers["accept-encoding"].startswith("gzip")
    assert all(s.headers["user-agent"].startswith("provenance/") for s in server.requests())
    text = cli("check", server.url("/news/page.html"))
    assert f"{server.url('/news/page.html')}:1: warning credit-mismatch (PV002)" in text.out


def test_check_fetch_on_a_local_folder(cli, server: LocalServer, tmp_path: Path) -> None:
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "article.html").write_bytes(story(server.url("/news/")))
    run = cli("check", "--format", "json", "--fetch", "--allow-host", "127.0.0.1", folder)
    assert run.code == 1, run.err
    assert_the_three_findings(run.json(), server)


def test_without_fetch_nothing_is_requested_and_fail_on_note_fails(cli, server: LocalServer, tmp_path: Path) -> None:
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "article.html").write_bytes(story(server.url("/news/")))
    run = cli("check", "--format", "json", "--fail-on", "note", folder)
    assert run.code == 1
    found = run.json()["findings"]
    assert [f["rule"] for f in found] == ["remote-image"] * 4
    assert all("`provenance check --fetch` checks it" in f["message"] for f in found)
    assert cli("check", folder).code == 0  # notes only
    assert "4 remote images not checked" in cli("check", folder).out
    assert server.requests() == []


def test_a_private_host_is_never_requested_without_allow_host(cli, server: LocalServer, tmp_path: Path) -> None:
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "article.html").write_bytes(story(server.url("/news/")))
    run = cli("check", "--format", "json", "--fetch", folder)
    found = run.json()["findings"]
    assert [f["rule"] for f in found] == ["remote-image"] * 4
    assert all("refused: 127.0.0.1 is a loopback address" in f["message"] for f in found)
    assert server.requests() == []
    config = tmp_path / "provenance.toml"
    config.write_text('fetch = true\nallow-hosts = ["127.0.0.1"]\n', encoding="utf-8")
    run = cli("check", "--format", "json", "--config", config, folder)
    assert_the_three_findings(run.json(), server)


def test_a_rerun_revalidates_instead_of_downloading(cli, server: LocalServer, tmp_path: Path) -> None:
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "article.html").write_bytes(story(server.url("/news/")))
    first = cli("check", "--format", "json", "--fetch", "--allow-host", "127.0.0.1", folder)
    statuses = [s.status for s in server.requests() if "/img/" in s.path]
    assert sorted(statuses) == [200, 200, 200, 404]
    server.seen.clear()
    second = cli("check", "--format", "json", "--fetch", "--allow-host", "127.0.0.1", folder)
    again = [s for s in server.requests() if "/img/" in s.path]
    assert sorted(s.status for s in again) == [304, 304, 304, 404]
    assert all("if-none-match" in s.headers for s in again if s.status == 304)
    assert second.json()["findings"] == first.json()["findings"]
    server.seen.clear()
    cli("check", "--format", "json", "--fetch", "--allow-host", "127.0.0.1", "--no-cache", folder)
    assert sorted(s.status for s in server.requests() if "/img/" in s.path) == [200, 200, 200, 404]
    assert not any("if-none-match" in s.headers for s in server.requests())


def test_renditions_are_matched_to_originals_by_name_and_by_content(cli, server: LocalServer, tmp_path: Path) -> None:
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "coffee.jpg").write_bytes((LIBRARY / "coffee.jpg").read_bytes())
    (folder / "rocket.jpg").write_bytes((LIBRARY / "rocket.jpg").read_bytes())
    server.routes["/cdn/2024/coffee-800x600.jpg"] = Route((LIBRARY / "coffee-small.jpg").read_bytes(),
                                                          content_type="image/jpeg")
    server.routes["/cdn/IMG_0042.webp"] = Route((LIBRARY / "rocket.jpg").read_bytes(), content_type="image/webp")
    (folder / "article.html").write_bytes(page(
        figure(server.url("/cdn/2024/coffee-800x600.jpg?w=800"), COFFEE, "Getty Images"),
        figure(server.url("/cdn/IMG_0042.webp"), ROCKET, "AP")))
    offline = cli("check", "--format", "json", folder).json()
    methods = [(f["image"], f["match"]["status"], f["match"]["method"]) for f in offline["articles"][0]["figures"]]
    assert methods == [("coffee.jpg", "found", "filename"), (None, "remote", None)]
    assert [f["rule"] for f in offline["findings"]] == ["remote-image", "unused-image"]
    fetched = cli("check", "--format", "json", "--fetch", "--allow-host", "127.0.0.1", folder)
    report = fetched.json()
    methods = [(f["image"], f["match"]["method"]) for f in report["articles"][0]["figures"]]
    assert methods == [("coffee.jpg", "filename"), ("rocket.jpg", "content")]
    assert report["findings"] == [], report["findings"]
    assert report["articles"][0]["figures"][1]["match"]["url"] == server.url("/cdn/IMG_0042.webp")
    out = tmp_path / "report.html"
    cli("check", "--format", "html", "--output", out, "--fetch", "--allow-host", "127.0.0.1", folder)
    html = out.read_text(encoding="utf-8")
    assert f"by file name: the remote rendition {server.url('/cdn/2024/coffee-800x600.jpg?w=800')}" in html
    assert f"by content: the remote image {server.url('/cdn/IMG_0042.webp')} is the same photo" in html


def test_a_non_image_served_as_jpeg_is_one_line(cli, server: LocalServer, tmp_path: Path) -> None:
    server.routes["/news/img/fake.jpg"] = Route(b"<html><body>SECRET page</body></html>", content_type="image/jpeg")
    server.routes["/news/page.html"] = Route(page(figure("img/fake.jpg", COFFEE, "Getty Images")),
                                             content_type="text/html")
    run = cli("check", "--format", "json", server.url("/news/page.html"))
    [finding] = run.json()["findings"]
    assert finding["rule"] == "unreadable-image"
    assert finding["message"].endswith("cannot be read: not an image (served as image/jpeg)")
    assert "SECRET" not in run.out + run.err


def test_a_url_that_cannot_be_fetched_is_one_error_line(cli, server: LocalServer) -> None:
    server.routes["/photo.jpg"] = Route((LIBRARY / "coffee.jpg").read_bytes(), content_type="image/jpeg")
    missing = cli("check", server.url("/nothing.html"))
    assert missing.code == 1
    assert missing.err.strip() == f"provenance: {server.url('/nothing.html')}: HTTP 404 Not Found"
    image = cli("check", server.url("/photo.jpg"))
    assert image.code == 1
    assert image.err.strip() == f"provenance: {server.url('/photo.jpg')}: not an HTML page (served as image/jpeg)"
    assert "Traceback" not in missing.err + image.err


def test_a_data_uri_image_is_decoded_and_checked(cli, tmp_path: Path) -> None:
    import base64

    folder = tmp_path / "story"
    folder.mkdir()
    data = base64.b64encode((LIBRARY / "coffee.jpg").read_bytes()).decode()
    (folder / "article.md").write_text(
        f"# Coffee\n\n![A cup of coffee](data:image/jpeg;base64,{data})\n*{COFFEE}*\nReuters\n", encoding="utf-8")
    offline = cli("check", "--format", "json", folder).json()
    assert [f["rule"] for f in offline["findings"]] == ["remote-image"]
    report = cli("check", "--format", "json", "--fetch", folder).json()
    assert [f["rule"] for f in report["findings"]] == ["credit-mismatch"]


@pytest.mark.parametrize(("line", "message"), [
    ("fetch = 1", "fetch: expected true or false, not an integer"),
    ("allow-hosts = [1]", "allow-hosts: expected a list of host names"),
    ("fetch-max-mb = 0", "fetch-max-mb: expected an integer 1 or more, not 0"),
])
def test_fetch_configuration_errors_exit_2(cli, tmp_path: Path, line: str, message: str) -> None:
    config = tmp_path / "provenance.toml"
    config.write_text(line + "\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    run = cli("check", "--config", config, tmp_path / "a.md")
    assert run.code == 2
    assert run.err.strip().endswith(message)


def test_sarif_and_html_name_remote_files_by_url(cli, server: LocalServer, tmp_path: Path) -> None:
    import json

    server.routes["/news/page.html"] = Route(story(), content_type="text/html")
    sarif = cli("check", "--format", "sarif", server.url("/news/page.html"))
    results = json.loads(sarif.out)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {server.url("/news/page.html")}
    github = cli("check", "--format", "github", server.url("/news/page.html")).out
    assert f"::warning title=credit-mismatch (PV002)::{server.url('/news/page.html')}:1: Figure 1" in github
    out = tmp_path / "report.html"
    cli("check", "--format", "html", "--output", out, server.url("/news/page.html"))
    html = out.read_text(encoding="utf-8")
    assert "not previewed: a remote image" in html and "no longer there" not in html


def test_fetch_max_mb_stops_an_endless_image(cli, server: LocalServer, tmp_path: Path) -> None:
    server.routes["/news/img/endless.jpg"] = Route(endless=True, content_type="image/jpeg")
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "article.md").write_text(
        f"# A\n\n![A cup]({server.url('/news/img/endless.jpg')})\n*{COFFEE}*\nGetty Images\n", encoding="utf-8")
    run = cli("check", "--format", "json", "--fetch", "--allow-host", "127.0.0.1", "--fetch-max-mb", "1", folder)
    [finding] = run.json()["findings"]
    assert finding["rule"] == "unreadable-image"
    assert finding["message"].endswith("cannot be fetched: too large: more than the 1 MB cap (fetch-max-mb); stopped")
    assert len(server.requests()) == 1


def test_a_fetched_image_is_looked_up_in_the_archive(cli, server: LocalServer, tmp_path: Path) -> None:
    archive = tmp_path / "archive.sqlite"
    assert cli("archive", "add", "--archive", archive, FIXTURES / "rules" / "previously-published" / "published-md"
               ).code == 0
    server.routes["/news/img/morning.jpg"] = Route((LIBRARY / "coffee-small.jpg").read_bytes(),
                                                   content_type="image/jpeg")
    server.routes["/news/page.html"] = Route(page(figure("img/morning.jpg", "Morning coffee at the ferry terminal.",
                                                         "Getty Images")), content_type="text/html")
    run = cli("check", "--format", "json", "--archive", archive, server.url("/news/page.html"))
    assert [f["rule"] for f in run.json()["findings"]] == ["previously-published"], run.json()["findings"]


def test_a_url_with_media_matches_renditions_to_the_originals(cli, server: LocalServer, tmp_path: Path) -> None:
    media = tmp_path / "originals"
    media.mkdir()
    (media / "coffee.jpg").write_bytes((LIBRARY / "coffee.jpg").read_bytes())
    server.routes["/cdn/coffee-1024w.webp"] = Route((LIBRARY / "coffee-small.jpg").read_bytes(),
                                                    content_type="image/webp")
    server.routes["/news/page.html"] = Route(page(figure("/cdn/coffee-1024w.webp", COFFEE, "Reuters")),
                                             content_type="text/html")
    report = cli("check", "--format", "json", "--media", media, server.url("/news/page.html")).json()
    [fig] = report["articles"][0]["figures"]
    assert (fig["image"], fig["match"]["method"]) == ("coffee.jpg", "filename")
    [finding] = report["findings"]
    assert finding["rule"] == "credit-mismatch" and "Getty Images" in finding["message"]


def test_the_python_api_fetches_and_counts_remote_images_in_its_progress(server: LocalServer, tmp_path: Path) -> None:
    from provenance.pipeline import CheckOptions, run

    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "article.html").write_bytes(story(server.url("/news/")))
    heard: list[tuple[int, int, str]] = []
    report = run([folder], CheckOptions(fetch=True, allow_hosts=frozenset({"127.0.0.1"})),
                 progress=lambda done, total, unit: heard.append((done, total, unit)))
    assert {f.rule for f in report.findings} == {"credit-mismatch", "reused-photo", "unreadable-image"}
    files = [h for h in heard if h[2] == "files"]
    assert files[-1] == (5, 5, "files")  # the article and its 4 remote images
    url = run([server.url("/news/page.html")], CheckOptions())
    assert url.errors == (f"{server.url('/news/page.html')}: HTTP 404 Not Found",)


def test_two_articles_showing_one_url_fetch_it_and_record_it_once(cli, server: LocalServer, tmp_path: Path) -> None:
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "article.html").write_bytes(page(figure(server.url("/news/img/rocket.jpg"), ROCKET, "AP")))
    report = cli("check", "--format", "json", "--fetch", "--allow-host", "127.0.0.1", tmp_path / "one",
                 tmp_path / "two").json()
    assert [im["path"] for im in report["images"]] == [server.url("/news/img/rocket.jpg")]
    assert [s.status for s in server.requests()] == [200, 304]  # the second target revalidates
    # one photo in two articles: reported only with reuse-scope = "run" (the default judges each article alone)
    assert [f["rule"] for f in report["findings"]] == []
