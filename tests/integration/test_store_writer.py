"""write_batch against real PostgreSQL (both write paths) and SQLite: idempotence, ordering, outages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, exc, func, select

from sinks import migrate
from sinks.models import Base, DeadLetter, Event, EventMention, Report
from sinks.store import make_engine
from sinks.testing import PostgresServer, curated_item
from sinks.writer import DEAD_LETTER_PAYLOAD_BYTES, Method, write_batch, write_dead_letters
from sitrep.errors import SinkUnavailable

pytestmark = pytest.mark.integration


@dataclass
class Store:
    engine: Engine
    method: Method

    def write(self, items: list[dict[str, Any]]) -> None:
        write_batch(self.engine, items, method=self.method)


@pytest.fixture(params=["postgresql-insert", "postgresql-copy", "sqlite-insert"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    dialect, method = request.param.split("-")
    url = str(request.getfixturevalue("pg_url" if dialect == "postgresql" else "sqlite_url"))
    migrate.upgrade(url)
    engine = make_engine(url)
    yield Store(engine, method)
    engine.dispose()


def store_digest(engine: Engine, *, skip: frozenset[str] = frozenset()) -> str:
    """A hash over every row of every table, in primary-key order, leaving out columns named in ``skip``."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in skip]
            order = list(table.primary_key.columns)
            for row in connection.execute(select(*columns).order_by(*order)):
                # Canonical JSON: JSONB hands back object keys in its own order, so repr would differ.
                digest.update(json.dumps(list(row), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def count(engine: Engine, model: type[Base]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def event(engine: Engine, event_id: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(select(Event).where(Event.id == event_id)).one()


def test_writing_the_same_batch_twice_leaves_identical_rows(store: Store) -> None:
    batch = [curated_item(n) for n in range(40)]
    store.write(batch)
    first = store_digest(store.engine)
    store.write(batch)
    assert store_digest(store.engine) == first
    assert count(store.engine, Report) == 40
    assert count(store.engine, Event) == 80


def test_a_later_revision_overwrites_and_an_earlier_one_arriving_late_does_not(store: Store) -> None:
    first, second = curated_item(1, revision=1), curated_item(1, revision=2)
    second["events"][0]["killed"] = 12
    store.write([first])
    store.write([second])
    assert (
        event(store.engine, "event-00000001-0").revision,
        event(store.engine, "event-00000001-0").killed,
    ) == (
        2,
        12,
    )

    store.write([first])  # an old revision replayed late

    stored = event(store.engine, "event-00000001-0")
    assert (stored.revision, stored.killed, stored.last_change) == (2, 12, "updated")


def test_duplicates_inside_one_batch_are_written_once(store: Store) -> None:
    older, newer = curated_item(3, revision=1), curated_item(3, revision=4)
    store.write([older, newer, older, curated_item(4)])
    assert count(store.engine, Report) == 2
    assert count(store.engine, Event) == 4
    assert event(store.engine, "event-00000003-0").revision == 4


def test_a_reclassified_report_with_fewer_incidents_loses_its_stale_mentions(store: Store) -> None:
    store.write([curated_item(8, mentions=3)])
    store.write([curated_item(8, mentions=1)])
    with store.engine.connect() as connection:
        indexes = connection.execute(select(EventMention.mention_index)).scalars().all()
    assert indexes == [0]


def test_datetimes_come_back_timezone_aware_and_equal_to_what_was_sent(store: Store) -> None:
    store.write([curated_item(2)])
    with store.engine.connect() as connection:
        report = connection.execute(select(Report)).one()
    assert report.published_at.utcoffset() == timedelta(0)
    assert report.published_at == datetime.fromisoformat("2026-10-03T02:15:00+03:00")
    assert report.ingested_at.utcoffset() == timedelta(0)


def test_a_batch_is_one_transaction_so_a_bad_item_writes_nothing(store: Store) -> None:
    bad = curated_item(99)
    bad["report"]["duplicate_kind"] = "sideways"  # violates the table's CHECK constraint
    with pytest.raises(exc.IntegrityError):
        store.write([curated_item(98), bad])
    assert count(store.engine, Report) == 0
    assert count(store.engine, Event) == 0


def test_both_postgresql_write_paths_and_sqlite_produce_the_same_rows(
    pg_server: PostgresServer, sqlite_url: str
) -> None:
    batch = [curated_item(n, revision=1 + n % 3) for n in range(30)]
    batch += [curated_item(n, revision=1) for n in range(0, 30, 4)]  # late, older replays
    digests = []
    paths: list[tuple[str | None, Method]] = [(None, "insert"), (None, "copy"), (sqlite_url, "insert")]
    for url, method in paths:
        dbname = pg_server.create_database() if url is None else None
        target = url or pg_server.url(str(dbname))
        migrate.upgrade(target)
        engine = make_engine(target)
        try:
            write_batch(engine, batch[:20], method=method)
            write_batch(engine, batch[20:], method=method)
            # ingested_at is each database's own clock, so it is the one column left out.
            digests.append(store_digest(engine, skip=frozenset({"ingested_at"})))
        finally:
            engine.dispose()
            if dbname is not None:
                pg_server.drop_database(dbname)
    assert digests[0] == digests[1] == digests[2]


@pytest.mark.parametrize("method", ["insert", "copy"])
def test_a_stopped_database_raises_sink_unavailable_and_a_restarted_one_accepts_the_batch(
    pg_server: PostgresServer, pg_url: str, method: Method
) -> None:
    migrate.upgrade(pg_url)
    engine = make_engine(pg_url)
    try:
        write_batch(engine, [curated_item(1)], method=method)  # the pool now holds a live connection
        pg_server.stop()
        with pytest.raises(SinkUnavailable):
            write_batch(engine, [curated_item(2)], method=method)
        pg_server.start()
        write_batch(engine, [curated_item(2)], method=method)
        assert count(engine, Report) == 2
    finally:
        pg_server.start()
        engine.dispose()


def test_dead_letters_are_recorded_once_per_offset_with_long_payloads_cut(store: Store) -> None:
    letter = {
        "topic": "reports-raw-v1",
        "partition": 0,
        "offset": 41,
        "reason": "schema",
        "detail": "missing text",
        "received_at": "2026-10-01T10:00:00+00:00",
        "payload": b"x" * (DEAD_LETTER_PAYLOAD_BYTES + 10),
    }
    assert write_dead_letters(store.engine, [letter, letter]) == 1
    write_dead_letters(store.engine, [{**letter, "reason": "replayed"}])
    with store.engine.connect() as connection:
        row = connection.execute(select(DeadLetter)).one()
    assert (row.reason, row.payload_size, row.payload_truncated) == (
        "schema",
        DEAD_LETTER_PAYLOAD_BYTES + 10,
        True,
    )
    assert len(row.payload) == DEAD_LETTER_PAYLOAD_BYTES


def test_the_copy_path_reuses_its_staging_tables_and_leaves_them_empty_after_each_commit(pg_url: str) -> None:
    from sqlalchemy import text

    migrate.upgrade(pg_url)
    engine = make_engine(pg_url)  # used by one thread: the pool hands back the same connection
    try:
        write_batch(engine, [curated_item(1), curated_item(2)], method="copy")
        write_batch(engine, [curated_item(3)], method="copy")
        with engine.connect() as connection:
            mine = "SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r'"
            staging = connection.execute(text(mine)).scalars().all()
            rows = {n: connection.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in staging}
        # One staging table per target table written (reports, mentions, events), created once, empty now.
        assert sorted(name.rsplit("_", 1)[0] for name in staging) == [
            "_stage_event_mentions",
            "_stage_events",
            "_stage_reports",
        ], staging
        assert set(rows.values()) == {0}, rows
        assert count(engine, Report) == 3
    finally:
        engine.dispose()
