"""Write a second evaluation set for `metadata_agreement.py`: files written by other software.

    python benchmarks/make_metadata_set.py [OUT_DIR]     # default: benchmarks/metadata-set

Every file is a freely licensed sample photo (scikit-image's `skimage.data`,
scikit-learn's china.jpg/flower.jpg, matplotlib's grace_hopper.jpg), shrunk to
a thumbnail, given invented agency-style metadata by one real writer, and in
some cases damaged afterwards the way files from stringers, phones and old
archives are (junk bytes between JPEG segments, junk after an XMP packet's root
element or after `</x:xmpmeta>`, repeated values, EXIF tags outside IFD0).

Writers, each skipped with a message naming what is missing:

* ExifTool (Debian libimage-exiftool-perl), Pillow;
* ImageMagick (`convert`, Debian imagemagick), GraphicsMagick (`gm`, Debian
  graphicsmagick), exiv2's command line (Debian exiv2), libvips (`vips`,
  Debian libvips-tools);
* piexif, pyexiv2, pillow-heif (PyPI; `pip install -e '.[metadata-set]'`).

The truth is ExifTool's reading of each file, taken with the same two commands
as the shared corpus's `exiftool-truth.json` ("fields" and "mwg"), written to
OUT_DIR/exiftool-truth.json. The output directory is emptied first. Then:

    python benchmarks/metadata_agreement.py ../shared/corpus/real benchmarks/metadata-set
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT_ROOT / "benchmarks" / "metadata-set"
LONG_SIDE = 96


def _words(text: str) -> list[str]:
    return text.split()


FIELD_TAGS = _words(
    "-File:FileType -File:MIMEType -ExifTool:Warning -ExifTool:Error -EXIF:Artist -EXIF:Copyright"
    " -EXIF:ImageDescription -EXIF:XPAuthor -EXIF:XPTitle -EXIF:XPComment -EXIF:XPSubject"
    " -EXIF:UserComment -EXIF:OwnerName -EXIF:DateTimeOriginal -EXIF:CreateDate -EXIF:OffsetTimeOriginal"
    " -IPTC:CodedCharacterSet -IPTC:By-line -IPTC:By-lineTitle -IPTC:Credit -IPTC:Source"
    " -IPTC:CopyrightNotice -IPTC:Caption-Abstract -IPTC:Headline -IPTC:ObjectName -IPTC:Writer-Editor"
    " -IPTC:DateCreated -IPTC:TimeCreated -IPTC:City -IPTC:Sub-location -IPTC:Province-State"
    " -IPTC:Country-PrimaryLocationName -IPTC:Country-PrimaryLocationCode -IPTC:SpecialInstructions"
    " -IPTC:OriginalTransmissionReference -IPTC:Contact -XMP-dc:Creator -XMP-dc:Rights -XMP-dc:Description"
    " -XMP-dc:Title -XMP-photoshop:Credit -XMP-photoshop:Source -XMP-photoshop:Headline"
    " -XMP-photoshop:AuthorsPosition -XMP-photoshop:CaptionWriter -XMP-photoshop:DateCreated"
    " -XMP-photoshop:City -XMP-photoshop:State -XMP-photoshop:Country -XMP-photoshop:Instructions"
    " -XMP-photoshop:TransmissionReference -XMP-iptcCore:Location -XMP-iptcCore:CountryCode"
    " -XMP-iptcCore:CreatorWorkURL -XMP-iptcCore:CreatorWorkEmail -XMP-iptcExt:DigitalSourceType"
    " -XMP-iptcExt:DigitalSourceFileType -XMP-xmpRights:WebStatement -XMP-xmpRights:UsageTerms"
    " -XMP-xmpRights:Marked -XMP-plus:LicensorName -XMP-plus:LicensorID -XMP-plus:LicensorURL"
    " -XMP-plus:CopyrightOwnerName -XMP-plus:ImageCreatorName -XMP-plus:ImageSupplierName"
    " -XMP-xmpNote:HasExtendedXMP -XMP-pdf:Author -PNG:Author -PNG:Copyright -PNG:Description -PNG:Title"
    " -PNG:Comment -PNG:Source -Photoshop:IPTCDigest -CurrentIPTCDigest -Photoshop:CopyrightFlag"
    " -Photoshop:URL -JUMBF:JUMDLabel -JUMBF:JUMDType"
)
"""The tags of the shared corpus's "fields" command, in its order."""

MWG_TAGS = _words(
    "-MWG:Creator -MWG:Copyright -MWG:Description -MWG:DateTimeOriginal -MWG:City -MWG:State -MWG:Country"
)
BASE = ["-j", "-G1", "-a", "-q", "-q", "-m"]


# --- sample photos --------------------------------------------------------------------


def _skimage(name: str) -> Image.Image:
    import skimage.data

    return Image.fromarray(np.asarray(getattr(skimage.data, name)()))


def _package_file(module: str, *parts: str) -> Image.Image:
    mod = __import__(module)
    path = Path(mod.__file__).resolve().parent.joinpath(*parts)
    with Image.open(path) as im:
        return im.copy()


PHOTO_SOURCES: dict[str, Callable[[], Image.Image]] = {
    "astronaut": lambda: _skimage("astronaut"),
    "coffee": lambda: _skimage("coffee"),
    "chelsea": lambda: _skimage("chelsea"),
    "rocket": lambda: _skimage("rocket"),
    "camera": lambda: _skimage("camera"),
    "china": lambda: _package_file("sklearn", "datasets", "images", "china.jpg"),
    "flower": lambda: _package_file("sklearn", "datasets", "images", "flower.jpg"),
    "hopper": lambda: _package_file("matplotlib", "mpl-data", "sample_data", "grace_hopper.jpg"),
}


