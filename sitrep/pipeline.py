"""The pure pipeline the agents call: prepare (stateless, parallel) and curate (stateful, one owner).

``prepare`` turns a decoded report into everything the decision step needs: its exact fingerprint,
MinHash signature and classification. ``curate`` makes the duplicate and corroboration decisions
against the state it is given and returns, as plain JSON-able values, the sink's row set for the
report and the changes to publish downstream. Neither reads a clock: times come from the report
(published, else received, else the broker's timestamp of the raw message).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from sitrep.dedupe import (
    DedupeParams,
    DedupeState,
    EventDecision,
    ReportDecision,
    corroborate,
    decide_report,
    expire,
    sketch,
)
from sitrep.model import Classification, EventMention, Place, Report, Span
from sitrep.settings import Settings

EVENT_SCHEMA_VERSION = 1

Classify = Callable[[Report], Classification]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a report was read from, kept with its row for operators (and replays)."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    report: Report
    origin: Origin
    fingerprint: str
    signature: tuple[int, ...]
    classification: Classification


@dataclass(frozen=True, slots=True)
class Publication:
    """One change to one canonical event, as published on ``events-classified-v1``."""

    event_id: str
    change: str
    types: tuple[str, ...]
    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: ReportDecision
    record: dict[str, Any]
    publications: tuple[Publication, ...]


def report_time(report: Report, origin: Origin) -> datetime:
    """The report's own time: published, else received, else the broker timestamp, else the epoch."""
    if report.published_at is not None:
        return report.published_at
    if report.received_at is not None:
        return report.received_at
    if origin.timestamp_ms is not None:
        return datetime.fromtimestamp(origin.timestamp_ms / 1000, UTC)
    return datetime.fromtimestamp(0, UTC)


class Pipeline:
    """The classifier and the dedupe parameters, loaded once per process."""

    def __init__(self, classify: Classify, params: DedupeParams, classifier_version: str) -> None:
        self.classify = classify
        self.params = params
        self.classifier_version = classifier_version

    @classmethod
    def from_settings(cls, settings: Settings, *, lazy: bool = False) -> Pipeline:
        """The pipeline for ``settings``. ``lazy``: load the classifier (seconds) only when first used,
        for a process that only decides (the worker whose stage A runs in its own processes)."""
        from sitrep.classify import load_classifier
        from sitrep.classify.rules import DEFAULT_RULES_PATH, load_rules

        params = DedupeParams.from_settings(settings)
        if lazy:
            rules_path = settings.rules_path
            # The rule set's own version, read from the rules file alone (milliseconds).
            version = load_rules(rules_path or DEFAULT_RULES_PATH).version
            return cls(lambda report: load_classifier(rules_path)(report), params, version)
        classifier = load_classifier(settings.rules_path)
        # The loaded rule set's own version: a deployment with SITREP_RULES_PATH stamps its rules' version.
        return cls(classifier, params, classifier.version)

    # --- stage A: stateless ---------------------------------------------------------------------------

    def prepare(self, report: Report, origin: Origin) -> Prepared:
        fp, sig = sketch(report.text, self.params)
        return Prepared(
            report=report,
            origin=origin,
            fingerprint=fp,
            signature=tuple(sig),
            classification=self.classify(report),
        )

    # --- stage B: stateful decisions -----------------------------------------------------------------

    def curate(self, prepared: Prepared, state: DedupeState) -> Outcome:
        report = prepared.report
        when = report_time(report, prepared.origin)
        decision = decide_report(
            report.id, prepared.fingerprint, prepared.signature, when, state, self.params
        )
        mentions = prepared.classification.events
        changes = corroborate(report.id, mentions, when, state, self.params)
        events = _bump_revisions(changes, mentions, state, replayed=decision.replayed)
        event_rows = [_event_row(ev, change, self.classifier_version) for ev, change in events]
        record: dict[str, Any] = {
            "report": _report_row(prepared, decision),
            # A duplicate's mention that matched none of its original's events stays unlinked:
            # the report row keeps the provenance, a mention row needs an event.
            "mentions": [
                _mention_row(report.id, i, m, event_id)
                for i, m in enumerate(mentions)
                if (event_id := _event_for_mention(changes, i)) is not None
            ],
            "events": event_rows,
            "merges": [
                {"merged_id": c.event_id, "into_id": c.merged_into, "at": _iso(when), "report_id": report.id}
                for c in changes
                if c.merged_into
            ],
        }
        publications = tuple(
            Publication(
                event_id=row["id"],
                change=row["change"],
                types=tuple(row["types"]),
                message=event_message(row, report.id),
            )
            for row in event_rows
        )
        return Outcome(decision, record, publications)

    # --- the internal prepared message ---------------------------------------------------------------

    def dump_prepared(self, prepared: Prepared) -> bytes:
        # orjson encodes the (slotted) dataclasses natively: the same JSON as ``dataclasses.asdict``
        # followed by ``orjson.dumps``, at a fraction of the cost (asdict was 6 % of the worker's CPU).
        return orjson.dumps(
            {
                "report": prepared.report,
                "origin": prepared.origin,
                "fingerprint": prepared.fingerprint,
                "signature": prepared.signature,
                "classification": prepared.classification,
            }
        )

    def load_prepared(self, raw: bytes) -> Prepared:
        doc = orjson.loads(raw)
        r = doc["report"]
        report = Report(
            id=r["id"],
            text=r["text"],
            title=r.get("title"),
            source=r.get("source"),
            url=r.get("url"),
            published_at=_dt(r.get("published_at")),
            received_at=_dt(r.get("received_at")),
        )
        c = doc["classification"]
        classification = Classification(
            report_id=c["report_id"],
            events=tuple(_mention_from_dict(e) for e in c["events"]),
            classifier_version=c["classifier_version"],
        )
        return Prepared(
            report, Origin(**doc["origin"]), doc["fingerprint"], tuple(doc["signature"]), classification
        )


