"""Report-level duplicate decisions: exact (same normalised text) or near (MinHash/LSH), else new."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sitrep.dedupe.params import DEFAULT_PARAMS, DedupeParams
from sitrep.dedupe.signature import band_keys, jaccard
from sitrep.dedupe.state import DedupeState

DuplicateKind = Literal["exact", "near"]


@dataclass(frozen=True, slots=True)
class ReportDecision:
    """What the owner decided about one report.

    ``kind`` is ``"exact"``, ``"near"`` or ``None`` (a new, original report); ``duplicate_of`` is the id of
    the original (the root: never itself a duplicate) or ``None``. ``replayed`` is true when the report id had
    already been decided and this is the recorded decision returned again. ``similarity`` is the Jaccard
    estimate against the original for near duplicates (1.0 for exact ones).
    """

    report_id: str
    kind: DuplicateKind | None
    duplicate_of: str | None
    replayed: bool = False
    similarity: float | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.kind is not None


def _root(report_id: str, state: DedupeState) -> str:
    """Follow ``duplicate_of`` to the original (recorded decisions always point at roots already)."""
    rec = state.reports.get(report_id)
    if rec is not None and rec.get("duplicate_of"):
        return str(rec["duplicate_of"])
    return report_id


def decide_report(
    report_id: str,
    fingerprint: str,
    signature: Sequence[int],
    event_time: datetime,
    state: DedupeState,
    params: DedupeParams = DEFAULT_PARAMS,
) -> ReportDecision:
    """Decide whether ``report_id`` is an exact duplicate, a near duplicate or new; record it in ``state``.

    Order: (1) a report id already in ``state.reports`` gets its recorded decision back (``replayed=True``)
    and nothing is written; (2) a fingerprint seen before makes an exact duplicate of the report that first
    had it; (3) LSH candidates within ``params.near_duplicate_hours`` of ``event_time`` whose estimated
    Jaccard similarity is at least ``params.near_duplicate_threshold`` make a near duplicate of the
    earliest of them (event time, then id); (4) otherwise the report is new. Every non-replayed report is
    recorded (``reports``); an original's fingerprint, signature and bands are indexed so later reports can
    match it (a duplicate's are not: later copies match the original). ``event_time`` is what expiry ages
    the entries by.
    """
    recorded = state.reports.get(report_id)
    if recorded is not None:
        return ReportDecision(
            report_id,
            recorded.get("kind"),
            recorded.get("duplicate_of"),
            replayed=True,
            similarity=recorded.get("similarity"),
        )

    t = event_time.timestamp()
    sig = list(signature)
    keys = band_keys(sig, params)
    kind: DuplicateKind | None = None
    original: str | None = None
    similarity: float | None = None

    first = state.fingerprints.get(fingerprint)
    if first is not None and str(first["id"]) == report_id:
        # Our own fingerprint, indexed just before a crash cut this report's decision short (the tables are
        # written one by one): the redelivered report is new, not a duplicate of itself.
        first = None
    if first is not None:
        kind, original, similarity = "exact", _root(str(first["id"]), state), 1.0
    else:
        hits: Counter[str] = Counter()
        for key in keys:
            hits.update(state.bands.get(key, ()))
        # A true near duplicate shares many bands (b * J**r on average); requiring ``min_band_hits`` skips
        # the many one-band coincidences between different stories that share boilerplate, which would
        # otherwise dominate the cost of verification.
        candidates = [c for c, n in hits.items() if n >= params.min_band_hits]
        best: tuple[float, str, float] | None = None  # (time, id, similarity): earliest wins
        for cand in candidates:
            cand_sig = state.signatures.get(cand)
            if cand_sig is None or len(cand_sig) != len(sig):
                continue
            cand_rec = state.reports.get(cand)
            if cand_rec is None or abs(float(cand_rec["t"]) - t) > params.near_duplicate_hours * 3600:
                continue
            sim = jaccard(sig, cand_sig)
            if sim < params.near_duplicate_threshold:
                continue
            root = _root(cand, state)
            root_rec = state.reports.get(root)
            root_t = float(root_rec["t"]) if root_rec is not None else float(cand_rec["t"])
            if best is None or (root_t, root) < (best[0], best[1]):
                best = (root_t, root, sim)
        if best is not None:
            kind, original, similarity = "near", best[1], best[2]
        state.fingerprints[fingerprint] = {"id": report_id, "t": t}

    state.reports[report_id] = {
        "t": t,
        "fp": fingerprint,
        "kind": kind,
        "duplicate_of": original,
        "similarity": similarity,
    }
    if kind is None:
        # Only originals are indexed: every decision points at an original anyway, and indexing copies too
        # would multiply the candidates to verify (and the memory) by the number of copies.
        state.signatures[report_id] = sig
        for key in keys:
            ids = state.bands.get(key, [])
            # A bucket keeps its newest ``max_band_size`` ids so one boilerplate-heavy band cannot grow
            # without bound; the other bands of a true duplicate still find its original.
            state.bands[key] = [*ids[-(params.max_band_size - 1) :], report_id]
    return ReportDecision(report_id, kind, original, replayed=False, similarity=similarity)
