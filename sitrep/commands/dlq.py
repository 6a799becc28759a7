"""``sitrep dlq list|show|redrive``: look at dead letters and send fixed ones back.

Dead-letter topics are read with a group-less consumer and manual assignment, from the beginning
to the end offsets taken when the command starts: reading them commits nothing and moves no
consumer group, so an operator can look as often as they like. Redrive re-sends the original key
and bytes to the topic the message came from (acks=all, idempotent producer) with a
``sitrep-redriven-from`` header; the pipeline's deterministic ids make a redrive that is repeated,
or that overlaps a message which got through after all, harmless.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from sitrep.ops import (
    DeadLetter,
    Selection,
    letter_summary,
    parse_position,
    parse_time,
    redrive_headers,
    redrive_target,
    render_bytes,
    select,
    shorten,
)
from sitrep.settings import Settings

dlq_app = typer.Typer(
    help=(
        "Inspect the dead-letter topics and redrive fixed messages.\n\n"
        "reports-raw-v1-dlq holds raw messages the worker could not decode (original bytes, with "
        "reason and origin headers); reports-curated-v1-dlq holds curated items the store rejected."
    ),
    no_args_is_help=True,
)

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.add_typer(dlq_app, name="dlq")


# Bounded so a command never hangs on a broker that answers metadata but not fetches.
READ_TIMEOUT_S = 60.0


class Which(StrEnum):
    raw = "raw"
    curated = "curated"
    all = "all"


def _dlq_topics(settings: Settings, which: Which) -> list[tuple[str, str]]:
    """``(dead-letter topic, the topic its messages came from)`` for the chosen dead-letter topics."""
    pairs = {
        Which.raw: (settings.topic_dlq, settings.topic_raw),
        Which.curated: (settings.topic_curated_dlq, settings.topic_curated),
    }
    return list(pairs.values()) if which is Which.all else [pairs[which]]


@contextmanager
def _consumer(settings: Settings) -> Iterator[Any]:
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError

    from sitrep.topics import client_config

    fetch = max(4 * 1024 * 1024, settings.max_message_bytes * 2)
    try:
        consumer = KafkaConsumer(
            group_id=None,
            enable_auto_commit=False,
            client_id=f"{settings.app_id}-dlq",
            max_partition_fetch_bytes=fetch,
            fetch_max_bytes=fetch,
            request_timeout_ms=15_000,
            isolation_level="read_committed",  # the worker writes in transactions: skip aborted ones
            bootstrap_timeout_ms=10_000,
            **client_config(settings),
        )
    except KafkaError as error:
        err.print(f"[red]broker unreachable at {settings.kafka_bootstrap_servers}: {error}[/]")
        raise typer.Exit(2) from None
    try:
        yield consumer
    finally:
        consumer.close()


def _letter(record: Any) -> DeadLetter:
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp_ms=record.timestamp,
        key=record.key,
        value=record.value,
        headers=tuple((k, v) for k, v in (record.headers or [])),
    )


def read_dead_letters(consumer: Any, topic: str, timeout: float = READ_TIMEOUT_S) -> list[DeadLetter]:
    """Every message of ``topic`` from the beginning to its current end, in partition/offset order."""
    from kafka import TopicPartition

    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        return []
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    ends = consumer.end_offsets(tps)
    letters: list[DeadLetter] = []
    pending = {tp for tp in tps if consumer.position(tp) < ends[tp]}
    deadline = time.monotonic() + timeout
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"could not read {topic} to its end within {timeout:.0f}s")
        for tp, records in consumer.poll(timeout_ms=500).items():
            letters.extend(_letter(r) for r in records if r.offset < ends[tp])
        pending = {tp for tp in pending if consumer.position(tp) < ends[tp]}
    return sorted(letters, key=lambda d: (d.partition, d.offset))


def read_one(consumer: Any, topic: str, partition: int, offset: int) -> DeadLetter | None:
    """The message at ``partition:offset`` of ``topic``, or None when there is none."""
    from kafka import TopicPartition

    tp = TopicPartition(topic, partition)
    if partition not in (consumer.partitions_for_topic(topic) or set()):
        return None
    consumer.assign([tp])
    first = consumer.beginning_offsets([tp])[tp]
    end = consumer.end_offsets([tp])[tp]
    if not first <= offset < end:
        return None
    consumer.seek(tp, offset)
    deadline = time.monotonic() + READ_TIMEOUT_S
    while time.monotonic() < deadline:
        for record in consumer.poll(timeout_ms=500).get(tp, []):
            if record.offset == offset:
                return _letter(record)
            if record.offset > offset:  # compacted away or a transaction marker
                return None
    return None


def _selection(
    reason: list[str] | None, since: str | None, until: str | None, offsets: list[str] | None
) -> Selection:
    try:
        return Selection(
            reasons=frozenset(reason or ()),
            since=parse_time(since) if since else None,
            until=parse_time(until) if until else None,
            positions=frozenset(parse_position(o) for o in offsets or ()),
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


ReasonOpt = Annotated[
    list[str] | None, typer.Option("--reason", help="Only this reason (e.g. too_large); repeatable.")
]
SinceOpt = Annotated[
    str | None, typer.Option(help="Only dead letters at or after this ISO time (UTC when no offset).")
]
UntilOpt = Annotated[str | None, typer.Option(help="Only dead letters before this ISO time.")]


@dlq_app.command(name="list")
def list_(
    topic: Annotated[Which, typer.Option(help="Which dead-letter topic.")] = Which.all,
    reason: ReasonOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Show at most N (the oldest first).")] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="One JSON object per line instead of a table.")
    ] = False,
) -> None:
    """List dead letters: position, reason, origin, time, key, size and a short detail."""
    settings = Settings()
    selection = _selection(reason, since, until, None)
    letters: list[DeadLetter] = []
    with _consumer(settings) as consumer:
        for dlq_topic, _ in _dlq_topics(settings, topic):
            letters.extend(read_dead_letters(consumer, dlq_topic))
    chosen = select(letters, selection, limit)
    if json_:
        for letter in chosen:
            sys.stdout.write(orjson.dumps(letter_summary(letter)).decode() + "\n")
        return
    table = Table(
        title=f"{len(chosen)} dead letter(s)" + (f" of {len(letters)}" if len(chosen) != len(letters) else "")
    )
    for column in ("dlq", "at", "reason", "origin", "time (UTC)", "key", "size", "detail"):
        table.add_column(column, justify="right" if column == "size" else "left", overflow="fold")
    for d in chosen:
        origin = f"{d.origin_topic}@{d.origin_partition}:{d.origin_offset}" if d.origin_topic else "-"
        table.add_row(
            "curated" if d.topic == settings.topic_curated_dlq else "raw",
            d.position,
            d.reason,
            origin,
            d.time.strftime("%Y-%m-%d %H:%M:%S"),
            shorten(d.key.decode("utf-8", "replace"), 24) if d.key is not None else "-",
            str(d.size),
            shorten(d.detail, 60),
        )
    console.print(table)


@dlq_app.command()
def show(
    position: Annotated[str, typer.Argument(metavar="PARTITION:OFFSET", help="Where the dead letter is.")],
    topic: Annotated[Which, typer.Option(help="Which dead-letter topic (raw or curated).")] = Which.raw,
    limit: Annotated[int, typer.Option(help="Show at most this many characters of the value.")] = 4000,
) -> None:
    """Show one dead letter in full: headers, key and value (pretty JSON when it is JSON)."""
    settings = Settings()
    if topic is Which.all:
        raise typer.BadParameter("choose raw or curated", param_hint="--topic")
    try:
        partition, offset = parse_position(position)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="PARTITION:OFFSET") from None
    dlq_topic = _dlq_topics(settings, topic)[0][0]
    with _consumer(settings) as consumer:
        letter = read_one(consumer, dlq_topic, partition, offset)
    if letter is None:
        err.print(f"[red]no message at {dlq_topic} {partition}:{offset}[/]")
        raise typer.Exit(1)
    console.print(
        f"[bold]{letter.topic}[/] {letter.position}  {letter.time.isoformat()}  {letter.size} bytes"
    )
    headers = Table(show_header=False, box=None)
    for key, value in letter.headers:
        headers.add_row(f"[cyan]{key}[/]", value.decode("utf-8", "replace") if value is not None else "")
    console.print(headers)
    console.print("[bold]key[/]", render_bytes(letter.key, 200), markup=True, highlight=False)
    console.print("[bold]value[/]", markup=True)
    console.print(render_bytes(letter.value, limit), markup=False, highlight=False)


@dlq_app.command()
def redrive(
    topic: Annotated[Which, typer.Option(help="Which dead-letter topic to redrive from.")] = Which.raw,
    reason: ReasonOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    offset: Annotated[
        list[str] | None, typer.Option("--offset", help="PARTITION:OFFSET of one dead letter; repeatable.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Re-send the selected dead letters' original key and bytes to the topic they came from.

    Each re-sent message carries the header sitrep-redriven-from: <dlq-topic>/<partition>/<offset>.
    Fix the cause first (a larger SITREP_MAX_MESSAGE_BYTES, a schema fix): a message that fails
    again simply lands in the dead-letter topic again.
    """
    settings = Settings()
    selection = _selection(reason, since, until, offset)
    if offset and topic is Which.all:
        raise typer.BadParameter("--offset needs --topic raw or curated", param_hint="--topic")
    chosen: list[tuple[DeadLetter, str]] = []
    with _consumer(settings) as consumer:
        for dlq_topic, input_topic in _dlq_topics(settings, topic):
            for letter in select(read_dead_letters(consumer, dlq_topic), selection):
                chosen.append((letter, redrive_target(letter, input_topic)))
        partitions = {t: consumer.partitions_for_topic(t) or set() for t in {t for _, t in chosen}}
    if not chosen:
        console.print("nothing to redrive: no dead letter matches")
        return
    by_target = Counter(target for _, target in chosen)
    plan = ", ".join(f"{n} to {t}" for t, n in sorted(by_target.items()))
    if dry_run:
        for letter, target in chosen:
            console.print(
                f"would send {letter.topic} {letter.position} ({letter.reason}, {letter.size} B) → {target}"
            )
        console.print(f"dry run: {len(chosen)} dead letter(s) selected ({plan}); nothing sent")
        return
    if not yes and not typer.confirm(f"redrive {len(chosen)} dead letter(s) ({plan})?"):
        raise typer.Exit(1)
    sent, failed = _send(settings, chosen, partitions)
    console.print(f"redriven: {sent} sent, {failed} failed ({plan})")
    if failed:
        raise typer.Exit(1)


