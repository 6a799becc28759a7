"""Pure helpers behind the operator commands ``sitrep dlq`` and ``sitrep status``.

Plain values in, plain values out: the commands in :mod:`sitrep.commands.dlq` and
:mod:`sitrep.commands.status` do the Kafka and SQL I/O and hand what they read to these
functions, which select, describe and judge it. Nothing here reads a clock or the environment;
"now" is always an argument.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

REASON = "sitrep-dlq-reason"
DETAIL = "sitrep-dlq-detail"
ORIGIN_TOPIC = "sitrep-origin-topic"
ORIGIN_PARTITION = "sitrep-origin-partition"
ORIGIN_OFFSET = "sitrep-origin-offset"
ORIGIN_TIMESTAMP = "sitrep-origin-timestamp"
REDRIVEN_FROM = "sitrep-redriven-from"

# Headers the worker adds when dead-lettering; a redriven message must not carry them, or the
# original would look like a dead letter to anyone reading the origin topic.
DLQ_HEADERS = frozenset({REASON, DETAIL, ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET, ORIGIN_TIMESTAMP})


# --- dead letters ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One message read from a dead-letter topic: its own position plus the original key and bytes."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` as text (undecodable bytes replaced), or None."""
        found = None
        for key, value in self.headers:
            if key == name:
                found = value.decode("utf-8", "replace") if value is not None else ""
        return found

    @property
    def reason(self) -> str:
        return self.header(REASON) or "unknown"

    @property
    def detail(self) -> str:
        return self.header(DETAIL) or ""

    @property
    def origin_topic(self) -> str | None:
        return self.header(ORIGIN_TOPIC)

    @property
    def origin_partition(self) -> int | None:
        return _int_or_none(self.header(ORIGIN_PARTITION))

    @property
    def origin_offset(self) -> int | None:
        return _int_or_none(self.header(ORIGIN_OFFSET))

    @property
    def time(self) -> datetime:
        """When the message was dead-lettered (the DLQ record's broker timestamp), UTC."""
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    @property
    def size(self) -> int:
        return len(self.value) if self.value is not None else 0

    @property
    def position(self) -> str:
        return f"{self.partition}:{self.offset}"


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Selection:
    """Which dead letters a command acts on. Empty fields select everything.

    ``positions`` are (partition, offset) pairs in the dead-letter topic; ``since`` is inclusive,
    ``until`` exclusive, both compared with the dead-letter time.
    """

    reasons: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    positions: frozenset[tuple[int, int]] = frozenset()

    def matches(self, letter: DeadLetter) -> bool:
        if self.reasons and letter.reason not in self.reasons:
            return False
        if self.since is not None and letter.time < self.since:
            return False
        if self.until is not None and letter.time >= self.until:
            return False
        return not self.positions or (letter.partition, letter.offset) in self.positions

    @property
    def is_empty(self) -> bool:
        return not (self.reasons or self.since or self.until or self.positions)


def select(letters: Iterable[DeadLetter], selection: Selection, limit: int | None = None) -> list[DeadLetter]:
    """The letters ``selection`` matches, in the order given, at most ``limit`` of them."""
    chosen = [letter for letter in letters if selection.matches(letter)]
    return chosen[:limit] if limit is not None else chosen


def parse_position(text: str) -> tuple[int, int]:
    """``"PARTITION:OFFSET"`` → ``(partition, offset)``; raises ValueError on anything else."""
    partition, sep, offset = text.strip().partition(":")
    if not sep or not partition.isdigit() or not offset.isdigit():
        raise ValueError(f"expected PARTITION:OFFSET (e.g. 0:42), got {text!r}")
    return int(partition), int(offset)


def parse_time(text: str) -> datetime:
    """An ISO 8601 date or datetime; a value without an offset is taken as UTC. Raises ValueError."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(0, width - 1)] + "…"


def render_bytes(data: bytes | None, limit: int = 4000) -> str:
    """A readable rendering of a key or value: pretty JSON when it is JSON, else the bytes' repr.

    Cut to about ``limit`` characters with a note saying how much was left out, so a 1 MB dead
    letter does not flood the terminal.
    """
    if data is None:
        return "(none)"
    try:
        text = json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except (UnicodeDecodeError, ValueError):
        text = repr(data)
    if len(text) > limit:
        return f"{text[:limit]}\n… ({len(text) - limit} more characters; {len(data)} bytes in all)"
    return text


def redrive_target(letter: DeadLetter, default_topic: str) -> str:
    """The topic a dead letter goes back to: its recorded origin, else the DLQ's input topic."""
    return letter.origin_topic or default_topic


def redrive_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    """Headers of the re-sent original: its own (none of the DLQ's) plus where it was redriven from."""
    kept = [(k, v) for k, v in letter.headers if k not in DLQ_HEADERS and k != REDRIVEN_FROM]
    return [*kept, (REDRIVEN_FROM, f"{letter.topic}/{letter.partition}/{letter.offset}".encode())]


