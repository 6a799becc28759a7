"""The seed report and its bundled paraphrase read as the six incidents of TAXONOMY.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.classify import Classifier
from sitrep.model import EventMention, Report

SEED = Path(__file__).resolve().parents[2].parent / "shared/seed/report-0001.txt"
PARAPHRASE = Path(__file__).resolve().parents[2] / "sitrep/samples/seed-paraphrase.txt"


def _texts() -> list[object]:
    params: list[object] = [pytest.param(PARAPHRASE, id="paraphrase")]
    params.append(
        pytest.param(
            SEED,
            id="seed",
            marks=pytest.mark.skipif(not SEED.exists(), reason=f"shared seed report not present at {SEED}"),
        )
    )
    return params


def _by_types(events: tuple[EventMention, ...], *types: str) -> list[EventMention]:
    return [e for e in events if set(e.types) == set(types)]


@pytest.mark.parametrize("path", _texts())
def test_seed_reads_as_exactly_six_incidents(classifier: Classifier, path: Path) -> None:
    result = classifier(Report(id="seed", text=path.read_text(encoding="utf-8")))
    events = result.events
    assert len(events) == 6, [e.types for e in events]

    (attack,) = _by_types(events, "strike")
    assert attack.location is None or attack.location.country == "UA"

    (scramble,) = _by_types(events, "airspace_response")
    assert scramble.location is not None and scramble.location.country == "PL"

    deadly_strikes = _by_types(events, "strike", "casualty")
    assert [e.killed for e in deadly_strikes] == [1, 1]
    assert [e.location.admin1 if e.location else None for e in deadly_strikes] == [
        "Kherson oblast",
        "Kharkiv oblast",
    ]
    assert all(e.weapon == "drone" for e in deadly_strikes)

    (wounded,) = _by_types(events, "casualty")
    assert (wounded.injured, wounded.children, wounded.killed) == (6, 1, None)
    assert wounded.location is not None and wounded.location.name == "Cherkasy"

    (crash,) = _by_types(events, "aircraft_loss", "casualty")
    assert (crash.aircraft, crash.killed) == ("F-16", 1)
    assert result.labels == ("strike", "casualty", "aircraft_loss", "airspace_response")


@pytest.mark.parametrize("path", _texts())
def test_treaty_paragraphs_yield_nothing(classifier: Classifier, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    # Title and the two treaty paragraphs, read on their own, describe no incident
    # (the opening sentence mentions the attack: drop it to keep only treaty talk).
    opening_rest = paragraphs[1].split(". ", 1)[1]
    for part in (opening_rest, paragraphs[2]):
        assert classifier(Report(id="t", text=part)).events == (), part[:80]


@pytest.mark.parametrize("path", _texts())
def test_every_evidence_span_lies_inside_the_text(classifier: Classifier, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for event in classifier(Report(id="seed", text=text)).events:
        assert event.evidence
        for span in event.evidence:
            assert 0 <= span.start < span.end <= len(text)
        assert 0.0 <= event.confidence <= 1.0
        assert event.classifier_version
