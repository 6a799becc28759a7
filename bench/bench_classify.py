"""Throughput of the classifier on ~1 KB reports built from templates (not from any real corpus).

Run: ``.venv/bin/python bench/bench_classify.py [--n 5000] [--seed 7] [--cold]``. Prints reports/s and
µs/report on one core, after the rules and gazetteer are loaded (load time is printed separately).

The classifier caches its reading of each sentence; templated reports repeat sentences far more than real news
does, so ``--cold`` empties those caches before every report (the rate for text never seen before).
Without ``--cold`` a second pass over the same reports is also timed (every sentence read before: what is
left is the per-report work).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sitrep.classify import load_classifier
from sitrep.model import Report

PLACES = ["Kharkiv", "Kherson", "Odesa", "Sumy", "Nikopol", "Zaporizhzhia", "Dnipro", "Kramatorsk", "Poltava"]
REGIONS = ["Donetsk region", "Kharkiv oblast", "Sumy region", "Kherson region", "Mykolaiv oblast"]
WEAPONS = ["a drone", "a ballistic missile", "a glide bomb", "artillery shells", "an Iskander missile"]
COUNTS = [
    "two",
    "three",
    "one person",
    "at least 11 people",
    "dozens of people",
    "a woman",
    "seven civilians",
]
AIRFRAMES = ["Su-25", "Ka-52", "Mi-8 helicopter", "Su-34", "F-16"]
SENTENCES = [
    "{W} struck a residential building in {P} early on {D}, local officials said.",
    "The strike killed {C} and wounded {C2}, including a child, according to the regional governor.",
    "Rescue teams worked through the night to clear the rubble of the five-storey building.",
    "In the {R}, shelling damaged a school and several private houses; no casualties were reported.",
    "Air defence forces shot down {N} of {M} drones launched overnight, the air force said on Telegram.",
    "An air-raid alert lasted for more than three hours across the east of the country.",
    "Separately, the military said a Russian {A} was shot down near the front line.",
    "The ministry said the figures could not be independently verified.",
    "Officials warned that further attacks on energy infrastructure were likely in the coming weeks.",
    "Since the start of the war, thousands of civilians have been killed in the region.",
    "Poland scrambled fighter jets as a precaution, its operational command said.",
    "Power was cut to about 40,000 households after the attack, the energy company reported.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def make_report(rng: random.Random, i: int, target: int = 1000) -> Report:
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(
            rng.choice(SENTENCES).format(
                W=rng.choice(WEAPONS).capitalize(),
                P=rng.choice(PLACES),
                D=rng.choice(DAYS),
                C=rng.choice(COUNTS),
                C2=rng.choice(COUNTS),
                R=rng.choice(REGIONS),
                N=rng.randint(5, 40),
                M=rng.randint(41, 90),
                A=rng.choice(AIRFRAMES),
            )
        )
    return Report(id=f"bench-{i}", text=" ".join(parts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000, help="reports to classify")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cold", action="store_true", help="empty the per-sentence caches before every report")
    args = ap.parse_args()
    t0 = time.perf_counter()
    classifier = load_classifier()
    load_s = time.perf_counter() - t0
    rng = random.Random(args.seed)
    reports = [make_report(rng, i) for i in range(args.n)]
    avg_len = sum(len(r.text) for r in reports) / len(reports)
    for r in reports[:200]:  # warm caches (number words, regex state)
        classifier(r)
    t1, c1 = time.perf_counter(), time.process_time()
    events = 0
    for r in reports:
        if args.cold:
            classifier.clear_sentence_caches()
        events += len(classifier(r).events)
    elapsed, cpu = time.perf_counter() - t1, time.process_time() - c1
    mode = "  [cold: sentence caches emptied per report]" if args.cold else ""
    print(f"load (rules + gazetteer): {load_s:.2f} s{mode}")
    print(f"reports: {len(reports)}  avg length: {avg_len:.0f} chars  events: {events}")
    per_wall, per_cpu = elapsed / len(reports) * 1e6, cpu / len(reports) * 1e6
    print(f"throughput (wall): {len(reports) / elapsed:,.0f} reports/s  ({per_wall:.0f} µs/report)")
    # CPU time of this process: the one-core figure, robust to other load on a shared machine.
    print(f"throughput (cpu):  {len(reports) / cpu:,.0f} reports/s  ({per_cpu:.0f} µs/report)")
    if not args.cold:
        # The same reports again: every sentence has been read once, as for a re-sent or re-published report;
        # what is left is the per-report work (splitting, places, coreference). Not the rate for new text.
        c2 = time.process_time()
        for r in reports:
            classifier(r)
        cpu2 = time.process_time() - c2
        print(
            f"second pass, every sentence seen before (cpu): {len(reports) / cpu2:,.0f} reports/s  "
            f"({cpu2 / len(reports) * 1e6:.0f} µs/report)"
        )


if __name__ == "__main__":
    main()