def letter_summary(letter: DeadLetter, detail_width: int | None = None) -> dict[str, Any]:
    """A JSON-able description of one dead letter (``--json`` output; key and value sizes, not bytes)."""
    return {
        "dlq_topic": letter.topic,
        "partition": letter.partition,
        "offset": letter.offset,
        "time": letter.time.isoformat(),
        "reason": letter.reason,
        "detail": shorten(letter.detail, detail_width) if detail_width else letter.detail,
        "origin_topic": letter.origin_topic,
        "origin_partition": letter.origin_partition,
        "origin_offset": letter.origin_offset,
        "key": letter.key.decode("utf-8", "replace") if letter.key is not None else None,
        "size": letter.size,
    }


# --- status ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicState:
    """A topic as the broker describes it; ``end_offsets`` is empty when the topic is missing."""

    name: str
    exists: bool
    partitions: int = 0
    end_offsets: Mapping[int, int] = field(default_factory=dict)

    @property
    def messages(self) -> int:
        """The sum of end offsets (messages ever written, retention aside)."""
        return sum(self.end_offsets.values())


@dataclass(frozen=True, slots=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int | None
    end: int

    @property
    def lag(self) -> int:
        """Messages the group has not committed yet; a partition never committed lags by its end."""
        return max(0, self.end - (self.committed or 0))


@dataclass(frozen=True, slots=True)
class StoreState:
    reachable: bool
    error: str | None = None
    revision: str | None = None
    head: str | None = None
    rows: Mapping[str, int] = field(default_factory=dict)
    newest_event_time: datetime | None = None

    @property
    def migrated(self) -> bool:
        return self.reachable and self.revision is not None and self.revision == self.head


@dataclass(frozen=True, slots=True)
class Status:
    """Everything ``sitrep status`` found. ``problems`` judges it."""

    broker_reachable: bool
    broker_error: str | None
    topics: Sequence[TopicState]
    lag: Sequence[PartitionLag]
    store: StoreState
    dead_letters_last_hour: Mapping[str, int]
    group: str
    checked_at: datetime
    group_error: str | None = None  # committed offsets unknown (lag then counts from zero)


def lag_by_partition(
    inputs: Iterable[TopicState], committed: Mapping[tuple[str, int], int]
) -> list[PartitionLag]:
    """Lag of the worker's consumer group on each partition of its input topics, sorted."""
    rows = [
        PartitionLag(topic.name, p, committed.get((topic.name, p)), end)
        for topic in inputs
        if topic.exists
        for p, end in topic.end_offsets.items()
    ]
    return sorted(rows, key=lambda r: (r.topic, r.partition))


def dead_letters_since(end_offsets: Mapping[int, int], offsets_at: Mapping[int, int | None]) -> int:
    """Messages written after a point in time, per ``offsets_for_times`` (None: nothing after it)."""
    total = 0
    for partition, end in end_offsets.items():
        first = offsets_at.get(partition)
        if first is not None:
            total += max(0, end - first)
    return total


def problems(status: Status) -> list[str]:
    """Why the deployment is unhealthy; empty when it is healthy (``sitrep status`` exits 0)."""
    found: list[str] = []
    if not status.broker_reachable:
        found.append(f"broker unreachable: {status.broker_error or 'no response'}")
    else:
        missing = [t.name for t in status.topics if not t.exists]
        if missing:
            found.append(f"topics missing: {', '.join(missing)}")
    store = status.store
    if not store.reachable:
        found.append(f"store unreachable: {store.error or 'no response'}")
    elif store.revision is None:
        found.append("store not migrated (run `sitrep migrate`)")
    elif store.revision != store.head:
        found.append(f"store at revision {store.revision}, expected {store.head} (run `sitrep migrate`)")
    return found


def status_document(status: Status) -> dict[str, Any]:
    """The ``--json`` form of a status: stable keys, ISO times, plus ``healthy`` and ``problems``."""
    found = problems(status)
    store = status.store
    return {
        "healthy": not found,
        "problems": found,
        "checked_at": status.checked_at.isoformat(),
        "broker": {"reachable": status.broker_reachable, "error": status.broker_error},
        "topics": [
            {
                "name": t.name,
                "exists": t.exists,
                "partitions": t.partitions,
                "end_offsets": {str(p): o for p, o in sorted(t.end_offsets.items())},
            }
            for t in status.topics
        ],
        "group": status.group,
        "group_error": status.group_error,
        "lag": [
            {"topic": r.topic, "partition": r.partition, "committed": r.committed, "end": r.end, "lag": r.lag}
            for r in status.lag
        ],
        "total_lag": sum(r.lag for r in status.lag),
        "store": {
            "reachable": store.reachable,
            "error": store.error,
            "revision": store.revision,
            "head": store.head,
            "migrated": store.migrated,
            "rows": dict(store.rows),
            "newest_event_time": store.newest_event_time.isoformat() if store.newest_event_time else None,
        },
        "dead_letters_last_hour": dict(status.dead_letters_last_hour),
    }
