"""The pure pipeline: what the agents hand the sink and the subscribers, decided without Kafka."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

import schemas
from sitrep.dedupe import DedupeState
from sitrep.model import Report
from sitrep.pipeline import Origin, Pipeline
from sitrep.settings import Settings

STRIKE = (
    "A Russian drone struck a minibus in Kherson on Sunday morning, killing one man and wounding three, "
    "the regional governor said."
)
SECOND = (
    "Officials in Kherson said two people died after a drone hit a minibus on Sunday; three passengers "
    "were taken to hospital with injuries."
)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(Settings())


def _report(report_id: str, text: str, hour: int = 8) -> Report:
    return Report(id=report_id, text=text, published_at=datetime(2025, 6, 29, hour, tzinfo=UTC))


def test_curated_record_and_published_events_follow_their_schemas(pipeline: Pipeline) -> None:
    outcome = pipeline.curate(
        pipeline.prepare(_report("r1", STRIKE), Origin("reports-raw-v1", 0, 7)), DedupeState.empty()
    )
    schemas.validate("reports-curated-v1", outcome.record)
    assert outcome.publications
    for publication in outcome.publications:
        schemas.validate("events-classified-v1", publication.message)
    event = outcome.record["events"][0]
    assert event["change"] == "created" and event["revision"] == 1
    assert event["killed"] == 1 and event["injured"] == 3 and event["country"] == "UA"
    assert event["confidence"] is not None and event["actor"] == "Russia"


def test_prepared_message_round_trips_through_its_encoding(pipeline: Pipeline) -> None:
    prepared = pipeline.prepare(_report("r1", STRIKE), Origin("reports-raw-v1", 2, 40, 1_751_183_000_000))
    encoded = pipeline.dump_prepared(prepared)
    schemas.validate("reports-prepared-v1", orjson.loads(encoded))
    assert pipeline.load_prepared(encoded) == prepared


def test_a_second_source_updates_the_event_with_a_higher_revision_and_both_figures(
    pipeline: Pipeline,
) -> None:
    state = DedupeState.empty()
    first = pipeline.curate(pipeline.prepare(_report("r1", STRIKE), Origin("t", 0, 0)), state)
    second = pipeline.curate(pipeline.prepare(_report("r2", SECOND, hour=11), Origin("t", 0, 1)), state)
    [created] = first.record["events"]
    [updated] = second.record["events"]
    assert second.decision.kind is None, "a differently worded report is not a duplicate"
    assert updated["id"] == created["id"] and updated["change"] == "updated"
    assert updated["revision"] == created["revision"] + 1
    assert updated["sources_count"] == 2
    assert (updated["killed"], updated["killed_max"]) == (1, 2)


def test_replaying_a_report_reproduces_its_record_without_new_revisions(pipeline: Pipeline) -> None:
    state = DedupeState.empty()
    prepared = pipeline.prepare(_report("r1", STRIKE), Origin("t", 0, 0))
    first = pipeline.curate(prepared, state)
    again = pipeline.curate(prepared, state)
    assert again.decision.replayed
    assert again.record == first.record


def test_an_exact_copy_under_another_id_is_a_duplicate_and_creates_no_event(pipeline: Pipeline) -> None:
    state = DedupeState.empty()
    first = pipeline.curate(pipeline.prepare(_report("r1", STRIKE), Origin("t", 0, 0)), state)
    copy = pipeline.curate(pipeline.prepare(_report("r1-copy", STRIKE.upper()), Origin("t", 0, 1)), state)
    assert (copy.decision.kind, copy.decision.duplicate_of) == ("exact", "r1")
    assert {e["id"] for e in copy.record["events"]} <= {e["id"] for e in first.record["events"]}
    assert all(e["change"] == "updated" and e["sources_count"] == 1 for e in copy.record["events"])


def _log(pipeline: Pipeline, texts: list[str]) -> list[tuple[int, bytes]]:
    return [
        (i, pipeline.dump_prepared(pipeline.prepare(_report(f"r{i}", t, hour=8 + i), Origin("t", 0, i))))
        for i, t in enumerate(texts)
    ]


def test_decision_state_rebuilt_from_the_log_decides_exactly_as_the_uninterrupted_run(
    pipeline: Pipeline,
) -> None:
    from datetime import timedelta

    from sitrep.pipeline import DecisionLog

    texts = [STRIKE, SECOND, STRIKE.upper(), "Air defence shot down 12 drones over Odesa region overnight."]
    log = _log(pipeline, texts)
    steady = DecisionLog(pipeline, timedelta(days=7))
    expected = [steady.apply(offset, value) for offset, value in log]

    # A crash after offset 1: the next owner folds the log before offset 2, then decides the rest,
    # including offset 1 redelivered (its outputs were never acknowledged).
    restarted = DecisionLog(pipeline, timedelta(days=7))
    assert not restarted.in_step(1)
    assert restarted.rebuild(iter(log[:1]), until=1) == 1
    assert restarted.in_step(1)
    again = [restarted.apply(offset, value) for offset, value in log[1:]]

    assert [o.record if o else None for o in again] == [o.record if o else None for o in expected[1:]]
    assert restarted.state == steady.state


def test_a_tombstone_in_the_log_advances_the_offset_and_decides_nothing(pipeline: Pipeline) -> None:
    from datetime import timedelta

    from sitrep.pipeline import DecisionLog

    decisions = DecisionLog(pipeline, timedelta(days=7))
    assert decisions.apply(0, None) is None
    assert decisions.in_step(1) and decisions.state.reports == {}


def test_reports_sent_again_decide_nothing_anew_even_after_their_state_expired(
    pipeline: Pipeline,
) -> None:
    """Reports come again: a restarted prepare agent forwards its uncommitted raw offsets a second time,
    a user re-runs ``sitrep ingest`` (new raw offsets). In CI such a re-send arrived after the owner had
    expired the first week: deciding the expired reports afresh filed them under events created after
    them. The fold must end as if the re-sends never happened, and they must not move the expiry clock."""
    from datetime import timedelta

    from sitrep.pipeline import DecisionLog

    places = ["Kherson", "Odesa", "Sumy", "Kharkiv", "Dnipro", "Mykolaiv"]

    def prepared(offset_base: int) -> list[bytes]:
        return [
            pipeline.dump_prepared(
                pipeline.prepare(
                    Report(
                        id=f"r{i}",
                        text=f"A Russian drone struck a minibus in {place}, killing {i + 1} people.",
                        published_at=datetime(2025, 6, 20 + i, 9, tzinfo=UTC),
                    ),
                    Origin("reports-raw-v1", 0, offset_base + i),
                )
            )
            for i, place in enumerate(places)
        ]

    def fold(values: list[bytes]) -> tuple[DecisionLog, list[dict[str, object] | None]]:
        decisions = DecisionLog(pipeline, timedelta(days=1))
        decisions.EXPIRE_EVERY = 2  # type: ignore[misc]
        outcomes = [decisions.apply(offset, value) for offset, value in enumerate(values)]
        return decisions, [o.record if o else None for o in outcomes]

    once = prepared(0)
    straight, first = fold(once)
    for again in (once, prepared(100)):  # the prepare agent's re-send; a re-run of the producer
        resent, records = fold(once + again)
        assert resent.state == straight.state
        assert resent.forgotten == straight.forgotten and set(resent.forgotten) == {"r0", "r1", "r2", "r3"}
        assert (resent.decided, resent.resent) == (6, 6)
        assert records[:6] == first
        # Days 20-23 expired at the sixth decision (window 1 day before the 25th): skipped, not re-decided.
        assert records[6:10] == [None] * 4
        # Days 24-25 are still in the window: their recorded decisions come back unchanged for the sink.
        # (The report row names the raw offset it was last read from.)
        decision = ("id", "duplicate_of", "duplicate_kind", "fingerprint")
        assert [[r and r["report"][k] for k in decision] for r in records[10:]] == [
            [r and r["report"][k] for k in decision] for r in first[4:]
        ]
        assert [r and r["mentions"] for r in records[10:]] == [r and r["mentions"] for r in first[4:]]
