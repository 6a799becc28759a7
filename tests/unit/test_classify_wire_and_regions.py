"""Wire and headline phrasing read in session 4: types, counts, datelines and spellings of real outlets.

Sentences written for these tests (none copied from any dataset or from the evaluation files).
"""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier
from tests.unit.classify_read import read


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Army jet bombs a market in the delta; several feared dead", {"strike", "casualty"}),
        ("The air force struck a convoy of insurgents near Gao.", {"strike"}),
        ("Poland scrambles jets during strike on Lviv", {"strike", "airspace_response"}),
        ("Enemy strikes industrial facility in Kryvyi Rih", {"strike"}),
        ("Shaheds pound the port of Izmail overnight", {"strike"}),
        ("Mi-8 pilot ejects after crash in Poltava region", {"aircraft_loss"}),
        (
            "Two Orlans and 40 Shaheds taken out overnight, air force says",
            {"aircraft_loss", "airspace_response"},
        ),
        (
            "Air defences brought down a Su-25 and 40 drones over the past day.",
            {"aircraft_loss", "airspace_response"},
        ),
        ("Army helicopter crashes in the north, killing crew", {"aircraft_loss", "casualty"}),
        ("Japan sent fighters aloft after Chinese drones flew near Okinawa.", {"airspace_response"}),
        (
            "The Polish military said it had activated all available forces as a precaution.",
            {"airspace_response"},
        ),
        ("Romania deployed two F-16 fighter jets after radar detected a drone.", {"airspace_response"}),
        ("Departures were halted for three hours at Vilnius airport.", {"airspace_response"}),
        (
            "Residents of the district were urged to stay in shelters as drones approached.",
            {"airspace_response"},
        ),
        ("Sirens wail across Cherkasy region for a third hour", {"airspace_response"}),
        ("Kosiv district: air defence destroys drone, no damage reported", {"airspace_response"}),
        ("Moldova condemns the violation of the country's airspace by two drones", {"airspace_response"}),
        ("A Russian drone flew into Polish airspace overnight, the army said.", {"airspace_response"}),
        ("Drone sightings shut down the airspace over Aalborg airport for hours.", {"airspace_response"}),
        (
            "Restrictions on the reception of aircraft were introduced at Kazan airport.",
            {"airspace_response"},
        ),
        ("Karlivka rail depot hit overnight; governor says nobody injured", {"strike"}),
        ("Kaniv: drone slams into a warehouse, night watchman killed", {"strike", "casualty"}),
        ("Russian drone strikes car outside Nikopol; driver, 39, in hospital", {"strike", "casualty"}),
        (
            "Police told residents of Narva to stay indoors after a drone flew in from Russia.",
            {"airspace_response"},
        ),
        ("'Kovyor' plan introduced at Kirov airport.", {"airspace_response"}),
        (
            "Kursk: a missile danger regime has been declared; residents told to take cover in basements.",
            {"airspace_response"},
        ),
        ("Dozens feared dead after a junta air strike on a market in Sagaing.", {"strike", "casualty"}),
        (
            "Zaporizhzhia governor: the occupiers carried out 15 air strikes on Huliaipole and Stepnohirsk.",
            {"strike"},
        ),
        ("The RSF claimed it had shot down an army \u201cwarplane\u201d over Babanusa.", {"aircraft_loss"}),
        ("Hezbollah Shoots Down Israeli Drone in Southern Lebanon", {"aircraft_loss"}),
        ("Witnesses reported a fighter-jet being shot down over Omdurman.", {"aircraft_loss"}),
        (
            "Rescuers found a crashed helicopter Mi-8 in the hills; four soldiers were killed.",
            {"aircraft_loss", "casualty"},
        ),
        (
            "Vilnius Airport suspended operations due to balloons entering its airspace.",
            {"airspace_response"},
        ),
        ("Kuwait Airways suspended all outbound flights citing regional instability.", {"airspace_response"}),
        (
            "Officials ordered residents into shelters after a ballistic missile warning.",
            {"airspace_response"},
        ),
        (
            "The Houthis launched drones toward the Red Sea, which were intercepted by a US destroyer.",
            {"strike", "airspace_response"},
        ),
        ("Iran fired missiles at Israel; there are 11 known casualties.", {"strike", "casualty"}),
        ("Vilnius Airport suspended operations due to weather balloons from Belarus.", {"airspace_response"}),
        (
            "Rzeszow and Lublin airports in eastern Poland have temporarily ceased operations.",
            {"airspace_response"},
        ),
        ("An Iranian drone entered Israeli territory from Jordan, the army said.", {"airspace_response"}),
        ("The United States attacked Iran's nuclear facilities from the air.", {"strike"}),
        ("Artillery and machine gun fire pummelled several neighbourhoods of Khartoum.", {"strike"}),
        ("The Houthis claim they shot down a U.S. military MQ-9 Reaper drone in Marib.", {"aircraft_loss"}),
        ("The Houthis said they downed a U.S. MQ9 drone over Maareb.", {"aircraft_loss"}),
        ("Russia launches 10 drones at civilian infrastructure in Sumy region in one hour", {"strike"}),
        ("58 out of 80 enemy drones shot down over Ukraine", {"strike", "airspace_response"}),
        ("Gladkov: Ukrainian Armed Forces strike two more settlements in Belgorod Region", {"strike"}),
        (
            "Ukrainian Armed Forces Launch Attacks on Belgorod Region: Governor Reports on the Damage",
            {"strike"},
        ),
        ("The occupiers are striking at Kharkiv! Stay in shelters!", {"strike"}),
        (
            "Enemy attacked Odesa at night, one person was killed, three others were wounded.",
            {"strike", "casualty"},
        ),
        ("Russia's attacks kill 5 civilians in Kherson Oblast", {"strike", "casualty"}),
        (
            "Russian troops sent drones to the Nikopol district. Two people were injured.",
            {"strike", "casualty"},
        ),
        (
            "A Ukrainian FPV-drone attacked a car, two women were killed, the governor said.",
            {"strike", "casualty"},
        ),
        ("Russian occupiers killed mother and child in Slavyansk", {"casualty"}),
        ("Israeli airstrike kills senior Gaza health official", {"strike", "casualty"}),
        ("Russia attacks Mykolaiv with ballistic missile, injuring civilians", {"strike", "casualty"}),
        ("Putin suffers fresh blow as Russian helicopter explodes mid-air in Ukraine", {"aircraft_loss"}),
        ("Breaking: Russian Helicopter Ka-52 Crash in Eastern Syria", {"aircraft_loss"}),
        ("The SU-35 was brought down near the city of Izyum, in the Kharkiv region.", {"aircraft_loss"}),
        ("Russian military helicopter crashes, crew dead", {"aircraft_loss", "casualty"}),
        (
            "Air defense forces in the east shot down two guided missiles and four reconnaissance drones.",
            {"aircraft_loss", "airspace_response"},
        ),
        ("Explosions ring out in Kyiv after missile warnings", {"airspace_response"}),
        ("Ukrainian drones have sunk two Russian patrol boats near Snake Island.", {"strike"}),
        ("On February 11, the Saratov oil refinery suffered another attack.", {"strike"}),
        ("About 20 Russian military personnel became cargo 200, the source said.", {"casualty"}),
        (
            "Russian air defence shot down Ukrainian UAVs over the Belgorod Region as they attempted to "
            "attack facilities on Russian territory.",
            {"strike", "airspace_response"},
        ),
        (
            "Another drone that tried to carry out an attack on Moscow was shot down tonight by air defence.",
            {"strike", "airspace_response"},
        ),
        ("Troops attempted to break through near Toretsk with armoured vehicles.", set()),
        ("Poroshenko Foundation launches a kamikaze drone program for the front line", set()),
    ],
)
def test_types_read_from_wire_and_headline_grammar(
    classifier: Classifier, text: str, labels: set[str]
) -> None:
    assert set(read(classifier, text).labels) == labels


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("5 women, 4 children killed in Gaza strike", 9, None),
        ("Three children and their mother were killed in an air strike in Gaza City.", 4, None),
        ("Two soldiers and a civilian were wounded by shelling in Kherson.", None, 3),
        (
            "Six members of one family -- a couple and their four children -- were killed in an air strike.",
            6,
            None,
        ),
        ("Ukrainian airliner crashes in Iran, killing all 176 aboard", 176, None),
    ],
)
def test_listed_and_aside_counts_add_up(
    classifier: Classifier, text: str, killed: int | None, injured: int | None
) -> None:
    events = read(classifier, text).events
    assert "casualty" in {t for e in events for t in e.types}
    assert max((e.killed or 0 for e in events), default=0) == (killed or 0)
    assert max((e.injured or 0 for e in events), default=0) == (injured or 0)


