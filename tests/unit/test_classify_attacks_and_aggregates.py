"""Phrasing read in session 6: attacks named by their attacker, ages that are not counts, campaign-level
aggregates, airspace violations and closures in more words, and adjectives that are not places.

Sentences written for these tests (none copied from any dataset or from the evaluation files).
"""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier
from tests.unit.classify_read import read


def labels_of(classifier: Classifier, text: str) -> set[str]:
    return {t for e in read(classifier, text).events for t in e.types}


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        # the attacker named as "the enemy", "occupiers", "invaders": a strike on a town, not a ground clash
        ("Enemy attack on Sumy: two people wounded, windows blown out", {"strike", "casualty"}),
        ("Invaders attacked Nikopol district overnight; a farm building burned", {"strike"}),
        ("Three injured in Kherson due to occupiers' attack", {"strike", "casualty"}),
        ("Occupiers kill 58-year-old man with FPV drone in Beryslav", {"strike", "casualty"}),
        ("A rocket detonated on the roof of a school in Sderot.", {"strike"}),
        ("Two missiles arrived in the Saksahanskyi district of the city at dawn.", {"strike"}),
        # airspace: violations in the present tense, fighters intercepting bombers, drones disabled
        ("Russian fighter jets violate Swedish airspace near Gotland", {"airspace_response"}),
        ("Italy intercepts Russian bombers near Latvia", {"airspace_response"}),
        ("Air defence disabled nine drones over the Oryol region overnight.", {"airspace_response"}),
        # (a launched wave is the strike, its downing the response)
        ("Defenders down all 12 attack drones launched at the city", {"strike", "airspace_response"}),
        ("An unknown object appeared on radar near Chelm before vanishing.", {"airspace_response"}),
        ("Flights to and from Sochi were suspended for two hours on Sunday.", {"airspace_response"}),
        ("Lithuania closed Vilnius and Kaunas international airports for the night.", {"airspace_response"}),
        ("Two Romanian F-16s monitored the situation near the Danube overnight.", {"airspace_response"}),
        ("Air defence forces are striking their targets over the Kyiv region.", {"airspace_response"}),
        # one airframe of a state's forces, named by its owner or its role, is a loss
        ("Our forces shot down an Emirati drone south of the city.", {"aircraft_loss"}),
        ("Government troops shot down a drone operated by their rivals near Sirte.", {"aircraft_loss"}),
        ("A US fighter shot down a Turkish strike drone over Hasakah on Thursday.", {"aircraft_loss"}),
        ("The army downed an unmanned combat aerial vehicle over Idlib.", {"aircraft_loss"}),
        ("A collision between two Su-30 jets over the sea left one pilot missing.", {"aircraft_loss"}),
        # a wave of drones named by their senders is still an interception
        ("Explosions were heard after Pakistani drones were intercepted near Jammu.", {"airspace_response"}),
        # more airspace wording
        ("The airport grounded all departing flights after pilots reported a drone.", {"airspace_response"}),
        (
            "Flights departing from Gimpo were suspended for an hour at the military's request.",
            {"airspace_response"},
        ),
        ("Rocket alarms are going off in towns along the border.", {"airspace_response"}),
        ("Patriot interceptors were used to engage the targets over the capital.", {"airspace_response"}),
        ("Soldiers fired warning shots and tried to shoot down the drones.", {"airspace_response"}),
        ("The helicopter had flown 5 kilometres into Estonian airspace.", {"airspace_response"}),
        ("Most of them were intercepted over the sea, the army said.", {"airspace_response"}),
        ("Police tried to intercept the stolen car on the motorway.", set()),
        # strikes
        ("Air force jets released their bombs on the camp at dawn.", {"strike"}),
        # losses told in more words
        ("Crew of an army Mi-8 helicopter killed during combat mission", {"aircraft_loss", "casualty"}),
        ("A Su-24 bomber burned down at the airfield overnight.", {"aircraft_loss"}),
        ("A MiG-29 of the air force met with a flying accident during a training sortie.", {"aircraft_loss"}),
        ("Navy Black Hawk helicopter down off the coast - military", {"aircraft_loss"}),
        ("Rebels used small drones to fell a Mi-17 helicopter near the river.", {"aircraft_loss"}),
        ("The militia said it shot down four Indian Air Force (IAF) fighter jets.", {"aircraft_loss"}),
        ("Two navy pilots shot down over the Gulf in a friendly fire incident", {"aircraft_loss"}),
        ("Troops shot down a Chinese-made drone in service with the rebels.", {"aircraft_loss"}),
        # plural combat drones in a wave are interceptions, not losses
        ("About 12 combat drones were shot down over the capital overnight.", {"airspace_response"}),
        # airspace
        (
            "A fighter from the Lithuanian Air Force is now patrolling the airspace near the border.",
            {"airspace_response"},
        ),
        ("Both airports have temporarily suspended flight operations.", {"airspace_response"}),
        ("Witnesses said air defences in the area were activated after blasts.", {"airspace_response"}),
        ("The army imposed a no-fly zone over the capital on Saturday.", {"airspace_response"}),
        ("Taiwan launches jets after warplanes enter its air defence zone", {"airspace_response"}),
        ("Residents said air defence forces were targeting the drones.", {"airspace_response"}),
        ("Officials said “more than ten” had been intercepted over the city.", {"airspace_response"}),
        ("Finland says Russian helicopter enters its airspace", {"airspace_response"}),
        ("Sweden intercepts Russian spy planes over the Baltic", {"airspace_response"}),
        ("Restrictions on take-off and landing were introduced at Kaluga airport.", {"airspace_response"}),
        ("Lithuania raised its aviation readiness after the attack on Lviv.", {"airspace_response"}),
    ],
)
def test_each_phrasing_gives_exactly_its_types(classifier: Classifier, text: str, labels: set[str]) -> None:
    assert labels_of(classifier, text) == labels