def load_photos() -> list[tuple[str, Image.Image]]:
    photos = []
    for name, loader in PHOTO_SOURCES.items():
        try:
            image = loader().convert("RGB")
        except Exception as exc:  # a missing optional package: say so and go on
            print(f"photo {name}: skipped ({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
        photos.append((name, image))
    if not photos:
        raise SystemExit("no sample photo available: pip install scikit-image")
    return photos


# --- invented metadata ------------------------------------------------------------------


@dataclass(frozen=True)
class Meta:
    creator: str
    credit: str
    source: str
    copyright: str
    caption: str
    headline: str
    title: str
    city: str
    state: str
    country: str
    date: str  # "YYYY:MM:DD HH:MM:SS"


METAS = [
    Meta("Jürgen Köhler", "Nordbild", "Nordbild Agentur", "© 2024 Nordbild", "Ein Radfahrer am Rhein in Köln.",
         "Rhein-Ufer", "Radfahrer", "Köln", "Nordrhein-Westfalen", "Deutschland", "2024:05:17 09:41:12"),
    Meta("Amélie Durand", "Presse Sud", "Presse Sud", "Presse Sud 2023", "Le marché du samedi à Arles.",
         "Marché d'Arles", "Marché", "Arles", "Provence", "France", "2023:11:02 14:05:00"),
    Meta("Tomás Ruiz", "Agencia Ruiz", "AR Archivo", "Copyright Agencia Ruiz", "Niños en la plaza mayor.",
         "Plaza mayor", "Plaza", "Salamanca", "Castilla y León", "España", "2022:07:30 18:22:45"),
    Meta("Kari Nordmann", "Fjordfoto", "Fjordfoto", "(c) Fjordfoto AS", "Ferja legg til kai i Bergen.",
         "Ferja kjem", "Ferje", "Bergen", "Vestland", "Norge", "2021:02:14 07:00:30"),
    Meta("Li Wei", "East Wire", "East Wire Photo", "© East Wire", "游客在公园里散步。",
         "Park visitors", "公园", "Hangzhou", "Zhejiang", "China", "2020:10:01 10:10:10"),
    Meta("Sam O'Neill", "Harbour Press", "HP Pool", "Harbour Press Ltd", "Boats in the harbour at dawn.",
         "Dawn boats", "Harbour", "Cork", "Munster", "Ireland", "2019:06:21 05:12:00"),
]


# --- writers' tools -----------------------------------------------------------------------


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None


def run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True)


def exiftool_write(path: Path, *args: str) -> None:
    run(["exiftool", "-q", "-q", "-m", "-overwrite_original", *args, str(path)])


def exiftool_full(path: Path, m: Meta, *, exif: bool = True, iptc: bool = True, xmp: bool = True) -> None:
    """Agency-style EXIF, IPTC (UTF-8, 1:90 set) and XMP written by ExifTool."""
    args = ["-codedcharacterset=utf8"]
    if exif:
        args += [f"-EXIF:Artist={m.creator}", f"-EXIF:Copyright={m.copyright}",
                 f"-EXIF:ImageDescription={m.caption}", f"-EXIF:DateTimeOriginal={m.date}"]
    if iptc:
        args += [f"-IPTC:By-line={m.creator}", f"-IPTC:Credit={m.credit}", f"-IPTC:Source={m.source}",
                 f"-IPTC:CopyrightNotice={m.copyright}", f"-IPTC:Caption-Abstract={m.caption}",
                 f"-IPTC:Headline={m.headline}", f"-IPTC:City={m.city}", f"-IPTC:Province-State={m.state}",
                 f"-IPTC:Country-PrimaryLocationName={m.country}", f"-IPTC:DateCreated={m.date[:10]}",
                 f"-IPTC:TimeCreated={m.date[11:]}"]
    if xmp:
        args += [f"-XMP-dc:Creator={m.creator}", f"-XMP-photoshop:Credit={m.credit}",
                 f"-XMP-photoshop:Source={m.source}", f"-XMP-dc:Rights={m.copyright}",
                 f"-XMP-dc:Description={m.caption}", f"-XMP-photoshop:Headline={m.headline}",
                 f"-XMP-photoshop:City={m.city}", f"-XMP-photoshop:State={m.state}",
                 f"-XMP-photoshop:Country={m.country}", f"-XMP-photoshop:DateCreated={m.date}",
                 "-XMP-iptcExt:DigitalSourceType=http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"]
    exiftool_write(path, *args)


def xmp_packet(m: Meta, *, extra: str = "", date: str | None = None) -> bytes:
    """An XMP packet as a photo application writes it (Description attributes and elements)."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Sample writer 1.0">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"\n'
        f'    photoshop:Credit="{m.credit}" photoshop:City="{m.city}"'
        f' photoshop:DateCreated="{date or m.date.replace(":", "-", 2).replace(" ", "T")}">\n'
        f"   <dc:creator><rdf:Seq><rdf:li>{m.creator}</rdf:li></rdf:Seq></dc:creator>\n"
        f'   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{m.caption}</rdf:li></rdf:Alt>'
        "</dc:description>\n"
        f"{extra}"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        + " " * 200
        + '\n<?xpacket end="w"?>'
    ).encode("utf-8")


# --- byte-level damage --------------------------------------------------------------------


def jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of the segments before the first scan of a well-formed JPEG."""
    out = []
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        out.append((marker, pos, pos + 2 + length))
        if marker == 0xDA:
            break
        pos += 2 + length
    return out


def insert_after_segment(data: bytes, marker: int, junk: bytes, *, which: int = 0) -> bytes:
    segs = [s for s in jpeg_segments(data) if s[0] == marker]
    end = segs[which][2]
    return data[:end] + junk + data[end:]


