"""Conflict-monitor and wire phrasing: dated notes, crews, dropped munitions, Russian regions.

Sentences written for these tests (none copied from any dataset).
"""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier
from tests.unit.classify_read import read


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


def test_a_toll_since_the_war_began_is_history(classifier: Classifier) -> None:
    assert read(classifier, "More than 600 children killed since the war began, officials say.").events == ()


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("Mine explosion kills farmer near Izium", 1, None),
        ("Russian Su-25 crashes near Avdiivka, pilot killed", 1, None),
        ("Kherson shelled: woman, 67, killed in her garden", 1, None),
        ("Woman and her daughter killed as shell hits home in Nikopol", 2, None),
        ("Three soldiers were seriously wounded in shelling of Kupiansk.", None, 3),
        ("A Yak-52 trainer crashed near Kherson and all 12 on board were killed.", 12, None),
        ("Russian strikes killed two residents of Kharkiv region and injured nine more.", 2, 9),
    ],
)
def test_headline_and_wire_counts(
    classifier: Classifier, text: str, killed: int | None, injured: int | None
) -> None:
    result = read(classifier, text)
    assert "casualty" in result.labels
    assert max((e.killed or 0 for e in result.events), default=0) == (killed or 0)
    assert max((e.injured or 0 for e in result.events), default=0) == (injured or 0)


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Russia pounds Kharkiv overnight", {"strike"}),
        ("Missiles slam into Odesa port", {"strike"}),
        ("Kaluga airport halted flights overnight.", {"airspace_response"}),
        ("Rosaviatsia imposed temporary restrictions at Sochi airport.", {"airspace_response"}),
        ("Poland published a NOTAM for its eastern border area.", {"airspace_response"}),
        ("Air defence forces of Air Command East were in action over Dnipro.", {"airspace_response"}),
        ("Two Romanian F-16s took off to monitor the border area.", {"airspace_response"}),
        ("Ukrainian air defence was active over Poltava; five drones were destroyed.", {"airspace_response"}),
        ("Russia launched 90 drones overnight. It said 71 were shot down.", {"strike", "airspace_response"}),
        ("Ukrainian Su-24 shot down near Bakhmut, Russia says", {"aircraft_loss"}),
        ("Orlan-10 drone downed by border guards near Sumy.", {"aircraft_loss"}),
        ("Bombers launched cruise missiles at Kyiv from the Caspian; no aircraft were lost.", {"strike"}),
        ("Strike on Saky airfield destroys three helicopters", {"strike", "aircraft_loss"}),
        ("A Su-34 destroyed at Marinovka airbase by a Ukrainian drone.", {"aircraft_loss", "strike"}),
        ("Ukrainian drones set an oil depot in Rovenky on fire overnight.", {"strike"}),
        (
            "IAF strikes destroyed several F-4 jets on the ground at the air base.",
            {"strike", "aircraft_loss"},
        ),
        ("Insurgents attacked a village, beheading at least four people.", {"casualty"}),
        (
            "A mobile air-defence group shot down a Zala UAV and two strike drones near Izium.",
            {"aircraft_loss", "airspace_response"},
        ),
        ("Moscow/Domodedovo (UUDD): AD CLSD TO ALL TFC 0200-0500 UTC.", {"airspace_response"}),
        (
            "Missile threat from the north: residents of Zhytomyr oblast, go to shelters.",
            {"airspace_response"},
        ),
        (
            "A group of strike UAVs is moving towards Bakhmach. Mobile fire groups are working.",
            {"airspace_response"},
        ),
        ("Debris fell on a house in Boiarka; a 70-year-old woman suffered burns.", {"casualty"}),
        ("The TB2 was lost over the sea after a strike mission.", {"aircraft_loss"}),
        ("Kremenchuk: teenager killed, two hurt by Russian missile", {"strike", "casualty"}),
        ("Lysychansk hostel struck, 9 dead, officials claim", {"strike", "casualty"}),
        ("Patriot downs Kinzhal over Kyiv; no damage reported", {"airspace_response"}),
        ("Six FAB-500 bombs released by Su-34s fell on the outskirts of Kostiantynivka.", {"strike"}),
        ("A car bomb killed an official outside his home in Melitopol.", {"casualty"}),
        ("Bahrain sounded sirens and urged residents to go to the nearest shelter.", {"airspace_response"}),
        ("Drones struck Kovel during a night attack, officials said.", {"strike"}),
        (
            "Geran-3 (jet-powered) — downed with cannon fire by a MiG-29 over Uman; it landed safely.",
            {"airspace_response"},
        ),
        (
            "Debris of a drone shot down by air defence fell on a house in Irpin; two people were injured.",
            {"airspace_response", "casualty"},
        ),
        (
            "Russia claims Iskander destroyed two Ukrainian Mi-8s at a landing site near Sumy.",
            {"strike", "aircraft_loss"},
        ),
        (
            "Drone operators of the 14th regiment destroyed a Russian Mi-28 parked near Kursk.",
            {"strike", "aircraft_loss"},
        ),
        ("No injuries as debris from a downed drone lands in a Haisyn backyard", {"airspace_response"}),
        (
            "Poland puts fighter jets in the air as Russia pounds western Ukraine",
            {"airspace_response", "strike"},
        ),
        ("Palanga airport halts traffic overnight over smuggling balloons", {"airspace_response"}),
        ("Iraq shut its skies after Iran fired missiles at Israel.", {"airspace_response", "strike"}),
        (
            "An MH-60R went into the South China Sea during routine operations; three crew rescued.",
            {"aircraft_loss"},
        ),
        (
            "Mobile fire groups downed an Orlan-10 and five Lancet loitering munitions.",
            {"aircraft_loss", "airspace_response"},
        ),
        ("Obukhiv rail hub targeted again, one railway worker killed", {"strike", "casualty"}),
    ],
)
def test_types_read_from_varied_grammar(classifier: Classifier, text: str, labels: set[str]) -> None:
    assert set(read(classifier, text).labels) == labels


