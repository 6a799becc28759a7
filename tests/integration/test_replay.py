"""``sitrep replay`` against a real broker and real stores (SQLite and PostgreSQL), run as a user runs it.

Each test gets its own topic namespace and app id (``pipeline_env``); messages are produced with explicit
timestamps so time ranges are exact.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy import Engine, func, select

import schemas
from sinks.models import Base, Event, EventMention, Report
from sinks.store import make_engine
from sinks.testing import PostgresServer
from tests.fixtures.kafka import MakeTopic
from tests.fixtures.pipeline import WorkerProcess, sitrep

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[2] / "sitrep" / "samples" / "reports.jsonl"
RULES = Path(__file__).resolve().parents[2] / "sitrep" / "rules" / "v1.json"
HOUR = 3_600_000
# Two days ago on the hour: recent enough that the broker's default 7-day retention keeps every message.
T0 = (int(time.time() * 1000) // HOUR - 48) * HOUR


def samples() -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in SAMPLES.read_bytes().splitlines() if line.strip()]


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ms / 1000))


def produce(bootstrap: str, topic: str, messages: list[tuple[int, int, bytes]]) -> None:
    """Send ``(partition, timestamp_ms, value)`` messages in order, each acknowledged by the broker."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for partition, ts, value in messages:
            producer.send(topic, value=value, partition=partition, timestamp_ms=ts).get(timeout=10)
    finally:
        producer.close()


def store_rows(url: str, *, skip: frozenset[str] = frozenset()) -> list[str]:
    """Every row of every table in primary-key order, as canonical JSON, leaving out columns in ``skip``."""
    engine = make_engine(url)
    rows: list[str] = []
    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if c.name not in skip]
                order = list(table.primary_key.columns)
                for row in connection.execute(select(*columns).order_by(*order)):
                    # Canonical JSON: JSONB hands back object keys in its own order.
                    rows.append(table.name + " " + json.dumps(list(row), sort_keys=True, default=str))
    finally:
        engine.dispose()
    return rows


def store_digest(url: str, *, skip: frozenset[str] = frozenset()) -> str:
    """A hash over the ordered rows of every table (see ``store_rows``)."""
    return hashlib.sha256("\n".join(store_rows(url, skip=skip)).encode()).hexdigest()


def query(url: str, fn: Callable[[Any], Any]) -> Any:
    engine: Engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return fn(connection)
    finally:
        engine.dispose()


def stored_report_ids(url: str) -> set[str]:
    return set(query(url, lambda c: c.scalars(select(Report.id)).all()))


def replay(args: list[str], env: dict[str, str]) -> Any:
    done = sitrep(["replay", *args, "--no-progress"], env, timeout=300)
    return done


def out(done: Any) -> str:
    return str(done.stdout.decode() + done.stderr.decode())


def consume_all(bootstrap: str, topic: str, *, idle_ms: int = 3000) -> list[Any]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=idle_ms
    )
    try:
        return list(consumer)
    finally:
        consumer.close()


def committed_offset(admin: Any, group: str, topic: str) -> int | None:
    tp = TopicPartition(topic, 0)
    found = admin.list_group_offsets({group: [tp]}).get(group, {}).get(tp)
    return None if found is None or found.offset < 0 else int(found.offset)


@pytest.fixture
def migrated(pipeline_env: Callable[..., dict[str, str]], tmp_path: Path) -> Callable[[str], dict[str, str]]:
    """``make(url)``: a migrated store and the environment of an isolated pipeline on it.

    The rule set is a snapshot taken now, so the worker and every replay of one test classify alike even
    while the bundled rules are being edited.
    """
    pinned = tmp_path / "rules-pinned.json"
    pinned.write_bytes(RULES.read_bytes())

    def make(url: str) -> dict[str, str]:
        env = pipeline_env(url, SITREP_RULES_PATH=str(pinned))
        done = sitrep(["migrate"], env)
        assert done.returncode == 0, out(done)
        return env

    return make


