"""Places read in the light of the oblast named beside them, and front "directions" named by adjectives.

Sentences written for these tests (not taken from any labelled data).
"""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier
from sitrep.model import EventMention, Place, Report


def one(classifier: Classifier, text: str) -> EventMention:
    (event,) = classifier(Report(id="t", text=text)).events
    return event


def where(classifier: Classifier, text: str) -> Place:
    """The place of the one event ``text`` tells (which must have one)."""
    location = one(classifier, text).location
    assert location is not None
    return location


def test_a_town_named_beside_its_oblast_is_looked_up_in_that_oblast(classifier: Classifier) -> None:
    # Borova is both a Kyiv-oblast town and a Kharkiv-oblast town; the sentence says which.
    place = where(classifier, "A glide bomb hit a shop in Borova, Kharkiv region, killing two people")
    assert (place.name, place.admin1) == ("Borova", "Kharkiv oblast")


def test_a_town_without_a_namesake_in_the_named_oblast_leaves_the_oblast_as_the_place(
    classifier: Classifier,
) -> None:
    event = one(classifier, "Shelling of Borova in the Odesa region killed a man")
    assert event.location is not None and event.location.admin1 == "Odesa oblast"


@pytest.mark.parametrize(
    ("direction", "oblast"),
    [
        ("Pokrovsky", "Donetsk oblast"),
        ("Kupyansky", "Kharkiv oblast"),
        ("Avdeevsky", "Donetsk oblast"),
        ("Orekhovsky", "Zaporizhzhia oblast"),
        ("Svatovsko-Kremensky", "Luhansk oblast"),
        ("Svatove-Kreminna", "Luhansk oblast"),
    ],
)
def test_a_direction_named_by_an_adjective_resolves_to_its_towns_oblast(
    classifier: Classifier, direction: str, oblast: str
) -> None:
    place = where(classifier, f"Enemy losses in the {direction} direction amounted to 70 servicemen per day")
    assert (place.admin1, place.precision) == (oblast, "admin1")


@pytest.mark.parametrize(
    ("town", "oblast"),
    [("Харків", "Kharkiv oblast"), ("Харьков", "Kharkiv oblast"), ("Нікополь", "Dnipropetrovsk oblast")],
)
def test_a_town_written_in_cyrillic_resolves_like_its_latin_spelling(
    classifier: Classifier, town: str, oblast: str
) -> None:
    place = where(classifier, f"A drone strike on {town} killed two people")
    assert (place.admin1, place.precision) == (oblast, "city")


@pytest.mark.parametrize(
    ("phrase", "oblast"),
    [
        ("the Сумська область", "Sumy oblast"),
        ("the Запорізької області", "Zaporizhzhia oblast"),
        ("the Херсонской области", "Kherson oblast"),
        ("the Донецькій обл.", "Donetsk oblast"),
    ],
)
def test_an_oblast_written_in_cyrillic_in_any_case_resolves_to_the_oblast(
    classifier: Classifier, phrase: str, oblast: str
) -> None:
    place = where(classifier, f"Shelling killed a woman in {phrase} on Sunday")
    assert (place.admin1, place.precision) == (oblast, "admin1")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("A missile strike on Sevastopol damaged a fuel depot", "Sevastopol"),
        ("A drone hit a house in Balaklava overnight", "Balaklava"),
        ("Shelling of Kerch damaged a school", "Kerch"),
    ],
)
def test_towns_on_the_crimean_peninsula_have_crimea_as_their_region(
    classifier: Classifier, text: str, name: str
) -> None:
    # Sevastopol has its own ISO 3166-2 unit; reports and the labelling conventions file it under Crimea.
    place = where(classifier, text)
    assert (place.name, place.admin1, place.country) == (name, "Crimea", "UA")


@pytest.mark.parametrize(
    ("text", "admin1", "country"),
    [
        ("Sirens sounded in northern Israel, the military said", "Northern district", "IL"),
        ("A rocket fell in an open area in central Israel, injuring two people", "Central district", "IL"),
        ("An airstrike on a house in southern Lebanon killed three people", "South governorate", "LB"),
        ("An airstrike in northern Gaza killed 12 people", "North Gaza", "PS"),
        ("Drones attacked oil facilities in eastern Saudi Arabia", "Eastern Province region", "SA"),
    ],
)
def test_a_compass_word_before_a_country_names_the_unit_called_so(
    classifier: Classifier, text: str, admin1: str, country: str
) -> None:
    place = where(classifier, text)
    assert (place.admin1, place.country, place.precision) == (
        admin1,
        country,
        "admin1",
    )


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Russian shelling in eastern Ukraine killed three civilians", "UA"),
        ("A drone attack in southern Russia damaged a refinery", "RU"),
        ("South Korea scrambled fighter jets after Russian bombers entered its air zone", "KR"),
    ],
)
def test_a_compass_word_before_a_country_without_such_a_unit_leaves_the_country(
    classifier: Classifier, text: str, country: str
) -> None:
    place = where(classifier, text)
    assert (place.admin1, place.country) == (None, country)