def test_an_incident_told_without_a_place_takes_the_place_named_just_before(classifier: Classifier) -> None:
    text = (
        "On 2 March 2024, Russian troops assaulted positions near Vuhledar (Volnovakha raion, Donetsk). "
        "Four fatalities were reported."
    )
    (event,) = read(classifier, text).events
    assert event.types == ("casualty",)
    assert event.location is not None and event.location.admin1 == "Donetsk oblast"


def test_a_nationwide_attack_takes_the_place_hit_told_next(classifier: Classifier) -> None:
    text = "Russia launched 120 drones at Ukraine overnight. A power plant in Rivne was hit."
    strike = next(e for e in read(classifier, text).events if "strike" in e.types)
    assert strike.location is not None and strike.location.admin1 == "Rivne oblast"


def test_a_separate_incident_does_not_take_the_place_before_it(classifier: Classifier) -> None:
    text = "A drone hit a warehouse in Kharkiv. Separately, two soldiers were killed, the army said."
    casualty = next(e for e in read(classifier, text).events if "casualty" in e.types)
    assert casualty.location is None or casualty.location.admin1 != "Kharkiv oblast"


@pytest.mark.parametrize(
    ("text", "admin1", "country"),
    [
        (
            "Polish jets were scrambled after a drone entered airspace near Rzeszow.",
            "Subcarpathian voivodeship",
            "PL",
        ),
        ("Flights were suspended at Lublin airport overnight.", "Lublin voivodeship", "PL"),
        ("Air defence shot down drones over Gomel.", "Gomel region", "BY"),
        ("Airstrikes hit Saraqib overnight, killing four people.", "Idlib", "SY"),
        ("A drone struck a warehouse in Tulcea.", "Tulcea", "RO"),
        ("Drones struck buildings in Moscow, injuring two people.", "Moscow city", "RU"),
        ("A drone attack killed a man in Kherson's Tsentralnyi district.", "Kherson oblast", "UA"),
        ("Israeli strikes hit the port of Latakia.", "Latakia", "SY"),
        ("Israeli warplanes struck Beirut's southern suburbs, killing three.", "Beirut", "LB"),
        ("A helicopter crashed near El Fasher, killing all five on board.", "North Darfur state", "SD"),
        ("A fighter jet crashed in Makurdi; the two pilots ejected.", "Benue state", "NG"),
        ("A jet crashed near a village in Niger State.", "Niger state", "NG"),
        ("Air strikes on a village in the Sagaing region killed seven civilians.", "Sagaing region", "MM"),
        ("Drones struck an oil pumping station in Almetyevsk overnight.", "Tatarstan", "RU"),
        ("Copenhagen airport shut after drone sightings", "Capital Region of Denmark", "DK"),
        ("A drone struck a market in Dilling, killing 17 people.", "South Kordofan state", "SD"),
        ("Bulgarian MiG-29s were scrambled after a drone was tracked near Varna.", "Varna", "BG"),
        ("An Israeli strike killed two people in Nabatieh.", "Nabatieh governorate", "LB"),
    ],
)
def test_towns_abroad_resolve_to_their_region(
    classifier: Classifier, text: str, admin1: str, country: str
) -> None:
    event = read(classifier, text).events[0]
    assert event.location is not None
    assert (event.location.admin1, event.location.country) == (admin1, country)