def test_gunmen_who_shot_dead_two_people_killed_two(classifier: Classifier) -> None:
    (event,) = read(
        classifier, "Unidentified gunmen shot dead two polio vaccinators in Bannu district."
    ).events
    assert event.types == ("casualty",) and event.killed == 2


def test_monitor_abbreviations_count_the_dead_and_injured(classifier: Classifier) -> None:
    (event,) = read(classifier, "LOC Shebekino // EVT drone strike on a shop // FAT 1 // INJ 3").events
    assert (event.killed, event.injured) == (1, 3)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "KHARTOUM \u2013 A military helicopter crashed at El Fasher airport, killing its crew.",
            "El Fasher",
        ),
        ("HELSINKI, Feb 17 (Reuters) - Operations at Vilnius airport were halted after balloons.", "Vilnius"),
        ("MOSCOW, May 3. /TASS/. Air defences destroyed a drone over the Kursk region.", "Kursk oblast"),
        ("KHARKIV - Two people were killed in a drone strike overnight.", "Kharkiv"),
    ],
)
def test_a_dateline_is_the_place_only_when_no_other_is_named(
    classifier: Classifier, text: str, name: str
) -> None:
    event = read(classifier, text).events[0]
    assert event.location is not None and event.location.name == name


@pytest.mark.parametrize(
    "text",
    [
        "A missile hit an industrial facility in Zaporizhia, killing one.",
        "The enemy fired a missile at one of Zaporizhzhia\u02bcs infrastructure facilities, killing two.",
    ],
)
def test_spellings_and_apostrophes_of_ukrainian_towns(classifier: Classifier, text: str) -> None:
    event = read(classifier, text).events[0]
    assert event.location is not None and event.location.admin1 == "Zaporizhzhia oblast"