def _send(
    settings: Settings, chosen: list[tuple[DeadLetter, str]], partitions: dict[str, set[int]]
) -> tuple[int, int]:
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    from ingest.producer import kafka_config

    config = kafka_config(settings)
    config["client_id"] = f"{settings.app_id}-redrive"
    # The limit that dead-lettered a message as too_large may since have been raised on the worker;
    # the producer must be able to carry the largest original whatever this shell's setting says.
    config["max_request_size"] = max(config["max_request_size"], max(d.size for d, _ in chosen) + 65_536)
    producer = KafkaProducer(**config)
    sent = failed = 0
    try:
        futures = []
        for letter, target in chosen:
            # Back to the original partition when it still exists, so per-key order is kept.
            origin = letter.origin_partition
            partition = origin if origin is not None and origin in partitions.get(target, set()) else None
            futures.append(
                (
                    letter,
                    producer.send(
                        target,
                        key=letter.key,
                        value=letter.value,
                        headers=redrive_headers(letter),
                        partition=partition,
                    ),
                )
            )
        producer.flush()
        for letter, future in futures:
            try:
                future.get(timeout=30)
                sent += 1
            except KafkaError as error:
                failed += 1
                err.print(f"[red]{letter.topic} {letter.position}: {error}[/]")
    finally:
        producer.close()
    return sent, failed