@pytest.mark.parametrize(
    ("text", "labels", "killed", "injured"),
    [
        ("Death toll from Odesa market strike climbs to 9", {"strike", "casualty"}, 9, None),
        ("Shelling kills elderly couple in Kupiansk", {"strike", "casualty"}, 2, None),
        ("Russian drone kills nurse, wounds three in Nikopol", {"strike", "casualty"}, 1, 3),
        ("Israeli strikes on Gaza kill 12, health officials say", {"strike", "casualty"}, 12, None),
        ("A missile broke through air defences and hit a hotel in Kyiv.", {"strike"}, None, None),
        ("A Bayraktar TB2 strike destroyed a T-72 tank near Tokmak.", {"strike"}, None, None),
        (
            "Several dozen fatalities were reported after militants attacked the base.",
            {"casualty"},
            None,
            None,
        ),
        (
            "A group strike with precision weapons was carried out against military airfields.",
            {"strike"},
            None,
            None,
        ),
        (
            "A Mi-8 crashed on landing; both pilots survived with injuries.",
            {"aircraft_loss", "casualty"},
            None,
            2,
        ),
        (
            "A Su-30 was shot down over the Black Sea; its crew was killed.",
            {"aircraft_loss", "casualty"},
            None,
            None,
        ),
        (
            "FPV drones launched from lorries hit two Tu-22M3 bombers at the air base.",
            {"strike", "aircraft_loss"},
            None,
            None,
        ),
    ],
)
def test_agents_survivors_and_toll_phrasing(
    classifier: Classifier, text: str, labels: set[str], killed: int | None, injured: int | None
) -> None:
    result = read(classifier, text)
    assert set(result.labels) == labels
    assert max((e.killed or 0 for e in result.events), default=0) == (killed or 0)
    assert max((e.injured or 0 for e in result.events), default=0) == (injured or 0)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Ukraine says it hit a command post in Crimea; a general possibly among the dead.", "casualty"),
        ("The Su-25 went down near Bakhmut and the pilot was presumed dead.", "casualty"),
        ("A Su-24 may have been hit near Odesa, Russian bloggers claim.", "aircraft_loss"),
        ("It is unclear whether the fire at the depot was caused by shelling.", "strike"),
        ("Over 200 strikes hit the Sumy region since July, officials said.", "strike"),
        ("Soldiers found the remains of a Shahed drone in a field near Chelm.", "casualty"),
        ("20 drones destroyed over Kyiv region, the air force says", "strike"),
        (
            "An object, possibly a drone, may have entered Polish airspace, officials said.",
            "airspace_response",
        ),
        ("Air defence intercepted Russian attack drones over Kharkiv; no damage was reported.", "strike"),
        ("NATO jets were launched to identify Russian aircraft over the Baltic.", "strike"),
        ("Over 2,000 civilians were killed in the first six months of the year, the UN said.", "casualty"),
        ("Five Su-27s were reportedly destroyed at the air base.", "casualty"),
        ("Regional officials said 40 civilians had been killed in the region during March.", "casualty"),
        ("A Su-25 attack jet was downed near Pokrovsk.", "strike"),
        ("A Su-27 was hit by ground fire but landed safely at its base.", "aircraft_loss"),
        ("Fighters opened fire on a border patrol from a sabotage and reconnaissance group.", "strike"),
        ("Geran drones hit a hangar at the airfield, destroying two trucks inside.", "airspace_response"),
        ("Latvia is considering closing its airspace along the border.", "airspace_response"),
        ("On 2 May 2024, militants attacked an army position near Djibo. Fatalities unknown.", "casualty"),
        ("Russian drones may have hit a radar station in Crimea, analysts say.", "strike"),
        ("The Kremlin threatens strikes on Kyiv if the talks collapse.", "strike"),
        ("Troops attacked positions near Toretsk with infantry and armoured vehicles.", "strike"),
        ("Soldiers fired on a car with small arms near the border.", "strike"),
        ("Officials urged residents not to ignore air raid alerts this winter.", "airspace_response"),
        (
            "The embassy advised citizens to take shelter as soon as air alerts are announced.",
            "airspace_response",
        ),
        ("WHERE Bucha, Kyiv oblast | WHAT missile hit a warehouse | TOLL 0 killed, 0 injured", "casualty"),
        ("The air force said it destroyed 40 drones overnight.", "strike"),
        ("Two missiles targeted an Israeli drone over Lebanon; the first was intercepted.", "strike"),
        ("A reconnaissance drone was shot down; another has been landed by electronic warfare.", "strike"),
        ("Russia has this year increasingly turned to cheap drones to strike cities.", "strike"),
        ("Warehouses have been destroyed in the course of the war by air strikes.", "strike"),
        ("Poland has reported breaches of its airspace during previous Russian attacks.", "strike"),
        ("Russia has lost seven planes since launching its operation in Syria.", "aircraft_loss"),
        ("The minister called for shooting down aircraft that breach NATO airspace.", "aircraft_loss"),
        ("Two pilots narrowly escaped death after ejecting from their jet.", "casualty"),
        ("Russian air defence forces destroyed a Ukrainian military drone over Oryol.", "casualty"),
        ("Russia will hand over the bodies of 1,000 killed soldiers in the exchange.", "casualty"),
        ("Stay in shelters until the air raid is over.", "strike"),
        ("Flights resumed after restrictions were lifted; two departures were delayed.", "airspace_response"),
        ("Be careful and stay in shelters during alerts!", "airspace_response"),
        ("Troops opened fire on a drone that crossed the border near Amritsar.", "strike"),
        ("NOTAM: airspace over the range reserved for an air force exercise next week.", "airspace_response"),
        (
            "Rosaviatsia: all restrictions at Sochi airport were lifted; flights operate as scheduled.",
            "airspace_response",
        ),
        ("Flights were diverted from Kuopio to Joensuu this evening because of fog.", "airspace_response"),
        ("Fragments of a shot-down drone landed in Obolonskyi district, setting cars alight.", "strike"),
        (
            "General Staff: over the past day the enemy launched 3 missile strikes and 62 air strikes and "
            "carried out 4,870 shellings.",
            "strike",
        ),
        (
            "Russian MoD: aviation and artillery hit deployment points in 143 districts over the day.",
            "strike",
        ),
        ("Teachers killed in last winter's missile attack were remembered in Zboriv.", "casualty"),
        ("Israeli strikes have killed more than 330 people since last November's ceasefire.", "casualty"),
        ("Oblast / Poltava / drone strike on a gas compressor station / casualties: none", "casualty"),
        ("Unverified video appears to show a Russian Ka-52 hit by a missile near Robotyne.", "aircraft_loss"),
        ("Two helicopters were caught on camera, though neither appeared to be shot down.", "aircraft_loss"),
        ("Ukraine has so far shot down 21 Russian Mi-8s out of a total of 106 helicopters.", "aircraft_loss"),
        (
            "The conflict between the army and the RSF has killed over 3,000 civilians, the UN says.",
            "casualty",
        ),
        ("A Russian fighter jet struck a USAF MQ-9 Reaper drone over the Black Sea.", "strike"),
        ("Russian missile troops and artillery have destroyed 811 objects of the Ukrainian army.", "strike"),
        ("The downing of the Su-30 over the Black Sea is also being investigated.", "aircraft_loss"),
        ("A video shows the downing of a Nigerian Air Force Alpha Jet which exploded mid-air.", "strike"),
        ("An anti-aircraft missile tore apart a Bayraktar TB2 attack drone.", "strike"),
        ("The Israeli Air Force struck nearly 40 terror targets throughout Gaza, it said.", "strike"),
        ("The Palestinian death toll from ongoing Israeli attacks has risen to 44,580.", "casualty"),
        ("Since then the Russians have been shelling the right bank of the Kherson region.", "strike"),
        ("At least 331 civilians have been killed in Ukraine since the start of the 10-day war.", "casualty"),
        (
            "Since resuming its bombardment on March 18, the ministry reported nearly 1,500 killed.",
            "casualty",
        ),
        (
            "Khinstein said 288 civilians had been killed during Ukraine's incursion into the Kursk region.",
            "casualty",
        ),
        (
            "Officials say Russian forces have been stockpiling drones and missiles for attacks on the grid.",
            "strike",
        ),
        ("The authorities of the Bryansk region regularly report shelling from Ukraine.", "strike"),
        ("On Sunday, security forces opened fire on protesters, killing eight people.", "strike"),
        ("A Russian Ka-52 made a precautionary landing; the crew flew it back to base.", "aircraft_loss"),
        ("A Su-30SM fighter jet crashed into the Black Sea off Crimea during a training flight.", "strike"),
        (
            "A missile warning signal will also be sent at night, the authorities decided.",
            "airspace_response",
        ),
    ],
)
def test_texts_that_are_not_events_of_that_type(classifier: Classifier, text: str, absent: str) -> None:
    assert absent not in read(classifier, text).labels


