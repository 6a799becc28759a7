"""Event-level corroboration: created / updated / merged canonical events, hard negatives, replay."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sitrep.dedupe import (
    DedupeParams,
    DedupeState,
    EventDecision,
    corroborate,
    decide_report,
    event_id_for,
    haversine_km,
    sketch,
)
from sitrep.model import EventMention, EventType, Place

T0 = datetime(2025, 5, 6, 7, 30, tzinfo=UTC)
KHARKIV = Place("Kharkiv", "Kharkiv Oblast", "UA", 49.9935, 36.2304, "city")
PISOCHYN = Place("Pisochyn", "Kharkiv Oblast", "UA", 49.9597, 36.0941, "city")  # ~10 km from Kharkiv
CHUHUIV = Place("Chuhuiv", "Kharkiv Oblast", "UA", 49.8353, 36.6880, "city")  # ~37 km from Kharkiv
KHARKIV_REGION = Place("Kharkiv Oblast", "Kharkiv Oblast", "UA", None, None, "admin1")
KHERSON = Place("Kherson", "Kherson Oblast", "UA", 46.6354, 32.6169, "city")
UKRAINE = Place("Ukraine", None, "UA", None, None, "country")


def mention(
    types: Sequence[EventType] = ("strike",),
    place: Place | None = KHARKIV,
    on: date | None = None,
    killed: int | None = None,
    injured: int | None = None,
    aircraft: str | None = None,
) -> EventMention:
    return EventMention(
        types=tuple(types), location=place, occurred_on=on, killed=killed, injured=injured, aircraft=aircraft
    )


def report(
    state: DedupeState,
    rid: str,
    mentions: Sequence[EventMention],
    hours: float = 0,
    text: str | None = None,
    params: DedupeParams = DedupeParams(),  # noqa: B008 - frozen value, safe as a default
) -> list[EventDecision]:
    """Run one report through both decisions, as the stage-B agent does."""
    when = T0 + timedelta(hours=hours)
    fp, sig = sketch(text if text is not None else f"unique text of report {rid} " * 5, params)
    decide_report(rid, fp, sig, when, state, params)
    return corroborate(rid, mentions, when, state, params)


def live_events(state: DedupeState) -> list[dict[str, object]]:
    return [e for e in state.events.values() if not e["merged_into"]]


def test_first_mention_creates_an_event_with_an_id_derived_from_report_and_mention() -> None:
    state = DedupeState.empty()
    [d] = report(state, "r1", [mention(killed=2)])
    assert d.change == "created"
    assert d.event_id == event_id_for("r1", 0)
    assert d.event["sources_count"] == 1
    assert (d.event["killed_min"], d.event["killed_max"]) == (2, 2)
    assert state.reports["r1"]["event_ids"] == [d.event_id]


def test_second_report_of_the_same_strike_updates_the_event_and_counts_a_source() -> None:
    state = DedupeState.empty()
    [first] = report(state, "r1", [mention()])
    [second] = report(state, "r2", [mention()], hours=3)
    assert (second.change, second.event_id) == ("updated", first.event_id)
    assert second.event["sources_count"] == 2
    assert second.event["reports"] == ["r1", "r2"]
    assert len(live_events(state)) == 1


def test_new_casualty_figure_updates_the_incident_and_keeps_both_figures() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(("strike", "casualty"), killed=2, injured=5)])
    [d] = report(state, "r2", [mention(("casualty",), killed=4, injured=11)], hours=6)
    assert d.change == "updated"
    assert len(live_events(state)) == 1
    ev = d.event
    assert (ev["killed_min"], ev["killed_max"], ev["injured_min"], ev["injured_max"]) == (2, 4, 5, 11)
    assert ev["figures"]["r1"]["killed"] == 2 and ev["figures"]["r2"]["killed"] == 4
    assert ev["types"] == ["casualty", "strike"]


def test_strikes_on_the_same_city_on_different_dates_do_not_merge() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(on=date(2025, 5, 5))])
    [d] = report(state, "r2", [mention(on=date(2025, 5, 6))], hours=1)
    assert d.change == "created"
    assert len(live_events(state)) == 2


def test_strikes_on_the_same_city_reported_days_apart_do_not_merge() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention()])
    [d] = report(state, "r2", [mention()], hours=48)
    assert d.change == "created"


def test_strikes_on_kharkiv_and_kherson_the_same_day_do_not_merge() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(place=KHARKIV)])
    [d] = report(state, "r2", [mention(place=KHERSON)], hours=1)
    assert d.change == "created"
    assert len(live_events(state)) == 2


def test_strike_in_the_kharkiv_region_and_in_kharkiv_city_the_same_day_merge_and_keep_the_city() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(place=KHARKIV_REGION)])
    [d] = report(state, "r2", [mention(place=KHARKIV)], hours=2)
    assert d.change == "updated"
    assert d.event["place"]["name"] == "Kharkiv"
    assert d.event["place"]["precision"] == "city"


def test_nearby_towns_within_the_radius_merge_but_farther_ones_do_not() -> None:
    assert haversine_km(KHARKIV.lat, KHARKIV.lon, PISOCHYN.lat, PISOCHYN.lon) < 30  # type: ignore[arg-type]
    assert haversine_km(KHARKIV.lat, KHARKIV.lon, CHUHUIV.lat, CHUHUIV.lon) > 30  # type: ignore[arg-type]
    state = DedupeState.empty()
    report(state, "r1", [mention(place=KHARKIV)])
    [near] = report(state, "r2", [mention(place=PISOCHYN)], hours=1)
    [far] = report(state, "r3", [mention(place=CHUHUIV)], hours=1)
    assert near.change == "updated"
    assert far.change == "created"


def test_country_level_mentions_do_not_join_specific_incidents() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(place=KHARKIV)])
    [d] = report(state, "r2", [mention(place=UKRAINE)], hours=1)
    assert d.change == "created"
    [again] = report(state, "r3", [mention(place=UKRAINE)], hours=2)
    assert (again.change, again.event_id) == ("updated", d.event_id)


def test_mentions_without_a_place_never_merge() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(place=None)])
    [d] = report(state, "r2", [mention(place=None)], hours=1)
    assert d.change == "created"


def test_air_defence_response_does_not_join_the_strike_it_answered() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(("strike", "casualty"), killed=1)])
    assert report(state, "r2", [mention(("airspace_response",))], hours=1)[0].change == "created"


def test_wildly_different_tolls_are_different_incidents() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(("strike", "casualty"), killed=1)])
    assert report(state, "r2", [mention(("casualty",), killed=60)], hours=1)[0].change == "created"


def test_different_airframes_are_different_losses_and_spelling_variants_are_one() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(("aircraft_loss",), aircraft="Su-25")])
    [ka52] = report(state, "r2", [mention(("aircraft_loss",), aircraft="Ka-52")], hours=1)
    [su25] = report(state, "r3", [mention(("aircraft_loss",), aircraft="SU 25")], hours=1)
    assert (ka52.change, su25.change) == ("created", "updated")


def test_casualty_mention_joins_the_aircraft_loss_that_killed_the_pilot() -> None:
    state = DedupeState.empty()
    [loss] = report(state, "r1", [mention(("aircraft_loss",), aircraft="F-16")])
    [d] = report(state, "r2", [mention(("casualty",), killed=1)], hours=1)
    assert (d.event_id, d.change) == (loss.event_id, "updated")
    assert d.event["types"] == ["aircraft_loss", "casualty"]


def test_two_mentions_of_one_report_stay_two_events() -> None:
    state = DedupeState.empty()
    decisions = report(state, "r1", [mention(killed=1), mention(killed=3)])
    assert [d.change for d in decisions] == ["created", "created"]
    assert [d.event_id for d in decisions] == [event_id_for("r1", 0), event_id_for("r1", 1)]


def test_a_bridging_mention_merges_two_events_into_the_earliest() -> None:
    # Two reports name the city differently and only one has coordinates, so they stay apart until a third
    # report places the same city with coordinates.
    no_coords = Place("Kharkiv", "Kharkiv Oblast", "UA", None, None, "city")
    variant = Place("Kharkov", "Kharkiv Oblast", "UA", 49.99, 36.23, "city")
    state = DedupeState.empty()
    [a] = report(state, "r1", [mention(place=no_coords)])
    [b] = report(state, "r2", [mention(place=variant)], hours=1)
    assert b.change == "created"
    decisions = report(state, "r3", [mention(place=KHARKIV)], hours=2)
    by_id = {d.event_id: d for d in decisions}
    assert by_id[b.event_id].change == "merged"
    assert by_id[b.event_id].merged_into == a.event_id
    assert by_id[a.event_id].change == "merged"
    survivor = by_id[a.event_id].event
    assert sorted(survivor["reports"]) == ["r1", "r2", "r3"]
    assert survivor["sources_count"] == 3
    assert state.events[b.event_id]["merged_into"] == a.event_id
    assert state.reports["r3"]["event_ids"] == [a.event_id]
    assert [e["id"] for e in live_events(state)] == [a.event_id]


def test_duplicate_report_adds_provenance_without_counting_as_a_source() -> None:
    state = DedupeState.empty()
    text = "A drone hit an apartment block in Kharkiv overnight, killing two people, the mayor said."
    [orig] = report(state, "r1", [mention(("strike", "casualty"), killed=2)], text=text)
    [dup] = report(state, "r2", [mention(("strike", "casualty"), killed=2)], hours=1, text=text)
    assert state.reports["r2"]["kind"] == "exact"
    assert (dup.event_id, dup.change) == (orig.event_id, "updated")
    assert dup.event["duplicates"] == ["r2"]
    assert dup.event["sources_count"] == 1
    assert len(live_events(state)) == 1


def test_near_duplicate_with_a_revised_toll_updates_the_figures_of_its_original_event() -> None:
    state = DedupeState.empty()
    text = (
        "A drone hit an apartment block in Kharkiv overnight, killing two people, the mayor said. "
        "Rescuers were searching the rubble for survivors on Tuesday morning. "
        "The building's upper floors collapsed and several cars were burnt out nearby. "
        "Air defence units were active over the city for several hours, regional officials said."
    )
    [orig] = report(state, "r1", [mention(("strike", "casualty"), killed=2)], text=text)
    revised = text.replace("Tuesday morning", "Tuesday afternoon")
    [dup] = report(state, "r2", [mention(("strike", "casualty"), killed=3)], hours=4, text=revised)
    assert state.reports["r2"]["kind"] == "near"
    assert dup.event_id == orig.event_id
    assert (dup.event["killed_min"], dup.event["killed_max"]) == (2, 3)
    assert dup.event["sources_count"] == 1


def test_replaying_reports_through_existing_state_reproduces_the_same_decisions() -> None:
    state = DedupeState.empty()
    script = [
        ("r1", [mention(place=KHARKIV_REGION, killed=1)], 0.0),
        ("r2", [mention(place=KHARKIV, killed=2), mention(place=KHERSON)], 1.0),
        ("r3", [mention(place=KHERSON, injured=4)], 2.0),
    ]
    first = [report(state, rid, ms, hours=h) for rid, ms, h in script]
    snapshot = json.dumps({"events": dict(state.events), "cells": dict(state.cells)}, sort_keys=True)
    again = [report(state, rid, ms, hours=h + 100) for rid, ms, h in script]
    assert [[(d.event_id, d.change, d.merged_into) for d in ds] for ds in again] == [
        [(d.event_id, d.change, d.merged_into) for d in ds] for ds in first
    ]
    assert all(d.replayed for ds in again for d in ds)
    assert json.dumps({"events": dict(state.events), "cells": dict(state.cells)}, sort_keys=True) == snapshot


def test_replaying_from_empty_state_reproduces_the_same_canonical_ids() -> None:
    script = [
        ("r1", [mention(place=KHARKIV, killed=1)], 0.0),
        ("r2", [mention(place=PISOCHYN, killed=2)], 1.0),
        ("r3", [mention(place=KHERSON)], 2.0),
    ]
    ids: list[list[list[str]]] = []
    events: list[str] = []
    for _ in range(2):
        state = DedupeState.empty()
        ids.append([[d.event_id for d in report(state, rid, ms, hours=h)] for rid, ms, h in script])
        events.append(json.dumps(dict(state.events), sort_keys=True))
    assert ids[0] == ids[1]
    assert events[0] == events[1]
    assert ids[0][1] == ids[0][0]  # Pisochyn joined Kharkiv's event


def test_events_and_cells_are_json_serialisable() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(place=KHARKIV, killed=1, on=date(2025, 5, 6))])
    report(state, "r2", [mention(place=KHARKIV_REGION, injured=3)], hours=1)
    for table in (state.events, state.cells, state.reports):
        json.loads(json.dumps(dict(table)))


class CopyOnRead(dict[str, Any]):
    """A table that hands out copies, like a changelog-backed Faust table: in-place edits would be lost."""

    def __getitem__(self, key: str) -> Any:
        return json.loads(json.dumps(super().__getitem__(key)))

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - must go through __getitem__

    def values(self) -> Any:
        return [self[k] for k in self]

    def items(self) -> Any:
        return [(k, self[k]) for k in self]


def test_corroboration_only_assigns_so_changelog_backed_tables_see_every_change() -> None:
    state = DedupeState(*(CopyOnRead() for _ in range(6)))
    text = "Shelling hit the centre of Kherson on Monday, wounding three people, the governor said."
    report(state, "r1", [mention(place=KHERSON, injured=3)], text=text)
    report(state, "r2", [mention(place=KHERSON, injured=3)], hours=1, text=text)
    [d] = report(state, "r3", [mention(place=KHERSON, injured=5)], hours=2)
    assert d.change == "updated"
    ev = state.events[d.event_id]
    assert (ev["sources_count"], ev["duplicates"], ev["injured_max"]) == (2, ["r2"], 5)
    assert state.cells[ev["cells"][0]] == [d.event_id]
    assert state.reports["r3"]["event_ids"] == [d.event_id]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([KHARKIV, PISOCHYN, CHUHUIV, KHARKIV_REGION, KHERSON, UKRAINE]),
            st.sampled_from([("strike",), ("casualty",), ("strike", "casualty"), ("airspace_response",)]),
            st.one_of(st.none(), st.integers(0, 30)),
            st.floats(0, 96),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_any_stream_replays_to_the_same_decisions_and_events(
    stream: list[tuple[Place, tuple[EventType, ...], int | None, float]],
) -> None:
    def run(state: DedupeState) -> list[list[tuple[str, str, str | None]]]:
        return [
            [
                (d.event_id, d.change, d.merged_into)
                for d in report(state, f"r{i}", [mention(t, p, killed=k)], h)
            ]
            for i, (p, t, k, h) in enumerate(stream)
        ]

    fresh, other = DedupeState.empty(), DedupeState.empty()
    first = run(fresh)
    assert run(other) == first  # from empty state: same ids
    events = json.dumps(dict(fresh.events), sort_keys=True)
    assert run(fresh) == first  # through state that already saw the stream: same decisions
    assert json.dumps(dict(fresh.events), sort_keys=True) == events
    live = [e for e in fresh.events.values() if not e["merged_into"]]
    assert sorted(r for e in live for r in e["reports"]) == sorted(f"r{i}" for i in range(len(stream)))


def test_a_nationwide_strike_and_an_aircraft_loss_with_its_pilot_killed_stay_two_events() -> None:
    state = DedupeState.empty()
    report(state, "r1", [mention(("strike",), UKRAINE)])
    [d] = report(
        state, "r2", [mention(("aircraft_loss", "casualty"), UKRAINE, killed=1, aircraft="F-16")], hours=2
    )
    assert d.change == "created"
    assert len(live_events(state)) == 2


def test_a_bare_toll_still_joins_the_strike_that_caused_it() -> None:
    state = DedupeState.empty()
    [created] = report(state, "r1", [mention(("strike",), KHARKIV)])
    [joined] = report(state, "r2", [mention(("casualty",), KHARKIV, killed=3)], hours=1)
    assert (joined.event_id, joined.change) == (created.event_id, "updated")
