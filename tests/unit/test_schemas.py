"""Contracts: every schema is valid, every example validates, and v1 schemas only evolve compatibly."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

import schemas
from schemas.compat import breaking_changes
from sitrep.errors import InvalidReport
from sitrep.settings import Settings

SNAPSHOTS = Path(__file__).resolve().parents[1] / "data" / "schema-snapshots"


@pytest.mark.parametrize("name", schemas.schema_names())
def test_schema_is_valid_draft_2020_12_and_has_examples(name: str) -> None:
    Draft202012Validator.check_schema(schemas.load_schema(name))
    assert schemas.examples(name), f"{name} has no example messages"


@pytest.mark.parametrize(
    ("name", "file", "doc"),
    [(n, f, d) for n in schemas.schema_names() for f, d in schemas.examples(n)],
)
def test_every_example_validates_against_its_schema(name: str, file: str, doc: object) -> None:
    schemas.validate(name, doc)


def test_every_topic_sitrep_reads_or_writes_has_a_schema() -> None:
    s = Settings()
    topics = [
        s.topic_raw,
        s.topic_dlq,
        s.topic_prepared,
        s.topic_curated,
        s.topic_curated_dlq,
        s.topic_classified,
    ] + [s.topic_for_type(t) for t in ("strike", "casualty", "aircraft_loss", "airspace_response")]
    for topic in topics:
        assert schemas.TOPIC_SCHEMAS[topic] in schemas.schema_names()


@pytest.mark.parametrize("name", [n for n in schemas.schema_names() if n.endswith("-v1") or "-v1-" in n])
def test_published_v1_schema_has_no_breaking_change_since_its_snapshot(name: str) -> None:
    snapshot = json.loads((SNAPSHOTS / f"{name}.schema.json").read_text())
    assert breaking_changes(snapshot, schemas.load_schema(name)) == []


def _events_schema() -> dict:
    return copy.deepcopy(schemas.load_schema("events-classified-v1"))


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s["properties"]["event"]["properties"].pop("killed"),
        lambda s: s["required"].append("new_field"),
        lambda s: s["properties"].__setitem__("change", {"enum": ["created", "updated"]}),
        lambda s: s["properties"]["event"]["properties"].__setitem__("lat", {"type": "number"}),
        lambda s: s["properties"]["event"].__setitem__("additionalProperties", False),
    ],
    ids=["property-removed", "field-required", "enum-narrowed", "type-narrowed", "closed-object"],
)
def test_breaking_edit_of_a_v1_schema_is_rejected(edit) -> None:  # type: ignore[no-untyped-def]
    edited = _events_schema()
    edit(edited)
    assert breaking_changes(_events_schema(), edited)


def test_additive_optional_field_is_not_breaking() -> None:
    edited = _events_schema()
    edited["properties"]["event"]["properties"]["target_kind"] = {"type": ["string", "null"]}
    assert breaking_changes(_events_schema(), edited) == []


def test_decode_report_accepts_the_examples() -> None:
    for _, doc in schemas.examples("reports-raw-v1"):
        report = schemas.decode_report(orjson.dumps(doc), max_bytes=100_000)
        assert report.id == doc["id"] and report.text == doc["text"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"x" * 2000, "too_large"),
        (b"\xff\xfe{}", "invalid_utf8"),
        (b"{not json", "invalid_json"),
        (b'{"id": 7, "text": "x"}', "schema_violation"),
        (b'{"id": "a"}', "schema_violation"),
        (b'{"id": "a", "text": ""}', "schema_violation"),
        (b'{"id": "a", "text": "x", "published_at": "yesterday"}', "schema_violation"),
        (b"[1, 2]", "schema_violation"),
        (b'{"id": "a", "text": "nul \\u0000 inside"}', "schema_violation"),
    ],
)
def test_decode_report_names_the_reason_for_poison(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidReport) as info:
        schemas.decode_report(raw, max_bytes=1024)
    assert info.value.reason == reason


def test_encode_then_decode_round_trips() -> None:
    report = schemas.decode_report(orjson.dumps(schemas.examples("reports-raw-v1")[0][1]), max_bytes=10_000)
    assert schemas.decode_report(schemas.encode_report(report), max_bytes=10_000) == report


def test_validate_raises_on_a_bad_event_message() -> None:
    _, doc = schemas.examples("events-classified-v1")[0]
    bad = {**doc, "change": "deleted"}
    with pytest.raises(ValidationError):
        schemas.validate("events-classified-v1", bad)