class DecisionLog:
    """The decision owner's state as a pure fold over the ``reports-prepared-v1`` log.

    Invariant: after deciding offset N the state equals folding ``decide`` over the log up to N,
    whatever crashed in between. The state lives in memory and is rebuilt from the log whenever
    the next offset to decide is not the one the state reflects: at start-up, after a rebalance,
    after a redelivery. The log is the changelog (event sourcing). Faust tables were not enough: one
    report's decision is a dozen writes to six changelog partitions, which a SIGKILL can cut in the
    middle, leaving a state that no sequence of reports produces (tests/reliability).

    The fold is a function of the distinct reports, not of how often they arrive. Reports come again:
    a crashed or rebalanced ``prepare`` agent forwards its uncommitted raw offsets a second time, an
    operator rewinds the worker's group, a user re-runs ``sitrep ingest`` over a file. A report id seen
    before changes no state and does not count towards expiry: while its report is in the window it
    gets its recorded decision back (the sink rewrites the same rows); after that only its id is kept
    (for ``memory``, a year by default: a few dozen bytes a report) and it is skipped, because its
    rows were stored when it was first decided, and deciding it afresh against the state of weeks later
    would file it elsewhere (CI: a full re-send after an expiry re-pointed 215 mentions; the 20,000-report
    producer-kill soak changed 1,611 duplicate decisions). Every ``EXPIRE_EVERY`` new reports, state
    older than the window (in event time) is dropped: at the same points of every fold.
    """

    EXPIRE_EVERY = 1000

    def __init__(
        self, pipeline: Pipeline, window: timedelta, memory: timedelta = timedelta(days=365)
    ) -> None:
        self.pipeline = pipeline
        self.window = window
        self.memory = max(memory, window)
        self.state = DedupeState.empty()
        self.next_offset: int | None = None
        self.forgotten: dict[str, float] = {}  # expired report id -> its event time (POSIX seconds)
        self.decided = 0  # new reports decided so far: the expiry clock
        self.resent = 0  # reports seen again (replayed or skipped), for the operator's log

    @classmethod
    def from_settings(cls, pipeline: Pipeline, settings: Settings) -> DecisionLog:
        return cls(
            pipeline,
            timedelta(days=settings.state_window_days),
            timedelta(days=settings.report_memory_days),
        )

    def in_step(self, offset: int) -> bool:
        """Whether the state reflects exactly the log before ``offset``."""
        return self.next_offset == offset

    def rebuild(self, records: Iterable[tuple[int, bytes | None]], until: int) -> int:
        """Fold ``records`` (the log from its start, in offset order, up to ``until``) into fresh state."""
        self.state = DedupeState.empty()
        self.forgotten = {}
        self.decided = self.resent = 0
        folded = 0
        for offset, value in records:
            self.apply(offset, value)
            folded += 1
        self.next_offset = until
        return folded

    def apply(self, offset: int, value: bytes | None) -> Outcome | None:
        """Decide the message at ``offset``; ``None`` for a tombstone or a report decided long ago."""
        self.next_offset = offset + 1
        if value is None:
            return None
        return self.decide(self.pipeline.load_prepared(value))

    def decide(self, prepared: Prepared) -> Outcome | None:
        """One step of the fold: the outcome to store and publish, or ``None`` when there is none."""
        if prepared.report.id in self.forgotten:
            self.resent += 1
            return None
        outcome = self.pipeline.curate(prepared, self.state)
        if outcome.decision.replayed:
            self.resent += 1
            return outcome
        self.decided += 1
        if self.decided % self.EXPIRE_EVERY == 0:
            self._expire(report_time(prepared.report, prepared.origin))
        return outcome

    def _expire(self, now: datetime) -> None:
        cutoff = (now - self.window).timestamp()
        for report_id, record in self.state.reports.items():
            if float(record["t"]) < cutoff:
                self.forgotten[report_id] = float(record["t"])
        expire(self.state, now, self.window)
        horizon = (now - self.memory).timestamp()
        self.forgotten = {k: t for k, t in self.forgotten.items() if t >= horizon}


