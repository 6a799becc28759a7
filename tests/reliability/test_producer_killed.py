"""``sitrep ingest`` SIGKILLed mid-file and run again over the whole file: what it sent twice is stored once.

The re-run re-sends every report the killed run already delivered (it cannot know which were confirmed);
the decision owner answers a report id it has seen with its recorded decision, and the sink's upserts are
keyed by report id, so the duplicates on the raw topic leave no trace in the store.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.fixtures.pipeline import WorkerProcess, sitrep
from tests.reliability.expected import assert_exactly, settle, summary, wait_for_count
from tests.reliability.harness import (
    expected_soon,
    ingest,
    raw_end_offset,
    reports,
    soak_only,
    timed,
    write_jsonl,
)

pytestmark = pytest.mark.integration


def run_with_producer_kill(
    n: int,
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    env = pipeline_env(pg_url)
    assert sitrep(["migrate"], env).returncode == 0
    pending = expected_soon(n)
    raw_topic = env["SITREP_TOPIC_NAMESPACE"] + "reports-raw-v1"
    bootstrap = env["SITREP_KAFKA_BOOTSTRAP_SERVERS"]
    items = reports(n)
    with timed(f"producer SIGKILLed mid-file of {n} reports, then re-run") as marks:
        worker = start_worker(env)
        # The first run reads the file through a pipe, so it is provably in the middle of it when killed:
        # the first half has been written to it, the second half never will be.
        first = subprocess.Popen(
            [sys.executable, "-m", "sitrep.cli", "ingest", "-", "--no-progress"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert first.stdin is not None
        first.stdin.write(b"".join(orjson.dumps(item) + b"\n" for item in items[: n // 2]))
        first.stdin.flush()
        deadline = time.monotonic() + 120
        while raw_end_offset(bootstrap, raw_topic) < n // 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        first.stdin.close()
        sent_by_killed = raw_end_offset(bootstrap, raw_topic)
        ingest(env, write_jsonl(tmp_path / "reports.jsonl", items))
        on_topic = raw_end_offset(bootstrap, raw_topic)
        marks["drain"] = wait_for_count(
            pg_url, n, timeout=900, alive=lambda: worker.alive, describe=worker.log_tail
        )
        marks["waiting for expected rows"] = -time.monotonic()
        want = pending.result()
        marks["waiting for expected rows"] += time.monotonic()
        stored = settle(pg_url, want)
    print(
        f"[reliability] killed producer delivered {sent_by_killed}; raw topic holds {on_topic}; "
        f"stored {summary(stored)}"
    )
    assert n // 4 <= sent_by_killed < n, "the producer must be killed mid-file"
    assert on_topic == n + sent_by_killed, "the re-run sends the whole file again"
    assert_exactly(want, stored)
    assert worker.stop(signal.SIGTERM) == 0


def test_producer_killed_mid_file_of_600_reports_and_rerun_stores_every_report_once(
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    run_with_producer_kill(600, pg_url, pipeline_env, start_worker, tmp_path)


@pytest.mark.slow
@soak_only
def test_producer_killed_mid_file_of_20000_reports_and_rerun_stores_every_report_once(
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    run_with_producer_kill(20_000, pg_url, pipeline_env, start_worker, tmp_path)
