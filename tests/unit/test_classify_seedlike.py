"""The seed report and a differently worded second report, read by the pure pipeline: six shared incidents.

No broker, no store: ``Pipeline.prepare``/``curate`` over one ``DedupeState`` (the e2e test runs the same pair
through Kafka and two workers).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sitrep.dedupe import DedupeState
from sitrep.model import Report
from sitrep.pipeline import Origin, Pipeline
from sitrep.settings import Settings

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "report-0001.txt"
SECOND = Path(__file__).resolve().parents[1] / "data" / "seed-second-report.txt"


def _report(report_id: str, path: Path, published: str) -> Report:
    title, _, body = path.read_text(encoding="utf-8").strip().partition("\n\n")
    return Report(
        id=report_id, text=body.strip(), title=title.strip(), published_at=datetime.fromisoformat(published)
    )


@pytest.mark.skipif(not SEED.exists(), reason=f"the seed report is not at {SEED}")
def test_second_report_corroborates_each_of_the_seeds_six_incidents() -> None:
    pipeline = Pipeline.from_settings(Settings())
    state = DedupeState({}, {}, {}, {}, {}, {})
    events: dict[str, dict[str, Any]] = {}
    pair = [
        _report("seed-report-0001", SEED, "2025-06-30T08:00:00+00:00"),
        _report("second-report-0001", SECOND, "2025-06-30T11:30:00+00:00"),
    ]
    for partition, report in enumerate(pair):
        outcome = pipeline.curate(pipeline.prepare(report, Origin("t", partition, 0)), state)
        events.update({row["id"]: row for row in outcome.record["events"]})
    live = [e for e in events.values() if e.get("status", "active") == "active" and not e.get("merged_into")]
    summary = sorted(
        (tuple(sorted(e["types"])), e.get("admin1") or e.get("country"), e.get("killed"), e.get("injured"))
        for e in live
    )
    assert summary == [
        (("aircraft_loss", "casualty"), "UA", 1, None),
        (("airspace_response",), "PL", None, None),
        (("casualty",), "Cherkasy oblast", None, 6),
        (("casualty", "strike"), "Kharkiv oblast", 1, None),
        (("casualty", "strike"), "Kherson oblast", 1, None),
        (("strike",), "UA", None, None),
    ]
    assert all(e["sources_count"] == 2 for e in live)
