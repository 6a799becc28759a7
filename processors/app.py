"""The Faust application: topics and three thin agents over the pure core.

Data flow (see DESIGN.md)::

    reports-raw-v1 (N partitions, key = report id)
        └─ prepare  [every worker]  decode → fingerprint + signature + classify   ─► reports-raw-v1-dlq
    reports-prepared-v1 (1 partition)
        └─ curate   [one owner]     exact/near dedupe + corroboration (state)     ─► events-*-v1
    reports-curated-v1 (N partitions, key = report id)
        └─ sink     [every worker]  batched idempotent upserts, ack after commit

Why the decision step has one partition: the near-duplicate and corroboration decisions need
to see every report, whichever raw partition it arrived on. The decision is cheap (tens of
thousands of reports/s on one core, far above any news volume), so a single owner gives exact,
race-free and replay-deterministic decisions, while the expensive classification and the
sink scale out with the raw topic's partitions. Keying by an LSH band or a place-and-day cell
would also scale the decision, but a report has many bands and an incident may straddle a cell
border, so candidates would still be missed or decided twice.

The owner's state is not stored anywhere: it is the fold of the prepared log up to the offset being
decided, rebuilt whenever the owner is not in step with the log (``sitrep.pipeline.DecisionLog``).
Changelog-backed tables could be left half-written by a crash; a fold of the log cannot.

Every agent uses ``noack_take`` and acknowledges a batch only once everything it produced is
delivered (and, for the sink, committed to the database): Faust acknowledges a message whose
agent raised, and ``take`` acknowledges a batch even when the loop body failed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import faust
import orjson
from faust.streams import Stream
from faust.types import EventT

from processors import metrics
from processors.preparer import Preparer, RawJob, Rejected
from sitrep.errors import InvalidReport, SinkUnavailable, StoreRejected
from sitrep.model import EVENT_TYPES
from sitrep.pipeline import DecisionLog, Origin, Pipeline
from sitrep.settings import Settings
from sitrep.topics import MESSAGE_HEADROOM

log = logging.getLogger("sitrep.worker")

EXIT_AGENT_FAILED = 70  # EX_SOFTWARE


@dataclass
class Topics:
    raw: faust.TopicT
    dlq: faust.TopicT
    prepared: faust.TopicT
    curated: faust.TopicT
    sink_dlq: faust.TopicT
    classified: faust.TopicT
    by_type: dict[str, faust.TopicT]


def faust_broker_url(settings: Settings) -> str:
    return ";".join(f"kafka://{hp.strip()}" for hp in settings.kafka_bootstrap_servers.split(","))


def create_app(settings: Settings) -> faust.App:
    """Build (not start) the Faust app for ``settings``. No I/O happens here."""
    app = faust.App(
        settings.app_id,
        broker=faust_broker_url(settings),
        broker_credentials=_credentials(settings),
        datadir=str(settings.data_dir / "faust"),
        web_enabled=True,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=1,
        topic_allow_declare=True,
        value_serializer="raw",
        key_serializer="raw",
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_max_request_size=settings.max_message_bytes + MESSAGE_HEADROOM,
        # One batch per partition per produce request, and aiokafka waits for a request's answer before
        # sending the next to the same broker; with the default 16 KiB batches the curate agent (a ~4 KiB
        # curated record and ~7 event messages per report) needed over a hundred round trips per input
        # batch and was the slowest stage (bench/README.md). Batches as large as a topic accepts (a batch
        # is one record batch on the broker, so it may not exceed the topics' max.message.bytes).
        producer_max_batch_size=settings.max_message_bytes + MESSAGE_HEADROOM,
        producer_linger=0.005,
        consumer_max_fetch_size=max(4 * 1024 * 1024, settings.max_message_bytes * 2),
        # Committing offsets every second stalled the whole worker: each commit overran its interval
        # (1-7 s, "Timer commit is overlapping") while the agents got their input late and the event loop
        # sat idle. At 20 reports/s offered, produce->row latency was p50 20.5 s / p99 28.7 s with a 1 s
        # interval and p50 3.3 s / p99 5.9 s with 10 s (bench/bench_e2e.py, bench/README.md). A crash
        # redelivers at most the last interval's input, which deterministic ids and upserts absorb.
        broker_commit_interval=10.0,
        # A worker that died without leaving its group (SIGKILL, OOM, lost host) holds its partitions
        # until its session times out: Faust's default of 60 s stalled every restart after a crash by
        # a minute (tests/reliability). It cannot be much shorter: no heartbeat is sent while a
        # revocation waits for the in-flight batch (up to sink_batch_size reports to classify), and
        # at 10 s a loaded 2-core machine was expelled from its group over and over (rebalance storm).
        broker_session_timeout=30.0,
        broker_heartbeat_interval=3.0,
        table_cleanup_interval=60.0,
        stream_buffer_maxsize=4096,
        # On shutdown (and rebalance) Faust by default waits until every message an agent started is
        # acknowledged. A sink batch retrying while the store is down is never acknowledged, so
        # SIGTERM then hung forever (tests/e2e/test_worker_ops.py). Not waiting abandons in-flight
        # batches unacknowledged: only acknowledged offsets are committed, the rest is redelivered
        # after the restart, and the deterministic ids and upserts make the redelivery harmless.
        stream_wait_empty=False,
    )
    return app


def _credentials(settings: Settings) -> Any:
    import ssl

    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    context = None
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        context = ssl.create_default_context(
            purpose=ssl.Purpose.SERVER_AUTH,
            cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None,
        )
        if settings.kafka_ssl_certfile:
            context.load_cert_chain(
                str(settings.kafka_ssl_certfile),
                str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None,
            )
    if settings.kafka_security_protocol.startswith("SASL"):
        password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else ""
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username or "",
            password=password,
            mechanism=settings.kafka_sasl_mechanism or "SCRAM-SHA-512",
            ssl_context=context,
        )
    return faust.SSLCredentials(context)


def declare_topics(app: faust.App, settings: Settings) -> Topics:
    def topic(name: str, partitions: int | None = None, internal: bool = True) -> faust.TopicT:
        return app.topic(
            name,
            value_serializer="raw",
            key_serializer="raw",
            partitions=partitions,
            internal=internal,
        )

    n = settings.topic_partitions
    return Topics(
        raw=topic(settings.topic_raw, n),
        dlq=topic(settings.topic_dlq, n),
        prepared=topic(settings.topic_prepared, 1),
        curated=topic(settings.topic_curated, n),
        sink_dlq=topic(settings.topic_curated_dlq, n),
        classified=topic(settings.topic_classified, n),
        by_type={t: topic(settings.topic_for_type(t), n) for t in EVENT_TYPES},
    )


def _concrete(stream: faust.StreamT[Any]) -> Stream[Any]:
    # Faust types an agent's stream as StreamT, whose protocol lacks noack_take; it is a Stream.
    return cast(Stream[Any], stream)


def batches(stream: faust.StreamT[Any], settings: Settings) -> AsyncIterator[Sequence[EventT[Any]]]:
    """Batches of events, acknowledged by the caller once their results are safe (see module doc)."""
    return _concrete(stream).noack_take(settings.sink_batch_size, within=settings.sink_batch_seconds)


def stop_on_failure(agent: Callable[[faust.StreamT[Any]], Awaitable[None]]) -> Any:
    """Exit the worker process (code 70) when an agent fails unexpectedly; never carry on without it.

    Faust would restart the agent, but the batch it had taken is gone from its stream, and Faust's commit
    takes the acknowledged offsets after it as contiguous: the batch would be skipped for good. Exiting
    at once commits nothing more; the process supervisor (compose's ``restart``, systemd) starts a new
    worker, which reads the unacknowledged batch again. Bad input never gets here: it is dead-lettered.
    """

    @functools.wraps(agent)
    async def guarded(stream: faust.StreamT[Any]) -> None:
        try:
            await agent(stream)
        except Exception:
            app = getattr(stream, "app", None)
            if app is not None and app.should_stop:
                # Shutting down (SIGTERM): a send or fetch cut short is expected; nothing unacknowledged
                # is committed, and the clean exit goes on.
                log.info("agent %s stopped mid-batch during shutdown", agent.__name__, exc_info=True)
                return
            log.critical(
                "agent %s failed; the worker exits so that its unacknowledged input is read again",
                agent.__name__,
                exc_info=True,
            )
            logging.shutdown()
            os._exit(EXIT_AGENT_FAILED)

    return guarded


def count_in(events: Sequence[EventT[Any]]) -> None:
    """Count a batch's input messages per topic (one metrics call per topic, not per message)."""
    for topic, n in Counter(e.message.topic for e in events).items():
        metrics.MESSAGES_IN.labels(topic).inc(n)


def dlq_headers(event: EventT[Any], error: InvalidReport) -> list[tuple[str, bytes]]:
    return [
        ("sitrep-dlq-reason", error.reason.encode()),
        ("sitrep-dlq-detail", error.detail[:1000].encode("utf-8", "replace")),
        *origin_headers(event),
    ]


def origin_headers(event: EventT[Any]) -> list[tuple[str, bytes]]:
    """Where a dead-lettered message was read from (``sitrep dlq`` shows and redrives by these)."""
    msg = event.message
    return [
        ("sitrep-origin-topic", msg.topic.encode()),
        ("sitrep-origin-partition", str(msg.partition).encode()),
        ("sitrep-origin-offset", str(msg.offset).encode()),
        ("sitrep-origin-timestamp", str(int(msg.timestamp * 1000)).encode()),
    ]


async def deliver(futures: Iterable[Awaitable[Any]]) -> None:
    """Wait until every send of a batch is acknowledged by the broker."""
    await asyncio.gather(*futures)


class Outbox:
    """One batch's messages, sent straight through the app's producer, then confirmed together.

    ``Topic.send`` costs 130-250 µs a message in Faust's channel machinery (future messages, callbacks,
    sensors), measured in the curate agent, which sends ~8 messages per report; the producer's own
    ``send`` does the same delivery (same partitioner, acks, ordering) for a fraction of it. Counting
    per topic once per batch keeps the metrics off the per-message path too.
    """

    def __init__(self, app: faust.App) -> None:
        self.app = app
        self.pending: list[Awaitable[Any]] = []
        self.counts: Counter[str] = Counter()

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        self.pending.append(await self.app.producer.send(topic, key, value, None, None, headers))
        self.counts[topic] += 1

    async def flush(self) -> None:
        """Return once the broker acknowledged every message sent since the last flush."""
        await deliver(self.pending)
        for topic, n in self.counts.items():
            metrics.MESSAGES_OUT.labels(topic).inc(n)
        self.pending = []
        self.counts.clear()


def build(
    app: faust.App, settings: Settings, pipeline: Pipeline, writer: Any, preparer: Preparer | None = None
) -> Topics:
    """Declare topics and agents on ``app``. ``writer(items)`` stores a batch (blocking); ``preparer``
    runs stage A (default: inline, on the event loop)."""
    topics = declare_topics(app, settings)
    preparer = preparer or Preparer(settings.model_copy(update={"prepare_processes": 0}), pipeline)
    dlq_name, prepared_name = topics.dlq.get_topic_name(), topics.prepared.get_topic_name()
    curated_name, classified_name = topics.curated.get_topic_name(), topics.classified.get_topic_name()
    type_names = {t: topic.get_topic_name() for t, topic in topics.by_type.items()}
    decisions = DecisionLog.from_settings(pipeline, settings)

    @app.agent(topics.raw, name="prepare")
    @stop_on_failure
    async def prepare(stream: faust.StreamT[Any]) -> None:
        async for events in batches(stream, settings):
            jobs = [
                RawJob(
                    e.message.value,
                    Origin(
                        e.message.topic,
                        e.message.partition,
                        e.message.offset,
                        int(e.message.timestamp * 1000),
                    ),
                )
                for e in events
            ]
            results = await preparer.run(jobs)
            outbox = Outbox(app)
            count_in(events)
            for event, result in zip(events, results, strict=True):
                msg = event.message
                if isinstance(result, Rejected):
                    error = result.error
                    metrics.DEAD_LETTERS.labels(error.reason).inc()
                    log.warning("dead letter %s@%s/%s: %s", msg.topic, msg.partition, msg.offset, error)
                    await outbox.send(dlq_name, msg.key, msg.value, dlq_headers(event, error))
                    continue
                metrics.CLASSIFY_SECONDS.observe(result.seconds)
                await outbox.send(prepared_name, result.key, result.value)
            await outbox.flush()
            for event in events:
                await stream.ack(event)

    @app.agent(topics.prepared, name="curate")
    @stop_on_failure
    async def curate(stream: faust.StreamT[Any]) -> None:
        async for events in batches(stream, settings):
            first = events[0].message
            if not decisions.in_step(first.offset):
                folded = await asyncio.to_thread(
                    rebuild_decisions, settings, decisions, first.partition, first.offset
                )
                log.info(
                    "decision state rebuilt from %d prepared reports before offset %d (%d re-sends)",
                    folded,
                    first.offset,
                    decisions.resent,
                )
            outbox = Outbox(app)
            count_in(events)
            for event in events:
                outcome = decisions.apply(event.message.offset, event.message.value)
                if outcome is None:  # a tombstone, or a report decided long ago: nothing to do
                    continue
                report_id = str(outcome.record["report"]["id"])
                await outbox.send(curated_name, report_id.encode(), orjson.dumps(outcome.record))
                if outcome.decision.kind is not None and not outcome.decision.replayed:
                    metrics.DUPLICATES.labels(outcome.decision.kind).inc()
                for change in outcome.publications:
                    value = orjson.dumps(change.message)
                    key = change.event_id.encode()
                    await outbox.send(classified_name, key, value)
                    for event_type in change.types:
                        await outbox.send(type_names[event_type], key, value)
                        metrics.EVENTS_BY_TYPE.labels(event_type).inc()
                    metrics.EVENTS.labels(change.change).inc()
            await outbox.flush()
            for event in events:
                await stream.ack(event)

    def rejecter(items: list[dict[str, Any]], events: Sequence[EventT[Any]]) -> Any:
        # Keyed by object identity: the writer hands back the very dicts it was given.
        origins = {id(item): event for item, event in zip(items, events, strict=True)}

        async def rejected(item: dict[str, Any], error: Exception) -> None:
            report_id = str(item.get("report", {}).get("id", ""))
            headers = [
                ("sitrep-dlq-reason", b"store_rejected"),
                ("sitrep-dlq-detail", str(error)[:1000].encode("utf-8", "replace")),
            ]
            origin = origins.get(id(item))
            if origin is not None:  # where it came from, as for raw dead letters (sitrep dlq redrive)
                headers += origin_headers(origin)
            await (
                await topics.sink_dlq.send(key=report_id.encode(), value=orjson.dumps(item), headers=headers)
            )
            metrics.MESSAGES_OUT.labels(topics.sink_dlq.get_topic_name()).inc()

        return rejected

    @app.agent(topics.curated, name="sink")
    @stop_on_failure
    async def sink(stream: faust.StreamT[Any]) -> None:
        async for events in batches(stream, settings):
            count_in(events)
            valued = [event for event in events if event.message.value is not None]  # tombstones: nothing
            items = [orjson.loads(event.message.value or b"") for event in valued]
            await write_until_done(writer, items, rejecter(items, valued))
            for event in events:
                await stream.ack(event)

    return topics


async def write_until_done(
    writer: Any,
    items: list[dict[str, Any]],
    dead_letter: Callable[[dict[str, Any], Exception], Awaitable[None]],
) -> None:
    """Store one batch; return only once every item is committed or dead-lettered.

    Trouble (store unreachable) is retried with capped exponential backoff, forever: the batch
    stays unacknowledged, so a shutdown meanwhile loses nothing. Poison (the store rejects the
    data) is isolated by writing the items one by one; each rejected item goes to the sink's
    dead-letter topic, so one bad row can neither wedge the pipeline nor take its batch with it.
    """
    try:
        await _write_retrying(writer, items)
    except StoreRejected:
        for item in items:
            try:
                await _write_retrying(writer, [item])
            except StoreRejected as error:
                metrics.DEAD_LETTERS.labels("store_rejected").inc()
                log.error("store rejected report %s: %s", item.get("report", {}).get("id"), error)
                await dead_letter(item, error)


async def _write_retrying(writer: Any, items: list[dict[str, Any]]) -> None:
    import psycopg
    from sqlalchemy import exc

    rejected = (exc.IntegrityError, exc.DataError, psycopg.IntegrityError, psycopg.DataError)
    delay = 0.2
    while True:
        try:
            with metrics.SINK_SECONDS.time():
                await asyncio.to_thread(writer, items)
        except SinkUnavailable as error:
            metrics.SINK_RETRIES.inc()
            log.warning("store unavailable (%s); retrying batch of %d in %.1fs", error, len(items), delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
            continue
        except (*rejected, KeyError, TypeError, ValueError) as error:
            raise StoreRejected(f"{error.__class__.__name__}: {error}") from error
        metrics.SINK_BATCH_SIZE.observe(len(items))
        return


def rebuild_decisions(settings: Settings, decisions: DecisionLog, partition: int, until: int) -> int:
    """Fold the prepared log from its start up to ``until`` into ``decisions`` (blocking; run in a thread)."""
    from kafka import KafkaConsumer, TopicPartition

    from sitrep.topics import client_config

    tp = TopicPartition(settings.topic_prepared, partition)
    consumer = KafkaConsumer(
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=max(1_048_576, settings.max_message_bytes * 4),
        **client_config(settings),
    )
    try:
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)

        def records() -> Iterator[tuple[int, bytes | None]]:
            while consumer.position(tp) < until:
                for batch in consumer.poll(timeout_ms=500).values():
                    for record in batch:
                        if record.offset < until:
                            yield record.offset, record.value

        return decisions.rebuild(records(), until)
    finally:
        consumer.close()
