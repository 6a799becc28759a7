"""Sink throughput: ``write_batch`` against a plain COPY of the same rows into the same tables.

Run: ``.venv/bin/python bench/bench_sink.py [--items 20000] [--batch 500] [--repeat 3]``

Starts its own throwaway PostgreSQL (``sinks.testing``, the same code as the test fixture), migrates a fresh
database, and for each write path writes the same synthetic curated items (``sinks.testing.curated_item``:
one report, two mentions, two events, a merge on every tenth) in batches, one transaction per batch:

- ``write_batch insert``: one executemany ``INSERT … ON CONFLICT`` per table per batch;
- ``write_batch copy``: COPY into temp staging tables, then one ``INSERT … SELECT … ON CONFLICT`` per table;
- ``plain COPY``: the already-parsed rows COPYed straight into the tables (no parsing, no conflict handling):
  the floor no upserting writer can beat.

Each path starts from empty tables and is timed ``--repeat`` times; the best run counts. A replay (the
same batches again, every row a conflict) is timed for the write paths too. Rows/s counts rows offered to
the four tables. The ratio is write_batch's rows/s over plain COPY's.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import Engine, text

from sinks import migrate
from sinks.store import make_engine
from sinks.testing import curated_item, throwaway_postgres
from sinks.writer import (
    EVENT_COLUMNS,
    MENTION_COLUMNS,
    MERGE_COLUMNS,
    REPORT_COLUMNS,
    BatchRows,
    rows_for_batch,
    write_batch,
)

TABLES = ("reports", "event_mentions", "events", "event_merges")
JSON_COLUMNS = frozenset({"types", "evidence", "rules"})

Batch = list[dict[str, Any]]


def truncate(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)}"))


def plain_copy(conninfo: str, batches: Sequence[BatchRows]) -> None:
    """COPY already-parsed rows into the live tables, one transaction per batch."""
    with psycopg.connect(conninfo) as connection:
        for rows in batches:
            with connection.transaction(), connection.cursor() as cursor:
                for table, columns, values in (
                    ("reports", REPORT_COLUMNS, rows.reports),
                    ("event_mentions", MENTION_COLUMNS, rows.mentions),
                    ("events", EVENT_COLUMNS, rows.events),
                    ("event_merges", MERGE_COLUMNS, rows.merges),
                ):
                    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                    )
                    with cursor.copy(statement) as copy:
                        for row in values:
                            copy.write_row(
                                [
                                    Jsonb(row[c]) if c in JSON_COLUMNS and row[c] is not None else row[c]
                                    for c in columns
                                ]
                            )


def timed(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=20_000, help="curated items (reports) to write")
    parser.add_argument("--batch", type=int, default=500, help="items per write_batch call / transaction")
    parser.add_argument("--repeat", type=int, default=3, help="runs per path; the best counts")
    args = parser.parse_args()

    items = [curated_item(n, revision=1) for n in range(args.items)]
    batches: list[Batch] = [items[i : i + args.batch] for i in range(0, len(items), args.batch)]
    parsed = [rows_for_batch(batch) for batch in batches]
    total_rows = sum(len(r.reports) + len(r.mentions) + len(r.events) + len(r.merges) for r in parsed)

    with throwaway_postgres() as server:
        dbname = server.create_database("bench")
        url = server.url(dbname)
        migrate.upgrade(url)
        engine = make_engine(url)
        conninfo = f"host={server.host} port={server.port} user={server.user} dbname={dbname}"
        print(
            f"PostgreSQL on 127.0.0.1:{server.port}; {args.items} items in batches of {args.batch} "
            f"= {len(batches)} transactions, {total_rows} rows per pass; best of {args.repeat}"
        )

        def write_all(method: Any) -> Callable[[], None]:
            def run() -> None:
                for batch in batches:
                    write_batch(engine, batch, method=method)

            return run

        # (name, start from empty tables?, run). A replay follows the fresh pass before it: every row is then
        # a conflict. Paths are interleaved within each round so background load hits them alike.
        paths: list[tuple[str, bool, Callable[[], None]]] = [
            ("plain COPY", True, lambda: plain_copy(conninfo, parsed)),
            ("write_batch insert", True, write_all("insert")),
            ("write_batch insert (replay)", False, write_all("insert")),
            ("write_batch copy", True, write_all("copy")),
            ("write_batch copy (replay)", False, write_all("copy")),
        ]
        results: dict[str, float] = {}
        for _ in range(args.repeat):
            for name, fresh, run in paths:
                if fresh:
                    truncate(engine)
                results[name] = min(results.get(name, float("inf")), timed(run))
        engine.dispose()

    floor = total_rows / results["plain COPY"]
    print(f"{'path':<32} {'seconds':>8} {'rows/s':>10} {'vs COPY':>8}")
    for name, seconds in results.items():
        rate = total_rows / seconds
        print(f"{name:<32} {seconds:>8.3f} {rate:>10.0f} {rate / floor:>8.2f}")


if __name__ == "__main__":
    main()
