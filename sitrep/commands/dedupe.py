"""The dedupe measurement command: JSON lines in, one duplicate/canonical-event decision per line out.

This is the same decision path the stage-B agent runs (``sketch`` -> ``decide_report`` -> classify ->
``corroborate``), over in-memory state and in input order, so it needs no broker. Every non-blank input line
``{"id", "text", "published_at"?, "source"?}`` yields exactly one output line
``{"id", "duplicate_of", "kind", "event_ids"}``; an invalid line yields ``{"line": n, "error": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import orjson

from sitrep.dedupe import DedupeParams, DedupeState, corroborate, decide_report, expire, sketch
from sitrep.model import Classification, Report

Classify = Callable[[Report], Classification]

# Expiry is a full scan of the tables, so it runs every this many lines rather than per line.
_EXPIRE_EVERY = 1000


def _parse_time(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _decode(line: str) -> dict[str, Any] | str:
    """The input object, or why the line cannot be one."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return f"invalid JSON: {exc}"
    if not isinstance(obj, dict):
        return "a line must be a JSON object"
    if not isinstance(obj.get("text"), str):
        return "missing or non-string 'text'"
    if not isinstance(obj.get("id"), str | int) or isinstance(obj.get("id"), bool):
        return "missing or invalid 'id' (string or integer)"
    return obj


def run_dedupe(
    inp: TextIO,
    out: TextIO,
    classifier: Classify | None = None,
    *,
    params: DedupeParams | None = None,
    received_at: datetime | None = None,
) -> int:
    """Decide duplicates and canonical events for the JSON lines of ``inp``, in order; write them to ``out``.

    ``classifier`` defaults to ``sitrep.classify.load_classifier()`` (imported lazily). A report's time is
    its ``published_at``; without one it takes the last time seen earlier in the input, and before any,
    ``received_at`` (default: the wall clock when the command starts, read once). Exact duplicates are not
    classified; near duplicates are, so a rewrite with a revised toll updates the figures. A repeated id gets
    its first decision again. Returns the exit code: 0, or 1 if any line was invalid.
    """
    if classifier is None:
        from sitrep.classify import load_classifier

        classifier = load_classifier()
    params = params or DedupeParams()
    state = DedupeState.empty()
    fallback = received_at or datetime.now(UTC)
    newest: datetime | None = None
    original_ids: dict[str, str | int] = {}
    status = 0
    for n, line in enumerate(inp, start=1):
        if not line.strip():
            continue
        obj = _decode(line)
        if isinstance(obj, str):
            out.write(orjson.dumps({"line": n, "error": obj}).decode() + "\n")
            status = 1
            continue
        rid = str(obj["id"])
        original_ids.setdefault(rid, obj["id"])
        published = _parse_time(obj.get("published_at"))
        when = published or fallback
        fallback = when
        fp, sig = sketch(obj["text"], params)
        decision = decide_report(rid, fp, sig, when, state, params)
        mentions: tuple[Any, ...] = ()
        if decision.kind != "exact" and not decision.replayed:
            title = obj.get("title") if isinstance(obj.get("title"), str) else None
            source = obj.get("source") if isinstance(obj.get("source"), str) else None
            report = Report(id=rid, text=obj["text"], title=title, source=source, published_at=published)
            mentions = classifier(report).events
        events = corroborate(rid, mentions, when, state, params)
        event_ids = list(dict.fromkeys(e.event_id for e in events if e.merged_into is None))
        out.write(
            orjson.dumps(
                {
                    "id": obj["id"],
                    "duplicate_of": original_ids.get(decision.duplicate_of, decision.duplicate_of)
                    if decision.duplicate_of
                    else None,
                    "kind": decision.kind,
                    "event_ids": event_ids,
                }
            ).decode()
            + "\n"
        )
        newest = when if newest is None or when > newest else newest
        if n % _EXPIRE_EVERY == 0:
            expire(state, newest, timedelta(days=params.state_window_days))
    return status
