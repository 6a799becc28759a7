"""Reading the language: negation, hedging, history, counts, types. Sentences written for these tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sitrep.classify import Classifier
from tests.unit.classify_read import read

# --- negation, hedging, history -------------------------------------------------------------------


def test_no_casualties_reported_is_a_strike_without_casualty(classifier: Classifier) -> None:
    result = read(classifier, "A missile hit a warehouse in Odesa overnight; no casualties were reported.")
    assert result.labels == ("strike",)
    assert result.events[0].killed is None


@pytest.mark.parametrize(
    "text",
    [
        "Shelling damaged three houses in Nikopol, but nobody was hurt.",
        "Drones struck a depot near Dnipro. No one was injured, the governor said.",
        "Artillery fire hit the outskirts of Kupiansk without casualties.",
    ],
)
def test_negated_casualties_are_not_casualties(classifier: Classifier, text: str) -> None:
    assert "casualty" not in read(classifier, text).labels
    assert "strike" in read(classifier, text).labels


def test_history_and_aggregates_produce_no_event(classifier: Classifier) -> None:
    text = (
        "Since the start of the full-scale invasion, unexploded shells have killed hundreds of farmers. "
        "Mines have wounded many civilians in recent years."
    )
    assert read(classifier, text).events == ()


@pytest.mark.parametrize(
    "text",
    [
        "The 950 scrambles were the most since records began in 1958.",
        "Fighter jet scrambles against foreign aircraft soar amid tensions",
        "Scrambles against Russian aircraft in the quarter hit a record high.",
    ],
)
def test_counted_scrambles_over_a_period_are_no_event(classifier: Classifier, text: str) -> None:
    assert read(classifier, text).events == ()


@pytest.mark.parametrize(
    "text",
    [
        "People gathered to remember the missile strike that hit the station a year ago, killing 61.",
        "Three drone strikes last year killed scores of civilians, a rights group said.",
        "It was the deadliest month for civilians since the spring, as bombardments intensified.",
        "There have been more than 200 strikes so far, the White House said.",
        "The army has regularly launched drone and artillery strikes on border villages.",
        "The junta has increased airstrikes year-on-year, monitors say.",
        "The region has seen near-daily deadly strikes since the campaign began.",
        "The enemy lost 1,140 troops, 59 artillery systems and 70 drones in a day.",
        "Forces destroyed three more tanks, 8 armored combat vehicles and 42 artillery systems.",
    ],
)
def test_anniversaries_habits_and_tallies_are_no_strike(classifier: Classifier, text: str) -> None:
    assert "strike" not in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "The army has been carrying out artillery shelling and airstrikes along the border.",
        "The militia regularly employs drones to target the kingdom.",
        "In May alone, the army fired more than 26,000 shells at the region.",
        "Residents carried placards with slogans against drone strikes.",
        "The airspace was closed in expectation of retaliatory strikes.",
        "The fighter jet made a precautionary landing after a bird strike on its nose.",
    ],
)
def test_habits_monthly_totals_protests_expectations_and_bird_strikes_are_no_strike(
    classifier: Classifier, text: str
) -> None:
    assert "strike" not in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Washington allows Kyiv to use its missiles to strike military targets inside Russia",
        "Four men were convicted of plotting to attack a military base.",
    ],
)
def test_permission_and_plots_are_no_strike(classifier: Classifier, text: str) -> None:
    assert "strike" not in read(classifier, text).labels


def test_a_toll_told_with_the_place_before_the_weapon_is_a_strike(classifier: Classifier) -> None:
    result = read(classifier, "Two people were killed in El Obeid by barrel bombs on Wednesday night.")
    assert set(result.labels) == {"strike", "casualty"}
    assert result.events[0].weapon == "barrel bomb"


def test_falling_debris_that_injures_is_a_casualty_not_a_strike(classifier: Classifier) -> None:
    result = read(classifier, "Falling drone debris damaged a house in Kyiv, and one person was injured.")
    assert result.labels == ("casualty",)


@pytest.mark.parametrize(
    "text",
    [
        "The tanker was hit by a guided-missile on Tuesday, the navy said.",
        "Sirens wail in the north as the militia unleashes a drone swarm",
        "The explosion heard in the city was the impact of a UAV in its central part.",
    ],
)
def test_a_ship_hit_by_a_weapon_an_unleashed_swarm_and_an_impact_are_strikes(
    classifier: Classifier, text: str
) -> None:
    assert "strike" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "The impact of the sanctions on missile production was limited.",
        "The bomber crashed after being hit by an S-200 missile; the crew ejected.",
    ],
)
def test_impact_of_policy_and_an_aircraft_hit_by_air_defence_are_no_strikes(
    classifier: Classifier, text: str
) -> None:
    assert "strike" not in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "The strikes occurred in the central district of the city and caused a fire.",
        "As a result of the army's strike, five fighters were destroyed and two were damaged.",
        "The enemy actively used various types of weapons against the region: 64 missiles and 8 KABs.",
        "The Russians have just struck twice in the district.",
        "A man was killed in a suburb as a result of an explosive drop from a Russian drone.",
        "The town is under enemy attack again. Stay in safe places.",
        "Ukraine destroyed six aircraft in an attack on the Morozovsk airfield.",
        "Air defence shot down nine out of 13 drones launched at four regions.",
    ],
)
def test_strikes_told_by_officials_in_their_own_words(classifier: Classifier, text: str) -> None:
    assert "strike" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Officials have accused Ukraine of using drones to target military sites.",
        "In preparation for the strikes, the army urged residents to flee.",
        "Experts linked an uptick in Russian strikes to the arrival of new jets.",
        "The mission reported 574 civilian deaths from attacks between September and November.",
        "The drones are usually behind the deep rear attacks on Russian territory.",
        "Following the attack, the army said it would respond.",
    ],
)
def test_accusations_preparations_trends_and_reactions_are_no_strike(
    classifier: Classifier, text: str
) -> None:
    assert "strike" not in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Somalia: Mortars land around Mogadishu Airport, 2 killed",
        "Mogadishu airport mortared",
        "A round of mortars were aimed at the airport compound this afternoon.",
        "The governor announced a fire at the refinery due to a UAV",
        "Leader of key town escapes deadly strike by oversleeping",
        "The militia bombed the hospital, wounding six hospital workers.",
    ],
)
def test_mortars_fires_caused_by_drones_and_deadly_strikes_are_strikes(
    classifier: Classifier, text: str
) -> None:
    assert "strike" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Officers' life sentences upheld for orchestrating drone attacks",
        "The Kremlin warned it would respond if the US lifts restrictions on Kyiv using missiles to strike.",
        "North Korea fires long-range ballistic missile into sea",
        "Dock workers' strike paralyses the port for a second day",
    ],
)
def test_verdicts_permissions_test_launches_and_labour_strikes_are_no_strike(
    classifier: Classifier, text: str
) -> None:
    assert "strike" not in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Drone strikes have become a hallmark of the conflict.",
        "The country needs more air defence systems to protect its cities from missile strikes.",
    ],
)
def test_a_kind_of_attack_named_in_general_is_no_strike(classifier: Classifier, text: str) -> None:
    assert "strike" not in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Russian drone strikes car outside the town; driver in hospital",
        "Poland scrambles fighter jets in response to Russian missile attacks on Ukraine",
        "The military has acknowledged conducting air strikes on bandit camps.",
        "Missile strikes on Kharkiv continue, the mayor says.",
    ],
)
def test_a_plural_strike_tied_to_a_place_a_wave_or_a_verb_is_a_strike(
    classifier: Classifier, text: str
) -> None:
    assert "strike" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Since April of last year, officials report 301 drone attacks targeting security forces.",
        "The country has now faced more than 1,000 rockets fired from the strip since 10 May.",
        "The jet suffered a bird hit on Thursday morning and landed safely.",
        "Lightning struck a power line near the base, causing a blackout.",
    ],
)
def test_tallies_since_a_date_bird_hits_and_lightning_are_no_strike(
    classifier: Classifier, text: str
) -> None:
    assert "strike" not in read(classifier, text).labels


def test_the_heaviest_attack_since_a_month_is_still_the_attack(classifier: Classifier) -> None:
    text = "A Russian missile hit Kharkiv on Monday, the heaviest attack since March."
    assert "strike" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "There was a hit to a private residential building in the Saltovsky district of Kharkiv.",
        "Nigerian Air Force kills 35 jihadists in Borno",
        'The commander said 10 out of 12 "kamikaze" drones had been destroyed by air defences.',
    ],
)
def test_a_hit_to_a_building_an_air_force_that_kills_and_a_quoted_wave_are_strikes(
    classifier: Classifier, text: str
) -> None:
    assert "strike" in read(classifier, text).labels


def test_threatened_strike_is_not_a_strike(classifier: Classifier) -> None:
    for text in (
        "Moscow threatened to strike government buildings in Kyiv with missiles.",
        "Officials warned that Russia may launch a massive missile attack on the energy grid this week.",
        "The army is preparing to shell the town if the garrison does not surrender.",
    ):
        assert "strike" not in read(classifier, text).labels, text


def test_unknown_casualty_figures_are_not_invented(classifier: Classifier) -> None:
    result = read(classifier, "A drone attack hit Sumy. Information about casualties is being clarified.")
    assert result.labels == ("strike",)


# --- counts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "killed", "approximate"),
    [
        ("A rocket strike on Kramatorsk killed seven people.", 7, False),
        ("Twenty-three civilians were killed when missiles hit Vinnytsia.", 23, False),
        ("At least 12 people died after a glide bomb hit a shop in Kostiantynivka.", 12, True),
        ("An airstrike on a market killed over 40 people in northern Yemen.", 40, True),
        ("Three to five people were killed by shelling in Toretsk.", 3, True),
        ("The death toll from the missile strike on Dnipro rose to 45.", 45, False),
        ("Shelling of Kherson killed a 70-year-old woman.", 1, False),
    ],
)
def test_killed_counts_in_words_digits_and_hedges(
    classifier: Classifier, text: str, killed: int, approximate: bool
) -> None:
    (event,) = read(classifier, text).events
    assert "casualty" in event.types
    assert event.killed == killed
    assert event.killed_approximate is approximate


def test_dozens_is_an_approximate_lower_bound(classifier: Classifier) -> None:
    (event,) = read(
        classifier, "Dozens of people were wounded when a missile struck central Zaporizhzhia."
    ).events
    assert event.injured == 24 and event.injured_approximate


def test_including_a_child_counts_children(classifier: Classifier) -> None:
    (event,) = read(classifier, "Shelling in Kherson injured four residents, including a child.").events
    assert (event.injured, event.children) == (4, 1)
    (event,) = read(
        classifier, "Nine people, including three children, were hurt in a drone attack on Sumy."
    ).events
    assert (event.injured, event.children) == (9, 3)


def test_killed_and_wounded_are_kept_apart(classifier: Classifier) -> None:
    (event,) = read(classifier, "Russian shelling killed two men and wounded five others in Kherson.").events
    assert (event.killed, event.injured) == (2, 5)


def test_stated_but_uncounted_deaths_are_at_least_one_killed_approximately(classifier: Classifier) -> None:
    # "there are dead" states deaths without a figure: the lower bound (1) is kept, flagged approximate.
    (event,) = read(classifier, "Russian troops shelled Huliaipole; there are dead and wounded.").events
    assert set(event.types) == {"strike", "casualty"}
    assert (event.killed, event.killed_approximate, event.injured) == (1, True, None)


def test_uncounted_casualties_are_a_casualty_without_numbers(classifier: Classifier) -> None:
    (event,) = read(classifier, "Russian artillery hit Kupiansk overnight, causing casualties.").events
    assert set(event.types) == {"strike", "casualty"}
    assert (event.killed, event.injured) == (None, None)


# --- types -----------------------------------------------------------------------------------------


def test_interception_of_attack_drones_is_airspace_response_not_aircraft_loss(classifier: Classifier) -> None:
    result = read(
        classifier, "Air defence forces shot down 37 of 45 Shahed drones over six regions overnight."
    )
    assert "airspace_response" in result.labels
    assert "aircraft_loss" not in result.labels


@pytest.mark.parametrize(
    "text",
    [
        "The air force said it had destroyed 13 Russian military drones over the southern regions.",
        "The coalition intercepted and downed two armed drones fired by the militia.",
        "The military downed a hostile aircraft above the sea off the coast.",
    ],
)
def test_drones_of_unstated_type_and_hostile_aircraft_downed_are_no_aircraft_loss(
    classifier: Classifier, text: str
) -> None:
    result = read(classifier, text)
    assert "airspace_response" in result.labels
    assert "aircraft_loss" not in result.labels


def test_an_army_that_loses_its_military_drone_has_an_aircraft_loss(classifier: Classifier) -> None:
    assert (
        "aircraft_loss"
        in read(classifier, "The army confirmed the militia shot down its military drone.").labels
    )


@pytest.mark.parametrize(
    "text",
    [
        "Airline says 13 dead in air crash near the capital",
        "One pilot dead, another missing after two jets collide off the coast",
        "Two trainer aircraft collided in mid-air, killing three pilots",
        "The army shot down an Indian spy quadcopter along the Line of Control.",
        "A militia claims shoot-down of a Mi-35 near the lake",
    ],
)
def test_crashes_collisions_and_spy_quadcopters_are_aircraft_losses(
    classifier: Classifier, text: str
) -> None:
    assert "aircraft_loss" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Ukraine downs £274m Russian spy plane in sea of Azov",
        "An enemy Su-25 has fallen again! Its remnants lie at an airport.",
        "Around 9:10 pm, the aircraft met with an accident near the air base.",
    ],
)
def test_a_priced_airframe_a_fallen_jet_and_an_accident_are_aircraft_losses(
    classifier: Classifier, text: str
) -> None:
    assert "aircraft_loss" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Militia down US drone over the northern province - report",
        "Ukrainian forces down another Russian Su-34 fighter-bomber over Mariupol",
        "Azerbaijani military shoots down Armenian drone",
    ],
)
def test_headline_verb_down_and_a_neighbours_army_drone_are_aircraft_losses(
    classifier: Classifier, text: str
) -> None:
    assert "aircraft_loss" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "The jets are now called flying coffins due to frequent crashes.",
        "The Kremlin has no information about the loss of two military aircraft over the sea.",
        "Videos of the helicopter in the field circulated as evidence of a shoot-down.",
    ],
)
def test_habits_unknowns_and_rumours_of_losses_are_no_aircraft_loss(
    classifier: Classifier, text: str
) -> None:
    assert "aircraft_loss" not in read(classifier, text).labels


def test_a_quadcopter_that_intruded_across_the_line_is_also_an_airspace_violation(
    classifier: Classifier,
) -> None:
    text = "Troops shot down a spy quadcopter that had intruded 600 metres across the Line of Control."
    assert set(read(classifier, text).labels) == {"aircraft_loss", "airspace_response"}


def test_missiles_shot_down_are_not_aircraft_losses(classifier: Classifier) -> None:
    result = read(classifier, "Two cruise missiles were shot down over Kyiv region, the air force said.")
    assert result.labels == ("airspace_response",)


def test_crewed_aircraft_shot_down_is_aircraft_loss(classifier: Classifier) -> None:
    (event,) = read(classifier, "Ukrainian forces said a Russian Su-34 was shot down near Marinka.").events
    assert event.types == ("aircraft_loss",)
    assert event.aircraft == "Su-34"


def test_the_shooter_is_not_the_loss(classifier: Classifier) -> None:
    (event,) = read(
        classifier, "Two F-16s shot down an Orlan-10 reconnaissance drone near the border."
    ).events
    assert "aircraft_loss" in event.types
    assert event.aircraft == "Orlan-10"


def test_helicopter_crash_with_crew_killed(classifier: Classifier) -> None:
    (event,) = read(classifier, "A Mi-8 helicopter crashed in the mountains, killing both pilots.").events
    assert set(event.types) == {"aircraft_loss", "casualty"}
    assert (event.aircraft, event.killed) == ("Mi-8", 2)


def test_scramble_alert_and_closure_are_airspace_responses(classifier: Classifier) -> None:
    for text in (
        "Romania scrambled two F-16 jets after drones approached its border.",
        "An air-raid alert was declared across eastern Ukraine on Tuesday morning.",
        "Poland temporarily closed the airspace over Rzeszow.",
    ):
        assert "airspace_response" in read(classifier, text).labels, text
        assert "aircraft_loss" not in read(classifier, text).labels, text


def test_ground_fighting_without_stand_off_weapons_is_not_a_strike(classifier: Classifier) -> None:
    assert (
        "strike" not in read(classifier, "Infantry units clashed near the village for several hours.").labels
    )


def test_two_places_two_incidents(classifier: Classifier) -> None:
    text = "A missile hit an apartment block in Kharkiv, killing three. In Odesa, a drone struck the port."
    events = read(classifier, text).events
    assert len(events) == 2
    assert {e.location.admin1 for e in events if e.location} == {"Kharkiv oblast", "Odesa oblast"}


def test_follow_up_sentence_joins_the_incident(classifier: Classifier) -> None:
    text = "Russian drones attacked Sumy overnight. The attack damaged a school. Two people were injured."
    (event,) = read(classifier, text).events
    assert set(event.types) == {"strike", "casualty"}
    assert event.injured == 2


# --- dates -----------------------------------------------------------------------------------------


def test_weekday_resolves_against_published_time(classifier: Classifier) -> None:
    published = datetime(2025, 7, 3, 9, 0, tzinfo=UTC)  # a Thursday
    (event,) = read(classifier, "On Monday a missile struck Poltava, killing two.", published).events
    assert event.occurred_on == date(2025, 6, 30)


def test_no_published_time_means_no_weekday_date(classifier: Classifier) -> None:
    (event,) = read(classifier, "On Monday a missile struck Poltava, killing two.").events
    assert event.occurred_on is None


def test_interception_alone_is_only_airspace_response(classifier: Classifier) -> None:
    result = read(classifier, "Air defence intercepted 19 drones over the Kyiv region overnight.")
    assert result.labels == ("airspace_response",)


def test_interception_of_a_wave_told_as_launched_is_also_the_strike(classifier: Classifier) -> None:
    # The wave that was launched is the strike, however much of it was shot down (TAXONOMY: "Russia
    # launched over 500 drones and missiles" is a strike), as in "Russia launched 60 drones, 51 of which...".
    result = read(classifier, "Air defence intercepted 19 of 24 drones launched by Russia overnight.")
    assert set(result.labels) == {"strike", "airspace_response"}


def test_launch_with_partial_interception_is_strike_and_airspace_response(classifier: Classifier) -> None:
    text = "Russia launched 60 drones at Ukraine overnight, 51 of which were shot down."
    result = read(classifier, text)
    assert result.labels == ("strike", "airspace_response")
    assert all(e.location is None or e.location.country == "UA" for e in result.events)


def test_an_airframe_near_a_struck_airfield_is_not_a_loss(classifier: Classifier) -> None:
    result = read(classifier, "Drones hit an air base where Tu-22M3 bombers are stationed, the navy said.")
    assert "aircraft_loss" not in result.labels
    assert "strike" in result.labels


def test_an_airframe_destroyed_on_the_ground_is_a_loss(classifier: Classifier) -> None:
    (event,) = read(classifier, "Two Su-25 jets were destroyed at Millerovo airfield, officials said.").events
    assert event.types == ("aircraft_loss",)
    assert event.location is not None and event.location.country == "RU"


def test_scramble_belongs_to_the_country_whose_jets_flew(classifier: Classifier) -> None:
    text = "Polish military aircraft were scrambled as Russia carried out air strikes on western Ukraine."
    result = read(classifier, text)
    (scramble,) = [e for e in result.events if "airspace_response" in e.types]
    assert scramble.location is not None and scramble.location.country == "PL"
    (strike,) = [e for e in result.events if "strike" in e.types]
    assert strike.location is not None and strike.location.country == "UA"


def test_pilot_killed_in_the_next_sentence_joins_the_aircraft_loss(classifier: Classifier) -> None:
    text = (
        "A Ukrainian F-16 crashed overnight while repelling a large Russian air attack. "
        "The pilot was killed after steering the jet away from a village."
    )
    (loss,) = [e for e in read(classifier, text).events if "aircraft_loss" in e.types]
    assert set(loss.types) == {"aircraft_loss", "casualty"} and loss.killed == 1


def test_a_district_is_not_a_namesake_town_elsewhere(classifier: Classifier) -> None:
    text = "Artillery shelled Kherson on Monday. A woman was killed in the Dniprovskyi district."
    (event,) = read(classifier, text).events
    assert set(event.types) == {"strike", "casualty"}
    assert event.location is not None and event.location.name == "Kherson"


def test_another_with_a_count_of_drones_is_not_a_casualty(classifier: Classifier) -> None:
    text = "Air defence shot down 40 drones, while another 12 drones were lost to jamming."
    assert "casualty" not in read(classifier, text).labels


# --- second pass: aircraft losses told for a national air force, scrambles beside an attack --------------


def test_a_national_aircraft_loss_with_no_place_is_located_in_its_country(classifier: Classifier) -> None:
    (event,) = read(classifier, "A Ukrainian Su-27 fighter crashed during a combat mission.").events
    assert "aircraft_loss" in event.types
    assert event.location is not None
    assert (event.location.country, event.location.precision) == ("UA", "country")


def test_a_named_place_beats_the_operators_country(classifier: Classifier) -> None:
    (event,) = read(classifier, "A Russian Su-34 was shot down over the Kharkiv region on Monday.").events
    assert event.location is not None and event.location.admin1 == "Kharkiv oblast"


def test_a_headline_with_goes_down_is_an_aircraft_loss(classifier: Classifier) -> None:
    result = read(classifier, "Pilot killed as MiG-29 goes down near the front")
    assert "aircraft_loss" in result.labels


def test_jets_scrambled_while_an_attack_unfolded_is_air_policing_not_a_strike(classifier: Classifier) -> None:
    text = "Romanian jets were scrambled to guard the country's airspace while the attack went on."
    result = read(classifier, text)
    assert result.labels == ("airspace_response",)
    assert result.events[0].location is not None and result.events[0].location.country == "RO"
