"""The classifier proper: report text → incidents (event mentions) with types and facts.

How it reads, in order:

1. places are found once over the whole text (gazetteer n-grams, "X region" forms, "Polish airspace");
2. the text is cut into sentences and sentences into clauses (";", ", and another ...", ", while in ...");
3. each clause is read for the four types — the cues live in the rule file, the decisions here — with
   negation ("no one was hurt"), hedging/threat ("threatened to strike") and history/aggregate cues
   ("in recent years", "since the start of the war") vetoing what they govern;
4. counts are bound to the verbs they belong to ("killing the pilot" → 1, "six people ... were wounded" → 6);
5. clause drafts are merged into incidents: an anaphoric "the attack" joins the attack it refers to, an
   unlocated casualty joins the strike just told, a new place starts a new incident.

Everything here is pure: no I/O, no clock (relative dates use ``Report.published_at``), no environment.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from sitrep.classify.gazetteer import Gazetteer, fold
from sitrep.classify.numbers import Quantity, parse_quantity
from sitrep.classify.rules import Rules, lower_text
from sitrep.dedupe.text import DATELINE
from sitrep.model import Classification, EventMention, EventType, Place, Report, Span

# Longer texts are read up to this many characters: it bounds time on pathological input (1 MB pastes)
# while covering any real article several times over.
MAX_CHARS = 200_000
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_WEEKDAYS = {
    d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
_KILL_CLASS = re.compile(
    r"kill|dead|die|death|perish|slain|lives|life|fatal|murder|eliminat|liquidat|destroy|neutrali|lost|losing|loses|"
    r"bodies|corpses|succumb|slay|slew|no survivors|not survive|n't survive|^fat$|^kia$|martyr|shahadat|"
    r"erased|wiped out|annihilat|obliterat",
    re.IGNORECASE,
)
_HURT_CLASS = re.compile(r"wound|injur|hurt|hospital|maim|shock|concuss|traumat|^inj$|^wia$", re.IGNORECASE)
_ONE_WORDS = {"a", "an", "one", "another", "the", "his", "her", "its", "their"}
_PLURAL_END = re.compile(
    r"(?:s|people|men|women|children|personnel|military|crew|staff|elderly)$", re.IGNORECASE
)
_HEDGED = re.compile(
    r"\b(?:reportedly|allegedly|unconfirmed|purportedly|claimed|claims|possibly|presumably)\b"
)
_SPECIFIC = ("city", "admin1")
# A sentence that goes on about the aggregate told before it.
_HISTORY_GOES_ON = re.compile(
    r"\s*(?:most|many|the\s+majority|of\s+(?:them|these|those)|they|all\s+of\s+them|some)\b"
)
# "northern Israel", "North Gaza", "southern Lebanon's": a compass word before a capitalised name.
_COMPASS = re.compile(
    r"(?<![\w-])(?P<c>(?i:north|south|east|west)(?:ern)?|(?i:central))\s+(?:the\s+)?"
    r"(?P<rest>[A-Z][\w'\u2019\-]+(?:\s[A-Z][\w\-]+)?)"
)
_PAREN_REGION = re.compile(
    r"(?<=[\w)]\s)\((?:[^()]{0,60},\s*)?(?P<name>[A-Z][\w'\u2019\-]+(?:\s[A-Z][\w'\u2019\-]+)?)"
    r"(?:,\s*(?:Ukraine|Russia|Syria|Lebanon|Yemen|Sudan|Israel|Palestine|Iraq|Iran))?\)"
)
# "across the Dnipro", "the Dnipro river": the river. Not "the city of Dnipro", nor "attacked the Dnipro"
# (the city, in Ukrainian outlets' English).
_RIVER_BEFORE = re.compile(
    r"(?<!attacked\s)(?<!struck\s)(?<!shelled\s)(?<!targeted\s)(?<!hit\s)(?<!\bon\s)\bthe\s+$", re.IGNORECASE
)
_RIVER_AFTER = re.compile(r"\s+river\b", re.IGNORECASE)
_NOT_RIVER_AFTER = re.compile(r"\s+(?:city|region|oblast)\b", re.IGNORECASE)
# Words of air defence at work. "Drone operators destroyed a parked Mi-28" is a strike beside the loss,
# "anti-aircraft gunners destroyed a Su-25" is not; "drones hit a hangar, destroying two UAVs" is the strike's
# destruction, "air defence destroyed two UAVs" an interception.
_AIR_DEFENCE_WORDS = re.compile(
    r"anti-aircraft|air[- ]defen|manpads|surface-to-air|sam\b|shot\s+down|shooting\s+down|downed|"
    r"intercept|repel"
)
# "women aged 72 and 67": ages just before a number (a lookbehind in the count pattern itself cost 4 %).
_AGED_BEFORE = re.compile(r"\baged\s+(?:between\s+)?(?:\d+\s*(?:and|to|-|\u2013)\s*)?$")
# A strike verb whose object is an aircraft in flight ("missiles targeted an Israeli drone", "hit the drone"):
# fire at an aircraft is air defence or a loss, not a strike on the ground (unless it stood at an airfield).
_AT_AIRCRAFT = re.compile(
    r"(?:targeted|targeting|hit|struck|attacked|fired\s+(?:at|on)|opened\s+fire\s+(?:at|on))\s+"
    r"(?:an?\s+|the\s+|its\s+)?"
    r"(?:(?!(?:by|with|from|in|on|near|at|over|as|after|and)\b)[\w\-]+\s+){0,3}?"
    r"(?:drones?|uavs?|aircraft|jets?|helicopters?|planes?)\b(?!\s+(?:bases?|factory|plants?|depots?|hangars?|"
    r"production|workshops?|sites?|launch|parks?|parking|pads?|shelters?|field))(?![^.;]{0,40}\b(?:airfield|air\s*base|airbase|on\s+the\s+ground|"
    r"hangars?|parked))"
)

# Generic airframes that are no carriers or one-way weapons even beside missiles: reconnaissance drones.
_RECON = re.compile(r"(?:reconnaissance|recon|surveillance|spy)\s")
_ATTEMPTED_ATTACK = re.compile(
    r"\b(?:attempt(?:ed|s)?|tried)\s+to\s+(?:attack|strike|carry\s+out|commit|target|hit)"
)
_ATTEMPTED_WAVE = re.compile(r"\b(?:attempt(?:ed|s)?|tried)\b")
_NO_VIOLATION = re.compile(r"\bno\s+(?:airspace\s+)?(?:violations?|breach(?:es)?|incursions?)\b")
_AIRFRAME_FAILS = re.compile(r"\b(?:jets?|warplanes?|planes?|aircraft)\b[^.;]*\b(?:exploded|crashed)\b")
# Causes of a closure or restriction that are no defensive action.
_CIVIL_CAUSE = re.compile(
    r"\b(?:due\s+to|because\s+of|owing\s+to|amid|for|citing)\s+(?:[\w\-]+\s+){0,4}?(?:exercises?|drills?|"
    r"air\s+shows?|weather(?!\s+balloons?)|fog|snow(?:fall|storm)?|storms?|ice|icing|(?:technical|infrastructure)\s+(?:reasons|fault|"
    r"failure|problems?|issues?)|(?:controllers|staff)\s+(?:strike|walkout))\b"
    r"|\bclearing\s+(?:[\w\-]+\s+){0,3}?(?:of\s+)?snow\b"
)
_REOPENED = re.compile(
    r"\b(?:lifted|reopened|re-opened|resumed|back\s+to\s+normal|operating\s+normally|as\s+scheduled|removal|removed)\b"
)
_CLOSING = re.compile(r"\b(?:closed|closing|shut|suspended|halted|introduced|imposed|stopped|grounded)\b")
# A strike named as a kind, in the plural: "missile strikes", "drone attacks", "airstrikes".
_GENERIC_PLURAL = re.compile(
    r"(?:(?:missile|drone|rocket|artillery|mortar|uav|kamikaze|air|aerial|ballistic|massive|massed|combined)\s+)?"
    r"(?:strikes|attacks|airstrikes|air\s+strikes|air\s+raids|bombardments|shelling|bombing)"
)
# ... used as a noun, not the verb of "a drone strikes a car": a preposition, a verb or the end follows.
_NOUN_USE = re.compile(
    r"\s*(?:$|[.,;:)]|(?:on|against|in|at|from|by|of|have|has|had|are|were|is|was|and|or|that|which|to|"
    r"across|into|over|with|for|remain|continue|become|became)\b)"
)
# What ties a clause to one incident: a number, a day or time, harm or damage, a wave told as launched.
_ANCHOR = re.compile(
    r"\d|\b(?:today|yesterday|tonight|overnight|morning|evening|night|afternoon|dawn|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|killed|killing|kills|dead|died|injured|injuring|wounded|wounding|hurt|"
    r"damaged|damaging|destroyed|destroying|hit|struck|fire|blaze|explosions?|casualties|victims|"
    r"latest|new|fresh|another|launched|launching|carried|carrying|conducted|conducting|reported|continued|"
    r"amid|during|response|retaliation|after|following)\b"
)
# "the capital", "the Ukrainian capital", "Russia's capital" (not a regional capital, nor capital punishment).
_CAPITAL = re.compile(
    r"\b(?:the|its|their)\s+(?:(?P<adj>[A-Z][a-z]+)\s+|(?P<pos>[A-Z][a-z]+)['\u2019]s\s+)?capital\b"
    r"(?!\s+(?:punishment|cities|investment|market|expenditure|gains?|region|area)\b)|"
    r"\b(?P<pos2>[A-Z][a-z]+)['\u2019]s\s+capital\b(?!\s+(?:region|area)\b)"
)
# Arabic articles written in lower case before a capitalised name ("el-Fasher", "al-Mawasi").
_ARTICLES = frozenset({"al-", "el-", "ad-", "as-", "an-", "ar-", "at-", "az-", "ed-"})
# "debris from a crashed drone hit a house": the debris hit it, not the drone
_DEBRIS_OF = re.compile(r"\b(?:debris|fragments|wreckage)\s+(?:from|of)\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+)?$")
# "drones hit a hangar, destroying two TB2s": destruction by the strike (not "shoots down 11 of 14 drones").
_DESTROYING = re.compile(r"\bdestr(?:oy|oyed|oying|oys|uction)\b")
# A strike in the labour sense ("dock workers' strike", "unions called a strike"); a bird strike, lightning.
_LABOUR = re.compile(
    r"\b(?:trade\s+unions?|workers['\u2019]?\s+strike|strike\s+by\s+(?:[\w\-]+\s+)?workers|walk-?outs?|wages?|"
    r"pay\s+(?:rise|deal|dispute)|industrial\s+action|general\s+strike|hunger\s+strike|strike\s+action|"
    r"on\s+strike|strikers|pickets?)\b"
)
_BIRD_OR_LIGHTNING = re.compile(r"\b(?:bird\s+(?:strikes?|hits?)|lightning)\b")
_DOWNED_DEBRIS = re.compile(
    r"\b(?:fragments|debris|wreckage|parts)\s+of\s+(?:an?\s+|the\s+)?(?:shot-down|downed|intercepted|destroyed)\b"
    # "falling drone debris damaged a house": what falls after an interception, not the strike itself
    r"|\bfalling\s+(?:[\w\-]+\s+){0,2}?(?:debris|fragments|wreckage)\b"
    r"|\bdebris\s+from\s+(?:an?\s+|the\s+)?(?:crashed|downed|shot-down|destroyed|intercepted)\b"
)


# Tallies of many strikes: "62 air strikes", "4,870 shellings", "412 attacks", "in 143 districts".
_TALLY = re.compile(
    r"\b(?P<n>\d[\d,]*)\s+(?:(?:missile|air|drone|artillery|rocket|mlrs|kamikaze|aerial)\s+)?"
    r"(?:strikes|shellings|attacks|airstrikes|bombardments|combat\s+engagements|fire\s+missions)\b"
    r"|\bin\s+(?P<m>\d[\d,]*)\s+(?:districts|areas|settlements|localities|communities|populated\s+areas)\b"
    r"|\b(?:destroyed|hit|struck|engaged|attacked)\s+(?:nearly\s+|about\s+|over\s+|more\s+than\s+|some\s+|around\s+"
    r"|up\s+to\s+)?(?P<k>\d[\d,]*)\s+(?:[\w\-]+\s+)?(?:objects|targets|facilities|areas|sites)\b"
)

_FRONT_TALLY = "strike.front_tally"
_ACROSS = re.compile(r"\b(?:throughout|across)\b")


def _front_tally(clause: str) -> bool:
    for m in _TALLY.finditer(clause):
        n = int((m.group("n") or m.group("m") or m.group("k")).replace(",", ""))
        if n >= (10 if m.group("n") else 5 if m.group("m") else 20):
            return True
    return False


def _aims_at_aircraft(clause: str, agent: re.Match[str]) -> bool:
    """Whether the weapon's verb takes an aircraft as its object ("two missiles targeted a drone")."""
    m = _AT_AIRCRAFT.search(clause, agent.start())
    return m is not None and m.start() <= agent.end()