@pytest.mark.parametrize(
    "text",
    [
        "Sirens across Kharkiv as residents are told to take shelter",
        "Airspace over the north of the country was closed for two hours.",
        "Polish and allied aircraft were activated as Russia struck western Ukraine.",
        "A drone crashed in a field in Moldova's Soroca district overnight.",
        "Two drones fell near villages in Romania's Tulcea county; nobody was hurt.",
        "RAF Typhoons were launched to shadow two Russian bombers over the North Sea.",
        "Gripens went up from Ronneby to identify a Russian Il-20 east of Gotland.",
        "Two Eurofighters were airborne as drones struck the port of Izmail.",
        "Sochi airport is not receiving or sending aircraft, the aviation agency said.",
        "An RO-ALERT message was sent to residents of Galati county.",
        "Air Force summary: 52 attack UAVs launched; 40 shot down, 12 locally lost.",
        "F-35s intercepted two Russian Tu-22M3 bombers near the border.",
        "Kharkiv: sirens at 05:40; drones hit a warehouse during the alert.",
        "A Su-25 attack aircraft and 80 drones were shot down by air defence over the past day.",
    ],
)
def test_airspace_responses(classifier: Classifier, text: str) -> None:
    assert "airspace_response" in read(classifier, text).labels


@pytest.mark.parametrize(
    ("text", "labels", "killed"),
    [
        (
            "12 May 2024. Syria — Idlib. Air strikes on a market. Reported fatalities: 9.",
            {"strike", "casualty"},
            9,
        ),
        (
            "An An-26 with 19 on board was found crashed in the hills, no survivors.",
            {"aircraft_loss", "casualty"},
            19,
        ),
        ("The Su-27 crashed at Lviv airport during a display; its pilot did not survive.", None, 1),
        ("A husband and wife died when a drone hit their car near Valuyki.", {"strike", "casualty"}, 2),
        (
            "Eleven people are now confirmed dead after the missile strike on Sumy.",
            {"strike", "casualty"},
            11,
        ),
        ("A cyclist was killed by a Russian FPV drone near Izium.", {"strike", "casualty"}, 1),
        ("A shell lands in a Kherson courtyard, killing two.", {"strike", "casualty"}, 2),
        ("A warehouse burned after an overnight Shahed raid on Zhytomyr; nobody was hurt.", {"strike"}, None),
        ("No casualties after a drone strikes a substation in Kursk, officials say.", {"strike"}, None),
        ("Russia fires 300 drones and 20 missiles at Ukraine overnight.", {"strike"}, None),
    ],
)
def test_monitor_layouts_crews_and_pairs(
    classifier: Classifier, text: str, labels: set[str] | None, killed: int | None
) -> None:
    result = read(classifier, text)
    if labels is not None:
        assert set(result.labels) == labels
    assert max((e.killed or 0 for e in result.events), default=0) == (killed or 0)


