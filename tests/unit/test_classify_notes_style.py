"""Conflict-monitor and wire phrasing: dated notes, crews, dropped munitions, Russian regions.

Sentences written for these tests (none copied from any dataset).
"""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier, load_classifier
from sitrep.model import Classification, Report


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classifier()


def read(classifier: Classifier, text: str) -> Classification:
    return classifier(Report(id="t", text=text))


@pytest.mark.parametrize(
    "text",
    [
        "On 3 May 2024, Russian forces shelled Kherson city (Kherson). Two civilians were killed.",
        "On May 3, Russian forces shelled Kherson. Two civilians were killed.",
        "In early May, Russian forces shelled Kherson, killing two civilians.",
    ],
)
def test_the_month_of_may_does_not_hedge_a_dated_strike(classifier: Classifier, text: str) -> None:
    result = read(classifier, text)
    assert set(result.labels) == {"strike", "casualty"}
    event = result.events[0]
    assert event.killed == 2
    assert event.location is not None and event.location.admin1 == "Kherson oblast"


def test_the_modal_may_still_hedges(classifier: Classifier) -> None:
    result = read(classifier, "Russia may strike Kyiv again with missiles, officials said.")
    assert "strike" not in result.labels


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("A Mi-8 helicopter crashed in the Donetsk region, killing its crew of three.", 3),
        ("The Su-24 went down near Latakia; its crew of two was killed.", 2),
        ("An Il-76 transport crashed on take-off, killing all its crew of fifteen.", 15),
    ],
)
def test_a_crew_of_n_is_counted(classifier: Classifier, text: str, killed: int) -> None:
    result = read(classifier, text)
    assert set(result.labels) == {"aircraft_loss", "casualty"}
    assert result.events[0].killed == killed


def test_munitions_dropped_from_a_drone_are_a_strike(classifier: Classifier) -> None:
    result = read(classifier, "Russian troops dropped explosives from a drone on Beryslav, wounding a woman.")
    assert set(result.labels) == {"strike", "casualty"}
    assert result.events[0].weapon == "drone"
    assert result.events[0].injured == 1


@pytest.mark.parametrize(
    ("text", "name", "admin1"),
    [
        ("Ukrainian shelling of Shebekino killed one person.", "Shebekino", "Belgorod oblast"),
        ("A drone struck a fuel depot in the Bryansk region.", "Bryansk oblast", "Bryansk oblast"),
        ("A drone hit an oil depot in Taganrog overnight.", "Taganrog", "Rostov oblast"),
        ("Drones attacked an airfield in the Oryol region.", "Oryol oblast", "Oryol oblast"),
        ("A drone struck the port of Novorossiysk.", "Novorossiysk", "Krasnodar krai"),
    ],
)
def test_russian_places_resolve_to_english_region_names(
    classifier: Classifier, text: str, name: str, admin1: str
) -> None:
    event = read(classifier, text).events[0]
    assert event.location is not None
    assert (event.location.name, event.location.admin1, event.location.country) == (name, admin1, "RU")