# (not "two reconnaissance drones": those are airframes)
_ONE_WAY_COUNT = re.compile(
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|dozens?|several)\s+"
    r"(?:(?!reconnaissance\b|recon\b|surveillance\b|spy\b)[\w'\-]+\s+){0,2}"
    r"(?:drones|uavs|missiles|shaheds|rockets|munitions|lancets|gerans|decoys|bombs)\b"
)
_POSSESSOR = re.compile(r"^([A-Z][\w\-]+(?:\s[A-Z][\w\-]+)?)['\u2019]s\s")
# With air defence at work these verbs tell what happened to the weapon or its debris, not a strike: "20
# drones destroyed over Kyiv", "debris from a downed drone lands in a backyard", "debris set cars ablaze".
_DEBRIS_VERB = re.compile(r"destroy|damag|land|fell|falls|set\s|ablaze")
# A sentence that opens another thread of the story: its incident is not the one told before it.
_NEW_THREAD = re.compile(
    r"\s*(?:separately|elsewhere|meanwhile|in\s+(?:a|another)\s+(?:separate\s+)?(?:incident|attack|strike)|"
    r"in\s+other\s+news|also\s+on|on\s+the\s+same\s+day)\b"
)
# A strong strike phrase that names its stand-off weapon itself ("shelled", "air strike"), unlike "attacked
# positions" or "fired on", which a ground action shares.
_STAND_OFF = re.compile(r"air|aerial|missile|drone|rocket|artillery|mortar|shell|bomb|uav|kamikaze|ballistic")
_SUFFIX_S = re.compile(r"(?<=\d)s$|(?<=[A-Z])s$")
_MIL_PREFIX = re.compile(r"^(?:Mil|Aero)\s+")
_DRONE_OPERATOR = re.compile(
    r"\b(?:[Aa]n?|[Tt]he)\s+(?:US|U\.S\.|American|Israeli|Turkish|Iranian|British|French|Syrian|Iraqi|Jordanian|"
    r"Italian|coalition)\s+(?:military\s+|army\s+|air\s+force\s+)?(?:drone|UAV)\b"
)


@dataclass(frozen=True, slots=True)
class _PlaceHit:
    start: int
    end: int
    place: Place
    own_forces: bool = False  # "Polish aircraft were scrambled": where an air-policing action belongs
    name: str = ""  # the town name as written, when it was read as a plain name (not an "X region" form)


@dataclass(slots=True)
class _Draft:
    """One clause's reading (or several merged ones) while the report is being read. Internal, mutable."""

    types: set[EventType]
    sentence: int
    start: int
    end: int
    killed: Quantity | None = None
    injured: Quantity | None = None
    children: int | None = None
    place: Place | None = None
    weapon: str | None = None
    aircraft: str | None = None
    actor: str | None = None
    occurred_on: date | None = None
    rules: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    confidence: float = 0.5
    anaphoric: bool = False  # strike known only from "the attack": it joins an earlier strike or is dropped
    tally: bool = False  # one town of a per-town breakdown ("2 in Toretsk, 1 in Avdiivka"): its own incident
    crew: bool = False  # the casualties are a pilot or crew: they belong with an aircraft loss
    operator: str | None = None  # ISO code of the air force that lost the aircraft ("a Ukrainian F-16")
    new_thread: bool = False  # its sentence opens with "Separately", "Elsewhere": not the incident before


