"""Readers that turn raw input into :class:`sitrep.model.Report` values.

Every reader yields ``Report | SourceError`` and never raises on bad input: a malformed line,
an unreadable file or a feed that cannot be parsed becomes a :class:`SourceError` naming the
file (or URL) and line, and reading continues with the next line or file. Parsing is split
from I/O: ``parse_*`` functions take text or bytes and are pure; ``read_*`` functions open
files, streams and URLs and hand the bytes to them.

Ids are deterministic so that re-ingesting the same input produces the same ids (the pipeline
is at-least-once; downstream dedupe and the store rely on stable ids):

- JSONL/JSON: the document's ``id``; when missing, a hash of its ``source`` and ``text``.
- Text files: the file name (relative to the directory being read) plus a hash of name and content.
- Feed entries: the entry id (Atom ``id`` / RSS ``guid``), else its link, else a hash.

Every report produced is checked against the ``reports-raw-v1`` schema before it is yielded,
so what the producer sends always decodes downstream.
"""

from __future__ import annotations

import calendar
import hashlib
import html.parser
import itertools
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import feedparser
import orjson

import schemas
from sitrep.model import Report


@dataclass(frozen=True, slots=True)
class SourceError:
    """Input that could not become a report.

    ``file`` is the path, URL or ``<stdin>``; ``line`` is 1-based (the JSONL line, the item of a
    JSON array, the entry of a feed), or ``None`` when the whole input is unusable.
    """

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


Item = Report | SourceError