@pytest.mark.parametrize(
    "text",
    [
        "The coalition has carried out hundreds of airstrikes against the group in Syria.",
        "Officials say more than 300 strikes against the militia have been conducted so far.",
        "Russian forces continued to shell towns in the region last week, the monitor said.",
        "The border town remains under constant shelling by enemy forces.",
        "The raid was the latest in a series of drone strikes on the province.",
        "Belarus and Russia held joint exercises in which bombers practised strikes on targets.",
        # a ground action: the attack was met by troops, no stand-off weapon named
        "Ukrainian troops repelled a Russian attack near Kupiansk.",
        "A suicide bombing at a checkpoint killed six soldiers, police said.",
        "A truck bomb exploded outside the hotel, killing nine people.",
        "Assailants carried out a coordinated attack on police posts near the border, injuring two.",
        "Terrorists attacked the village at dawn, officials said.",
        "Bandits ambushed a convoy on the highway, killing four travellers.",
        "A military base in central Mali was attacked by suspected Islamists.",
    ],
)
def test_campaigns_drills_ground_raids_and_planted_bombs_are_no_strike(
    classifier: Classifier, text: str
) -> None:
    assert "strike" not in labels_of(classifier, text)


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("Russians kill 70-year-old woman in Kupiansk district", 1, None),
        ("Shelling wounds 45-year-old woman in Kherson", None, 1),
        ("A drone killed twenty-four-year-old volunteer near Huliaipole.", 1, None),
        ("The strike killed 12 people, among them a 7-year-old girl, in Dnipro.", 12, None),
    ],
)
def test_an_age_is_never_read_as_a_count(
    classifier: Classifier, text: str, killed: int | None, injured: int | None
) -> None:
    [event] = read(classifier, text).events
    assert (event.killed, event.injured) == (killed, injured)


def test_an_adjective_or_a_fleet_is_not_a_place_abroad(classifier: Classifier) -> None:
    [helicopter] = read(
        classifier, "A helicopter crashed at the airport in Mogadishu, killing three, Somali police said."
    ).events
    assert helicopter.location is not None
    assert (helicopter.location.name, helicopter.location.country) == ("Mogadishu", "SO")
    fleet_text = "The strike on the Black Sea Fleet headquarters in Sevastopol killed nine."
    [fleet] = read(classifier, fleet_text).events
    assert fleet.location is not None
    assert (fleet.location.name, fleet.location.admin1) == ("Sevastopol", "Crimea")


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("Family of 7 wiped out in overnight strike on Rafah", 7),
        ("Invaders kill pensioner in Nikopol with artillery", 1),
    ],
)
def test_families_wiped_out_and_headline_verbs_give_the_toll(
    classifier: Classifier, text: str, killed: int
) -> None:
    assert [e.killed for e in read(classifier, text).events if "casualty" in e.types] == [killed]


