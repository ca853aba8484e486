"""The remote stage of a check: an article fetched from its URL, and the remote images of figures fetched,
read and matched, through the record cache.

Remote records and URL articles have the root `REMOTE_ROOT`, and their URL as path, so that every report
names them by URL. A fetch that fails is the record of an unreadable image (the unreadable-image rule
reports its one line); a refused address or an unsupported scheme leaves the figure remote, with the
reason (the remote-image rule reports it). Fetching itself is `provenance.media.remote`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from PIL import Image

from provenance.articles.html import parse_html
from provenance.cache import RecordCache
from provenance.credits import CreditParser
from provenance.matching import match_fetched
from provenance.media.batch import Budget, read_images
from provenance.media.files import MediaFile, unreadable_record
from provenance.media.reader import DECODABLE_FORMATS
from provenance.media.records import content_to_json, record_from_json
from provenance.media.remote import Fetched, Fetcher, FetchPolicy, Validators, decode_data_uri, safe_text
from provenance.model import Article, ImageRecord, Match, MatchMethod, RefStatus
from provenance.version import __version__

REMOTE_ROOT = "."
"""The root of remote image records and URL articles; their paths are their URLs, which `joined_path`
leaves as they are."""
USER_AGENT = f"provenance/{__version__} (photo provenance check; fetches article pages and their images)"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def open_fetcher(max_mb: int | None, allow_hosts: frozenset[str], urls: Sequence[str]) -> Fetcher:
    """The fetcher of a check: the size cap, the allowed hosts and the hosts of the URL PATHs (an
    article's own host is allowed)."""
    own = {(urlsplit(u).hostname or "").lower() for u in urls} - {""}
    max_bytes = (max_mb or FetchPolicy.max_bytes // (1024 * 1024)) * 1024 * 1024
    policy = FetchPolicy(max_bytes=max_bytes, allow_hosts=frozenset(h.lower() for h in allow_hosts) | own,
                         user_agent=USER_AGENT)
    return Fetcher(policy)


def fetch_article(url: str, fetcher: Fetcher, parser: CreditParser) -> Article | str:
    """The article at `url`, its relative image references made absolute against the page's URL (after
    redirects); or the one-line reason it cannot be checked."""
    fetched = fetcher.fetch(url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
    if fetched.data is None:
        return f"{safe_text(url)}: {fetched.error or 'no response'}"
    data = fetched.data
    if fetched.content_type not in HTML_TYPES and data.lstrip()[:1] != b"<":
        return f"{safe_text(url)}: not an HTML page (served as {safe_text(fetched.content_type or 'no type')})"
    article = parse_html(data, url, REMOTE_ROOT, parser)
    base = fetched.final_url or url
    figures = tuple(
        dataclasses.replace(f, image_ref=_absolute(base, f.image_ref)) if f.image_ref else f for f in article.figures)
    return dataclasses.replace(article, figures=figures)


def _absolute(base: str, ref: str) -> str:
    ref = ref.strip()
    if ref[:5].lower() == "data:":
        return ref
    return urljoin(base, ref)


def fetch_images(matches: Sequence[Match], media: Sequence[ImageRecord], media_label: str, fetcher: Fetcher,
                 cache: RecordCache | None, *, jobs: int | None = None, budget: Budget | None = None,
                 progress: Progress | None = None) -> tuple[list[Match], list[ImageRecord]]:
    """The matches with every remote image (a remote figure, or a rendition matched by file name)
    fetched and matched (`matching.match_fetched`) against the media folder's images `media`, and the
    records of the remote images the figures now use.

    Fetched bytes the cache does not know are written to a temporary folder as they arrive (at most
    `CHUNK` responses are held at once) and read like the files of a media folder: in `jobs` reader
    processes, under `budget`. `progress` hears how many remote images there are, then of each fetched."""
    wanted = {id(m) for m in matches if m.url is not None and (m.status is RefStatus.REMOTE
                                                               or m.method is MatchMethod.FILENAME)}
    urls = list(dict.fromkeys(m.url for m in matches if id(m) in wanted and m.url is not None))
    if progress is not None:
        progress.grow(len(urls))
    with tempfile.TemporaryDirectory(prefix="provenance-fetched-") as tmp:
        remote = _Remote(Path(tmp), cache)
        http = []
        for url in urls:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                data, error = decode_data_uri(url, fetcher.policy.max_bytes)
                if data is None:
                    remote.records[url] = unreadable_record(url, REMOTE_ROOT, error or "not a valid data: URI")
                else:
                    remote.take(url, data, None, None)
            elif scheme in ("http", "https"):
                http.append(url)
            else:
                remote.refused[url] = f"{safe_text(scheme)}: URLs are not fetched (http and https only)"
            if progress is not None and scheme not in ("http", "https"):
                progress()
        for at in range(0, len(http), CHUNK):
            chunk = http[at:at + CHUNK]
            known = {url: _known(cache, url) for url in chunk}
            results = fetcher.fetch_many([(url, None if (k := known[url]) is None else k[1]) for url in chunk])
            for url, fetched in zip(chunk, results, strict=True):
                remote.add(url, fetched, known[url])
                if progress is not None:
                    progress()
        remote.read(jobs, budget)
    out: list[Match] = []
    used: dict[str, ImageRecord] = {}
    for m in matches:
        if id(m) not in wanted or m.url is None:
            out.append(m)
        elif m.url in remote.refused:
            out.append(dataclasses.replace(m, status=RefStatus.REMOTE, image=None, method=None, image_root=None,
                                           unchecked=remote.refused[m.url]))
        else:
            record = remote.records[m.url]
            matched = match_fetched(m, record, [im for im in media if im.readable], media_label) \
                if record.readable else dataclasses.replace(m, status=RefStatus.FOUND, image=record.path,
                                                            method=MatchMethod.REFERENCE, image_root=record.root)
            if matched.image_root == REMOTE_ROOT and matched.image == record.path:
                used[record.path] = record
            out.append(matched)
    return out, list(used.values())


class Progress(Protocol):
    """Counts work done for the progress bar: `grow(n)` more to do, a call for each done."""

    def grow(self, more: int) -> None: ...

    def __call__(self) -> None: ...


CHUNK = 16
"""Responses fetched (and held in memory) at once before they are written to the temporary folder."""


class _Remote:
    """The records of one stage's remote images, as they are fetched, looked up and read."""

    def __init__(self, folder: Path, cache: RecordCache | None) -> None:
        self.folder = folder
        self.cache = cache
        self.records: dict[str, ImageRecord] = {}
        self.refused: dict[str, str] = {}
        self._files: list[MediaFile] = []
        self._validators: dict[str, tuple[str | None, str | None]] = {}

    def add(self, url: str, fetched: Fetched, known: tuple[dict[str, object], Validators] | None) -> None:
        if fetched.refused:
            self.refused[url] = fetched.error or "refused"
            return
        if fetched.not_modified and known is not None:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.records[url] = record_from_json(known[0], url, REMOTE_ROOT)
                return
        if fetched.data is None:
            why = f"cannot be fetched: {fetched.error or 'no response'}"
            self.records[url] = unreadable_record(url, REMOTE_ROOT, why)
            return
        self.take(url, fetched.data, fetched.content_type, (fetched.etag, fetched.last_modified))

    def take(self, url: str, data: bytes, served_as: str | None,
             validators: tuple[str | None, str | None] | None) -> None:
        """Fetched bytes: their record from the cache, else a file to read."""
        digest = hashlib.sha256(data).hexdigest()
        if validators is not None and any(validators):
            self._validators[url] = validators
        content = self.cache.get(digest) if self.cache is not None else None
        if content is not None:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.records[url] = record_from_json(content, url, REMOTE_ROOT)
                return
        if data and not _is_image(data):
            why = f"not an image (served as {safe_text(served_as)})" if served_as else "not an image"
            self.records[url] = unreadable_record(url, REMOTE_ROOT, why, size=len(data), digest=digest)
            return
        path = self.folder / f"{len(self._files)}.image"
        path.write_bytes(data)
        self._files.append(MediaFile(url, path))

    def read(self, jobs: int | None, budget: Budget | None) -> None:
        """Read the files taken (in reader processes, under the budget), cache the readable records, and
        remember the validators of every readable image fetched."""
        for record in read_images(self._files, REMOTE_ROOT, jobs=jobs, budget=budget):
            self.records[record.path] = record
            if self.cache is not None and record.readable:
                self.cache.put(content_to_json(record), None)
        if self.cache is not None:
            self.cache.put_fetched((url, self.records[url].sha256, etag, modified)
                                   for url, (etag, modified) in self._validators.items()
                                   if url in self.records and self.records[url].readable)


def _known(cache: RecordCache | None, url: str) -> tuple[dict[str, object], Validators] | None:
    """The cached record of the bytes last fetched from `url`, and their validators, when both are known."""
    if cache is None:
        return None
    row = cache.fetched(url)
    if row is None:
        return None
    sha256, etag, last_modified = row
    content = cache.get(sha256)
    validators = Validators(etag, last_modified)
    return (content, validators) if content is not None and validators else None


def _is_image(data: bytes) -> bool:
    """Whether Pillow recognises `data` as an image of a format the reader decodes (by content, not type)."""
    Image.init()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=[f for f in DECODABLE_FORMATS if f in Image.OPEN]):
                return True
    except Exception:
        return False

