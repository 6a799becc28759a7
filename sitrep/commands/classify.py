"""The classifier's two measurement commands, as plain functions the CLI wires up.

``run_classify`` turns JSON lines ``{"id", "text"}`` into one JSON line of events each (the contract on which
accuracy is judged); ``run_eval`` scores the classifier against labelled JSON lines and prints a table.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TextIO

import orjson

from sitrep.classify import Classifier, load_classifier
from sitrep.classify.gazetteer import fold
from sitrep.model import EVENT_TYPES, Classification, EventMention, Place, Report


def place_json(place: Place | None) -> dict[str, Any] | None:
    """The output shape of a location (``None`` stays ``null``)."""
    if place is None:
        return None
    return {
        "name": place.name,
        "admin1": place.admin1,
        "country": place.country,
        "lat": place.lat,
        "lon": place.lon,
        "precision": place.precision,
    }


def event_json(event: EventMention) -> dict[str, Any]:
    """One event as ``run_classify`` writes it: the contracted keys first, then the extra facts."""
    return {
        "types": list(event.types),
        "killed": event.killed,
        "injured": event.injured,
        "location": place_json(event.location),
        "weapon": event.weapon,
        "aircraft": event.aircraft,
        "evidence": [{"start": s.start, "end": s.end} for s in event.evidence],
        "confidence": event.confidence,
        "children": event.children,
        "killed_approximate": event.killed_approximate,
        "injured_approximate": event.injured_approximate,
        "actor": event.actor,
        "target": event.target,
        "occurred_on": event.occurred_on.isoformat() if event.occurred_on else None,
        "rules": list(event.rules),
    }


def classification_json(item_id: Any, result: Classification) -> dict[str, Any]:
    return {
        "id": item_id,
        "labels": list(result.labels),
        "events": [event_json(e) for e in result.events],
        "classifier_version": result.classifier_version,
    }


def _report_of(line: str, n: int) -> tuple[Any, Report] | str:
    """Decode one input line into (id, Report), or the reason it cannot be one."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return f"invalid JSON: {exc}"
    if not isinstance(obj, dict):
        return "a line must be a JSON object"
    text = obj.get("text")
    if not isinstance(text, str):
        return "missing or non-string 'text'"
    item_id = obj.get("id", n)
    published = None
    raw_published = obj.get("published_at")
    if isinstance(raw_published, str):
        try:
            published = datetime.fromisoformat(raw_published.replace("Z", "+00:00"))
        except ValueError:
            published = None
    title = obj.get("title") if isinstance(obj.get("title"), str) else None
    return item_id, Report(id=str(item_id), text=text, title=title, published_at=published)


def run_classify(inp: TextIO, out: TextIO, classifier: Classifier | None = None) -> int:
    """Classify JSON lines from ``inp`` into JSON lines on ``out``; bad lines get ``{"line", "error"}``.

    Every non-blank input line yields exactly one output line, in order. Returns the exit code (0).
    """
    clf = classifier or load_classifier()
    for n, line in enumerate(inp, start=1):
        if not line.strip():
            continue
        decoded = _report_of(line, n)
        if isinstance(decoded, str):
            record: dict[str, Any] = {"line": n, "error": decoded}
        else:
            item_id, report = decoded
            record = classification_json(item_id, clf(report))
        out.write(orjson.dumps(record).decode() + "\n")
    return 0


# --- evaluation -------------------------------------------------------------------------------------

_OBLAST_WORDS = re.compile(
    r"\b(?:oblast|region|province|governorate|raion|district|krai|kray|respublika|republic|of|county|state|"
    r"municipality|voivodeship|voivodship|department|prefecture)\b"
)


def normalise_admin1(name: str | None) -> str | None:
    """One comparable key for an admin1 name across spellings.

    "Zaporizhzhya oblast", "Zaporizhzhia Oblast" and "Zaporozhye region" all give the same key.
    """
    if not name:
        return None
    key = _OBLAST_WORDS.sub("", fold(name)).strip()
    key = re.sub(r"(?:skaya|ska ya|ska|skiy|skyi|skyy|sky|sk)$", "", key).strip()
    # Transliteration variants: collapse the letters they differ in.
    key = key.replace("kiev", "kyiv").replace("odessa", "odesa").replace("nikolaev", "mykolaiv")
    key = key.replace("zaporozhye", "zaporizhzhia").replace("lugan", "luhan").replace("dnepro", "dnipro")
    key = re.sub(r"[^a-z]", "", key)
    # Arabic names end in -ah or -a as transliterated ("Hamah", "Hama"; "Raqqah", "Raqqa").
    key = re.sub(r"(?<=..[aeiou])h$", "", key)
    key = re.sub(r"(?:iy|yi|ii|y|i)", "i", key)
    key = re.sub(r"(.)\1+", r"\1", key)
    # "Tul'skaya oblast'" and "Tula Oblast" differ in the stem's last vowel once the ending is gone.
    return re.sub(r"(?<=..)[aeiou]$", "", key)


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, gold: bool) -> None:
        if predicted and gold:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


