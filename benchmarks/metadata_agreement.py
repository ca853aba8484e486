"""How often does `read_metadata` agree with ExifTool on a corpus of real image files?

    python benchmarks/metadata_agreement.py [CORPUS_DIR ...]

Each CORPUS_DIR (default: ../shared/corpus/real next to the project root, and
benchmarks/metadata-set, the files `make_metadata_set.py` writes with other
software) holds the image files, `exiftool-truth.json` (ExifTool: raw tags
under "fields", MWG composite tags under "mwg") and optionally
`c2pa-python-truth.json`. The sets are scored one after the other; the output
ends with one summary line per set, in the order given.

The reference value of each field is ExifTool's reading:

* creator, copyright, caption, date_created, city, state, country: ExifTool's
  MWG composite tag (MWG:Creator, MWG:Copyright, MWG:Description,
  MWG:DateTimeOriginal, MWG:City, MWG:State, MWG:Country). For creator,
  copyright and caption, a PNG file's own Author/Copyright/Description text is
  the reference when the MWG tag is absent (the reader falls back to it too).
* credit, source, headline, creator_title, instructions: not MWG composites; the
  reference is the XMP value (photoshop:Credit/Source/Headline/AuthorsPosition/
  Instructions) when ExifTool found one, else the IPTC value (IPTC:Credit/Source/
  Headline/By-lineTitle/SpecialInstructions) of the first IPTC record ("IPTC2" and later records are not
  used, as in ExifTool's default priority).
* digital_source_type, web_statement, licensor, usage_terms:
  XMP-iptcExt:DigitalSourceType, XMP-xmpRights:WebStatement, XMP-plus:LicensorName,
  XMP-xmpRights:UsageTerms.

Normalisation, applied identically to both sides before comparing:

* text is Unicode NFC, every run of whitespace (spaces, tabs, CR, LF) becomes
  one space, and leading/trailing whitespace is removed; a value that is then
  empty counts as absent (ExifTool reports empty strings; the reader drops them);
* a list is normalised item by item, blank items dropped, and joined with "; "
  (the MWG convention for lists held in one string);
* dates become ISO 8601: "YYYY:MM:DD HH:MM:SS" and "YYYY-MM-DDTHH:MM:SS" both
  give "YYYY-MM-DDTHH:MM:SS", fractional seconds and the UTC offset are kept
  as written ("Z" is "+00:00"), missing seconds are ":00";
* numbers ExifTool prints as JSON numbers are compared as their text.

Known deliberate difference: EXIF text that is not valid UTF-8 is read by the
reader as cp1252 ("Café"), where ExifTool prints "?" for each such byte
("Caf?"); such a field shows up below as a disagreement (none in the shared
corpus). No normalisation hides it.

Scoring: every (file, field) where at least one side has a value counts once,
and agrees when the normalised values are equal. Values the reader took from a
C2PA manifest are left out of this comparison (ExifTool 12.57 does not read
C2PA manifests); the C2PA validation state is compared with c2pa-python's
reading instead, when c2pa-python is installed.

The same run scores a plain Pillow reader (IPTC via IptcImagePlugin, EXIF via
getexif, no XMP, no reconciliation) as a baseline.

The corpus files are for measuring only; nothing of them is copied into the project.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from provenance.media.metadata import provenance_to_json, read_metadata  # noqa: E402

DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "real"
OWN_SET = PROJECT_ROOT / "benchmarks" / "metadata-set"

TEXT_FIELDS = (
    "credit",
    "creator",
    "creator_title",
    "copyright",
    "source",
    "caption",
    "headline",
    "date_created",
    "city",
    "state",
    "country",
    "digital_source_type",
    "web_statement",
    "licensor",
    "instructions",
    "usage_terms",
)
"""The fields compared, in report order."""

_MWG = {
    "creator": "MWG:Creator",
    "copyright": "MWG:Copyright",
    "caption": "MWG:Description",
    "date_created": "MWG:DateTimeOriginal",
    "city": "MWG:City",
    "state": "MWG:State",
    "country": "MWG:Country",
}
_PNG_FALLBACK = {"creator": "PNG:Author", "copyright": "PNG:Copyright", "caption": "PNG:Description"}
_XMP_THEN_IPTC = {
    "credit": ("XMP-photoshop:Credit", "IPTC:Credit"),
    "source": ("XMP-photoshop:Source", "IPTC:Source"),
    "headline": ("XMP-photoshop:Headline", "IPTC:Headline"),
    "creator_title": ("XMP-photoshop:AuthorsPosition", "IPTC:By-lineTitle"),
    "instructions": ("XMP-photoshop:Instructions", "IPTC:SpecialInstructions"),
}
_XMP_ONLY = {
    "digital_source_type": "XMP-iptcExt:DigitalSourceType",
    "web_statement": "XMP-xmpRights:WebStatement",
    "licensor": "XMP-plus:LicensorName",
    "usage_terms": "XMP-xmpRights:UsageTerms",
}


# --- normalisation ------------------------------------------------------------


def norm_text(value: Any) -> str | None:
    """Normalised text of a value (see the module docstring); None when absent or blank."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        parts = [p for p in (norm_text(v) for v in value) if p]
        return "; ".join(parts) if parts else None
    if isinstance(value, bool):
        value = "True" if value else "False"
    text = unicodedata.normalize("NFC", str(value))
    text = " ".join(text.split())
    return text or None


