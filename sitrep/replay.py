"""Replaying a topic of raw reports through the pure pipeline into the store (``sitrep replay``).

The pure half plans offset ranges (:func:`plan_partition`), orders messages across partitions
(:func:`in_order`), runs them through ``Pipeline.prepare`` + ``Pipeline.curate`` against in-memory
state (:class:`Replay`) and decides which stored events a re-curation changed (:func:`event_updates`).
The I/O half looks offsets up on the broker (:func:`plan_replay`), reads ranges with a group-less
``KafkaConsumer`` (:func:`read_partition`), writes batches with ``sinks.writer.write_batch`` and
publishes changed events (:func:`run_replay`), or rewinds the live worker's consumer group instead
(:func:`reset_worker_group`).

Why the replay never joins or commits into a consumer group: the live worker's committed offsets
(group ``SITREP_APP_ID``) must stay exactly where they are while an operator rebuilds the store beside
it. The consumers here use ``assign()`` + ``seek()`` with ``group_id=None``.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import schemas
from sinks.writer import EVENT_COLUMNS, rows_for_batch, write_batch
from sitrep.errors import InvalidReport, SinkUnavailable, SitrepError
from sitrep.pipeline import DecisionLog, Origin, Outcome, Pipeline, event_message
from sitrep.settings import Settings

Mode = Literal["rebuild", "recurate"]

#: How long a client waits for the first broker before the replay fails (kafka-python's default is 30 s).
BOOTSTRAP_TIMEOUT_MS = 10_000
MODES: tuple[Mode, ...] = ("rebuild", "recurate")

#: Columns that say *which version* of an event a row is, not what the event is.
_VERSION_COLUMNS = frozenset({"revision", "last_change"})
_CONTENT_COLUMNS = tuple(c for c in EVENT_COLUMNS if c not in _VERSION_COLUMNS)


class ReplayError(SitrepError):
    """The replay cannot run or could not finish (broker, topic, store); the message says why."""


class GroupBusy(ReplayError):
    """The worker's consumer group has active members, so its offsets must not be rewound."""


# --- the pure half ---------------------------------------------------------------------------------------


