"""Second pass on places: curated frontline towns, Russian-era spellings, front "directions", Russian regions.

Sentences written for these tests (not taken from any labelled data).
"""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier
from sitrep.commands.classify import normalise_admin1
from sitrep.model import Place, Report


def place_of(classifier: Classifier, text: str) -> Place | None:
    (event,) = classifier(Report(id="t", text=text)).events
    return event.location


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        ("A glide bomb hit a school in Slavyansk, killing two people", "Donetsk oblast"),
        ("Artillery shelled Gulyaipole overnight, wounding a woman", "Zaporizhzhia oblast"),
        ("Shelling of Marganets killed one man", "Dnipropetrovsk oblast"),
        ("Drones attacked Kremennaya, two civilians were injured", "Luhansk oblast"),
        ("A missile struck Krivoy Rog, injuring five people", "Dnipropetrovsk oblast"),
        ("Shelling of Gola Pristan: one person was killed", "Kherson oblast"),
    ],
)
def test_russian_era_spellings_of_frontline_towns_resolve_to_their_oblast(
    classifier: Classifier, text: str, admin1: str
) -> None:
    place = place_of(classifier, text)
    assert place is not None and (place.admin1, place.country, place.precision) == (admin1, "UA", "city")


def test_a_front_direction_named_for_a_town_is_located_in_that_towns_oblast(classifier: Classifier) -> None:
    place = place_of(classifier, "Ukrainian forces lost 40 soldiers in the Kupyansk direction in a day")
    assert place is not None and (place.admin1, place.precision) == ("Kharkiv oblast", "admin1")


def test_an_adjectival_direction_name_loses_its_suffix(classifier: Classifier) -> None:
    place = place_of(classifier, "Up to 70 servicemen were killed in the Krasnolimansk direction")
    assert place is not None and place.admin1 == "Donetsk oblast"


def test_a_direction_named_for_an_oblast_is_that_oblast(classifier: Classifier) -> None:
    place = place_of(classifier, "The enemy lost 30 soldiers killed in the Zaporozhye direction")
    assert place is not None and place.admin1 == "Zaporizhzhia oblast"


def test_an_english_name_of_a_russian_region_resolves_to_its_subdivision(classifier: Classifier) -> None:
    place = place_of(classifier, "Ukrainian drones struck a fuel depot in the Tula region, injuring three")
    assert place is not None and place.country == "RU" and place.precision == "admin1"


def test_a_town_name_ending_in_no_is_not_a_negation(classifier: Classifier) -> None:
    (event,) = classifier(Report(id="t", text="Shelling of Shebekino killed one person")).events
    assert event.killed == 1 and event.location is not None and event.location.country == "RU"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Donetska oblast", "Donetsk Oblast"),
        ("Luganskaya oblast", "Luhansk region"),
        ("Tul'skaya oblast'", "Tula Oblast"),
        ("Krasnodarskiy kray", "Krasnodar Krai"),
        ("Zaporizhzhya oblast", "Zaporozhye region"),
        ("Mykolayiv oblast", "Nikolaev region"),
    ],
)
def test_eval_admin1_keys_meet_across_spellings(a: str, b: str) -> None:
    assert normalise_admin1(a) == normalise_admin1(b)


def test_eval_admin1_keys_keep_different_oblasts_apart() -> None:
    assert normalise_admin1("Kherson oblast") != normalise_admin1("Kharkiv oblast")
    assert normalise_admin1("Kyiv city") != normalise_admin1("Kyiv oblast")
