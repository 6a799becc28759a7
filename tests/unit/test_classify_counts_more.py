"""Second pass on counts: who died of wounds, "there is a dead", tolls of the injured, "one of them a child".

Sentences written for these tests (not taken from any labelled data).
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
