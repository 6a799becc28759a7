"""Event-level corroboration: fold each report's event mentions into canonical events.

A canonical event is a JSON-able dict in ``state.events`` (see ``CanonicalEvent keys`` below). A mention joins
an existing event when all of these hold (otherwise it creates a new event):

- types are compatible: they overlap, or one side is ``casualty`` and the other ``strike`` or
  ``aircraft_loss`` (the casualties of that strike or crash); differing named airframes never match;
- places are compatible: same country, same admin1 (so Kharkiv never matches Kherson), and then either one
  side is only known to admin1 precision ("in the Kharkiv region" matches "in Kharkiv"), or both are cities
  within ``corroboration_km`` by haversine when both have coordinates, else with the same name. Country-level
  mentions only match country-level events; mentions without a place never match (too vague to corroborate);
- times are compatible: when both sides carry an ``occurred_on`` date those dates are equal; otherwise the
  anchors (the date at noon UTC, else the report time) are within ``corroboration_hours`` of the event's
  first anchor (the first, not the latest, so a chain of reports cannot drift the event across days);
- counts are compatible: killed and injured tolls stay within ``count_ratio * low + count_slack``.

Candidates are found through ``state.cells`` (country | admin1 | UTC day), so only a few events are ever
compared. Two mentions of one report are distinct incidents by the classifier's word, so they never join the
same event, and two events sharing an original report are never merged.

Ids are derived from the incident's key, never from counters or clocks: an event created by mention ``i`` of
report ``r`` is ``evt-`` + BLAKE2b(``r#i``). A merge keeps the event whose first anchor is earliest (then the
smallest id) and marks the other ``merged_into`` it; the absorbed event stays in ``state.events`` until expiry
so subscribers can follow it.

``sources_count`` is the number of distinct non-duplicate reports behind an event. Exact and near duplicates
(republished wire copy, edited rewrites) are recorded in ``duplicates`` as provenance and their figures are
kept per report, but they do not count as independent corroboration; ``corroborate`` receives no outlet, and
outlets are often missing, so counting outlets is left to the store.

CanonicalEvent keys: ``id``, ``types``, ``first_report``, ``reports``, ``duplicates``, ``sources_count``,
``figures`` (report id -> {killed, injured, children}), ``killed_min``, ``killed_max``, ``injured_min``,
``injured_max``, ``place`` (Place fields or None), ``date`` (ISO date or None), ``t_first``, ``t_last``
(POSIX seconds), ``weapon``, ``aircraft``, ``cells``, ``merged_into``.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal

from sitrep.dedupe.params import DEFAULT_PARAMS, DedupeParams
from sitrep.dedupe.state import DedupeState
from sitrep.model import EventMention, Place

Change = Literal["created", "updated", "merged"]
_EARTH_KM = 6371.0088
_GENERIC_PLACE_WORDS = re.compile(
    r"\b(?:oblast|oblasts|region|province|governorate|krai|kray|republic|district|raion|city|of|the)\b"
)


@dataclass(frozen=True, slots=True)
class EventDecision:
    """One change to a canonical event caused by one report.

    ``change`` is ``"created"`` (a new incident), ``"updated"`` (a new source, figure, type, finer place or
    duplicate provenance), or ``"merged"``: on the survivor when it absorbed another event, and on the
    absorbed event (with ``merged_into`` naming the survivor). ``mention_index`` is the index of the
    report's mention that caused it (``None`` for provenance from a duplicate without a matching
    mention). ``event`` is a snapshot of the canonical event after the change (empty if it has since
    expired, on replay).
    """

    event_id: str
    change: Change
    event: Mapping[str, Any]
    mention_index: int | None = None
    merged_into: str | None = None
    replayed: bool = False


# --- small pure helpers ------------------------------------------------------------------------------------


def event_id_for(report_id: str, mention_index: int) -> str:
    """The deterministic id of the event first told by mention ``mention_index`` of ``report_id``."""
    return "evt-" + hashlib.blake2b(f"{report_id}#{mention_index}".encode(), digest_size=10).hexdigest()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (hand-written: four lines do not justify a dependency)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=8192)  # place names repeat endlessly; the cache is pure (same input, same output)
def _norm_name(name: str | None) -> str:
    if not name:
        return ""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    folded = re.sub(r"['`\u2019]", "", folded)
    folded = _GENERIC_PLACE_WORDS.sub(" ", re.sub(r"[^a-z0-9]+", " ", folded))
    return " ".join(folded.split())


def _place_dict(p: Place | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "name": p.name,
        "admin1": p.admin1,
        "country": p.country,
        "lat": p.lat,
        "lon": p.lon,
        "precision": p.precision,
    }


def _region_key(place: Mapping[str, Any]) -> str:
    """The admin1 part of a cell key: '*' for country precision, '@name' for a city with no known admin1."""
    if place["precision"] == "country":
        return "*"
    admin1 = _norm_name(place.get("admin1"))
    if admin1:
        return admin1
    return ("@" if place["precision"] == "city" else "") + _norm_name(place.get("name"))


def _cell(place: Mapping[str, Any], day: date) -> str:
    return f"{(place.get('country') or '-').upper()}|{_region_key(place)}|{day.isoformat()}"


_PRECISION_RANK = {"city": 0, "admin1": 1, "country": 2}


def _anchor(occurred_on: date | None, report_time: datetime) -> float:
    if occurred_on is not None:
        return datetime.combine(occurred_on, time(12), tzinfo=UTC).timestamp()
    return report_time.timestamp()


def _types_compatible(a: Iterable[str], b: Iterable[str]) -> bool:
    sa, sb = set(a), set(b)
    ka, kb = sa - {"casualty"}, sb - {"casualty"}
    if ka and kb:
        # Both say what happened besides the toll: a strike and an aircraft loss (each with its dead) are
        # two incidents, however coarse their common place ("Ukraine").
        return bool(ka & kb)
    # A bare toll joins the strike or loss that caused it, or another bare toll.
    return bool(sa & sb) or bool((ka | kb) & {"strike", "aircraft_loss"})


def _places_compatible(
    a: Mapping[str, Any] | None, b: Mapping[str, Any] | None, params: DedupeParams
) -> bool:
    if a is None or b is None:
        return False
    ca, cb = (a.get("country") or "").upper(), (b.get("country") or "").upper()
    if ca and cb and ca != cb:
        return False
    if a["precision"] == "country" or b["precision"] == "country":
        return a["precision"] == b["precision"] and ca == cb
    if _region_key(a) != _region_key(b):
        return False
    if a["precision"] == "admin1" or b["precision"] == "admin1":
        return True
    if None not in (a.get("lat"), a.get("lon"), b.get("lat"), b.get("lon")):
        # A degree of latitude is at least 110.5 km: most pairs are rejected without trigonometry.
        if abs(a["lat"] - b["lat"]) * 110.5 > params.corroboration_km:
            return False
        return haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]) <= params.corroboration_km
    return _norm_name(a.get("name")) == _norm_name(b.get("name"))


def _times_compatible(
    date_a: str | None, t_a: float, date_b: str | None, t_b: float, params: DedupeParams
) -> bool:
    if date_a is not None and date_b is not None:
        return date_a == date_b
    return abs(t_a - t_b) <= params.corroboration_hours * 3600


def _counts_compatible(values: Iterable[int | None], params: DedupeParams) -> bool:
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return True
    return max(known) <= params.count_ratio * min(known) + params.count_slack


def _aircraft_compatible(a: str | None, b: str | None) -> bool:
    return not a or not b or _norm_name(a) == _norm_name(b)


def _mention_matches(
    m: EventMention,
    place: Mapping[str, Any] | None,
    date_iso: str | None,
    t: float,
    ev: Mapping[str, Any],
    params: DedupeParams,
) -> bool:
    # Cheapest and most selective checks first: neighbouring days' cells bring many time misfits.
    return (
        _times_compatible(date_iso, t, ev["date"], ev["t_first"], params)
        and _types_compatible(m.types, ev["types"])
        and _counts_compatible((m.killed, ev["killed_min"], ev["killed_max"]), params)
        and _counts_compatible((m.injured, ev["injured_min"], ev["injured_max"]), params)
        and _aircraft_compatible(m.aircraft, ev.get("aircraft"))
        and _places_compatible(place, ev["place"], params)
    )


def _events_mergeable(a: Mapping[str, Any], b: Mapping[str, Any], params: DedupeParams) -> bool:
    return (
        not set(a["reports"]) & set(b["reports"])
        and _types_compatible(a["types"], b["types"])
        and _aircraft_compatible(a.get("aircraft"), b.get("aircraft"))
        and _places_compatible(a["place"], b["place"], params)
        and _times_compatible(a["date"], a["t_first"], b["date"], b["t_first"], params)
        and _counts_compatible((a["killed_min"], a["killed_max"], b["killed_min"], b["killed_max"]), params)
        and _counts_compatible(
            (a["injured_min"], a["injured_max"], b["injured_min"], b["injured_max"]), params
        )
    )


def _with_figures(ev: dict[str, Any]) -> dict[str, Any]:
    """Recompute the derived totals (min/max tolls, sources_count) from the per-report figures."""
    for key in ("killed", "injured"):
        vals = [f[key] for f in ev["figures"].values() if f.get(key) is not None]
        ev[f"{key}_min"] = min(vals) if vals else None
        ev[f"{key}_max"] = max(vals) if vals else None
    ev["sources_count"] = len(ev["reports"])
    return ev


def _finer(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if a is None:
        return b
    if b is None:
        return a
    rank_a, rank_b = _PRECISION_RANK[a["precision"]], _PRECISION_RANK[b["precision"]]
    if rank_a == rank_b and a.get("lat") is None and b.get("lat") is not None:
        return b  # same precision, but only ``b`` says where exactly
    return b if rank_b < rank_a else a


def _ordered_union(a: Iterable[str], b: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def _mention_figures(m: EventMention) -> dict[str, int | None]:
    return {"killed": m.killed, "injured": m.injured, "children": m.children}


# --- state updates (always assign fresh values: Faust tables only log assignments) --------------------------


def _add_to_cells(state: DedupeState, event_id: str, cells: Iterable[str]) -> None:
    for cell in cells:
        ids = state.cells.get(cell, [])
        if event_id not in ids:
            state.cells[cell] = [*ids, event_id]


def _remove_from_cells(state: DedupeState, event_id: str, cells: Iterable[str]) -> None:
    for cell in cells:
        ids = [i for i in state.cells.get(cell, []) if i != event_id]
        if ids:
            state.cells[cell] = ids
        elif cell in state.cells:
            del state.cells[cell]


def _live(event_id: str, state: DedupeState) -> str | None:
    """Follow ``merged_into`` to the surviving event id (None if it expired)."""
    seen: set[str] = set()
    while event_id not in seen:
        seen.add(event_id)
        ev = state.events.get(event_id)
        if ev is None:
            return None
        if not ev.get("merged_into"):
            return event_id
        event_id = ev["merged_into"]
    return None


def _candidate_cells(place: Mapping[str, Any], t: float, params: DedupeParams) -> list[str]:
    lo = datetime.fromtimestamp(t - params.corroboration_hours * 3600, UTC).date()
    hi = datetime.fromtimestamp(t + params.corroboration_hours * 3600, UTC).date()
    days = [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]
    return [_cell(place, d) for d in days]


def _merge(survivor: dict[str, Any], absorbed: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(survivor)
    merged["types"] = sorted(set(survivor["types"]) | set(absorbed["types"]))
    merged["reports"] = _ordered_union(survivor["reports"], absorbed["reports"])
    merged["duplicates"] = _ordered_union(survivor["duplicates"], absorbed["duplicates"])
    merged["figures"] = {**absorbed["figures"], **survivor["figures"]}
    merged["place"] = _finer(survivor["place"], absorbed["place"])
    merged["date"] = survivor["date"] or absorbed["date"]
    merged["t_first"] = min(survivor["t_first"], absorbed["t_first"])
    merged["t_last"] = max(survivor["t_last"], absorbed["t_last"])
    merged["weapon"] = survivor.get("weapon") or absorbed.get("weapon")
    merged["aircraft"] = survivor.get("aircraft") or absorbed.get("aircraft")
    merged["cells"] = _ordered_union(survivor["cells"], absorbed["cells"])
    return _with_figures(merged)


# --- the public entry point ---------------------------------------------------------------------------------


def _replay(record: Mapping[str, Any], state: DedupeState) -> list[EventDecision]:
    return [
        EventDecision(
            c["id"],
            c["change"],
            dict(state.events.get(c["id"], {})),
            c.get("mention"),
            c.get("merged_into"),
            replayed=True,
        )
        for c in record.get("changes", [])
    ]


def _attach_duplicate(
    report_id: str,
    original: str,
    mentions: Sequence[EventMention],
    report_time: datetime,
    state: DedupeState,
    params: DedupeParams,
) -> list[EventDecision]:
    orig_rec = state.reports.get(original) or {}
    live = list(dict.fromkeys(i for i in (_live(e, state) for e in orig_rec.get("event_ids", [])) if i))
    decisions: list[EventDecision] = []
    touched: dict[str, int | None] = {}
    events = {i: dict(state.events[i]) for i in live}
    for idx, m in enumerate(mentions):
        place = _place_dict(m.location)
        date_iso = m.occurred_on.isoformat() if m.occurred_on else None
        t = _anchor(m.occurred_on, report_time)
        for eid in live:
            ev = events[eid]
            if eid in touched or not _types_compatible(m.types, ev["types"]):
                continue
            # A rewrite of the same story may revise a toll: keep its figures as this report's, unless its
            # place or time clearly contradict the original's event.
            if (
                place is not None
                and ev["place"] is not None
                and not _places_compatible(place, ev["place"], params)
            ):
                continue
            if not _times_compatible(date_iso, t, ev["date"], ev["t_first"], params):
                continue
            ev["figures"] = {**ev["figures"], report_id: _mention_figures(m)}
            touched[eid] = idx
            break
    for eid in live:
        ev = events[eid]
        ev["duplicates"] = _ordered_union(ev["duplicates"], [report_id])
        ev["t_last"] = max(ev["t_last"], report_time.timestamp())
        state.events[eid] = _with_figures(ev)
        decisions.append(EventDecision(eid, "updated", dict(state.events[eid]), touched.get(eid)))
    return decisions


def corroborate(
    report_id: str,
    mentions: Sequence[EventMention],
    report_time: datetime,
    state: DedupeState,
    params: DedupeParams = DEFAULT_PARAMS,
) -> list[EventDecision]:
    """Fold the mentions of ``report_id`` into canonical events in ``state`` and say what changed.

    Call after ``decide_report`` (which recorded whether the report is a duplicate). A report already
    corroborated returns its recorded decisions (``replayed=True``) without touching state. A duplicate adds
    itself as provenance to the live canonical events of its original (its figures kept per report, each
    mention matched to at most one compatible event of the original) and never creates events. Otherwise each
    mention is matched against candidate events as the module docstring describes: no candidate creates an
    event; candidates are joined to the best (finest place, nearest, closest in time, earliest, smallest id),
    and other candidates compatible with it are merged into one survivor. ``report_time`` is the report's
    published (else received) time; it anchors mentions without an ``occurred_on`` date.
    """
    record = dict(
        state.reports.get(report_id) or {"t": report_time.timestamp(), "kind": None, "duplicate_of": None}
    )
    if "changes" in record:
        return _replay(record, state)

    if record.get("kind") is not None and record.get("duplicate_of"):
        decisions = _attach_duplicate(
            report_id, str(record["duplicate_of"]), mentions, report_time, state, params
        )
    else:
        decisions = _corroborate_original(report_id, mentions, report_time, state, params)

    record["event_ids"] = list(dict.fromkeys(d.event_id for d in decisions if d.merged_into is None))
    record["changes"] = [
        {"id": d.event_id, "change": d.change, "mention": d.mention_index, "merged_into": d.merged_into}
        for d in decisions
    ]
    state.reports[report_id] = record
    return decisions


def _corroborate_original(
    report_id: str,
    mentions: Sequence[EventMention],
    report_time: datetime,
    state: DedupeState,
    params: DedupeParams,
) -> list[EventDecision]:
    decisions: list[EventDecision] = []
    for idx, m in enumerate(mentions):
        place = _place_dict(m.location)
        date_iso = m.occurred_on.isoformat() if m.occurred_on else None
        t = _anchor(m.occurred_on, report_time)
        day = datetime.fromtimestamp(t, UTC).date() if m.occurred_on is None else m.occurred_on
        own_cells = [_cell(place, day)] if place is not None else []

        candidates: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        if place is not None:
            ids = {i for cell in _candidate_cells(place, t, params) for i in state.cells.get(cell, [])}
            for eid in sorted(ids):
                ev = state.events.get(eid)
                if ev is None or ev.get("merged_into") or report_id in ev["reports"]:
                    continue
                if not _mention_matches(m, place, date_iso, t, ev, params):
                    continue
                # An event sharing a type beats one reached only through the casualty bridge: a strike
                # mention must not join a crash while the strike it repeats is also a candidate.
                shared = 0 if set(m.types) & set(ev["types"]) else 1
                candidates.append(((shared, *_score(place, t, ev)), dict(ev)))
        candidates.sort(key=lambda c: c[0])

        if not candidates:
            eid = event_id_for(report_id, idx)
            ev = _with_figures(
                {
                    "id": eid,
                    "types": sorted(set(m.types)),
                    "first_report": report_id,
                    "reports": [report_id],
                    "duplicates": [],
                    "figures": {report_id: _mention_figures(m)},
                    "place": place,
                    "date": date_iso,
                    "t_first": t,
                    "t_last": t,
                    "weapon": m.weapon,
                    "aircraft": m.aircraft,
                    "cells": own_cells,
                    "merged_into": None,
                }
            )
            state.events[eid] = ev
            _add_to_cells(state, eid, own_cells)
            decisions.append(EventDecision(eid, "created", dict(ev), idx))
            continue

        # Join the best candidate; the mention may reveal that other candidates are the same incident (say it
        # gives coordinates an event lacked), so those compatible with the joined event are merged into it.
        joined = _fold_mention(candidates[0][1], report_id, m, place, date_iso, t, own_cells)
        group = [joined]
        for _, other in candidates[1:]:
            if all(_events_mergeable(g, other, params) for g in group):
                group.append(other)
        group.sort(key=lambda e: (e["t_first"], e["id"]))
        survivor = group[0]
        for absorbed in group[1:]:
            survivor = _merge(survivor, absorbed)
            gone = {**absorbed, "merged_into": survivor["id"], "cells": []}
            state.events[absorbed["id"]] = gone
            _remove_from_cells(state, absorbed["id"], absorbed["cells"])
            decisions.append(EventDecision(absorbed["id"], "merged", dict(gone), idx, survivor["id"]))
        state.events[survivor["id"]] = survivor
        _add_to_cells(state, survivor["id"], survivor["cells"])
        change: Change = "merged" if len(group) > 1 else "updated"
        decisions.append(EventDecision(survivor["id"], change, dict(survivor), idx))
    return decisions


def _fold_mention(
    event: Mapping[str, Any],
    report_id: str,
    m: EventMention,
    place: Mapping[str, Any] | None,
    date_iso: str | None,
    t: float,
    own_cells: list[str],
) -> dict[str, Any]:
    ev = dict(event)
    ev["types"] = sorted(set(ev["types"]) | set(m.types))
    ev["reports"] = _ordered_union(ev["reports"], [report_id])
    ev["figures"] = {**ev["figures"], report_id: _mention_figures(m)}
    ev["place"] = _finer(ev["place"], place)
    ev["date"] = ev["date"] or date_iso
    ev["t_last"] = max(ev["t_last"], t)
    ev["weapon"] = ev.get("weapon") or m.weapon
    ev["aircraft"] = ev.get("aircraft") or m.aircraft
    ev["cells"] = _ordered_union(ev["cells"], own_cells)
    return _with_figures(ev)


def _score(place: Mapping[str, Any], t: float, ev: Mapping[str, Any]) -> tuple[Any, ...]:
    other = ev["place"]
    both_city = place["precision"] == "city" and other["precision"] == "city"
    dist = 0.0
    if both_city and None not in (place.get("lat"), place.get("lon"), other.get("lat"), other.get("lon")):
        dist = haversine_km(place["lat"], place["lon"], other["lat"], other["lon"])
    return (0 if both_city else 1, round(dist, 3), abs(t - ev["t_first"]), ev["t_first"], ev["id"])