def test_the_pilot_of_a_jet_is_no_weapon_that_killed(classifier: Classifier) -> None:
    text = "A Ukrainian MiG-29 crashed during the landing approach. The pilot of the fighter jet killed."
    assert "strike" not in read(classifier, text).labels


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("A King Air crashed near Ilorin; all four crew members were killed.", 4),
        ("The bodies of five victims were recovered from the rubble after the missile attack on Lviv.", 5),
        ("The drone attacked a car... as a result of the hit two women were killed, the governor said.", 2),
        (
            "A Mi-28 crashed in the Leningrad region. The crash resulted in the deaths of both crew members.",
            2,
        ),
        ("Three policemen were martyred when a roadside bomb went off next to their patrol vehicle.", 3),
        ("A guided bomb hit a house. A family of three - parents and their son - were killed.", 3),
        ("A Tu-22M3 crash-landed on return to base; one of the four crew members died.", 1),
        ("Russian army kills two children and a woman in Pokrovsk district of Donetsk region", 3),
        ("The explosion in one of the houses killed a 64-year-old resident and an 11-year-old boy.", 2),
        ("All eight crew members and seven passengers onboard died, TASS reported.", 15),
    ],
)
def test_crews_families_bodies_and_parts_of_a_group_are_counted(
    classifier: Classifier, text: str, killed: int
) -> None:
    assert max((e.killed or 0 for e in read(classifier, text).events), default=0) == killed


