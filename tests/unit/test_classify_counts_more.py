"""Second pass on counts: who died of wounds, "there is a dead", tolls of the injured, "one of them a child".

Sentences written for these tests (not taken from any labelled data).
"""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier
from tests.unit.classify_read import read


def only(classifier: Classifier, text: str) -> tuple[int | None, int | None]:
    (event,) = read(classifier, text).events
    return event.killed, event.injured


def test_a_man_wounded_earlier_who_died_counts_as_one_killed_not_one_injured(classifier: Classifier) -> None:
    text = "A man wounded in the shelling of Nikopol last week has died in hospital."
    assert only(classifier, text) == (1, None)


def test_a_resident_wounded_by_shelling_then_dying_is_one_killed(classifier: Classifier) -> None:
    text = "A resident of a village near Bakhmut, wounded as a result of artillery fire, died on Monday."
    assert only(classifier, text) == (1, None)


def test_there_is_a_dead_man_is_exactly_one_killed(classifier: Classifier) -> None:
    text = "Drones attacked Sumy at night: there is a dead man, three were wounded"
    (event,) = read(classifier, text).events
    assert (event.killed, event.killed_approximate) == (1, False)


def test_civilians_killed_and_wounded_without_figures_is_at_least_one_killed(classifier: Classifier) -> None:
    (event,) = read(classifier, "Shelling of Kramatorsk: civilians killed and wounded").events
    assert (event.killed, event.killed_approximate) == (1, True)


def test_two_brothers_died_is_two_killed(classifier: Classifier) -> None:
    assert only(classifier, "In the Sumy region, two brothers died when a rocket hit their home.")[0] == 2


def test_a_toll_of_the_injured_is_not_a_death_toll(classifier: Classifier) -> None:
    text = "The number of people injured in the strike on the Odesa port has risen to nine."
    assert only(classifier, text) == (None, 9)


def test_a_toll_naming_the_dead_after_qualifiers_is_read(classifier: Classifier) -> None:
    text = "The number of rescue workers killed in the double-tap strike on Kharkiv rose to three."
    assert only(classifier, text)[0] == 3


def test_a_singular_victim_with_an_of_complement_is_one_killed(classifier: Classifier) -> None:
    assert only(classifier, "Near Kupiansk, the driver of the aid convoy was killed by a drone")[0] == 1


def test_one_of_them_a_child_sets_the_children_count(classifier: Classifier) -> None:
    (event,) = read(classifier, "In Poltava, four people were injured, one of them a child.").events
    assert (event.injured, event.children) == (4, 1)


def test_no_one_was_killed_stays_uncounted(classifier: Classifier) -> None:
    result = read(classifier, "A drone hit a shop in Kherson; no one was killed or injured.")
    assert all(e.killed is None for e in result.events)


def test_a_headline_subject_without_article_who_died_of_wounds_is_one_killed(classifier: Classifier) -> None:
    text = "Kramatorsk man, wounded in the evening during shelling, dies in hospital - governor"
    assert only(classifier, text) == (1, None)


def test_servicemen_lost_in_a_direction_are_killed(classifier: Classifier) -> None:
    (event,) = read(classifier, "Over 60 servicemen lost in the Siversk direction per day - ministry").events
    assert (event.killed, event.killed_approximate) == (60, True)


def test_losses_amounted_over_n_personnel_in_capitals_is_a_count_and_not_a_place(
    classifier: Classifier,
) -> None:
    (event,) = read(classifier, "ENEMY LOSSES ON THE EASTERN AXIS AMOUNTED OVER 90 PERSONNEL PER DAY").events
    assert event.killed == 90 and event.location is None


def test_up_to_a_hundred_soldiers_destroyed_is_about_one_hundred_killed(classifier: Classifier) -> None:
    (event,) = read(classifier, "Missile troops destroyed up to a hundred enemy soldiers near Izium").events
    assert (event.killed, event.killed_approximate) == (100, True)


def test_an_elided_noun_after_the_killed_count_keeps_killed_and_wounded_apart(classifier: Classifier) -> None:
    text = "Artillery destroyed up to 30 and wounded more than 40 enemy soldiers near Kupiansk"
    assert [(e.killed, e.injured) for e in read(classifier, text).events] == [(30, 40)]


