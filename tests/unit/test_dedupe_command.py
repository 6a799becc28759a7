"""The dedupe measurement command: one JSON line out per JSON line in, with a fake classifier."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from sitrep.commands.dedupe import run_dedupe
from sitrep.model import Classification, EventMention, Place, Report

KYIV = Place("Kyiv", "Kyiv City", "UA", 50.45, 30.52, "city")
LVIV = Place("Lviv", "Lviv Oblast", "UA", 49.84, 24.03, "city")

STORY = (
    "Russian missiles struck an energy facility on the outskirts of Kyiv overnight, the city administration "
    "said. Two people were injured by debris and several houses lost power. Repair crews were at the site "
    "by morning and expected to restore supplies within a day. Air defence units were active for hours."
)


def fake_classifier(report: Report) -> Classification:
    """A stand-in classifier: one strike in whichever of two cities the text names."""
    calls.append(report.id)
    place = KYIV if "Kyiv" in report.text else LVIV if "Lviv" in report.text else None
    if place is None:
        return Classification(report.id)
    injured = 3 if "Three people" in report.text else 2
    return Classification(report.id, (EventMention(("strike",), injured=injured, location=place),))


calls: list[str] = []


def run(lines: list[object]) -> tuple[int, list[dict[str, Any]]]:
    calls.clear()
    inp = io.StringIO("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    out = io.StringIO()
    code = run_dedupe(inp, out, fake_classifier, received_at=datetime(2025, 1, 1, tzinfo=UTC))
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_input_line_gets_one_decision_line_in_order() -> None:
    t = "2025-02-03T06:00:00Z"
    code, rows = run(
        [
            {"id": "a", "text": STORY, "published_at": t, "source": "Wire"},
            {"id": "b", "text": "By Ivan Petrenko\n" + STORY.upper(), "published_at": t},
            {"id": "c", "text": STORY.replace("Two people", "Three people"), "published_at": t},
            {"id": "d", "text": "A drone hit a warehouse in Lviv on Monday.", "published_at": t},
            {"id": "a", "text": STORY, "published_at": t},
        ]
    )
    assert code == 0
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "a"]
    a, b, c, d, again = rows
    assert (a["kind"], a["duplicate_of"]) == (None, None)
    assert (b["kind"], b["duplicate_of"], b["event_ids"]) == ("exact", "a", a["event_ids"])
    assert (c["kind"], c["duplicate_of"], c["event_ids"]) == ("near", "a", a["event_ids"])
    assert d["kind"] is None and d["event_ids"] != a["event_ids"] and len(d["event_ids"]) == 1
    assert again == a
    assert calls == ["a", "c", "d"]  # exact duplicates and replays are not classified again


def test_invalid_lines_are_reported_and_do_not_stop_the_run() -> None:
    code, rows = run(["{not json", {"id": "x"}, [1, 2], {"id": 7, "text": "Quiet day in Lviv."}])
    assert code == 1
    assert [r.get("line") for r in rows[:3]] == [1, 2, 3]
    assert all("error" in r for r in rows[:3])
    assert rows[3]["id"] == 7 and rows[3]["kind"] is None


def test_integer_ids_are_echoed_as_given() -> None:
    _, rows = run([{"id": 1, "text": STORY}, {"id": 2, "text": STORY}])
    assert rows[1]["duplicate_of"] == 1