def test_a_named_person_assassinated_is_one_killed(classifier: Classifier) -> None:
    [event] = read(classifier, "Commander Ali Hassan was assassinated in a drone strike on Tyre.").events
    assert event.killed == 1 and {"strike", "casualty"} <= set(event.types)


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("Five people aboard an army Mi-17 helicopter were killed when it came down.", 5),
        ("All four crew members on board embraced martyrdom after the trainer crashed.", 4),
        ("The jet crashed near the base, killing its two pilots.", 2),
        ("The strike killed “four people, among them a boy”, the ministry said.", 4),
        ("A missile strike killed six children and 14 adults in the town.", 20),
        ("Eleven die in ambush on army convoy", 11),
        ("Air strikes leave nine fighters dead in the north", 9),
        ("Drones hit border villages, leaving one killed and one wounded", 1),
        ("Army loses 17 soldiers in attack on base", 17),
        (
            "Officials said 40 civilians, including 12 members of one family who had fled, were killed.",
            40,
        ),
        ("Two women aged 71 and 64 were killed in the shelling of the village.", 2),
        ("Three boys aged between 10 and 13 years died when a shell hit their yard.", 3),
        ("There were 11 martyrs and dozens wounded after the bombardment, the civil defence said.", 11),
        ("Six Lebanese were killed in an airstrike on a house in the south.", 6),
        ("A Mi-17 crashed overnight, killing the three soldiers on board.", 3),
        ("The missile hit the ship, claiming the lives of two Egyptian nationals.", 2),
        ("The air strikes resulted in the deaths of four women and two children.", 6),
        ("Drone Strike Kills Senior Militia Member in the North", 1),
        ("Landmines Kill Three Soldiers, Five Hunters In Borno", 8),
        ("By noon, 7 residents were known to have died in the strike on the city.", 7),
        (
            "The death toll from Saturday's Russian missile strike on the nine-storey apartment block in the "
            "eastern city has risen to 21.",
            21,
        ),
        ("Death toll in missile strike on apartment block up to at least 18", 18),
    ],
)
def test_tolls_in_headline_and_wire_forms(classifier: Classifier, text: str, killed: int) -> None:
    assert max((e.killed or 0) for e in read(classifier, text).events) == killed


@pytest.mark.parametrize(
    "text",
    [
        "Terrorists carried out a drone attack on a police station, dropping bombs on the building.",
        "The IDF struck terrorist infrastructure, including a launcher, in southern Lebanon.",
        "Air defence thwarted another terrorist attack: a cruise missile was destroyed over the sea.",
        "Today the village was again under Russian fire; two houses burned.",
        "The governor said the private sector had come under attack overnight.",
        # a toll told with "the latest in a string of attacks" is still this attack's toll
        "A drone and missile attack on Kharkiv killed four, the latest in a string of attacks on the city.",
        "Russians damage three cafes and a shop in Nikopol district",
        "Armed Forces Cause Extensive Damage in Belgorod Region, Governor Reports",
        "The Russian army has just struck Zaporizhzhia and the region.",
        "Defence forces struck the “Novoshakhtinsk” oil refinery, recording explosions.",
        "The army says its aircraft strike militia positions in the south",
        "Su-34 Bomber Strikes Positions in Kharkiv Region",
        "The enemy carried out an air aggression from the southeast, targeting points near the city.",
    ],
)
def test_strikes_told_by_their_attacker_their_damage_their_arm_or_a_military_source(
    classifier: Classifier, text: str
) -> None:
    assert "strike" in labels_of(classifier, text)