def test_units_named_in_a_local_language_are_shown_in_english(classifier: Classifier) -> None:
    # ISO 3166-2 names Lebanon's unit "An Nabaţīyah"; countrystatecity's English name is shown.
    place = where(classifier, "An Israeli strike on Nabatieh killed two people")
    assert (place.admin1, place.country) == ("Nabatieh governorate", "LB")


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        ("An airstrike on a tent camp in Khan Younis killed 12 people", "Khan Yunis"),
        ("Israeli strikes on Nuseirat killed five people", "Deir El Balah"),
        ("An airstrike on a school in Jabalia killed three people", "North Gaza"),
        ("A drone strike on a car in Jenin killed one person", "Jenin"),
    ],
)
def test_towns_in_the_palestinian_territories_have_their_governorate(
    classifier: Classifier, text: str, admin1: str
) -> None:
    # geonames files every Gaza Strip town under one code; the curated table gives the governorate.
    place = where(classifier, text)
    assert (place.admin1, place.country) == (admin1, "PS")


@pytest.mark.parametrize(
    "text",
    [
        "Israel fires David's Sling interceptors at rockets, the army said",
        "Air defence shot down drones over Asia's largest refinery, Ben said",
    ],
)
def test_first_names_and_continents_are_no_places(classifier: Classifier, text: str) -> None:
    events = classifier(Report(id="t", text=text)).events
    assert events
    for event in events:
        assert event.location is None or event.location.name not in ("David", "Asia", "Ben"), text


def test_russian_republics_are_shown_by_their_english_name(classifier: Classifier) -> None:
    place = where(classifier, "A drone attack on Mozdok damaged an airfield")
    assert (place.name, place.admin1) == ("Mozdok", "North Ossetia-Alania Republic")


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        ("Governor Vitaliy Kim said drones hit Mykolaiv overnight", "Mykolaiv oblast"),
        ("Kharkiv Hit by Massive Missile Strike", "Kharkiv oblast"),
    ],
)
def test_a_governors_name_and_a_title_cased_verb_are_no_places(
    classifier: Classifier, text: str, admin1: str
) -> None:
    events = classifier(Report(id="t", text=text)).events
    assert events
    assert {e.location.admin1 for e in events if e.location} == {admin1}


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        ("Gladkov said two drones hit a car, injuring the driver.", "Belgorod oblast"),
        ("A drone attack damaged a power line, Lysak said on Telegram.", "Dnipropetrovsk oblast"),
        ("According to Bogomaz, three drones were destroyed.", "Bryansk oblast"),
    ],
)
def test_an_incident_told_by_a_regional_head_takes_the_heads_region(
    classifier: Classifier, text: str, admin1: str
) -> None:
    place = where(classifier, text)
    assert (place.admin1, place.precision) == (admin1, "admin1")


def test_a_place_named_in_the_text_wins_over_the_regional_head(classifier: Classifier) -> None:
    place = where(classifier, "A Russian strike on Kupiansk killed two, Syniehubov said.")
    assert (place.name, place.admin1) == ("Kupiansk", "Kharkiv oblast")


def test_a_regional_head_of_another_country_does_not_move_an_incident(classifier: Classifier) -> None:
    events = classifier(
        Report(id="t", text="Gladkov said Ukraine was shelled; in Poland, a drone fell near Lublin.")
    ).events
    assert [
        (e.types, e.location and e.location.country, e.location and e.location.admin1) for e in events
    ] == [
        (("strike",), "UA", None),
        (("airspace_response",), "PL", "Lublin voivodeship"),
    ]


@pytest.mark.parametrize(
    ("text", "admin1", "country"),
    [
        ("A drone strike on a hospital in el-Fasher killed 70 people.", "North Darfur state", "SD"),
        ("An airstrike hit al-Mawasi, killing 19.", "Khan Yunis", "PS"),
        ("A suspected drone hit Mir Ali on Friday, killing a child.", "Khyber Pakhtunkhwa province", "PK"),
        ("Three children died in mortar shelling in Poonch.", "Jammu and Kashmir", "IN"),
    ],
)
def test_arabic_articles_in_lower_case_and_curated_frontline_towns_abroad(
    classifier: Classifier, text: str, admin1: str, country: str
) -> None:
    place = where(classifier, text)
    assert (place.admin1, place.country) == (admin1, country)


def test_the_ukrainian_capital_is_kyiv(classifier: Classifier) -> None:
    place = where(
        classifier, "Russian drones attacked the Ukrainian capital overnight, injuring three people."
    )
    assert (place.name, place.admin1) == ("Kyiv", "Kyiv city")


def test_a_capital_region_is_not_the_capital_city(classifier: Classifier) -> None:
    # "capital region" is Moscow oblast in the news, not the city; with no unit named, the country stays.
    place = where(classifier, "A missile hit Russia's capital region, killing one.")
    assert (place.name, place.admin1, place.country) == ("Russia", None, "RU")
