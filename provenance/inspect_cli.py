"""`provenance inspect`: print the provenance record of image files, or of every image in folders.

Text shows one line per value the file carries (camera, GPS position, keywords and every rights field
included), hashes only with `--hashes`; JSON is `{"images": [record, ...]}`, hashes always in. Exit
codes: 0 every file read, 1 a file whose pixels could not be read, 2 a path that is neither.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from provenance.media.batch import Budget, prepare_images
from provenance.media.files import MediaFile, find_images
from provenance.model import ImageRecord, joined_path, json_visible, printable, text_name
from provenance.report.json import image_dict

EXIT_CLEAN, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2

_FILE_FACTS = ("path", "root", "format", "width", "height", "size", "sha256", "hashes", "origins", "errors")
"""Keys of the record shown apart from the embedded values."""
_LABELS = {"gps": "GPS position", "c2pa": "C2PA"}
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}


def add_arguments(command: argparse.ArgumentParser) -> None:
    """The options of `inspect`."""
    command.add_argument("--hashes", action="store_true",
                         help="also print the SHA-256 and perceptual hashes (always in JSON)")


def run(args: argparse.Namespace, budget: Budget) -> int:
    """Read every IMAGE (a folder: every image under it), each held to `budget`, and print the records;
    returns the exit code."""
    records: list[ImageRecord] = []
    missing = 0
    for path in args.images:
        if path.is_dir():
            entries = find_images(path)
            if not entries:
                print(f"provenance: {_clean(path.as_posix())}: no image files in this folder", file=sys.stderr)
                missing += 1
            records += prepare_images(entries, text_name(path.as_posix()), budget=budget).read()
        elif path.is_file():
            entry = MediaFile(text_name(path.name), path)
            records += prepare_images([entry], text_name(path.parent.as_posix()), budget=budget).read()
        else:
            print(f"provenance: {_clean(path.as_posix())}: not a file or folder", file=sys.stderr)
            missing += 1
    dicts = [image_dict(r) for r in records]
    if args.format == "json":
        sys.stdout.write(json_visible(json.dumps({"images": dicts}, indent=2, ensure_ascii=False)) + "\n")
    else:
        sys.stdout.write("".join(render_text(d, hashes=getattr(args, "hashes", False)) for d in dicts))
    if missing:
        return EXIT_USAGE
    return EXIT_UNREADABLE if any(not r.readable for r in records) else EXIT_CLEAN


def render_text(record: dict[str, Any], *, hashes: bool = False) -> str:
    """One record as text: the file, its format and size, each embedded value, then where they came from."""
    lines = [_clean(joined_path(record["root"], record["path"]).removeprefix("./"))]
    facts = [record["format"] or "format not recognised"]
    if record["width"] and record["height"]:
        facts.append(f"{record['width']} x {record['height']} pixels")
    facts.append(f"{record['size']} bytes")
    lines.append(_row("file", ", ".join(str(f) for f in facts)))
    for key, value in record.items():
        if key in _FILE_FACTS or value in (None, [], {}, ""):
            continue
        lines.append(_row(key, _value(key, value)))
    if record["origins"]:
        lines.append(_row("origins", ", ".join(f"{k}: {v}" for k, v in record["origins"].items())))
    if hashes:
        lines.append(_row("sha256", record["sha256"]))
        for name, value in (record["hashes"] or {}).items():
            lines.append(_row(f"hash {name}", str(value)))
    for error in record["errors"]:
        lines.append(_row("error", error))
    return "\n".join(lines) + "\n"


def _value(key: str, value: Any) -> str:
    if key == "gps" and isinstance(value, list) and len(value) == 2:
        return f"{value[0]:.6f}, {value[1]:.6f}"
    if key == "restrictions" and isinstance(value, list):
        return "; ".join(f"{r['kind']}: {r['wording']}" for r in value if isinstance(r, dict))
    if isinstance(value, list):
        return "; ".join(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _row(key: str, value: str) -> str:
    label = _LABELS.get(key, key.replace("_", " "))
    return f"  {label:<20} {_clean(value)}"


def _clean(text: str) -> str:
    """Text from a file, with its control characters (line breaks, escapes) written as `\\xNN`."""
    return printable(text)