def parse_when(text: str) -> datetime:
    """An ISO 8601 date or datetime, with or without an offset; naive values are UTC.

    Raises ``ValueError`` with a readable message for anything else.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 datetime (e.g. 2025-07-08T09:30:00+02:00 or 2025-07-08)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def to_millis(value: datetime) -> int:
    """POSIX milliseconds, the unit of Kafka timestamps."""
    return int(value.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class PartitionPlan:
    """What a replay reads from one partition.

    ``[first, start)`` is read only to warm the dedupe state; ``[start, end)`` is processed and written.
    ``end`` is fixed when the plan is made, so a replay is bounded while producers keep writing. A partition
    left out with ``--partition`` is not ``selected``: its messages only warm the state (decisions in the
    chosen partitions depend on reports that arrived on the others).
    """

    partition: int
    first: int
    start: int
    end: int
    selected: bool = True

    @property
    def count(self) -> int:
        """Messages in the range (an upper bound on a compacted or transactional topic)."""
        return self.end - self.start

    @property
    def warm(self) -> int:
        """Messages before the range, read to warm the state."""
        return self.start - self.first


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    topic: str
    partitions: tuple[PartitionPlan, ...]

    @property
    def count(self) -> int:
        return sum(p.count for p in self.partitions)

    @property
    def warm(self) -> int:
        return sum(p.warm for p in self.partitions)


def plan_partition(
    partition: int, earliest: int, latest: int, start: int | None, until: int | None
) -> PartitionPlan:
    """The plan for one partition from its log bounds ``[earliest, latest)`` and the requested range.

    ``start`` None means "nothing at or after the requested time" (the range is empty); ``until`` None
    means up to ``latest``. Offsets outside the log are clamped, and the range never runs backwards.
    """
    begin = latest if start is None else min(max(start, earliest), latest)
    stop = latest if until is None else min(max(until, begin), latest)
    return PartitionPlan(partition=partition, first=earliest, start=begin, end=stop)


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One raw message as read from the topic (the fields a replay needs)."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    value: bytes | None


def order_key(message: RawMessage) -> tuple[int, int, int]:
    return (message.timestamp_ms, message.partition, message.offset)


def in_order(streams: Iterable[Iterable[RawMessage]]) -> Iterator[RawMessage]:
    """Merge per-partition streams by (timestamp, partition, offset), lazily.

    A merge, not a sort: each partition keeps its own offset order (the order the live worker reads it
    in) even where producer-set timestamps go backwards, and across partitions the earliest head goes
    first. The result depends only on the messages, so every replay of the same range sees one order.
    """
    return heapq.merge(*streams, key=order_key)


@dataclass
class Tally:
    """What a replay did, message by message."""

    warmed: int = 0
    replayed: int = 0
    poison: int = 0
    duplicates: int = 0
    reports_written: int = 0
    events_written: int = 0
    events_published: int = 0


class Replay:
    """Runs raw messages through prepare and the worker's decision fold, on its own fresh state.

    Every message of the plan goes through the state in order, so decisions inside a partial range are the
    ones a full replay would make; only messages at or after their partition's ``start`` yield an outcome.
    The fold is the worker's own (``DecisionLog.decide``, expiry included), so a rebuild decides as it did.
    """

    def __init__(
        self, pipeline: Pipeline, plan: ReplayPlan, *, max_bytes: int, settings: Settings | None = None
    ) -> None:
        self.pipeline = pipeline
        self.decisions = DecisionLog.from_settings(pipeline, settings or Settings())
        self.starts = {p.partition: p.start for p in plan.partitions}
        self.max_bytes = max_bytes
        self.tally = Tally()

    def step(self, message: RawMessage) -> Outcome | None:
        """The outcome to write for ``message``; None for warm-up messages and poison.

        Poison (undecodable, schema violation) is skipped and counted: the live worker has already put it
        in the dead-letter topic.
        """
        try:
            report = schemas.decode_report(message.value, max_bytes=self.max_bytes)
        except InvalidReport:
            self.tally.poison += 1
            return None
        origin = Origin(message.topic, message.partition, message.offset, message.timestamp_ms)
        outcome = self.decisions.decide(self.pipeline.prepare(report, origin))
        if outcome is None:  # a report decided long before (its id outlived its state): nothing to write
            return None
        if message.offset < self.starts[message.partition]:
            self.tally.warmed += 1
            return None
        self.tally.replayed += 1
        if outcome.decision.is_duplicate:
            self.tally.duplicates += 1
        return outcome


@dataclass
class FinalEvents:
    """The last snapshot of every event a re-curation touched, and the report that last changed it."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    caused_by: dict[str, str] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        report_id = outcome.record["report"]["id"]
        for row in outcome.record["events"]:
            # Processing order is revision order, so the later snapshot is the newer one.
            self.rows[row["id"]] = row
            self.caused_by[row["id"]] = report_id


@dataclass(frozen=True, slots=True)
class EventUpdate:
    """One event change a re-curation writes and publishes.

    ``previous_types`` are the stored event's types: a subscriber of a per-type topic the event has left
    must hear about the change too, so it is published on the old types' topics as well.
    """

    row: dict[str, Any]
    caused_by: str
    previous_types: tuple[str, ...] = ()

    @property
    def topics_types(self) -> tuple[str, ...]:
        """Every type whose topic carries this change: the new types, then the ones the event lost."""
        new = tuple(self.row["types"])
        return new + tuple(t for t in self.previous_types if t not in new)