def test_a_time_range_replays_exactly_the_messages_inside_it(
    migrated: Callable[[str], dict[str, str]], make_topic: MakeTopic, kafka_bootstrap: str, sqlite_url: str
) -> None:
    env = migrated(sqlite_url)
    topic = make_topic(env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1", partitions=2)
    docs = samples()
    # One message an hour, alternating partitions; a poison message sits inside the range.
    messages = [(i % 2, T0 + i * HOUR, orjson.dumps(d)) for i, d in enumerate(docs)]
    poison_at = T0 + 5 * HOUR + HOUR // 2
    messages.insert(6, (0, poison_at, b"{not json"))
    produce(kafka_bootstrap, topic, messages)

    since, until = T0 + 4 * HOUR, T0 + 9 * HOUR  # [since, until): docs 4..8 and the poison message
    in_range = [(p, ts, v) for p, ts, v in messages if since <= ts < until]
    expected_ids = {orjson.loads(v)["id"] for _, _, v in in_range if v.startswith(b'{"')}
    args = ["--since", iso(since), "--until", iso(until).replace("+00:00", "")]  # naive = UTC

    planned = replay([*args, "--dry-run"], env)
    assert planned.returncode == 0, out(planned)
    counts = {
        int(p): int(n)
        for p, n in re.findall(r"partition (\d+): offsets \[\d+, \d+\) (\d+) messages", out(planned))
    }
    assert counts == {p: sum(1 for q, _, _ in in_range if q == p) for p in (0, 1)}
    assert f"total: {len(in_range)} messages in range" in out(planned)
    assert stored_report_ids(sqlite_url) == set()  # a dry run reads and writes nothing

    done = replay(args, env)
    assert done.returncode == 0, out(done)
    assert stored_report_ids(sqlite_url) == expected_ids, out(done)
    assert "1 poison messages skipped" in out(done)
    assert f"after {sum(1 for _, ts, _ in messages if ts < since)} warm-up messages" in out(done)


def test_a_replay_seeded_from_earlier_messages_decides_duplicates_like_a_full_replay(
    migrated: Callable[[str], dict[str, str]], make_topic: MakeTopic, kafka_bootstrap: str, sqlite_url: str
) -> None:
    env = migrated(sqlite_url)
    topic = make_topic(env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1")
    original = samples()[0]
    copy = {**original, "id": "copy-of-first", "source": "Another Wire"}
    produce(kafka_bootstrap, topic, [(0, T0, orjson.dumps(original)), (0, T0 + HOUR, orjson.dumps(copy))])

    done = replay(["--from-offset", "1"], env)
    assert done.returncode == 0, out(done)
    rows = query(sqlite_url, lambda c: c.execute(select(Report.id, Report.duplicate_of)).all())
    assert [tuple(r) for r in rows] == [("copy-of-first", original["id"])]


def test_one_partition_is_replayed_with_decisions_informed_by_the_others(
    migrated: Callable[[str], dict[str, str]], make_topic: MakeTopic, kafka_bootstrap: str, sqlite_url: str
) -> None:
    env = migrated(sqlite_url)
    topic = make_topic(env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1", partitions=2)
    original, other = samples()[0], samples()[1]
    copy = {**original, "id": "copy-of-first", "source": "Another Wire"}
    produce(
        kafka_bootstrap,
        topic,
        [
            (0, T0, orjson.dumps(original)),
            (1, T0 + HOUR, orjson.dumps(copy)),
            (0, T0 + 2 * HOUR, orjson.dumps(other)),
        ],
    )

    planned = replay(["--from-beginning", "--partition", "1", "--dry-run"], env)
    assert planned.returncode == 0, out(planned)
    assert "partition 0: not replayed; up to 2 messages warm the state" in out(planned)
    assert "partition 1: offsets [0, 1) 1 messages" in out(planned)

    done = replay(["--from-beginning", "--partition", "1"], env)
    assert done.returncode == 0, out(done)
    rows = query(sqlite_url, lambda c: c.execute(select(Report.id, Report.duplicate_of)).all())
    assert [tuple(r) for r in rows] == [("copy-of-first", original["id"])]


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_replaying_twice_leaves_the_store_byte_for_byte_the_same(
    store: str,
    request: pytest.FixtureRequest,
    migrated: Callable[[str], dict[str, str]],
    make_topic: MakeTopic,
    kafka_bootstrap: str,
) -> None:
    url = request.getfixturevalue("pg_url" if store == "postgresql" else "sqlite_url")
    env = migrated(url)
    topic = make_topic(env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1", partitions=2)
    produce(
        kafka_bootstrap, topic, [(i % 2, T0 + i * HOUR, orjson.dumps(d)) for i, d in enumerate(samples())]
    )

    first = replay(["--from-beginning", "--batch-size", "4"], env)
    assert first.returncode == 0, out(first)
    digest = store_digest(url)
    time.sleep(1.1)  # a column stamped with the clock on write would now differ
    second = replay(["--from-beginning", "--batch-size", "3"], env)
    assert second.returncode == 0, out(second)
    assert store_digest(url) == digest
    assert stored_report_ids(url) == {d["id"] for d in samples()}


def test_a_rebuild_after_a_live_run_reproduces_what_the_worker_wrote(
    migrated: Callable[[str], dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    pg_server: PostgresServer,
    pg_url: str,
) -> None:
    env = migrated(pg_url)
    worker = start_worker(env)
    sent = sitrep(["ingest", str(SAMPLES), "--no-progress"], env)
    assert sent.returncode == 0, out(sent)
    ids = {d["id"] for d in samples()}
    deadline = time.monotonic() + 120
    while stored_report_ids(pg_url) != ids:
        assert time.monotonic() < deadline, (
            f"the worker stored {stored_report_ids(pg_url)}\n{worker.log_tail()}"
        )
        assert worker.alive, worker.log_tail()
        time.sleep(0.5)
    assert worker.stop(signal.SIGTERM) == 0
    lived = store_rows(pg_url)
    n_events = query(pg_url, lambda c: c.execute(select(func.count()).select_from(Event)).scalar_one())
    assert n_events > 0

    # Into a fresh store: every row the worker wrote, except when each report row was first inserted.
    fresh_db = pg_server.create_database()
    fresh_url = pg_server.url(fresh_db)
    try:
        fresh_env = {**env, "SITREP_DATABASE_URL": fresh_url}
        assert sitrep(["migrate"], fresh_env).returncode == 0
        rebuilt = replay(["--from-beginning"], fresh_env)
        assert rebuilt.returncode == 0, out(rebuilt)
        skip = frozenset({"ingested_at"})
        assert store_rows(fresh_url, skip=skip) == store_rows(pg_url, skip=skip)
    finally:
        pg_server.drop_database(fresh_db)

    # Over the worker's own store: nothing changes at all.
    again = replay(["--from-beginning"], env)
    assert again.returncode == 0, out(again)
    assert store_rows(pg_url) == lived
    assert store_digest(pg_url) == hashlib.sha256("\n".join(lived).encode()).hexdigest()


def _changed_rules(tmp_path: Path, version: str) -> Path:
    rules = json.loads((tmp_path / "rules-pinned.json").read_text(encoding="utf-8"))
    rules["version"] = version
    path = tmp_path / "rules-test.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    return path


def test_recuration_with_a_changed_rule_set_updates_events_and_publishes_them(
    migrated: Callable[[str], dict[str, str]],
    make_topic: MakeTopic,
    kafka_bootstrap: str,
    pg_url: str,
    tmp_path: Path,
) -> None:
    env = migrated(pg_url)
    ns = env["SITREP_TOPIC_NAMESPACE"]
    topic = make_topic(ns + "reports-raw-v1")
    produce(kafka_bootstrap, topic, [(0, T0 + i * HOUR, orjson.dumps(d)) for i, d in enumerate(samples())])
    built = replay(["--from-beginning"], env)
    assert built.returncode == 0, out(built)
    before = {
        e.id: e
        for e in query(pg_url, lambda c: c.execute(select(Event.id, Event.revision, Event.status)).all())
    }

    rules = _changed_rules(tmp_path, "rules-test-2")
    recurated = replay(["--from-beginning", "--mode", "recurate", "--rules", str(rules)], env)
    assert recurated.returncode == 0, out(recurated)

    after = query(pg_url, lambda c: c.execute(select(Event)).all())
    assert {e.id for e in after} == set(before)  # updated in place, nothing duplicated
    assert {e.classifier_version for e in after} == {"rules-test-2"}
    assert all(e.revision == before[e.id].revision + 1 for e in after)
    assert {e.last_change for e in after} <= {"updated", "merged"}
    reports = query(pg_url, lambda c: c.execute(select(Report.classifier_version)).scalars().all())
    assert set(reports) == {"rules-test-2"}

    published = consume_all(kafka_bootstrap, ns + "events-classified-v1")
    docs = [orjson.loads(m.value) for m in published]
    for doc in docs:
        schemas.validate("events-classified-v1", doc)
    assert {d["event_id"] for d in docs} == set(before)
    assert {d["change"] for d in docs} <= {"updated", "merged"}
    assert "updated" in {d["change"] for d in docs}
    assert all(d["revision"] == before[d["event_id"]].revision + 1 for d in docs)
    assert {m.key.decode() for m in published} == {d["event_id"] for d in docs}
    strike_keys = {
        m.key.decode() for m in consume_all(kafka_bootstrap, ns + "events-strike-v1", idle_ms=1500)
    }
    assert strike_keys == {d["event_id"] for d in docs if "strike" in d["event"]["types"]}

    # The same re-curation again changes nothing and publishes nothing.
    digest = store_digest(pg_url)
    again = replay(["--from-beginning", "--mode", "recurate", "--rules", str(rules)], env)
    assert again.returncode == 0, out(again)
    assert "published 0 event changes" in out(again)
    assert store_digest(pg_url) == digest
    assert len(consume_all(kafka_bootstrap, ns + "events-classified-v1", idle_ms=1500)) == len(docs)


def test_recuration_without_airspace_rules_moves_events_out_of_that_type_and_tells_its_subscribers(
    migrated: Callable[[str], dict[str, str]],
    make_topic: MakeTopic,
    kafka_bootstrap: str,
    sqlite_url: str,
    tmp_path: Path,
) -> None:
    env = migrated(sqlite_url)
    ns = env["SITREP_TOPIC_NAMESPACE"]
    topic = make_topic(ns + "reports-raw-v1")
    produce(kafka_bootstrap, topic, [(0, T0 + i * HOUR, orjson.dumps(d)) for i, d in enumerate(samples())])
    assert replay(["--from-beginning"], env).returncode == 0

    def linked_airspace_events(connection: Any) -> set[str]:
        linked = select(EventMention.event_id)
        rows = connection.execute(select(Event.id, Event.types).where(Event.id.in_(linked))).all()
        return {r.id for r in rows if "airspace_response" in r.types}

    assert query(sqlite_url, linked_airspace_events)  # the samples have interceptions and scrambles
    rules = json.loads((tmp_path / "rules-pinned.json").read_text(encoding="utf-8"))
    for name in ("scramble", "intercept", "air_defence", "airspace_closed", "air_alert"):
        rules["patterns"][name] = "(?!x)x"  # a pattern that never matches: the trigger is gone
    rules["version"] = "rules-without-airspace"
    path = tmp_path / "rules-without-airspace.json"
    path.write_text(json.dumps(rules), encoding="utf-8")

    done = replay(["--from-beginning", "--mode", "recurate", "--rules", str(path)], env)
    assert done.returncode == 0, out(done)
    assert query(sqlite_url, linked_airspace_events) == set()
    left = [orjson.loads(m.value) for m in consume_all(kafka_bootstrap, ns + "events-airspace-response-v1")]
    assert left, "subscribers of the airspace topic must hear that events left it"
    for doc in left:
        schemas.validate("events-classified-v1", doc)
        assert doc["change"] == "updated"
        assert "airspace_response" not in doc["event"]["types"]


def test_resetting_the_worker_group_is_refused_while_a_worker_runs_and_rewinds_it_once_stopped(
    migrated: Callable[[str], dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
    sqlite_url: str,
) -> None:
    env = migrated(sqlite_url)
    worker = start_worker(env)
    topic = env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1"  # the worker created it
    produce(
        kafka_bootstrap, topic, [(0, T0 + i * HOUR, orjson.dumps(d)) for i, d in enumerate(samples()[:3])]
    )
    group = env["SITREP_APP_ID"]
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        deadline = time.monotonic() + 60
        while committed_offset(admin, group, topic) != 3:  # the worker has read all three
            assert time.monotonic() < deadline, worker.log_tail()
            time.sleep(0.5)

        refused = replay(["--from-beginning", "--reset-worker-group"], env)
        assert refused.returncode == 2, out(refused)
        assert "refused" in out(refused) and "active member" in out(refused)
        assert committed_offset(admin, group, topic) == 3  # untouched

        assert worker.stop(signal.SIGTERM) == 0
        deadline = time.monotonic() + 30
        while admin.describe_groups([group])[group].get("members"):
            assert time.monotonic() < deadline
            time.sleep(0.5)
        rewound = replay(["--from-offset", "1", "--reset-worker-group"], env)
        assert rewound.returncode == 0, out(rewound)
        assert committed_offset(admin, group, topic) == 1
    finally:
        admin.close()


def test_clear_errors_for_a_missing_topic_a_bad_datetime_and_an_unreachable_broker(
    migrated: Callable[[str], dict[str, str]], sqlite_url: str
) -> None:
    env = migrated(sqlite_url)
    missing = replay(["--from-beginning"], env)
    assert missing.returncode == 1
    assert "does not exist" in out(missing)

    bad = replay(["--since", "last tuesday"], env)
    assert bad.returncode == 2
    assert "ISO 8601" in out(bad)

    unreachable = replay(["--from-beginning"], {**env, "SITREP_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"})
    assert unreachable.returncode == 1
    assert "no Kafka broker answers at 127.0.0.1:1" in out(unreachable)
