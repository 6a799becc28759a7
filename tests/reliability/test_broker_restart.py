"""The Kafka broker stopped and started again mid-run (a dedicated broker, same data, same port).

The worker's clients reconnect; everything sent before the stop is on disk (acks=all), unacknowledged input
is read again from the last committed offsets, and the store ends up exactly as computed.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitrep.broker import BrokerInfo, start_broker, stop_broker
from sitrep.settings import Settings
from tests.fixtures.pipeline import WorkerProcess, sitrep
from tests.reliability.expected import assert_exactly, count_reports, settle, summary, wait_for_count
from tests.reliability.harness import expected_soon, ingest, reports, soak_only, timed, write_jsonl

pytestmark = pytest.mark.integration


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[tuple[Path, BrokerInfo]]:
    """A broker of this test's own (stopping the session broker would break every other test)."""
    home = tmp_path / "kafka"
    info = start_broker(home, port=None, version=Settings().kafka_version, ready_timeout=120)
    try:
        yield home, info
    finally:
        stop_broker(home)


def run_with_broker_restart(
    n: int,
    down_s: float,
    own_broker: tuple[Path, BrokerInfo],
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    home, info = own_broker
    # Batches of about a twelfth of the run: with the default 500 a 600-report run could be stored in two
    # batches before the broker stopped, and the test then had no mid-run to test (it failed its own check).
    env = pipeline_env(
        pg_url, SITREP_KAFKA_BOOTSTRAP_SERVERS=info.bootstrap, SITREP_SINK_BATCH_SIZE=str(max(1, n // 12))
    )
    assert sitrep(["migrate"], env).returncode == 0
    pending = expected_soon(n)
    with timed(f"broker restarted during {n} reports") as marks:
        worker = start_worker(env)
        ingest(env, write_jsonl(tmp_path / "reports.jsonl", reports(n)))
        marks["until first rows"] = wait_for_count(
            pg_url, 1, timeout=600, alive=lambda: worker.alive, describe=worker.log_tail
        )
        before = count_reports(pg_url)
        t0 = time.monotonic()
        assert stop_broker(home)
        time.sleep(down_s)
        restarted = start_broker(
            home,
            port=info.port,
            controller_port=info.controller_port,
            version=info.version,
            ready_timeout=120,
        )
        assert restarted.bootstrap == info.bootstrap
        marks["broker down and up"] = time.monotonic() - t0
        assert worker.alive, worker.log_tail()
        marks["drain"] = wait_for_count(
            pg_url, n, timeout=900, alive=lambda: worker.alive, describe=worker.log_tail
        )
        marks["waiting for expected rows"] = -time.monotonic()
        want = pending.result()
        marks["waiting for expected rows"] += time.monotonic()
        stored = settle(pg_url, want)
    print(f"[reliability] stored before the broker stopped: {before}; stored {summary(stored)}")
    assert before < n, "the broker must stop mid-run"
    assert_exactly(want, stored)
    assert worker.stop(signal.SIGTERM) == 0


def test_broker_restarted_mid_run_of_600_reports_loses_and_duplicates_nothing(
    own_broker: tuple[Path, BrokerInfo],
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    run_with_broker_restart(600, 3.0, own_broker, pg_url, pipeline_env, start_worker, tmp_path)


@pytest.mark.slow
@soak_only
def test_broker_restarted_mid_run_of_20000_reports_loses_and_duplicates_nothing(
    own_broker: tuple[Path, BrokerInfo],
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    tmp_path: Path,
) -> None:
    run_with_broker_restart(20_000, 15.0, own_broker, pg_url, pipeline_env, start_worker, tmp_path)