def event_updates(final: FinalEvents, stored: Mapping[str, Mapping[str, Any]]) -> list[EventUpdate]:
    """Which final snapshots differ from the stored events.

    A re-curation's revision counters restart from 1, while the store and every subscriber keep the highest
    revision they saw. So a changed event gets revision ``stored + 1`` (a plain upsert then wins and
    subscribers accept it) and change ``updated`` (``merged`` if it newly became merged); an event the store
    does not have keeps its replay revision and is ``created``; an unchanged one is left out, which keeps a
    second identical re-curation from writing or publishing anything. ``stored`` holds typed rows (as read
    back from the store) by event id.
    """
    parsed = {row["id"]: row for row in rows_for_batch([{"events": list(final.rows.values())}]).events}
    out: list[EventUpdate] = []
    for event_id, wire in final.rows.items():
        old = stored.get(event_id)
        if old is None:
            out.append(EventUpdate({**wire, "change": "created"}, final.caused_by[event_id]))
            continue
        new = parsed[event_id]
        if all(new[c] == old[c] for c in _CONTENT_COLUMNS):
            continue
        change = "merged" if new["status"] == "merged" and old["status"] != "merged" else "updated"
        revision = max(int(old["revision"]), int(wire["revision"])) + 1
        row = {**wire, "revision": revision, "change": change}
        out.append(EventUpdate(row, final.caused_by[event_id], tuple(old["types"] or ())))
    return out


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- the I/O half ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    """What the operator asked for. ``start`` is None (the beginning), an offset or a datetime."""

    topic: str
    start: int | datetime | None
    until: datetime | None = None
    partitions: tuple[int, ...] = ()
    mode: Mode = "rebuild"
    batch_size: int = 500
    publish: bool = False
    idle_timeout: float = 30.0


def open_consumer(settings: Settings, **extra: Any) -> Any:
    """A group-less kafka-python consumer (never commits, never joins the worker's group)."""
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError

    from sitrep.topics import client_config

    try:
        return KafkaConsumer(
            group_id=None,
            enable_auto_commit=False,
            client_id=f"{settings.app_id}-replay",
            # Never skip silently: a planned offset that retention deleted meanwhile is an error.
            auto_offset_reset="none",
            max_partition_fetch_bytes=max(1_048_576, settings.max_message_bytes * 2),
            bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,
            **client_config(settings),
            **extra,
        )
    except KafkaError as error:
        raise _unreachable(settings, error) from None


def _unreachable(settings: Settings, error: Exception) -> ReplayError:
    return ReplayError(
        f"no Kafka broker answers at {settings.kafka_bootstrap_servers} (SITREP_KAFKA_BOOTSTRAP_SERVERS): "
        f"{error}"
    )


def plan_replay(consumer: Any, options: ReplayOptions) -> ReplayPlan:
    """Look up the offsets of the requested range on the broker; the end offsets are captured now."""
    from kafka import TopicPartition

    if options.topic not in consumer.topics():
        raise ReplayError(f"topic {options.topic} does not exist")
    known = sorted(consumer.partitions_for_topic(options.topic) or ())
    wanted = sorted(set(options.partitions)) if options.partitions else known
    unknown = [p for p in wanted if p not in known]
    if unknown:
        raise ReplayError(f"topic {options.topic} has partitions {known}, not {unknown}")
    # Every partition is planned: the ones not asked for still warm the state (see PartitionPlan).
    tps = [TopicPartition(options.topic, p) for p in known]
    earliest = consumer.beginning_offsets(tps)
    latest = consumer.end_offsets(tps)
    if options.start is None:
        starts: dict[Any, int | None] = {tp: earliest[tp] for tp in tps}
    elif isinstance(options.start, int):
        starts = {tp: options.start for tp in tps}
    else:
        starts = _offsets_at(consumer, tps, options.start)
    untils = _offsets_at(consumer, tps, options.until) if options.until else {tp: None for tp in tps}
    return ReplayPlan(
        topic=options.topic,
        partitions=tuple(
            plan_partition(tp.partition, earliest[tp], latest[tp], starts[tp], untils[tp])
            if tp.partition in wanted
            else PartitionPlan(tp.partition, earliest[tp], latest[tp], latest[tp], selected=False)
            for tp in tps
        ),
    )


def _offsets_at(consumer: Any, tps: Sequence[Any], when: datetime) -> dict[Any, int | None]:
    """Per partition, the first offset whose timestamp is at or after ``when`` (None: no such message)."""
    found = consumer.offsets_for_times({tp: to_millis(when) for tp in tps})
    return {tp: (found[tp].offset if found.get(tp) is not None else None) for tp in tps}