@pytest.mark.parametrize(
    "text",
    [
        "Romania responded by sending four fighter jets into the sky after a drone breached its airspace.",
        "Kuwait Thwarts Hostile Drones Amid Escalating Gulf Tensions",
        "Klitschko: Sounds of explosions heard in Kyiv, air defense system in operation",
        "Polish Airports Temporarily Halt Operations Amid Russian Strikes Near Ukraine",
        "The airport in Kazan is closed due to the danger of drones",
        "The alerts are activated in the evacuated communities along the border.",
        "Norwegian F-35s Intercept Russian Bomber Task Force",
        "NATO jets daily conducted one interception of Russian IL-20 planes over the Baltic.",
        "Iran activates air defences in response to explosions, state media reports",
        "Commercial aircraft were being grounded in Tehran and parts of the west.",
        "All takeoff and landing were suspended twice at Incheon airport because of trash balloons.",
        "Taiwan sends up fighters as Chinese warplanes cross the strait's median line",
        "Syrian air defences fire on four Israeli missiles, shoot down one",
        "Alarms sounded in the southern Israeli city of Eilat after a hostile aircraft approached.",
        "Unknown drone from Belarus forces Lithuanian leaders into shelter",
        "Three alerts in one night for Kyiv, no damage reported - Klitschko",
        "The plane was shot down over North Humera while crossing Ethiopian airspace from Sudan.",
        "Russians launch 22 missiles and over 460 drones; 4 drones fly into Moldova and Romania",
        "Drones were targeting Grozny as a plane landed in deep fog; the area was closed for air traffic.",
        "Our MQ-9 was in international airspace when it was intercepted by two Su-27s.",
        # interception verbs and objects as outlets write them (session 5)
        "Air defence forces shot down 17 of the total 20 attack drones launched overnight.",
        "Navy destroys Houthi drones targeting a tanker",
        "The army intercepted a surface-to-air missile fired at a helicopter.",
        "The coalition announced the interception and destruction of a drone launched toward Jizan.",
        'The frigate intercepted and shot down a "suspected attack drone" over the Red Sea.',
        "Israel fires interceptors at rockets launched from Lebanon",
        "All drones were taken down over the sea, the governor said.",
        "Indian forces neutralising drones over Jammu",
        'Air defence units eliminated 11 "Shaheds" over the region.',
        "Thirty drones were allegedly destroyed over the Bryansk region.",
        "Debris fell on a warehouse as a result of air defence operations.",
        # closures
        "Temporary flight bans introduced at two airports in the south",
        "Drone sightings briefly close Oslo airspace",
        "Airports in Vilnius and Kaunas were forced to close after balloons were sighted.",
        "The attack forced four airports to temporarily close, officials said.",
        # alerts, regimes, plans and restrictions; air defence deployed; launches intercepted
        "The channels announced an incoming ballistic missile alert across the city.",
        "The army said 10 launches were fired, and three of the launches were intercepted.",
        "Two people were wounded as they ran to a shelter amid the blaring siren.",
        "Sirens were also activated due to a false alert.",
        "Air defense forces and equipment are being deployed in the region due to a drone attack.",
        "An air danger regime has been declared throughout the region.",
        "The threat of a UAV attack has been announced in the region.",
        "At both airports, the Kilym plan is in effect.",
        "Airports in two cities experienced temporary closures.",
        "Aircraft arrivals and departures at the airport are temporarily restricted.",
        "The Italian Air Force intercepted a Russian Coot-A aircraft flying over the Baltic Sea.",
        "Border guards shot down a hexacopter carrying a rifle and grenades.",
        "The military said its anti-aircraft units responded swiftly to drones flying over the port.",
        "All drones threatening the capital were neutralized without causing casualties.",
        "Iron Dome Downs First Gaza Rocket in a Month",
        "Ballistic missiles fall over the capital after being intercepted",
        "The army fires 'David's Sling' interceptors at rockets launched from the north",
        "Fighter jets briefly crossed the median line before being driven out by the island's air force.",
        "The authority extended the suspension period for all types of flights till May 15.",
        "Airport in Sochi, Russia, closed due to drone attack",
        "The missile forced a temporary halt of air traffic at the airport.",
        "Eight drones were launched at the airport, but were reportedly shot down before reaching it.",
        "Ukraine Says It Shoots Down 11 of 14 Russian Drones",
        "Most of the country's airspace remains closed amid the escalation.",
        "At 16:38, the Air Force warned of a guided missile heading towards Dnipro.",
        "The alarm in the region was declared at 16:25.",
        "The launch prompted Japan's J-Alert system to issue an early warning.",
        "Anti-aircraft fire lit up the sky over the city as drones approached.",
        "The Patriot battery engaged two ballistic missiles over the city.",
        "Residents were urged to seek shelter as missiles approached.",
        "The Iron Dome system was activated over Ashkelon.",
        "Air defence forces prevented a drone attack on the city, the mayor said.",
        "Two rockets fired from the strip at the country were intercepted over the town by Iron Dome.",
        "Over 20 air targets were detected and destroyed in the airspace around the capital by air defence.",
        "Drones have been sighted in two towns and they have been engaged, a spokesman said.",
        "Both countries deployed their quick reaction alert (QRA) forces to intercept the Russian jets.",
        "A military helicopter went a kilometer deep into Belarusian airspace.",
        "The Defence Ministry said it had detected a drone in its airspace.",
        "Chinese aircraft entered Taiwan's air defence identification zone.",
        # Rosaviatsia: temporary restrictions introduced at Kazan airport (written as escapes: Cyrillic
        # letters look like Latin ones to the linter).
        " ".join(
            [
                "\u0420\u043e\u0441\u0430\u0432\u0438\u0430\u0446\u0438\u044f:",
                "\u0432\u0440\u0435\u043c\u0435\u043d\u043d\u044b\u0435",
                "\u043e\u0433\u0440\u0430\u043d\u0438\u0447\u0435\u043d\u0438\u044f",
                "\u0432\u0432\u0435\u0434\u0435\u043d\u044b",
                "\u0432",
                "\u0430\u044d\u0440\u043e\u043f\u043e\u0440\u0442\u0443",
                "\u041a\u0430\u0437\u0430\u043d\u0438.",
            ]
        ),
    ],
)
def test_airspace_responses_as_real_outlets_word_them(classifier: Classifier, text: str) -> None:
    assert "airspace_response" in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "A missile warning signal will also be sent at night, as most residents voted for it.",
        "The airport resumed full operations after a 12-day closure.",
    ],
)
def test_warning_systems_and_reopenings_are_no_airspace_response(classifier: Classifier, text: str) -> None:
    assert "airspace_response" not in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "The air force warned of a heightened risk of massive drone and missile attacks on the capital.",
        "Two airports remain shut due to ongoing infrastructure issues.",
        "We have suspended all departures and arrivals while we are clearing both runways of snow.",
    ],
)
def test_risk_warnings_and_closures_for_civil_causes_are_no_airspace_response(
    classifier: Classifier, text: str
) -> None:
    assert "airspace_response" not in read(classifier, text).labels


def test_debris_from_a_crashed_drone_is_a_casualty_not_a_strike_by_the_drone(classifier: Classifier) -> None:
    result = read(classifier, "Debris from a crashed drone hit the district; two people were injured.")
    assert result.labels == ("casualty",)


def test_quick_reaction_launches_counted_over_a_year_are_no_event(classifier: Classifier) -> None:
    text = "Quick Reaction Alert crews were launched 12 times in 2015, ministry figures show."
    assert read(classifier, text).events == ()
