"""The local broker against both clients sitrep uses: kafka-python (ingest, sink) and aiokafka (Faust).

Everything runs against a real Kafka started by ``tests/fixtures/kafka.py`` (or SITREP_TEST_KAFKA_BOOTSTRAP).
The life-cycle tests start brokers of their own in temporary homes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from sitrep.broker import BrokerInfo, broker_status, ensure_kafka, start_broker, stop_broker
from sitrep.errors import BrokerError, ConfigurationError
from sitrep.settings import Settings
from tests.fixtures.kafka import EXTERNAL_BOOTSTRAP_ENV, MakeTopic, create_topic

pytestmark = pytest.mark.integration

needs_own_broker = pytest.mark.skipif(
    bool(os.environ.get(EXTERNAL_BOOTSTRAP_ENV)), reason="starts local brokers; an external one is configured"
)


def _consume(bootstrap: str, topic: str, count: int, **config: Any) -> list[Any]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=15_000,
        **config,
    )
    records = []
    try:
        for record in consumer:
            records.append(record)
            if len(records) == count:
                break
        if config.get("group_id"):
            consumer.commit()
    finally:
        consumer.close()
    return records


@pytest.fixture
def producer(kafka_bootstrap: str) -> Iterator[KafkaProducer]:
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, compression_type="gzip"
    )
    try:
        yield producer
    finally:
        producer.close()


# --- kafka-python ----------------------------------------------------------------------------------


def test_idempotent_kafka_python_producer_round_trips_keys_values_and_headers(
    kafka_bootstrap: str, make_topic: MakeTopic, producer: KafkaProducer
) -> None:
    topic = make_topic(partitions=1)
    sent = [(f"r-{i}".encode(), f"report {i}".encode()) for i in range(25)]
    for key, value in sent:
        producer.send(topic, key=key, value=value, headers=[("origin", b"test")]).get(timeout=10)

    records = _consume(kafka_bootstrap, topic, len(sent))

    assert [(r.key, r.value) for r in records] == sent
    assert [r.offset for r in records] == list(range(len(sent)))
    assert all(r.headers == [("origin", b"test")] for r in records)


def test_topic_with_four_partitions_spreads_keys_and_reports_end_offsets(
    kafka_bootstrap: str, make_topic: MakeTopic, producer: KafkaProducer
) -> None:
    topic = make_topic(partitions=4)
    per_partition = {0: 3, 1: 0, 2: 5, 3: 1}
    for partition, n in per_partition.items():
        for i in range(n):
            producer.send(topic, value=b"x%d" % i, partition=partition)
    keyed = [producer.send(topic, key=b"k%d" % i, value=b"keyed") for i in range(40)]
    producer.flush(timeout=10)
    keyed_partitions = {future.get(timeout=10).partition for future in keyed}

    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)
    try:
        assert consumer.partitions_for_topic(topic) == {0, 1, 2, 3}
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in range(4)])
    finally:
        consumer.close()

    keyed_counts = {p: 0 for p in range(4)}
    for future in keyed:
        keyed_counts[future.get().partition] += 1
    assert {tp.partition: offset for tp, offset in ends.items()} == {
        p: per_partition[p] + keyed_counts[p] for p in range(4)
    }
    assert len(keyed_partitions) > 1, "40 distinct keys all hashed to one partition"


def test_consumer_group_resumes_after_its_committed_offset(
    kafka_bootstrap: str, make_topic: MakeTopic, producer: KafkaProducer
) -> None:
    topic = make_topic(partitions=2)
    for i in range(10):
        producer.send(topic, key=b"k%d" % (i % 3), value=b"%d" % i)
    producer.flush(timeout=10)
    group = f"{topic}-group"

    first = _consume(kafka_bootstrap, topic, 10, group_id=group)
    for i in range(10, 14):
        producer.send(topic, key=b"k%d" % (i % 3), value=b"%d" % i)
    producer.flush(timeout=10)
    second = _consume(kafka_bootstrap, topic, 4, group_id=group)

    assert sorted(int(r.value) for r in first) == list(range(10))
    assert sorted(int(r.value) for r in second) == list(range(10, 14))


def test_offsets_for_times_finds_the_first_record_at_or_after_a_timestamp(
    kafka_bootstrap: str, make_topic: MakeTopic, producer: KafkaProducer
) -> None:
    topic = make_topic(partitions=1)
    base = int(time.time() * 1000) - 60_000
    for i in range(6):
        producer.send(topic, value=b"%d" % i, timestamp_ms=base + i * 1000)
    producer.flush(timeout=10)
    tp = TopicPartition(topic, 0)

    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)
    try:
        found = consumer.offsets_for_times({tp: base + 2500})[tp]
        exact = consumer.offsets_for_times({tp: base + 4000})[tp]
        after_all = consumer.offsets_for_times({tp: base + 10_000})[tp]
        beginning = consumer.beginning_offsets([tp])[tp]
    finally:
        consumer.close()

    assert (found.offset, found.timestamp) == (3, base + 3000)
    assert (exact.offset, exact.timestamp) == (4, base + 4000)
    assert after_all is None
    assert beginning == 0


# --- aiokafka (the client under faust-streaming) ---------------------------------------------------


def test_aiokafka_idempotent_producer_and_group_consumer_round_trip(
    kafka_bootstrap: str, make_topic: MakeTopic
) -> None:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.structs import TopicPartition as AioTopicPartition

    topic = make_topic(partitions=3)
    group = f"{topic}-group"

    async def scenario() -> tuple[list[tuple[bytes, bytes]], dict[int, int | None], dict[int, int]]:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for i in range(12):
                await producer.send_and_wait(topic, key=b"k%d" % i, value=b"v%d" % i)
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        received: list[tuple[bytes, bytes]] = []
        try:
            deadline = time.monotonic() + 20
            while len(received) < 12 and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=500)
                received += [(m.key, m.value) for msgs in batch.values() for m in msgs]
            await consumer.commit()
            parts = [AioTopicPartition(topic, p) for p in range(3)]
            committed = {tp.partition: await consumer.committed(tp) for tp in parts}
            ends = {tp.partition: offset for tp, offset in (await consumer.end_offsets(parts)).items()}
        finally:
            await consumer.stop()
        return received, committed, ends

    received, committed, ends = asyncio.run(asyncio.wait_for(scenario(), timeout=60))

    assert sorted(received) == sorted((b"k%d" % i, b"v%d" % i) for i in range(12))
    assert committed == ends
    assert sum(ends.values()) == 12


# --- life cycle -------------------------------------------------------------------------------------


@needs_own_broker
def test_starting_a_running_broker_returns_its_info(kafka_broker: BrokerInfo) -> None:
    again = start_broker(kafka_broker.home, port=None, version=kafka_broker.version)

    assert again == kafka_broker
    assert broker_status(kafka_broker.home) == kafka_broker


@needs_own_broker
def test_a_taken_port_is_a_configuration_error_naming_the_port(
    kafka_broker: BrokerInfo, tmp_path: Path
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        with pytest.raises(ConfigurationError, match=f"127.0.0.1:{taken} is already in use"):
            start_broker(tmp_path / "home", port=taken, version=kafka_broker.version)
    assert broker_status(tmp_path / "home") is None


def test_missing_java_is_a_configuration_error_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    with pytest.raises(ConfigurationError, match="openjdk-17-jre-headless"):
        start_broker(tmp_path / "home", port=None, version=Settings().kafka_version, cache_dir=tmp_path)


def test_missing_maven_is_a_configuration_error_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    java = shutil.which("java")
    assert java is not None, "the integration tests need Java"
    only_java = tmp_path / "bin"
    only_java.mkdir()
    (only_java / "java").symlink_to(java)
    monkeypatch.setenv("PATH", str(only_java))

    with pytest.raises(ConfigurationError, match="apt-get install maven"):
        ensure_kafka(Settings().kafka_version, cache_dir=tmp_path / "empty-cache")


@needs_own_broker
def test_a_broker_that_cannot_start_reports_the_cause_from_its_log(
    kafka_broker: BrokerInfo, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    with pytest.raises(BrokerError, match=r"com\.example\.NoSuchReporter"):
        start_broker(
            home,
            port=None,
            version=kafka_broker.version,
            extra_properties={"metric.reporters": "com.example.NoSuchReporter"},
            ready_timeout=60,
        )
    assert broker_status(home) is None


@needs_own_broker
def test_stopped_broker_reports_down_and_keeps_its_topics_for_the_next_start(
    kafka_broker: BrokerInfo, tmp_path: Path
) -> None:
    from kafka import KafkaAdminClient

    home = tmp_path / "home"
    started = time.monotonic()
    info = start_broker(home, port=None, version=kafka_broker.version)
    start_seconds = time.monotonic() - started
    try:
        admin = KafkaAdminClient(bootstrap_servers=info.bootstrap)
        try:
            create_topic(admin, "kept", 2)
        finally:
            admin.close()
        producer = KafkaProducer(bootstrap_servers=info.bootstrap, acks="all")
        producer.send("kept", key=b"k", value=b"survives a restart").get(timeout=10)
        producer.close()

        assert stop_broker(home) is True
        assert broker_status(home) is None
        assert stop_broker(home) is False

        again = start_broker(home, port=None, version=kafka_broker.version)
        assert again.pid != info.pid
        assert again.controller_port == info.controller_port
        records = _consume(again.bootstrap, "kept", 1)
    finally:
        stop_broker(home)

    assert [r.value for r in records] == [b"survives a restart"]
    assert start_seconds < 10, f"a fresh broker took {start_seconds:.1f} s to become ready"


def test_a_home_written_by_a_newer_kafka_is_refused_before_starting_an_older_one(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "data" / "meta.properties").write_text("node.id=1\n")
    newer = BrokerInfo(
        bootstrap="127.0.0.1:1", port=1, controller_port=2, pid=1, home=home.resolve(), version="4.4.0"
    )
    (home / "broker.json").write_text(newer.to_json())

    with pytest.raises(ConfigurationError, match=r"written by Kafka 4\.4\.0; Kafka 4\.1\.1 cannot read it"):
        start_broker(home, port=None, version="4.1.1", cache_dir=tmp_path / "no-fetch")
    assert not (tmp_path / "no-fetch").exists()


def test_kafka_python_admin_lists_groups_reads_their_offsets_and_deletes_topics(
    kafka_bootstrap: str, kafka_admin: Any, make_topic: MakeTopic, producer: KafkaProducer
) -> None:
    topic = make_topic(partitions=2)
    group = f"{topic}-group"
    for i in range(5):
        producer.send(topic, value=b"%d" % i, partition=i % 2)
    producer.flush(timeout=10)
    _consume(kafka_bootstrap, topic, 5, group_id=group)

    groups = {g["group_id"]: g for g in kafka_admin.list_groups()}
    offsets = kafka_admin.list_group_offsets(group)[group]
    described = kafka_admin.describe_groups([group])[group]
    kafka_admin.delete_topics([topic], timeout_ms=10_000)
    deadline = time.monotonic() + 10
    while topic in kafka_admin.list_topics() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert groups[group]["group_state"] == "Empty"
    assert {tp.partition: meta.offset for tp, meta in offsets.items()} == {0: 3, 1: 2}
    assert described["members"] == []
    assert topic not in kafka_admin.list_topics()
