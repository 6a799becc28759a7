"""``sitrep worker`` as an operator meets it: /health, /ready, /metrics, JSON logs and a clean SIGTERM.

Whole processes on the session broker: the worker is started exactly as a user starts it, fed
through ``sitrep ingest`` or a plain producer, and stopped with a signal.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from sinks.models import Report
from sinks.store import make_engine
from tests.fixtures.pipeline import WorkerProcess, sitrep

pytestmark = pytest.mark.integration

PLACES = ["Kherson", "Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Sumy", "Mykolaiv", "Chernihiv", "Poltava"]
WEAPONS = ["drone", "missile", "glide bomb", "artillery shell", "rocket"]
TARGETS = [
    "a minibus",
    "a warehouse",
    "a railway depot",
    "an apartment block",
    "a power substation",
    "a school",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


def synthetic_reports(n: int) -> list[dict[str, str]]:
    """``n`` distinct made-up reports (varied place, weapon, target, counts and day)."""
    out = []
    for i in range(n):
        place, weapon = PLACES[i % len(PLACES)], WEAPONS[(i // 9) % len(WEAPONS)]
        target, day = TARGETS[(i // 45) % len(TARGETS)], DAYS[(i // 7) % len(DAYS)]
        killed, injured = NUMBERS[i % 12], NUMBERS[(i // 12) % 12]
        out.append(
            {
                "id": f"ops-{i:05d}",
                "text": (
                    f"A Russian {weapon} struck {target} in {place} on {day}, killing {killed} people and "
                    f"wounding {injured} others, the regional administration said in bulletin number {i}."
                ),
                "published_at": f"2025-07-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+00:00",
            }
        )
    return out


def _stored(url: str) -> tuple[int, set[str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ids = list(conn.scalars(select(Report.id)))
            count = conn.scalar(select(func.count()).select_from(Report))
    finally:
        engine.dispose()
    return int(count or 0), set(ids)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_the_traffic_and_ready_says_so(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
    sqlite_url: str,
) -> None:
    env = pipeline_env(sqlite_url)
    assert sitrep(["migrate"], env).returncode == 0
    worker = start_worker(env)
    status, body = worker.get("/ready")
    assert status == 200 and json.loads(body) == {"ready": True, "problems": []}
    assert worker.get("/health") == (200, b'{"status":"ok"}')

    ns = env["SITREP_TOPIC_NAMESPACE"]
    raw = ns + "reports-raw-v1"
    reports = synthetic_reports(20)
    exact = {**reports[0], "id": "ops-exact-copy"}
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for report in [*reports, exact]:
        producer.send(raw, key=report["id"].encode(), value=orjson.dumps(report))
    producer.send(raw, key=b"poison", value=b"{not json")
    producer.flush()
    producer.close()

    deadline = time.monotonic() + 90
    while True:
        samples = _samples(worker.get("/metrics")[1].decode())
        stored, _ = _stored(sqlite_url)
        lag_seen = any(name == "sitrep_consumer_lag" for name, _ in samples)
        if stored == 21 and lag_seen:
            break
        assert time.monotonic() < deadline and worker.alive, (stored, worker.log_tail())
        time.sleep(0.5)

    families = {f.name for f in text_string_to_metric_families(worker.get("/metrics")[1].decode())}
    assert {
        "sitrep_messages_in",
        "sitrep_messages_out",
        "sitrep_dead_letters",
        "sitrep_classify_seconds",
        "sitrep_sink_batch_seconds",
        "sitrep_sink_batch_size",
        "sitrep_consumer_lag",
        "sitrep_events",
        "sitrep_events_by_type",
        "sitrep_duplicates",
    } <= families

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("sitrep_messages_in_total", topic=raw) == 22
    assert value("sitrep_messages_in_total", topic=ns + "reports-prepared-v1") == 21
    assert value("sitrep_messages_in_total", topic=ns + "reports-curated-v1") == 21
    assert value("sitrep_messages_out_total", topic=ns + "reports-prepared-v1") == 21
    assert value("sitrep_messages_out_total", topic=ns + "reports-raw-v1-dlq") == 1
    assert value("sitrep_messages_out_total", topic=ns + "events-classified-v1") >= 1
    assert value("sitrep_messages_out_total", topic=ns + "events-strike-v1") >= 1
    assert value("sitrep_dead_letters_total", reason="invalid_json") == 1
    assert value("sitrep_duplicates_total", kind="exact") == 1
    assert value("sitrep_events_by_type_total", type="strike") >= 1
    assert value("sitrep_events_by_type_total", type="casualty") >= 1
    assert value("sitrep_events_total", change="created") >= 1
    assert value("sitrep_classify_seconds_count") == 21
    assert value("sitrep_sink_batch_size_sum") == 21
    assert value("sitrep_sink_batch_seconds_count") >= 1
    lag = {labels: v for (name, labels), v in samples.items() if name == "sitrep_consumer_lag"}
    assert (("partition", "0"), ("topic", raw)) in lag
    assert all(v >= 0 for v in lag.values())
    assert worker.stop() == 0


def test_ready_is_503_while_the_store_is_unreachable(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    pg_server: object,
    pg_url: str,
) -> None:
    env = pipeline_env(pg_url)
    assert sitrep(["migrate"], env).returncode == 0
    worker = start_worker(env)
    assert worker.get("/ready")[0] == 200
    pg_server.stop()  # type: ignore[attr-defined]
    try:
        status, body = worker.get("/ready")
        assert status == 503, body
        doc = json.loads(body)
        assert doc["ready"] is False and any(p.startswith("store:") for p in doc["problems"])
        assert worker.get("/health")[0] == 200  # alive, just not ready
    finally:
        pg_server.start()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while worker.get("/ready")[0] != 200:
        assert time.monotonic() < deadline, worker.log_tail()
        time.sleep(0.5)
    assert worker.stop() == 0


def test_sigterm_mid_run_exits_cleanly_and_a_restart_stores_every_report_exactly_once(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    pg_url: str,
    tmp_path: Path,
) -> None:
    total = 2000
    env = pipeline_env(pg_url, SITREP_TOPIC_PARTITIONS="2", SITREP_SINK_BATCH_SIZE="100")
    assert sitrep(["migrate"], env).returncode == 0
    reports = synthetic_reports(total)
    path = tmp_path / "many.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in reports))
    worker = start_worker(env)
    sent = sitrep(["ingest", str(path), "--no-progress"], env, timeout=300)
    assert sent.returncode == 0, sent.stderr.decode()

    deadline = time.monotonic() + 300  # generous: a loaded 2-core CI machine is slow to start
    while (stored := _stored(pg_url)[0]) < 100:
        assert time.monotonic() < deadline and worker.alive, worker.log_tail()
        time.sleep(0.1)
    assert stored < total, "the run finished before SIGTERM: make it longer"

    started = time.monotonic()
    assert worker.stop(signal.SIGTERM, timeout=45) == 0
    took = time.monotonic() - started
    assert took < 30, f"SIGTERM took {took:.1f}s"
    at_stop, _ = _stored(pg_url)
    assert at_stop < total

    worker = start_worker(env)
    deadline = time.monotonic() + 300
    while (stored := _stored(pg_url)[0]) < total:
        assert time.monotonic() < deadline and worker.alive, (stored, worker.log_tail())
        time.sleep(0.5)
    time.sleep(2)  # anything redelivered after the restart would show up as extra rows by now
    count, ids = _stored(pg_url)
    assert count == total and ids == {r["id"] for r in reports}
    assert worker.stop(signal.SIGINT) == 0


def test_json_log_format_writes_one_json_object_per_line(
    pipeline_env: Callable[..., dict[str, str]], kafka_bootstrap: str, sqlite_url: str, tmp_path: Path
) -> None:
    env = pipeline_env(sqlite_url)
    assert sitrep(["migrate"], env).returncode == 0
    log_path = tmp_path / "worker.jsonl"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sitrep.cli", "worker", "--log-format", "json"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(env, log_path)
    worker.proc = proc
    try:
        deadline = time.monotonic() + 120
        while worker.get("/ready")[0] != 200:
            assert time.monotonic() < deadline and worker.alive, worker.log_tail()
            time.sleep(0.5)
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        producer.send(env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1", value=b"{not json").get(10)
        producer.close()
        deadline = time.monotonic() + 30
        while b"dead letter" not in log_path.read_bytes():
            assert time.monotonic() < deadline, worker.log_tail()
            time.sleep(0.3)
    finally:
        assert worker.stop(signal.SIGTERM) == 0
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    docs = [json.loads(line) for line in lines]  # raises on the first line that is not JSON
    assert len(docs) >= 5
    assert all({"ts", "level", "logger", "message"} <= set(d) for d in docs)
    loggers = {d["logger"] for d in docs}
    assert "sitrep.worker" in loggers
    assert any(name.startswith(("faust", "mode", "aiokafka")) for name in loggers), loggers


def test_sigterm_while_the_store_is_down_exits_cleanly_and_loses_nothing(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    kafka_bootstrap: str,
    pg_server: object,
    pg_url: str,
) -> None:
    env = pipeline_env(pg_url)
    assert sitrep(["migrate"], env).returncode == 0
    worker = start_worker(env)
    reports = synthetic_reports(5)
    pg_server.stop()  # type: ignore[attr-defined]
    try:
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        for report in reports:
            producer.send(env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1", value=orjson.dumps(report))
        producer.flush()
        producer.close()
        deadline = time.monotonic() + 60
        while _samples(worker.get("/metrics")[1].decode()).get(("sitrep_sink_retries_total", ()), 0) < 2:
            assert time.monotonic() < deadline and worker.alive, worker.log_tail()
            time.sleep(0.3)
        started = time.monotonic()
        assert worker.stop(signal.SIGTERM, timeout=45) == 0  # mid-retry: the batch is abandoned, unacked
        assert time.monotonic() - started < 30
    finally:
        pg_server.start()  # type: ignore[attr-defined]
    assert _stored(pg_url)[0] == 0

    worker = start_worker(env)
    deadline = time.monotonic() + 90
    while _stored(pg_url)[1] != {r["id"] for r in reports}:
        assert time.monotonic() < deadline and worker.alive, worker.log_tail()
        time.sleep(0.3)
    assert worker.stop() == 0
