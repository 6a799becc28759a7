"""Message contracts: one JSON Schema per topic and version, plus encode/decode at the edge.

The schemas are data files beside this module (``<topic>.schema.json``) with example messages
under ``examples/<topic>/``. A breaking change is a new file (``…-v2``), never an edit of a v1
file. ``decode_report`` is the only way a raw message becomes a :class:`sitrep.model.Report`;
it raises :class:`sitrep.errors.InvalidReport` with a short reason code for the dead-letter
headers, so the pure core only ever sees valid values.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sitrep.errors import InvalidReport
from sitrep.model import Report

RAW_SCHEMA = "reports-raw-v1"
SCHEMA_VERSION = 1

#: Topics whose schema lives here, by topic name (per-type event topics share events-classified-v1).
TOPIC_SCHEMAS = {
    "reports-raw-v1": "reports-raw-v1",
    "reports-raw-v1-dlq": "reports-raw-v1-dlq",
    "reports-prepared-v1": "reports-prepared-v1",
    "reports-curated-v1": "reports-curated-v1",
    "reports-curated-v1-dlq": "reports-raw-v1-dlq",
    "events-classified-v1": "events-classified-v1",
    "events-strike-v1": "events-classified-v1",
    "events-casualty-v1": "events-classified-v1",
    "events-aircraft-loss-v1": "events-classified-v1",
    "events-airspace-response-v1": "events-classified-v1",
}


def schema_names() -> list[str]:
    """Every schema file shipped, without the ``.schema.json`` suffix."""
    return sorted(
        p.name.removesuffix(".schema.json")
        for p in resources.files(__name__).iterdir()
        if p.name.endswith(".schema.json")
    )


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def examples(name: str) -> list[tuple[str, Any]]:
    """``(file name, decoded message)`` for every example of schema ``name``."""
    folder = resources.files(__name__).joinpath("examples", name)
    if not folder.is_dir():
        return []
    return sorted(
        (p.name, json.loads(p.read_text(encoding="utf-8")))
        for p in folder.iterdir()
        if p.name.endswith(".json")
    )


#: Report years outside this range are poison: no news report is older or newer, and the core's window
#: arithmetic (days before and after a report's time) must never leave ``datetime``'s years 1..9999
#: (``0001-01-01T00:00+01:00`` crashed corroboration with "year 0 is out of range").
REPORT_YEARS = range(1900, 2200)


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    # Checked on the local wall time, before any conversion: astimezone(UTC) itself can overflow.
    if parsed.year not in REPORT_YEARS:
        raise ValueError(f"{value!r} is outside the years {REPORT_YEARS[0]}..{REPORT_YEARS[-1]}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def decode_report(raw: bytes | None, *, max_bytes: int) -> Report:
    """Decode and validate one ``reports-raw-v1`` message value.

    Raises ``InvalidReport`` with reason ``too_large``, ``empty``, ``invalid_utf8``,
    ``invalid_json`` or ``schema_violation``.
    """
    if raw is None or len(raw) == 0:
        raise InvalidReport("empty", "message has no value")
    if len(raw) > max_bytes:
        raise InvalidReport("too_large", f"{len(raw)} bytes exceeds the limit of {max_bytes}")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidReport("invalid_utf8", str(exc)) from None
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidReport("invalid_json", str(exc)) from None
    errors = sorted(validator(RAW_SCHEMA).iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        raise InvalidReport("schema_violation", _describe(errors[0]))
    if any(ord(c) < 32 for c in doc["id"]):
        # The schema's pattern says the same, but Python's "$" also matches before a final newline.
        raise InvalidReport("schema_violation", "id: contains a control character")
    for field in ("id", "text", "title", "source", "url"):
        value = doc.get(field)
        # JSON allows \u0000 but no SQL text column stores it: reject here, not in the store.
        if isinstance(value, str) and "\x00" in value:
            raise InvalidReport("schema_violation", f"{field}: contains a NUL character")
    try:
        published = _parse_time(doc.get("published_at"))
        received = _parse_time(doc.get("received_at"))
    except ValueError as exc:
        raise InvalidReport("schema_violation", f"bad timestamp: {exc}") from None
    return Report(
        id=doc["id"],
        text=doc["text"],
        title=doc.get("title"),
        source=doc.get("source"),
        url=doc.get("url"),
        published_at=published,
        received_at=received,
    )


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": report.id,
        "text": report.text,
        "title": report.title,
        "source": report.source,
        "url": report.url,
        "published_at": report.published_at.isoformat() if report.published_at else None,
        "received_at": report.received_at.isoformat() if report.received_at else None,
    }


def encode_report(report: Report) -> bytes:
    """The ``reports-raw-v1`` value for ``report`` (orjson)."""
    return orjson.dumps(report_to_dict(report))


def validate(name: str, doc: Any) -> None:
    """Raise ``ValidationError`` when ``doc`` does not satisfy schema ``name``."""
    validator(name).validate(doc)


def _describe(error: ValidationError) -> str:
    path = "/".join(str(p) for p in error.absolute_path) or "(root)"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    return f"{path}: {message}"
