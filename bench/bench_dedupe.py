"""Near-duplicate bench: precision, recall and throughput of the dedupe decision path on one core.

Stories are generated from this file's own templates (never from the labelled dev data): each is ~1 KB of
wire-style text about one strike, with places, weapons, numbers, officials and boilerplate drawn from shared
pools, so different stories share much vocabulary (the hard negatives). Each original then gets edited
copies made by deterministic edits: reorder sentences, change a word, add a byline/dateline/headline, drop a
sentence, and pairs of those. Everything goes, interleaved, through ``signature``/``fingerprint`` (stage A)
and ``decide_report`` (stage B). A copy is a true positive when it is called a duplicate of its own original;
any other duplicate call is a false positive.

Rates are reports per second of CPU time of this process (``time.process_time``), i.e. of one core, so that
other work on a shared machine does not distort them.

    .venv/bin/python bench/bench_dedupe.py [--stories 2000] [--threshold 0.8] [--seed 7] [--sweep]
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sitrep.dedupe import DedupeParams, DedupeState, corroborate, decide_report, expire, sketch
from sitrep.model import EventMention, Place

CITIES = [
    ("Kharkiv", "Kharkiv region"),
    ("Kherson", "Kherson region"),
    ("Odesa", "Odesa region"),
    ("Zaporizhzhia", "Zaporizhzhia region"),
    ("Dnipro", "Dnipropetrovsk region"),
    ("Sumy", "Sumy region"),
    ("Chernihiv", "Chernihiv region"),
    ("Kryvyi Rih", "Dnipropetrovsk region"),
    ("Nikopol", "Dnipropetrovsk region"),
    ("Mykolaiv", "Mykolaiv region"),
    ("Poltava", "Poltava region"),
    ("Kramatorsk", "Donetsk region"),
    ("Sloviansk", "Donetsk region"),
    ("Pokrovsk", "Donetsk region"),
    ("Lviv", "Lviv region"),
    ("Kyiv", "Kyiv region"),
    ("Bila Tserkva", "Kyiv region"),
    ("Cherkasy", "Cherkasy region"),
    ("Vinnytsia", "Vinnytsia region"),
    ("Izium", "Kharkiv region"),
    ("Kupiansk", "Kharkiv region"),
    ("Chuhuiv", "Kharkiv region"),
    ("Beryslav", "Kherson region"),
    ("Ochakiv", "Mykolaiv region"),
]
WEAPONS = [
    "drone",
    "Shahed drone",
    "ballistic missile",
    "cruise missile",
    "glide bomb",
    "artillery shell",
    "multiple rocket launcher",
    "Iskander missile",
    "FPV drone",
    "guided aerial bomb",
]
TARGETS = [
    "a residential building",
    "an apartment block",
    "a private house",
    "a car",
    "a bus stop",
    "an energy facility",
    "a grain warehouse",
    "a school",
    "a hospital",
    "a supermarket",
    "a railway station",
    "an industrial site",
    "a gas station",
    "a port facility",
]
OFFICIALS = [
    "Governor Oleh Syniehubov",
    "Governor Oleksandr Prokudin",
    "Governor Ivan Fedorov",
    "Mayor Ihor Terekhov",
    "regional head Serhiy Lysak",
    "Governor Vadym Filashkin",
    "Governor Oleh Kiper",
    "the regional military administration",
    "the State Emergency Service",
    "the prosecutor's office",
    "Interior Minister Ihor Klymenko",
    "the National Police",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TIMES = ["early on", "late on", "overnight into", "in the afternoon on", "in the morning on"]
NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

TEMPLATES = [
    "A {weapon} attack on {city} killed {k} people and wounded {i} others {when} {day}, {official} said.",
    "Russian forces struck {target} in {city} with a {weapon} {when} {day}, according to {official}.",
    "{official} said {k} people were killed and at least {i} injured when a {weapon} hit {target} in {city}.",
    "The attack damaged {target} and several nearby buildings, and fires broke out across {n} sites.",
    "Emergency crews worked through the night to pull survivors from the rubble, {official} said.",
    "Among the wounded were {c} children, who were taken to hospital in {city}.",
    "Air defence units shot down {d} of {d2} drones launched overnight against the {region}, the air force "
    "said.",
    "Russia has not commented on the strike on {target}, and it was not possible to verify the reports.",
    "Moscow says it targets only military infrastructure, a claim Ukraine and its allies reject.",
    "The {region} has come under near daily shelling since the start of the full-scale invasion.",
    "Photos published by {official} showed burnt-out cars and shattered windows near {target}.",
    "Local authorities declared {day2} a day of mourning in {city} after the attack.",
    "The strike on {city} came hours after a {weapon} attack on {city2} left {k2} people dead.",
    "President Volodymyr Zelensky renewed his call for more air defence systems after the attack on {city}.",
    "Power was cut to about {p} households in the {region}, the energy ministry said.",
    "The {weapon} hit {target} shortly after an air-raid alert was declared for the {region}.",
    "Residents of {city} reported hearing at least {e} explosions before the sirens stopped.",
    "Ukraine's foreign ministry condemned the strike on {city} as a deliberate attack on civilians.",
    "The death toll could still rise as rescuers search the site, {official} said in a Telegram post.",
    "Police opened a criminal investigation into the attack on {target} in the {region}.",
]
HEADLINES = [
    "{weapon} strike on {city} kills {k}",
    "Russian attack hits {city}, {k} dead and {i} wounded",
    "Deadly strike in {city} as Russia targets the {region}",
    "{city}: {k} killed in {weapon} attack",
]
BYLINES = [
    "By Olena Harmash",
    "By Tom Balmforth and Max Hunder",
    "By Yuliia Dysa, Reuters",
    "By Hanna Arhirova and Samya Kullab",
]
DATELINES = [
    "KYIV (Reuters) - ",
    "KHARKIV, Ukraine (AP) \u2014 ",
    "ODESA, Ukraine, July 14 (Reuters) - ",
    "ZAPORIZHZHIA (AFP) - ",
]
SYNONYMS = {
    "killed": "left dead",
    "wounded": "injured",
    "attack": "strike",
    "said": "reported",
    "hit": "struck",
    "people": "civilians",
    "night": "evening",
    "damaged": "destroyed",
    "search": "comb",
    "hours": "minutes",
    "condemned": "denounced",
    "declared": "announced",
}


@dataclass(frozen=True)
class Doc:
    doc_id: str
    story: int
    text: str
    is_copy: bool
    city: str = ""
    region: str = ""


def make_story(
    rng: random.Random, sibling_of: dict[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """A story's headline and sentences, and its slots. A sibling is another strike on the same city told by
    the same official with the same weapon on another day: the hardest negatives."""
    city, region = rng.choice(CITIES)
    city2, _ = rng.choice([c for c in CITIES if c[0] != city])
    slots = {
        "city": city,
        "region": region,
        "city2": city2,
        "weapon": rng.choice(WEAPONS),
        "target": rng.choice(TARGETS),
        "official": rng.choice(OFFICIALS),
        "day": rng.choice(DAYS),
        "day2": rng.choice(DAYS),
        "when": rng.choice(TIMES),
        "k": rng.choice([*NUMBER_WORDS, *map(str, range(11, 40))]),
        "k2": rng.choice(NUMBER_WORDS),
        "i": str(rng.randint(2, 80)),
        "c": rng.choice(NUMBER_WORDS[:5]),
        "n": rng.choice(NUMBER_WORDS[1:6]),
        "d": str(rng.randint(10, 60)),
        "d2": str(rng.randint(61, 120)),
        "p": f"{rng.randint(2, 90)},000",
        "e": rng.choice(NUMBER_WORDS[2:]),
    }
    if sibling_of is not None:
        slots.update({k: sibling_of[k] for k in ("city", "region", "city2", "official", "weapon")})
    chosen = rng.sample(TEMPLATES, rng.randint(8, 11))
    sentences = [t.format(**slots) for t in chosen]
    sentences[0] = sentences[0][0].upper() + sentences[0][1:]
    return [rng.choice(HEADLINES).format(**slots), *sentences], slots


def render(parts: list[str]) -> str:
    """Headline on its own line, body as two paragraphs."""
    head, body = parts[0], parts[1:]
    mid = len(body) // 2
    return f"{head}\n\n" + " ".join(body[:mid]) + "\n\n" + " ".join(body[mid:])


def edit(parts: list[str], kind: str, rng: random.Random) -> str:
    head, body = parts[0], list(parts[1:])
    if kind == "reorder":
        rng.shuffle(body)
        return render([head, *body])
    if kind == "change_word":
        idx = rng.randrange(len(body))
        words = body[idx].split()
        hits = [j for j, w in enumerate(words) if w.strip(".,") in SYNONYMS]
        j = rng.choice(hits) if hits else rng.randrange(len(words))
        bare = words[j].strip(".,")
        words[j] = words[j].replace(bare, SYNONYMS.get(bare, bare + "s"))
        body[idx] = " ".join(words)
        return render([head, *body])
    if kind == "byline":
        return rng.choice(BYLINES) + "\n\n" + rng.choice(DATELINES) + render([head, *body])
    if kind == "headline":
        return render([head, *body]).replace(head, f"UPDATE 2-{head}", 1)
    if kind == "drop_sentence":
        del body[rng.randrange(len(body))]
        return render([head, *body])
    if kind == "no_headline":
        return " ".join(body)
    raise ValueError(kind)


EDITS = ["reorder", "change_word", "byline", "headline", "drop_sentence", "no_headline"]


def build(stories: int, seed: int) -> list[Doc]:
    rng = random.Random(seed)
    docs: list[Doc] = []
    pending: list[Doc] = []
    earlier: list[dict[str, str]] = []
    for s in range(stories):
        parts, slots = make_story(rng, rng.choice(earlier) if earlier and rng.random() < 0.4 else None)
        earlier.append(slots)
        docs.append(Doc(f"s{s}", s, render(parts), False, slots["city"], slots["region"]))
        # Two single edits and one double edit per story, released a little later in the stream.
        for c, picked in enumerate([[rng.choice(EDITS)], [rng.choice(EDITS)], rng.sample(EDITS[:5], 2)]):
            kinds = sorted(picked, key=lambda k: k == "byline")  # a byline goes on top of the finished text
            text = render(parts)
            for kind in kinds:
                if kind in ("reorder", "change_word", "drop_sentence"):
                    # Re-derive the parts from the current text so edits compose.
                    lines = [ln for ln in text.split("\n\n") if ln]
                    head = lines[0]
                    body = [x.rstrip(".") + "." for x in " ".join(lines[1:]).split(". ") if x]
                    text = edit([head, *body], kind, rng)
                elif kind == "byline":
                    text = rng.choice(BYLINES) + "\n\n" + rng.choice(DATELINES) + text
                elif kind == "headline":
                    text = "UPDATE 1-" + text
                else:
                    text = text.split("\n\n", 1)[1] if "\n\n" in text else text
            pending.append(Doc(f"s{s}c{c}-{'+'.join(kinds)}", s, text, True, slots["city"], slots["region"]))
        while len(pending) > 30:
            docs.append(pending.pop(rng.randrange(len(pending))))
    docs.extend(pending)
    return docs


def evaluate(docs: list[Doc], params: DedupeParams) -> dict[str, float]:
    t0 = time.process_time()
    prepared = [(d, *sketch(d.text, params)) for d in docs]
    t_sig = time.process_time() - t0
    state = DedupeState.empty()
    story_of = {d.doc_id: d.story for d in docs}
    base = datetime(2025, 7, 1, tzinfo=UTC)
    tp = fp = fn = 0
    misses: dict[str, int] = {}
    t0 = time.process_time()
    decisions = [
        decide_report(d.doc_id, fp_, sig, base + timedelta(seconds=n), state, params)
        for n, (d, fp_, sig) in enumerate(prepared)
    ]
    t_dec = time.process_time() - t0
    for d, dec in zip(docs, decisions, strict=True):
        if dec.kind is not None:
            if d.is_copy and dec.duplicate_of is not None and story_of[dec.duplicate_of] == d.story:
                tp += 1
            else:
                fp += 1
        elif d.is_copy:
            fn += 1
            kind = d.doc_id.split("-", 1)[1]
            misses[kind] = misses.get(kind, 0) + 1
    n = len(docs)
    return {
        "reports": n,
        "copies": sum(d.is_copy for d in docs),
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "false_positives": fp,
        "false_negatives": fn,
        "misses": misses,  # type: ignore[dict-item]
        "sig_per_s": n / t_sig,
        "decide_per_s": n / t_dec,
        "both_per_s": n / (t_sig + t_dec),
    }


def stage_b_rate(docs: list[Doc], params: DedupeParams, per_hour: int = 250) -> tuple[float, int, float]:
    """Reports/s of the whole stage-B step (decide_report + corroborate + hourly expiry) on one core.

    Each story's report carries one strike mention in one of 40 towns of its region, 0.5 degrees apart
    (made-up coordinates), so copies and same-town stories corroborate and the rest stay apart. Reports
    arrive ``per_hour`` an hour of event time; expiry runs every event-time hour with the configured window
    but is timed apart (in production it runs once an hour of wall time, not per 250 reports).
    Returns the rate, the number of live canonical events at the end and the mean expiry time in seconds.
    """
    prepared = [(d, *sketch(d.text, params)) for d in docs]
    regions = sorted({r for _, r in CITIES})

    def mention(d: Doc) -> tuple[EventMention, ...]:
        town, row = d.story % 40, regions.index(d.region)
        place = Place(f"{d.region} town {town}", d.region, "UA", 40.0 + town * 0.5, 20.0 + row * 2.0, "city")
        return (EventMention(("strike",), location=place),)

    mentions = {d.doc_id: mention(d) for d in docs}
    state = DedupeState.empty()
    base = datetime(2025, 7, 1, tzinfo=UTC)
    window = timedelta(days=params.state_window_days)
    elapsed = expiring = 0.0
    expiries = 0
    for n, (d, fp_, sig) in enumerate(prepared):
        when = base + timedelta(hours=n / per_hour)
        t0 = time.process_time()
        decide_report(d.doc_id, fp_, sig, when, state, params)
        corroborate(d.doc_id, mentions[d.doc_id], when, state, params)
        t1 = time.process_time()
        elapsed += t1 - t0
        if n % per_hour == per_hour - 1:
            expire(state, when, window)
            expiring += time.process_time() - t1
            expiries += 1
    live = sum(1 for e in state.events.values() if not e["merged_into"])
    return len(docs) / elapsed, live, expiring / max(1, expiries)


def _print(label: str, r: dict[str, float]) -> None:
    print(
        f"{label}: reports={r['reports']} copies={r['copies']} precision={r['precision']:.4f} "
        f"recall={r['recall']:.4f} fp={r['false_positives']} fn={r['false_negatives']}\n"
        f"  throughput (one core): stage A fingerprint+signature {r['sig_per_s']:,.0f} reports/s, "
        f"stage B decide_report {r['decide_per_s']:,.0f} reports/s, both {r['both_per_s']:,.0f} reports/s\n"
        f"  misses by edit: {r['misses']}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=2000)
    ap.add_argument("--threshold", type=float, default=DedupeParams().near_duplicate_threshold)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sweep", action="store_true", help="also try other thresholds and shingle sizes")
    args = ap.parse_args()
    docs = build(args.stories, args.seed)
    avg = sum(len(d.text) for d in docs) / len(docs)
    print(f"{len(docs)} reports, mean {avg:.0f} characters")
    params = replace(DedupeParams(), near_duplicate_threshold=args.threshold)
    _print(f"threshold={args.threshold} shingle_words={params.shingle_words}", evaluate(docs, params))
    for per_hour in (50, 250):
        rate, live, expiry_s = stage_b_rate(docs, params, per_hour)
        print(
            f"  stage B decide_report+corroborate, {per_hour} reports/h of event time: {rate:,.0f} reports/s "
            f"({live} live events at the end); expire() takes {expiry_s * 1000:.1f} ms per call"
        )
    if args.sweep:
        for k in (2, 3, 4):
            for th in (0.55, 0.6, 0.65, 0.7, 0.8):
                p = replace(DedupeParams(), near_duplicate_threshold=th, shingle_words=k)
                _print(f"threshold={th} shingle_words={k}", evaluate(docs, p))


if __name__ == "__main__":
    main()