_DATE = re.compile(
    r"(\d{4})(?:[:-](\d{2})(?:[:-](\d{2}))?)?"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?)?\s*(Z|[-+]\d{2}:?\d{2})?$"
)


def norm_date(value: Any) -> str | None:
    """ISO 8601 form of an ExifTool or XMP date; unparseable text is compared as text."""
    text = norm_text(value)
    if text is None:
        return None
    m = _DATE.match(text)
    if not m:
        return text
    year, month, day, hh, mm, ss, frac, tz = m.groups()
    out = year + (f"-{month}" if month else "") + (f"-{day}" if day else "")
    if hh is not None:
        out += f"T{hh}:{mm}:{ss or '00'}{frac or ''}"
    if tz:
        tz = "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
        out += tz
    return out


def normalise(name: str, value: Any) -> str | None:
    return norm_date(value) if name == "date_created" else norm_text(value)


# --- reference values -----------------------------------------------------------


def reference(entry: dict[str, Any]) -> dict[str, str]:
    """ExifTool's reading of one file, per field, normalised."""
    fields = entry.get("fields", {})
    mwg = entry.get("mwg", {})
    out: dict[str, str] = {}
    for name in TEXT_FIELDS:
        raw: Any = None
        if name in _MWG:
            raw = mwg.get(_MWG[name])
            if normalise(name, raw) is None and name in _PNG_FALLBACK:
                raw = fields.get(_PNG_FALLBACK[name])
        elif name in _XMP_THEN_IPTC:
            xmp_tag, iptc_tag = _XMP_THEN_IPTC[name]
            raw = fields[xmp_tag] if xmp_tag in fields else fields.get(iptc_tag)
        else:
            raw = fields.get(_XMP_ONLY[name])
        value = normalise(name, raw)
        if value is not None:
            out[name] = value
    return out


# --- readers under test -----------------------------------------------------------


def ours(data: bytes) -> tuple[dict[str, str], dict[str, Any]]:
    """The reader's fields (normalised, C2PA-derived values left out) and its JSON record."""
    record, _errors = read_metadata(data)
    js = provenance_to_json(record)
    out: dict[str, str] = {}
    for name in TEXT_FIELDS:
        if js["origins"].get(name) == "C2PA":
            continue
        value = normalise(name, js[name])
        if value is not None:
            out[name] = value
    return out, js


def _pillow_text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, list):
        raw = raw[0] if raw else None
        if raw is None:
            return None
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return str(raw)


def pillow_baseline(data: bytes) -> dict[str, str]:
    """A plain Pillow reader: IPTC first, EXIF as fallback, no XMP, no digest logic."""
    from PIL import Image, IptcImagePlugin

    out: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            im = Image.open(io.BytesIO(data))
        except Exception:
            return {}
        try:
            iptc = IptcImagePlugin.getiptcinfo(im) or {}
        except Exception:
            iptc = {}
        exif: dict[int, Any] = {}
        sub: dict[int, Any] = {}
        try:
            loaded = im.getexif()
            exif = dict(loaded.items())
            sub = dict(loaded.get_ifd(0x8769).items())
        except Exception:
            pass

    def ip(ds: int) -> Any:
        value = iptc.get((2, ds))
        if isinstance(value, list):
            return [_pillow_text(v) for v in value]
        return _pillow_text(value)

    def one(value: Any) -> Any:
        return value[0] if isinstance(value, list) and value else value

    date = one(ip(55))
    if date and re.fullmatch(r"\d{8}", date):
        date = f"{date[:4]}:{date[4:6]}:{date[6:]}"
        time = one(ip(60))
        if time and re.fullmatch(r"\d{6}([-+]\d{4})?", time):
            date += f" {time[:2]}:{time[2:4]}:{time[4:6]}" + (
                f"{time[6:9]}:{time[9:]}" if len(time) > 6 else ""
            )
    out = {
        "credit": ip(110),
        "source": ip(115),
        "headline": ip(105),
        "creator_title": ip(85),
        "creator": ip(80) or _pillow_text(exif.get(0x013B)),
        "copyright": ip(116) or _pillow_text(exif.get(0x8298)),
        "caption": ip(120) or _pillow_text(exif.get(0x010E)),
        "date_created": date or _pillow_text(sub.get(0x9003)),
        "city": ip(90),
        "state": ip(95),
        "country": ip(101),
        "instructions": ip(40),
    }
    return {k: v for k, v in ((k, normalise(k, v)) for k, v in out.items()) if v is not None}


# --- scoring --------------------------------------------------------------------


