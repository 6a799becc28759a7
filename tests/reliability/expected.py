"""What the store must hold after a run: the pure pipeline computed in-process, and the store read back.

``expected_rows`` feeds the same reports, in the same (topic) order, through the worker's own decision
fold (``sitrep.pipeline.DecisionLog``, expiry included) on fresh state, once each, and keeps, per table,
what the sink would end up with: every report once, every mention once, and each canonical event at its
highest revision. ``stored_rows`` reads the same projection back from a database. Comparing the two is
the whole assertion of a fault test: equal means nothing was lost and nothing was stored twice or
decided differently.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

import schemas
from sinks.models import Event, EventMention, Report
from sinks.store import make_engine
from sitrep.pipeline import DecisionLog, Origin, Pipeline
from sitrep.settings import Settings

ReportKey = tuple[str | None, str | None]  # (duplicate_of, duplicate_kind)
MentionKey = tuple[str, int, str]  # (report_id, mention_index, event_id)
EventKey = tuple[Any, ...]


@dataclass(frozen=True)
class Rows:
    """The comparable projection of the store: ids and key fields, with duplicate counts."""

    reports: dict[str, ReportKey]
    mentions: frozenset[MentionKey]
    events: dict[str, EventKey]
    duplicated: dict[str, int] = field(default_factory=dict)  # table -> rows beyond the distinct keys


EVENT_FIELDS = (
    "types",
    "killed",
    "killed_max",
    "injured",
    "injured_max",
    "admin1",
    "country",
    "sources_count",
    "status",
    "merged_into",
    "revision",
)


def _event_key(row: Mapping[str, Any]) -> EventKey:
    return tuple(sorted(row["types"]) if name == "types" else row[name] for name in EVENT_FIELDS)


def expected_rows(reports: Iterable[Mapping[str, Any]], settings: Settings | None = None) -> Rows:
    """Run the pure pipeline over ``reports`` (raw JSON dicts, topic order) and project its final rows."""
    settings = settings or Settings()
    pipeline = Pipeline.from_settings(settings)
    decisions = DecisionLog.from_settings(pipeline, settings)
    report_rows: dict[str, ReportKey] = {}
    mentions: set[MentionKey] = set()
    events: dict[str, EventKey] = {}
    revisions: dict[str, int] = {}
    for offset, raw in enumerate(reports):
        report = schemas.decode_report(_encode(raw), max_bytes=1 << 20)
        outcome = decisions.decide(pipeline.prepare(report, Origin("raw", 0, offset)))
        assert outcome is not None  # each raw offset once: every report is decided
        record = outcome.record
        r = record["report"]
        report_rows[r["id"]] = (r["duplicate_of"], r["duplicate_kind"])
        # The sink keeps a report's latest mention set; a report is curated once here, so union is exact.
        mentions.update((m["report_id"], m["mention_index"], m["event_id"]) for m in record["mentions"])
        for ev in record["events"]:
            if ev["revision"] >= revisions.get(ev["id"], -1):
                revisions[ev["id"]] = ev["revision"]
                events[ev["id"]] = _event_key(ev)
    return Rows(report_rows, frozenset(mentions), events)


def _encode(raw: Mapping[str, Any]) -> bytes:
    import orjson

    return orjson.dumps(dict(raw))


def stored_rows(database_url: str) -> Rows:
    """Read the projection back from the store, counting any key stored more than once."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            report_list = conn.execute(select(Report.id, Report.duplicate_of, Report.duplicate_kind)).all()
            mention_list = conn.execute(
                select(EventMention.report_id, EventMention.mention_index, EventMention.event_id)
            ).all()
            columns = [Event.__table__.c[name] for name in ("id", *EVENT_FIELDS)]
            event_rows = [dict(row._mapping) for row in conn.execute(select(*columns))]
    finally:
        engine.dispose()
    duplicated = {
        "reports": len(report_list) - len({r.id for r in report_list}),
        "event_mentions": len(mention_list) - len({tuple(m) for m in mention_list}),
        "events": len(event_rows) - len({e["id"] for e in event_rows}),
    }
    return Rows(
        reports={r.id: (r.duplicate_of, r.duplicate_kind) for r in report_list},
        mentions=frozenset((m.report_id, m.mention_index, m.event_id) for m in mention_list),
        events={e["id"]: _event_key(e) for e in event_rows},
        duplicated=duplicated,
    )


