"""The pure half of ``sitrep replay``: datetimes, offset plans, ordering, warm-up and re-curation diffs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from sinks.writer import rows_for_batch
from sitrep.pipeline import Pipeline
from sitrep.replay import (
    FinalEvents,
    PartitionPlan,
    RawMessage,
    Replay,
    ReplayPlan,
    batched,
    event_updates,
    in_order,
    parse_when,
    plan_partition,
)
from sitrep.settings import Settings

T0 = 1_751_961_600_000  # 2025-07-08T08:00:00Z in ms

KHERSON = (
    "A Russian drone struck a minibus in Kherson on Tuesday morning, killing two people and wounding five "
    "others, the regional governor said."
)
SCRAMBLE = (
    "Poland scrambled fighter jets overnight to protect its airspace as Russia launched a massive missile "
    "and drone attack on western Ukraine, the Polish operational command said."
)


def raw(offset: int, ts: int, *, partition: int = 0, doc: dict[str, Any] | None = None) -> RawMessage:
    value = (
        orjson.dumps(doc) if doc is not None else orjson.dumps({"id": f"r{partition}-{offset}", "text": "x"})
    )
    return RawMessage("reports-raw-v1", partition, offset, ts, value)


# --- datetimes ---------------------------------------------------------------------------------------------


def test_a_naive_datetime_is_read_as_utc() -> None:
    assert parse_when("2025-07-08T09:30") == datetime(2025, 7, 8, 9, 30, tzinfo=UTC)


def test_a_datetime_with_an_offset_keeps_its_instant() -> None:
    parsed = parse_when("2025-07-08T12:30:00+03:00")
    assert parsed == datetime(2025, 7, 8, 9, 30, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=3)
    assert parse_when("2025-07-08T09:30:00Z").tzinfo is not None


def test_a_bare_date_means_its_midnight_utc() -> None:
    assert parse_when("2025-07-08") == datetime(2025, 7, 8, tzinfo=UTC)


def test_a_bad_datetime_is_refused_with_an_example_of_a_good_one() -> None:
    with pytest.raises(ValueError, match=r"not an ISO 8601 datetime.*e\.g\."):
        parse_when("yesterday")


# --- plans -------------------------------------------------------------------------------------------------


def test_a_full_replay_reads_the_whole_log_and_warms_nothing() -> None:
    plan = plan_partition(0, earliest=5, latest=12, start=5, until=None)
    assert (plan.first, plan.start, plan.end, plan.count, plan.warm) == (5, 5, 12, 7, 0)


def test_a_start_inside_the_log_warms_the_state_with_everything_before_it() -> None:
    plan = plan_partition(3, earliest=0, latest=10, start=4, until=8)
    assert (plan.partition, plan.start, plan.end, plan.count, plan.warm) == (3, 4, 8, 4, 4)


def test_offsets_outside_the_log_are_clamped_into_it() -> None:
    assert plan_partition(0, earliest=5, latest=12, start=0, until=None).start == 5
    assert plan_partition(0, earliest=5, latest=12, start=99, until=None).count == 0
    assert plan_partition(0, earliest=5, latest=12, start=6, until=99).end == 12


def test_no_message_at_or_after_the_start_time_gives_an_empty_range() -> None:
    plan = plan_partition(0, earliest=0, latest=10, start=None, until=None)
    assert plan.count == 0 and plan.warm == 10


def test_an_end_before_the_start_gives_an_empty_range_not_a_negative_one() -> None:
    plan = plan_partition(0, earliest=0, latest=10, start=6, until=2)
    assert plan.count == 0


def test_a_plan_totals_its_partitions() -> None:
    plan = ReplayPlan("t", (PartitionPlan(0, 0, 2, 5), PartitionPlan(1, 1, 1, 4)))
    assert (plan.count, plan.warm) == (6, 2)


# --- ordering ----------------------------------------------------------------------------------------------


def test_partitions_are_merged_by_timestamp_then_partition_then_offset() -> None:
    p0 = [raw(0, T0, partition=0), raw(1, T0 + 20, partition=0)]
    p1 = [raw(0, T0, partition=1), raw(1, T0 + 10, partition=1)]
    order = [(m.partition, m.offset) for m in in_order([p0, p1])]
    assert order == [(0, 0), (1, 0), (1, 1), (0, 1)]


def test_a_partition_keeps_its_offset_order_even_when_its_timestamps_go_backwards() -> None:
    p0 = [raw(0, T0 + 50), raw(1, T0 + 10), raw(2, T0 + 60)]
    p1 = [raw(0, T0 + 20, partition=1)]
    order = [(m.partition, m.offset) for m in in_order([p0, p1])]
    assert [o for p, o in order if p == 0] == [0, 1, 2]
    assert order == [(1, 0), (0, 0), (0, 1), (0, 2)]


def test_batches_hold_at_most_the_batch_size_and_keep_every_item() -> None:
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]


# --- processing --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(Settings())


def report(i: int, text: str, hours: float = 0) -> dict[str, Any]:
    at = datetime(2025, 7, 8, 9, 0, tzinfo=UTC) + timedelta(hours=hours)
    return {"id": f"rep-{i}", "text": text, "published_at": at.isoformat()}


def test_warm_up_messages_shape_decisions_but_only_the_range_yields_records(pipeline: Pipeline) -> None:
    messages = [raw(0, T0, doc=report(0, KHERSON)), raw(1, T0 + 1, doc=report(1, KHERSON, hours=1))]
    plan = ReplayPlan("reports-raw-v1", (PartitionPlan(0, 0, 1, 2),))
    replay = Replay(pipeline, plan, max_bytes=1_000_000)
    outcomes = [replay.step(m) for m in messages]
    assert outcomes[0] is None
    assert outcomes[1] is not None
    # Without the warm-up the second copy would be an original; with it, it is the first one's duplicate.
    assert outcomes[1].record["report"]["duplicate_of"] == "rep-0"
    assert (replay.tally.warmed, replay.tally.replayed, replay.tally.duplicates) == (1, 1, 1)


def test_poison_is_skipped_and_counted(pipeline: Pipeline) -> None:
    plan = ReplayPlan("reports-raw-v1", (PartitionPlan(0, 0, 0, 2),))
    replay = Replay(pipeline, plan, max_bytes=1_000_000)
    bad = RawMessage("reports-raw-v1", 0, 0, T0, b"{not json")
    assert replay.step(bad) is None
    assert replay.step(raw(1, T0, doc=report(1, SCRAMBLE))) is not None
    assert (replay.tally.poison, replay.tally.replayed) == (1, 1)


def test_a_replayed_record_carries_the_kafka_origin_of_its_message(pipeline: Pipeline) -> None:
    plan = ReplayPlan("reports-raw-v1", (PartitionPlan(2, 0, 0, 10),))
    replay = Replay(pipeline, plan, max_bytes=1_000_000)
    outcome = replay.step(raw(7, T0, partition=2, doc=report(1, KHERSON)))
    assert outcome is not None
    row = outcome.record["report"]
    assert (row["kafka_topic"], row["kafka_partition"], row["kafka_offset"]) == ("reports-raw-v1", 2, 7)


# --- re-curation -------------------------------------------------------------------------------------------


def _final(pipeline: Pipeline, docs: list[dict[str, Any]]) -> FinalEvents:
    plan = ReplayPlan("reports-raw-v1", (PartitionPlan(0, 0, 0, len(docs)),))
    replay = Replay(pipeline, plan, max_bytes=1_000_000)
    final = FinalEvents()
    for i, doc in enumerate(docs):
        outcome = replay.step(raw(i, T0 + i, doc=doc))
        assert outcome is not None
        final.add(outcome)
    return final


def _stored(final: FinalEvents, **changes: Any) -> dict[str, dict[str, Any]]:
    rows = rows_for_batch([{"events": [{**r, **changes} for r in final.rows.values()]}]).events
    return {row["id"]: row for row in rows}


def test_an_unchanged_event_is_neither_rewritten_nor_published(pipeline: Pipeline) -> None:
    final = _final(pipeline, [report(1, KHERSON)])
    assert event_updates(final, _stored(final, revision=4)) == []


def test_a_changed_event_is_updated_above_its_stored_revision(pipeline: Pipeline) -> None:
    final = _final(pipeline, [report(1, KHERSON)])
    stored = _stored(final, revision=4, classifier_version="rules-old", killed=3)
    [update] = event_updates(final, stored)
    assert update.row["change"] == "updated"
    assert update.row["revision"] == 5
    assert update.caused_by == "rep-1"


def test_an_event_that_lost_a_type_is_also_published_on_that_types_topic(pipeline: Pipeline) -> None:
    final = _final(pipeline, [report(1, KHERSON)])
    stored = _stored(final, types=["strike", "casualty", "airspace_response"], revision=2)
    [update] = event_updates(final, stored)
    assert set(update.row["types"]) == {"strike", "casualty"}
    assert set(update.topics_types) == {"strike", "casualty", "airspace_response"}
    assert update.row["revision"] == 3


def test_an_event_the_store_lacks_is_created_with_its_replay_revision(pipeline: Pipeline) -> None:
    final = _final(pipeline, [report(1, KHERSON), report(2, SCRAMBLE)])
    stored = _stored(final)
    missing = next(iter(stored))
    del stored[missing]
    updates = event_updates(final, stored)
    assert [(u.row["id"], u.row["change"], u.row["revision"]) for u in updates] == [
        (missing, "created", final.rows[missing]["revision"])
    ]
