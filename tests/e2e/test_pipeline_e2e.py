"""One report the whole way: CLI producer → Kafka → ``sitrep worker`` process → store and topics.

Real broker (session fixture), real PostgreSQL (throwaway cluster) and SQLite; the worker runs as
a separate process started exactly as a user starts it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import create_engine, select

import schemas
from sinks.models import Event, EventMention, Report
from sinks.store import make_engine
from tests.fixtures.pipeline import WorkerProcess, sitrep

pytestmark = pytest.mark.integration

STRIKE = {
    "id": "e2e-kherson-1",
    "title": "Drone strike in Kherson",
    "text": (
        "A Russian drone struck a minibus in Kherson on Tuesday morning, killing two people and "
        "wounding five others, the regional governor said."
    ),
    "source": "Test Wire",
    "published_at": "2025-07-08T09:30:00+00:00",
}
SCRAMBLE = {
    "id": "e2e-poland-1",
    "text": (
        "Poland scrambled fighter jets overnight to protect its airspace as Russia launched a "
        "massive missile and drone attack on western Ukraine, the Polish operational command said."
    ),
    "published_at": "2025-07-08T03:10:00+00:00",
}


def _wait_for_reports(
    url: str, ids: set[str], timeout: float = 90.0, worker: WorkerProcess | None = None
) -> None:
    engine = make_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                stored = set(conn.scalars(select(Report.id).where(Report.id.in_(ids))))
            if stored == ids:
                return
            if worker is not None and not worker.alive:
                raise AssertionError(f"worker died:\n{worker.log_tail()}")
            time.sleep(0.3)
        raise AssertionError(
            f"stored {stored} of {ids} within {timeout}s\n{worker.log_tail() if worker else ''}"
        )
    finally:
        engine.dispose()


def _consume(bootstrap: str, topic: str, *, expect: int, timeout: float = 30.0) -> list[Any]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1000,
        isolation_level="read_committed",
    )
    messages: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(messages) < expect and time.monotonic() < deadline:
            messages.extend(consumer)
    finally:
        consumer.close()
    return messages


@pytest.mark.parametrize("store", ["postgresql", "sqlite"])
def test_a_report_travels_from_the_cli_to_the_store_and_the_events_topic(
    store: str,
    request: pytest.FixtureRequest,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
    tmp_path: Path,
) -> None:
    url = request.getfixturevalue("pg_url" if store == "postgresql" else "sqlite_url")
    env = pipeline_env(url)
    migrated = sitrep(["migrate"], env)
    assert migrated.returncode == 0, migrated.stderr.decode()

    worker = start_worker(env)
    reports = tmp_path / "reports.jsonl"
    reports.write_bytes(b"\n".join(orjson.dumps(r) for r in (STRIKE, SCRAMBLE)) + b"\n")
    sent = sitrep(["ingest", str(reports), "--no-progress"], env)
    assert sent.returncode == 0, sent.stdout.decode() + sent.stderr.decode()

    _wait_for_reports(url, {STRIKE["id"], SCRAMBLE["id"]}, worker=worker)

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        report = conn.execute(select(Report).where(Report.id == STRIKE["id"])).one()
        assert report.kafka_topic == env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1"
        assert report.duplicate_of is None
        mentions = conn.execute(select(EventMention).where(EventMention.report_id == STRIKE["id"])).all()
        assert len(mentions) == 1
        event = conn.execute(select(Event).where(Event.id == mentions[0].event_id)).one()
    engine.dispose()
    assert {"strike", "casualty"} <= set(event.types)
    assert event.killed == 2 and event.injured == 5
    assert event.country == "UA" and "Kherson" in (event.admin1 or "")
    assert event.sources_count == 1

    topic = env["SITREP_TOPIC_NAMESPACE"] + "events-classified-v1"
    messages = _consume(kafka_bootstrap, topic, expect=2)
    docs = [orjson.loads(m.value) for m in messages]
    for doc in docs:
        schemas.validate("events-classified-v1", doc)
    by_report = {d["caused_by_report"]: d for d in docs}
    assert by_report[STRIKE["id"]]["change"] == "created"
    assert by_report[STRIKE["id"]]["event_id"] == event.id
    assert {m.key.decode() for m in messages} == {d["event_id"] for d in docs}
    scramble = by_report[SCRAMBLE["id"]]["event"]
    assert "airspace_response" in scramble["types"] and scramble["country"] == "PL"

    strike_topic = env["SITREP_TOPIC_NAMESPACE"] + "events-strike-v1"
    assert event.id in {m.key.decode() for m in _consume(kafka_bootstrap, strike_topic, expect=1)}

    assert worker.stop(signal.SIGTERM) == 0


def test_malformed_messages_go_to_the_dead_letter_topic_and_the_worker_keeps_running(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
    sqlite_url: str,
) -> None:
    env = pipeline_env(sqlite_url)
    assert sitrep(["migrate"], env).returncode == 0
    worker = start_worker(env)
    raw_topic = env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1"
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    poison = [b"{this is not json", orjson.dumps({"id": "no-text"}), b"\xff\xfe\x00garbage"]
    for value in poison:
        producer.send(raw_topic, key=b"bad", value=value).get(timeout=10)
    producer.send(raw_topic, key=STRIKE["id"].encode(), value=orjson.dumps(STRIKE)).get(timeout=10)
    producer.close()

    _wait_for_reports(sqlite_url, {STRIKE["id"]}, worker=worker)
    dead = _consume(kafka_bootstrap, env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1-dlq", expect=3)
    assert [m.value for m in dead] == poison  # original bytes, in order
    reasons = []
    for message in dead:
        headers = {k: v.decode() for k, v in message.headers}
        schemas.validate("reports-raw-v1-dlq", headers)
        assert headers["sitrep-origin-topic"] == raw_topic
        reasons.append(headers["sitrep-dlq-reason"])
    assert reasons == ["invalid_json", "schema_violation", "invalid_utf8"]
    assert worker.alive and worker.get("/health")[0] == 200
    metrics = worker.get("/metrics")[1].decode()
    assert 'sitrep_dead_letters_total{reason="invalid_json"} 1.0' in metrics
    assert worker.stop(signal.SIGTERM) == 0