class Classifier:
    """Holds compiled rules and a gazetteer; calling it on a report is pure and never raises."""

    def __init__(self, rules: Rules, gazetteer: Gazetteer) -> None:
        self.rules = rules
        self.gazetteer = gazetteer.with_settlements(
            rules.tables.get("settlement", {}), rules.tables.get("region_alias", {})
        )
        self.version = rules.version
        self._stop = rules.words.get("place_stop", frozenset())
        # Regional heads whose posts are quoted without the region's name ("Gladkov said ..."): name → region.
        officials = rules.tables.get("official", {})
        self._officials: dict[str, Place] = {}
        for official, region_name in officials.items():
            region = self.gazetteer.resolve_region(region_name) or self.gazetteer.resolve(region_name)
            if region is not None and region.precision != "country":
                self._officials[official] = region
        self._official_re = (
            re.compile(
                r"\b(?:"
                + "|".join(re.escape(k) for k in sorted(self._officials, key=len, reverse=True))
                + r")\b"
            )
            if self._officials
            else None
        )
        demonyms = rules.tables.get("demonym", {})
        self._demonyms = dict(demonyms)
        self._demonym_re = (
            re.compile(
                r"\b(?P<d>"
                + "|".join(re.escape(k) for k in demonyms)
                + r")\s+(?:(?P<own>(?:and\s+allied\s+)?(?:military\s+|air\s+force\s+)?"
                r"(?:aircraft|jets|fighters|fighter\s+jets|planes|air\s+force|air\s+defen[cs]e))"
                r"|air\s*space|territory|border|soil)\b",
                re.IGNORECASE,
            )
            if demonyms
            else None
        )
        # "a Ukrainian F-16", "a Syrian Air Force MiG-23": the demonym just before a lost airframe.
        self._operator_re = re.compile(
            r"\b(?P<d>"
            + "|".join(re.escape(k.lower()) for k in demonyms or {"-": ""})
            + r")\s+(?:(?:air\s+force|military|army|navy)\s+)?(?:[a-z]+\s+)?$"
        )
        p = rules.p
        self._sentence_split = p("sentence_split_cs")
        self._clause_split = p("clause_split_cs")
        # Cue families by word stem: a cheap per-token test that decides which (costly) patterns a clause
        # deserves. Token → families is cached because news vocabulary repeats.
        stems = rules.cue_stems
        self._family_res = {
            name: re.compile("^(?:" + "|".join(re.escape(x) for x in words) + ")")
            for name, words in stems.items()
        }
        self._families = lru_cache(maxsize=200_000)(self._token_families)
        # Sentences repeat (boilerplate, wire rewrites, updates of one story); their reading is pure.
        self._sentence = lru_cache(maxsize=50_000)(self._sentence_uncached)
        self._scan = lru_cache(maxsize=50_000)(self._scan_uncached)
        self._sentence_date = lru_cache(maxsize=50_000)(self._sentence_date_uncached)
        # Place names repeat across reports; resolution is pure, so it is cached per process.
        self._resolve_one = lru_cache(maxsize=100_000)(self._resolve_uncached)
        self._resolve_in = lru_cache(maxsize=20_000)(self.gazetteer.resolve_in)
        self._count_patterns = [
            # First: "a man wounded in the shelling ... died" must not be read as one wounded.
            ("count.died_of_wounds", p("died_of_wounds")),
            ("count.there_is_dead", p("there_is_dead")),
            ("count.toll", p("death_toll")),
            ("count.toll", p("toll_brought")),
            ("count.killed_and_wounded", p("count_killed_and_wounded")),
            ("count.ordinal", p("ordinal_victim")),
            ("count.ordinal_body", p("ordinal_body")),
            # Before single subjects: "a farmer and his son died" is two, not "his son" alone.
            ("count.pair", p("pair_subjects")),
            ("count.pair", p("kin_pair_object")),  # "occupiers killed mother and child": two
            ("count.n_of_m", p("of_the_m_killed")),  # "three of the nine people killed in": nine
            ("count.n_of_m", p("n_of_m_people")),  # "one of the four crew members died": one
            ("count.subject_list", p("subject_list")),  # "5 women, 4 children killed": nine
            ("count.subject_list", p("object_list_sum")),  # "kills two children and a woman": three
            ("count.bodies", p("bodies_of")),  # "the bodies of five victims": before "five victims" alone
            ("count.family", p("family_of")),  # "a family of three ... were killed"
            ("count.family", p("family_object")),  # "airstrike kills family of five"
            ("count.family", p("family_erased")),  # "family of 10 erased in overnight strike"
            ("count.among", p("among_n_killed")),  # "among eight people killed when ..."
            ("count.death_of", p("death_of_one")),  # "confirmed the death of a staffer"
            ("count.aged", p("aged_died")),  # "2-year-old Lisa died at the scene"
            ("count.along_with", p("along_with")),  # "killed along with three others": four
            ("count.deaths_of", p("deaths_of_both")),  # "the deaths of both crew members"
            ("count.subject", p("count_subject_kill")),
            ("count.subject_bare", p("count_subject_bare")),
            ("count.subject_bare", p("count_die")),  # headlines: "Six die in ambush on convoy"
            ("count.object", p("left_dead")),  # "strikes leave five militants dead"
            ("count.object", p("count_object")),
            ("count.object_bare", p("count_object_bare")),
            ("count.object_list", p("count_object_list")),
            ("count.noun", p("count_noun")),
            ("count.one_object", p("killed_the_one")),
            ("count.both", p("killed_two_pilots")),
            # "killing its crew of three", "a crew of two were killed"
            ("count.crew", p("crew_of")),
            ("count.crew", p("crew_of_passive")),
            ("count.aboard", p("all_n_aboard")),
            ("count.aboard", p("killing_all_aboard")),  # "crashes, killing all 176 aboard"
            ("count.survivors", p("survived_injured")),
            ("count.colon", p("colon_count")),  # "Reported fatalities: 74"
            ("count.no_survivors", p("aboard_no_survivors")),
            ("count.on_board", p("n_of_m_aboard")),  # "three of the five on board died": three
            ("count.on_board", p("n_aboard_killed")),
            ("count.did_not_survive", p("did_not_survive")),
            ("count.pronoun", p("pronoun_victim")),
            # Headlines drop articles: "mine blast kills tractor driver".
            ("count.one_object", p("object_single_bare")),
            ("count.one_object", p("object_aged")),  # "Russians kill 70-year-old woman"
            ("count.one_subject", p("subject_one")),
            ("count.bare_singular", p("bare_singular")),
            ("count.losses", p("losses_amounted")),
            ("count.lost", p("lost_people")),
        ]
        self._active_object = p("active_object")
        self._be_between = p("be_between")
        self._named_died = p("named_died_cs")
        self._not_a_name = rules.words.get("not_a_name", frozenset())
        self._rivers = frozenset(fold(w) for w in rules.words.get("river_names", ()))
        # The rarer strong-strike patterns, each behind one regex of the literal words it needs.
        self._strong_extra = [
            (name, re.compile("|".join(re.escape(n) for n in needs))) for name, needs in _STRONG_EXTRA
        ]
        self._strong = lru_cache(maxsize=50_000)(self._strong_uncached)
        self._officials_in = lru_cache(maxsize=50_000)(self._officials_in_uncached)
        self._weapons = lru_cache(maxsize=50_000)(self._weapons_uncached)

    def clear_sentence_caches(self) -> None:
        """Forget cached sentence readings (for benchmarks of unseen text; outputs never depend on it)."""
        self._sentence.cache_clear()
        self._scan.cache_clear()
        self._sentence_date.cache_clear()
        self._strong.cache_clear()
        self._officials_in.cache_clear()
        self._weapons.cache_clear()

    # --- entry point ---------------------------------------------------------------------------------

    def __call__(self, report: Report) -> Classification:
        text = report.text[:MAX_CHARS] if report.text else ""
        merged = self._read(text, report)
        events = tuple(self._finish(d) for d in merged if d.types and not d.anaphoric)
        return Classification(report_id=report.id, events=events, classifier_version=self.version)

    # --- reading -------------------------------------------------------------------------------------

    def _read(self, text: str, report: Report) -> list[_Draft]:
        """The report's incidents: clause readings merged by coreference, with their places."""
        if not text.strip():
            return []
        low = lower_text(text)
        sentences = _split_at(self._sentence_split, _SENTENCE_CANDIDATE, text)
        places, report_country = self._places(text, low, sentences)
        dateline = DATELINE.match(text)
        if dateline and any(h.start >= dateline.end() for h in places):
            # "KHARTOUM - A helicopter crashed at El Fasher": the dateline is where the story was filed; it
            # is the place only when the story names no other.
            places = [h for h in places if h.start >= dateline.end()]
        place_starts = [h.start for h in places]
        published = report.published_at.date() if report.published_at else None
        lead_date = self._explicit_date(low[:40], published)
        drafts: list[_Draft] = []
        last_class: str | None = None
        for s_index, (s_start, s_end) in enumerate(sentences):
            readings, last_class = self._sentence(text[s_start:s_end], low[s_start:s_end], last_class)
            if not readings:
                continue
            if s_index and _HISTORY_GOES_ON.match(low, s_start):
                p_start, p_end = sentences[s_index - 1]
                if self._is_history(low[p_start:p_end]):
                    continue  # "... 214 civilians killed since January. Most died in glide-bomb attacks."
            lo, hi = bisect_left(place_starts, s_start), bisect_left(place_starts, s_end)
            named = [h for h in places[lo:hi] if not _institutional(low, h)] if hi > lo else []
            sentence_places = self._within_oblasts(named) if named else named
            # Where a strike came from or who launched it ("Russia launched ...", "from Kursk region"): read
            # once per sentence, not per draft.
            origins = {h.start for h in sentence_places if self._is_actor(low, h) or _after_from(low, h)}
            sentence_date = self._sentence_date(low[s_start:s_end], published, lead_date)
            for c_rel_start, c_rel_end, templates in readings:
                c_start, c_end = s_start + c_rel_start, s_start + c_rel_end
                clause_places = [h for h in sentence_places if c_start <= h.start < c_end]
                new_thread = bool(_NEW_THREAD.match(low, s_start))
                for template in templates:
                    draft = _shifted(template, s_start, s_index)
                    draft.new_thread = new_thread
                    if _FRONT_TALLY in draft.rules and (
                        not any(_specific(h.place) for h in clause_places)
                        or _ACROSS.search(low, c_start, c_end)  # "40 targets throughout Gaza"
                    ):
                        # "the enemy launched 62 air strikes and carried out 4,870 shellings", "hit ... in
                        # 143 districts": a day's count across a front names no place; it tallies many
                        # strikes and is not one (a governor's count for named towns is kept).
                        draft.types.discard("strike")
                        draft.rules = [r for r in draft.rules if not r.startswith("strike.")]
                        if not draft.types:
                            continue
                    elif _FRONT_TALLY in draft.rules:
                        draft.rules.remove(_FRONT_TALLY)
                    draft.place = self._place_of(draft, clause_places, sentence_places, origins)
                    draft.occurred_on = sentence_date
                    drafts.extend(self._per_town(draft, text, s_start, s_end, sentence_places))
        # Incidents first (coreference), then places for those still without one: a clause that joins an
        # incident told with its place must not bring a neighbour's place into it.
        events = _merge(drafts)
        if any(not _specific(d.place) for d in events):
            self._inherit_places(events, low, sentences, places, place_starts)
        if "capital" in text and any(not _specific(d.place) and not d.tally for d in events):
            self._capital_places(events, text, sentences, report_country)
        if self._official_re is not None and any(not _specific(d.place) and not d.tally for d in events):
            self._officials_places(events, text, sentences)
        return events

    def _capital_places(
        self, events: list[_Draft], text: str, sentences: list[tuple[int, int]], report_country: str | None
    ) -> None:
        """ "Drones attacked the capital overnight", "in the Ukrainian capital": an incident still without a
        town or region, told in a sentence that names a country's capital, is in that capital. The country is
        the one the word before names ("Ukrainian", "Russia's"), else the incident's, else the report's."""
        for d in events:
            if _specific(d.place) or d.tally or d.sentence >= len(sentences):
                continue
            s_start, s_end = sentences[d.sentence]
            m = _CAPITAL.search(text, s_start, s_end)
            if m is None:
                continue
            named = m.group("adj") or m.group("pos") or m.group("pos2")
            iso = (
                self._demonyms.get(named.lower()) or getattr(self.gazetteer.resolve(named), "country", None)
                if named
                else None
            ) or (d.place.country if d.place is not None else report_country)
            capital = self.gazetteer.capital(iso) if iso else None
            if capital is not None and (d.place is None or d.place.country == capital.country):
                d.place = capital
                d.rules.append("place.capital")

    def _officials_in_uncached(self, sentence: str) -> tuple[tuple[int, str], ...]:
        """Regional heads named in one sentence: (offset, name as in the table). Pure, cached."""
        assert self._official_re is not None
        return tuple((m.start(), m.group(0)) for m in self._official_re.finditer(sentence))

    def _officials_places(self, events: list[_Draft], text: str, sentences: list[tuple[int, int]]) -> None:
        """An incident still without a town or region takes the region of the regional head quoted about it
        ("Gladkov said two drones hit a car": Belgorod oblast), the nearest one named in the report, when it
        lies in the country the incident names (if it names one)."""
        mentions = [
            (s_start + at, self._officials[name])
            for s_start, s_end in sentences
            for at, name in self._officials_in(text[s_start:s_end])
        ]
        if not mentions:
            return
        for d in events:
            if _specific(d.place) or d.tally:
                continue
            at = sentences[d.sentence][0] if d.sentence < len(sentences) else 0
            _, region = min(mentions, key=lambda mention: abs(mention[0] - at))
            if d.place is None or d.place.country == region.country:
                d.place = region
                d.rules.append("place.official")

    def _inherit_places(
        self,
        drafts: list[_Draft],
        low: str,
        sentences: list[tuple[int, int]],
        places: list[_PlaceHit],
        place_starts: list[int],
    ) -> None:
        """An incident told without its place takes the place of the story around it.

        "On 5 May, troops assaulted positions near X (Y raion, Donetsk). 6 fatalities were reported." and
        "Russia launched 188 drones overnight. ... Energy facilities in Ternopil were hit.": the sentence with
        the incident names no town (or only a country), a neighbour that tells no incident of its own does.
        The nearest of the two sentences before is used, else the next one; never across "Separately",
        "Elsewhere" or the like, and never into another country than the one the incident already names.
        """
        told = {d.sentence for d in drafts}
        cache: dict[int, Place | None] = {}

        def place_of_sentence(i: int) -> Place | None:
            if i not in cache:
                s_start, s_end = sentences[i]
                lo, hi = bisect_left(place_starts, s_start), bisect_left(place_starts, s_end)
                hits = [
                    h
                    for h in places[lo:hi]
                    if not h.own_forces
                    and not _institutional(low, h)
                    and not self._is_actor(low, h)
                    and not _after_from(low, h)
                ]
                best = _most_specific(self._within_oblasts(hits)) if hits else None
                cache[i] = best if _specific(best) else None
            return cache[i]

        for d in drafts:
            if _specific(d.place) or d.tally:
                continue
            i = d.sentence
            found: Place | None = None
            if not _NEW_THREAD.match(low, sentences[i][0]):
                for j in (i - 1, i - 2):
                    if j < 0 or j in told:
                        break  # a sentence telling its own incident has its own place
                    found = place_of_sentence(j)
                    if found is not None or _NEW_THREAD.match(low, sentences[j][0]):
                        break
            if found is None and i + 1 < len(sentences) and i + 1 not in told:
                found = place_of_sentence(i + 1)
            if found is not None and (d.place is None or d.place.country == found.country):
                d.place = found
                d.rules.append("place.inherited")

    def _per_town(
        self, draft: _Draft, text: str, s_start: int, s_end: int, places: list[_PlaceHit]
    ) -> list[_Draft]:
        """Split a counted toll by its per-town breakdown: "killed four ...: two in Toretsk, one in X and one
        in Y" is three incidents (2, 1, 1), each in its town. Only when the parts add up to the toll and every
        part names a town; otherwise the draft is returned unchanged."""
        if draft.killed is None or draft.killed.approximate or draft.killed.value < 2:
            return [draft]
        hit_at = {h.start: h for h in places if h.place.precision == "city"}
        parts: list[tuple[int, _PlaceHit]] = []
        for m in _TALLY_ITEM.finditer(text, draft.start, s_end):
            q = parse_quantity(m.group("n"))
            hit = hit_at.get(m.end())
            if q is None or hit is None:
                continue
            parts.append((q.value, hit))
        if len(parts) < 2 or sum(n for n, _ in parts) != draft.killed.value:
            return [draft]
        out = []
        for n, hit in parts:
            part = _shifted(draft, 0, draft.sentence)
            part.killed, part.place, part.tally = Quantity(n), hit.place, True
            part.injured = None  # the breakdown counts the dead; the wounded are not divided by it
            part.children = None
            part.rules.append("count.per_town")
            out.append(part)
        return out

    def _within_oblasts(self, hits: list[_PlaceHit]) -> list[_PlaceHit]:
        """ "the village of Stepanivka in the Kherson region": a town named beside an oblast is looked up in
        that oblast first; namesakes elsewhere only when the oblast has no town of that name."""
        oblasts = {h.place.admin1 for h in hits if h.place.precision == "admin1" and h.place.admin1}
        if not oblasts:
            return hits
        out = []
        for h in hits:
            if h.name and h.place.precision == "city" and h.place.admin1 not in oblasts:
                for oblast in sorted(oblasts):
                    local = self._resolve_in(h.name, oblast)
                    if local is not None:
                        h = _PlaceHit(h.start, h.end, local, h.own_forces, h.name)
                        break
            out.append(h)
        return out

    def _place_of(
        self, draft: _Draft, where: list[_PlaceHit], around: list[_PlaceHit], origins: set[int]
    ) -> Place | None:
        if not around:
            # No place in the sentence (``where`` is a part of ``around``).
            return self.gazetteer.resolve_country(draft.operator) if draft.operator else None
        if "airspace_response" in draft.types and any(h.own_forces for h in where):
            # "Polish jets were scrambled": Poland's action, at the Polish town named if there is one.
            own = [h for h in where if h.own_forces]
            countries = {h.place.country for h in own}
            inside = [h for h in where if h.place.country in countries and _specific(h.place)]
            where = inside or own
        else:
            where = [h for h in where if not h.own_forces]
            around = [h for h in around if not h.own_forces]
        if origins and draft.types & {"strike", "airspace_response"}:
            # "Russia launched ..." names the attacker, not where the strike landed; "drones launched from
            # Kursk region": the origin is not where it happened.
            where = [h for h in where if h.start not in origins]
            around = [h for h in around if h.start not in origins]
        place = _most_specific(where) or _most_specific(around)
        if place is None and draft.operator:
            # "A Ukrainian F-16 crashed" with no place named: the loss is the country's.
            place = self.gazetteer.resolve_country(draft.operator)
        return place

    def _sentence_uncached(
        self, original: str, sentence: str, last_class: str | None
    ) -> tuple[tuple[tuple[int, int, tuple[_Draft, ...]], ...], str | None]:
        """Read one sentence on its own: per clause, drafts with offsets relative to the sentence.

        Pure in its arguments (the text of the sentence and the kind of count the previous clause gave),
        so it is cached: the returned drafts are templates, copied by ``_shifted`` before any use.
        """
        sentence_cues = self._cues(sentence)
        if not sentence_cues - {"history"}:
            return (), last_class
        history = "history" in sentence_cues and self._is_history(sentence)
        # Only a bare "killed"/"casualties" clause asks whether its sentence tells a strike.
        sentence_has_strike = {"strike", "casualty"} <= sentence_cues and bool(
            self._strong(sentence) or self._weapons(sentence)
        )
        # "Air defence was active; eight drones were destroyed": the clause after is the interception too.
        # (Only a "destroyed" verb asks, so only such sentences pay for the patterns.)
        sentence_intercepts = (
            "airspace" in sentence_cues
            and "destroy" in sentence
            and (
                any(self.rules.p(name).search(sentence) for name in ("intercept", "air_defence"))
                or self._intercepted_late(sentence)
            )
        )
        out: list[tuple[int, int, tuple[_Draft, ...]]] = []
        for c_start, c_end in _bounded(_split(self._clause_split, original, 0, len(original)), original):
            clause = sentence[c_start:c_end]
            cues = self._cues(clause) if (c_start, c_end) != (0, len(original)) else sentence_cues
            if not cues - {"history"}:
                continue
            found = self._clause(
                clause,
                original[c_start:c_end],
                c_start,
                0,
                history,
                (sentence_has_strike, sentence_intercepts),
                last_class,
                cues,
            )
            for draft in found:
                if draft.killed is not None:
                    last_class = "killed"
                elif draft.injured is not None:
                    last_class = "injured"
            if found:
                out.append((c_start, c_end, tuple(found)))
        return tuple(out), last_class

    def _token_families(self, token: str) -> frozenset[str]:
        found = {name for name, pattern in self._family_res.items() if pattern.match(token)}
        if _DESIGNATION.match(token):
            found.add("aircraft")  # "su-34", "f-16s", "mi-8/17": an airframe designation
        return frozenset(found)

    def _cues(self, low: str) -> frozenset[str]:
        """The cue families present in a lower-cased stretch of text."""
        found: set[str] = set()
        families = self._families
        for token in _WORD.findall(low):
            found |= families(token)
        return frozenset(found)

    def _is_actor(self, text: str, hit: _PlaceHit) -> bool:
        if hit.place.precision != "country":
            return False
        return bool(self.rules.p("country_as_actor").match(text, hit.end, min(len(text), hit.end + 60)))

    def _is_history(self, sentence: str) -> bool:
        for m in self.rules.p("history").finditer(sentence):
            shielded = any(
                s.start() <= m.start() < s.end() + 60
                for s in self.rules.p("superlative_since").finditer(sentence)
            )
            if not shielded:
                return True
        return False

    def _clause(
        self,
        clause: str,
        original: str,
        offset: int,
        s_index: int,
        history: bool,
        sentence_context: tuple[bool, bool],
        last_class: str | None,
        cues: frozenset[str],
    ) -> list[_Draft]:
        """Read one clause. ``clause`` is lower-cased (for the rule patterns), ``original`` is as written.

        ``sentence_context``: whether the clause's sentence tells a strike, and an interception.
        """
        r = self.rules
        sentence_has_strike, sentence_intercepts = sentence_context
        span = Span(offset, offset + len(clause.rstrip(" .,;")))
        out: list[_Draft] = []

        # aircraft loss -------------------------------------------------------------------------------
        aircraft, loss_rule, loss_at = (
            self._aircraft_loss(clause, original) if "aircraft" in cues else (None, "", 0)
        )
        # "hit by fire, it landed safely", "Not a loss: ... was repaired": damaged, not lost.
        loss = aircraft is not None and not history and not r.p("loss_veto").search(clause)

        # airspace response ---------------------------------------------------------------------------
        air_rules = (
            [
                name
                for name in ("scramble", "airspace_closed", "air_alert", "air_defence", "intercept")
                if (name not in _AIR_NEEDS_RE or _AIR_NEEDS_RE[name].search(clause))
                and (
                    self._stated(r.p(name), clause)
                    or (name == "intercept" and self._intercepted_late(clause))
                )
            ]
            if "airspace" in cues
            else []
        )
        if (
            "airspace" in cues
            and r.p("neighbour_country").search(clause)
            and self._stated(r.p("stray_object"), clause)
        ):
            # "a drone crashed in Moldova's Ocnita district": a stray drone on a neighbour's soil is an
            # airspace violation that neighbour reports.
            air_rules.append("stray")
        if loss and not _ONE_WAY_COUNT.search(clause):
            # "crashed while shooting down air targets": the interception is the loss's circumstance
            # (unless it counts one-way weapons of its own: "a Su-25 and 112 drones were shot down").
            air_rules = [n for n in air_rules if n not in ("intercept", "air_defence")]
        if history:
            air_rules = []
        if _NO_VIOLATION.search(clause):
            # "a drone fragment was found; no airspace violation was recorded": nothing crossed
            air_rules = [n for n in air_rules if n not in ("stray", "airspace_closed")]
        if "airspace_closed" in air_rules and (
            _CIVIL_CAUSE.search(clause) or (_REOPENED.search(clause) and not _CLOSING.search(clause))
        ):
            # "flights diverted due to fog", "airspace reserved for an exercise", "restrictions were lifted;
            # flights are operating as scheduled": no defensive action.
            air_rules.remove("airspace_closed")

        # strike ----------------------------------------------------------------------------------------
        strike_rule = (
            None
            if history or "strike" not in cues
            else self._strike(
                clause,
                intercepting="intercept" in air_rules
                or sentence_intercepts
                # "fragments of a shot-down drone landed on cars": the debris of an interception
                or bool(_DOWNED_DEBRIS.search(clause)),
            )
        )
        if strike_rule == "strike.strong" and self._generic_mention(clause, original):
            # "Drone strikes have become a hallmark of the war", "protect cities from missile strikes": the
            # kind of attack named in general, with nothing that ties it to one incident.
            strike_rule = None
        if (
            loss
            and strike_rule not in ("strike.strong", "strike.agent")
            and not (strike_rule == "strike.weapon_verb" and r.p("delivered_by").search(clause))
            and not (
                strike_rule in ("strike.arm", "strike.weapon_verb")
                and r.p("strike_by_arm").search(clause)
                and not _AIR_DEFENCE_WORDS.search(clause)
            )
        ):
            # "crashed while shooting down air targets" is no strike; "destroyed by a Lancet" is one.
            strike_rule = None
        if (
            air_rules == ["intercept"]
            and strike_rule in ("strike.strong", "strike.agent")
            and not _AIR_DEFENCE_WORDS.search(clause)
            and not r.p("one_way").search(clause)
            and _DESTROYING.search(clause)
        ):
            # "drones hit a hangar, destroying two TB2 UAVs": the strike destroyed them, not air defence.
            air_rules = []
        if "scramble" in air_rules and strike_rule not in ("strike.strong", "strike.agent"):
            # "jets were scrambled while the attack unfolded": the jets are the defender's, the attack is
            # told elsewhere; the clause is the air-policing action only.
            strike_rule = None

        # casualty --------------------------------------------------------------------------------------
        killed, injured, children, cas_rules = (
            (None, None, None, [])
            if history or "casualty" not in cues
            else self._casualties(clause, original, last_class)
        )
        casualty = bool(cas_rules)
        if casualty and not (killed or injured) and cas_rules == ["casualty.uncounted"]:
            # Bare "casualties"/"killed" needs an incident to hang on: a strike or a loss nearby.
            casualty = bool(strike_rule or loss or sentence_has_strike)
        if (
            (killed is not None or injured is not None)
            and not (killed and killed.value)
            and not (injured and injured.value)
        ):
            casualty = False  # "0 killed", "TOLL 0 killed, 0 injured": counted, and nobody

        weapon = self._weapon(clause) if strike_rule else None
        actor = self._actor(original) if strike_rule is not None or casualty else None
        hedge = 0.85 if _HEDGED.search(clause) else 1.0
        w = r.weights

        if loss:
            d = _Draft({"aircraft_loss"}, s_index, span.start, span.end, aircraft=aircraft)
            owner = self._operator_re.search(clause, max(0, loss_at - 40), loss_at)
            d.operator = self._demonyms.get(owner.group("d")) if owner else None
            d.rules.append(loss_rule)
            d.confidence = w.get(
                "aircraft_named" if loss_rule == "aircraft.named" else "aircraft_generic", 0.8
            )
            out.append(d)
        if strike_rule is not None:
            d = _Draft({"strike"}, s_index, span.start, span.end, weapon=weapon, actor=actor)
            d.anaphoric = strike_rule == "strike.anaphor"
            d.rules.append(strike_rule)
            if _front_tally(clause):
                d.rules.append(_FRONT_TALLY)
            d.confidence = w.get(strike_rule.replace(".", "_"), 0.8)
            out.append(d)
        if casualty:
            host = out[0] if out else _Draft(set(), s_index, span.start, span.end, actor=actor)
            host.types.add("casualty")
            host.anaphoric = False
            host.crew = bool(r.p("crew_words").search(clause))
            host.killed, host.injured, host.children = killed, injured, children
            host.rules.extend(cas_rules)
            host.confidence = max(
                host.confidence,
                w.get("casualty_count" if killed or injured else "casualty_uncounted", 0.8),
            )
            if not out:
                out.append(host)
        if air_rules:
            d = _Draft({"airspace_response"}, s_index, span.start, span.end)
            d.rules.extend("airspace." + n for n in air_rules)
            d.confidence = w.get("intercept" if air_rules == ["intercept"] else "airspace", 0.8)
            out.append(d)
        for d in out:
            d.spans.append(span)
            d.confidence = round(min(0.99, d.confidence * hedge), 3)
        return out

    def _strike(self, clause: str, intercepting: bool) -> str | None:
        r = self.rules
        strong = self._strong(clause)
        weapons = self._weapons(clause)
        if (not weapons and _LABOUR.search(clause)) or _BIRD_OR_LIGHTNING.search(clause):
            return None  # "dock workers' strike paralyses the port", "the jet suffered a bird hit"
        if r.p("non_aerial_bomb").search(clause) and all("bomb" in w.group(0) for w in weapons):
            return None  # "a suicide bombing", "a truck bomb in Beledweyne": no stand-off weapon (TAXONOMY)
        weapon = weapons[0] if weapons else None
        # "attacked positions with armoured vehicles", "fired on a car with small arms": no stand-off
        # weapon, a ground action (TAXONOMY: not a strike).
        if (
            strong
            and not _AT_AIRCRAFT.match(clause, strong.start())  # "troops opened fire on a drone"
            and not (
                strong.group(0).startswith(("striking", "strikes", "strike ", "hit"))
                # "air defence forces are striking their targets": the interceptors' work, told as a strike
                and r.p("defence_subject").search(clause, max(0, strong.start() - 50), strong.start())
            )
            and (
                # "UAVs attempted to attack facilities ... were shot down": a launched wave, though stopped
                _ATTEMPTED_WAVE.search(strong.group(0))
                or (
                    not self._hedged(clause, strong.start())
                    and not self._hedged(clause, strong.end())  # "Moscow threatens strikes on Kyiv"
                )
            )
            and (weapon or _STAND_OFF.search(strong.group(0)) or not r.p("ground_only").search(clause))
        ):
            return "strike.strong"
        agent = (
            r.p("weapon_agent").search(clause)
            if weapons or "strike" in clause or "attacks" in clause
            else None
        )
        if (
            agent
            and not self._hedged(clause, agent.start())
            and not self._hedged(clause, agent.end())
            and not (intercepting and _DEBRIS_VERB.search(agent.group(0)))
            and not _AIRFRAME_FAILS.search(agent.group(0))  # "an Alpha Jet which exploded mid-air"
            and not _DEBRIS_OF.search(clause, max(0, agent.start() - 40), agent.start())
            and not _aims_at_aircraft(clause, agent)
        ):
            # "a drone kills a paramedic", "drones launched from lorries hit bombers": the weapon acts.
            return "strike.agent"
        if weapon and not _DEBRIS_OF.search(clause, max(0, weapon.start() - 40), weapon.start()):
            nouns = [(w.start(), w.end()) for w in weapons]
            for verb in r.p("strike_verb").finditer(clause):
                # "air defence destroyed 20 drones" is the interception, not a strike. "28 of 31 drones
                # launched by Russia" still tells the wave that was launched: that is the strike.
                if intercepting and _DEBRIS_VERB.match(verb.group(0)):
                    continue
                if any(a <= verb.start() < b for a, b in nouns):
                    continue  # "guided bombs" names the weapon; it is not the verb "bombs"
                if _AT_AIRCRAFT.match(clause, verb.start()):
                    continue  # "they targeted the drone with a missile": fire at an aircraft, not a strike
                if r.p("attack_modifier").match(clause, verb.start()):
                    continue  # "sent out attack helicopters": the kind of airframe, not the verb
                if verb.group(0).startswith("fir") and r.p("fired_at_air").search(clause):
                    continue  # "fired warning shots", "fired 100 rounds but did not shoot the drones down"
                at = min(weapon.start(), verb.start())
                if not self._hedged(clause, at) and not self._hedged(clause, verb.start()):
                    return "strike.weapon_verb"
        if not intercepting:
            # "artillerymen destroyed a depot", "aviation struck positions": the arm names the weapon.
            arm = r.p("strike_by_arm").search(clause)
            if arm and not self._hedged(clause, arm.start()) and not _aims_at_aircraft(clause, arm):
                return "strike.arm"  # (not "a Russian fighter jet struck a US MQ-9 drone")
        anaphor = r.p("strike_anaphor").search(clause)
        if anaphor and not self._hedged(clause, anaphor.start()):
            return "strike.anaphor"
        return None

    def _generic_mention(self, clause: str, original: str) -> bool:
        """Whether the clause's only strike phrase is a bare plural ("missile strikes") with no anchor: no
        number, day or time, no harm, damage or launched wave told, no town or region named (a country is no
        anchor), and at least seven words (shorter is a note's or a headline's fragment)."""
        strong = self._strong(clause)
        if (
            strong is None
            or not _GENERIC_PLURAL.fullmatch(strong.group(0))
            or not _NOUN_USE.match(clause, strong.end())
        ):
            return False
        if _ANCHOR.search(clause) or len(clause.split()) < 7:
            return False  # (a short fragment is a note's or a headline's: "Air strikes on a market.")
        # A town or region named ("strikes on Kharkiv") ties it to a place; a country alone does not.
        for _start, _end, name, region in self._scan(original, clause):
            place = self._resolve_one(name, region, None)
            if place is not None and place.precision != "country":
                return False
        return True

    def _strong_uncached(self, text: str) -> re.Match[str] | None:
        """The leftmost strong strike phrase: the core alternatives, then the rarer ones whose words occur.

        The rarer alternatives are separate patterns, each tried only when a word it needs is in ``text``
        (one large alternation is tried at every position and cost a quarter of the classifier's time).
        """
        found = self.rules.p("strike_strong").search(text)
        for name, needs in self._strong_extra:
            if needs.search(text):
                m = self.rules.p(name).search(text, 0, found.start() + 1 if found else len(text))
                if m is not None and (found is None or m.start() < found.start()):
                    found = m
        return found

    def _weapons_uncached(self, text: str) -> tuple[re.Match[str], ...]:
        """Strike weapons named in ``text``; an air-defence one ("a surface-to-air missile") is not one.

        (The qualifier is checked on the few words before each match: as look-behinds in the pattern it was
        tried at every position of every clause.)"""
        r = self.rules
        before = r.p("air_defence_weapon_before")
        return tuple(
            m
            for m in r.p("weapon_mention").finditer(text)
            if not before.search(text, max(0, m.start() - 16), m.start())
        )

    def _intercepted_late(self, text: str) -> bool:
        """Interceptions told verb-last: "76 were shot down", "a UAV launched from Yemen was intercepted".

        Found from the verb back to the count or weapon before it (a count pattern tried at every position
        of every clause was the classifier's costliest search).
        """
        r = self.rules
        for v in r.p("intercept_verb_bare").finditer(text):
            before = text[max(0, v.start() - 70) : v.start()]
            if r.p("incoming_before").search(before) or r.p("count_before").search(before):
                # "a drone that tried to attack Moscow was shot down": the attempt was the attack's
                return not self._hedged(text, v.start()) or bool(_ATTEMPTED_ATTACK.search(before))
        return False

    def _hedged(self, clause: str, at: int) -> bool:
        # The window stops at a colon: "Not an aircraft loss: air defence shot down ..." hedges nothing after.
        start = max(0, at - 45)
        start = max(start, clause.rfind(":", start, at) + 1)
        return bool(self.rules.p("hedge_before").search(clause, start, at))

    def _speculative(self, clause: str, at: int) -> bool:
        """Speculation just before ``at`` (negation is not: casualty patterns read that themselves)."""
        return bool(self.rules.p("speculative_before").search(clause, max(0, at - 30), at))

    def _stated(self, pattern: re.Pattern[str], clause: str) -> bool:
        """Whether ``pattern`` matches somewhere not hedged ("air alerts may be declared" is not one)."""
        return any(
            not self._hedged(clause, m.start()) and not self._speculative(clause, m.end())
            for m in pattern.finditer(clause)
        )

    def _aircraft_loss(self, clause: str, original: str) -> tuple[str | None, str, int]:
        """The lost airframe (``""`` when unnamed), the rule that read it and where it is named."""
        r = self.rules
        candidates: list[tuple[re.Match[str], bool]] = [
            (m, True) for m in r.p("airframe_cs").finditer(original)
        ]
        candidates += [(m, False) for m in r.p("airframe_generic").finditer(clause)]
        candidates += [(m, False) for m in _DRONE_OPERATOR.finditer(original)]
        candidates.sort(key=lambda c: (c[0].start(), not c[1]))
        one_way = r.p("one_way")
        for m, named in candidates:
            around = clause[max(0, m.start() - 25) : m.end() + 25]
            if not named and not _RECON.match(m.group(0)) and one_way.search(around):
                continue  # "attack drones", "bombers armed with cruise missiles": weapons or their carriers
            before = clause[max(0, m.start() - 90) : m.start()]
            after = clause[m.end() :]
            if r.p("loss_negated").search(before):
                continue  # "no aircraft were lost"
            if named and r.p("weapon_carrier_before").search(before):
                continue  # "bombs released by Su-34s fell": the airframe carried the weapon
            told_after = r.p("loss_after").search(after)
            if (
                told_after
                and (
                    self._hedged(clause, m.end() + told_after.end())
                    # an aside in brackets is no speculation: "a UAV (probably an Orlan-10) was downed"
                    or (
                        self._speculative(clause, m.start())
                        and "(" not in clause[max(0, m.start() - 30) : m.start()]
                    )
                )
            ):
                continue  # "a Su-24 may have been hit", "video appears to show a Ka-52 downed"
            if not told_after and self._speculative(clause, m.start()):
                continue  # "footage may show the wreckage of a helicopter"
            told_before = r.p("loss_before").search(before)
            if (
                told_before
                and not told_after
                and self._hedged(clause, max(0, m.start() - 90) + told_before.start())
            ):
                continue  # "called for shooting down aircraft that breach the airspace"
            if told_after or told_before or r.p("loss_noun_near").search(before):
                return (
                    (_airframe_name(m.group("af")) if named else None) or "",
                    "aircraft.named" if named else "aircraft.generic",
                    m.start(),
                )
        return None, "", 0

    def _casualties(
        self, clause: str, original: str, last_class: str | None
    ) -> tuple[Quantity | None, Quantity | None, int | None, list[str]]:
        r = self.rules
        negated = [(m.start(), m.end()) for m in r.p("neg_cas").finditer(clause)]

        def free(a: int, b: int) -> bool:
            return not any(a < ne and ns < b for ns, ne in negated)

        killed: tuple[int, Quantity] | None = None
        injured: tuple[int, Quantity] | None = None
        toll: Quantity | None = None
        taken: list[tuple[int, int]] = []
        rules: list[str] = []
        for name, pattern in self._count_patterns:
            needs = _COUNT_NEEDS.get(name)
            if needs is not None and not any(n in clause for n in needs):
                continue  # cheap substring gate before a costly pattern
            for m in pattern.finditer(clause):
                if not free(m.start(), m.end()) or any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                q = self._list_total(m.group("who")) if name == "count.subject_list" else _quantity_of(m)
                if q is None:
                    continue
                if name == "count.along_with":
                    q = Quantity(q.value + 1, q.approximate)  # the one named, and the others
                verb_at = m.start("v") if "v" in m.re.groupindex and m.group("v") else m.start()
                if self._speculative(clause, verb_at):
                    continue  # "the pilot was presumed dead", "a general possibly among the dead"
                verb = m.group("v") if "v" in m.re.groupindex else "killed"
                if name in _AGENT_PRONE and self._is_agent(clause, m):
                    continue
                if name in ("count.ordinal", "count.ordinal_body"):
                    # "a fifth person has died": the toll so far, like "the death toll rose to five".
                    toll = q if toll is None or q.value > toll.value else toll
                    cls = "killed"
                elif name == "count.toll":
                    head = clause[m.start() : m.start("n")]
                    if _HURT_CLASS.search(head) and not _KILL_CLASS.search(head):
                        # "the number of injured rose to four" is a toll of the wounded.
                        cls = "injured"
                    else:
                        toll = q if toll is None or q.value > toll.value else toll
                        cls = "killed"
                elif name == "count.losses":
                    # Reported personnel "losses" mix dead and wounded: kept as killed, marked approximate.
                    q = Quantity(q.value, approximate=True)
                    cls = "killed"
                else:
                    cls = (
                        "killed"
                        if _KILL_CLASS.search(verb or "")
                        else "injured"
                        if _HURT_CLASS.search(verb or "")
                        else ""
                    )
                taken.append((m.start(), m.end()))
                if name not in rules:
                    rules.append(name)
                if cls == "killed" and (killed is None or m.start() < killed[0]):
                    killed = (m.start(), q)
                elif cls == "injured" and (injured is None or m.start() < injured[0]):
                    injured = (m.start(), q)
        if killed is None and toll is None and self._named_died.search(original):
            named = self._named_victim(original)
            if named is not None:
                killed = named
                rules.append("count.named")
        killed_q = toll or (killed[1] if killed else None)
        injured_q = injured[1] if injured else None
        if (
            killed_q is None
            and injured_q is None
            and last_class
            and r.p("another_ellipsis").search(clause.lstrip())
        ):
            # "..., and another in X": the count noun is elided; it repeats the previous clause's kind.
            rules.append("count.another")
            if last_class == "killed":
                killed_q = Quantity(1)
            else:
                injured_q = Quantity(1)
        if killed_q is None:
            for m in r.p("uncounted_dead").finditer(clause):
                if free(m.start(), m.end()) and not self._hedged(clause, m.start()):
                    # "there are dead and wounded": deaths are stated but not counted; one is the lower
                    # bound a reader can vouch for, marked approximate (never an exact invented figure).
                    killed_q = Quantity(1, approximate=True)
                    rules.append("count.at_least_one")
                    break
        if not rules:
            for pattern_name in ("uncounted_strong", "uncounted_cas", "all_aboard"):
                for m in r.p(pattern_name).finditer(clause):
                    if free(m.start(), m.end()) and not self._hedged(clause, m.start()):
                        rules.append(
                            "casualty.uncounted" if pattern_name == "uncounted_cas" else "casualty.stated"
                        )
                        break
                if rules:
                    break
        children: int | None = None
        for pattern_name in ("children_including", "children_among", "children_subject"):
            cm = r.p(pattern_name).search(clause)
            if cm and free(cm.start(), cm.end()):
                cq = _quantity_of(cm)
                if cq is not None:
                    children = cq.value
                    break
        return killed_q, injured_q, children, rules

    def _list_total(self, items: str) -> Quantity | None:
        """The sum of a list of counted people ("5 women, 4 children", "three children and their mother");
        ``None`` unless every item is counted or plainly one person."""
        total, approximate, n_items = 0, False, 0
        for item in self.rules.p("subject_list_item").finditer(items):
            n_items += 1
            if item.group("n"):
                q = parse_quantity(item.group("n"))
                if q is None:
                    return None
                total, approximate = total + q.value, approximate or q.approximate
            elif item.group("who").lower().endswith("couple"):
                total += 2  # "couple and son": three
            elif _PLURAL_END.search(item.group("who")):
                return None  # "their children": how many is not said
            else:
                total += 1
        return Quantity(total, approximate) if n_items >= 2 else None

    def _is_agent(self, clause: str, m: re.Match[str]) -> bool:
        """Whether a subject-verb match reads an agent: an active kill verb with an object after it."""
        verb = m.group("v")
        if verb is None or not _AGENT_VERBS.match(verb):
            return False
        if not self._active_object.match(clause, m.end()):
            return False
        who_end = m.end("who") if "who" in m.re.groupindex and m.group("who") else m.end("n")
        return not self._be_between.search(clause, who_end, m.start("v"))

    def _named_victim(self, original: str) -> tuple[int, Quantity] | None:
        """ "Ivan Petrenko, a volunteer medic, was killed": one person named by name (not a place or an
        institution) who died."""
        gazetteer, not_a_name = self.gazetteer, self._not_a_name
        for m in self._named_died.finditer(original):
            words = m.group("who").split()
            if any(w.casefold() in not_a_name for w in words):
                continue
            if gazetteer.has(_fold_cached(m.group("who"))):
                continue
            return m.start(), Quantity(1)
        return None

    def _weapon(self, clause: str) -> str | None:
        r = self.rules
        table = r.tables.get("weapon", {})
        strong = self._strong(clause)
        for m in (*self._weapons(clause), *((strong,) if strong else ())):
            word = m.group(0).lower()
            for key, value in table.items():
                if key in word:
                    return value
        return None

    def _actor(self, clause: str) -> str | None:
        m = self.rules.p("actor_cs").search(clause)
        if m is None:
            return None
        return self.rules.tables.get("actor", {}).get(" ".join(m.group("a").lower().split()))

    # --- places and dates ----------------------------------------------------------------------------

    def _places(
        self, text: str, low: str, sentences: list[tuple[int, int]]
    ) -> tuple[list[_PlaceHit], str | None]:
        """Every place named in the text, resolved with the text's dominant country as context (also
        returned: ISO code or ``None``)."""
        raw: list[tuple[int, int, str, bool]] = []
        for s_start, s_end in sentences:
            for start, end, name, region in self._scan(text[s_start:s_end], low[s_start:s_end]):
                raw.append((start + s_start, end + s_start, name, region))
        first = self._resolve_all(raw, None)
        # The attacker's country is no context: "Russia hit a building in Pokrovsk" is Ukraine's Pokrovsk.
        countries = Counter(h.place.country for h in first if h.place.country and not self._is_actor(text, h))
        countries = countries or Counter(h.place.country for h in first if h.place.country)
        context = countries.most_common(1)[0][0] if countries else None
        hits = self._resolve_all(raw, context) if context else first
        hits.sort(key=lambda h: h.start)
        return hits, context

    def _scan_uncached(self, text: str, low: str) -> tuple[tuple[int, int, str, bool], ...]:
        """Place-like names in one sentence: (start, end, name, region form), unresolved. Pure, cached."""
        raw: list[tuple[int, int, str, bool]] = []  # start, end, name, region form
        covered: list[tuple[int, int]] = []
        # "X region"/"X oblast": find the (rare) region word first, then read the name just before it.
        name_before = self.rules.p("region_name_cs")
        for k in self.rules.p("region_kind").finditer(low):
            window_start = max(0, k.start() - 50)
            m = name_before.search(text, window_start, k.start())
            if m is not None:
                # "the Dniprovskyi district" is a part of a town or oblast: never a namesake town elsewhere.
                kind = k.group(0)
                # "~" a district (never a namesake town), "^" a front "direction" (the oblast of its town).
                mark = (
                    "~"
                    if kind in ("district", "raion")
                    else "^"
                    if kind.startswith(("direction", "axis"))
                    else ""
                )
                owner = _POSSESSOR.match(m.group("name"))
                if owner and mark == "~":
                    # "Kherson's Tsentralnyi district": the district is a part of the town that owns it.
                    raw.append((m.start(), m.start() + len(owner.group(1)), owner.group(1), False))
                else:
                    raw.append((m.start(), k.end(), m.group("name") + mark, True))
                covered.append((m.start(), k.end()))
        # "near Stepove (Zaporizhzhia)", "(Volnovakha raion, Donetsk)": monitor notes give the region last in
        # brackets after the place.
        for m in _PAREN_REGION.finditer(text):
            head = text[max(0, m.start() - 30) : m.start()].split()
            if head and head[-1].lower() == "city" and len(head) > 1 and head[-2] == m.group("name"):
                continue  # "Kyiv city (Kyiv)": the capital's own unit, not the oblast around it
            if not any(m.start() < e and s < m.end() for s, e in covered):
                raw.append((m.start("name"), m.end("name"), m.group("name"), True))
                covered.append((m.start("name"), m.end("name")))
        gazetteer = self.gazetteer
        for m in _COMPASS.finditer(text):
            # "northern Israel" is Israel's Northern District, "northern Gaza" the North Gaza governorate:
            # only where a unit is named so; "eastern Ukraine" stays the country.
            if any(m.start() < e and s < m.end() for s, e in covered) or gazetteer.has(fold(m.group(0))):
                continue  # "North Korea", "South Sudan" are names of their own
            compass = m.group("c").lower()
            compass = compass.removesuffix("ern") if compass != "central" else compass
            whole = m.group("rest")
            for rest in (whole, whole.split(" ", 1)[0]) if " " in whole else (whole,):
                end = m.start("rest") + len(rest)
                rest = _strip_possessive(rest)
                unit = f"{compass.title()} {rest}"
                if gazetteer.resolve_region(unit) is not None:
                    raw.append((m.start(), end, unit, True))
                else:
                    country = gazetteer.resolve(rest)
                    if (
                        country is None
                        or country.precision != "country"
                        or country.country is None
                        or gazetteer.compass_unit(country.country, compass) is None
                    ):
                        continue
                    raw.append((m.start(), end, f"@{country.country}@{compass}", True))
                covered.append((m.start(), end))
                break
        for m in self.rules.p("proper_cs").finditer(text):
            phrase = m.group(0)
            if " " not in phrase:
                # The common case, one capitalised word: decide with two set lookups.
                word = _strip_possessive(phrase)
                key = _fold_cached(word)
                article = text[max(0, m.start() - 3) : m.start()]
                if article.lower() in _ARTICLES and gazetteer.has(_fold_cached(article + word)):
                    # "el-Fasher", "al-Mawasi": the Arabic article written in lower case is part of the name
                    raw.append((m.start() - 3, m.start() + len(word), article + word, False))
                    continue
                if key in self._stop or not gazetteer.has(key) or _shouted_short(word):
                    continue
                if key in self._rivers and (
                    _RIVER_AFTER.match(text, m.start() + len(word))
                    or (
                        _RIVER_BEFORE.search(text, max(0, m.start() - 16), m.start())
                        and not _NOT_RIVER_AFTER.match(text, m.start() + len(word))
                    )
                ):
                    continue  # "across the Dnipro", "the Dnipro river": the river, not the city
                if not any(m.start() < e and s < m.end() for s, e in covered):
                    raw.append((m.start(), m.start() + len(word), word, False))
                continue
            if any(m.start() < e and s < m.end() for s, e in covered):
                continue
            tokens = [
                (t.start() + m.start(), t.end() + m.start(), t.group(0)) for t in _TOKEN.finditer(phrase)
            ]
            i = 0
            while i < len(tokens):
                if not gazetteer.starts(_fold_cached(_strip_possessive(tokens[i][2]))):
                    i += 1
                    continue
                for j in range(min(len(tokens), i + 3), i, -1):
                    name = " ".join(_strip_possessive(t[2]) for t in tokens[i:j])
                    key = _fold_cached(name)
                    if (
                        name in self._stop
                        or key in self._stop
                        or not self.gazetteer.has(key)
                        or (j == i + 1 and _shouted_short(name))
                    ):
                        continue
                    raw.append((tokens[i][0], tokens[j - 1][1], name, False))
                    i = j
                    break
                else:
                    i += 1
        if self._demonym_re is not None:
            for m in self._demonym_re.finditer(text):
                iso = self._demonyms.get(m.group("d").lower())
                if iso:
                    raw.append((m.start(), m.end(), ("#!" if m.group("own") else "#") + iso, False))
        return tuple(raw)

    def _resolve_all(self, raw: list[tuple[int, int, str, bool]], context: str | None) -> list[_PlaceHit]:
        """Resolve scanned names.

        ``region`` marks "X region" forms; a trailing "~" marks a district, "#XX"/"#!XX" a country by ISO code
        ("#!" when named as the owner of aircraft or air defence).
        """
        hits: list[_PlaceHit] = []
        for start, end, name, region in raw:
            own = name.startswith("#!")
            place = self._resolve_one("#" + name[2:] if own else name, region, context)
            if place is not None:
                plain = "" if region or name.startswith("#") else name
                hits.append(_PlaceHit(start, end, place, own_forces=own, name=plain))
        return hits

    def _resolve_uncached(self, name: str, region: bool, context: str | None) -> Place | None:
        if name.startswith("#"):
            return self.gazetteer.resolve_country(name[1:])
        if name.startswith("@"):
            _, iso, compass = name.split("@")
            return self.gazetteer.compass_unit(iso, compass)
        if not region:
            return self.gazetteer.resolve(name, context)
        if name.endswith("~"):
            found = self.gazetteer.resolve_region(name[:-1], context)
            if found is None and not _ADJECTIVAL.search(name[:-1].lower()):
                # "Boryspil district", "Graivoron district": a district named after its town lies in that
                # town's oblast (the oblast, at admin1 precision: the district is wider than the town). An
                # adjectival name ("the Dniprovskyi district") is a part of a city, never a town elsewhere.
                town = self.gazetteer.resolve(name[:-1], context)
                if (
                    town is not None
                    and town.precision == "city"
                    and town.admin1
                    and fold(town.name) == fold(name[:-1])
                ):
                    found = self.gazetteer.resolve_region(town.admin1, town.country)
            return found
        if name.endswith("^"):
            return self._direction(name[:-1], context)
        place = self.gazetteer.resolve_region(name, context) or self.gazetteer.resolve(name, context)
        if place is None and " " in name:
            # "Russia's Ryazan region": the region's own name is the last word.
            last = name.rsplit(" ", 1)[1]
            place = self.gazetteer.resolve_region(last, context) or self.gazetteer.resolve(last, context)
        return place

    def _direction(self, name: str, context: str | None) -> Place | None:
        """ "the Kupiansk direction", "Krasnolimansk direction": the oblast of the front's namesake town.

        A direction is an area, so the answer is the oblast (admin1 precision), not the town. Adjectival
        forms are read back to their town ("Pokrovsky" -> Pokrovsk, "Avdeevsky" -> Avdeevka); a compound
        ("Svatove-Kreminna") is read by its last town, then its first.
        """
        gazetteer = self.gazetteer
        for candidate in _direction_candidates(name):
            place = gazetteer.resolve_region(candidate, context) or gazetteer.resolve(candidate, context)
            if place is None or (place.country != "UA" and context == "UA"):
                continue
            if place.precision == "city" and place.admin1:
                return gazetteer.resolve_region(place.admin1, place.country) or place
            return place
        return None

    def _sentence_date_uncached(
        self, sentence: str, published: date | None, lead: date | None
    ) -> date | None:
        return self._explicit_date(sentence, published) or self._relative_date(sentence, published) or lead

    def _explicit_date(self, text: str, published: date | None) -> date | None:
        m = self.rules.p("explicit_date").search(text)
        if m is None:
            return None
        day = int(m.group("d1") or m.group("d2"))
        month = _MONTHS[(m.group("m1") or m.group("m2")).lower()]
        year_text = m.group("y1") or m.group("y2")
        year = int(year_text) if year_text else (published.year if published else None)
        if year is None:
            return None
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if not year_text and published is not None and found > published:
            found = found.replace(year=year - 1) if not (month == 2 and day == 29) else found
        return found

    def _relative_date(self, text: str, published: date | None) -> date | None:
        if published is None:
            return None
        m = self.rules.p("weekday").search(text)
        if m is not None:
            back = (published.weekday() - _WEEKDAYS[m.group("d").lower()]) % 7
            return published - timedelta(days=back)
        rel = self.rules.p("relative_day").search(text)
        if rel is not None:
            return published - timedelta(days=1) if rel.group("d").lower() == "yesterday" else published
        return None

    def _finish(self, d: _Draft) -> EventMention:
        types = tuple(t for t in ("strike", "casualty", "aircraft_loss", "airspace_response") if t in d.types)
        return EventMention(
            types=types,
            killed=d.killed.value if d.killed else None,
            injured=d.injured.value if d.injured else None,
            children=d.children,
            killed_approximate=bool(d.killed and d.killed.approximate),
            injured_approximate=bool(d.injured and d.injured.approximate),
            location=d.place,
            weapon=d.weapon if "strike" in d.types else None,
            aircraft=(d.aircraft or None) if "aircraft_loss" in d.types else None,
            actor=d.actor,
            occurred_on=d.occurred_on,
            evidence=tuple(d.spans),
            rules=tuple(dict.fromkeys(d.rules)),
            confidence=d.confidence,
            classifier_version=self.version,
        )


