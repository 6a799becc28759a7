"""A deterministic corpus of realistic ~1 KB raw reports for the fault tests, built from templates.

``corpus(n, seed)`` always returns the same reports for the same arguments: varied places (cities with their
regions in Ukraine, Russia, Poland and further afield), weapons, tolls, aircraft and air-defence figures,
plus a share of exact duplicates (the same text republished under another id and outlet) and near duplicates
(a wire copy with its dateline or closing sentence edited). Every report carries ``published_at`` so the
pipeline's decisions depend on the report alone, never on the broker's clock.

The sentences are written here for these tests; none comes from the labelled dev data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# (city, region phrase) pairs: the classifier resolves both, and several share a region so that reports
# about one incident corroborate and reports about neighbouring incidents do not.
PLACES = (
    ("Kharkiv", "Kharkiv region"),
    ("Chuhuiv", "Kharkiv region"),
    ("Kherson", "Kherson region"),
    ("Beryslav", "Kherson region"),
    ("Odesa", "Odesa region"),
    ("Izmail", "Odesa region"),
    ("Sumy", "Sumy region"),
    ("Shostka", "Sumy region"),
    ("Nikopol", "Dnipropetrovsk region"),
    ("Dnipro", "Dnipropetrovsk region"),
    ("Zaporizhzhia", "Zaporizhzhia region"),
    ("Kramatorsk", "Donetsk region"),
    ("Sloviansk", "Donetsk region"),
    ("Poltava", "Poltava region"),
    ("Chernihiv", "Chernihiv region"),
    ("Mykolaiv", "Mykolaiv region"),
    ("Lviv", "Lviv region"),
    ("Belgorod", "Belgorod region"),
    ("Kursk", "Kursk region"),
)
WEAPONS = (
    "a Shahed drone",
    "a ballistic missile",
    "a guided aerial bomb",
    "an artillery shell",
    "a cruise missile",
    "a multiple rocket launcher salvo",
    "an FPV drone",
)
TARGETS = (
    "a residential building",
    "a bus stop",
    "a warehouse",
    "an energy facility",
    "a private house",
    "a market",
    "a grain terminal",
)
AIRFRAMES = ("Su-25", "Su-34", "Ka-52", "Mi-8 helicopter", "Su-24", "MiG-29")
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven")
OUTLETS = ("Kyiv Wire", "Regional Desk", "Frontline Daily", "Eastern Bulletin", "Morning Dispatch")
FILLER = (
    "Emergency crews worked through the night to clear debris and search for people under the rubble.",
    "Local officials said that windows were blown out in several nearby apartment blocks.",
    "The regional administration opened a temporary shelter for residents whose homes were damaged.",
    "Power and water supplies were disrupted in parts of the city for several hours.",
    "Police cordoned off the area while investigators documented the damage.",
    "Schools in the district moved classes online for the rest of the week.",
    "Volunteers distributed food and building materials to families in the affected streets.",
    "The figures could not be independently verified.",
    "Officials urged residents to heed air-raid warnings and to stay in shelters during alerts.",
    "Repair teams expected to restore the damaged power lines by the end of the day.",
)
CLOSINGS = (
    "The regional governor said more details would be released later.",
    "Officials said the clean-up would take several days.",
    "The local council announced a day of mourning.",
    "Prosecutors opened a criminal investigation into the attack.",
)


@dataclass(frozen=True, slots=True)
class CorpusStats:
    originals: int
    exact_duplicates: int
    near_duplicates: int


def _count(rng: random.Random, low: int, high: int) -> str:
    n = rng.randint(low, high)
    return NUMBER_WORDS[n - 1] if n <= len(NUMBER_WORDS) and rng.random() < 0.6 else str(n)


def _incident(rng: random.Random) -> str:
    """One incident paragraph: a strike, with casualties or not, or a shoot-down or an air-defence action."""
    city, region = rng.choice(PLACES)
    kind = rng.random()
    if kind < 0.55:
        text = f"{rng.choice(WEAPONS).capitalize()} hit {rng.choice(TARGETS)} in {city} in the {region}."
        roll = rng.random()
        if roll < 0.35:
            text += (
                f" {_count(rng, 1, 9).capitalize()} people were killed and {_count(rng, 1, 20)} were wounded."
            )
        elif roll < 0.6:
            text += (
                f" {_count(rng, 1, 14).capitalize()} people were injured,"
                " the head of the regional military administration said."
            )
        elif roll < 0.75:
            text += " No casualties were reported."
        return text
    if kind < 0.75:
        return (
            f"Russian forces shelled the outskirts of {city} overnight, "
            f"killing {_count(rng, 1, 5)} civilians, officials in the {region} said."
        )
    if kind < 0.9:
        shot = rng.randint(10, 80)
        return (
            f"Air defence units shot down {shot} of {shot + rng.randint(1, 20)} drones "
            f"launched overnight against the {region}, the air force said."
        )
    return (
        f"A Russian {rng.choice(AIRFRAMES)} was shot down near {city}, "
        "the military said, and the pilot was killed."
    )


def _original(rng: random.Random, index: int, when: datetime) -> dict[str, Any]:
    paragraphs = [_incident(rng) for _ in range(rng.randint(1, 3))]
    body: list[str] = []
    for paragraph in paragraphs:
        body.append(paragraph)
        body.extend(rng.sample(FILLER, 2))
    body.append(rng.choice(CLOSINGS))
    text = " ".join(body)
    spare = [f for f in FILLER if f not in text]
    rng.shuffle(spare)
    while len(text) < 900 and spare:
        text += " " + spare.pop()
    return {
        "id": f"rel-{index:06d}",
        "title": paragraphs[0].split(".")[0][:90],
        "text": text,
        "source": rng.choice(OUTLETS),
        "url": f"https://news.example.org/{when:%Y/%m/%d}/{index:06d}",
        "published_at": when.isoformat(),
    }


def _near_copy(rng: random.Random, original: dict[str, Any], index: int, when: datetime) -> dict[str, Any]:
    """An edited copy: the closing sentence swapped and a short dateline added, most shingles unchanged."""
    text = str(original["text"])
    for closing in CLOSINGS:
        if closing in text:
            text = text.replace(closing, rng.choice([c for c in CLOSINGS if c != closing]))
            break
    text = f"({rng.choice(OUTLETS)}) {text}"
    return {
        **original,
        "id": f"rel-{index:06d}",
        "text": text,
        "source": rng.choice(OUTLETS),
        "url": f"https://mirror.example.net/{index:06d}",
        "published_at": when.isoformat(),
    }


def corpus(n: int, seed: int = 5) -> tuple[list[dict[str, Any]], CorpusStats]:
    """``n`` raw reports (JSON-able dicts, ids ``rel-000000``…) in publication order, plus their make-up.

    About 10 % are exact duplicates and 10 % near duplicates of an earlier report published within the
    previous day; time advances by 2-10 minutes per report from 2026-03-01.
    """
    rng = random.Random(seed)
    when = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    reports: list[dict[str, Any]] = []
    originals: list[dict[str, Any]] = []
    exact = near = 0
    for index in range(n):
        when += timedelta(minutes=rng.randint(2, 10))
        roll = rng.random()
        recent = originals[-150:]
        if roll < 0.1 and recent:
            source = rng.choice(recent)
            reports.append(
                {
                    **source,
                    "id": f"rel-{index:06d}",
                    "source": rng.choice(OUTLETS),
                    "published_at": when.isoformat(),
                }
            )
            exact += 1
        elif roll < 0.2 and recent:
            reports.append(_near_copy(rng, rng.choice(recent), index, when))
            near += 1
        else:
            report = _original(rng, index, when)
            reports.append(report)
            originals.append(report)
    return reports, CorpusStats(len(originals), exact, near)