def replace_xmp_in_jpeg(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    head = b"http://ns.adobe.com/xap/1.0/\0"
    for marker, start, end in jpeg_segments(data):
        if marker == 0xE1 and data[start + 4 : start + 4 + len(head)] == head:
            packet = change(data[start + 4 + len(head) : end])
            payload = head + packet
            seg = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
            return data[:start] + seg + data[end:]
    raise ValueError("no XMP segment")


def png_chunk(ctype: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + ctype + body + zlib.crc32(ctype + body).to_bytes(4, "big")


def png_insert(data: bytes, *chunks: bytes) -> bytes:
    """Chunks inserted right after IHDR."""
    ihdr_end = 8 + 8 + int.from_bytes(data[8:12], "big") + 4
    return data[:ihdr_end] + b"".join(chunks) + data[ihdr_end:]


def png_itxt(keyword: str, text: bytes, *, compressed: bool = False) -> bytes:
    body = text if not compressed else zlib.compress(text)
    return png_chunk(b"iTXt", keyword.encode("latin-1") + b"\0" + bytes([int(compressed), 0]) + b"\0\0" + body)


def junk_after_root(packet: bytes) -> bytes:
    """Text after `</x:xmpmeta>` that is not XML: a writer's leftover buffer."""
    return packet.replace(b"</x:xmpmeta>", b"</x:xmpmeta>\n\x00\x00garbage <not-closed \xff\xfe", 1)


def junk_after_trailer(packet: bytes) -> bytes:
    """Padding and junk after the packet's end processing instruction."""
    return packet + b"\x00" * 17 + b"\x1a\x7f junk junk </ok>"


def junk_inside_xmpmeta(packet: bytes) -> bytes:
    """A stray element after `</rdf:RDF>` inside `x:xmpmeta` (the packet's root has junk after its child)."""
    return packet.replace(b"</rdf:RDF>", b"</rdf:RDF>\n<stray>left over", 1)


def repeated_iptc(data: bytes, record: int, dataset: int, value: bytes) -> bytes:
    """A second copy of an IPTC dataset appended to the first IIM block of a JPEG APP13 (lengths fixed)."""
    for marker, start, end in jpeg_segments(data):
        if marker != 0xED:
            continue
        seg = data[start + 4 : end]
        pos = seg.find(b"8BIM\x04\x04")
        if pos < 0:
            continue
        name_len = seg[pos + 6]
        name_total = name_len + 1 + ((name_len + 1) & 1)
        size_at = pos + 6 + name_total
        size = int.from_bytes(seg[size_at : size_at + 4], "big")
        iim = seg[size_at + 4 : size_at + 4 + size]
        pad = size & 1
        extra = b"\x1c" + bytes([record, dataset]) + len(value).to_bytes(2, "big") + value
        iim += extra
        new = seg[:size_at] + len(iim).to_bytes(4, "big") + iim + (b"\0" if len(iim) & 1 else b"")
        new += seg[size_at + 4 + size + pad :]
        return data[:start] + b"\xff\xed" + (len(new) + 2).to_bytes(2, "big") + new + data[end:]
    raise ValueError("no IPTC in APP13")


# --- the files ----------------------------------------------------------------------------


@dataclass
class Job:
    name: str
    needs: tuple[str, ...]
    make: Callable[[Path, Image.Image, Meta, Path], None]
    """(output path, photo, metadata, scratch dir)."""


def save(image: Image.Image, path: Path, fmt: str, **kw: Any) -> None:
    image.save(path, fmt, **kw)


def _jpeg_exiftool(out: Path, im: Image.Image, m: Meta, tmp: Path, **kw: bool) -> None:
    save(im, out, "JPEG", quality=85)
    exiftool_full(out, m, **kw)


def _damaged_jpeg(damage: Callable[[bytes, Meta], bytes], **kw: bool) -> Callable[..., None]:
    def make(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
        _jpeg_exiftool(out, im, m, tmp, **kw)
        out.write_bytes(damage(out.read_bytes(), m))

    return make


def _pillow_jpeg_exif(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    exif = Image.Exif()
    exif[0x013B] = m.creator
    exif[0x8298] = m.copyright
    exif[0x010E] = m.caption
    exif.get_ifd(0x8769)[0x9003] = m.date
    save(im, out, "JPEG", quality=85, exif=exif.tobytes())


def _pillow_png_text(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("Description", m.caption)
    info.add_itxt("Author", m.creator)
    info.add_text("Copyright", m.copyright)
    info.add_text("Comment", f"Scanned from the {m.city} archive")
    save(im, out, "PNG", pnginfo=info)


def _pillow_png_comment_only(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", m.caption)
    info.add_text("Title", m.headline)
    save(im, out, "PNG", pnginfo=info)


def _pillow_png_xmp(out: Path, im: Image.Image, m: Meta, tmp: Path, damage: Callable[[bytes], bytes] | None = None,
                    compressed: bool = False) -> None:
    save(im, out, "PNG")
    packet = xmp_packet(m)
    if damage:
        packet = damage(packet)
    out.write_bytes(png_insert(out.read_bytes(), png_itxt("XML:com.adobe.xmp", packet, compressed=compressed)))


def _pillow_png_description_and_xmp(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Description", "IMG_0042")
    save(im, out, "PNG", pnginfo=info)
    out.write_bytes(png_insert(out.read_bytes(), png_itxt("XML:com.adobe.xmp", xmp_packet(m))))


def _pillow_tiff(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    save(im, out, "TIFF", tiffinfo={0x013B: m.creator, 0x8298: m.copyright, 0x010E: m.caption})


def _pillow_multipage_tiff(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """Three pages; only the second page says who made it (Artist, Copyright in IFD1)."""
    pages = [im, im.rotate(90, expand=True), im.convert("L").convert("RGB")]
    exif = Image.Exif()
    exif[0x013B] = m.creator
    exif[0x8298] = m.copyright
    first = Image.Exif()
    first[0x0131] = "Sample scanner 2.0"
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], tiffinfo=first)
    # Pillow writes one tiffinfo for every page; put the credit on page 2 with ExifTool.
    exiftool_write(out, f"-IFD1:Artist={m.creator}", f"-IFD1:Copyright={m.copyright}")


def _pillow_webp(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    exif = Image.Exif()
    exif[0x013B] = m.creator
    exif[0x8298] = m.copyright
    save(im, out, "WEBP", quality=80, exif=exif.tobytes(), xmp=xmp_packet(m))


def _exiftool_png(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    save(im, out, "PNG")
    exiftool_full(out, m, iptc=False)


def _exiftool_tiff(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    save(im, out, "TIFF")
    exiftool_full(out, m)


def _exiftool_xmp_repeated_date(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """photoshop:DateCreated twice, once as an attribute (ISO) and once as an element (date only)."""
    save(im, out, "JPEG", quality=85)
    packet = xmp_packet(m, extra=f"   <photoshop:DateCreated>{m.date[:10].replace(':', '-')}</photoshop:DateCreated>\n")
    (tmp / "p.xmp").write_bytes(packet)
    seg = b"http://ns.adobe.com/xap/1.0/\0" + packet
    data = out.read_bytes()
    out.write_bytes(data[:2] + b"\xff\xe1" + (len(seg) + 2).to_bytes(2, "big") + seg + data[2:])


def _xmp_repeated_credit(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    save(im, out, "JPEG", quality=85)
    packet = xmp_packet(m, extra=f"   <photoshop:Credit>{m.source}</photoshop:Credit>\n"
                                 f"   <photoshop:Headline>{m.headline}</photoshop:Headline>\n"
                                 f"   <photoshop:Headline>{m.title}</photoshop:Headline>\n")
    seg = b"http://ns.adobe.com/xap/1.0/\0" + packet
    data = out.read_bytes()
    out.write_bytes(data[:2] + b"\xff\xe1" + (len(seg) + 2).to_bytes(2, "big") + seg + data[2:])


def _iptc_repeated(out: Path, im: Image.Image, m: Meta, tmp: Path, with_xmp: bool = False) -> None:
    _jpeg_exiftool(out, im, m, tmp, exif=False, xmp=with_xmp)
    data = repeated_iptc(out.read_bytes(), 2, 110, m.source.encode("utf-8"))
    data = repeated_iptc(data, 2, 120, b"Second caption")
    data = repeated_iptc(data, 2, 55, b"19990101")
    out.write_bytes(data)


def _im(args: list[str]) -> None:
    run(["convert", *args])


def _imagemagick_png_from_tagged_jpeg(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp)
    _im([str(src), str(out)])


def _imagemagick_png_from_exif_jpeg(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp, iptc=False, xmp=False)
    _im([str(src), str(out)])


def _imagemagick_png_from_iptc_jpeg(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp, exif=False, xmp=False)
    _im([str(src), str(out)])


def _imagemagick_jpeg_comment(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.png"
    save(im, src, "PNG")
    _im([str(src), "-comment", m.caption, "-quality", "85", str(out)])
    exiftool_write(out, f"-EXIF:Artist={m.creator}")


def _imagemagick_png_comment(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.png"
    save(im, src, "PNG")
    _im([str(src), "-set", "comment", m.caption, "-set", "Copyright", m.copyright, str(out)])


def _imagemagick_tiff(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp)
    _im([str(src), "-compress", "zip", str(out)])


def _imagemagick_multipage_tiff(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """Pages from three files; only the second carried EXIF (Artist lands in IFD1)."""
    a, b, c = tmp / "a.png", tmp / "b.jpg", tmp / "c.png"
    save(im, a, "PNG")
    save(im.rotate(180), b, "JPEG", quality=85)
    exiftool_write(b, f"-EXIF:Artist={m.creator}", f"-EXIF:Copyright={m.copyright}",
                   f"-EXIF:ImageDescription={m.caption}")
    save(im.convert("L"), c, "PNG")
    _im([str(a), str(b), str(c), "-compress", "zip", str(out)])


def _imagemagick_jpeg_roundtrip(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp)
    _im([str(src), "-resize", "80%", "-quality", "80", str(out)])


def _gm(args: list[str]) -> None:
    run(["gm", "convert", *args])


def _gm_png_from_tagged_jpeg(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp)
    _gm([str(src), str(out)])


def _gm_tiff_from_tagged_jpeg(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp)
    _gm([str(src), str(out)])


def _gm_jpeg_comment(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp, exif=False)
    _gm([str(src), "-comment", m.headline, "-quality", "80", str(out)])


def _gm_png_comment(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.png"
    save(im, src, "PNG")
    _gm([str(src), "-comment", m.caption, str(out)])


def _exiv2(path: Path, *commands: str) -> None:
    args = ["exiv2", "-q"]
    for c in commands:
        args += ["-M", c]
    run([*args, "mo", str(path)])


def _exiv2_commands(m: Meta) -> list[str]:
    return [
        f"set Exif.Image.Artist {m.creator}",
        f"set Exif.Image.Copyright {m.copyright}",
        f"set Exif.Photo.DateTimeOriginal {m.date}",
        "set Iptc.Envelope.CharacterSet \x1b%G",
        f"set Iptc.Application2.Byline {m.creator}",
        f"set Iptc.Application2.Credit {m.credit}",
        f"set Iptc.Application2.Caption {m.caption}",
        f"set Iptc.Application2.City {m.city}",
        f"set Xmp.dc.creator XmpSeq {m.creator}",
        f"set Xmp.dc.description lang=x-default {m.caption}",
        f"set Xmp.photoshop.Credit {m.credit}",
        f"set Xmp.photoshop.Headline {m.headline}",
        f"set Xmp.photoshop.Country {m.country}",
    ]


def _exiv2_file(fmt: str) -> Callable[..., None]:
    def make(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
        save(im, out, fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP") else {}))
        _exiv2(out, *_exiv2_commands(m))

    return make


def _exiv2_description_in_exif_ifd(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """ImageDescription written into the Exif sub-IFD (tag 0x010e), as some cameras and apps do."""
    save(im, out, "JPEG", quality=85)
    _exiv2(out, f"set Exif.Photo.0x010e Ascii {m.caption}", f"set Exif.Photo.DateTimeOriginal {m.date}",
           "set Exif.Image.Make Sample", f"set Iptc.Application2.Headline {m.headline}")


def _exiv2_repeated_iptc(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    save(im, out, "JPEG", quality=85)
    _exiv2(out, f"add Iptc.Application2.Credit {m.credit}", f"add Iptc.Application2.Credit {m.source}",
           f"add Iptc.Application2.Byline {m.creator}", "add Iptc.Application2.Byline Second Photographer",
           f"add Iptc.Application2.City {m.city}", "add Iptc.Application2.City Elsewhere")


def _exiv2_png_xmp_only(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    save(im, out, "PNG")
    _exiv2(out, f"set Xmp.dc.creator XmpSeq {m.creator}", f"set Xmp.dc.rights lang=x-default {m.copyright}",
           f"set Xmp.photoshop.City {m.city}")


def _vips(args: list[str]) -> None:
    run(["vips", *args])


def _vips_convert(suffix: str) -> Callable[..., None]:
    def make(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
        src = tmp / "src.jpg"
        _jpeg_exiftool(src, im, m, tmp)
        _vips(["copy", str(src), str(out) + ("[compression=deflate]" if suffix == ".tif" else "")])

    return make


def _vips_multipage_tiff(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    src = tmp / "src.jpg"
    _jpeg_exiftool(src, im, m, tmp, iptc=False)
    _vips(["arrayjoin", f"{src} {src}", str(tmp / "tall.v"), "--across", "1"])
    _vips(["copy", str(tmp / "tall.v"), str(out) + "[page-height=" + str(im.height) + "]"])


def _piexif_jpeg(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    import piexif

    exif = {
        "0th": {piexif.ImageIFD.Artist: m.creator.encode("utf-8"),
                piexif.ImageIFD.Copyright: m.copyright.encode("utf-8"),
                piexif.ImageIFD.ImageDescription: m.caption.encode("utf-8"),
                piexif.ImageIFD.Make: b"Sample"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: m.date.encode("ascii"),
                 piexif.ExifIFD.SubSecTimeOriginal: b"25"},
    }
    save(im, out, "JPEG", quality=85, exif=piexif.dump(exif))


def _piexif_ifd1_only(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """Artist and Copyright only in IFD1 (the thumbnail's directory)."""
    import piexif

    thumb = io.BytesIO()
    im.resize((16, 16)).save(thumb, "JPEG")
    exif = {
        "0th": {piexif.ImageIFD.Make: b"Sample"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: m.date.encode("ascii")},
        "1st": {piexif.ImageIFD.Artist: m.creator.encode("utf-8"),
                piexif.ImageIFD.Copyright: m.copyright.encode("utf-8"),
                piexif.ImageIFD.ImageDescription: m.caption.encode("utf-8")},
        "thumbnail": thumb.getvalue(),
    }
    save(im, out, "JPEG", quality=85, exif=piexif.dump(exif))


def _piexif_junk(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    _piexif_jpeg(out, im, m, tmp)
    out.write_bytes(insert_after_segment(out.read_bytes(), 0xE1, b"\x00\x00\x00\x00Photo-App 3.1\x00"))


def _pyexiv2_file(fmt: str) -> Callable[..., None]:
    def make(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
        import pyexiv2

        save(im, out, fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP") else {}))
        img = pyexiv2.Image(str(out))
        try:
            img.modify_exif({"Exif.Image.Artist": m.creator, "Exif.Image.Copyright": m.copyright,
                             "Exif.Photo.DateTimeOriginal": m.date})
            img.modify_iptc({"Iptc.Application2.Byline": [m.creator], "Iptc.Application2.Credit": m.credit,
                             "Iptc.Application2.Headline": m.headline, "Iptc.Application2.City": m.city})
            img.modify_xmp({"Xmp.dc.creator": [m.creator], "Xmp.photoshop.Credit": m.credit,
                            "Xmp.dc.description": {"lang=\"x-default\"": m.caption},
                            "Xmp.photoshop.Country": m.country})
        finally:
            img.close()

    return make


def _phone_exif(m: Meta, *, offset: str = "+02:00") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 13"
    exif[0x0131] = "17.1"
    exif[0x0132] = m.date
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = m.date
    sub[0x9004] = m.date
    sub[0x9011] = offset
    sub[0x9291] = "417"
    return exif.tobytes()


def _heic_phone(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """A phone's HEIC: EXIF with make, model, dates, sub-seconds and offset; no IPTC."""
    import pillow_heif

    heif = pillow_heif.from_pillow(im)
    heif.save(str(out), quality=60, exif=_phone_exif(m))


def _heic_phone_edited(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """The phone's HEIC after a desk added creator and caption with ExifTool (EXIF and XMP)."""
    _heic_phone(out, im, m, tmp)
    exiftool_write(out, f"-XMP-dc:Creator={m.creator}", f"-XMP-dc:Description={m.caption}",
                   f"-XMP-photoshop:Credit={m.credit}", f"-EXIF:Copyright={m.copyright}")


def _heic_xmp(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    import pillow_heif

    heif = pillow_heif.from_pillow(im)
    heif.save(str(out), quality=60, exif=_phone_exif(m, offset="-05:00"), xmp=xmp_packet(m))


def bare_ampersand(packet: bytes) -> bytes:
    """An "&" the writer did not escape, in an element and in an attribute value."""
    packet = packet.replace(b"</photoshop:Headline>", b" &amp; more</photoshop:Headline>", 1)
    return packet.replace(b'photoshop:Credit="', b'photoshop:Credit="R&amp;D ', 1).replace(b"&amp;", b"&")


def undeclared_prefix(packet: bytes) -> bytes:
    """The photoshop: namespace declaration left out by the writer."""
    return packet.replace(b"\n  xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/'", b"", 1).replace(
        b'\n    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"', b"", 1
    )


def leading_junk(packet: bytes) -> bytes:
    return b"\x00\x00\x07xx" + packet


def cut_short(packet: bytes) -> bytes:
    """The packet cut inside its last description (a truncated copy), padding and all lost."""
    return packet[: packet.index(b"</rdf:RDF>") - 60]


def _webp_exiftool_damaged(change: Callable[[bytes], bytes] | None) -> Callable[..., None]:
    """A WebP whose XMP (written by ExifTool) is then damaged in its RIFF chunk."""

    def make(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
        save(im, out, "WEBP", quality=80)
        exiftool_full(out, m, iptc=False)
        if change is None:
            return
        data = out.read_bytes()
        pos = data.index(b"XMP ", 12)
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = change(data[pos + 8 : pos + 8 + size])
        chunk = b"XMP " + len(body).to_bytes(4, "little") + body + (b"\0" if len(body) & 1 else b"")
        data = data[:pos] + chunk + data[pos + 8 + size + (size & 1) :]
        out.write_bytes(data[:4] + (len(data) - 8).to_bytes(4, "little") + data[8:])

    return make


def _second_exif_segment(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """ExifTool-written metadata, then piexif's EXIF of a later editor inserted as a second APP1."""
    import piexif

    _jpeg_exiftool(out, im, m, tmp)
    later = piexif.dump({"0th": {piexif.ImageIFD.Artist: b"Desk Editor", piexif.ImageIFD.Copyright: b"Desk 2024"}})
    out.write_bytes(insert_after_segment(out.read_bytes(), 0xE1, b"\xff\xe1" + (len(later) + 2).to_bytes(2, "big")
                                         + later))


def _second_xmp_packet(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """An ExifTool-written file, then a second XMP packet from another application."""
    _jpeg_exiftool(out, im, m, tmp, iptc=False)
    extra = "   <photoshop:Headline>Update</photoshop:Headline>\n"
    seg = b"http://ns.adobe.com/xap/1.0/\0" + xmp_packet(m, extra=extra)
    out.write_bytes(insert_after_segment(out.read_bytes(), 0xE1, b"\xff\xe1" + (len(seg) + 2).to_bytes(2, "big")
                                         + seg, which=-1))


def _exiv2_latin_iptc(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """exiv2 writing IPTC without a 1:90 character set (its text is UTF-8; readers assume Latin)."""
    save(im, out, "JPEG", quality=85)
    _exiv2(out, f"set Iptc.Application2.Byline {m.creator}", f"set Iptc.Application2.Caption {m.caption}",
           f"set Iptc.Application2.City {m.city}", f"set Iptc.Application2.Credit {m.credit}")


def _pyexiv2_png_damaged(out: Path, im: Image.Image, m: Meta, tmp: Path) -> None:
    """pyexiv2-written PNG, then junk bytes before its XMP packet (rewritten as an iTXt chunk)."""
    _pyexiv2_file("PNG")(out, im, m, tmp)
    data = out.read_bytes()
    key = b"iTXtXML:com.adobe.xmp\0"
    at = data.find(key)
    if at < 0:
        raise ValueError("pyexiv2 wrote no iTXt XMP")
    at -= 4
    length = int.from_bytes(data[at : at + 4], "big")
    body = data[at + 8 : at + 8 + length]
    head = len(b"XML:com.adobe.xmp\0") + 4
    if body[head - 4] != 0:
        raise ValueError("compressed iTXt")
    out.write_bytes(data[:at] + png_chunk(b"iTXt", body[:head] + leading_junk(body[head:])) + data[at + 12 + length :])


def jobs() -> list[Job]:
    et, pil = ("exiftool",), ()

    def jpeg_junk(junk: bytes) -> Callable[[bytes, Meta], bytes]:
        return lambda data, m: insert_after_segment(data, 0xE1, junk)

    def xmp_damage(change: Callable[[bytes], bytes]) -> Callable[[bytes, Meta], bytes]:
        return lambda data, m: replace_xmp_in_jpeg(data, change)

    return [
        Job("exiftool-clean.jpg", et, _jpeg_exiftool),
        Job("exiftool-iptc-only.jpg", et, lambda o, i, m, t: _jpeg_exiftool(o, i, m, t, exif=False, xmp=False)),
        Job("exiftool-xmp-only.jpg", et, lambda o, i, m, t: _jpeg_exiftool(o, i, m, t, exif=False, iptc=False)),
        Job("exiftool-junk-after-app1.jpg", et, _damaged_jpeg(jpeg_junk(b"\x00" * 12 + b"APPDATA"))),
        Job("exiftool-junk-ff00-after-app1.jpg", et, _damaged_jpeg(jpeg_junk(b"\x12\x34\xff\x00\x56\x78"))),
        Job("exiftool-junk-after-app13.jpg", et,
            _damaged_jpeg(lambda d, m: insert_after_segment(d, 0xED, b"\r\n\r\n"))),
        Job("exiftool-junk-between-app1s.jpg", et,
            _damaged_jpeg(lambda d, m: insert_after_segment(d, 0xE1, b"\xff\x00\xff\x00", which=0),
                          iptc=False)),
        Job("exiftool-xmp-junk-after-xmpmeta.jpg", et, _damaged_jpeg(xmp_damage(junk_after_root))),
        Job("exiftool-xmp-junk-after-trailer.jpg", et, _damaged_jpeg(xmp_damage(junk_after_trailer))),
        Job("exiftool-xmp-stray-element.jpg", et, _damaged_jpeg(xmp_damage(junk_inside_xmpmeta))),
        Job("exiftool-xmp-only-junk-after-xmpmeta.jpg", et,
            _damaged_jpeg(xmp_damage(junk_after_root), exif=False, iptc=False)),
        Job("exiftool-xmp-only-stray-element.jpg", et,
            _damaged_jpeg(xmp_damage(junk_inside_xmpmeta), exif=False, iptc=False)),
        Job("exiftool-iptc-repeated.jpg", et, _iptc_repeated),
        Job("exiftool-iptc-repeated-with-xmp.jpg", et, lambda o, i, m, t: _iptc_repeated(o, i, m, t, True)),
        Job("exiftool.png", et, _exiftool_png),
        Job("exiftool.tif", et, _exiftool_tiff),
        Job("xmp-repeated-date.jpg", pil, _exiftool_xmp_repeated_date),
        Job("xmp-repeated-credit.jpg", pil, _xmp_repeated_credit),
        Job("pillow-exif.jpg", pil, _pillow_jpeg_exif),
        Job("pillow-text.png", pil, _pillow_png_text),
        Job("pillow-comment-title.png", pil, _pillow_png_comment_only),
        Job("pillow-xmp.png", pil, _pillow_png_xmp),
        Job("pillow-xmp-compressed.png", pil, lambda o, i, m, t: _pillow_png_xmp(o, i, m, t, compressed=True)),
        Job("pillow-xmp-junk-after-xmpmeta.png", pil, lambda o, i, m, t: _pillow_png_xmp(o, i, m, t, junk_after_root)),
        Job("pillow-xmp-junk-after-trailer.png", pil,
            lambda o, i, m, t: _pillow_png_xmp(o, i, m, t, junk_after_trailer)),
        Job("pillow-xmp-stray-element.png", pil,
            lambda o, i, m, t: _pillow_png_xmp(o, i, m, t, junk_inside_xmpmeta, compressed=True)),
        Job("pillow-description-and-xmp.png", pil, _pillow_png_description_and_xmp),
        Job("pillow.tif", pil, _pillow_tiff),
        Job("pillow-multipage-ifd1-artist.tif", et, _pillow_multipage_tiff),
        Job("pillow.webp", pil, _pillow_webp),
        Job("imagemagick-from-tagged.png", ("convert", *et), _imagemagick_png_from_tagged_jpeg),
        Job("imagemagick-from-exif.png", ("convert", *et), _imagemagick_png_from_exif_jpeg),
        Job("imagemagick-from-iptc.png", ("convert", *et), _imagemagick_png_from_iptc_jpeg),
        Job("imagemagick-comment.jpg", ("convert", *et), _imagemagick_jpeg_comment),
        Job("imagemagick-comment.png", ("convert",), _imagemagick_png_comment),
        Job("imagemagick.tif", ("convert", *et), _imagemagick_tiff),
        Job("imagemagick-multipage.tif", ("convert", *et), _imagemagick_multipage_tiff),
        Job("imagemagick-resized.jpg", ("convert", *et), _imagemagick_jpeg_roundtrip),
        Job("graphicsmagick-from-tagged.png", ("gm", *et), _gm_png_from_tagged_jpeg),
        Job("graphicsmagick.tif", ("gm", *et), _gm_tiff_from_tagged_jpeg),
        Job("graphicsmagick-comment.jpg", ("gm", *et), _gm_jpeg_comment),
        Job("graphicsmagick-comment.png", ("gm",), _gm_png_comment),
        Job("exiv2.jpg", ("exiv2",), _exiv2_file("JPEG")),
        Job("exiv2.png", ("exiv2",), _exiv2_file("PNG")),
        Job("exiv2.tif", ("exiv2",), _exiv2_file("TIFF")),
        Job("exiv2.webp", ("exiv2",), _exiv2_file("WEBP")),
        Job("exiv2-description-in-exif-ifd.jpg", ("exiv2",), _exiv2_description_in_exif_ifd),
        Job("exiv2-repeated-iptc.jpg", ("exiv2",), _exiv2_repeated_iptc),
        Job("exiv2-xmp-only.png", ("exiv2",), _exiv2_png_xmp_only),
        Job("vips.png", ("vips", *et), _vips_convert(".png")),
        Job("vips.webp", ("vips", *et), _vips_convert(".webp")),
        Job("vips.tif", ("vips", *et), _vips_convert(".tif")),
        Job("vips.jpg", ("vips", *et), _vips_convert(".jpg")),
        Job("vips-multipage.tif", ("vips", *et), _vips_multipage_tiff),
        Job("piexif.jpg", ("piexif",), _piexif_jpeg),
        Job("piexif-ifd1-only.jpg", ("piexif",), _piexif_ifd1_only),
        Job("piexif-junk-after-app1.jpg", ("piexif",), _piexif_junk),
        Job("pyexiv2.jpg", ("pyexiv2",), _pyexiv2_file("JPEG")),
        Job("pyexiv2.png", ("pyexiv2",), _pyexiv2_file("PNG")),
        Job("pyexiv2.webp", ("pyexiv2",), _pyexiv2_file("WEBP")),
        Job("pyexiv2.tif", ("pyexiv2",), _pyexiv2_file("TIFF")),
        Job("phone.heic", ("pillow_heif",), _heic_phone),
        Job("phone-edited.heic", ("pillow_heif", *et), _heic_phone_edited),
        Job("phone-xmp.heic", ("pillow_heif",), _heic_xmp),
        # damage of the second round, written after the reader's first tolerance work
        Job("exiftool.webp", et, _webp_exiftool_damaged(None)),
        Job("exiftool-xmp-junk-after-xmpmeta.webp", et, _webp_exiftool_damaged(junk_after_root)),
        Job("exiftool-xmp-stray-element.webp", et, _webp_exiftool_damaged(junk_inside_xmpmeta)),
        Job("exiftool-xmp-undeclared-prefix.webp", et, _webp_exiftool_damaged(undeclared_prefix)),
        Job("exiftool-xmp-bare-ampersand.jpg", et, _damaged_jpeg(xmp_damage(bare_ampersand))),
        Job("exiftool-xmp-leading-junk.jpg", et, _damaged_jpeg(xmp_damage(leading_junk), exif=False)),
        Job("exiftool-xmp-cut-short.jpg", et, _damaged_jpeg(xmp_damage(cut_short))),
        Job("exiftool-xmp-only-cut-short.jpg", et, _damaged_jpeg(xmp_damage(cut_short), exif=False, iptc=False)),
        Job("exiftool-piexif-second-exif.jpg", ("piexif", *et), _second_exif_segment),
        Job("exiftool-second-xmp.jpg", et, _second_xmp_packet),
        Job("exiv2-iptc-without-charset.jpg", ("exiv2",), _exiv2_latin_iptc),
        Job("pyexiv2-xmp-leading-junk.png", ("pyexiv2",), _pyexiv2_png_damaged),
        Job("pillow-xmp-bare-ampersand.png", pil, lambda o, i, m, t: _pillow_png_xmp(o, i, m, t, bare_ampersand)),
    ]


HOW_TO_GET = {
    "exiftool": "Debian package libimage-exiftool-perl",
    "convert": "Debian package imagemagick",
    "gm": "Debian package graphicsmagick",
    "exiv2": "Debian package exiv2",
    "vips": "Debian package libvips-tools",
    "piexif": "pip install piexif",
    "pyexiv2": "pip install pyexiv2",
    "pillow_heif": "pip install pillow-heif",
}


def missing(needs: tuple[str, ...]) -> list[str]:
    out = []
    for need in needs:
        if need in ("piexif", "pyexiv2", "pillow_heif"):
            try:
                __import__(need)
            except Exception:
                out.append(need)
        elif not have(need):
            out.append(need)
    return out


def exiftool_truth(out_dir: Path, names: list[str]) -> dict[str, Any]:
    """ExifTool's reading of every file, as the shared corpus's truth holds it."""

    def read(tags: list[str]) -> dict[str, dict[str, Any]]:
        proc = subprocess.run(["exiftool", *BASE, *tags, *names], cwd=out_dir, capture_output=True, check=False)
        out = {}
        for entry in json.loads(proc.stdout.decode("utf-8") or "[]"):
            source = entry.pop("SourceFile")
            out[source] = entry
        return out

    fields = read(FIELD_TAGS)
    mwg = read(MWG_TAGS)
    version = subprocess.run(["exiftool", "-ver"], capture_output=True, text=True, check=True).stdout.strip()
    truth: dict[str, Any] = {
        "_meta": {
            "tool": f"ExifTool {version}",
            "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "commands": {
                "fields": " ".join(["exiftool", *BASE, *FIELD_TAGS, "FILES"]),
                "mwg": " ".join(["exiftool", *BASE, *MWG_TAGS, "FILES"]),
            },
        }
    }
    for name in names:
        f = {k: v for k, v in fields.get(name, {}).items()}
        m = {k: v for k, v in mwg.get(name, {}).items() if k.startswith("MWG:")}
        truth[name] = {"fields": f, "mwg": m}
    return truth


SOURCES = """# Sources of the metadata set

Written by `benchmarks/make_metadata_set.py`; do not edit by hand. Each file's pixels are a
thumbnail of a freely licensed sample photo that ships inside a PyPI package: scikit-image's
`skimage.data` (astronaut, coffee, chelsea, rocket, camera), scikit-learn's `china.jpg` and
`flower.jpg`, matplotlib's `grace_hopper.jpg`. The metadata is invented and written by the software
the file name names (ExifTool, Pillow, ImageMagick, GraphicsMagick, exiv2, libvips, piexif, pyexiv2,
pillow-heif), then in some files damaged as the name says. `exiftool-truth.json` is ExifTool's
reading of each file.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not have("exiftool"):
        print("exiftool is missing (Debian package libimage-exiftool-perl): it gives the truth; nothing written",
              file=sys.stderr)
        return 2
    out_dir: Path = args.out
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    photos = load_photos()
    written: list[str] = []
    skipped: dict[str, list[str]] = {}
    for n, job in enumerate(jobs()):
        lack = missing(job.needs)
        if lack:
            for tool in lack:
                skipped.setdefault(tool, []).append(job.name)
            continue
        photo_name, photo = photos[n % len(photos)]
        meta = METAS[n % len(METAS)]
        target = out_dir / f"{n:02d}-{photo_name}-{job.name}"
        with tempfile.TemporaryDirectory() as tmp:
            try:
                job.make(target, photo, meta, Path(tmp))
            except (subprocess.CalledProcessError, OSError, ValueError) as exc:
                detail = exc.stderr.decode("utf-8", "replace").strip() if isinstance(
                    exc, subprocess.CalledProcessError) and exc.stderr else str(exc)
                print(f"{job.name}: writer failed ({detail[:200]}); skipped", file=sys.stderr)
                target.unlink(missing_ok=True)
                continue
        written.append(target.name)
    for tool, names in skipped.items():
        print(f"writer {tool} missing ({HOW_TO_GET[tool]}): skipped {len(names)} files: {', '.join(names)}",
              file=sys.stderr)
    truth = exiftool_truth(out_dir, written)
    (out_dir / "exiftool-truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (out_dir / "SOURCES.md").write_text(SOURCES, encoding="utf-8")
    size = sum((out_dir / n).stat().st_size for n in written)
    print(f"wrote {len(written)} files ({size // 1024} KiB) and exiftool-truth.json to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
