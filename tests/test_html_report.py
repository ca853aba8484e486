"""`--format html`: a self-contained page that escapes everything it shows and renders in a real browser."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from conftest import FIXTURES
from headless import find_chromium, load
from PIL import Image

from provenance.model import Hashes, ImageRecord, MatchMethod, Provenance
from provenance.pipeline import CheckOptions, run
from provenance.report import Format, render
from provenance.report.html import CSP, make_thumbnail

COFFEE = FIXTURES / "library" / "coffee.jpg"
ROCKET = FIXTURES / "library" / "rocket.jpg"

HOSTILE_NAME = "<img src=x onerror=alert(1)>.jpg"
HOSTILE_UNUSED = '"><svg onload=alert(4)>.jpg'
HOSTILE_UNREADABLE = "<iframe src=javascript:alert(5)>.png"
HOSTILE_CAPTION = "<script>alert(1)</script> A crowd gathers & waits"
HOSTILE_CREDIT = "<img src=x onerror=alert(3)> Getty Images"
HOSTILE_ALT = '" onerror="alert(2)'
HOSTILE_TITLE = "<script>alert('title')</script>"
HOSTILE_SHORTCODE_CAPTION = "<b onclick=alert(8)>A rocket</b> lifts off from the coast."
HOSTILE_MISSING = "gone<script>.jpg"
HOSTILE_XMP_CREDIT = '<script>alert("xmp")</script>'
HOSTILE_XMP_CAPTION = "<b onmouseover=alert(6)>embedded</b>"
HOSTILE_XMP_CREATOR = "Jane </dd><script>alert(7)</script>"


def _xml(text: str) -> str:
    """Escape for XML text and attributes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _jpeg_with_xmp(source: Path, credit: str, caption: str, creator: str) -> bytes:
    """`source` as a JPEG with an XMP packet whose credit, caption and creator are the given strings."""
    buffer = io.BytesIO()
    with Image.open(source) as im:
        im.convert("RGB").save(buffer, "JPEG", quality=85)
    jpeg = buffer.getvalue()
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">'
        f"<photoshop:Credit>{_xml(credit)}</photoshop:Credit>"
        f"<photoshop:Source>{_xml(credit)}</photoshop:Source>"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{_xml(caption)}</rdf:li></rdf:Alt></dc:description>'
        f"<dc:creator><rdf:Seq><rdf:li>{_xml(creator)}</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    payload = b"http://ns.adobe.com/xap/1.0/\0" + packet
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


def _hostile_folder(folder: Path) -> Path:
    """A Markdown article whose every caption, credit, alt, file name and embedded field is markup."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / HOSTILE_NAME).write_bytes(
        _jpeg_with_xmp(COFFEE, HOSTILE_XMP_CREDIT, HOSTILE_XMP_CAPTION, HOSTILE_XMP_CREATOR))
    shutil.copyfile(ROCKET, folder / "rocket.jpg")
    shutil.copyfile(COFFEE, folder / HOSTILE_UNUSED)
    (folder / HOSTILE_UNREADABLE).write_bytes(b"")

    def md(text: str) -> str:  # Markdown escapes, so the parser hands the markup over as text
        return text.replace("<", "\\<").replace(">", "\\>")

    page = f"""---
title: "{HOSTILE_TITLE}"
date: 2024-08-01
---

The council met on Tuesday to discuss the new harbour bridge and its cost.

![{HOSTILE_ALT}]({quote(HOSTILE_NAME)})
*{md(HOSTILE_CAPTION)}*
{md(HOSTILE_CREDIT)}

Engineers presented three designs, and residents asked about each one.

{{{{< figure src="rocket.jpg" caption="{HOSTILE_SHORTCODE_CAPTION}" attr="AP" >}}}}

{{{{< figure src="{HOSTILE_UNREADABLE}" caption="<style>body{{display:none}}</style>" attr="Reuters" >}}}}

