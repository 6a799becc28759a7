"""Hostile raw messages through a real broker and a real ``sitrep worker`` into a real PostgreSQL store.

Hypothesis draws (derandomized, so every run sends the same corpora) lists of labelled messages from
``tests/fixtures/hostile.py``: invalid UTF-8 and JSON, nesting beyond the parser's limit, wrong types,
missing and empty fields, messages beyond ``SITREP_MAX_MESSAGE_BYTES`` (20 KB here; the broker takes 1 MB,
so the worker is what refuses them), null values and keys, interleaved with valid reports that carry SQL
and markup injection strings, control characters and huge fields. One worker serves every example.

A corpus is 50 messages: Hypothesis caps the entropy of one example at 8 KB of choices, and 150 rich messages
overran it (generation then took minutes and only the trivial all-empty corpus survived). Five examples of
50, sent one after another to the same worker, give 200 varied messages plus Hypothesis's minimal example.

Per example: every poison message is in the dead-letter topic, in order, with its original bytes and the
reason it was built for; every valid report is in the store with its text, title, source and url exactly
as sent (so nothing was interpolated into SQL or escaped); nothing else arrived in either place; nothing
was store-rejected; the worker is alive and healthy throughout.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

import schemas
from sinks.models import Report
from sinks.store import make_engine
from tests.fixtures.hostile import LIMIT_BYTES, Hostile, hostile_messages, unique_ids
from tests.fixtures.pipeline import WorkerProcess, sitrep

pytestmark = pytest.mark.integration

CORPUS_SIZE = 50
ARRIVAL_TIMEOUT_S = 120.0


@dataclass
class Rig:
    """One worker and its store, shared by every Hypothesis example of a test."""

    env: dict[str, str]
    worker: WorkerProcess
    engine: Engine
    bootstrap: str
    producer: Any
    examples: Iterator[int] = field(default_factory=itertools.count)

    def topic(self, name: str) -> str:
        return self.env["SITREP_TOPIC_NAMESPACE"] + name

    def end_offset(self, topic: str) -> int:
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap)
        try:
            tp = TopicPartition(topic, 0)
            return int(consumer.end_offsets([tp])[tp])
        finally:
            consumer.close()

    def read(self, topic: str, start: int, expect: int, timeout: float) -> list[Any]:
        """Records of ``topic`` from ``start``: ``expect`` or more, or all that came within ``timeout``."""
        consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap,
            consumer_timeout_ms=500,
            max_partition_fetch_bytes=4 * LIMIT_BYTES,
            fetch_max_bytes=64 * LIMIT_BYTES,
        )
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek(tp, start)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        try:
            while len(records) < expect and time.monotonic() < deadline:
                records.extend(consumer)
                self.assert_healthy()
        finally:
            consumer.close()
        return records

    def stored(self, ids: list[str]) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return {row.id: row for row in conn.execute(select(Report).where(Report.id.in_(ids)))}

    def stored_count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Report)) or 0)

    def assert_healthy(self) -> None:
        assert self.worker.alive, f"the worker exited:\n{self.worker.log_tail()}"


@pytest.fixture
def rig(
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
) -> Iterator[Rig]:
    env = pipeline_env(pg_url, SITREP_MAX_MESSAGE_BYTES=str(LIMIT_BYTES))
    migrated = sitrep(["migrate"], env)
    assert migrated.returncode == 0, migrated.stderr.decode()
    worker = start_worker(env)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", max_request_size=1_000_000)
    engine = make_engine(pg_url)
    try:
        yield Rig(env, worker, engine, kafka_bootstrap, producer)
    finally:
        producer.close()
        engine.dispose()


def _send(rig: Rig, messages: list[Hostile]) -> None:
    topic = rig.topic("reports-raw-v1")
    futures = [rig.producer.send(topic, key=m.key, value=m.value) for m in messages]
    rig.producer.flush()
    for future in futures:
        future.get(timeout=30)


def _wait_for_store(rig: Rig, ids: list[str]) -> dict[str, Any]:
    deadline = time.monotonic() + ARRIVAL_TIMEOUT_S
    stored = rig.stored(ids)
    while len(stored) < len(ids) and time.monotonic() < deadline:
        rig.assert_healthy()
        time.sleep(0.5)
        stored = rig.stored(ids)
    missing = sorted(set(ids) - set(stored))
    assert not missing, (
        f"{len(missing)} valid reports never stored, e.g. {missing[:3]}\n{rig.worker.log_tail()}"
    )
    return stored


# One worker for all examples (the function-scoped fixture is meant to outlive them); the corpora are drawn
# deterministically, so a failure reproduces on the next run with the same messages. No shrinking: each
# attempt costs seconds of a live pipeline, and the failing corpus with its assertion says enough.
@settings(
    max_examples=5,
    phases=(Phase.explicit, Phase.generate),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(corpus=st.lists(hostile_messages, min_size=CORPUS_SIZE, max_size=CORPUS_SIZE))
def test_every_hostile_message_is_dead_lettered_or_stored_verbatim_and_the_worker_survives(
    rig: Rig, corpus: list[Hostile]
) -> None:
    messages = unique_ids(corpus, f"e{next(rig.examples)}-")
    bad = [m for m in messages if m.reason is not None]
    valid = [m for m in messages if m.reason is None]
    dlq, sink_dlq = rig.topic("reports-raw-v1-dlq"), rig.topic("reports-curated-v1-dlq")
    dlq_start, sink_dlq_start = rig.end_offset(dlq), rig.end_offset(sink_dlq)
    rows_before = rig.stored_count()

    _send(rig, messages)

    ids = [m.report["id"] for m in valid if m.report is not None]
    stored = _wait_for_store(rig, ids)
    dead = rig.read(dlq, dlq_start, len(bad), ARRIVAL_TIMEOUT_S)
    # Exactly: nothing beyond the poison arrives once the valid reports are in (a short grace period).
    dead += rig.read(dlq, dlq_start + len(dead), 1, 1.5)
    values = [r.value for r in dead]
    missing = [(m.kind, m.key, (m.value or b"")[:80]) for m in bad if m.value not in values]
    assert len(dead) == len(bad), f"{len(dead)} dead letters for {len(bad)} poison; missing {missing}"
    raw_topic = rig.topic("reports-raw-v1")
    for message, record in zip(bad, dead, strict=True):
        assert record.value == message.value, message.kind  # the original bytes, in order
        assert record.key == message.key
        headers = {k: v.decode() for k, v in record.headers}
        schemas.validate("reports-raw-v1-dlq", headers)
        assert headers["sitrep-dlq-reason"] == message.reason, (message.kind, headers["sitrep-dlq-detail"])
        assert headers["sitrep-origin-topic"] == raw_topic

    for message in valid:
        assert message.report is not None
        row = stored[message.report["id"]]
        for name in ("text", "title", "source", "url"):
            assert getattr(row, name) == message.report.get(name), (name, message.report["id"])

    assert rig.stored_count() == rows_before + len(valid)  # no row from anything else
    assert rig.read(sink_dlq, sink_dlq_start, 1, 0.5) == []  # the store refused nothing
    rig.assert_healthy()
    assert rig.worker.get("/health")[0] == 200
