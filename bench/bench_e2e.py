"""End-to-end benchmark: a real ``sitrep worker`` process between a real broker and a real PostgreSQL.

Run: ``.venv/bin/python bench/bench_e2e.py [--reports N] [--soak N] [--rate R] [--latency-seconds S]``
(the full soak is ``--soak 500000``). Everything is started here and torn down at the end: a dedicated
Kafka broker (``sitrep.broker.start_broker`` in a temporary home, free ports), a throwaway PostgreSQL
(``sinks.testing.throwaway_postgres``, ``fsync=off``) migrated to head, and one ``sitrep worker``
subprocess started exactly as an operator starts it. Broker, database, worker and this script share the
machine. The worker runs the code of the checkout this file lives in.

Phases, in one run and on one raw topic:

1. **throughput** -- ``--reports`` ~1.2 KB reports (built here from templates, deterministic for
   ``--seed``; 10 % exact and 10 % near duplicates of recent reports under new ids; ~290 reports per day
   of report time over 30 places) are pre-loaded into ``reports-raw-v1``; then the worker starts.
   Measured from ``/ready`` to the poll (every 50 ms) that sees the last report's row in ``reports``;
   the worker's CPU time over the same span is reported too (robust to other load on the machine).
   Two baselines read the same topic afterwards: a bare aiokafka consumer (no processing; all reports)
   and a naive kafka-python consumer that decodes, classifies and inserts row by row with the ORM
   (``session.add`` + ``commit`` per report, into a separate database; the first ``--naive`` reports).
2. **latency** -- with the worker caught up, a paced kafka-python producer offers ``--rate`` reports/s
   for ``--latency-seconds``. Each report's ``received_at`` is its send time (wall clock, same host); a
   poller thread asks the store every 10 ms which in-flight ids have a row and stamps each with the
   poll's start time. latency = first poll that saw the row - send time: an upper bound on
   produce->commit (a row is visible exactly when its transaction commits), late by at most one poll
   period plus the query. Percentiles are nearest-rank over *all* sent reports; reports not stored
   within 60 s of the last send count as slower than any stored one (shown as ``> 60 s``).
3. **soak** -- ``--soak`` more reports are produced while the worker runs and drained; the worker's RSS
   (with children; psutil when installed, else /proc) is sampled at the start, middle (half the rows
   stored) and end of the drain.

Prints a table and writes the figures as JSON (``--json PATH``; ``bench/run_all.py`` passes
``bench/results/bench_e2e.json``). Goals (issue 5): >= 5,000 reports/s, >= 0.5x the bare consumer,
>= 10x the naive consumer, p99 <= 1 s at 1,000/s, RSS flat within 10 %.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
from sqlalchemy import Engine, bindparam, func, select  # noqa: E402

# --- deterministic ~1 KB reports ------------------------------------------------------------------------
# Own templates (not from any labelled corpus): wire-style paragraphs mixing the four event types with
# background sentences, so the classifier does its ordinary amount of work per report.

CITIES = [
    (city, f"{region} region")
    for city, region in [
        ("Kharkiv", "Kharkiv"),
        ("Odesa", "Odesa"),
        ("Zaporizhzhia", "Zaporizhzhia"),
        ("Dnipro", "Dnipropetrovsk"),
        ("Sumy", "Sumy"),
        ("Kherson", "Kherson"),
        ("Mykolaiv", "Mykolaiv"),
        ("Poltava", "Poltava"),
        ("Chernihiv", "Chernihiv"),
        ("Kramatorsk", "Donetsk"),
        ("Lviv", "Lviv"),
        ("Kryvyi Rih", "Dnipropetrovsk"),
        ("Nikopol", "Dnipropetrovsk"),
        ("Sloviansk", "Donetsk"),
        ("Kyiv", "Kyiv"),
        ("Vinnytsia", "Vinnytsia"),
        ("Zhytomyr", "Zhytomyr"),
        ("Cherkasy", "Cherkasy"),
        ("Kropyvnytskyi", "Kirovohrad"),
        ("Rivne", "Rivne"),
        ("Lutsk", "Volyn"),
        ("Ternopil", "Ternopil"),
        ("Khmelnytskyi", "Khmelnytskyi"),
        ("Uzhhorod", "Zakarpattia"),
        ("Ivano-Frankivsk", "Ivano-Frankivsk"),
        ("Chernivtsi", "Chernivtsi"),
        ("Pavlohrad", "Dnipropetrovsk"),
        ("Kupiansk", "Kharkiv"),
        ("Izium", "Kharkiv"),
        ("Bilhorod-Dnistrovskyi", "Odesa"),
    ]
]
WEAPONS = [
    "a Shahed drone",
    "two guided aerial bombs",
    "a ballistic missile",
    "multiple rocket launchers",
    "a cruise missile",
    "an FPV drone",
    "heavy artillery",
    "a glide bomb",
]
NUMBERS = ["one", "two", "three", "four", "five", "seven", "nine", "12", "14", "23"]
AIRFRAMES = ["Su-34 bomber", "Mi-24 helicopter", "Su-25 attack jet", "Ka-52 helicopter", "Orlan-10 drone"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SOURCES = ["Bench Wire", "Regional Desk", "Morning Ledger", "Eastern Bulletin", "Field Notes"]

LEADS = [
    "Russian forces attacked {city} with {weapon} on {day}, damaging an apartment block and a warehouse, "
    "the head of the {region} military administration wrote on Telegram.",
    "{Weapon} hit the outskirts of {city} overnight into {day}, according to emergency services in the "
    "{region}.",
    "An enemy strike on {city} in the {region} on {day} left {n} people dead and {m} injured, "
    "officials said.",
    "Air defence units destroyed {n} of {k} drones launched against the {region} overnight, the air force "
    "reported on {day} morning.",
    "The General Staff said a Russian {airframe} was shot down near {city} on {day}.",
]
FOLLOWS = [
    "{N} people were killed and {m} were wounded, among them a teenager, the regional prosecutor's "
    "office said.",
    "Firefighters put out a blaze at a logistics depot; {m} people sought medical help.",
    "An air raid alert in the {region} lasted almost four hours.",
    "Rescuers pulled {n} bodies from under the rubble of a two-storey house.",
    "Local authorities opened shelters and handed out drinking water to residents of the damaged streets.",
    "The attack also cut power to several villages near {city}, the grid operator said.",
    "Romania and Moldova reported no violations of their airspace during the night.",
    "Emergency crews worked until dawn and the search operation was declared complete.",
    "A kindergarten, a pharmacy and about twenty private houses were damaged by the blast wave.",
    "Prosecutors opened a war crimes investigation into the attack.",
    "The claims could not be verified independently.",
    "Residents were asked to stay in shelters until the all-clear sounded.",
]


def make_text(rng: random.Random, target: int = 1000) -> tuple[str, str]:
    city, region = rng.choice(CITIES)
    fill = {
        "city": city,
        "region": region,
        "weapon": rng.choice(WEAPONS),
        "day": rng.choice(WEEKDAYS),
        "n": rng.choice(NUMBERS),
        "N": rng.choice(NUMBERS).capitalize(),
        "m": rng.choice(NUMBERS),
        "k": str(rng.randint(15, 90)),
        "airframe": rng.choice(AIRFRAMES),
    }
    fill["Weapon"] = fill["weapon"][0].upper() + fill["weapon"][1:]
    parts = [rng.choice(LEADS).format(**fill)]
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(rng.choice(FOLLOWS).format(**fill))
    title = f"{fill['weapon'].capitalize()} attack on {city}"
    return " ".join(parts), title


@dataclass
class Corpus:
    """Encoded raw messages (key, value); ``ids`` in order."""

    messages: list[tuple[bytes, bytes]] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [k.decode() for k, _ in self.messages]


STRIDE_S = 300  # seconds of report time between consecutive reports


def make_corpus(n: int, *, seed: int, prefix: str, start: datetime, dup_share: float = 0.2) -> Corpus:
    """``n`` raw reports from ``start`` on; ``dup_share``: half exact, half near duplicates (new ids)."""
    rng = random.Random(seed)
    texts: list[tuple[str, str]] = []
    corpus = Corpus()
    for i in range(n):
        roll = rng.random()
        if texts and roll < dup_share / 2:
            body, title = rng.choice(texts[-500:])  # re-published verbatim by another outlet
        elif texts and roll < dup_share:
            body, title = rng.choice(texts[-500:])  # lightly edited re-publication
            body = (
                body
                + " "
                + rng.choice(FOLLOWS).format(city="the city", region="region", n="two", N="Two", m="three")
            )
        else:
            body, title = make_text(rng)
            texts.append((body, title))
        # About 290 reports a day over 30 places: a few reports per place and day, as in a real feed, so
        # canonical events gather a handful of sources rather than thousands.
        published = start + timedelta(seconds=i * STRIDE_S + rng.randint(0, 600))
        rid = f"{prefix}-{i:07d}"
        doc = {
            "schema_version": 1,
            "id": rid,
            "text": body,
            "title": title,
            "source": rng.choice(SOURCES),
            "url": f"https://bench.invalid/{rid}",
            "published_at": published.isoformat(),
        }
        corpus.messages.append((rid.encode(), orjson.dumps(doc)))
    return corpus


# --- services ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def preload(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> float:
    """Send every message (acks=all, gzip, as ``sitrep ingest`` does); return the seconds it took."""
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        compression_type="gzip",
        linger_ms=20,
        batch_size=256 * 1024,
        max_request_size=2 * 1024 * 1024,
    )
    t0 = time.perf_counter()
    futures = [producer.send(topic, key=k, value=v) for k, v in messages]
    producer.flush()
    for f in futures[-1:]:
        f.get(timeout=60)
    producer.close()
    return time.perf_counter() - t0


def count_rows(engine: Engine, prefix: str) -> int:
    from sinks.models import Report

    with engine.connect() as conn:
        return int(
            conn.scalar(select(func.count()).select_from(Report).where(Report.id.like(f"{prefix}-%"))) or 0
        )


class Worker:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180.0) -> float:
        """Start ``sitrep worker``; return the perf_counter time at which ``/ready`` first answered 200."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sitrep.cli", "worker"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"worker exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                url = f"http://127.0.0.1:{self.env['SITREP_WEB_PORT']}/ready"
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return time.perf_counter()
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise SystemExit(f"worker not ready within {timeout}s:\n{self.tail()}")

    def rss(self) -> int:
        """Resident set size of the worker and its children, in bytes."""
        assert self.proc is not None
        try:
            import psutil
        except ImportError:
            return _proc_rss(self.proc.pid)
        proc = psutil.Process(self.proc.pid)
        return int(proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True)))

    def cpu_seconds(self) -> float:
        """User + system CPU time of the worker and its live children (stage A's pool processes) so far:
        robust to other load, unlike wall time."""
        assert self.proc is not None
        try:
            import psutil
        except ImportError:
            return _proc_cpu(self.proc.pid)
        proc = psutil.Process(self.proc.pid)
        total = 0.0
        for p in [proc, *proc.children(recursive=True)]:
            try:
                times = p.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _proc_cpu(pid: int) -> float:
    """utime + stime of ``pid`` and its live children from /proc, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        total += sum(_proc_cpu(int(child)) for child in children)
    return total


def _proc_rss(pid: int) -> int:
    """VmRSS of ``pid`` and its descendants from /proc (Linux), for machines without psutil."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) * 1024
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        total += sum(_proc_rss(int(child)) for child in children)
    return total


