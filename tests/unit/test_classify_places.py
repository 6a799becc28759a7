"""Gazetteer: oblast forms, transliterations, ambiguity, distances."""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier, Gazetteer, distance_km
from sitrep.model import Report


@pytest.fixture(scope="module")
def gazetteer(classifier: Classifier) -> Gazetteer:
    return classifier.gazetteer


@pytest.mark.parametrize(
    ("modern", "older"),
    [
        ("Kyiv", "Kiev"),
        ("Kharkiv", "Kharkov"),
        ("Odesa", "Odessa"),
        ("Mykolaiv", "Nikolaev"),
        ("Zaporizhzhia", "Zaporozhye"),
        ("Dnipro", "Dnipropetrovsk"),
        ("Avdiivka", "Avdeevka"),
    ],
)
def test_transliteration_variants_resolve_to_the_same_town(
    gazetteer: Gazetteer, modern: str, older: str
) -> None:
    a, b = gazetteer.resolve(modern), gazetteer.resolve(older)
    assert a is not None and b is not None
    assert (a.name, a.country) == (b.name, b.country)
    assert a.country == "UA" and a.precision == "city"


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        ("Kharkiv region", "Kharkiv oblast"),
        ("Kharkov Oblast", "Kharkiv oblast"),
        ("Zaporozhye region", "Zaporizhzhia oblast"),
        ("Mykolayiv oblast", "Mykolaiv oblast"),
        ("Odessa region", "Odesa oblast"),
        ("Dnipropetrovsk region", "Dnipropetrovsk oblast"),
    ],
)
def test_region_and_oblast_forms_resolve_to_the_oblast(gazetteer: Gazetteer, text: str, admin1: str) -> None:
    place = gazetteer.resolve(text)
    assert place is not None
    assert (place.admin1, place.precision, place.country) == (admin1, "admin1", "UA")


def test_towns_carry_their_oblast(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("Nikopol")
    assert place is not None and (place.country, place.admin1) == ("UA", "Dnipropetrovsk oblast")


def test_context_country_breaks_ties(gazetteer: Gazetteer) -> None:
    # Odessa is also a US city; with no context the focus region wins, with US context the US one does.
    assert gazetteer.resolve("Odessa") is not None
    assert gazetteer.resolve("Odessa").country == "UA"  # type: ignore[union-attr]
    us = gazetteer.resolve("Odessa", context_country="US")
    assert us is not None and us.country == "US"


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        ("Sanaa", "YE"),
        ("Beirut", "LB"),
        ("Gaza", "PS"),
        ("Belgorod", "RU"),
        ("Chisinau", "MD"),
        ("Aleppo", "SY"),
    ],
)
def test_cities_beyond_ukraine_resolve(gazetteer: Gazetteer, name: str, iso: str) -> None:
    place = gazetteer.resolve(name)
    assert place is not None and place.country == iso


def test_countries_resolve_at_country_precision(gazetteer: Gazetteer) -> None:
    for name, iso in (("Poland", "PL"), ("Romania", "RO"), ("Israel", "IL"), ("Iran", "IR"), ("Syria", "SY")):
        place = gazetteer.resolve(name)
        assert place is not None and (place.country, place.precision) == (iso, "country")


def test_unknown_names_do_not_resolve(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("Qwzxplonk") is None
    assert gazetteer.resolve("") is None


def test_distance_between_kyiv_and_kharkiv_is_about_410_km(gazetteer: Gazetteer) -> None:
    kyiv, kharkiv = gazetteer.resolve("Kyiv"), gazetteer.resolve("Kharkiv")
    assert kyiv is not None and kharkiv is not None
    d = distance_km(kyiv, kharkiv)
    assert d is not None and 390 < d < 430
    assert distance_km(kyiv, kyiv) == pytest.approx(0.0)


def test_distance_needs_coordinates(gazetteer: Gazetteer) -> None:
    poland, kyiv = gazetteer.resolve("Poland"), gazetteer.resolve("Kyiv")
    assert poland is not None and kyiv is not None
    assert distance_km(poland, kyiv) is None


def test_event_location_uses_the_oblast_named_in_the_text(classifier: Classifier) -> None:
    (event,) = classifier(
        Report(id="t", text="A drone hit a bus in the Sumy region, killing the driver.")
    ).events
    assert event.location is not None
    assert (event.location.admin1, event.location.precision) == ("Sumy oblast", "admin1")
    assert event.killed == 1


def test_a_village_in_a_named_oblast_does_not_jump_to_a_namesake_elsewhere(classifier: Classifier) -> None:
    text = "Shelling of the village of Mykolaivka in the Donetsk region killed one resident."
    (event,) = classifier(Report(id="t", text=text)).events
    assert event.location is not None and event.location.admin1 == "Donetsk oblast"