# Airspace patterns that cannot match without one of these substrings (read off the patterns themselves).
# One part of a per-town breakdown: "two in Toretsk", "1 - in Avdiivka", "three people in Kupiansk"; the town
# must start where the match ends.
_TALLY_ITEM = re.compile(
    r"(?:(?<=[:;,\-\u2013\u2014(])|(?<=[:;,\-\u2013\u2014(]\s)|(?<=\sand\s))"
    r"(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"\s+(?:(?:people|persons?|civilians?|residents?)\s+)?(?:[-\u2013\u2014]\s+)?in\s+(?:the\s+)?(?:city\s+of\s+)?",
    re.IGNORECASE,
)

# The strong strike phrases kept out of the core alternation, with the words each needs (see ``_strong``).
_STRONG_EXTRA: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("strong_strike_on", ("strike",)),
    ("strong_pound", ("pound",)),
    ("strong_in_strike", ("strike",)),
    (
        "strong_massive",
        (
            "group",
            "massive",
            "massed",
            "combined",
            "precision",
            "retaliat",
            "overnight",
            "large-scale",
            "night",
        ),
    ),
    ("strong_carried_out", ("carried out", "launched", "delivered", "conducted")),
    (
        "strong_actor",
        (
            *("russia", "ukrain", "israel", "iran", "americ", "u.s.", "us ", "turkish", "saudi", "houthi"),
            *("coalition", "kyiv", "moscow", "enemy", "occupiers", "invaders"),
        ),
    ),
    ("strong_weapon_raid", ("raid", "salvo", "wave", "barrage")),
    ("strong_killed_by", (" by ",)),
    ("strong_hit_on", ("hit on",)),
    ("strong_recorded", ("recorded",)),
    ("strong_launch_from", ("launch",)),
    ("strong_attempt", ("attempt", "tried")),
    ("strong_sent", ("sent", "directed")),
    ("strong_x_of_y", ("drones", "missiles", "shaheds", "uavs", "rockets", "targets")),
    ("strong_launch_attacks", ("launch", "carr", "conduct")),
    ("strong_striking_at", ("striking at", "strike again")),
    ("strong_night_attack", ("night",)),
    ("strong_suffered", ("suffered", "came under", "come under", "subjected")),
    ("strong_unleash", ("unleash",)),
    ("strong_hit_to", ("hit to", "hit on", "hits to", "hits on", "air force", "hit of", "hits of")),
    ("strong_due_to_uav", ("due to", "caused by", "deadly", "fatal", "lethal", "devastating")),
    ("strong_result_of", ("result of", "following", "after", "occurred", "took place", "happened")),
    ("strong_used_against", ("against",)),
    ("strong_drop", ("drop",)),
    (
        "strong_under_attack",
        ("under", "attack on", "attacks on", "raid on", "raids on", "strike on", "strikes on"),
    ),
    ("strong_impact", ("impact",)),
    ("strong_enemy_attack", ("enemy", "occup", "invader", "russia", "attack", "damage")),
    ("strong_with_weapon", ("with ",)),
    (
        "strong_air_arm",
        (
            "aircraft",
            "jets",
            "planes",
            "aviation",
            "helicopter",
            "gunship",
            "bomber",
            "f-",
            "su-",
            "mig-",
            "tu-",
        ),
    ),
)

