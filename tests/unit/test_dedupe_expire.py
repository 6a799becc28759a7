"""Event-time expiry keeps the owner's state bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sitrep.dedupe import DedupeParams, DedupeState, corroborate, decide_report, expire, sketch
from sitrep.model import EventMention, Place

T0 = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
ODESA = Place("Odesa", "Odesa Oblast", "UA", 46.4825, 30.7233, "city")
TEXT = (
    "Russian drones struck port infrastructure in Odesa overnight, the regional governor said. "
    "A fire broke out at a warehouse and was extinguished by morning. "
    "Two people were injured by falling debris and taken to hospital."
)


def feed(state: DedupeState, rid: str, when: datetime, text: str = TEXT) -> None:
    params = DedupeParams()
    fp, sig = sketch(text, params)
    decide_report(rid, fp, sig, when, state, params)
    corroborate(rid, [EventMention(types=("strike",), location=ODESA, injured=2)], when, state, params)


def test_expire_removes_everything_older_than_the_window_and_keeps_the_rest() -> None:
    state = DedupeState.empty()
    feed(state, "old", T0)
    other = "Shelling damaged a kindergarten in Nikopol on Sunday; no one was hurt, the district head said."
    feed(state, "new", T0 + timedelta(days=9), other)
    result = expire(state, T0 + timedelta(days=10), timedelta(days=7))
    assert set(state.reports) == {"new"}
    assert set(state.signatures) == {"new"}
    assert [v["id"] for v in state.fingerprints.values()] == ["new"]
    assert all(ids == ["new"] for ids in state.bands.values())
    assert [e["first_report"] for e in state.events.values()] == ["new"]
    assert all(ids == [next(iter(state.events))] for ids in state.cells.values())
    assert (result.reports, result.events) == (1, 1)


def test_expired_report_is_no_longer_a_duplicate_target() -> None:
    state = DedupeState.empty()
    feed(state, "old", T0)
    expire(state, T0 + timedelta(days=8))
    params = DedupeParams()
    fp, sig = sketch(TEXT, params)
    d = decide_report("again", fp, sig, T0 + timedelta(days=8), state, params)
    assert d.kind is None


def test_expire_within_the_window_changes_nothing() -> None:
    state = DedupeState.empty()
    feed(state, "r1", T0)
    feed(state, "r2", T0 + timedelta(hours=1))
    before = {name: dict(getattr(state, name)) for name in ("reports", "bands", "events", "cells")}
    result = expire(state, T0 + timedelta(days=6))
    assert result.reports == result.events == result.bands == 0
    assert {name: dict(getattr(state, name)) for name in before} == before


def test_state_stays_bounded_over_a_long_stream() -> None:
    state = DedupeState.empty()
    for day in range(60):
        now = T0 + timedelta(days=day)
        feed(state, f"r{day}", now, f"Report number {day} about shelling. " * 3 + TEXT)
        expire(state, now, timedelta(days=7))
    assert len(state.reports) <= 8
    assert len(state.events) <= 8
