"""``sitrep dlq list|show|redrive`` against a real broker and a real ``sitrep worker`` process."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy import select

from sinks.models import Report
from sinks.store import make_engine
from tests.fixtures.pipeline import WorkerProcess, sitrep

pytestmark = pytest.mark.integration

POISON = [b"{this is not json", orjson.dumps({"id": "no-text"}), b"\xff\xfe\x00garbage"]


def _list(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    done = sitrep(["dlq", "list", "--json", *args], env)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    return [orjson.loads(line) for line in done.stdout.splitlines() if line.strip()]


def _wait_for_letters(env: dict[str, str], count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        letters = _list(env)
        if len(letters) >= count or time.monotonic() > deadline:
            return letters
        time.sleep(0.5)


def _stored(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(select(Report.id)))
    finally:
        engine.dispose()


def _end_offset(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(tps).values())
    finally:
        consumer.close()


def test_malformed_messages_are_listed_with_their_reason_and_origin_and_shown_one_by_one(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
    sqlite_url: str,
) -> None:
    env = pipeline_env(sqlite_url)
    assert sitrep(["migrate"], env).returncode == 0
    worker = start_worker(env)
    raw = env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1"
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    sent = [producer.send(raw, key=b"bad-%d" % i, value=v).get(timeout=10) for i, v in enumerate(POISON)]
    producer.close()

    letters = _wait_for_letters(env, 3)
    assert [d["reason"] for d in letters] == ["invalid_json", "schema_violation", "invalid_utf8"]
    assert [(d["origin_topic"], d["origin_partition"], d["origin_offset"]) for d in letters] == [
        (raw, m.partition, m.offset) for m in sent
    ]
    assert [d["key"] for d in letters] == ["bad-0", "bad-1", "bad-2"]
    assert [d["size"] for d in letters] == [len(v) for v in POISON]
    assert all(d["dlq_topic"] == env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1-dlq" for d in letters)

    assert [d["offset"] for d in _list(env, "--reason", "schema_violation")] == [letters[1]["offset"]]
    assert len(_list(env, "--limit", "2")) == 2
    assert _list(env, "--topic", "curated") == []
    assert _list(env, "--since", (datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []

    table = sitrep(["dlq", "list"], {**env, "COLUMNS": "200"})
    assert table.returncode == 0 and b"invalid_utf8" in table.stdout and b"3 dead letter(s)" in table.stdout

    second = letters[1]
    shown = sitrep(["dlq", "show", f"{second['partition']}:{second['offset']}"], {**env, "COLUMNS": "200"})
    out = shown.stdout.decode()
    assert shown.returncode == 0, shown.stderr.decode()
    assert "sitrep-dlq-reason" in out and "schema_violation" in out and "sitrep-origin-offset" in out
    assert '"id": "no-text"' in out  # the JSON value, pretty-printed

    missing = sitrep(["dlq", "show", "0:999"], env)
    assert missing.returncode == 1 and b"no message" in missing.stderr
    assert sitrep(["dlq", "show", "nonsense"], env).returncode == 2
    assert worker.alive


def test_a_too_large_report_redriven_after_the_limit_is_raised_lands_in_the_store(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
    sqlite_url: str,
) -> None:
    env = pipeline_env(sqlite_url, SITREP_MAX_MESSAGE_BYTES="2000")
    assert sitrep(["migrate"], env).returncode == 0
    worker = start_worker(env)
    raw = env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1"
    big = {
        "id": "big-report-1",
        "title": "Long dispatch",
        "text": "A Russian drone struck a warehouse in Kharkiv overnight, the governor said. " * 40,
        "published_at": "2025-07-08T09:30:00+00:00",
    }
    value = orjson.dumps(big)
    assert 3000 <= len(value) <= 4000
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    producer.send(raw, key=b"big-report-1", value=value).get(timeout=10)
    producer.close()

    letters = _wait_for_letters(env, 1)
    assert [d["reason"] for d in letters] == ["too_large"]
    assert "big-report-1" not in _stored(sqlite_url)
    assert worker.stop() == 0

    restarted_env = {k: v for k, v in env.items() if k != "SITREP_MAX_MESSAGE_BYTES"}
    worker = start_worker(restarted_env)
    before = _end_offset(kafka_bootstrap, raw)

    dry = sitrep(["dlq", "redrive", "--reason", "too_large", "--dry-run"], restarted_env)
    assert dry.returncode == 0 and b"1 dead letter(s) selected" in dry.stdout
    none = sitrep(["dlq", "redrive", "--reason", "schema_violation", "--yes"], restarted_env)
    assert none.returncode == 0 and b"nothing to redrive" in none.stdout
    refused = sitrep(["dlq", "redrive", "--reason", "too_large"], restarted_env, input=b"n\n")
    assert refused.returncode == 1
    assert _end_offset(kafka_bootstrap, raw) == before  # neither the dry run nor a "no" sent anything

    done = sitrep(["dlq", "redrive", "--reason", "too_large", "--yes"], restarted_env)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert b"1 sent, 0 failed" in done.stdout

    deadline = time.monotonic() + 60
    while "big-report-1" not in _stored(sqlite_url):
        assert time.monotonic() < deadline, worker.log_tail()
        assert worker.alive, worker.log_tail()
        time.sleep(0.3)

    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)
    tp = TopicPartition(raw, 0)
    consumer.assign([tp])
    consumer.seek(tp, before)
    redriven = [r for records in consumer.poll(timeout_ms=5000).values() for r in records]
    consumer.close()
    assert [(r.key, r.value) for r in redriven] == [(b"big-report-1", value)]  # original key and bytes
    headers = dict(redriven[0].headers)
    assert headers["sitrep-redriven-from"] == f"{letters[0]['dlq_topic']}/0/{letters[0]['offset']}".encode()
    assert "sitrep-dlq-reason" not in headers
    assert _list(restarted_env) == letters  # the dead letter itself stays; redrive only copies it
    assert worker.stop() == 0


def test_the_dlq_commands_say_so_when_the_broker_is_unreachable(
    pipeline_env: Callable[..., dict[str, str]], sqlite_url: str
) -> None:
    from tests.fixtures.pipeline import free_port

    env = pipeline_env(sqlite_url, SITREP_KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}")
    done = sitrep(["dlq", "list"], env)
    assert done.returncode == 2 and b"broker unreachable" in done.stderr
