"""PostgreSQL stopped mid-run and started again: the worker waits, retries, and then stores everything once.

The sink turns a connection failure into ``SinkUnavailable`` and retries the same batch with capped backoff,
never acknowledging it, so the outage costs time and nothing else; ``/ready`` says the store is the problem
while it lasts and the worker process stays up.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sinks.testing import PostgresServer
from tests.fixtures.pipeline import WorkerProcess, sitrep
from tests.reliability.expected import assert_exactly, count_reports, settle, summary, wait_for_count
from tests.reliability.harness import expected_soon, reports, soak_only, start_ingest, timed, write_jsonl

pytestmark = pytest.mark.integration


def run_with_outage(
    n: int,
    outage_s: float,
    pg_server: PostgresServer,
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    env = pipeline_env(pg_url)
    assert sitrep(["migrate"], env).returncode == 0
    pending = expected_soon(n)
    with timed(f"PostgreSQL down {outage_s:.0f}s during {n} reports") as marks:
        worker = start_worker(env)
        producer = start_ingest(env, write_jsonl(tmp_path / "reports.jsonl", reports(n)))
        marks["until first rows"] = wait_for_count(
            pg_url, 1, timeout=600, alive=lambda: worker.alive, describe=worker.log_tail
        )
        before = count_reports(pg_url)
        pg_server.stop()
        down_at = time.monotonic()
        try:
            # /ready turns 503 and names the store while it is away; the process itself stays up.
            status, body = 0, b""
            while time.monotonic() - down_at < outage_s:
                status, body = worker.get("/ready")
                if status == 503:
                    break
                time.sleep(0.5)
            assert status == 503, (status, body)
            problems = json.loads(body)["problems"]
            assert any(p.startswith("store:") for p in problems), problems
            time.sleep(max(0.0, outage_s - (time.monotonic() - down_at)))
            assert worker.alive, worker.log_tail()
        finally:
            pg_server.start()
        marks["outage"] = time.monotonic() - down_at
        out, _ = producer.communicate(timeout=600)
        assert producer.returncode == 0, out.decode(errors="replace")[-3000:]
        marks["drain"] = wait_for_count(
            pg_url, n, timeout=900, alive=lambda: worker.alive, describe=worker.log_tail
        )
        assert worker.get("/ready")[0] == 200
        retries = [
            line
            for line in worker.get("/metrics")[1].decode().splitlines()
            if line.startswith("sitrep_sink_retries_total ")
        ]
        marks["waiting for expected rows"] = -time.monotonic()
        want = pending.result()
        marks["waiting for expected rows"] += time.monotonic()
        stored = settle(pg_url, want)
    print(f"[reliability] stored before the outage: {before}; {retries}; stored {summary(stored)}")
    assert before < n, "the outage must start mid-run"
    assert retries and float(retries[0].split()[-1]) > 0, "the sink never met the outage"
    assert_exactly(want, stored)
    assert worker.stop(signal.SIGTERM) == 0


def test_postgresql_down_for_8_seconds_mid_run_of_600_reports_loses_and_duplicates_nothing(
    pg_server: PostgresServer,
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    run_with_outage(600, 8.0, pg_server, pg_url, pipeline_env, start_worker, tmp_path)


@pytest.mark.slow
@soak_only
def test_postgresql_down_for_30_seconds_mid_run_of_20000_reports_loses_and_duplicates_nothing(
    pg_server: PostgresServer,
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    run_with_outage(20_000, 30.0, pg_server, pg_url, pipeline_env, start_worker, tmp_path)
