"""Third pass on counts and strikes: agents versus victims, ordinal tolls, named victims, pairs, lists of what
was destroyed, and strikes told by the arm that delivered them.

Sentences written for these tests (not taken from any labelled data).
"""

from __future__ import annotations

from sitrep.classify import Classifier
from sitrep.model import EventMention
from tests.unit.classify_read import read


def one(classifier: Classifier, text: str) -> EventMention:
    (event,) = read(classifier, text).events
    return event


# --- tolls ----------------------------------------------------------------------------------------------


def test_a_toll_with_a_cause_phrase_before_its_verb_is_read(classifier: Classifier) -> None:
    text = "The number of people killed as a result of the rocket attack on Pokrovsk has increased to nine"
    assert one(classifier, text).killed == 9


def test_a_toll_after_following_the_attack_is_read(classifier: Classifier) -> None:
    text = "The death toll following the drone strike on a bus depot in Kherson has climbed to 7."
    assert one(classifier, text).killed == 7


def test_a_fifth_person_who_died_is_a_toll_of_five(classifier: Classifier) -> None:
    text = "A fifth person has died in hospital after the missile strike on Chernihiv."
    event = one(classifier, text)
    assert (event.killed, event.killed_approximate) == (5, False)


def test_the_body_of_a_third_victim_is_a_toll_of_three(classifier: Classifier) -> None:
    text = "Rescuers in Sloviansk recovered the body of a third victim of the overnight missile strike."
    assert one(classifier, text).killed == 3


def test_an_ordinal_victim_who_was_only_wounded_is_not_a_death_toll(classifier: Classifier) -> None:
    text = "A second resident was wounded when shelling hit a shop in Nikopol."
    assert one(classifier, text).killed is None


# --- agents are not victims -----------------------------------------------------------------------------


def test_a_unit_that_eliminated_a_counted_enemy_is_the_agent_not_one_victim(classifier: Classifier) -> None:
    text = "The border guard eliminated more than 60 attackers near Vovchansk over the weekend"
    assert one(classifier, text).killed == 60


def test_a_unit_that_destroyed_soldiers_gives_the_object_count(classifier: Classifier) -> None:
    text = "The assault brigade destroyed 14 enemy soldiers near Toretsk"
    assert one(classifier, text).killed == 14


def test_a_passive_subject_is_still_the_victim(classifier: Classifier) -> None:
    text = "A guard was killed the next morning when a drone hit the checkpoint near Kupiansk"
    assert one(classifier, text).killed == 1


# --- named victims --------------------------------------------------------------------------------------


def test_a_person_named_with_an_apposition_who_was_killed_is_one(classifier: Classifier) -> None:
    text = "Petro Melnyk, a local football coach, was killed by shelling in Orikhiv"
    event = one(classifier, text)
    assert (event.killed, event.location and event.location.admin1) == (1, "Zaporizhzhia oblast")


def test_a_named_person_who_died_is_one(classifier: Classifier) -> None:
    assert one(classifier, "Hanna Kovalchuk died after a glide bomb hit her house in Kupiansk").killed == 1


def test_a_place_or_an_institution_that_died_is_not_a_named_victim(classifier: Classifier) -> None:
    assert read(classifier, "Velyka Novosilka died slowly under the occupation").events == ()
    assert read(classifier, "The National Guard Command was killed off by the reform").events == ()


# --- pairs and lists ------------------------------------------------------------------------------------


def test_an_official_and_his_wife_killed_are_two(classifier: Classifier) -> None:
    text = "The head of the village council and his wife were killed by a drone in the Sumy region."
    assert one(classifier, text).killed == 2


def test_a_man_and_his_daughter_who_died_are_two(classifier: Classifier) -> None:
    text = "A pensioner and his granddaughter died when a shell hit their yard in Kherson"
    assert one(classifier, text).killed == 2


def test_the_people_at_the_end_of_a_list_of_destroyed_things_are_counted(classifier: Classifier) -> None:
    text = "Marines destroyed two armoured vehicles, a mortar and 35 occupiers near Krynky"
    assert one(classifier, text).killed == 35


def test_a_list_does_not_borrow_the_count_of_a_later_passive_clause(classifier: Classifier) -> None:
    text = "A drone killed a man in Beryslav and 4 people were wounded in the same attack"
    event = one(classifier, text)
    assert (event.killed, event.injured) == (1, 4)


def test_liquidated_the_deputy_head_is_one_killed(classifier: Classifier) -> None:
    text = "Partisans liquidated the deputy head of the occupation police in Melitopol"
    assert one(classifier, text).killed == 1


def test_bodies_taken_away_state_deaths_without_a_count(classifier: Classifier) -> None:
    event = one(classifier, "After the battle the bodies were carried out by trucks from Popasna")
    assert (event.killed, event.killed_approximate) == (1, True)


# --- strikes told by the arm that delivered them ----------------------------------------------------------


def test_gunners_who_destroyed_a_depot_made_a_strike_located_in_its_region(classifier: Classifier) -> None:
    event = one(classifier, "Gunners of a mechanised brigade destroyed a fuel depot in the Kherson region")
    assert event.types == ("strike",)
    assert event.location is not None and event.location.admin1 == "Kherson oblast"


def test_a_depot_destroyed_by_artillerymen_is_a_strike(classifier: Classifier) -> None:
    event = one(classifier, "An ammunition depot near Tokmak was destroyed by artillerymen overnight")
    assert "strike" in event.types


def test_aviation_dealing_a_blow_is_a_strike(classifier: Classifier) -> None:
    text = "Army aviation dealt a heavy blow to enemy reserves in the Luhansk region"
    assert one(classifier, text).types == ("strike",)


def test_fire_damage_inflicted_on_positions_is_a_strike(classifier: Classifier) -> None:
    text = "The troops inflicted fire damage on enemy strongholds near Siversk"
    assert "strike" in one(classifier, text).types


def test_a_blow_dealt_without_a_weapon_or_arm_is_not_a_strike(classifier: Classifier) -> None:
    assert read(classifier, "The sanctions dealt a heavy blow to the economy of the region").events == ()


def test_air_defence_destroying_drones_is_not_a_strike_by_an_arm(classifier: Classifier) -> None:
    result = read(classifier, "Air defence gunners destroyed 12 drones over the Poltava region")
    assert "strike" not in result.labels and "airspace_response" in result.labels
