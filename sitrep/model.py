"""Plain values shared by every stage: the pure core takes and returns these.

Nothing here does I/O. Every class is frozen so values can be cached, hashed and
compared in tests; conversion to and from JSON lives in ``schemas``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

EventType = Literal["strike", "casualty", "aircraft_loss", "airspace_response"]
EVENT_TYPES: tuple[EventType, ...] = ("strike", "casualty", "aircraft_loss", "airspace_response")

Precision = Literal["city", "admin1", "country"]


@dataclass(frozen=True, slots=True)
class Report:
    """One raw report as it arrives: free text plus whatever metadata the source gave."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into ``Report.text``."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place: the most specific name in the text and where it sits."""

    name: str
    admin1: str | None
    country: str | None  # ISO 3166-1 alpha-2
    lat: float | None
    lon: float | None
    precision: Precision


@dataclass(frozen=True, slots=True)
class EventMention:
    """One incident as one report tells it."""

    types: tuple[EventType, ...]
    killed: int | None = None
    injured: int | None = None
    children: int | None = None
    killed_approximate: bool = False
    injured_approximate: bool = False
    location: Place | None = None
    weapon: str | None = None
    aircraft: str | None = None
    actor: str | None = None
    target: str | None = None
    occurred_on: date | None = None
    evidence: tuple[Span, ...] = ()
    rules: tuple[str, ...] = ()
    confidence: float = 0.5
    classifier_version: str = ""


@dataclass(frozen=True, slots=True)
class Classification:
    """What the classifier read out of one report."""

    report_id: str
    events: tuple[EventMention, ...] = field(default_factory=tuple)
    classifier_version: str = ""

    @property
    def labels(self) -> tuple[EventType, ...]:
        seen = {t for e in self.events for t in e.types}
        return tuple(t for t in EVENT_TYPES if t in seen)