def read_partition(
    consumer: Any, topic: str, plan: PartitionPlan, idle_timeout: float
) -> Iterator[RawMessage]:
    """Messages ``[plan.first, plan.end)`` of one partition, in offset order, on an assigned consumer.

    Stops once the consumer's position reaches ``end`` (so compaction gaps and transaction markers cannot
    make it wait for offsets that hold no message); raises ``ReplayError`` when no data arrives for
    ``idle_timeout`` seconds before that.
    """
    from kafka import TopicPartition
    from kafka.errors import OffsetOutOfRangeError

    tp = TopicPartition(topic, plan.partition)
    consumer.assign([tp])
    consumer.seek(tp, plan.first)
    last_data = time.monotonic()
    while consumer.position(tp) < plan.end:
        try:
            records = consumer.poll(timeout_ms=500, max_records=1000).get(tp, [])
        except OffsetOutOfRangeError:
            raise ReplayError(
                f"{topic}[{plan.partition}]: offset {consumer.position(tp)} is no longer in the log "
                "(retention deleted it after the plan was made); plan again"
            ) from None
        if not records:
            if time.monotonic() - last_data > idle_timeout:
                raise ReplayError(
                    f"{topic}[{plan.partition}]: no data for {idle_timeout:.0f}s at offset "
                    f"{consumer.position(tp)} of {plan.end}"
                )
            continue
        last_data = time.monotonic()
        for record in records:
            if record.offset >= plan.end:
                return
            yield RawMessage(topic, record.partition, record.offset, int(record.timestamp), record.value)


def _write(engine: Any, items: list[dict[str, Any]], attempts: int = 5) -> None:
    """One transaction; a briefly unavailable store is retried with backoff, then the replay fails."""
    delay = 0.5
    for attempt in range(attempts):
        try:
            write_batch(engine, items)
            return
        except SinkUnavailable as error:
            if attempt == attempts - 1:
                raise ReplayError(str(error)) from error
            time.sleep(delay)
            delay = min(delay * 2, 8.0)