def _bump_revisions(
    changes: list[EventDecision],
    mentions: tuple[EventMention, ...],
    state: DedupeState,
    *,
    replayed: bool,
) -> list[tuple[Mapping[str, Any], str]]:
    """The final snapshot of each event this report changed, with a revision counter.

    The revision lets the sink ignore an older snapshot that arrives after a newer one (replays,
    several sink partitions). A replayed report changes nothing, so it re-emits the stored snapshot.
    The event also keeps the highest confidence, and the first actor and target, that any of its
    mentions gave (the corroboration core does not track these).
    """
    latest: dict[str, tuple[EventDecision, Mapping[str, Any]]] = {}
    for change in changes:
        latest[change.event_id] = (change, change.event)
    out: list[tuple[Mapping[str, Any], str]] = []
    for event_id, (change, _snapshot) in latest.items():
        current = state.events.get(event_id)
        if current is None:  # expired since
            continue
        if not replayed and not change.replayed:
            own = [
                mentions[c.mention_index]
                for c in changes
                if c.event_id == event_id and c.mention_index is not None
            ]
            current = {
                **current,
                "revision": int(current.get("revision", 0)) + 1,
                "confidence": max([m.confidence for m in own] + [current.get("confidence") or 0.0]) or None,
                "actor": current.get("actor") or next((m.actor for m in own if m.actor), None),
                "target": current.get("target") or next((m.target for m in own if m.target), None),
            }
            state.events[event_id] = current
        out.append((current, change.change))
    return out


def _event_for_mention(changes: list[EventDecision], index: int) -> str | None:
    for change in changes:
        if change.mention_index == index and change.merged_into is None:
            return change.event_id
    return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _mention_from_dict(d: Mapping[str, Any]) -> EventMention:
    loc = d.get("location")
    occurred = d.get("occurred_on")
    return EventMention(
        types=tuple(d["types"]),
        killed=d.get("killed"),
        injured=d.get("injured"),
        children=d.get("children"),
        killed_approximate=bool(d.get("killed_approximate")),
        injured_approximate=bool(d.get("injured_approximate")),
        location=Place(**loc) if loc else None,
        weapon=d.get("weapon"),
        aircraft=d.get("aircraft"),
        actor=d.get("actor"),
        target=d.get("target"),
        occurred_on=date.fromisoformat(occurred) if isinstance(occurred, str) else occurred,
        evidence=tuple(Span(**s) for s in d.get("evidence", ())),
        rules=tuple(d.get("rules", ())),
        confidence=float(d.get("confidence", 0.5)),
        classifier_version=d.get("classifier_version", ""),
    )


