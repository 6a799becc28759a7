"""``sitrep status``: exit 0 with a worker and rows; non-zero when the store or the broker is not there."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaProducer

from tests.fixtures.pipeline import WorkerProcess, free_port, sitrep

pytestmark = pytest.mark.integration

REPORT = {
    "id": "status-kherson-1",
    "text": "A Russian drone struck a minibus in Kherson on Tuesday, killing two people, the governor said.",
    "published_at": "2025-07-08T09:30:00+00:00",
}


def _status(env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    done = sitrep(["status", "--json", "--timeout", "3"], env)
    assert done.stdout, done.stderr.decode()
    return done.returncode, orjson.loads(done.stdout)


def test_status_is_healthy_with_a_worker_running_and_rows_in_the_store(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
    sqlite_url: str,
) -> None:
    env = pipeline_env(sqlite_url)
    assert sitrep(["migrate"], env).returncode == 0
    worker = start_worker(env)
    ns = env["SITREP_TOPIC_NAMESPACE"]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    producer.send(ns + "reports-raw-v1", key=REPORT["id"].encode(), value=orjson.dumps(REPORT)).get(10)
    producer.send(ns + "reports-raw-v1", key=b"junk", value=b"{junk").get(10)
    producer.close()

    deadline = time.monotonic() + 60
    while True:
        code, doc = _status(env)
        lag = {(r["topic"], r["partition"]): r for r in doc["lag"]}
        raw_lag = lag.get((ns + "reports-raw-v1", 0), {})
        if doc["store"]["rows"].get("reports") == 1 and raw_lag.get("committed") == 2:
            break
        assert time.monotonic() < deadline, (doc["lag"], doc["store"], doc["group_error"], worker.log_tail())
        time.sleep(1)

    assert code == 0 and doc["healthy"] and doc["problems"] == []
    assert doc["broker"]["reachable"] and doc["store"]["migrated"]
    assert doc["store"]["rows"]["events"] >= 1 and doc["store"]["newest_event_time"] is not None
    topics = {t["name"]: t for t in doc["topics"]}
    assert all(t["exists"] for t in topics.values())
    assert sum(topics[ns + "reports-raw-v1"]["end_offsets"].values()) == 2
    assert doc["dead_letters_last_hour"][ns + "reports-raw-v1-dlq"] == 1
    assert doc["group"] == env["SITREP_APP_ID"]
    assert raw_lag["lag"] == 0  # written by a plain producer: end offset = messages
    # The worker writes prepared and curated in transactions; each commit marker takes an offset, so
    # a caught-up group is 0 or 1 behind the end there.
    assert {r["topic"] for r in doc["lag"]} == {
        ns + t for t in ("reports-raw-v1", "reports-prepared-v1", "reports-curated-v1")
    }
    assert all(r["committed"] is not None and r["lag"] <= 1 for r in doc["lag"]), doc["lag"]

    table = sitrep(["status"], {**env, "COLUMNS": "200"})
    assert table.returncode == 0 and b"healthy" in table.stdout and b"reports-raw-v1-dlq" in table.stdout

    # The same deployment with its store pointing at nothing: unhealthy, and says why.
    nowhere = {**env, "SITREP_DATABASE_URL": f"postgresql://sitrep@127.0.0.1:{free_port()}/sitrep"}
    code, doc = _status(nowhere)
    assert code == 1 and not doc["healthy"]
    assert not doc["store"]["reachable"] and any("store unreachable" in p for p in doc["problems"])
    assert doc["broker"]["reachable"]
    assert worker.stop() == 0


def test_status_fails_when_the_broker_is_unreachable(
    pipeline_env: Callable[..., dict[str, str]], sqlite_url: str
) -> None:
    env = pipeline_env(sqlite_url, SITREP_KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}")
    assert sitrep(["migrate"], env).returncode == 0
    started = time.monotonic()
    code, doc = _status(env)
    assert code == 1 and not doc["broker"]["reachable"]
    assert any("broker unreachable" in p for p in doc["problems"])
    assert doc["store"]["migrated"]  # the store is fine; the broker alone makes it unhealthy
    assert time.monotonic() - started < 30  # a healthcheck must not hang
    assert sitrep(["status"], env).returncode == 1


def test_status_fails_on_an_unmigrated_store_and_missing_topics(
    pipeline_env: Callable[..., dict[str, str]], tmp_path: Path
) -> None:
    env = pipeline_env(f"sqlite:///{tmp_path / 'empty.db'}")
    (tmp_path / "empty.db").touch()
    code, doc = _status(env)
    assert code == 1
    assert any("not migrated" in p for p in doc["problems"])
    assert any("topics missing" in p for p in doc["problems"]), doc
    nothing = pipeline_env(f"sqlite:///{tmp_path / 'absent' / 'none.db'}")
    code, doc = _status(nothing)
    assert code == 1 and not doc["store"]["reachable"]
    assert not (tmp_path / "absent").exists()  # looking must not create the store