def wait_for_rows(
    engine: Engine,
    prefix: str,
    want: int,
    worker: Worker,
    *,
    timeout: float,
    period: float = 0.05,
    on_progress: Callable[[int], None] | None = None,
) -> float:
    """Poll until ``want`` rows with ``prefix`` exist; return the perf_counter time of the poll that did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = time.perf_counter()
        n = count_rows(engine, prefix)
        if on_progress is not None:
            on_progress(n)
        if n >= want:
            return t
        if not worker.alive():
            raise SystemExit(f"worker died:\n{worker.tail()}")
        time.sleep(period)
    raise SystemExit(f"only {count_rows(engine, prefix)} of {want} rows within {timeout}s:\n{worker.tail()}")


# --- baselines ---------------------------------------------------------------------------------------


def bare_consumer_rate(bootstrap: str, topic: str, expect: int) -> float:
    """reports/s of a plain aiokafka consumer reading ``expect`` messages from the start (no processing)."""
    from aiokafka import AIOKafkaConsumer

    async def run() -> float:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
            max_partition_fetch_bytes=4 * 1024 * 1024,
            fetch_max_bytes=16 * 1024 * 1024,
        )
        await consumer.start()
        try:
            seen = 0
            t0 = time.perf_counter()
            while seen < expect:
                batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
                seen += sum(len(b) for b in batches.values())
            return seen / (time.perf_counter() - t0)
        finally:
            await consumer.stop()

    return asyncio.run(run())


def naive_consumer_rate(bootstrap: str, topic: str, url: str, limit: int) -> float:
    """reports/s of decode + classify + ORM insert with a commit per report, for the first ``limit``."""
    from kafka import KafkaConsumer
    from sqlalchemy.orm import Session

    import schemas
    from sinks.models import Report
    from sinks.store import make_engine
    from sitrep.classify import load_classifier

    classify = load_classifier(None)  # loaded before the clock starts, as the worker does
    engine = make_engine(url)
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=10_000,
    )
    done = 0
    t0 = time.perf_counter()
    try:
        for msg in consumer:
            report = schemas.decode_report(msg.value, max_bytes=1_048_576)
            classification = classify(report)
            with Session(engine) as session:
                session.add(
                    Report(
                        id=report.id,
                        title=report.title,
                        source=report.source,
                        url=report.url,
                        text=report.text,
                        published_at=report.published_at,
                        fingerprint="",
                        kafka_topic=msg.topic,
                        kafka_partition=msg.partition,
                        kafka_offset=msg.offset,
                        classifier_version=classification.classifier_version,
                    )
                )
                session.commit()
            done += 1
            if done >= limit:
                break
    finally:
        consumer.close()
        engine.dispose()
    return done / (time.perf_counter() - t0)


# --- latency -----------------------------------------------------------------------------------------


def latency_run(
    bootstrap: str,
    topic: str,
    engine: Engine,
    worker: Worker,
    *,
    rate: int,
    seconds: float,
    seed: int,
    start: datetime,
) -> dict[str, Any]:
    """Offer ``rate`` reports/s for ``seconds``; return produce->row latency percentiles (seconds)."""
    from kafka import KafkaProducer

    from sinks.models import Report

    n = int(rate * seconds)
    corpus = make_corpus(n, seed=seed + 1, prefix="lat", start=start)
    docs = [orjson.loads(v) for _, v in corpus.messages]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip", linger_ms=2)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def poll() -> None:
        stmt = select(Report.id).where(Report.id.in_(bindparam("ids", expanding=True)))
        with engine.connect() as conn:
            while not stop.is_set():
                with lock:
                    pending = [i for i in sent if i not in seen]
                if not pending:
                    time.sleep(0.01)
                    continue
                t = time.time()
                found = conn.scalars(stmt, {"ids": pending}).all()
                conn.rollback()  # end the snapshot so the next poll sees newer commits
                with lock:
                    for rid in found:
                        seen.setdefault(rid, t)
                time.sleep(max(0.0, 0.01 - (time.time() - t)))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    t_start = time.perf_counter()
    for i, doc in enumerate(docs):
        due = t_start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        now = time.time()
        doc["received_at"] = datetime.fromtimestamp(now, UTC).isoformat()  # the report carries its send time
        with lock:
            sent[doc["id"]] = now
        producer.send(topic, key=doc["id"].encode(), value=orjson.dumps(doc))
    offered_s = time.perf_counter() - t_start
    producer.flush()
    producer.close()
    drain_wait_s = 60.0
    deadline = time.monotonic() + drain_wait_s
    while time.monotonic() < deadline and len(seen) < n and worker.alive():
        time.sleep(0.1)
    stop.set()
    poller.join()
    # Reports not stored within the wait count as slower than any stored one: a percentile that falls
    # among them is reported as None ("not stored within drain_wait_s"), never as a flattering number.
    lat = sorted(seen[i] - sent[i] for i in seen)

    def pct(p: float) -> float | None:
        rank = max(0, math.ceil(p / 100 * n) - 1)  # nearest-rank percentile over all sent
        return round(lat[rank], 4) if rank < len(lat) else None

    return {
        "offered_rate": rate,
        "achieved_offer_rate": round(n / offered_s, 1),
        "sent": n,
        "stored": len(seen),
        "drain_wait_s": drain_wait_s,
        "poll_period_s": 0.01,
        "p50_s": pct(50),
        "p95_s": pct(95),
        "p99_s": pct(99),
        "max_s": round(lat[-1], 4) if lat and len(lat) == n else None,
    }


# --- main --------------------------------------------------------------------------------------------


def code_version() -> str:
    """The commit the worker runs (``-dirty`` with uncommitted changes): figures belong to a version."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--exclude", "*"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


