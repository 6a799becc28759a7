"""The batch writer: curated items (plain JSON-able dicts, the sink agent's wire shape) into the store.

Two halves. :func:`rows_for_batch` is pure: it parses one batch of items into de-duplicated rows per table.
:func:`write_batch` is the I/O edge: one transaction, one statement (executemany or COPY) per table, every
write an idempotent ``INSERT … ON CONFLICT DO UPDATE``, so replaying a batch (at-least-once delivery) leaves
the store exactly as it was.

Item shape (the sink agent in ``processors/`` produces it)::

    {"report": {...}, "mentions": [{...}], "events": [{...}], "merges": [{...}]}

Datetimes are ISO 8601 strings with an offset, dates ISO strings; already-parsed values are accepted too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import orjson
import psycopg
from psycopg import sql
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    column,
    delete,
    exc,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite

from sitrep.errors import SinkUnavailable

from .models import DeadLetter, Event, EventMention, EventMerge, Report

Row = dict[str, Any]
Method = Literal["auto", "insert", "copy"]

# What method="auto" uses on PostgreSQL. Measured by bench/bench_sink.py (20 000 items, batches of 500, on
# a loaded 2-core machine): COPY + staging + INSERT … SELECT ran at 0.64 of a plain COPY's rows/s, the
# executemany upsert at 0.31; on replays 0.64 against 0.35.
AUTO_COPY = True

REPORTS: Table = Report.__table__  # type: ignore[assignment]
EVENTS: Table = Event.__table__  # type: ignore[assignment]
MENTIONS: Table = EventMention.__table__  # type: ignore[assignment]
MERGES: Table = EventMerge.__table__  # type: ignore[assignment]
DEAD_LETTERS: Table = DeadLetter.__table__  # type: ignore[assignment]

REPORT_COLUMNS = (
    "id",
    "title",
    "source",
    "url",
    "text",
    "published_at",
    "received_at",
    "fingerprint",
    "duplicate_of",
    "duplicate_kind",
    "kafka_topic",
    "kafka_partition",
    "kafka_offset",
    "classifier_version",
)
MENTION_COLUMNS = (
    "report_id",
    "mention_index",
    "event_id",
    "types",
    "killed",
    "injured",
    "children",
    "killed_approximate",
    "injured_approximate",
    "place_name",
    "admin1",
    "country",
    "lat",
    "lon",
    "precision",
    "weapon",
    "aircraft",
    "evidence",
    "rules",
    "confidence",
)
EVENT_COLUMNS = (
    "id",
    "types",
    "is_strike",
    "is_casualty",
    "is_aircraft_loss",
    "is_airspace_response",
    "killed",
    "killed_max",
    "injured",
    "injured_max",
    "children",
    "place_name",
    "admin1",
    "country",
    "lat",
    "lon",
    "precision",
    "weapon",
    "aircraft",
    "actor",
    "target",
    "occurred_on",
    "event_time",
    "report_time",
    "confidence",
    "classifier_version",
    "sources_count",
    "first_seen",
    "last_seen",
    "status",
    "merged_into",
    "revision",
    "last_change",
)
MERGE_COLUMNS = ("merged_id", "into_id", "at", "report_id")

# Which columns arrive as ISO strings, per table (parsed once, here, rather than per column per row).
_REPORT_DATETIMES = ("published_at", "received_at")
_EVENT_DATETIMES = ("event_time", "report_time", "first_seen", "last_seen")
_EVENT_DATES = ("occurred_on",)
_MERGE_DATETIMES = ("at",)
_JSON_COLUMNS = frozenset({"types", "evidence", "rules"})


@dataclass(frozen=True, slots=True)
class BatchRows:
    """One batch as rows per table, keys unique within each table, in first-seen key order.

    ``mention_counts`` holds, per report in the batch, how many mentions it now has, so mentions left over
    from an earlier classification with more incidents can be removed.
    """

    reports: tuple[Row, ...]
    mentions: tuple[Row, ...]
    mention_counts: tuple[Row, ...]
    events: tuple[Row, ...]
    merges: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class WriteStats:
    """What one :func:`write_batch` call wrote (rows offered per table after in-batch de-duplication)."""

    items: int
    reports: int
    mentions: int
    events: int
    merges: int
    method: Literal["insert", "copy"]

    @property
    def rows(self) -> int:
        return self.reports + self.mentions + self.events + self.merges


# --- the pure half -------------------------------------------------------------------------------------


def _datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    # fromisoformat accepts "Z" and offsets from Python 3.11 on.
    return datetime.fromisoformat(str(value))


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _row(
    source: Mapping[str, Any],
    columns: Iterable[str],
    datetimes: Iterable[str] = (),
    dates: Iterable[str] = (),
) -> Row:
    row: Row = {name: source.get(name) for name in columns}
    for name in datetimes:
        row[name] = _datetime(row[name])
    for name in dates:
        row[name] = _date(row[name])
    return row


def _mention_row(source: Mapping[str, Any]) -> Row:
    row = _row(source, MENTION_COLUMNS)
    row["types"] = list(row["types"] or [])
    row["evidence"] = [{"start": int(s["start"]), "end": int(s["end"])} for s in row["evidence"] or []]
    row["rules"] = list(row["rules"] or [])
    row["killed_approximate"] = bool(row["killed_approximate"])
    row["injured_approximate"] = bool(row["injured_approximate"])
    return row


def _event_row(source: Mapping[str, Any]) -> Row:
    row = _row(source, EVENT_COLUMNS[:-1], _EVENT_DATETIMES, _EVENT_DATES)  # last_change comes from "change"
    types = list(row["types"] or [])
    row["types"] = types
    row["is_strike"] = "strike" in types
    row["is_casualty"] = "casualty" in types
    row["is_aircraft_loss"] = "aircraft_loss" in types
    row["is_airspace_response"] = "airspace_response" in types
    row["sources_count"] = 1 if row["sources_count"] is None else row["sources_count"]
    row["status"] = row["status"] or "active"
    row["revision"] = int(row["revision"] or 0)
    row["last_change"] = source.get("change")
    return row


def rows_for_batch(items: Sequence[Mapping[str, Any]]) -> BatchRows:
    """Parse ``items`` into rows per table, de-duplicated by key.

    An item's ``report`` may be absent (or None) when it carries only events. Within the batch the last
    occurrence of a report, mention or merge wins; for events the highest
    ``revision`` wins, and among equal revisions the last one (matching the store's ``>=`` rule).
    """
    reports: dict[str, Row] = {}
    mentions: dict[tuple[str, int], Row] = {}
    counts: dict[str, int] = {}
    events: dict[str, Row] = {}
    merges: dict[str, Row] = {}
    for item in items:
        # An item without a report carries only event changes (``sitrep replay --mode recurate`` writes
        # each event's final snapshot once, after the reports that produced it).
        if item.get("report") is not None:
            report = _row(item["report"], REPORT_COLUMNS, _REPORT_DATETIMES)
            reports[report["id"]] = report
            # A re-delivered report replaces its earlier mention set rather than adding to it.
            counts[report["id"]] = 0
        for mention in item.get("mentions") or ():
            mrow = _mention_row(mention)
            mentions[(mrow["report_id"], mrow["mention_index"])] = mrow
            counts[mrow["report_id"]] = max(counts.get(mrow["report_id"], 0), mrow["mention_index"] + 1)
        for event in item.get("events") or ():
            erow = _event_row(event)
            held = events.get(erow["id"])
            if held is None or erow["revision"] >= held["revision"]:
                events[erow["id"]] = erow
        for merge in item.get("merges") or ():
            grow = _row(merge, MERGE_COLUMNS, _MERGE_DATETIMES)
            merges[grow["merged_id"]] = grow
    # Mentions beyond a report's current count are stale; drop ones superseded inside this batch, too.
    live_mentions = tuple(m for k, m in mentions.items() if k[1] < counts.get(k[0], 0))
    return BatchRows(
        reports=tuple(reports.values()),
        mentions=live_mentions,
        mention_counts=tuple({"report_id": r, "count": n} for r, n in counts.items()),
        events=tuple(events.values()),
        merges=tuple(merges.values()),
    )


# --- the I/O half --------------------------------------------------------------------------------------

InsertFn = Callable[[Table], Any]


def _on_conflict_update(stmt: Any, target: Table, columns: Sequence[str], key: Sequence[str]) -> Any:
    """``ON CONFLICT (key) DO UPDATE`` every other column, but only when it changes something.

    Skipping no-op updates keeps replays from rewriting (and bloating) rows they already wrote. Events also
    refuse older revisions: a late replay of revision n never overwrites revision n + 1.
    """
    updated = [name for name in columns if name not in key]
    condition = tuple_(*[target.c[name] for name in updated]).is_distinct_from(
        tuple_(*[stmt.excluded[name] for name in updated])
    )
    if target is EVENTS:
        condition = and_(target.c.revision <= stmt.excluded.revision, condition)
    return stmt.on_conflict_do_update(
        index_elements=list(key), set_={name: stmt.excluded[name] for name in updated}, where=condition
    )


def _upsert(insert: InsertFn, target: Table, columns: Sequence[str], key: Sequence[str]) -> Any:
    return _on_conflict_update(insert(target), target, columns, key)


_STALE_MENTIONS_PG = text(
    "DELETE FROM event_mentions AS m"
    " USING unnest(CAST(:report_ids AS text[]), CAST(:counts AS integer[])) AS v(report_id, n)"
    " WHERE m.report_id = v.report_id AND m.mention_index >= v.n"
)


def _delete_stale_mentions(connection: Connection, rows: BatchRows) -> None:
    """Remove mentions beyond each batch report's current mention count, in one statement on PostgreSQL."""
    if not rows.mention_counts:
        return
    if connection.dialect.name == "postgresql":
        # One set-based statement: an executemany here would be a statement per report.
        connection.execute(
            _STALE_MENTIONS_PG,
            {
                "report_ids": [c["report_id"] for c in rows.mention_counts],
                "counts": [c["count"] for c in rows.mention_counts],
            },
        )
        return
    # SQLite is in-process, so per-report statements cost no round trips.
    stale = delete(MENTIONS).where(
        MENTIONS.c.report_id == bindparam("report_id"),
        MENTIONS.c.mention_index >= bindparam("count"),
    )
    connection.execute(stale, list(rows.mention_counts))


def _write_with_inserts(connection: Connection, rows: BatchRows) -> None:
    insert: InsertFn = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    # Reports first: mentions reference them.
    if rows.reports:
        connection.execute(_upsert(insert, REPORTS, REPORT_COLUMNS, ("id",)), list(rows.reports))
    _delete_stale_mentions(connection, rows)
    if rows.mentions:
        key = ("report_id", "mention_index")
        connection.execute(_upsert(insert, MENTIONS, MENTION_COLUMNS, key), list(rows.mentions))
    if rows.events:
        connection.execute(_upsert(insert, EVENTS, EVENT_COLUMNS, ("id",)), list(rows.events))
    if rows.merges:
        connection.execute(_upsert(insert, MERGES, MERGE_COLUMNS, ("merged_id",)), list(rows.merges))


def _copy_row(row: Row, columns: Sequence[str]) -> list[Any]:
    # JSON goes into COPY's text format as JSON text (orjson: several times faster than wrapping each
    # value in psycopg's Jsonb); the server parses it into jsonb like any other column.
    return [
        orjson.dumps(row[c]).decode() if c in _JSON_COLUMNS and row[c] is not None else row[c]
        for c in columns
    ]


def _copy_into(cursor: psycopg.Cursor[Any], target: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(target), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(_copy_row(row, columns))


def _stage_and_upsert(
    connection: Connection,
    cursor: psycopg.Cursor[Any],
    target: Table,
    columns: Sequence[str],
    key: Sequence[str],
    rows: Sequence[Row],
) -> None:
    # One staging table per connection, emptied at every commit (ON COMMIT DELETE ROWS): creating and
    # dropping four temporary tables per batch was a tenth of the COPY path's time (catalog writes). Its
    # name carries the columns this code writes, so a deployment with other columns never reuses it.
    digest = hashlib.sha1(",".join(columns).encode()).hexdigest()[:10]
    staging = f"_stage_{target.name}_{digest}"
    create = "CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    cursor.execute(sql.SQL(create).format(sql.Identifier(staging), sql.Identifier(target.name)))
    _copy_into(cursor, staging, columns, rows)
    stmt = postgresql.insert(target).from_select(
        list(columns), select(*[column(c) for c in columns]).select_from(table(staging))
    )
    connection.execute(_on_conflict_update(stmt, target, columns, key))


def _write_with_copy(connection: Connection, rows: BatchRows) -> None:
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    with raw.cursor() as cursor:
        if rows.reports:
            _stage_and_upsert(connection, cursor, REPORTS, REPORT_COLUMNS, ("id",), rows.reports)
        _delete_stale_mentions(connection, rows)
        if rows.mentions:
            key = ("report_id", "mention_index")
            _stage_and_upsert(connection, cursor, MENTIONS, MENTION_COLUMNS, key, rows.mentions)
        if rows.events:
            _stage_and_upsert(connection, cursor, EVENTS, EVENT_COLUMNS, ("id",), rows.events)
        if rows.merges:
            _stage_and_upsert(connection, cursor, MERGES, MERGE_COLUMNS, ("merged_id",), rows.merges)


def write_batch(engine: Engine, items: Sequence[Mapping[str, Any]], *, method: Method = "auto") -> WriteStats:
    """Write ``items`` in one transaction; all of it commits or none of it does.

    Idempotent: writing the same batch again leaves identical rows. An event row is only overwritten by a
    row whose ``revision`` is greater than or equal to the stored one, so late, out-of-order replays of older
    revisions are harmless. ``method="copy"`` (PostgreSQL only) stages rows with COPY and upserts with one
    ``INSERT … SELECT`` per table; ``"insert"`` uses one executemany upsert per table; ``"auto"`` picks the
    faster for the dialect.

    Raises ``SinkUnavailable`` when the database cannot be reached or fails operationally (the caller
    retries with backoff and does not acknowledge). Other errors mean a bug and propagate.
    """
    rows = rows_for_batch(items)
    dialect = engine.dialect.name
    chosen: Literal["insert", "copy"] = (
        "copy"
        if method == "copy" or (method == "auto" and dialect == "postgresql" and AUTO_COPY)
        else "insert"
    )
    if chosen == "copy" and dialect != "postgresql":
        raise ValueError(f"method='copy' needs PostgreSQL, not {dialect}")
    try:
        with engine.begin() as connection:
            if chosen == "copy":
                _write_with_copy(connection, rows)
            else:
                _write_with_inserts(connection, rows)
    except (exc.OperationalError, exc.InterfaceError) as error:
        raise SinkUnavailable(f"store unavailable: {error.orig or error}") from error
    except exc.DBAPIError as error:
        if error.connection_invalidated:
            raise SinkUnavailable(f"store connection lost: {error.orig or error}") from error
        raise
    except (psycopg.OperationalError, psycopg.InterfaceError) as error:
        # Raised by the raw COPY path, which SQLAlchemy does not wrap.
        raise SinkUnavailable(f"store unavailable: {error}") from error
    return WriteStats(
        items=len(items),
        reports=len(rows.reports),
        mentions=len(rows.mentions),
        events=len(rows.events),
        merges=len(rows.merges),
        method=chosen,
    )


# --- dead letters --------------------------------------------------------------------------------------

DEAD_LETTER_PAYLOAD_BYTES = 65_536


def dead_letter_rows(
    letters: Sequence[Mapping[str, Any]], max_payload: int = DEAD_LETTER_PAYLOAD_BYTES
) -> list[Row]:
    """Rows for ``dead_letters``: payloads cut to ``max_payload`` bytes, keeping the original size.

    Each letter has ``topic``, ``partition``, ``offset``, ``reason`` and optionally ``detail``,
    ``received_at`` (datetime or ISO string) and ``payload`` (bytes). Pure.
    """
    rows: dict[tuple[str, int, int], Row] = {}
    for letter in letters:
        payload: bytes | None = letter.get("payload")
        rows[(letter["topic"], letter["partition"], letter["offset"])] = {
            "topic": letter["topic"],
            "partition": letter["partition"],
            "offset": letter["offset"],
            "reason": letter["reason"],
            "detail": letter.get("detail"),
            "received_at": _datetime(letter.get("received_at")),
            "payload": None if payload is None else payload[:max_payload],
            "payload_size": None if payload is None else len(payload),
            "payload_truncated": payload is not None and len(payload) > max_payload,
        }
    return list(rows.values())


def write_dead_letters(engine: Engine, letters: Sequence[Mapping[str, Any]]) -> int:
    """Record dead letters for operators in one transaction; returns how many rows were offered.

    Idempotent: a letter already recorded for the same (topic, partition, offset) is left as it was.
    Raises ``SinkUnavailable`` like :func:`write_batch`.
    """
    rows = dead_letter_rows(letters)
    if not rows:
        return 0
    insert: InsertFn = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(DEAD_LETTERS).on_conflict_do_nothing(index_elements=["topic", "partition", "offset"])
    try:
        with engine.begin() as connection:
            connection.execute(stmt, rows)
    except (exc.OperationalError, exc.InterfaceError) as error:
        raise SinkUnavailable(f"store unavailable: {error.orig or error}") from error
    return len(rows)