@pytest.mark.parametrize(
    ("text", "labels", "killed"),
    [
        (
            "Su-30SM — Russia — Crimea, May 2024 — crashed into the sea; two crew killed.",
            {"aircraft_loss", "casualty"},
            2,
        ),
        (
            "Between 20 and 25 soldiers were killed in the shelling of the base, officials said.",
            {"strike", "casualty"},
            20,
        ),
        (
            "A man wounded in the strike on Sumy has died, bringing the death toll to nine.",
            {"strike", "casualty"},
            9,
        ),
        (
            "2024-06-02 | Air/drone strike | Lebanon - Tyre | Israeli drone hit a car. | fatalities 2",
            {"strike", "casualty"},
            2,
        ),
        ("Troops shot at a farmer across the river; he was wounded.", {"casualty"}, None),
        ("Iraqi F-16s struck militant hideouts in the Hamrin mountains.", {"strike"}, None),
        ("Ukrainian drones target an oil depot in Novorossiysk overnight", {"strike"}, None),
        ("Russians shell Bilopillia community 30 times; nobody hurt", {"strike"}, None),
    ],
)
def test_list_layouts_ranges_and_striking_aircraft(
    classifier: Classifier, text: str, labels: set[str], killed: int | None
) -> None:
    result = read(classifier, text)
    assert set(result.labels) == labels
    assert max((e.killed or 0 for e in result.events), default=0) == (killed or 0)