@dataclass
class Score:
    """Agreement counts of one reader."""

    agree: int = 0
    total: int = 0
    disagreements: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.agree / self.total if self.total else 1.0

    def add(self, name: str, got: dict[str, str], ref: dict[str, str]) -> None:
        for fld in TEXT_FIELDS:
            mine, theirs = got.get(fld), ref.get(fld)
            if mine is None and theirs is None:
                continue
            self.total += 1
            if mine == theirs:
                self.agree += 1
            else:
                self.disagreements.append((name, fld, mine, theirs))


@dataclass
class Result:
    """Everything one benchmark run measured."""

    ours: Score
    baseline: Score
    files: int
    records: int
    c2pa_checked: int = 0
    c2pa_agree: int = 0
    c2pa_problems: list[str] = field(default_factory=list)
    c2pa_available: bool = False


def corpus_files(corpus: Path, truth: dict[str, Any]) -> list[str]:
    return sorted(k for k in truth if not k.startswith("_"))


def c2pa_available() -> bool:
    try:
        import c2pa  # noqa: F401
    except Exception:
        return False
    return True


def run(corpus: Path, log: Callable[[str], None] | None = None) -> Result:
    """Score the reader and the Pillow baseline over a corpus directory."""
    truth = json.loads((corpus / "exiftool-truth.json").read_text(encoding="utf-8"))
    c2pa_truth_path = corpus / "c2pa-python-truth.json"
    c2pa_truth = json.loads(c2pa_truth_path.read_text(encoding="utf-8")) if c2pa_truth_path.exists() else {}
    result = Result(ours=Score(), baseline=Score(), files=0, records=0, c2pa_available=c2pa_available())
    for name in corpus_files(corpus, truth):
        path = corpus / name
        if not path.is_file():
            if log:
                log(f"missing file: {name}")
            continue
        data = path.read_bytes()
        result.files += 1
        ref = reference(truth[name])
        got, js = ours(data)
        if isinstance(js, dict) and "origins" in js:
            result.records += 1
        result.ours.add(name, got, ref)
        result.baseline.add(name, pillow_baseline(data), ref)
        if result.c2pa_available:
            _check_c2pa(result, name, js.get("c2pa"), c2pa_truth.get(name))
    return result


def _check_c2pa(
    result: Result, name: str, mine: dict[str, Any] | None, theirs: dict[str, Any] | None
) -> None:
    """Compare the validation state with c2pa-python's (files it did not list have no manifest)."""
    expected = None
    if theirs is not None:
        expected = theirs.get("validation_state") or f"error: {theirs.get('error')}"
    got = None if mine is None else mine.get("validation_state")
    if expected is None and got is None:
        return
    result.c2pa_checked += 1
    ok = got == expected or (
        expected is not None and expected.startswith("error:") and got not in ("Valid", "Trusted")
    )
    if ok:
        result.c2pa_agree += 1
    else:
        result.c2pa_problems.append(f"{name}: c2pa validation_state {got!r}, c2pa-python {expected!r}")


def report(result: Result, out: Callable[[str], None] = print) -> None:
    """Print the agreement lines and every disagreement."""
    for label, score in (("read_metadata", result.ours), ("pillow baseline", result.baseline)):
        out(f"{label}: agreement {score.ratio:.4f} ({score.agree}/{score.total} fields)")
    out(f"records: {result.records}/{result.files} files gave a record")
    if result.c2pa_available:
        out(f"c2pa: validation state agrees on {result.c2pa_agree}/{result.c2pa_checked} files")
        for line in result.c2pa_problems:
            out(f"  {line}")
    else:
        out("c2pa: c2pa-python not installed; validation state not compared")
    out(f"disagreements of read_metadata ({len(result.ours.disagreements)}):")
    for name, fld, mine, theirs in result.ours.disagreements:
        out(f"  {name} {fld}: ours={_show(mine)} exiftool={_show(theirs)}")


def summary(label: str, result: Result) -> str:
    """The one line that sums up a set."""
    line = (
        f"{label}: read_metadata {result.ours.ratio:.4f} ({result.ours.agree}/{result.ours.total} fields),"
        f" pillow {result.baseline.ratio:.4f}, records {result.records}/{result.files}"
    )
    if result.c2pa_available:
        line += f", c2pa {result.c2pa_agree}/{result.c2pa_checked}"
    return line


def _show(value: str | None, limit: int = 90) -> str:
    if value is None:
        return "-"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[DEFAULT_CORPUS, OWN_SET])
    parser.add_argument("--target", type=float, default=0.99, help="exit 1 below this agreement")
    args = parser.parse_args(list(argv) if argv is not None else None)
    sums: list[str] = []
    ok = True
    for corpus in args.corpus:
        if not (corpus / "exiftool-truth.json").exists():
            print(f"no exiftool-truth.json in {corpus}", file=sys.stderr)
            return 2
        result = run(corpus, log=lambda line: print(line, file=sys.stderr))
        print(f"== {corpus.name}")
        report(result)
        sums.append(summary(corpus.name, result))
        ok = ok and result.ours.ratio >= args.target and result.records == result.files
    for line in sums:
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