#: Suffixes picked up when a directory is read (and when it is watched with ``--follow``).
DIRECTORY_SUFFIXES = frozenset({".txt", ".jsonl", ".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})

STDIN_NAME = "<stdin>"

# A first line longer than this is a paragraph, not a headline, even when a blank line follows.
_MAX_TITLE_CHARS = 300
_MAX_ID_CHARS = 256  # reports-raw-v1 limit
_FETCH_TIMEOUT_SECONDS = 30.0
_USER_AGENT = "sitrep-ingest/0.1 (+https://sitrep.dev)"


# --- ids and checks -------------------------------------------------------------------------------


def content_hash(*parts: str) -> str:
    """SHA-256 hex digest over ``parts`` joined by a unit separator (so ``("ab", "c") != ("a", "bc")``)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def derive_id(prefix: str, *parts: str) -> str:
    """A deterministic report id: ``prefix-`` and the first 24 hex digits (96 bits) of ``content_hash``."""
    return f"{prefix}-{content_hash(*parts)[:24]}"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48] or "report"


def _checked(report: Report, file: str, line: int | None) -> Item:
    """``report`` if it satisfies ``reports-raw-v1``, else a ``SourceError`` saying why."""
    errors = sorted(
        schemas.validator(schemas.RAW_SCHEMA).iter_errors(schemas.report_to_dict(report)),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if not errors:
        return report
    first = errors[0]
    path = "/".join(str(p) for p in first.absolute_path) or "(root)"
    return SourceError(file, line, f"not a valid report: {path}: {first.message[:200]}")


def _parse_time(value: object) -> datetime | None:
    """ISO 8601 text to an aware datetime (naive means UTC). Raises ``ValueError`` on anything else."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- JSON documents -------------------------------------------------------------------------------


def parse_document(doc: object, *, file: str, line: int | None) -> Item:
    """One ``{"id", "text", "title", "source", "url", "published_at"}`` object as a report.

    ``text`` is required (leading/trailing whitespace dropped); a missing or empty ``id`` becomes
    ``derive_id("r", source, text)``; integer ids are accepted as their decimal text; unknown
    fields are ignored.
    """
    if not isinstance(doc, dict):
        return SourceError(file, line, f"expected a JSON object, got {type(doc).__name__}")
    text = doc.get("text")
    if not isinstance(text, str) or not text.strip():
        return SourceError(file, line, "missing or empty 'text'")
    text = text.strip()
    optional: dict[str, str | None] = {}
    for name in ("title", "source", "url"):
        value = doc.get(name)
        if value is not None and not isinstance(value, str):
            return SourceError(file, line, f"'{name}' must be a string, got {type(value).__name__}")
        optional[name] = (value.strip() or None) if isinstance(value, str) else None
    raw_id = doc.get("id")
    if raw_id is None or raw_id == "":
        report_id = derive_id("r", optional["source"] or "", text)
    elif isinstance(raw_id, str):
        report_id = raw_id.strip()
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        report_id = str(raw_id)
    else:
        return SourceError(file, line, f"'id' must be a string, got {type(raw_id).__name__}")
    try:
        published = _parse_time(doc.get("published_at"))
    except ValueError as exc:
        return SourceError(file, line, f"bad 'published_at': {exc}")
    report = Report(
        id=report_id,
        text=text,
        title=optional["title"],
        source=optional["source"],
        url=optional["url"],
        published_at=published,
    )
    return _checked(report, file, line)


def parse_jsonl_line(raw: bytes | str, *, file: str, line: int) -> Item | None:
    """One JSONL line; ``None`` for a blank line (skipped silently)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return SourceError(file, line, f"not UTF-8: {exc}")
    stripped = raw.strip().lstrip("\ufeff")
    if not stripped:
        return None
    try:
        doc = orjson.loads(stripped)
    except orjson.JSONDecodeError as exc:
        return SourceError(file, line, f"invalid JSON: {exc}")
    return parse_document(doc, file=file, line=line)


def parse_jsonl(lines: Iterable[bytes | str], *, file: str) -> Iterator[Item]:
    """Every non-blank line of a JSONL stream, numbered from 1."""
    for number, raw in enumerate(lines, start=1):
        item = parse_jsonl_line(raw, file=file, line=number)
        if item is not None:
            yield item


def parse_json(content: bytes, *, file: str) -> Iterator[Item]:
    """A ``.json`` file: one report object, or an array of them (``line`` = 1-based array position)."""
    try:
        doc = orjson.loads(content.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        yield SourceError(file, None, f"invalid JSON: {exc}")
        return
    if isinstance(doc, list):
        for number, element in enumerate(doc, start=1):
            yield parse_document(element, file=file, line=number)
    else:
        yield parse_document(doc, file=file, line=None)


# --- plain text -----------------------------------------------------------------------------------


def parse_text(content: str, *, name: str, file: str | None = None) -> Item:
    """A whole text file as one report.

    ``name`` identifies the file in the id (``txt-<slug of name>-<hash of name and content>``), so
    pass something stable (the file name, or the path relative to the directory read); ``file`` is
    what errors show (defaults to ``name``). When the first line is followed by a blank line and
    is short enough to be a headline, it becomes the title and is not part of the text.
    """
    shown = file or name
    body = content.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").strip()
    if not body:
        return SourceError(shown, None, "empty file")
    title: str | None = None
    lines = body.split("\n")
    if len(lines) >= 3 and not lines[1].strip() and len(lines[0].strip()) <= _MAX_TITLE_CHARS:
        title = lines[0].strip()
        body = "\n".join(lines[2:]).strip()
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    report_id = f"txt-{_slug(stem)}-{content_hash(name, content)[:16]}"
    return _checked(Report(id=report_id, text=body, title=title), shown, None)


# --- feeds ----------------------------------------------------------------------------------------


class _TextExtractor(html.parser.HTMLParser):
    """Visible text of an HTML fragment, one line per block element.

    Hand-written over the standard library's tokenizer because feed summaries are small fragments
    and no HTML-to-text library is among the project's dependencies; feedparser already sanitizes
    the markup, so only the text needs recovering.
    """

    _BLOCK = frozenset({"p", "br", "div", "li", "ul", "ol", "blockquote", "tr", "section", "article"})
    _BLOCK |= {f"h{level}" for level in range(1, 7)}
    _SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            # Line breaks in HTML text are plain whitespace; only block elements break lines.
            self.parts.append(data.replace("\r", " ").replace("\n", " "))


def html_to_text(fragment: str) -> str:
    """Visible text of ``fragment``: tags dropped, entities decoded, whitespace collapsed per line."""
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _entry_text(entry: Mapping[str, Any]) -> str:
    contents = entry.get("content") or []
    values = [c.get("value", "") for c in contents if isinstance(c, Mapping)]
    raw = "\n".join(v for v in values if v) or entry.get("summary") or entry.get("description") or ""
    return html_to_text(str(raw))


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed is None:
        return None
    # feedparser normalises every date it understands to a UTC struct_time.
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def parse_feed_entry(entry: Mapping[str, Any], *, feed_title: str | None, file: str, line: int) -> Item:
    """One feedparser entry as a report (``line`` = 1-based position in the feed).

    The text is the entry's content (else summary) stripped of HTML; an entry with only a headline
    becomes a report whose text is the headline. Ids longer than the schema allows are hashed.
    """
    title = html_to_text(str(entry.get("title") or "")) or None
    text = _entry_text(entry)
    if not text:
        if title is None:
            return SourceError(file, line, "entry has neither text nor title")
        text, title = title, None
    link = entry.get("link") or None
    report_id = str(entry.get("id") or link or "").strip() or derive_id("feed", file, title or "", text)
    if len(report_id) > _MAX_ID_CHARS:
        report_id = derive_id("feed", report_id)
    report = Report(
        id=report_id,
        text=text,
        title=title,
        source=feed_title,
        url=str(link) if link else None,
        published_at=_entry_time(entry),
    )
    return _checked(report, file, line)


def parse_feed(data: bytes, *, file: str, headers: Mapping[str, str] | None = None) -> Iterator[Item]:
    """Every entry of an RSS or Atom document (feedparser), in document order.

    A document feedparser cannot read at all yields one ``SourceError``; a feed that parses with
    warnings (feedparser's ``bozo``) but has entries is accepted.
    """
    parsed = feedparser.parse(data, response_headers=dict(headers or {}))
    if not parsed.entries:
        if parsed.get("bozo"):
            yield SourceError(file, None, f"not a readable feed: {parsed.get('bozo_exception')}")
        return
    feed_title = html_to_text(str(parsed.feed.get("title") or "")) or file
    for number, entry in enumerate(parsed.entries, start=1):
        yield parse_feed_entry(entry, feed_title=feed_title, file=file, line=number)


# --- readers (I/O) --------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[Item]:
    """A JSONL file, line by line (bytes, so a bad byte sequence costs one line, not the file)."""
    try:
        with path.open("rb") as fh:
            yield from parse_jsonl(fh, file=str(path))
    except OSError as exc:
        yield SourceError(str(path), None, f"cannot read: {exc.strerror or exc}")


def read_json(path: Path) -> Iterator[Item]:
    try:
        content = path.read_bytes()
    except OSError as exc:
        yield SourceError(str(path), None, f"cannot read: {exc.strerror or exc}")
        return
    yield from parse_json(content, file=str(path))


def read_text(path: Path, *, name: str | None = None) -> Iterator[Item]:
    """One text file as one report; ``name`` (default: the file name) goes into the id."""
    try:
        content = path.read_bytes().decode("utf-8")
    except OSError as exc:
        yield SourceError(str(path), None, f"cannot read: {exc.strerror or exc}")
        return
    except UnicodeDecodeError as exc:
        yield SourceError(str(path), None, f"not UTF-8: {exc}")
        return
    yield parse_text(content, name=name or path.name, file=str(path))


def read_feed_file(path: Path) -> Iterator[Item]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield SourceError(str(path), None, f"cannot read: {exc.strerror or exc}")
        return
    yield from parse_feed(data, file=str(path))


def directory_files(root: Path, *, modified_before: float | None = None) -> list[Path]:
    """Every ``*.txt``/``*.jsonl``/``*.json`` under ``root`` (recursively), sorted by relative path.

    Hidden files and directories are skipped: editors and downloaders write partial files there.
    With ``modified_before`` (a POSIX timestamp), files modified later are left out for now: a
    watcher must not read a file that may still be being written.
    """
    found = [
        p
        for p in root.rglob("*")
        if p.suffix.lower() in DIRECTORY_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and (modified_before is None or _mtime(p) <= modified_before)
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed between listing and stat: treat as too new, the next poll decides
        return float("inf")


def read_file(path: Path, *, root: Path | None = None) -> Iterator[Item]:
    """One file, by suffix: JSONL, JSON, a feed document, or (anything else) a text report.

    With ``root``, a text report's id uses the path relative to ``root`` rather than the file name.
    """
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path)
    elif suffix == ".json":
        yield from read_json(path)
    elif suffix in FEED_SUFFIXES:
        yield from read_feed_file(path)
    else:
        name = path.relative_to(root).as_posix() if root is not None else path.name
        yield from read_text(path, name=name)


def read_directory(root: Path, *, modified_before: float | None = None) -> Iterator[Item]:
    """Every file ``directory_files`` lists, in that order."""
    for path in directory_files(root, modified_before=modified_before):
        yield from read_file(path, root=root)


def read_path(path: Path, *, modified_before: float | None = None) -> Iterator[Item]:
    """A directory or a single file; a missing path is one ``SourceError``.

    ``modified_before`` applies to the files inside a directory (see ``directory_files``).
    """
    if path.is_dir():
        yield from read_directory(path, modified_before=modified_before)
    elif path.exists():
        yield from read_file(path)
    else:
        yield SourceError(str(path), None, "no such file or directory")


def read_stream(stream: IO[bytes], *, name: str = STDIN_NAME) -> Iterator[Item]:
    """A byte stream (stdin): JSONL when its first non-blank character is ``{``, else one text report.

    JSONL is parsed line by line as it arrives, so a producer piping into ``sitrep ingest`` is
    sent as it goes.
    """
    lines = iter(stream)
    head: list[bytes] = []
    for raw in lines:
        head.append(raw)
        if raw.strip():
            break
    first = b"".join(head).lstrip(b"\xef\xbb\xbf").lstrip()
    if not first:
        yield SourceError(name, None, "no input")
        return
    if first.startswith(b"{"):
        yield from parse_jsonl(itertools.chain(head, lines), file=name)
        return
    try:
        content = b"".join(itertools.chain(head, lines)).decode("utf-8")
    except UnicodeDecodeError as exc:
        yield SourceError(name, None, f"not UTF-8: {exc}")
        return
    yield parse_text(content, name=name)


@dataclass(frozen=True, slots=True)
class FeedFetch:
    """What one poll of a feed returned: its items, and the ETag to send next time."""

    items: tuple[Item, ...]
    etag: str | None = None
    not_modified: bool = False


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def fetch_feed(
    location: str, *, etag: str | None = None, timeout: float = _FETCH_TIMEOUT_SECONDS
) -> FeedFetch:
    """Read a feed from an ``http(s)://`` URL or a local file; never raises on a bad feed or network.

    With ``etag``, the request is conditional and a ``304 Not Modified`` returns no items.
    (Last-Modified is deliberately not used: its one-second resolution can hide an update made
    within the same second as the previous poll.)
    """
    if not is_url(location):
        return FeedFetch(items=tuple(read_feed_file(Path(location))))
    request = urllib.request.Request(
        location, headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    )
    if etag:
        request.add_header("If-None-Match", etag)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
            headers = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return FeedFetch(items=(), etag=etag, not_modified=True)
        return FeedFetch(items=(SourceError(location, None, f"HTTP {exc.code} {exc.reason}"),), etag=etag)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return FeedFetch(items=(SourceError(location, None, f"cannot fetch: {reason}"),), etag=etag)
    return FeedFetch(items=tuple(parse_feed(data, file=location, headers=headers)), etag=headers.get("etag"))
