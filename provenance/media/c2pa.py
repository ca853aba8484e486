"""C2PA content credentials, through the optional c2pa-python package.

The package (extra "c2pa": `pip install c2pa-python`) is imported lazily and
only for files that visibly carry a manifest store (a JUMBF box in JPEG APP11,
PNG caBX, a RIFF C2PA chunk, the TIFF/DNG C2PA tag, a HEIF C2PA item or uuid
box) or point to a remote one (XMP dcterms:provenance). It runs offline:
remote manifests are not fetched and certificate revocation is not checked
(verify.remote_manifest_fetch=false, verify.ocsp_fetch=false), and no trust
list is loaded, so a good signature reads "Valid", never "Trusted".

Without the package such a file gets `C2PAInfo(validation_state="not checked")`;
a file without any sign of C2PA gets None either way.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from provenance.model import C2PAInfo

MIME_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "HEIC": "image/heic",
    "AVIF": "image/avif",
    "PSD": "image/vnd.adobe.photoshop",
}
"""Container format -> the MIME type c2pa-python is told."""

OFFLINE_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
"""c2pa-python settings: never go to the network."""

MAX_LINES = 8
"""Most validation failures reported per file."""


@lru_cache(maxsize=1)
def _context() -> Any:
    """An offline c2pa-python Context, or None when the package is not installed or fails to load."""
    try:
        import c2pa
    except Exception:
        return None
    try:
        settings = c2pa.Settings.from_dict(OFFLINE_SETTINGS)
        return (c2pa, c2pa.Context(settings=settings))
    except Exception:
        return None


def available() -> bool:
    """True when c2pa-python can be used."""
    return _context() is not None


def heif_brand(data: bytes) -> str:
    """ "AVIF" or "HEIC" from an ISOBMFF file's major brand."""
    return "AVIF" if data[8:12] in (b"avif", b"avis") else "HEIC"


def read_c2pa(
    data: bytes, fmt: str | None, present: bool, errors: list[str], remote: str | None = None
) -> C2PAInfo | None:
    """Summarise the file's C2PA manifest store; None when it shows no sign of one.

    `present` says an embedded manifest store was seen; `remote` is the URL of a
    remote manifest the file points to. Problems become lines in `errors`.
    """
    if not present and not remote:
        return None
    loaded = _context()
    if loaded is None:
        return C2PAInfo(validation_state="not checked")
    c2pa, context = loaded
    if fmt == "HEIF":
        fmt = heif_brand(data)
    mime = MIME_TYPES.get(fmt or "")
    if mime is None:
        return C2PAInfo(validation_state="not checked", errors=("C2PA: container not supported",))
    said: list[str] = []
    try:
        with _native_stderr(said):
            reader = c2pa.Reader(mime, stream=io.BytesIO(data), context=context)
            try:
                store = json.loads(reader.json())
                state = reader.get_validation_state() or "Invalid"
                results = reader.get_validation_results() or {}
            finally:
                reader.close()
    except Exception as exc:  # c2pa-python raises C2paError subclasses; anything else is a failure too
        errors.extend(said)
        name = type(exc).__name__.lstrip("_")
        message = " ".join(str(exc).split())[:200]
        if "ManifestNotFound" in name and not remote:
            errors.append(f"C2PA: a JUMBF box is present but holds no readable C2PA manifest ({message})")
            return None
        line = f"C2PA: manifest not checked ({name}: {message})"
        errors.append(line)
        return C2PAInfo(validation_state="not checked", errors=(line,))
    errors.extend(said)
    return _summarise(store, str(state), results)


NATIVE_NOTE_BYTES = 4096
"""What is kept of the library's own output on stderr (a Rust panic and its backtrace)."""


@contextlib.contextmanager
def _native_stderr(said: list[str]) -> Iterator[None]:
    """Keep what the native library writes to file descriptor 2 (a Rust panic: "memory allocation of ...
    failed", a backtrace) out of the user's terminal; its first line becomes one error line in `said`."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read(NATIVE_NOTE_BYTES).decode("utf-8", errors="replace").strip()
            if text:
                said.append(f"C2PA: the library reported: {' '.join(text.splitlines()[0].split())[:200]}")


def _summarise(store: Mapping[str, Any], state: str, results: Mapping[str, Any]) -> C2PAInfo:
    manifests = store.get("manifests") or {}
    active = manifests.get(store.get("active_manifest") or "") or {}
    return C2PAInfo(
        validation_state=state,
        claim_generator=_claim_generator(active),
        signer=_signer(active.get("signature_info") or {}),
        actions=_actions(active.get("assertions") or []),
        ingredients=tuple(
            str(i.get("title"))
            for i in active.get("ingredients") or []
            if isinstance(i, Mapping) and i.get("title")
        ),
        errors=_failures(results),
    )


def _claim_generator(manifest: Mapping[str, Any]) -> str | None:
    value = manifest.get("claim_generator")
    if isinstance(value, str) and value:
        return value
    infos = manifest.get("claim_generator_info") or []
    parts = []
    for info in infos if isinstance(infos, list) else []:
        if isinstance(info, Mapping) and info.get("name"):
            parts.append(f"{info['name']}/{info['version']}" if info.get("version") else str(info["name"]))
    return " ".join(parts) or None


def _signer(info: Mapping[str, Any]) -> str | None:
    for key in ("issuer", "common_name"):
        if isinstance(info.get(key), str) and info[key]:
            return str(info[key])
    return None


def _actions(assertions: list[Any]) -> tuple[Mapping[str, str], ...]:
    out: list[Mapping[str, str]] = []
    for assertion in assertions:
        if not isinstance(assertion, Mapping):
            continue
        if assertion.get("label") not in ("c2pa.actions", "c2pa.actions.v2"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if not isinstance(action, Mapping) or not action.get("action"):
                continue
            entry = {"action": str(action["action"])}
            if action.get("digitalSourceType"):
                entry["digitalSourceType"] = str(action["digitalSourceType"])
            agent = action.get("softwareAgent")
            if isinstance(agent, Mapping):
                agent = agent.get("name")
            if isinstance(agent, str) and agent:
                entry["softwareAgent"] = agent
            out.append(MappingProxyType(entry))
    return tuple(out)


def _failures(results: Mapping[str, Any]) -> tuple[str, ...]:
    """Validation failures of the active manifest and its ingredients, one line each."""
    lines: list[str] = []
    active = results.get("activeManifest") or {}
    for item in active.get("failure") or []:
        if isinstance(item, Mapping):
            code = item.get("code", "failure")
            explanation = " ".join(str(item.get("explanation", "")).split())
            lines.append(f"C2PA: {code}" + (f" ({explanation})" if explanation else ""))
    for ingredient in results.get("ingredientDeltas") or []:
        if not isinstance(ingredient, Mapping):
            continue
        deltas = ingredient.get("validationDeltas") or {}
        for item in deltas.get("failure") or []:
            if isinstance(item, Mapping):
                lines.append(f"C2PA: ingredient {item.get('code', 'failure')}")
    return tuple(lines[:MAX_LINES])
