"""The state the single decision owner keeps, as plain mutable mappings.

Every table is a ``MutableMapping[str, Any]`` whose values are JSON-serialisable plain dicts, lists, strings
and numbers, so that they survive JSON round trips (the worker keeps plain dicts, rebuilt from its input
log: see ``sitrep.pipeline.DecisionLog``).
The core never mutates a stored value in place: it always assigns a fresh value (``table[key] = new``),
because a changelog-backed mapping (such as a Faust table) only records a change on assignment.

Tables and values (times are POSIX seconds, event time):

- ``reports``: report id -> ``{"t", "fp", "kind", "duplicate_of", "event_ids"?, "changes"?}``: the recorded
  decision, so a replayed report gets the same answer rather than being called a duplicate of itself.
- ``fingerprints``: exact fingerprint -> ``{"id", "t"}`` of the first report with that text.
- ``bands``: LSH band key -> list of report ids whose signature has that band.
- ``signatures``: report id -> its signature (list of ints).
- ``events``: canonical event id -> canonical event dict (see ``corroborate``).
- ``cells``: place-and-day cell key -> list of canonical event ids in that cell.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

Table = MutableMapping[str, Any]


@dataclass(frozen=True, slots=True)
class DedupeState:
    """The six tables; ``DedupeState.empty()`` gives fresh in-memory state."""

    reports: Table
    fingerprints: Table
    bands: Table
    signatures: Table
    events: Table
    cells: Table

    @classmethod
    def empty(cls) -> DedupeState:
        """Fresh in-memory state (plain dicts)."""
        return cls(reports={}, fingerprints={}, bands={}, signatures={}, events={}, cells={})