_AIR_NEEDS: dict[str, tuple[str, ...]] = {
    "scramble": (
        *("scrambl", "took off", "raised", "dispatched", "took to the air", "activated", "airborne"),
        *("identify", "intercept", "escort", "shadow", "monitor", "policing", "in the air", "aloft"),
        *("deployed", "precaution", "flew", "flying", "patrolled", "patrolling", "intercepted by", "launch"),
        *(
            "send",
            "sent",
            "intercept",
            "interception",
            "operation",
            "mobili",
            "driven",
            "chased",
            "quick",
            "qra",
        ),
    ),
    "airspace_closed": (
        "skies",
        *("space", "airport", "airfield", "flights", "traffic", "notam", "departures", "arrivals", "clsd"),
        *("kovyor", "kovior", "carpet", "take-off", "takeoff", "landings", "territory", "moldova", "romania"),
        *("poland", "lithuania", "latvia", "estonia", "belarus", "hungary", "slovakia", "finland"),
        *("breach", "paraly", "grounded", "incursion", "median", "takeoff", "landing", "intrud", "kilym"),
        *("kilim", "closure", "suspension", "remain", "adiz", "identification", "detected", "spotted"),
        *("tracked", "deep", "radar", "readiness", "navigation", "flown", "patrol", "no-fly", "zone"),
        *("enter", "sighting", "border"),
        *("\u043e\u0433\u0440\u0430\u043d\u0438\u0447", "\u0430\u044d\u0440\u043e\u043f\u043e\u0440\u0442"),
    ),
    "air_alert": (
        *("alert", "alarm", "siren", "warning", "raid", "shelter", "threat", "тривог", "тревог"),
        *("danger", "cover", "indoors", "warned", "j-alert", "seek", "going off", "go off", "goes off"),
    ),
    "air_defence": (
        *(
            "defen",
            "anti-aircraft",
            "mobile fire",
            "dome",
            "sling",
            "arrow",
            "patriot",
            "thaad",
            "s-400",
            "s-300",
        ),
        *("pantsir", "nasams", "iris-t", "interceptor", "tried", "sought", "attempt", "failed", "trying"),
        *("warning shots", "shoot them down", "shoot it down"),
    ),
    "intercept": (
        *(
            "down",
            "intercept",
            "destroy",
            "neutrali",
            "repel",
            "repuls",
            "eliminat",
            "suppress",
            "jamm",
            "thwart",
        ),
        *("knocked", "foil", "taken out", "took out", "takes out", "engag", "disabl", "fend"),
    ),
}
# One literal alternation per pattern: a single search instead of a loop over dozens of substrings.
_AIR_NEEDS_RE = {
    name: re.compile("|".join(re.escape(n) for n in needs)) for name, needs in _AIR_NEEDS.items()
}

_ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
_ORDINAL_WORDS = (*_ORDINALS, "1st", "nd ", "rd ", "th ")
_ORDINAL_DIGITS = re.compile(r"^(\d{1,3})(?:st|nd|rd|th)$")
# Subject patterns whose verb may be active ("the brigade eliminated 40 invaders"): the subject is then the
# agent, not the victim.
_AGENT_PRONE = frozenset({"count.subject", "count.subject_bare", "count.one_subject", "count.bare_singular"})
_AGENT_VERBS = re.compile(
    r"^(?:killed|eliminated|liquidated|destroyed|neutrali[sz]ed|executed|murdered|slain|shot\s+dead)$"
)

# Count patterns that cannot match without one of these substrings (checked before running them).
_COUNT_NEEDS: dict[str, tuple[str, ...]] = {
    "count.died_of_wounds": ("died", "dies", "succumbed"),
    "count.there_is_dead": ("there is", "there was"),
    "count.toll": ("toll", "number of", "rose", "increased", "climbed", "reached"),
    "count.killed_and_wounded": (" and wounded", " and injured"),
    "count.both": ("both", "all "),
    "count.crew": ("crew of",),
    "count.aboard": ("all ",),
    "count.on_board": ("board", "aboard"),
    "count.survivors": ("survived with",),
    "count.colon": (
        "fatalities",
        "deaths",
        "killed",
        "dead",
        "injured",
        "wounded",
        "injuries",
        "fat",
        "inj",
        "kia",
        "wia",
    ),
    "count.no_survivors": ("survivors",),
    "count.did_not_survive": ("survive",),
    "count.pronoun": ("he ", "she "),
    "count.pair": (" and ",),
    "count.subject_list": (" and ", ", "),
    "count.ordinal": _ORDINAL_WORDS,
    "count.ordinal_body": ("body of", "bodies of", "remains of", "corpse of", "corpses of"),
    "count.object_list": (", ", " and "),
    "count.bodies": ("bodies", "remains", "corpses"),
    "count.family": ("family of",),
    "count.among": ("among",),
    "count.death_of": ("death of",),
    "count.aged": ("year-old",),
    "count.along_with": ("others",),
    "count.n_of_m": (" of the ", " of its ", " of their ", " of all "),
    "count.deaths_of": ("death", "killing of", "lives of", "life of"),
    "count.losses": ("losses",),
    "count.lost": ("lost",),
}
_TOKEN = re.compile(r"[^\s]+")
# ("Dniprovskyi", "Shevchenkivska": an adjective; "Kupiansk", "Pokrovsk": a town)
_ADJECTIVAL = re.compile(r"(?:sk(?:y|iy|yi|ii|ij|aya|a|e|oye|oe|o)|ivsk\w+)$")
# A direction's name read back to its town: "Krasnolimansk" -> Krasny Liman, "Pokrovsky" -> Pokrovsk.
_TOWN_SUFFIX = re.compile(r"(?:sk(?:y|iy|yi|ii|ij|aya|a|e|oye|oe|o)?|ivsk\w*)$")
_WORD = re.compile(
    r"[a-z0-9\u0430-\u044f\u0451\u0454\u0456\u0457\u0491][a-z0-9\u0430-\u044f\u0451\u0454\u0456\u0457\u0491\-/]*"
)
_DESIGNATION = re.compile(r"^[a-z/]{1,5}-?\d")