@dataclass
class EvalResult:
    """Scores of one evaluation run (also returned for tests and scripts)."""

    n: int = 0
    per_type: dict[str, _Tally] = field(default_factory=lambda: {t: _Tally() for t in EVENT_TYPES})
    fatal: _Tally = field(default_factory=_Tally)
    killed_exact: int = 0
    killed_total: int = 0
    admin1_correct: int = 0
    admin1_total: int = 0
    aircraft_false_alarms: int = 0
    non_aircraft_items: int = 0
    errors: int = 0


def evaluate(items: Iterable[dict[str, Any]], classifier: Classifier) -> EvalResult:
    """Score labelled items (``text``, ``labels``, optional ``fatalities``, ``admin1``). Pure over values."""
    res = EvalResult()
    for obj in items:
        text = obj.get("text")
        if not isinstance(text, str):
            res.errors += 1
            continue
        res.n += 1
        gold = set(obj.get("labels") or [])
        result = classifier(Report(id=str(obj.get("id", res.n)), text=text))
        predicted = set(result.labels)
        for t in EVENT_TYPES:
            res.per_type[t].add(t in predicted, t in gold)
        if "aircraft_loss" not in gold:
            res.non_aircraft_items += 1
            res.aircraft_false_alarms += "aircraft_loss" in predicted
        killed = [e.killed for e in result.events if e.killed is not None]
        fatalities = obj.get("fatalities")
        if isinstance(fatalities, int):
            res.fatal.add(any(k >= 1 for k in killed), fatalities >= 1)
            if fatalities >= 1:
                res.killed_total += 1
                # A gold row describes one incident; a report may yield several: align it with any of them.
                res.killed_exact += fatalities in killed
        gold_admin1 = normalise_admin1(obj.get("admin1"))
        if gold_admin1:
            res.admin1_total += 1
            admin1s = {normalise_admin1(e.location.admin1) for e in result.events if e.location}
            res.admin1_correct += gold_admin1 in admin1s
    return res


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


class GoldUnreadable(Exception):
    """A gold file that cannot be read or parsed; the message is one line for the user."""


def _read_gold(path: Path, stdin: TextIO | IO[str]) -> tuple[str, list[dict[str, Any]]]:
    """The labelled items of one gold file (``-`` is standard input), named for the table title."""
    if str(path) == "-":
        name, text = "stdin", stdin.read()
    else:
        try:
            name, text = path.name, path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise GoldUnreadable(f"gold file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise GoldUnreadable(f"cannot read gold file {path}: {exc}") from None
    items: list[dict[str, Any]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise GoldUnreadable(f"{name}:{n}: invalid JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise GoldUnreadable(f"{name}:{n}: a gold line must be a JSON object")
        items.append(obj)
    return name, items


def run_eval(
    gold_files: list[Path],
    out: TextIO | IO[str],
    classifier: Classifier | None = None,
    stdin: TextIO | IO[str] | None = None,
    err: TextIO | IO[str] | None = None,
) -> int:
    """Score the classifier on labelled JSONL files and print a table per file and overall.

    A path of ``-`` reads standard input. Returns 0, or 2 after a one-line message on ``err`` (stderr)
    when a gold file is missing, unreadable or not JSON lines.
    """
    from rich.console import Console
    from rich.table import Table

    all_items: list[dict[str, Any]] = []
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    try:
        for path in gold_files:
            name, items = _read_gold(path, stdin if stdin is not None else sys.stdin)
            sections.append((name, items))
            all_items.extend(items)
    except GoldUnreadable as exc:
        print(f"sitrep eval: {exc}", file=err if err is not None else sys.stderr)
        return 2
    clf = classifier or load_classifier()
    console = Console(file=out, width=110, force_terminal=False, color_system=None)
    if len(sections) > 1:
        sections.append(("all", all_items))
    for name, items in sections:
        res = evaluate(items, clf)
        table = Table(title=f"{name}: {res.n} items ({clf.version})")
        for col in ("measure", "precision", "recall", "F1", "support"):
            table.add_column(col)
        for t, tally in res.per_type.items():
            table.add_row(
                t, _fmt(tally.precision), _fmt(tally.recall), _fmt(tally.f1), str(tally.tp + tally.fn)
            )
        f = res.fatal
        table.add_row(
            "fatal casualty (killed ≥ 1)", _fmt(f.precision), _fmt(f.recall), _fmt(f.f1), str(f.tp + f.fn)
        )
        exact = res.killed_exact / res.killed_total if res.killed_total else None
        table.add_row("killed count exact", "", "", _fmt(exact), str(res.killed_total))
        acc = res.admin1_correct / res.admin1_total if res.admin1_total else None
        table.add_row("admin1 accuracy", "", "", _fmt(acc), str(res.admin1_total))
        far = res.aircraft_false_alarms / res.non_aircraft_items if res.non_aircraft_items else None
        table.add_row("aircraft-loss false-alarm rate", "", "", _fmt(far), str(res.non_aircraft_items))
        console.print(table)
    return 0