def _report_row(prepared: Prepared, decision: ReportDecision) -> dict[str, Any]:
    r = prepared.report
    return {
        "id": r.id,
        "title": r.title,
        "source": r.source,
        "url": r.url,
        "text": r.text,
        "published_at": _iso(r.published_at),
        "received_at": _iso(r.received_at),
        "fingerprint": prepared.fingerprint,
        "duplicate_of": decision.duplicate_of,
        "duplicate_kind": decision.kind,
        "kafka_topic": prepared.origin.topic,
        "kafka_partition": prepared.origin.partition,
        "kafka_offset": prepared.origin.offset,
        "classifier_version": prepared.classification.classifier_version,
    }


def _mention_row(report_id: str, index: int, m: EventMention, event_id: str | None) -> dict[str, Any]:
    place = m.location
    return {
        "report_id": report_id,
        "mention_index": index,
        "event_id": event_id,
        "types": list(m.types),
        "killed": m.killed,
        "injured": m.injured,
        "children": m.children,
        "killed_approximate": m.killed_approximate,
        "injured_approximate": m.injured_approximate,
        "place_name": place.name if place else None,
        "admin1": place.admin1 if place else None,
        "country": place.country if place else None,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "precision": place.precision if place else None,
        "weapon": m.weapon,
        "aircraft": m.aircraft,
        "evidence": [{"start": s.start, "end": s.end} for s in m.evidence],
        "rules": list(m.rules),
        "confidence": m.confidence,
    }


def _event_row(ev: Mapping[str, Any], change: str, classifier_version: str) -> dict[str, Any]:
    place = ev.get("place") or {}
    figures: Mapping[str, Mapping[str, Any]] = ev.get("figures") or {}
    children = [int(f["children"]) for f in figures.values() if f.get("children") is not None]
    t_first = datetime.fromtimestamp(float(ev["t_first"]), UTC)
    t_last = datetime.fromtimestamp(float(ev["t_last"]), UTC)
    return {
        "id": ev["id"],
        "types": list(ev["types"]),
        "killed": ev.get("killed_min"),
        "killed_max": ev.get("killed_max"),
        "injured": ev.get("injured_min"),
        "injured_max": ev.get("injured_max"),
        "children": min(children) if children else None,
        "place_name": place.get("name"),
        "admin1": place.get("admin1"),
        "country": place.get("country"),
        "lat": place.get("lat"),
        "lon": place.get("lon"),
        "precision": place.get("precision"),
        "weapon": ev.get("weapon"),
        "aircraft": ev.get("aircraft"),
        "actor": ev.get("actor"),
        "target": ev.get("target"),
        "occurred_on": ev.get("date"),
        "event_time": t_first.isoformat(),
        "report_time": t_last.isoformat(),
        "confidence": ev.get("confidence"),
        "classifier_version": classifier_version,
        "sources_count": int(ev.get("sources_count", len(ev.get("reports", ())))),
        "reports": list(ev.get("reports", ())),
        "duplicates": list(ev.get("duplicates", ())),
        "first_seen": t_first.isoformat(),
        "last_seen": t_last.isoformat(),
        "status": "merged" if ev.get("merged_into") else "active",
        "merged_into": ev.get("merged_into"),
        "revision": int(ev.get("revision", 1)),
        "change": change,
    }


def event_message(row: Mapping[str, Any], report_id: str) -> dict[str, Any]:
    """The ``events-classified-v1`` message for one canonical event change."""
    return {
        "schema_version": EVENT_SCHEMA_VERSION,
        "change": row["change"],
        "event_id": row["id"],
        "revision": row["revision"],
        "caused_by_report": report_id,
        "event": {k: v for k, v in row.items() if k not in ("change", "revision")},
    }