@lru_cache(maxsize=65536)
def _fold_cached(name: str) -> str:
    # Place-like words repeat across reports; folding (Unicode normalisation) is the costly part of a lookup.
    return fold(name)


def _direction_candidates(name: str) -> tuple[str, ...]:
    """Town spellings a front direction's name may stand for, most likely first."""
    parts = [name]
    if "-" in name:
        parts += [name.rsplit("-", 1)[-1], name.split("-", 1)[0]]
    out: list[str] = []
    for part in parts:
        out.append(part)
        stem = _TOWN_SUFFIX.sub("", part)
        if stem != part and len(stem) >= 3:
            # Russian adjectives of towns: Pokrovsk -> Pokrovsky, Avdeevka -> Avdeevsky, Svatovo -> Svatovsky.
            out += [stem + "sk", stem, stem + "ka", stem + "o", stem + "e", stem + "a"]
    return tuple(dict.fromkeys(c for c in out if c))


def _shouted_short(word: str) -> bool:
    # "PER DAY" in an all-caps headline is not the Hungarian village Pér; "DPR"/"LPR" stay places.
    return len(word) <= 3 and word.isupper() and word not in ("DPR", "LPR")


def _strip_possessive(token: str) -> str:
    for suffix in ("'s", "\u2019s", "\u02bcs", "'", "\u2019", "\u02bc"):
        if token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def _shifted(t: _Draft, offset: int, s_index: int) -> _Draft:
    """A fresh copy of a cached template draft, moved to its sentence's place in the report."""
    # Positional: this runs once per clause reading of every report, keyword passing is measurably slower.
    return _Draft(
        set(t.types),
        s_index,
        t.start + offset,
        t.end + offset,
        t.killed,
        t.injured,
        t.children,
        t.place,
        t.weapon,
        t.aircraft,
        t.actor,
        t.occurred_on,
        list(t.rules),
        [Span(sp.start + offset, sp.end + offset) for sp in t.spans] if offset else list(t.spans),
        t.confidence,
        t.anaphoric,
        t.tally,
        t.crew,
        t.operator,
        t.new_thread,
    )


