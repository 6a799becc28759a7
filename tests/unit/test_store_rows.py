"""The writer's pure half: parsing and in-batch de-duplication of curated items, and URL normalisation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from sinks.models import UTCDateTime
from sinks.store import normalise_url
from sinks.testing import curated_item
from sinks.writer import rows_for_batch


def test_one_item_becomes_one_report_its_mentions_events_and_merges() -> None:
    rows = rows_for_batch([curated_item(10, mentions=3)])
    assert [r["id"] for r in rows.reports] == ["report-00000010"]
    assert [(m["report_id"], m["mention_index"]) for m in rows.mentions] == [
        ("report-00000010", 0),
        ("report-00000010", 1),
        ("report-00000010", 2),
    ]
    assert [e["id"] for e in rows.events] == ["event-00000010-0", "event-00000010-1", "event-00000010-2"]
    assert [g["merged_id"] for g in rows.merges] == ["event-00000010-dup"]
    assert rows.mention_counts == ({"report_id": "report-00000010", "count": 3},)


def test_datetimes_and_dates_are_parsed_with_their_offsets() -> None:
    rows = rows_for_batch([curated_item(1)])
    published = rows.reports[0]["published_at"]
    assert published == datetime(2026, 10, 2, 1, 15, tzinfo=timezone(timedelta(hours=3)))
    assert rows.events[0]["occurred_on"] == date(2026, 10, 2)


def test_type_flags_follow_the_types_list() -> None:
    item = curated_item(3, mentions=1)
    item["events"][0]["types"] = ["aircraft_loss", "casualty"]
    event = rows_for_batch([item]).events[0]
    assert (
        event["is_strike"],
        event["is_casualty"],
        event["is_aircraft_loss"],
        event["is_airspace_response"],
    ) == (
        False,
        True,
        True,
        False,
    )


def test_the_highest_revision_of_an_event_in_a_batch_wins_whatever_the_order() -> None:
    newer, older = curated_item(5, revision=3), curated_item(5, revision=2)
    newer["events"][0]["killed"], older["events"][0]["killed"] = 30, 20
    for batch in ([newer, older], [older, newer]):
        events = {e["id"]: e for e in rows_for_batch(batch).events}
        assert events["event-00000005-0"]["revision"] == 3
        assert events["event-00000005-0"]["killed"] == 30


def test_among_equal_revisions_the_last_occurrence_wins() -> None:
    first, second = curated_item(5), curated_item(5)
    second["events"][0]["killed"] = 99
    events = {e["id"]: e for e in rows_for_batch([first, second]).events}
    assert events["event-00000005-0"]["killed"] == 99


def test_a_redelivered_report_replaces_its_mentions_rather_than_adding_to_them() -> None:
    rows = rows_for_batch([curated_item(7, mentions=3), curated_item(7, mentions=1)])
    assert len(rows.reports) == 1
    assert [m["mention_index"] for m in rows.mentions] == [0]
    assert rows.mention_counts == ({"report_id": "report-00000007", "count": 1},)


def test_the_wire_change_field_is_stored_as_last_change() -> None:
    assert rows_for_batch([curated_item(1, revision=2)]).events[0]["last_change"] == "updated"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/sitrep", "postgresql+psycopg"),
        ("postgres://u@db/sitrep", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/sitrep", "postgresql+psycopg"),
        ("sqlite:///var/sitrep.db", "sqlite"),
    ],
)
def test_plain_postgresql_urls_are_pinned_to_psycopg_3(given: str, expected: str) -> None:
    assert normalise_url(given).drivername == expected


def test_utc_datetime_refuses_naive_values_and_reads_back_aware_utc() -> None:
    column_type = UTCDateTime()
    with pytest.raises(ValueError, match="naive"):
        column_type.process_bind_param(datetime(2026, 1, 1), None)  # type: ignore[arg-type]
    stored = column_type.process_bind_param(
        datetime(2026, 1, 1, 3, tzinfo=timezone(timedelta(hours=3))),
        None,  # type: ignore[arg-type]
    )
    assert stored == datetime(2026, 1, 1, tzinfo=UTC)
    assert column_type.process_result_value(datetime(2026, 1, 1), None) == datetime(  # type: ignore[arg-type]
        2026, 1, 1, tzinfo=UTC
    )