{{{{< figure src="{HOSTILE_MISSING}" caption="A photo that was never uploaded." attr="AFP" >}}}}
"""
    (folder / "article.md").write_text(page, encoding="utf-8")
    return folder


def _html(*paths: Path) -> str:
    return render(run(list(paths)), Format.HTML)


def _cards(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return doc.xpath('//article[contains(concat(" ", @class, " "), " card ")]')


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path / "story")
    report = run([folder])
    html = render(report, Format.HTML)
    # the hostile metadata really was read, so its escaping is tested too
    image = report.image(report.images[0].root, HOSTILE_NAME)
    assert image is not None and image.metadata.credit == HOSTILE_XMP_CREDIT

    assert "<script" not in html.lower()
    assert "<iframe" not in html.lower() and "<svg" not in html.lower()
    doc = lxml.html.document_fromstring(html)
    assert not doc.xpath("//script | //iframe | //svg | //object | //embed | //link | //base | //form")
    assert len(doc.xpath("//style")) == 1  # ours, in <head>; the caption's <style> is text
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name in element.attrib:
            assert not name.lower().startswith("on"), (element.tag, name)
    for element in doc.xpath("//img"):
        assert element.get("src", "").startswith("data:image/jpeg;base64,")
    text = doc.text_content()
    for hostile in (HOSTILE_CAPTION, HOSTILE_CREDIT, HOSTILE_XMP_CREDIT, HOSTILE_XMP_CAPTION, HOSTILE_XMP_CREATOR,
                    HOSTILE_NAME, HOSTILE_UNUSED, HOSTILE_UNREADABLE, HOSTILE_MISSING, HOSTILE_SHORTCODE_CAPTION,
                    "<style>body{display:none}</style>"):
        assert hostile in text, hostile
    assert doc.xpath("//title")[0].text == f"Photo check: {HOSTILE_TITLE}"
    alts = [img.get("alt") for img in doc.xpath("//img")]
    assert HOSTILE_ALT in alts


def test_page_is_self_contained(tmp_path: Path) -> None:
    html = _html(_hostile_folder(tmp_path / "story"))
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower()
    doc = lxml.html.document_fromstring(html)
    csp = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert csp == [CSP] and "default-src 'none'" in CSP and "img-src data:" in CSP
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = element.get(name)
            if value is not None:
                assert value.startswith(("data:image/jpeg;base64,", "#")), (element.tag, name, value[:40])
    assert "url(" not in html  # no style-sheet loads either
    assert "@media print" in html


def test_thumbnails_are_inlined_for_every_readable_figure(tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path / "story")
    report = run([folder])
    html = render(report, Format.HTML)
    doc = lxml.html.document_fromstring(html)
    article = report.articles[0]
    readable = 0
    for figure in article.figures:
        match = report.match_for(article, figure.index)
        image = report.image(article.root, match.image) if match and match.image else None
        readable += bool(image and image.readable)
    assert readable == 2
    card_images = [img for card in _cards(doc) for img in card.xpath(".//img")]
    assert len(card_images) == readable
    assert sum(img.get("src").startswith("data:image/jpeg;base64,") for img in card_images) == readable
    assert len(_cards(doc)) == len(article.figures)
    # the figures with no picture say why
    placeholders = " ".join(p.text_content() for p in doc.xpath('//div[@class="placeholder"]'))
    assert "Unreadable" in placeholders and "Missing file" in placeholders
    for img in card_images:
        data = img.get("src").split(",", 1)[1]
        with Image.open(io.BytesIO(base64.b64decode(data))) as thumb:
            assert thumb.format == "JPEG" and max(thumb.size) <= 480


def test_findings_are_badged_and_files_listed(tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path / "story")
    report = run([folder])
    doc = lxml.html.document_fromstring(render(report, Format.HTML))
    cards = _cards(doc)
    for finding in report.findings:
        for index in finding.figures:
            # the message once, without the label of the figure the card already shows
            rest = finding.message.split('") ', 1)[-1]
            assert rest in cards[index].text_content(), finding.rule
            assert cards[index].text_content().count(rest) == 1
    files = doc.xpath('//section[contains(@class, "files")]')[0].text_content()
    for rule in ("unused-image", "missing-image", "unreadable-image"):
        assert rule in files
    assert HOSTILE_UNUSED in files and HOSTILE_UNREADABLE in files
    unused = doc.xpath('//section[contains(@class, "files")]//img')
    assert [img.get("alt") for img in unused] == [HOSTILE_UNUSED]  # the unused photo is shown
    assert "Failed" in doc.xpath("//header")[0].text_content()
    assert "fails on error" in doc.xpath('//section[@class="overview"]')[0].text_content()


def _strips(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return doc.xpath('//section[contains(@class, "reuse")]//div[contains(concat(" ", @class, " "), " strip ")]')


def test_reuse_is_shown_once_as_a_strip() -> None:
    report = run([FIXTURES / "rules" / "reused-photo" / "bad-md"])
    doc = lxml.html.document_fromstring(render(report, Format.HTML))
    strips = _strips(doc)
    assert len(strips) == 1
    members = strips[0].xpath('.//figure[@class="member"]')
    assert len(members) == 2
    text = strips[0].text_content()
    assert "phash distance" in text  # how similar they are
    assert "A cup of coffee on the counter of a harbour cafe on Tuesday." in text  # each caption
    assert "Morning coffee at the ferry terminal." in text
    assert "2024-07-31" in text  # the embedded date
    assert [m.xpath('string(.//p[@class="edit"])') for m in members] == ["the largest", "resized"]
    assert all(m.xpath('.//img[starts-with(@src, "data:image/jpeg;base64,")]') for m in members)
    assert strips[0].xpath('.//p[@class="strip-head"]//a[@href="#a1-f2"]')  # to the card of the reuse's line
    # the cards link to the strip instead of repeating its message
    finding = report.findings[0]
    for card in _cards(doc):
        assert finding.message not in card.text_content()
        assert card.xpath('.//a[@href="#reuse-1"]')


def test_a_gallery_of_copies_is_one_strip_of_four() -> None:
    doc = lxml.html.document_fromstring(_html(FIXTURES / "rules" / "reused-photo" / "bad-gallery-md"))
    strips = _strips(doc)
    assert len(strips) == 1
    edits = [m.xpath('string(.//p[@class="edit"])') for m in strips[0].xpath('.//figure[@class="member"]')]
    assert edits == ["the largest", "cropped", "mirrored", "resized"]
    assert len(_cards(doc)) == 4


def test_two_articles_sharing_a_photo_preview_every_copy(tmp_path: Path) -> None:
    harbour, ferry = tmp_path / "harbour", tmp_path / "ferry"
    harbour.mkdir()
    ferry.mkdir()
    shutil.copyfile(COFFEE, harbour / "coffee.jpg")
    shutil.copyfile(FIXTURES / "library" / "coffee-small.jpg", ferry / "ferry.jpg")
    (harbour / "a.md").write_text("# Harbour\n\n![](coffee.jpg)\n*Coffee at the cafe.*\nGetty Images\n",
                                  encoding="utf-8")
    (ferry / "b.md").write_text("# Ferry\n\n![](ferry.jpg)\n*Coffee at the terminal.*\nGetty Images\n",
                                encoding="utf-8")
    report = run([harbour, ferry], CheckOptions(reuse_scope="run"))
    doc = lxml.html.document_fromstring(render(report, Format.HTML))
    assert "no preview" not in doc.text_content().lower()
    strips = _strips(doc)
    assert len(strips) == 1
    members = strips[0].xpath('.//figure[@class="member"]')
    assert len(members) == 2
    assert all(m.xpath('.//img[starts-with(@src, "data:image/jpeg;base64,")]') for m in members)
    assert "Coffee at the terminal." in strips[0].text_content()  # the other article's figure is named
    cards = _cards(doc)
    assert len(cards) == 2 and all(card.xpath('.//a[@href="#reuse-1"]') for card in cards)


def test_cards_link_to_their_article_and_line_and_every_link_lands() -> None:
    report = run([FIXTURES / "rules" / "reused-photo" / "bad-md", FIXTURES / "rules" / "missing-credit" / "bad-md"])
    doc = lxml.html.document_fromstring(render(report, Format.HTML))
    ids = set(doc.xpath("//@id"))
    hrefs = doc.xpath("//a/@href")
    assert hrefs and all(h.startswith("#") and h[1:] in ids for h in hrefs), set(hrefs) - {f"#{i}" for i in ids}
    for n, article in enumerate(report.articles, start=1):
        for figure in article.figures:
            card = doc.get_element_by_id(f"a{n}-f{figure.index + 1}")
            head = card.xpath('.//div[@class="card-head"]')[0]
            assert head.xpath(f'.//a[@href="#article-{n}"]') and head.xpath(f'.//a[@href="#a{n}-f{figure.index + 1}"]')
            assert f"{article.path}:{figure.line}" in head.text_content()
    # a count is a link that filters; the message on a card drops the caption the card shows
    assert doc.xpath('//a[@href="#only-error"][contains(@class, "count")]')
    credit = next(f for f in report.findings if f.rule == "missing-credit")
    card = doc.get_element_by_id("a2-f1")
    assert credit.message.startswith('Figure 1 ("')
    badge = card.xpath('.//li[contains(@class, "badge")]')[0].text_content()
    assert "This figure " in badge and "(\"" not in badge


def test_weak_matches_are_flagged(tmp_path: Path) -> None:
    seed = lxml.html.document_fromstring(_html(FIXTURES / "seed"))
    assert "by caption" in seed.text_content() and "weak match" not in seed.text_content()
    shutil.copyfile(ROCKET, tmp_path / "launch.jpg")
    (tmp_path / "article.txt").write_text(
        "The council met on Tuesday to discuss the new harbour bridge and its cost.\n"
        "Residents queue outside the town hall before the vote\nAP\n", encoding="utf-8")
    report = run([tmp_path])
    match = report.match_for(report.articles[0], 0)
    assert match is not None and match.method is MatchMethod.ORDER
    card = _cards(lxml.html.document_fromstring(render(report, Format.HTML)))[0]
    assert "weak match" in card.text_content() and card.xpath('.//span[@class="weak"]')


def test_passing_report_and_cli(cli, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = cli("check", "--format", "html", "--output", out, FIXTURES / "seed")
    assert result.code == 0 and result.out == ""
    html = out.read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(html)
    assert "Passed" in doc.xpath("//header")[0].text_content()
    assert html.count("data:image/jpeg;base64,") == 2


# --- the thumbnail guards -------------------------------------------------------


def _record(root: Path, path: str, *, width: int = 320, height: int = 213) -> ImageRecord:
    return ImageRecord(path=path, root=root.as_posix(), format="JPEG", width=width, height=height, size=1,
                       sha256="0" * 64, metadata=Provenance(), hashes=Hashes("test"))


def test_thumbnails_stay_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "story"
    root.mkdir()
    shutil.copyfile(COFFEE, tmp_path / "outside.jpg")
    shutil.copyfile(COFFEE, root / "inside.jpg")
    assert make_thumbnail(_record(root, "inside.jpg")).uri
    escaped = make_thumbnail(_record(root, "../outside.jpg"))
    assert escaped.uri is None and "outside" in escaped.reason
    assert make_thumbnail(_record(root, (tmp_path / "outside.jpg").as_posix())).uri is None
    (root / "link.jpg").symlink_to(tmp_path / "outside.jpg")
    linked = make_thumbnail(_record(root, "link.jpg"))
    assert linked.uri is None and "outside the checked folder" in linked.reason
    gone = make_thumbnail(_record(root, "gone.jpg"))
    assert gone.uri is None and "no longer there" in gone.reason


def test_thumbnails_refuse_what_they_should_not_open(tmp_path: Path) -> None:
    shutil.copyfile(COFFEE, tmp_path / "huge.jpg")
    refused = make_thumbnail(_record(tmp_path, "huge.jpg", width=50_000, height=50_000))
    assert refused.uri is None and "too large" in refused.reason
    os.mkfifo(tmp_path / "pipe.jpg")
    assert make_thumbnail(_record(tmp_path, "pipe.jpg")).uri is None  # and it did not block
    (tmp_path / "page.jpg").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    assert make_thumbnail(_record(tmp_path, "page.jpg")).uri is None  # EPS is never handed to Ghostscript
    (tmp_path / "garbage.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    broken = make_thumbnail(_record(tmp_path, "garbage.jpg"))
    assert broken.uri is None and broken.reason
    unreadable = ImageRecord(path="x.jpg", root=tmp_path.as_posix(), format=None, width=None, height=None, size=0,
                             sha256="0" * 64, metadata=Provenance(), hashes=None, errors=("empty file (0 bytes)",))
    assert make_thumbnail(unreadable).reason == "empty file (0 bytes)"


def _decoded(uri: str | None) -> Image.Image:
    assert uri is not None
    im = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    im.load()
    return im


@pytest.mark.parametrize(("name", "make", "size", "centre"), [
    ("g16.png", lambda: Image.frombytes("I;16", (600, 400), b"\x00\x80" * 240_000), (480, 320), 128),
    ("alpha.png", lambda: Image.new("RGBA", (500, 300), (0, 0, 0, 0)), (480, 288), 255),
    ("cmyk.jpg", lambda: Image.new("CMYK", (500, 300), (0, 0, 0, 0)), (480, 288), 255),
    ("big.jpg", lambda: Image.new("RGB", (6000, 4000), (128, 128, 128)), (480, 320), 128),
    ("bw.tif", lambda: Image.new("1", (300, 300), 1), (300, 300), 255),  # never enlarged
])
def test_thumbnails_of_every_mode(tmp_path: Path, name: str, make, size: tuple[int, int], centre: int) -> None:
    make().save(tmp_path / name)
    thumb = _decoded(make_thumbnail(_record(tmp_path, name)).uri)
    assert thumb.format == "JPEG" and thumb.mode == "RGB" and thumb.size == size
    assert abs(thumb.getpixel((size[0] // 2, size[1] // 2))[0] - centre) <= 8


def test_thumbnails_follow_the_exif_orientation(tmp_path: Path) -> None:
    im = Image.new("RGB", (600, 300), (0, 128, 255))
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90
    im.save(tmp_path / "turned.jpg", exif=exif)
    assert _decoded(make_thumbnail(_record(tmp_path, "turned.jpg")).uri).size == (240, 480)


# --- a real browser -------------------------------------------------------------

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

PROBE = """JSON.stringify({
  images: [...document.images].map(i => ({complete: i.complete, width: i.naturalWidth})),
  cards: document.querySelectorAll('article.card').length,
  placeholders: document.querySelectorAll('.placeholder').length,
  scripts: document.scripts.length,
  verdict: document.querySelector('.verdict-word').textContent,
  bodyVisible: getComputedStyle(document.body).display !== 'none',
})"""


def _open(html_file: Path, profile: Path) -> tuple[list[str], dict, bytes]:
    assert CHROMIUM is not None
    result = load(CHROMIUM, html_file.resolve().as_uri(), profile, PROBE)
    return result.problems, json.loads(result.value), result.screenshot


@needs_chromium
@pytest.mark.parametrize(("fixture", "thumbnails", "placeholders"), [
    ("seed", 2, 0),
    ("rules/reused-photo/bad-md", 4, 0),  # two figures, then the strip of both copies
    ("rules/unreadable-image/bad-md", 0, 3),
    ("hostile", 3, 2),  # two figures, and the unused file in the files table
])
def test_renders_in_chromium(fixture: str, thumbnails: int, placeholders: int, tmp_path: Path) -> None:
    folder = _hostile_folder(tmp_path / "story") if fixture == "hostile" else FIXTURES / fixture
    page = tmp_path / "report.html"
    page.write_text(_html(folder), encoding="utf-8")
    problems, probe, screenshot = _open(page, tmp_path / "profile")
    assert problems == []
    assert probe["scripts"] == 0 and probe["bodyVisible"]
    assert len(probe["images"]) == thumbnails
    assert all(i["complete"] and i["width"] > 0 for i in probe["images"]), probe["images"]
    assert probe["placeholders"] == placeholders
    assert probe["cards"] >= 1
    shot = tmp_path / (re.sub(r"\W+", "-", fixture) + ".png")
    shot.write_bytes(screenshot)
    with Image.open(shot) as im:
        assert im.size == (1280, 1600)
    print(f"screenshot: {shot}")


@needs_chromium
def test_chromium_check_catches_remote_loads_and_scripts(tmp_path: Path) -> None:
    """The browser test is not blind: a smuggled script or remote image is blocked and reported."""
    html = _html(FIXTURES / "seed").replace(
        "</body>", '<img src="https://example.invalid/x.png"><script>console.error("ran")</script></body>')
    page = tmp_path / "tampered.html"
    page.write_text(html, encoding="utf-8")
    problems, _, _ = _open(page, tmp_path / "profile")
    joined = "\n".join(problems)
    assert "Content Security Policy" in joined and "example.invalid" in joined
    assert "console.error: ran" not in joined  # the script never ran


# --- the contact sheet's layout and filters, measured in the browser -------------------

LAYOUT = """(async () => {
  const click = %s;
  if (click) document.querySelector('label[for="' + click + '"]').click();
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const visible = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const clipped = (e, box) => {
    for (let a = e.parentElement; a && a !== box; a = a.parentElement)
      if (getComputedStyle(a).overflow !== 'visible') return true;
    return false;
  };
  const overflowing = [];
  for (const box of document.querySelectorAll('article.card, figure.member, div.strip')) {
    if (!visible(box)) continue;
    const b = box.getBoundingClientRect();
    for (const e of box.querySelectorAll('*')) {
      if (!visible(e) || clipped(e, box)) continue;
      const r = e.getBoundingClientRect();
      const out = r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1;
      const wide = getComputedStyle(e).display !== 'inline' && e.scrollWidth > e.clientWidth + 1
                   && getComputedStyle(e).overflowX === 'visible';
      if (out || wide) overflowing.push((box.id || box.className) + ' > ' + e.tagName + '.' + e.className);
    }
  }
  const rows = {};
  for (const card of document.querySelectorAll('article.card')) {
    if (!visible(card)) continue;
    const r = card.getBoundingClientRect();
    const key = card.parentElement.parentElement.id + '@' + Math.round(r.top + scrollY);
    (rows[key] = rows[key] || []).push(Math.round(r.height));
  }
  const shown = selector => [...document.querySelectorAll(selector)].filter(visible).map(e => e.className);
  return JSON.stringify({
    overflowing, rows: Object.values(rows), pageWide: document.documentElement.scrollWidth > innerWidth,
    cards: shown('article.card'), badges: shown('.badge'), strips: shown('.strip'), rows_: shown('.frow'),
    articles: shown('section.article').length, allCards: document.querySelectorAll('article.card').length,
    thumbs: [...document.images].filter(i => i.closest('.card')).map(i => [i.naturalWidth, i.width]),
  });
})()"""


def _sheet(tmp_path: Path) -> Path:
    """The report of the fixtures: every kind of card, a strip of four copies, files, hostile text."""
    rules = FIXTURES / "rules"
    folders = [FIXTURES / "seed", rules / "reused-photo" / "bad-md", rules / "reused-photo" / "bad-gallery-md",
               rules / "unreadable-image" / "bad-md", rules / "missing-image" / "bad-md",
               rules / "missing-credit" / "bad-md", _hostile_folder(tmp_path / "story"), tmp_path / "mixed"]
    folders[-1].mkdir()
    shutil.copyfile(COFFEE, folders[-1] / "coffee.jpg")
    body = "The council met on Tuesday to discuss the new harbour bridge and its cost."
    (folders[-1] / "article.md").write_text(  # one card with an error and a warning
        f"# Council\n\n{body}\n\n![](coffee.jpg)\n*{body}*\n", encoding="utf-8")
    page = tmp_path / "sheet.html"
    page.write_text(_html(*folders), encoding="utf-8")
    return page


def _measure(page: Path, profile: Path, fragment: str = "", click: str | None = None,
             width: int = 1280) -> dict:
    assert CHROMIUM is not None
    result = load(CHROMIUM, page.resolve().as_uri() + fragment, profile, LAYOUT % json.dumps(click),
                  size=(width, 1600))
    assert result.problems == []
    return json.loads(result.value)


@needs_chromium
@pytest.mark.parametrize("length", range(20, 44, 6))
def test_long_unbroken_folder_names_wrap_on_a_phone(tmp_path: Path, length: int) -> None:
    folder = tmp_path / ("x" * length) / ("y" * length)
    folder.mkdir(parents=True)
    probe = _measure(_sheet(folder), tmp_path / "profile", width=390)
    assert probe["overflowing"] == [] and not probe["pageWide"]


@needs_chromium
@pytest.mark.parametrize("width", [1280, 820, 390])
def test_nothing_overflows_its_card_and_rows_are_even(tmp_path: Path, width: int) -> None:
    probe = _measure(_sheet(tmp_path), tmp_path / "profile", width=width)
    assert probe["overflowing"] == []
    assert not probe["pageWide"]
    assert probe["allCards"] == len(probe["cards"]) >= 14  # nothing is filtered out by default
    assert all(len(set(heights)) == 1 for heights in probe["rows"]), probe["rows"]  # a row's cards equally tall
    assert any(len(heights) > 1 for heights in probe["rows"]) or width < 600
    assert all(shown <= natural for natural, shown in probe["thumbs"])  # never enlarged


@needs_chromium
def test_the_errors_filter_shows_only_errors(tmp_path: Path) -> None:
    page = _sheet(tmp_path)
    everything = _measure(page, tmp_path / "p1")
    errors = _measure(page, tmp_path / "p2", "#only-error")
    assert errors["overflowing"] == []
    assert errors["cards"] and all("has-error" in c.split() for c in errors["cards"])
    assert len(errors["cards"]) < len(everything["cards"])
    assert errors["badges"] and all("error" in b.split() for b in errors["badges"])
    assert len(errors["badges"]) == sum("error" in b.split() for b in everything["badges"])
    assert any("warning" in b.split() for b in everything["badges"] if "error" not in b.split())
    assert errors["strips"] == []  # the copies are warnings
    assert errors["rows_"] and all("has-error" in r.split() for r in errors["rows_"])
    assert errors["articles"] < everything["articles"]  # the seed article holds no error
    # the rule filter: only reused-photo, combined with no severity
    reuse = _measure(page, tmp_path / "p3", click="rule-PV006")
    assert reuse["cards"] and all("has-PV006" in c.split() for c in reuse["cards"])
    assert len(reuse["cards"]) == 6 and len(reuse["strips"]) == 2
    assert all("has-PV006" in b.split() for b in reuse["badges"]) and reuse["rows_"] == []
    # both: errors of reused-photo, none
    both = _measure(page, tmp_path / "p4", "#only-error", click="rule-PV006")
    assert both["cards"] == [] and both["badges"] == []