def _stored_events(engine: Any, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    from sqlalchemy import select

    from sinks.writer import EVENTS

    found: dict[str, dict[str, Any]] = {}
    with engine.connect() as connection:
        for chunk in batched(ids, 500):
            query = select(*[EVENTS.c[c] for c in EVENT_COLUMNS]).where(EVENTS.c.id.in_(chunk))
            for row in connection.execute(query):
                found[row.id] = dict(row._mapping)
    return found


def orphaned_events(engine: Any) -> int:
    """Active events no mention points at any more (a re-curation moved their mentions elsewhere)."""
    from sqlalchemy import exists, func, select

    from sinks.writer import EVENTS, MENTIONS

    linked = exists().where(MENTIONS.c.event_id == EVENTS.c.id)
    query = select(func.count()).select_from(EVENTS).where(EVENTS.c.status == "active", ~linked)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


class Publisher:
    """Sends event changes to events-classified-v1 and the per-type topics (acks=all), then waits for all."""

    def __init__(self, settings: Settings) -> None:
        from kafka import KafkaProducer

        from sitrep.topics import client_config, ensure_topics

        self.settings = settings
        outputs = [settings.topic_classified, *(settings.topic_for_type(t) for t in _event_types())]
        ensure_topics(settings, outputs)
        self.producer = KafkaProducer(
            acks="all", client_id=f"{settings.app_id}-replay", linger_ms=20, **client_config(settings)
        )
        self.futures: list[Any] = []

    def send(self, update: EventUpdate) -> None:
        import orjson

        value = orjson.dumps(event_message(update.row, update.caused_by))
        key = str(update.row["id"]).encode()
        self.futures.append(self.producer.send(self.settings.topic_classified, key=key, value=value))
        for event_type in update.topics_types:
            topic = self.settings.topic_for_type(event_type)
            self.futures.append(self.producer.send(topic, key=key, value=value))

    def close(self) -> None:
        from kafka.errors import KafkaError

        try:
            self.producer.flush(timeout=60)
            for future in self.futures:
                future.get(timeout=60)
        except KafkaError as error:
            raise ReplayError(f"publishing the updated events failed: {error}") from error
        finally:
            self.producer.close(timeout=10)


def _event_types() -> tuple[str, ...]:
    from sitrep.model import EVENT_TYPES

    return EVENT_TYPES


def run_replay(
    settings: Settings,
    options: ReplayOptions,
    plan: ReplayPlan,
    pipeline: Pipeline,
    engine: Any,
    *,
    on_message: Callable[[RawMessage], None] | None = None,
) -> Tally:
    """Read the plan's messages in order, curate them, write the range's records and (re-curation) publish.

    ``rebuild`` writes every record as the live sink would (the revision guard keeps newer rows), so the
    store ends as the worker left it for the same input. ``recurate`` writes reports, mentions and merges as
    it goes and each changed event once at the end, above its stored revision (see :func:`event_updates`),
    then publishes those changes unless ``options.publish`` is false.
    """
    replay = Replay(
        pipeline,
        plan,
        max_bytes=settings.max_message_bytes,
        settings=settings,
    )
    final = FinalEvents()
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if pending:
            _write(engine, pending)
            pending.clear()

    # Partitions whose range still has messages to write; once none has, the rest could only warm.
    writing = {p.partition for p in plan.partitions if p.selected and p.count > 0}

    def tracked(stream: Iterator[RawMessage], partition: int) -> Iterator[RawMessage]:
        yield from stream
        writing.discard(partition)

    with ExitStack() as stack:
        streams = []
        for part in plan.partitions if writing else ():
            if part.end <= part.first:
                continue
            consumer = open_consumer(settings)
            stack.callback(consumer.close)
            streams.append(
                tracked(read_partition(consumer, plan.topic, part, options.idle_timeout), part.partition)
            )
        for message in in_order(streams):
            if not writing:
                break
            outcome = replay.step(message)
            if on_message is not None:
                on_message(message)
            if outcome is None:
                continue
            record = outcome.record
            if options.mode == "recurate":
                final.add(outcome)
                record = {**record, "events": []}
            else:
                replay.tally.events_written += len(record["events"])
            pending.append(record)
            replay.tally.reports_written += 1
            if len(pending) >= options.batch_size:
                flush()
        flush()

    if options.mode == "recurate" and final.rows:
        updates = event_updates(final, _stored_events(engine, list(final.rows)))
        publisher = Publisher(settings) if options.publish and updates else None
        try:
            for chunk in batched(updates, options.batch_size):
                _write(engine, [{"events": [update.row for update in chunk]}])
                replay.tally.events_written += len(chunk)
                # Published only once the store committed: subscribers never see a change the store lacks.
                if publisher is not None:
                    for update in chunk:
                        publisher.send(update)
        finally:
            if publisher is not None:
                publisher.close()
        if publisher is not None:
            replay.tally.events_published = len(updates)
    return replay.tally


def reset_worker_group(settings: Settings, plan: ReplayPlan) -> dict[int, int]:
    """Rewind the live worker's consumer group on the plan's topic to each partition's ``start``.

    Refused with :class:`GroupBusy` while the group has members: the broker would reject (or a running
    worker would immediately overwrite) the commit. Returns partition -> committed offset.
    """
    from kafka import KafkaAdminClient, TopicPartition
    from kafka.errors import KafkaError
    from kafka.structs import OffsetAndMetadata

    from sitrep.topics import client_config

    group = settings.app_id
    try:
        admin = KafkaAdminClient(
            client_id=f"{settings.app_id}-replay-admin",
            bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,
            **client_config(settings),
        )
    except KafkaError as error:
        raise _unreachable(settings, error) from None
    try:
        described = admin.describe_groups([group])
        info = described.get(group, {}) if isinstance(described, dict) else {}
        members = info.get("members") or []
        if members:
            raise GroupBusy(
                f"consumer group {group} has {len(members)} active member(s) "
                f"(state {info.get('group_state', '?')}): stop every worker before rewinding it"
            )
        offsets = {
            TopicPartition(plan.topic, p.partition): OffsetAndMetadata(p.start, "sitrep replay", -1)
            for p in plan.partitions
        }
        result = admin.alter_group_offsets(group, offsets)
    except KafkaError as error:
        raise ReplayError(f"could not rewind consumer group {group}: {error}") from error
    finally:
        admin.close()
    failed = {tp.partition: err for tp, err in result.items() if getattr(err, "errno", 0) != 0}
    if failed:
        raise ReplayError(f"could not rewind consumer group {group}: {failed}")
    return {p.partition: p.start for p in plan.partitions}