def count_reports(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Report)) or 0)
    finally:
        engine.dispose()


def wait_for_count(
    database_url: str,
    expected: int,
    *,
    timeout: float,
    alive: Callable[[], bool] | None = None,
    describe: Callable[[], str] = lambda: "",
) -> float:
    """Poll the reports table until it holds ``expected`` rows; return the seconds waited.

    Fails fast when ``alive()`` turns false (the worker died) and with the count reached on timeout.
    """
    start = time.monotonic()
    seen = -1
    while time.monotonic() - start < timeout:
        try:
            seen = count_reports(database_url)
        except Exception:  # the store may be down on purpose in an outage test
            seen = -1
        if seen >= expected:
            return time.monotonic() - start
        if alive is not None and not alive():
            raise AssertionError(f"worker died with {seen}/{expected} reports stored:\n{describe()}")
        time.sleep(0.5)
    raise AssertionError(f"{seen}/{expected} reports stored after {timeout:.0f}s:\n{describe()}")


def matches(expected: Rows, stored: Rows) -> bool:
    """True when ``stored`` holds exactly the expected rows and no key twice."""
    return (
        not any(stored.duplicated.values())
        and stored.reports == expected.reports
        and stored.mentions == expected.mentions
        and stored.events == expected.events
    )


def settle(database_url: str, want: Rows, timeout: float = 60.0) -> Rows:
    """The stored rows once they equal ``want`` (late replays may still be landing), else the last read."""
    deadline = time.monotonic() + timeout
    stored = stored_rows(database_url)
    while not matches(want, stored) and time.monotonic() < deadline:
        time.sleep(1.0)
        stored = stored_rows(database_url)
    return stored


def assert_no_loss_or_duplicates(expected: Rows, stored: Rows) -> None:
    """Every expected report id stored, no other, and no key of any table stored twice."""
    assert stored.duplicated == {"reports": 0, "event_mentions": 0, "events": 0}, stored.duplicated
    lost = sorted(set(expected.reports) - set(stored.reports))
    extra = sorted(set(stored.reports) - set(expected.reports))
    assert not lost and not extra, (
        f"reports lost {lost[:10]} ({len(lost)}), unexpected {extra[:10]} ({len(extra)})"
    )


def assert_exactly(expected: Rows, stored: Rows) -> None:
    """0 lost, 0 duplicated, every decision equal; the message names the first differences."""
    assert_no_loss_or_duplicates(expected, stored)
    wrong = [k for k, v in expected.reports.items() if stored.reports[k] != v]
    assert not wrong, (
        f"{len(wrong)} duplicate decisions differ, e.g. "
        f"{[(k, expected.reports[k], stored.reports[k]) for k in wrong[:5]]}"
    )
    missing_m = sorted(expected.mentions - stored.mentions)
    extra_m = sorted(stored.mentions - expected.mentions)
    assert not missing_m and not extra_m, (
        f"mentions missing {missing_m[:5]} ({len(missing_m)}), extra {extra_m[:5]} ({len(extra_m)})"
    )
    lost_e = sorted(set(expected.events) - set(stored.events))
    extra_e = sorted(set(stored.events) - set(expected.events))
    assert not lost_e and not extra_e, (
        f"events lost {lost_e[:5]} ({len(lost_e)}), unexpected {extra_e[:5]} ({len(extra_e)})"
    )
    differ = [k for k, v in expected.events.items() if stored.events[k] != v]
    assert not differ, f"{len(differ)} events differ ({EVENT_FIELDS}), e.g. " + "; ".join(
        f"{k}: want {expected.events[k]} got {stored.events[k]}" for k in differ[:3]
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def summary(rows: Rows) -> str:
    kinds = Counter(kind for _, kind in rows.reports.values())
    return (
        f"{len(rows.reports)} reports "
        f"({kinds[None]} originals, {kinds['exact']} exact, {kinds['near']} near), "
        f"{len(rows.mentions)} mentions, {len(rows.events)} events"
    )