@pytest.mark.parametrize(
    ("text", "admin1"),
    [
        (
            "On 1 April 2025, drones hit a house near Stepove (Zaporizhzhia). One civilian was killed.",
            "Zaporizhzhia oblast",
        ),
        (
            "On 9 May 2024, shelling hit a farm near Hlyboke (Kharkiv raion, Kharkiv). Two were wounded.",
            "Kharkiv oblast",
        ),
        ("Troops fired across the Dnipro at a man in Kherson; he was wounded.", "Kherson oblast"),
        ("Toll from Dnepr missile strike rises to nine", "Dnipropetrovsk oblast"),
        ("Boryspil district: a missile hit a warehouse, four injured", "Kyiv oblast"),
        ("On 4 June 2024, drones struck Kyiv city (Kyiv). Two people were injured.", "Kyiv city"),
    ],
)
def test_brackets_rivers_and_districts_resolve_places(classifier: Classifier, text: str, admin1: str) -> None:
    admin1s = {e.location.admin1 for e in read(classifier, text).events if e.location}
    assert admin1 in admin1s


def test_a_joined_clause_keeps_its_incident_place(classifier: Classifier) -> None:
    text = (
        "A Tu-22M3 crashed in Stavropol krai after a malfunction. Moscow blamed the weather. "
        "One crew member was killed."
    )
    loss = next(e for e in read(classifier, text).events if "aircraft_loss" in e.types)
    assert loss.location is not None and loss.location.admin1 == "Stavropol krai"


def test_a_sentence_going_on_about_an_aggregate_is_history(classifier: Classifier) -> None:
    text = (
        "Prosecutors said 120 civilians had been killed in the region since the start of the year. "
        "Most died in glide-bomb attacks on frontline towns."
    )
    assert read(classifier, text).events == ()


def test_footage_that_may_show_wreckage_is_no_loss(classifier: Classifier) -> None:
    text = "Unverified footage may show the wreckage of a helicopter in a field near Kursk."
    assert "aircraft_loss" not in read(classifier, text).labels


def test_a_part_of_those_on_board_is_the_toll(classifier: Classifier) -> None:
    (event,) = read(classifier, "An Mi-8 crashed in fog on Sakhalin; three of the five on board died.").events
    assert event.killed == 3


def test_a_year_since_a_strike_is_no_strike(classifier: Classifier) -> None:
    assert read(classifier, "Lokhvytsia marks a year since the missile strike on its centre").events == ()