@contextlib.contextmanager
def services(workdir: Path) -> Iterator[tuple[str, Any]]:
    """A dedicated broker and a throwaway PostgreSQL server; both stopped on exit."""
    from sinks.testing import throwaway_postgres
    from sitrep.broker import start_broker, stop_broker
    from sitrep.settings import Settings

    home = workdir / "kafka"
    home.mkdir()
    info = start_broker(home, port=None, version=Settings().kafka_version, ready_timeout=180)
    try:
        with throwaway_postgres() as pg:
            yield info.bootstrap, pg
    finally:
        stop_broker(home)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=2_000, help="pre-loaded reports for the throughput phase")
    ap.add_argument("--naive", type=int, default=200, help="reports the naive row-by-row consumer handles")
    ap.add_argument("--rate", type=int, default=1_000, help="offered reports/s in the latency phase")
    ap.add_argument("--latency-seconds", type=float, default=10.0, help="how long the rate is offered")
    ap.add_argument("--soak", type=int, default=3_000, help="reports in the soak phase (0 skips it)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, default=None, help="write the figures here as JSON")
    ap.add_argument(
        "--worker-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the worker, e.g. SITREP_SINK_BATCH_SIZE=1000 (repeatable; for A/B runs)",
    )
    ap.add_argument("--keep-log", type=Path, default=None, help="copy the worker's log here")
    args = ap.parse_args()

    from sinks import migrate
    from sinks.store import make_engine
    from sitrep.settings import Settings
    from sitrep.topics import ensure_topics

    results: dict[str, Any] = {
        "bench": "e2e",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_before": load_average(),
        "code": code_version(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    }
    start = datetime(2026, 1, 5, tzinfo=UTC)
    t0 = time.perf_counter()
    print(f"generating {args.reports} + {args.soak} reports ...", flush=True)
    corpus = make_corpus(args.reports, seed=args.seed, prefix="tp", start=start)
    sizes = [len(v) for _, v in corpus.messages]
    results["avg_message_bytes"] = round(sum(sizes) / len(sizes))
    print(
        f"  {len(sizes)} messages, avg {results['avg_message_bytes']} bytes ({time.perf_counter() - t0:.1f}s)"
    )

    with tempfile.TemporaryDirectory(prefix="sitrep-bench-") as tmp, services(Path(tmp)) as (bootstrap, pg):
        workdir = Path(tmp)
        db = pg.create_database("bench")
        naive_db = pg.create_database("naive")
        url, naive_url = pg.url(db), pg.url(naive_db)
        migrate.upgrade(url)
        migrate.upgrade(naive_url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
        env.update(
            SITREP_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
            SITREP_DATABASE_URL=url,
            SITREP_APP_ID="sitrep-bench",
            SITREP_DATA_DIR=str(workdir / "var"),
            SITREP_WEB_PORT=str(free_port()),
        )
        env.update(dict(item.split("=", 1) for item in args.worker_env))
        settings = Settings(kafka_bootstrap_servers=bootstrap, database_url=url)
        ensure_topics(settings)
        raw = settings.topic_raw
        print(f"preloading {args.reports} reports into {raw} ...", flush=True)
        results["preload_s"] = round(preload(bootstrap, raw, corpus.messages), 2)
        engine = make_engine(url)

        # 1. throughput
        worker = Worker(env, workdir / "worker.log")
        try:
            results["load_at_throughput"] = load_average()
            ready = worker.start()
            rss_ready, cpu_ready = worker.rss(), worker.cpu_seconds()
            done = wait_for_rows(engine, "tp", args.reports, worker, timeout=3600)
            elapsed, cpu = done - ready, worker.cpu_seconds() - cpu_ready
            e2e = args.reports / elapsed
            results["throughput"] = {
                "reports": args.reports,
                "seconds": round(elapsed, 2),
                "reports_per_s": round(e2e, 1),
                "worker_cpu_s": round(cpu, 2),
                "reports_per_worker_cpu_s": round(args.reports / cpu, 1),
            }
            print(
                f"  worker: {args.reports} reports in {elapsed:.1f}s = {e2e:.0f}/s "
                f"({cpu:.1f} worker CPU-s = {args.reports / cpu:.0f} reports per CPU-s)",
                flush=True,
            )
            bare = bare_consumer_rate(bootstrap, raw, args.reports)
            print(f"  bare aiokafka consumer: {bare:.0f}/s", flush=True)
            naive = naive_consumer_rate(bootstrap, raw, naive_url, min(args.naive, args.reports))
            print(f"  naive ORM consumer: {naive:.1f}/s", flush=True)
            results["bare_consumer_per_s"] = round(bare, 1)
            results["naive_consumer_per_s"] = round(naive, 1)
            results["ratio_to_bare"] = round(e2e / bare, 4)
            results["ratio_to_naive"] = round(e2e / naive, 2)

            # Each phase's reports follow the previous phase's in report time, as a live feed's would.
            soak_start = start + timedelta(seconds=args.reports * STRIDE_S + 3600)
            lat_start = soak_start + timedelta(seconds=args.soak * STRIDE_S + 3600)

            # 2. soak: RSS at start, middle and end of draining --soak more reports
            if args.soak:
                soak = make_corpus(args.soak, seed=args.seed + 2, prefix="soak", start=soak_start)
                results["load_at_soak"] = load_average()
                samples: dict[str, int] = {"ready": rss_ready, "start": worker.rss()}
                print(
                    f"soak: {args.soak} reports (worker RSS {samples['start'] / 2**20:.0f} MiB) ...",
                    flush=True,
                )
                sender = threading.Thread(target=preload, args=(bootstrap, raw, soak.messages), daemon=True)
                t_soak = time.perf_counter()
                sender.start()

                def sample_middle(n: int) -> None:
                    if "middle" not in samples and n >= args.soak // 2:
                        samples["middle"] = worker.rss()

                end = wait_for_rows(
                    engine,
                    "soak",
                    args.soak,
                    worker,
                    timeout=24 * 3600,
                    period=0.25,
                    on_progress=sample_middle,
                )
                samples["end"] = worker.rss()
                sender.join()
                mib = {k: round(v / 2**20, 1) for k, v in samples.items()}
                growth = (samples["end"] - samples["start"]) / samples["start"]
                results["soak"] = {
                    "reports": args.soak,
                    "seconds": round(end - t_soak, 1),
                    "reports_per_s": round(args.soak / (end - t_soak), 1),
                    "rss_mib": mib,
                    "rss_growth_start_to_end": round(growth, 4),
                }
                print(f"  {results['soak']}", flush=True)
            # 3. latency at a fixed offered rate (last: what the worker cannot drain in time stays behind)
            results["load_at_latency"] = load_average()
            print(f"latency: offering {args.rate}/s for {args.latency_seconds:.0f}s ...", flush=True)
            cpu_before, t_before = worker.cpu_seconds(), time.perf_counter()
            results["latency"] = latency_run(
                bootstrap,
                raw,
                engine,
                worker,
                rate=args.rate,
                seconds=args.latency_seconds,
                seed=args.seed,
                start=lat_start,
            )
            # The worker's CPU share while offered a fixed rate: near 1.0 means it is saturated, well
            # below 1.0 with high latency means it is waiting (batching timers, flushes), not working.
            results["latency"]["worker_cpu_share"] = round(
                (worker.cpu_seconds() - cpu_before) / (time.perf_counter() - t_before), 3
            )
            print(f"  {results['latency']}", flush=True)

        finally:
            worker.stop()
            if args.keep_log:
                args.keep_log.write_bytes((workdir / "worker.log").read_bytes())
            engine.dispose()
    results["load_after"] = load_average()
    results["total_s"] = round(time.perf_counter() - t0, 1)
    print_table(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def print_table(r: dict[str, Any]) -> None:
    goal = {True: "ok", False: "MISSED"}
    tp = r["throughput"]["reports_per_s"]
    rows = [
        ("end-to-end throughput", f"{tp:.0f} reports/s", ">= 5000", goal[tp >= 5000]),
        ("  per worker CPU-second", f"{r['throughput']['reports_per_worker_cpu_s']:.0f} reports", "", ""),
        ("bare aiokafka consumer", f"{r['bare_consumer_per_s']:.0f} reports/s", "", ""),
        ("  ratio worker / bare", f"{r['ratio_to_bare']:.3f}", ">= 0.5", goal[r["ratio_to_bare"] >= 0.5]),
        ("naive ORM consumer", f"{r['naive_consumer_per_s']:.1f} reports/s", "", ""),
        ("  ratio worker / naive", f"{r['ratio_to_naive']:.2f}x", ">= 10x", goal[r["ratio_to_naive"] >= 10]),
    ]
    lat = r.get("latency")
    if lat:
        for p in ("p50", "p95", "p99"):
            value = lat[p + "_s"]
            shown = f"{value * 1000:.0f} ms" if value is not None else f"> {lat['drain_wait_s']:.0f} s"
            rows.append(
                (
                    f"latency {p} @ {lat['offered_rate']}/s",
                    shown,
                    "<= 1000 ms" if p == "p99" else "",
                    goal[(lat["p99_s"] or 1e9) <= 1.0] if p == "p99" else "",
                )
            )
        rows.append(("  stored / sent", f"{lat['stored']} / {lat['sent']}", "", ""))
    soak = r.get("soak")
    if soak:
        m = soak["rss_mib"]
        rows.append(
            (
                f"worker RSS, soak of {soak['reports']}",
                f"{m['start']} / {m.get('middle', '?')} / {m['end']} MiB",
                "start/mid/end",
                "",
            )
        )
        g = soak["rss_growth_start_to_end"]
        rows.append(("  RSS growth start->end", f"{g * 100:+.1f} %", "within 10 %", goal[abs(g) <= 0.10]))
        rows.append(("  soak drain rate", f"{soak['reports_per_s']:.0f} reports/s", "", ""))
    width = max(len(a) for a, *_ in rows)
    print(
        f"\nsitrep end-to-end bench  ({r['cpus']} cpus; code {r['code']}; "
        f"load before {r['load_before']}, after {r['load_after']})"
    )
    for name, value, target, verdict in rows:
        print(f"  {name:<{width}}  {value:>24}  {target:>14}  {verdict}")


if __name__ == "__main__":
    sys.exit(main())