@pytest.mark.parametrize(
    ("text", "country"),
    [
        # words and names that geonames also lists as a village somewhere are not places
        ("Many were killed when the Taliban attacked the post, Xinhua reported.", None),
        ("Hamas said the strike killed five people, TASS reported.", None),
        # ISO's inverted names and common names still name their country
        ("An air strike in Palestine killed four people on Monday.", "PS"),
        ("A jet crashed in Burma on Monday, killing the pilot.", "MM"),
        # a capital-sized city's own name beats a smaller namesake
        ("A drone strike hit Tripoli airport on Monday.", "LY"),
    ],
)
def test_common_words_are_not_villages_and_countries_keep_their_common_names(
    classifier: Classifier, text: str, country: str | None
) -> None:
    places = [e.location for e in read(classifier, text).events]
    assert places and {p.country if p else None for p in places} == {country}


def test_a_lebanese_report_keeps_lebanons_tripoli(classifier: Classifier) -> None:
    [event] = read(classifier, "A drone strike in Lebanon's Tripoli killed two people.").events
    assert event.location is not None and event.location.country == "LB"


@pytest.mark.parametrize(
    "text",
    [
        "The ministry claimed its forces have shot down 210 helicopters as of Oct. 3.",
        "Five Helicopters Shot Down in Three Weeks",
        "At least 11 MiG-21s crashed between 2009 and 2012, the ministry said.",
        "Russia lost 300 aircraft during the two years of the war, the General Staff said.",
        "Helicopter crashes are common in the region because of poor maintenance.",
        "The drones have proven prone to being shot down by the rival militia.",
        "We are aware of reports that a drone was shot down over the coast.",
    ],
)
def test_tallies_over_periods_general_statements_and_unconfirmed_reports_are_no_loss(
    classifier: Classifier, text: str
) -> None:
    assert "aircraft_loss" not in labels_of(classifier, text)


def test_reconnaissance_drones_shot_down_are_losses_not_an_interception_of_a_wave(
    classifier: Classifier,
) -> None:
    text = "Troops shot down two Russian reconnaissance drones in the Kharkiv region."
    assert labels_of(classifier, text) == {"aircraft_loss"}


def test_restrictions_removed_are_no_airspace_response(classifier: Classifier) -> None:
    text = "The agency confirmed the removal of flight restrictions at airports in Sochi and Krasnodar."
    assert "airspace_response" not in labels_of(classifier, text)


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        # the attacker's country is no context for the town hit
        (
            "Russia hit a five-storey building in Pokrovsk with two missiles, killing four people.",
            "Donetsk oblast",
        ),
        # the river's name is the city's where the text says so
        (
            "A missile tore into an apartment block in the city of Dnipro, killing nine people.",
            "Dnipropetrovsk oblast",
        ),
        (
            "On Monday afternoon Russia attacked the Dnipro with four Iskander missiles.",
            "Dnipropetrovsk oblast",
        ),
        ("Russians strike village in Kupiansk district, killing man and injuring child", "Kharkiv oblast"),
        ("A drone hit a house in Pokrovsk district, killing a man.", "Donetsk oblast"),
    ],
)
def test_the_town_hit_is_read_in_its_own_oblast(classifier: Classifier, text: str, admin1: str) -> None:
    [event] = read(classifier, text).events
    assert event.location is not None and event.location.admin1 == admin1


def test_across_the_dnipro_is_still_the_river(classifier: Classifier) -> None:
    events = read(classifier, "Boats crossing the Dnipro were hit by drones overnight.").events
    assert events and all(e.location is None or e.location.name != "Dnipro" for e in events)


@pytest.mark.parametrize(
    "text",
    [
        "Airports in Gdansk and Olsztyn temporarily suspended aviation operations.",
        "Two countries face disruption due to drone sightings close to runways",
        "Reconnaissance UAVs were detected and countermeasures were deployed to shoot them down.",
        "Drones are attacking the city, and air defense (AD) is working.",
        "The border police said the drones crossed the state border near Soroca.",
    ],
)
def test_closures_sightings_crossings_and_defence_at_work_in_more_words(
    classifier: Classifier, text: str
) -> None:
    assert "airspace_response" in labels_of(classifier, text)


def test_people_crossing_a_border_are_no_airspace_response(classifier: Classifier) -> None:
    assert labels_of(classifier, "Refugees crossed the border into Poland on Monday.") == set()
