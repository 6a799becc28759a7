"""Two reports of the same six incidents, on different raw partitions, read by two workers.

The seed report (from shared/, skipped when absent) and a differently worded second report of the
same incidents (tests/data, written for sitrep) must become the seed's six canonical events, each
corroborated by both reports (sources_count 2), although the raw topic has 4 partitions, the two
reports land on different ones and two worker processes share the work.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from kafka.partitioner.default import murmur2
from sqlalchemy import select

from sinks.models import Event, Report
from sinks.store import make_engine
from tests.fixtures.pipeline import WorkerProcess, free_port, sitrep

pytestmark = pytest.mark.integration

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "report-0001.txt"
SECOND = Path(__file__).resolve().parents[1] / "data" / "seed-second-report.txt"
SEED_ID, SECOND_ID = "seed-report-0001", "second-report-0001"


def _partition(key: str, partitions: int = 4) -> int:
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def _report(report_id: str, path: Path, published_at: str) -> dict[str, str]:
    title, _, body = path.read_text(encoding="utf-8").strip().partition("\n\n")
    return {"id": report_id, "title": title.strip(), "text": body.strip(), "published_at": published_at}


@pytest.mark.skipif(
    not SEED.exists(), reason=f"the seed report is not at {SEED} (shared/ not beside the repo)"
)
def test_seed_and_a_second_report_corroborate_six_events_across_partitions_and_workers(
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[..., WorkerProcess],
    pg_url: str,
    tmp_path: Path,
) -> None:
    assert _partition(SEED_ID) != _partition(SECOND_ID), "the two keys must land on different partitions"
    env = pipeline_env(pg_url, SITREP_TOPIC_PARTITIONS="4")
    assert sitrep(["migrate"], env).returncode == 0
    first = start_worker(env)
    second = start_worker(
        {
            **env,
            # A port of its own: "the first one + 1" was once taken (CI: address already in use).
            "SITREP_WEB_PORT": str(free_port()),
            "SITREP_DATA_DIR": env["SITREP_DATA_DIR"] + "-2",
        }
    )
    time.sleep(3)  # let the group settle with both members before traffic

    reports = tmp_path / "pair.jsonl"
    reports.write_bytes(
        orjson.dumps(_report(SEED_ID, SEED, "2025-06-30T08:00:00+00:00"))
        + b"\n"
        + orjson.dumps(_report(SECOND_ID, SECOND, "2025-06-30T11:30:00+00:00"))
        + b"\n"
    )
    sent = sitrep(["ingest", str(reports), "--no-progress"], env)
    assert sent.returncode == 0, sent.stdout.decode() + sent.stderr.decode()

    engine = make_engine(pg_url)
    deadline = time.monotonic() + 120
    rows: list[Event] = []
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            stored = conn.execute(select(Report.id, Report.kafka_partition, Report.duplicate_of)).all()
            rows = list(conn.execute(select(Event).where(Event.status == "active")).all())
        if len(stored) == 2 and rows and all(r.sources_count == 2 for r in rows):
            break
        assert first.alive and second.alive, first.log_tail() + second.log_tail()
        time.sleep(0.5)
    engine.dispose()

    partitions = {r.id: r.kafka_partition for r in stored}
    assert partitions[SEED_ID] != partitions[SECOND_ID]
    assert all(r.duplicate_of is None for r in stored), "a differently worded report is not a duplicate"
    summary = sorted(
        (tuple(sorted(r.types)), r.admin1 or r.country, r.killed, r.injured, r.aircraft) for r in rows
    )
    assert len(rows) == 6, summary
    assert all(r.sources_count == 2 for r in rows), summary
    by_types = {tuple(sorted(r.types)): r for r in rows}
    assert by_types[("aircraft_loss", "casualty")].aircraft == "F-16"
    assert by_types[("aircraft_loss", "casualty")].killed == 1
    assert by_types[("airspace_response",)].country == "PL"
    assert by_types[("casualty",)].injured == 6 and by_types[("casualty",)].children == 1
    kills = sorted((r.admin1 or "") for r in rows if set(r.types) == {"strike", "casualty"})
    assert len(kills) == 2 and "Kharkiv" in kills[0] and "Kherson" in kills[1]
    assert all(r.killed == 1 for r in rows if set(r.types) == {"strike", "casualty"})

    assert first.stop(signal.SIGTERM) == 0
    assert second.stop(signal.SIGTERM) == 0
