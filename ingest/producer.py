"""Send reports to ``reports-raw-v1`` with kafka-python, and count what the broker confirmed.

The producer is idempotent with ``acks="all"`` (the broker confirms only once every in-sync
replica has the record, and retries never duplicate within a session), keyed by report id (all
copies of one report land on one partition, in order) and gzip-compressed. ``received_at`` is
stamped when a report is handed to the producer. A report whose encoded value exceeds
``Settings.max_message_bytes`` is reported as a failed delivery and never sent: the worker would
dead-letter it anyway.

Delivery results arrive on kafka-python's I/O thread; :class:`ReportSender` queues them so the
caller reads them on its own thread (``drain`` / ``flush``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import queue
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from kafka.errors import KafkaError, KafkaTimeoutError

import schemas
from sitrep.model import Report
from sitrep.settings import Settings

# Room for the key, headers and record/batch framing on top of the value, so that a value at the
# limit is not rejected by the client's own max_request_size check.
_RECORD_OVERHEAD_BYTES = 16 * 1024


class FutureLike(Protocol):
    def add_callback(self, f: Callable[..., Any], *args: Any) -> Any: ...

    def add_errback(self, f: Callable[..., Any], *args: Any) -> Any: ...


class ProducerLike(Protocol):
    """The part of ``kafka.KafkaProducer`` the sender uses (a fake implements it in tests)."""

    def send(self, topic: str, value: bytes | None = ..., key: bytes | None = ...) -> FutureLike: ...

    def flush(self, timeout: float | None = ...) -> None: ...

    def close(self, timeout: float | None = ...) -> None: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of sending one report. ``tag`` is the caller's label (the report's source)."""

    report_id: str
    tag: str
    ok: bool
    error: str | None = None
    partition: int | None = None
    offset: int | None = None


def kafka_config(settings: Settings) -> dict[str, Any]:
    """``KafkaProducer`` keyword arguments for ``settings`` (pure; secrets are unwrapped here only)."""
    config: dict[str, Any] = {
        "bootstrap_servers": [s.strip() for s in settings.kafka_bootstrap_servers.split(",") if s.strip()],
        "client_id": f"{settings.app_id}-ingest",
        "acks": "all",
        "enable_idempotence": True,
        # gzip needs nothing beyond the standard library on either side; lz4/zstd would need the
        # same optional codec installed in every consumer (aiokafka in the worker) as well.
        "compression_type": "gzip",
        "linger_ms": 20,
        # How long send() may block on metadata or a full buffer before the report counts as failed.
        "max_block_ms": 15_000,
        "max_request_size": settings.max_message_bytes + _RECORD_OVERHEAD_BYTES,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_sasl_mechanism is not None:
        config["sasl_mechanism"] = settings.kafka_sasl_mechanism
        config["sasl_plain_username"] = settings.kafka_sasl_username
        if settings.kafka_sasl_password is not None:
            config["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    for name in ("cafile", "certfile", "keyfile"):
        path = getattr(settings, f"kafka_ssl_{name}")
        if path is not None:
            config[f"ssl_{name}"] = str(path)
    return config


def connection_hint(settings: Settings) -> str:
    """What to check when the broker cannot be reached with ``settings`` (no secret in it).

    A broker refusing SASL credentials just closes the connection, and kafka-python reports that as the
    same "Unable to bootstrap" timeout as a broker that is down, so the hint names what was tried.
    """
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return "is the broker running, and does it expect PLAINTEXT on that port?"
    checks = []
    if protocol.startswith("SASL"):
        checks.append(
            f"{settings.kafka_sasl_mechanism or 'no'} mechanism credentials for user "
            f"{settings.kafka_sasl_username!r} (a wrong password looks like this: the broker closes the "
            "connection during authentication)"
        )
    if protocol.endswith("SSL"):
        checks.append(
            f"that the broker's certificate is trusted by {settings.kafka_ssl_cafile or 'the system CAs'}"
        )
    return f"connecting with {protocol}; check " + " and ".join(checks)


def topic_exists(producer: Any, topic: str) -> bool:
    """Whether the broker knows ``topic`` (waits up to the producer's ``max_block_ms`` for metadata).

    Checked once before sending: without it, every send to a missing topic (brokers with
    ``auto.create.topics.enable=false``, as in sitrep's compose file) blocks for ``max_block_ms``.
    """
    try:
        return bool(producer.partitions_for(topic))
    except KafkaTimeoutError:
        return False


def open_producer(settings: Settings) -> Any:
    """A connected ``KafkaProducer``; raises ``kafka.errors.KafkaError`` (e.g. ``NoBrokersAvailable``)."""
    from kafka import KafkaProducer

    return KafkaProducer(**kafka_config(settings))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ReportSender:
    """Hands reports to a producer and collects one :class:`Delivery` per report.

    Every call to :meth:`send` eventually yields exactly one ``Delivery`` from :meth:`drain` or
    :meth:`flush`, or is still counted in :attr:`outstanding` (not yet confirmed either way).
    """

    def __init__(
        self,
        producer: ProducerLike,
        *,
        topic: str,
        max_bytes: int,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._max_bytes = max_bytes
        self._clock = clock
        self._results: queue.SimpleQueue[Delivery] = queue.SimpleQueue()
        self._sent = 0
        self._settled = 0

    @property
    def topic(self) -> str:
        return self._topic

    @property
    def outstanding(self) -> int:
        """Reports handed over whose outcome has not been drained yet."""
        return self._sent - self._settled

    def send(self, report: Report, *, tag: str = "") -> None:
        """Queue ``report`` (stamped with ``received_at`` = now); oversize reports fail immediately."""
        self._sent += 1
        value = schemas.encode_report(dataclasses.replace(report, received_at=self._clock()))
        if len(value) > self._max_bytes:
            reason = f"too large: {len(value)} bytes exceeds the limit of {self._max_bytes}"
            self._results.put(Delivery(report.id, tag, ok=False, error=reason))
            return
        try:
            future = self._producer.send(self._topic, value=value, key=report.id.encode("utf-8"))
        except KafkaError as exc:  # e.g. metadata not available within max_block_ms
            self._results.put(Delivery(report.id, tag, ok=False, error=f"{type(exc).__name__}: {exc}"))
            return
        future.add_callback(self._delivered, report.id, tag)
        future.add_errback(self._failed, report.id, tag)

    def _delivered(self, report_id: str, tag: str, metadata: Any) -> None:
        self._results.put(
            Delivery(
                report_id,
                tag,
                ok=True,
                partition=getattr(metadata, "partition", None),
                offset=getattr(metadata, "offset", None),
            )
        )

    def _failed(self, report_id: str, tag: str, exc: BaseException) -> None:
        self._results.put(Delivery(report_id, tag, ok=False, error=f"{type(exc).__name__}: {exc}"))

    def drain(self) -> list[Delivery]:
        """Every outcome that arrived since the last call (never blocks)."""
        out: list[Delivery] = []
        while True:
            try:
                out.append(self._results.get_nowait())
            except queue.Empty:
                break
        self._settled += len(out)
        return out

    def flush(self, timeout: float | None = None) -> list[Delivery]:
        """Wait (up to ``timeout`` seconds; ``None`` = until the producer's delivery timeout) for
        every queued report, then :meth:`drain`."""
        # On a timeout, unconfirmed reports stay in ``outstanding``; the caller counts them as failed.
        with contextlib.suppress(KafkaError):
            self._producer.flush(timeout=timeout)
        return self.drain()
