"""``make bench``: run every benchmark in bench/, print their figures, write bench/results/<name>.json.

Run: ``.venv/bin/python bench/run_all.py [--only e2e,classify] [--e2e-args "--soak 500000"]``

Each ``bench_*.py`` here runs in its own subprocess, one after another (they would otherwise compete for the
machine's cores), with its output streamed as it comes. ``bench_e2e.py`` writes its own JSON (``--json``); for
the others the JSON records the command, exit status, wall time, the machine's load average before and after,
and every line the script printed (their figures are plain text lines such as ``throughput (cpu): …``).
A failing bench is reported and the rest still run; the exit status is 1 when any failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# Sizes chosen so the whole run stays within ~10 minutes on a 2-core machine (see bench/README.md);
# each script's own defaults are used when a bench is run by hand.
DEFAULT_ARGS: dict[str, list[str]] = {
    "classify": ["--n", "3000"],
    "dedupe": [],
    "sink": ["--items", "10000", "--repeat", "2"],
    # 6,000 pre-loaded reports: with 2,000 the worker's start-up ramp was a third of the measured span.
    "e2e": ["--reports", "6000", "--soak", "20000"],
}


def bench_names() -> list[str]:
    """``bench_<name>.py`` files next to this one, e2e last (it is the longest and uses every service)."""
    names = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    return sorted(names, key=lambda n: n == "e2e")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def run_one(name: str, extra: list[str]) -> dict[str, object]:
    out_path = RESULTS / f"{name}.json"
    cmd = [sys.executable, str(HERE / f"bench_{name}.py"), *DEFAULT_ARGS.get(name, []), *extra]
    if name == "e2e":
        cmd += ["--json", str(out_path)]
    print(f"\n=== {name}: {shlex.join(cmd[1:])}  (load {load_average()})", flush=True)
    load_before = load_average()
    t0 = time.perf_counter()
    lines: list[str] = []
    proc = subprocess.Popen(
        cmd,
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"  {line}", end="", flush=True)
        lines.append(line.rstrip("\n"))
    rc = proc.wait()
    summary: dict[str, object] = {
        "bench": name,
        "command": shlex.join(cmd[1:]),
        "returncode": rc,
        "seconds": round(time.perf_counter() - t0, 1),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_before": load_before,
        "load_after": load_average(),
        "output": lines,
    }
    if name == "e2e" and rc == 0 and out_path.exists():
        figures = json.loads(out_path.read_text())
        summary = {**figures, **{k: v for k, v in summary.items() if k != "bench"}}
    out_path.write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated bench names (default: all)")
    ap.add_argument("--e2e-args", default="", help='extra arguments for bench_e2e.py, e.g. "--soak 500000"')
    args = ap.parse_args()
    names = bench_names()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            ap.error(f"unknown bench(es) {unknown}; have {names}")
        names = [n for n in names if n in wanted]
    RESULTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    outcomes = []
    for name in names:
        extra = shlex.split(args.e2e_args) if name == "e2e" else []
        outcomes.append(run_one(name, extra))
    print(f"\n=== summary ({time.perf_counter() - started:.0f}s; load now {load_average()})")
    for o in outcomes:
        status = "ok" if o["returncode"] == 0 else f"FAILED (exit {o['returncode']})"
        print(
            f"  {o['bench']:<10} {status:<20} {o['seconds']:>7}s  -> {RESULTS / (str(o['bench']) + '.json')}"
        )
    return 0 if all(o["returncode"] == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
