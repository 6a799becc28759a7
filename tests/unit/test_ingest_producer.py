"""The sender stamps, encodes, keys and counts; kafka_config maps settings to kafka-python."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from kafka.errors import KafkaError, KafkaTimeoutError, NotEnoughReplicasError
from kafka.future import Future

import schemas
from ingest.producer import ReportSender, kafka_config
from sitrep.model import Report
from sitrep.settings import Settings

# --- a fake kafka-python producer (also used by test_ingest_command) ---------------------------------


class Metadata(NamedTuple):
    topic: str
    partition: int
    offset: int


class FakeProducer:
    """Accepts ``send`` like ``KafkaProducer``; futures resolve at send time unless ``hold``.

    ``fail_keys`` resolve with a broker error; ``raise_keys`` make ``send`` itself raise.
    """

    def __init__(
        self,
        *,
        fail_keys: set[bytes] | None = None,
        raise_keys: set[bytes] | None = None,
        hold: bool = False,
        flush_error: KafkaError | None = None,
    ) -> None:
        self.sent: list[tuple[str, bytes | None, bytes]] = []
        self.fail_keys = fail_keys or set()
        self.raise_keys = raise_keys or set()
        self.hold = hold
        self.flush_error = flush_error
        self.held: list[Future] = []
        self.closed = False

    def send(self, topic: str, value: bytes | None = None, key: bytes | None = None) -> Any:
        if key in self.raise_keys:
            raise KafkaTimeoutError("metadata not available")
        assert value is not None
        future = Future()
        if key in self.fail_keys:
            future.failure(NotEnoughReplicasError("not enough in-sync replicas"))
            return future
        self.sent.append((topic, key, value))
        if self.hold:
            self.held.append(future)
        else:
            future.success(Metadata(topic, 0, len(self.sent) - 1))
        return future

    def flush(self, timeout: float | None = None) -> None:
        if self.flush_error is not None:
            raise self.flush_error

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


NOW = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)


def _sender(producer: FakeProducer, max_bytes: int = 1_048_576) -> ReportSender:
    return ReportSender(producer, topic="reports-raw-v1", max_bytes=max_bytes, clock=lambda: NOW)


def test_producer_config_is_idempotent_acks_all_gzip_and_sized_above_the_message_limit() -> None:
    config = kafka_config(Settings(kafka_bootstrap_servers="k1:9092, k2:9092", max_message_bytes=2048))

    assert config["bootstrap_servers"] == ["k1:9092", "k2:9092"]
    assert config["acks"] == "all"
    assert config["enable_idempotence"] is True
    assert config["compression_type"] == "gzip"
    assert config["max_request_size"] > 2048
    assert config["security_protocol"] == "PLAINTEXT"
    assert "sasl_mechanism" not in config and "ssl_cafile" not in config


def test_security_settings_map_to_kafka_python_keywords() -> None:
    settings = Settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="ingest",
        kafka_sasl_password="s3cret",  # type: ignore[arg-type]
        kafka_ssl_cafile=Path("/etc/ca.pem"),
        kafka_ssl_certfile=Path("/etc/cert.pem"),
        kafka_ssl_keyfile=Path("/etc/key.pem"),
    )

    config = kafka_config(settings)

    assert config["security_protocol"] == "SASL_SSL"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert config["sasl_plain_username"] == "ingest"
    assert config["sasl_plain_password"] == "s3cret"
    assert (config["ssl_cafile"], config["ssl_certfile"], config["ssl_keyfile"]) == (
        "/etc/ca.pem",
        "/etc/cert.pem",
        "/etc/key.pem",
    )


def test_kafka_python_accepts_the_config_for_an_idempotent_producer() -> None:
    # Builds the real client without a broker: api_version pinned so no bootstrap round trip happens.
    from kafka import KafkaProducer

    producer = KafkaProducer(
        **kafka_config(Settings(kafka_bootstrap_servers="127.0.0.1:9")), api_version=(3, 9)
    )
    try:
        assert producer.config["enable_idempotence"] is True
        assert producer.config["acks"] == -1
        assert producer._transaction_manager is not None  # the idempotent path is active
    finally:
        producer.close(timeout=0)


def test_sent_value_is_the_encoded_report_stamped_with_received_at_and_keyed_by_id() -> None:
    producer = FakeProducer()
    sender = _sender(producer)
    report = Report(id="r-1", text="A drone hit a car near Kharkiv.", source="Wire")

    sender.send(report, tag="file.jsonl")
    deliveries = sender.flush()

    [(topic, key, value)] = producer.sent
    assert topic == "reports-raw-v1" and key == b"r-1"
    doc = orjson.loads(value)
    schemas.validate("reports-raw-v1", doc)
    assert doc["received_at"] == NOW.isoformat()
    assert schemas.decode_report(value, max_bytes=1_048_576).text == report.text
    assert [(d.report_id, d.tag, d.ok, d.offset) for d in deliveries] == [("r-1", "file.jsonl", True, 0)]
    assert sender.outstanding == 0


def test_oversize_reports_are_failures_and_never_reach_the_producer() -> None:
    producer = FakeProducer()
    sender = _sender(producer, max_bytes=1024)

    sender.send(Report(id="big", text="x" * 5000))
    sender.send(Report(id="small", text="Shelling in Kherson."))
    deliveries = {d.report_id: d for d in sender.flush()}

    assert [key for _, key, _ in producer.sent] == [b"small"]
    assert not deliveries["big"].ok and "too large" in (deliveries["big"].error or "")
    assert deliveries["small"].ok


def test_broker_side_failures_and_send_errors_are_counted_as_failed() -> None:
    producer = FakeProducer(fail_keys={b"r-bad"}, raise_keys={b"r-raise"})
    sender = _sender(producer)

    for rid in ("r-ok", "r-bad", "r-raise"):
        sender.send(Report(id=rid, text="Text."))
    outcome = {d.report_id: d for d in sender.flush()}

    assert outcome["r-ok"].ok
    assert not outcome["r-bad"].ok and "NotEnoughReplicas" in (outcome["r-bad"].error or "")
    assert not outcome["r-raise"].ok and "KafkaTimeoutError" in (outcome["r-raise"].error or "")


def test_unconfirmed_reports_stay_outstanding_after_a_flush_timeout() -> None:
    producer = FakeProducer(hold=True, flush_error=KafkaTimeoutError("flush timed out"))
    sender = _sender(producer)

    sender.send(Report(id="r-1", text="Text."))

    assert sender.flush(timeout=0.1) == []
    assert sender.outstanding == 1
