"""``sitrep status``: is the deployment healthy, and how far behind is the worker?

Reads, never writes: broker metadata and end offsets (a group-less consumer), the worker group's
committed offsets (admin client), dead letters in the last hour (``offsets_for_times`` on the
dead-letter topics) and the store's migration revision, row counts and newest event time. The
exit code is 0 only when the broker and the store are reachable, the store is migrated to head
and every topic sitrep owns exists, so the command doubles as a container healthcheck.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from sitrep.ops import (
    PartitionLag,
    Status,
    StoreState,
    TopicState,
    dead_letters_since,
    lag_by_partition,
    problems,
    status_document,
)
from sitrep.settings import Settings

console = Console()


def register(app: typer.Typer) -> None:
    app.command(name="status")(status)


def status(
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the broker and the store.")] = 5.0,
) -> None:
    """Show the health of the pipeline; exit 1 when it is unhealthy (usable as a healthcheck).

    Unhealthy: broker unreachable, store unreachable or not migrated to head, or an owned topic
    missing. Lag and dead letters are shown but do not fail the check.
    """
    settings = Settings()
    now = datetime.now(UTC)
    result = collect(settings, now, timeout)
    if json_:
        sys.stdout.write(orjson.dumps(status_document(result), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        show(result)
    raise typer.Exit(1 if problems(result) else 0)


def collect(settings: Settings, now: datetime, timeout: float) -> Status:
    """Ask the broker and the store; a failure of either is recorded in the result, never raised."""
    from kafka.errors import KafkaError

    from sitrep.topics import owned_topics

    names = list(owned_topics(settings))
    inputs = {settings.topic_raw, settings.topic_prepared, settings.topic_curated}
    dlqs = (settings.topic_dlq, settings.topic_curated_dlq)
    broker_error: str | None = None
    topics = [TopicState(name, exists=False) for name in names]
    lag: list[PartitionLag] = []
    dead: dict[str, int] = {}
    group_error: str | None = None
    try:
        topics, committed, dead, group_error = _read_broker(
            settings, names, dlqs, now - timedelta(hours=1), timeout
        )
        lag = lag_by_partition([t for t in topics if t.name in inputs], committed)
    except (KafkaError, OSError) as error:
        broker_error = f"{error.__class__.__name__}: {error}"
    return Status(
        broker_reachable=broker_error is None,
        broker_error=broker_error,
        topics=topics,
        lag=lag,
        store=_read_store(settings, timeout),
        dead_letters_last_hour=dead,
        group=settings.app_id,
        checked_at=now,
        group_error=group_error,
    )


def _read_broker(
    settings: Settings, names: list[str], dlqs: tuple[str, ...], since: datetime, timeout: float
) -> tuple[list[TopicState], dict[tuple[str, int], int], dict[str, int], str | None]:
    from kafka import KafkaConsumer, TopicPartition

    from sitrep.topics import client_config

    ms = int(timeout * 1000)
    consumer = KafkaConsumer(
        group_id=None,
        enable_auto_commit=False,
        client_id=f"{settings.app_id}-status",
        bootstrap_timeout_ms=ms,
        request_timeout_ms=max(ms, 5000),
        isolation_level="read_committed",  # end offsets = last stable offsets (worker transactions)
        **client_config(settings),
    )
    try:
        existing = consumer.topics()
        topics: list[TopicState] = []
        for name in names:
            if name not in existing:
                topics.append(TopicState(name, exists=False))
                continue
            tps = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
            ends = consumer.end_offsets(tps) if tps else {}
            topics.append(TopicState(name, True, len(tps), {tp.partition: o for tp, o in ends.items()}))
        dead: dict[str, int] = {}
        since_ms = int(since.timestamp() * 1000)
        for topic in topics:
            if topic.name in dlqs and topic.exists:
                tps = [TopicPartition(topic.name, p) for p in topic.end_offsets]
                found = consumer.offsets_for_times({tp: since_ms for tp in tps})
                at = {tp.partition: (o.offset if o is not None else None) for tp, o in found.items()}
                dead[topic.name] = dead_letters_since(topic.end_offsets, at)
    finally:
        consumer.close()
    committed, group_error = _committed_offsets(settings, timeout)
    return topics, committed, dead, group_error


def _committed_offsets(settings: Settings, timeout: float) -> tuple[dict[tuple[str, int], int], str | None]:
    """The worker group's committed offsets, or ``({}, why)`` when the group coordinator cannot say.

    A broker that has never hosted a consumer group creates its offsets topic on the first request
    and answers "coordinator not available" meanwhile: retried until ``timeout``, then reported as
    a note (the lag is unknown), not as an unreachable broker.
    """
    from kafka import KafkaAdminClient
    from kafka.errors import CoordinatorLoadInProgressError, CoordinatorNotAvailableError, NotCoordinatorError

    from sitrep.topics import client_config

    ms = int(timeout * 1000)
    admin = KafkaAdminClient(
        client_id=f"{settings.app_id}-status", bootstrap_timeout_ms=ms, **client_config(settings)
    )
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                offsets = admin.list_group_offsets({settings.app_id: None}).get(settings.app_id, {})
                break
            except (
                CoordinatorNotAvailableError,
                CoordinatorLoadInProgressError,
                NotCoordinatorError,
            ) as error:
                if time.monotonic() > deadline:
                    return {}, f"{error.__class__.__name__}: {error}"
                time.sleep(0.2)
    finally:
        admin.close()
    return {(tp.topic, tp.partition): o.offset for tp, o in offsets.items() if o.offset >= 0}, None


def _read_store(settings: Settings, timeout: float) -> StoreState:
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from sinks.migrate import head
    from sinks.models import Base, Event
    from sinks.store import make_engine, normalise_url

    url = normalise_url(settings.database_url_plain())
    if url.get_backend_name() == "sqlite":
        from pathlib import Path

        # make_engine would create the file (and its directory); a status check must not.
        if url.database and url.database != ":memory:" and not Path(url.database).exists():
            return StoreState(reachable=False, error=f"no SQLite file at {url.database}", head=head())
        engine = make_engine(url)
    else:
        from sqlalchemy import create_engine

        engine = create_engine(url, connect_args={"connect_timeout": max(1, int(timeout))})
    try:
        with engine.connect() as conn:
            from alembic.runtime.migration import MigrationContext

            revision = MigrationContext.configure(conn).get_current_revision()
            expected = head()
            if revision is None:
                return StoreState(reachable=True, revision=None, head=expected)
            rows = {
                str(t.name): int(conn.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables
            }
            newest = conn.scalar(select(func.max(Event.event_time)))
            return StoreState(True, None, revision, expected, rows, _aware(newest))
    except SQLAlchemyError as error:
        return StoreState(reachable=False, error=_first_line(error), head=head())
    finally:
        engine.dispose()


def _aware(value: Any) -> datetime | None:
    # func.max bypasses the column type on SQLite, so the value may come back as naive or as text.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error)
    return f"{error.__class__.__name__}: {text.strip().splitlines()[0] if text.strip() else ''}"


def show(result: Status) -> None:
    found = problems(result)
    verdict = "[green]healthy[/]" if not found else "[red]unhealthy[/]"
    console.print(f"[bold]sitrep status[/] {verdict}  ({result.checked_at:%Y-%m-%d %H:%M:%S} UTC)")
    for problem in found:
        console.print(f"  [red]✗[/] {problem}")

    if result.broker_reachable:
        topics = Table(title="topics")
        for column in ("topic", "partitions", "end offsets", "dead letters (1 h)"):
            topics.add_column(column)
        for t in result.topics:
            ends = (
                ", ".join(f"{p}:{o}" for p, o in sorted(t.end_offsets.items()))
                if t.exists
                else "[red]missing[/]"
            )
            recent = result.dead_letters_last_hour.get(t.name)
            topics.add_row(
                t.name, str(t.partitions) if t.exists else "-", ends, "" if recent is None else str(recent)
            )
        console.print(topics)
        if result.group_error:
            console.print(f"[yellow]committed offsets of {result.group} unknown: {result.group_error}[/]")
        lag = Table(title=f"consumer group {result.group}")
        for column in ("topic", "partition", "committed", "end", "lag"):
            lag.add_column(column, justify="left" if column == "topic" else "right")
        for row in result.lag:
            committed = "-" if row.committed is None else str(row.committed)
            lag.add_row(row.topic, str(row.partition), committed, str(row.end), str(row.lag))
        console.print(lag)

    store = result.store
    if store.reachable and store.revision is not None:
        rows = Table(title=f"store (revision {store.revision})")
        rows.add_column("table")
        rows.add_column("rows", justify="right")
        for name, count in store.rows.items():
            rows.add_row(name, str(count))
        console.print(rows)
        newest = store.newest_event_time.isoformat() if store.newest_event_time else "none yet"
        console.print(f"newest event time: {newest}")