def _airframe_name(raw: str) -> str:
    name = _MIL_PREFIX.sub("", " ".join(raw.split()))
    return _SUFFIX_S.sub("", name)


def _quantity_of(m: re.Match[str]) -> Quantity | None:
    groups = m.re.groupindex
    at = m.start("n") if "n" in groups and m.group("n") else -1
    if at > 0 and _AGED_BEFORE.search(m.string, max(0, at - 24), at):
        return None  # "women aged 72 and 67 were killed": ages, not a count
    if "lo" in groups and m.group("lo"):
        return parse_quantity(m.group("lo"))  # "between 12 and 14 soldiers": the lower bound
    who = m.group("who") if "who" in groups else None
    n = m.group("n") if "n" in groups else None
    if n is None:
        if who and (" and " in who or who.strip().lower().endswith("couple")):
            return Quantity(2)
        if who and not _PLURAL_END.search(who.strip()):
            return Quantity(1)
        return None
    word = n.strip().lower()
    if word in _ORDINALS:
        return Quantity(_ORDINALS[word])
    digits = _ORDINAL_DIGITS.match(word)
    if digits:
        return Quantity(int(digits.group(1)))
    if word in _ONE_WORDS and who is not None and who.strip().lower().endswith("couple"):
        return Quantity(2)  # "an elderly couple"
    if word in _ONE_WORDS:
        if who is not None and _PLURAL_END.search(who.strip()) and word not in ("a", "an", "one", "another"):
            return None
        return Quantity(1)
    if word == "both":
        return Quantity(2)
    if word == "all":
        return None
    return parse_quantity(word)


# Every sentence separator starts at one of these characters, or at the blank before a dash: the full pattern
# (heavy with abbreviation look-behinds) is tried only there.
_SENTENCE_CANDIDATE = re.compile(r"[.!?;\n\u2013\u2014-]")
_DASHES = frozenset("-\u2013\u2014")
_HEADER_PIECE = 40  # characters: a piece shorter than this before a dash is a header field, not a sentence


def _split_at(pattern: re.Pattern[str], candidates: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """``_split`` over the whole text, trying ``pattern`` only where ``candidates`` finds a possible start
    (same result as scanning every position, as every separator begins at such a character or just before a
    dash)."""
    cuts: list[tuple[int, int]] = []
    last = 0
    piece_start = 0  # where the current piece began, header fields joined or not
    for c in candidates.finditer(text):
        at = c.start()
        if text[at] in _DASHES:
            at -= 1
        if at < last:
            continue
        m = pattern.match(text, at)
        if m is not None and m.end() > m.start():
            if text[at + 1 : at + 2] in _DASHES and m.start() - piece_start < _HEADER_PIECE:
                # "Mi-8AMTSh — Russia — Kursk oblast — crashed ...": a list entry's short header fields are
                # one sentence with the event they head, not sentences of their own.
                piece_start = m.end()
                continue
            piece_start = m.end()
            cuts.append((m.start(), m.end()))
            last = m.end()
    return _pieces(text, 0, len(text), cuts)


def _split(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` at the separator pattern; spans exclude separators and outer blanks."""
    return _pieces(text, start, end, [m.span() for m in pattern.finditer(text, start, end)])


def _pieces(text: str, start: int, end: int, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    cursor = start
    for cut_start, cut_end in cuts:
        if cut_start > cursor:
            pieces.append((cursor, cut_start))
        cursor = max(cursor, cut_end)
    if cursor < end:
        pieces.append((cursor, end))
    out = []
    for a, b in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _after_from(low: str, hit: _PlaceHit) -> bool:
    before = low[max(0, hit.start - 10) : hit.start]
    if not before.endswith(("from ", "from the ", " by ")):
        return False
    # "the toll from the Dnipro strike", "casualties from Kherson shelling": the place of the event itself.
    return not _TOLL_FROM.search(low, max(0, hit.start - 40), hit.start)


_TOLL_FROM = re.compile(
    r"\b(?:toll|casualties|dead|deaths|victims|injured|wounded|killed)\s+from\s+(?:the\s+)?$"
)


# "Armed Forces of Ukraine", "Ministry of Defence of Russia": a country inside an institution's name.
_INSTITUTION_OF = (
    "forces of ",
    "force of ",
    "army of ",
    "ministry of ",
    "government of ",
    "president of ",
    "navy of ",
    "service of ",
    "staff of ",
    "guard of ",
    "aggression of ",
    "aggression of the ",
    "forces of the ",
)


def _institutional(low: str, hit: _PlaceHit) -> bool:
    return hit.place.precision == "country" and low[max(0, hit.start - 20) : hit.start].endswith(
        _INSTITUTION_OF
    )


# No real clause is longer; run-on input (no punctuation for pages) is read in windows of this size so the
# per-clause work stays linear in the text.
MAX_CLAUSE = 1500
MAX_EVIDENCE = 32


def _bounded(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Cut spans longer than ``MAX_CLAUSE`` at whitespace into pieces of at most that length."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > MAX_CLAUSE:
            cut = text.rfind(" ", a + MAX_CLAUSE // 2, a + MAX_CLAUSE)
            cut = cut if cut > a else a + MAX_CLAUSE
            out.append((a, cut))
            a = cut
        out.append((a, b))
    return out


def _most_specific(hits: list[_PlaceHit]) -> Place | None:
    """The most specific place; a town wins over its oblast, but an oblast named beside a town of the
    same name elsewhere ("the village of X in the Y region") wins over that town."""
    admin1s = {h.place.admin1 for h in hits if h.place.precision == "admin1"}
    best: Place | None = None
    order = {"city": 2, "admin1": 1, "country": 0}
    for h in hits:
        if h.place.precision == "city" and admin1s and h.place.admin1 not in admin1s:
            continue
        if best is None or order[h.place.precision] > order[best.precision]:
            best = h.place
    return best


def _specific(p: Place | None) -> bool:
    return p is not None and p.precision in _SPECIFIC


def _compatible(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return True
    if not _specific(a) or not _specific(b):
        return a.country == b.country and not (_specific(a) and _specific(b))
    if a.admin1 and b.admin1:
        return a.admin1 == b.admin1
    return a.name == b.name


def _merge(drafts: list[_Draft]) -> list[_Draft]:
    """Coreference: fold clause drafts into incidents (see the module docstring for the policy)."""
    events: list[_Draft] = []
    for d in drafts:
        target = _target(events, d)
        if target is None:
            events.append(d)
            continue
        _absorb(target, d)
    return events


def _target(events: list[_Draft], d: _Draft) -> _Draft | None:
    if d.new_thread:
        events = [e for e in events if e.sentence == d.sentence]
    if not events or d.tally:
        return None
    if "airspace_response" in d.types:
        for e in reversed(events):
            if (
                "airspace_response" in e.types
                and _same_country(e.place, d.place)
                and d.sentence - e.sentence <= 2
            ):
                return e
        return None
    if "aircraft_loss" in d.types:
        for e in reversed(events):
            if "aircraft_loss" in e.types and (not d.aircraft or not e.aircraft or d.aircraft == e.aircraft):
                return e if _compatible(e.place, d.place) else None
        return None
    if "strike" in d.types:
        for e in reversed(events):
            if "strike" not in e.types:
                continue
            if _counts_conflict(e, d):
                return None
            if d.anaphoric or (not _specific(d.place) and not _specific(e.place)):
                return e if _compatible(e.place, d.place) or d.anaphoric else None
            if _specific(d.place) and _specific(e.place) and _compatible(e.place, d.place):
                return e
            if not _specific(d.place) and d.place is None:
                return e if d.sentence - e.sentence <= 1 else None
            return None
        return None
    # casualty only: joins the incident just told when it fits there
    if d.crew:
        for e in reversed(events):
            if d.sentence - e.sentence > 2:
                break
            if "aircraft_loss" in e.types and not _counts_conflict(e, d):
                return e
    for e in reversed(events):
        if "airspace_response" in e.types and len(e.types) == 1:
            continue
        if d.sentence - e.sentence > 2:
            return None
        if _counts_conflict(e, d) or not _compatible(e.place, d.place):
            return None
        if _specific(d.place) and not _specific(e.place) and "casualty" in e.types:
            return None
        return e
    return None


def _same_country(a: Place | None, b: Place | None) -> bool:
    return a is None or b is None or a.country == b.country


def _counts_conflict(e: _Draft, d: _Draft) -> bool:
    return bool(
        (e.killed is not None and d.killed is not None and e.killed != d.killed)
        or (e.injured is not None and d.injured is not None and e.injured != d.injured)
    )


def _absorb(e: _Draft, d: _Draft) -> None:
    e.types |= d.types
    e.anaphoric = e.anaphoric and d.anaphoric
    e.killed = e.killed or d.killed
    e.injured = e.injured or d.injured
    e.children = e.children if e.children is not None else d.children
    if d.place is not None and (e.place is None or _rank(d.place) > _rank(e.place)):
        e.place = d.place
    e.weapon = e.weapon or d.weapon
    e.aircraft = e.aircraft or d.aircraft
    e.operator = e.operator or d.operator
    if e.place is None and e.operator and d.place is not None and d.place.country == e.operator:
        e.place = d.place
    e.actor = e.actor or d.actor
    e.occurred_on = e.occurred_on or d.occurred_on
    e.rules.extend(r for r in d.rules if r not in e.rules)
    # Evidence is capped: past a few dozen spans more of them add nothing a reader would check.
    e.spans.extend(s for s in d.spans if len(e.spans) < MAX_EVIDENCE and s not in e.spans)
    e.confidence = max(e.confidence, d.confidence)
    e.sentence = d.sentence


def _rank(p: Place) -> int:
    return {"city": 2, "admin1": 1, "country": 0}[p.precision]
