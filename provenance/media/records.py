"""An `ImageRecord`'s content as plain JSON data, and back.

Reader processes hand records to the main process this way, and the cache stores them this way
(JSON, never pickle). The content is what the file's bytes determine: format, size, hashes,
metadata and errors; where the file lies (`path`, `root`) is given back when a record is rebuilt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from provenance.model import C2PAInfo, Hashes, ImageRecord, Provenance
from provenance.rights import restrictions_of

_TEXT_FIELDS = ("credit", "creator_title", "copyright", "source", "caption", "headline", "date_created", "city",
                "state", "country", "digital_source_type", "web_statement", "licensor", "camera_make", "camera_model",
                "instructions", "usage_terms", "other_constraints", "credit_line_required")


def content_to_json(record: ImageRecord) -> dict[str, Any]:
    """The content of a record (everything but `path` and `root`) as JSON-ready data."""
    return {
        "format": record.format,
        "width": record.width,
        "height": record.height,
        "size": record.size,
        "sha256": record.sha256,
        "metadata": record.metadata.to_json(),
        "hashes": None if record.hashes is None else {"version": record.hashes.version,
                                                      "values": dict(record.hashes.values)},
        "errors": list(record.errors),
    }


def record_from_json(data: Mapping[str, Any], path: str, root: str) -> ImageRecord:
    """The record `content_to_json` described, for the file at `path` under `root`.

    Raises `ValueError` (or `KeyError`, `TypeError`) when `data` is not such a description.
    """
    hashes = data["hashes"]
    return ImageRecord(
        path=path,
        root=root,
        format=_opt_str(data["format"]),
        width=_opt_int(data["width"]),
        height=_opt_int(data["height"]),
        size=_int(data["size"]),
        sha256=_str(data["sha256"]),
        metadata=_metadata(data["metadata"]),
        hashes=None if hashes is None else Hashes(version=_str(hashes["version"]),
                                                  values=_frozen(hashes["values"])),
        errors=_errors(data["errors"]),
    )


MAX_ERRORS = 100
"""Most error lines a described record may hold (the reader writes at most about 20): a cache row with
more was not written by it, and is read as damaged."""
MAX_TEXT = 1024 * 1024
"""Longest text value a described record may hold."""


def _errors(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_ERRORS:
        raise ValueError(f"expected a list of at most {MAX_ERRORS} error lines")
    return tuple(_str(e) for e in value)


def _metadata(data: Mapping[str, Any]) -> Provenance:
    """The metadata of a record; its restrictions are parsed again from the text fields they come from."""
    c2pa = data.get("c2pa")
    meta = Provenance(
        **{name: _opt_str(data.get(name)) for name in _TEXT_FIELDS},
        creator=tuple(_str(c) for c in data.get("creator", ())),
        keywords=tuple(_str(k) for k in data.get("keywords", ())),
        gps=_gps(data.get("gps")),
        c2pa=None if c2pa is None else C2PAInfo(
            validation_state=_str(c2pa["validation_state"]),
            claim_generator=_opt_str(c2pa.get("claim_generator")),
            signer=_opt_str(c2pa.get("signer")),
            actions=tuple(_frozen(a) for a in c2pa.get("actions", ())),
            ingredients=tuple(_str(i) for i in c2pa.get("ingredients", ())),
            errors=tuple(_str(e) for e in c2pa.get("errors", ())),
        ),
        origins=_frozen(data.get("origins", {})),
        restrictions=(),
    )
    return dataclasses.replace(meta, restrictions=restrictions_of(meta))


def _gps(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, (int, float)) for v in value):
        raise ValueError("expected a latitude and a longitude")
    return float(value[0]), float(value[1])


def _frozen(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, not {type(value).__name__}")
    return MappingProxyType({_str(k): _str(v) for k, v in value.items()})


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"a string of {len(value)} characters (at most {MAX_TEXT})")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, not {type(value).__name__}")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)