def test_tanks_destroyed_with_their_crews_are_at_least_one_killed(classifier: Classifier) -> None:
    (event,) = read(classifier, "Marines destroyed three tanks along with their crews near Vuhledar").events
    assert (event.killed, event.killed_approximate) == (1, True)


def test_pilots_losing_contact_is_not_a_death(classifier: Classifier) -> None:
    assert read(classifier, "The pilots lost contact with the ground for an hour").events == ()


def test_a_per_town_breakdown_that_adds_up_is_one_incident_per_town(classifier: Classifier) -> None:
    text = (
        "Russian shelling killed four civilians in the Luhansk region: "
        "two in Kreminna, one in Rubizhne and one in Svatove."
    )
    events = read(classifier, text).events
    assert [(e.killed, e.location.name if e.location else None) for e in events] == [
        (2, "Kreminna"),
        (1, "Rubizhne"),
        (1, "Svatove"),
    ]


def test_a_breakdown_that_does_not_add_up_leaves_the_toll_whole(classifier: Classifier) -> None:
    text = "Strikes killed six people in the Sumy region - three in Okhtyrka and one in Shostka."
    assert [e.killed for e in read(classifier, text).events] == [6]


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        # "seven of them children" is a part of the dozen, not more people
        ("A wave of strikes hit the district, killing a dozen people, seven of them children.", 12, None),
        ("Three people were reported dead and 11 wounded, the brigade said.", 3, 11),
        ("One person was reported killed in the attack, and others were reported injured.", 1, None),
        ("Thirty traders were killed in the bombardment of a cattle market.", 30, None),
        ("Four mourners were killed when a drone hit the funeral.", 4, None),
    ],
)
def test_counts_with_reported_parts_of_a_whole_and_more_people_nouns(
    classifier: Classifier, text: str, killed: int, injured: int | None
) -> None:
    events = read(classifier, text).events
    assert [(e.killed, e.injured) for e in events if e.killed or e.injured] == [(killed, injured)]


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("The blast claimed the life of a 12-year-old boy and left dozens injured.", 1),
        ("The city released the names of three of the nine people killed in the missile strike.", 9),
        (
            "Ten people (three soldiers, including an officer of the air-defence forces, and seven militiamen"
            " of allied groups) were killed in rocket attacks.",
            10,
        ),
        ("He is among the more than 40 people who were killed in the strike on the building.", 40),
        (
            "Rescuers found more bodies, raising the death toll from the attack on the capital to 28.",
            28,
        ),
        ("Initially, 14 people in the capital were reported killed and 114 injured.", 14),
        ("At least 13 people were left dead, residents said.", 13),
        # the parts still count where the whole is said with a verb of its own
        ("The plane crashed after take-off; three of the five people on board were killed.", 3),
    ],
)
def test_tolls_told_through_a_life_a_part_of_a_whole_an_aside_or_a_relative_clause(
    classifier: Classifier, text: str, killed: int
) -> None:
    assert [e.killed for e in read(classifier, text).events if e.killed] == [killed]


def test_the_trial_for_the_killing_of_a_man_is_no_casualty(classifier: Classifier) -> None:
    text = "The soldier was sentenced for the killing of a 62-year-old man in a village early in the war."
    assert "casualty" not in read(classifier, text).labels


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("Airstrike on the village kills family of five", 5),
        ("Woman and 3 children killed by airstrike in the south", 4),
        ("Couple and son killed in strike on their home", 3),
        ("The agency confirmed the death of a staffer after explosions struck the area.", 1),
        ("2-year-old Lisa died at the scene, 22 people were injured.", 1),
        (
            "At least 15 people, including women and children, were reported to have been killed.",
            15,
        ),
        ("The chief of staff was killed along with three others in an ambush.", 4),
        ("The wreckage of the plane, along with the remains of the two pilots, were found on Thursday.", 2),
        ("The official was among eight people killed when a helicopter crashed.", 8),
    ],
)
def test_families_bare_headline_lists_single_deaths_and_companions(
    classifier: Classifier, text: str, killed: int
) -> None:
    assert [e.killed for e in read(classifier, text).events if e.killed] == [killed]


def test_a_list_after_the_verb_does_not_take_the_next_sentence_subject(classifier: Classifier) -> None:
    text = "The attack on the city killed seven people, Mayor Andriy Sadovyi said Wednesday."
    assert [e.killed for e in read(classifier, text).events if e.killed] == [7]
