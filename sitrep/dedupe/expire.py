"""Event-time expiry: drop state older than the window so the owner's memory stays bounded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sitrep.dedupe.state import DedupeState


@dataclass(frozen=True, slots=True)
class ExpiryResult:
    """How many entries each table lost."""

    reports: int
    fingerprints: int
    signatures: int
    bands: int
    events: int
    cells: int


def expire(state: DedupeState, now: datetime, window: timedelta = timedelta(days=7)) -> ExpiryResult:
    """Remove everything whose event time is before ``now - window``.

    ``now`` is event time (the newest event time the owner has seen), not the wall clock, so replaying an old
    topic expires exactly what the original run expired. Reports and fingerprints age by their own event time,
    signatures and band entries with their report, canonical events by their latest anchor (``t_last``,
    including merged-away events), and cells lose the ids of expired events. A full scan: call it
    periodically (say hourly), not per message.
    """
    cutoff = (now - window).timestamp()
    old_reports = [k for k, v in state.reports.items() if float(v["t"]) < cutoff]
    for k in old_reports:
        del state.reports[k]
    old_fps = [k for k, v in state.fingerprints.items() if float(v["t"]) < cutoff]
    for k in old_fps:
        del state.fingerprints[k]
    old_sigs = [k for k in state.signatures if k not in state.reports]
    for k in old_sigs:
        del state.signatures[k]
    dropped = set(old_reports)
    bands = 0
    for key, ids in list(state.bands.items()):
        kept = [i for i in ids if i not in dropped and i in state.reports]
        if len(kept) != len(ids):
            bands += len(ids) - len(kept)
            if kept:
                state.bands[key] = kept
            else:
                del state.bands[key]
    old_events = {k for k, v in state.events.items() if float(v["t_last"]) < cutoff}
    for k in old_events:
        del state.events[k]
    cells = 0
    for key, ids in list(state.cells.items()):
        kept = [i for i in ids if i in state.events]
        if len(kept) != len(ids):
            cells += len(ids) - len(kept)
            if kept:
                state.cells[key] = kept
            else:
                del state.cells[key]
    return ExpiryResult(len(old_reports), len(old_fps), len(old_sigs), bands, len(old_events), cells)
