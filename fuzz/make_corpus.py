"""Write the seed corpora of the fuzz harnesses into fuzz/corpus/<target>/.

    python fuzz/make_corpus.py

Every seed is small (a few kilobytes at most) and built here: tiny images from
Pillow with hand-made metadata blocks (EXIF, IPTC in Photoshop resources, XMP
with extended XMP, C2PA/JUMBF markers), hand-made HEIF and PSD containers,
raw IPTC and XMP blocks, HTML pages and Markdown/plain-text articles. The
output is deterministic, so re-running it changes nothing in git.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import zlib
from pathlib import Path

from PIL import Image, PngImagePlugin

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
FIXTURES = HERE.parent / "fixtures"

# --- metadata building blocks ------------------------------------------------------------------

XMP_NS = (
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
    ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
    ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"'
    ' xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmlns:dcterms="http://purl.org/dc/terms/"'
)
GUID = "0123456789ABCDEF0123456789ABCDEF"


def xmp_packet(body: str, about_attrs: str = "") -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" {XMP_NS} {about_attrs}>'
        + body
        + '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode("utf-8")


FULL_XMP_BODY = (
    "<dc:creator><rdf:Seq><rdf:li>Jane Doe</rdf:li><rdf:li>Sam Lee</rdf:li></rdf:Seq></dc:creator>"
    '<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2024 Agency</rdf:li>'
    '<rdf:li xml:lang="de">© Agentur</rdf:li></rdf:Alt></dc:rights>'
    '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Smoke rises over the port.</rdf:li>'
    "</rdf:Alt></dc:description>"
    "<photoshop:Credit>AFP via Getty Images</photoshop:Credit>"
    "<photoshop:DateCreated>2024-03-01T10:20:30+01:00</photoshop:DateCreated>"
    "<Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
    "<Iptc4xmpExt:City>Lyon</Iptc4xmpExt:City><Iptc4xmpExt:CountryName>France</Iptc4xmpExt:CountryName>"
    "</rdf:li></rdf:Bag></Iptc4xmpExt:LocationShown>"
    "<plus:Licensor><rdf:Seq><rdf:li plus:LicensorName=\"Agency\"/></rdf:Seq></plus:Licensor>"
    '<Iptc4xmpExt:DigitalSourceType rdf:resource="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"/>'
    "<photoshop:Headline><rdf:Description><rdf:value>Port fire</rdf:value>"
    "<xmpNote:q>1</xmpNote:q></rdf:Description></photoshop:Headline>"
)


def iim(*datasets: tuple[int, int, bytes]) -> bytes:
    return b"".join(b"\x1c" + bytes([r, d]) + len(v).to_bytes(2, "big") + v for r, d, v in datasets)


IPTC_BLOCK = iim(
    (1, 90, b"\x1b%G"),
    (2, 0, b"\x00\x04"),
    (2, 80, "Jörg Müller".encode()),
    (2, 85, b"Staff"),
    (2, 110, b"Reuters"),
    (2, 115, b"Reuters"),
    (2, 116, "© 2024 Reuters".encode()),
    (2, 120, b"A street after the storm."),
    (2, 55, b"20240301"),
    (2, 60, b"102030+0100"),
    (2, 90, b"Lyon"),
    (2, 101, b"France"),
)
IPTC_LATIN = iim((2, 80, b"J\xf6rg"), (2, 120, b"Caf\xe9 \xa9 2024")) + iim((2, 25, b"x" * 3)) + b"\0\0\0"


def resource(rid: int, data: bytes, name: bytes = b"", rtype: bytes = b"8BIM") -> bytes:
    pname = bytes([len(name)]) + name
    if len(pname) & 1:
        pname += b"\0"
    out = rtype + rid.to_bytes(2, "big") + pname + len(data).to_bytes(4, "big") + data
    return out + (b"\0" if len(data) & 1 else b"")


def photoshop_resources(iptc: bytes = IPTC_BLOCK, *, extras: bool = False) -> bytes:
    out = resource(0x0404, iptc) + resource(0x0425, hashlib.md5(iptc).digest())
    if extras:
        out += resource(0x0424, xmp_packet("<photoshop:Credit>PSD credit</photoshop:Credit>"))
        out += resource(0x0422, exif_tiff())
    return out + resource(0x03ED, b"\0" * 16, name=b"res")


def exif_tiff(byteorder: str = "<") -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"  # Artist
    exif[0x8298] = "© 2024 Jane Doe"  # Copyright
    exif[0x010E] = "Smoke rises over the port."  # ImageDescription
    exif[0x0112] = 6  # Orientation
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = "2024:03:01 10:20:30"  # DateTimeOriginal
    ifd[0x9291] = "25"  # SubSecTimeOriginal
    ifd[0x9011] = "+01:00"  # OffsetTimeOriginal
    data = exif.tobytes()
    return data[6:] if data.startswith(b"Exif\0\0") else data


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def extended_xmp() -> tuple[bytes, list[bytes]]:
    """A main packet pointing at an extended one, and the extended one in two chunks."""
    main = xmp_packet("", about_attrs=f'xmpNote:HasExtendedXMP="{GUID}"')
    ext = xmp_packet("<photoshop:Source>Extended source</photoshop:Source>")
    half = len(ext) // 2
    chunks = [
        GUID.encode() + len(ext).to_bytes(4, "big") + (0).to_bytes(4, "big") + ext[:half],
        GUID.encode() + len(ext).to_bytes(4, "big") + half.to_bytes(4, "big") + ext[half:],
    ]
    return main, chunks


def tiny_jpeg(size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "JPEG", quality=30)
    return buf.getvalue()


def tiny_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 200)).save(buf, "PNG")
    return buf.getvalue()


def png_chunk(ctype: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + ctype + body + zlib.crc32(ctype + body).to_bytes(4, "big")


def raw_profile(kind: str, data: bytes) -> bytes:
    hexed = data.hex()
    lines = "\n".join(hexed[i : i + 72] for i in range(0, len(hexed), 72))
    return f"\n{kind}\n{len(data):8d}\n{lines}\n".encode()


def box(btype: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + btype + payload


def full_box(btype: bytes, version: int, payload: bytes) -> bytes:
    return box(btype, bytes([version, 0, 0, 0]) + payload)


# --- metadata seeds --------------------------------------------------------------------------------


def jpeg_seeds() -> dict[str, bytes]:
    jpeg = tiny_jpeg()
    main, chunks = extended_xmp()
    jumbf = b"JP\x00\x01" + b"\x00\x00\x00\x01" + b"\x00\x00\x00\x30jumb\x00\x00\x00\x28jumd" + b"c2pa\x00\x11\x00\x10"
    full = (
        jpeg[:2]
        + segment(0xE1, b"Exif\0\0" + exif_tiff())
        + segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + xmp_packet(FULL_XMP_BODY))
        + segment(0xED, b"Photoshop 3.0\0" + photoshop_resources())
        + segment(0xEB, jumbf)
        + jpeg[2:]
    )
    extended = (
        jpeg[:2]
        + segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + main)
        + b"".join(segment(0xE1, b"http://ns.adobe.com/xmp/extension/\0" + c) for c in chunks)
        + jpeg[2:]
    )
    # IPTC split over two APP13 segments, the old Photoshop 2.5 header, a big-endian EXIF
    ps = photoshop_resources(IPTC_LATIN)
    split = (
        jpeg[:2]
        + segment(0xED, b"Photoshop 3.0\0" + ps[:20])
        + segment(0xED, b"Photoshop 3.0\0" + ps[20:])
        + segment(0xE1, b"Exif\0\0" + exif_tiff(">"))
        + jpeg[2:]
    )
    old = jpeg[:2] + segment(0xED, b"Adobe_Photoshop2.5:" + b"\0" * 8 + photoshop_resources()) + jpeg[2:]
    return {"jpeg-full.jpg": full, "jpeg-extended-xmp.jpg": extended, "jpeg-split-iptc.jpg": split,
            "jpeg-photoshop25.jpg": old, "jpeg-plain.jpg": jpeg}


def png_seeds() -> dict[str, bytes]:
    info = PngImagePlugin.PngInfo()
    info.add_text("Description", "Smoke rises over the port.")
    info.add_text("Author", "Jane Doe", zip=True)
    info.add_itxt("Copyright", "© 2024 Jane Doe", lang="en", tkey="Copyright")
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(FULL_XMP_BODY).decode(), zip=False)
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 200)).save(buf, "PNG", pnginfo=info)
    plain = buf.getvalue()
    exif_chunk = png_chunk(b"eXIf", exif_tiff())
    iptc_profile = raw_profile("iptc", b"8BIM" + photoshop_resources()[4:])
    profile = png_chunk(b"zTXt", b"Raw profile type iptc\0\0" + zlib.compress(iptc_profile))
    xmp_profile = png_chunk(
        b"tEXt", b"Raw profile type xmp\0" + raw_profile("xmp", xmp_packet("<photoshop:Credit>AP</photoshop:Credit>"))
    )
    c2pa = png_chunk(b"caBX", b"\0\0\0\x10jumb")
    head = plain[:33]
    return {"png-text.png": plain, "png-profiles.png": head + exif_chunk + profile + xmp_profile + c2pa + plain[33:]}


def tiff_seeds() -> dict[str, bytes]:
    from PIL import TiffImagePlugin

    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[315] = "Jane Doe"
    ifd[33432] = "© 2024 Jane Doe"
    ifd.tagtype[700] = 1
    ifd[700] = xmp_packet("<photoshop:Credit>Reuters</photoshop:Credit>")
    ifd.tagtype[33723] = 7
    ifd[33723] = IPTC_BLOCK
    ifd.tagtype[34377] = 7
    ifd[34377] = photoshop_resources()
    out = {}
    for name, order in (("tiff-le.tif", "<"), ("tiff-be.tif", ">")):
        buf = io.BytesIO()
        im = Image.new("L", (2, 2), 128)
        im.encoderinfo = {}
        im.save(buf, "TIFF", tiffinfo=ifd, compression="raw", **({"big_endian": True} if order == ">" else {}))
        out[name] = buf.getvalue()
    # a minimal BigTIFF: header, IFD0 with one XMP tag stored out of line
    xmp = xmp_packet("<photoshop:Credit>BigTIFF</photoshop:Credit>")
    ifd_at = 16
    entry = struct.pack("<HHQQ", 700, 1, len(xmp), ifd_at + 8 + 20 + 8)
    big = b"II+\0" + struct.pack("<HHQ", 8, 0, ifd_at) + struct.pack("<Q", 1) + entry + struct.pack("<Q", 0) + xmp
    out["bigtiff.tif"] = big
    return out


def webp_seeds() -> dict[str, bytes]:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"
    Image.new("RGB", (4, 4), (0, 90, 200)).save(
        buf, "WEBP", exif=exif.tobytes(), xmp=xmp_packet("<photoshop:Credit>EPA</photoshop:Credit>"), lossless=True
    )
    return {"webp.webp": buf.getvalue()}


def heif_seeds() -> dict[str, bytes]:
    exif_payload = (6).to_bytes(4, "big") + b"Exif\0\0" + exif_tiff()
    xmp = xmp_packet("<photoshop:Credit>HEIF credit</photoshop:Credit>")

    def infe(item_id: int, item_type: bytes, extra: bytes = b"") -> bytes:
        return full_box(b"infe", 2, item_id.to_bytes(2, "big") + b"\0\0" + item_type + b"\0" + extra)

    iinf = full_box(
        b"iinf", 0, (2).to_bytes(2, "big") + infe(1, b"Exif") + infe(2, b"mime", b"application/rdf+xml\0")
    )
    hdlr = full_box(b"hdlr", 0, b"\0\0\0\0pict" + b"\0" * 12 + b"\0")
    ftyp = box(b"ftyp", b"heic\0\0\0\0mif1heic")

    def build(method: int) -> bytes:
        # iloc version 1: offset_size 4, length_size 4, base_offset_size 0, index_size 0
        def iloc(offsets: list[int]) -> bytes:
            body = bytes([0x44, 0x00]) + (2).to_bytes(2, "big")
            for item_id, off, length in zip((1, 2), offsets, (len(exif_payload), len(xmp)), strict=True):
                body += item_id.to_bytes(2, "big") + method.to_bytes(2, "big") + b"\0\0"
                body += (1).to_bytes(2, "big") + off.to_bytes(4, "big") + length.to_bytes(4, "big")
            return full_box(b"iloc", 1, body)

        data = exif_payload + xmp
        if method == 1:
            meta = full_box(b"meta", 0, hdlr + iinf + iloc([0, len(exif_payload)]) + box(b"idat", data))
            return ftyp + meta
        probe = full_box(b"meta", 0, hdlr + iinf + iloc([0, 0]))
        start = len(ftyp) + len(probe) + 8
        meta = full_box(b"meta", 0, hdlr + iinf + iloc([start, start + len(exif_payload)]))
        c2pa = box(b"uuid", bytes.fromhex("d8fec3d61b0e483c92975828877ec481") + b"\0" * 8)
        return ftyp + meta + box(b"mdat", data) + c2pa

    return {"heif-mdat.heic": build(0), "heif-idat.heic": build(1)}


def psd_seeds() -> dict[str, bytes]:
    header = b"8BPS" + (1).to_bytes(2, "big") + b"\0" * 6 + (3).to_bytes(2, "big")
    header += (2).to_bytes(4, "big") * 2 + (8).to_bytes(2, "big") + (3).to_bytes(2, "big")
    resources = photoshop_resources(extras=True)
    body = (0).to_bytes(4, "big") + len(resources).to_bytes(4, "big") + resources + (0).to_bytes(4, "big")
    return {"psd.psd": header + body + b"\0\0" + b"\0" * 12}


# --- other targets -------------------------------------------------------------------------------------


def iptc_seeds() -> dict[str, bytes]:
    return {
        "iim-utf8.iptc": IPTC_BLOCK,
        "iim-latin.iptc": IPTC_LATIN,
        "iim-extended-length.iptc": b"\x1c\x02\x78\x80\x04" + (5).to_bytes(4, "big") + b"hello",
        "resources.8bim": photoshop_resources(extras=True),
    }


def xmp_seeds() -> dict[str, bytes]:
    main, chunks = extended_xmp()
    full = xmp_packet(FULL_XMP_BODY)
    return {
        "full.xmp": full,
        "utf16.xmp": "\ufeff".encode("utf-16-be") + full.decode().encode("utf-16-be"),
        "shorthand.xmp": xmp_packet("", about_attrs='photoshop:Credit="AP" dc:format="image/jpeg"'),
        "extended-main.xmp": main,
        "extended-chunk.bin": chunks[0],
        "billion-laughs.xmp": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<x>&b;</x>",
        "external-entity.xmp": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        "rdf-root.xmp": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li><rdf:Seq><rdf:li>a</rdf:li>'
        b"</rdf:Seq></rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF>",
    }


def html_seeds() -> dict[str, bytes]:
    out = {p.name: p.read_bytes() for p in sorted((FIXTURES / "html").glob("*.html"))}
    out["small-figure.html"] = (
        b'<html><head><meta charset="utf-8"><title>T</title>'
        b'<meta property="article:published_time" content="2024-03-01T10:00:00Z"></head><body><article>'
        b'<!-- provenance: ignore[missing-credit] agreed with the desk -->'
        b'<figure><picture><source srcset="a-800.webp 800w, a-1600.webp 1600w"><img src="a.jpg" alt="Smoke">'
        b"</picture><figcaption>Smoke rises over the port. <span class=credit>Photo: Jane Doe/AFP</span>"
        b"</figcaption></figure><p>Body text.</p></article></body></html>"
    )
    out["data-attrs.html"] = (
        b'<div class="image" data-caption="Flooded street &amp; cars" data-credit="REUTERS/Jane Doe">'
        b'<img data-src="b.png" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></div>'
        b'<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","image":'
        b'{"@type":"ImageObject","url":"c.jpg","caption":"C","creditText":"AP"}}</script>'
    )
    return out


def article_seeds() -> dict[str, bytes]:
    out = {"seed-article.txt": (FIXTURES / "seed" / "article.txt").read_bytes()[:4000]}
    out["figures.md"] = (
        b"---\ntitle: A story\ndate: 2024-03-01\n---\n\nIntro paragraph.\n\n"
        b'<!-- provenance: ignore[missing-credit] agreed -->\n![Alt](tehran.jpg "Title. Photo: AP")\n'
        b"*Protesters in Tehran.*\nGetty Images\n\n"
        b'{{< figure src="b.jpg" caption="A quiet street. (AP Photo/Sam Lee)" >}}\n\n'
        b"![](c.jpg)\nFlooded street. REUTERS/Jane Doe\n"
    )
    out["captions.txt"] = (
        "Body one.\r\nMarchers fill the avenue on Sunday\r\nAP Photo/Sam Lee\r\n\r\n"
        "Smoke rises. Photo: Getty Images\nCrowds gather (AFP via Getty Images)\n© 2024 Reuters\n"
        "Source Agencies\nAdditional reporting by Jane Doe\n"
    ).encode()
    return out


def front_matter_seeds() -> dict[str, bytes]:
    return {
        "plain.yaml": b"title: A story\ndate: 2024-03-01\nauthor: Jane Doe\ntags: [port, smoke]\n",
        "nested.yaml": b"title: 'Quoted: title'\nmeta:\n  published: 2024-03-01T10:00:00Z\n  list:\n    - a\n    - b\n",
        "anchors.yaml": b"base: &b {x: 1}\nmore: *b\ntitle: T\n",
        "alias-bomb.yaml": (b'a: &a ["lol","lol","lol"]\nb: &b [*a,*a,*a]\nc: &c [*b,*b,*b]\n'
                            b"title: *c\n"),
        "bad-date.yaml": b"title: T\ndate: 2024-00-13\n",
        "tagged.yaml": b"title: !!python/object:os.system ls\n",
    }


def suppression_seeds() -> dict[str, bytes]:
    return {
        "markdown.md": (b"<!-- provenance: ignore[missing-credit] agreed with the family -->\n![](a.jpg)\n*Cap.*\n\n"
                        b"![](b.jpg) <!-- provenance: ignore[PV002, repeated-caption] - desk said so -->\n"
                        b"<!-- provenance: ignore[] nothing -->\n<!-- provenance: ignore[x] -->\n"
                        b"<!-- provenance: something else -->\n"),
        "page.html": (b"<html><body><article><!-- provenance: ignore[missing-credit] handout -->\n<!-- other -->\n"
                      b"<figure><img src=a.jpg><figcaption>Cap.<!-- provenance: ignore[PV003] inside --></figcaption>"
                      b"</figure><p>text<!-- provenance: ignore[x] not before a figure --></p>"
                      b"<div><!-- provenance: ignore[x] wraps -->\n<div><figure><img src=b.jpg></figure></div></div>"
                      b"</article></body></html>"),
        "many.html": b"<!-- provenance: ignore[missing-credit] r -->\n" * 200 + b"<figure><img src=a.jpg></figure>",
    }


TARGETS = {
    "metadata": lambda: {
        **jpeg_seeds(), **png_seeds(), **tiff_seeds(), **webp_seeds(), **heif_seeds(), **psd_seeds()
    },
    "iptc": iptc_seeds,
    "xmp": xmp_seeds,
    "html": html_seeds,
    "articles": article_seeds,
    "frontmatter": front_matter_seeds,
    "suppressions": suppression_seeds,
}


def main() -> None:
    for target, build in TARGETS.items():
        folder = CORPUS / target
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name, data in build().items():
            (folder / name).write_bytes(data)
        total = sum(p.stat().st_size for p in folder.iterdir())
        print(f"{target}: {len(list(folder.iterdir()))} seeds, {total} bytes")


if __name__ == "__main__":
    main()
