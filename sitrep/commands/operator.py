"""Commands for running and watching the pipeline: demo, ingest, subscribe, status."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sitrep.errors import SitrepError
from sitrep.settings import Settings

# Piped output (CI logs, `| less`) gets a readable width instead of rich's 80-column fallback.
console = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True)

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "reports.jsonl"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(subscribe)
    with suppress(ImportError):
        from sitrep.commands.ingest import ingest_command

        app.command(name="ingest")(ingest_command)


# --- demo ------------------------------------------------------------------------------------------


def demo(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Extra report files (JSONL or text) to feed.")
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Process, print the curated events, stop everything and exit.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the reports to be curated.")] = 180.0,
) -> None:
    """Run the whole pipeline locally on the bundled sample reports and show the curated events.

    Starts the local Kafka broker (when SITREP_KAFKA_BOOTSTRAP_SERVERS is the default and nothing
    listens there), migrates the store, starts a worker, feeds the samples plus FILES and prints
    the events as they land. Without --once it keeps showing new events until Ctrl-C.
    """
    settings = Settings()
    paths = [SAMPLES, *(files or [])]
    _stop_on_signals()
    with local_stack(settings) as stack:
        expected = _report_ids(paths)
        from sitrep.commands.ingest import run_ingest

        console.print(f"[bold]feeding[/] {len(expected)} reports from {', '.join(str(p) for p in paths)}")
        rc = run_ingest(
            stack.settings,
            [str(p) for p in paths],
            stdin=False,
            feeds=[],
            follow=False,
            interval=0.0,
            topic=None,
            progress=False,
        )
        if rc != 0:
            err.print("[yellow]some input could not be sent (see above); showing what was[/]")
        shown = _wait_and_show(stack, expected, timeout)
        if not once:
            console.print("[dim]watching for new events — Ctrl-C stops the worker and the broker[/]")
            with suppress(KeyboardInterrupt):
                while True:
                    time.sleep(2.0)
                    stack.check_worker()
                    shown = _show_events(stack, shown)
    raise typer.Exit(0)


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both end the demo through its clean-up (worker, then broker): a shell may
    start it with SIGINT ignored (a background job), and a supervisor stops it with SIGTERM."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


class Stack:
    def __init__(self, settings: Settings, worker: subprocess.Popen[bytes], log_path: Path) -> None:
        self.settings = settings
        self.worker = worker
        self.log_path = log_path
        from sinks.store import make_engine

        self.engine = make_engine(settings.database_url_plain())

    def check_worker(self) -> None:
        if self.worker.poll() is not None:
            tail = self.log_path.read_text(errors="replace").splitlines()[-30:]
            raise SitrepError("the worker exited unexpectedly:\n" + "\n".join(tail))


@contextmanager
def local_stack(settings: Settings) -> Iterator[Stack]:
    """Broker (if local and down) + migrated store + one worker process; all stopped on exit."""
    from sinks.migrate import upgrade
    from sitrep import broker

    # Checked before anything starts, so a refusal leaves nothing running behind it.
    if not _port_free(settings.web_host, settings.web_port):
        raise SitrepError(
            f"port {settings.web_port} on {settings.web_host} is taken (another sitrep worker?): "
            "stop it or set SITREP_WEB_PORT"
        )
    started_broker = False
    bootstrap = settings.kafka_bootstrap_servers
    if not _reachable(bootstrap):
        if bootstrap != DEFAULT_BOOTSTRAP:
            raise SitrepError(f"no Kafka broker answers at {bootstrap} (SITREP_KAFKA_BOOTSTRAP_SERVERS)")
        with console.status("starting the local Kafka broker (the first run downloads it with Maven)…"):
            info = broker.start_broker(
                settings.broker_home, port=9092, version=settings.kafka_version, num_partitions=1
            )
        started_broker = True
        console.print(f"[green]broker[/] Kafka {info.version} at {info.bootstrap}")
    url = settings.database_url_plain()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    console.print("[green]store[/] migrated")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / "worker.log"
    env = {**os.environ, "SITREP_KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    with log_path.open("ab") as log:
        # Its own session: a Ctrl-C in the terminal reaches this command only, which then stops the
        # worker (SIGTERM) and the broker in order, instead of racing them.
        worker = subprocess.Popen(
            [sys.executable, "-m", "sitrep.cli", "worker"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    stack = Stack(settings, worker, log_path)
    try:
        with console.status("waiting for the worker to be ready…"):
            _wait_ready(stack, timeout=120.0)
        console.print(f"[green]worker[/] ready (pid {worker.pid}, log {log_path})")
        yield stack
    finally:
        _stop_process(worker)
        console.print("[green]worker[/] stopped")
        if started_broker:
            broker.stop_broker(settings.broker_home)
            console.print("[green]broker[/] stopped")


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        # As the worker's web server binds (aiohttp sets SO_REUSEADDR): connections of a worker that
        # just stopped, lingering in TIME_WAIT, must not make the port look taken.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _reachable(bootstrap: str) -> bool:
    import socket

    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1.0):
            return True
    except OSError:
        return False


def _wait_ready(stack: Stack, timeout: float) -> None:
    url = f"http://{stack.settings.web_host}:{stack.settings.web_port}/ready"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_worker()
        with suppress(OSError), urllib.request.urlopen(url, timeout=2.0) as resp:
            if resp.status == 200:
                return
        time.sleep(0.5)
    raise SitrepError(f"the worker was not ready within {timeout:.0f}s (see {stack.log_path})")


def _stop_process(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _report_ids(paths: list[Path]) -> set[str]:
    from ingest.sources import read_path
    from sitrep.model import Report

    return {item.id for p in paths for item in read_path(p) if isinstance(item, Report)}


def _wait_and_show(stack: Stack, expected: set[str], timeout: float) -> set[str]:
    from sqlalchemy import func, select

    from sinks.models import Report

    deadline = time.monotonic() + timeout
    done = 0
    with console.status("curating…") as status:
        while time.monotonic() < deadline:
            stack.check_worker()
            with stack.engine.connect() as conn:
                done = conn.execute(select(func.count()).where(Report.id.in_(expected))).scalar_one()
            status.update(f"curating… {done}/{len(expected)} reports stored")
            if done >= len(expected):
                break
            time.sleep(0.5)
    if done < len(expected):
        err.print(f"[yellow]only {done} of {len(expected)} reports were stored within {timeout:.0f}s[/]")
    console.print(f"[green]store[/] {done} reports curated")
    return _show_events(stack, set())


def _show_events(stack: Stack, shown: set[str]) -> set[str]:
    from sqlalchemy import select

    from sinks.models import Event

    with stack.engine.connect() as conn:
        rows = conn.execute(select(Event).where(Event.status == "active").order_by(Event.event_time)).all()
    new = [r for r in rows if f"{r.id}:{r.revision}" not in shown]
    if not new:
        return shown
    table = Table(title="curated events" if not shown else "new or updated events", expand=False)
    for col, justify in (
        ("event", "left"),
        ("types", "left"),
        ("place", "left"),
        ("killed", "right"),
        ("injured", "right"),
        ("aircraft", "left"),
        ("src", "right"),
    ):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in new:
        table.add_row(
            r.id.removeprefix("evt-")[:10],
            "+".join(_SHORT_TYPES.get(t, t) for t in r.types),
            _place(r.place_name, r.admin1, r.country),
            _range(r.killed, r.killed_max),
            _range(r.injured, r.injured_max),
            r.aircraft or "",
            str(r.sources_count),
        )
    console.print(table)
    return shown | {f"{r.id}:{r.revision}" for r in rows}


_SHORT_TYPES = {"aircraft_loss": "aircraft", "airspace_response": "airspace"}


def _place(name: str | None, admin1: str | None, country: str | None) -> str:
    parts = [p for p in (name, admin1 if admin1 != name else None, country) if p]
    return ", ".join(parts)


def _range(low: int | None, high: int | None) -> str:
    if low is None:
        return ""
    return str(low) if high in (None, low) else f"{low}-{high}"


# --- subscribe -------------------------------------------------------------------------------------


def subscribe(
    event_type: Annotated[
        str | None,
        typer.Option("--type", help="Only this type: strike, casualty, aircraft_loss, airspace_response."),
    ] = None,
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the oldest event.")
    ] = False,
    group: Annotated[
        str | None, typer.Option(help="Consumer group (committed offsets resume after a restart).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each message as one JSON line.")] = False,
    limit: Annotated[int | None, typer.Option(help="Stop after this many messages.")] = None,
    idle_timeout: Annotated[
        float | None, typer.Option(help="Stop after this many seconds without a message.")
    ] = None,
) -> None:
    """Print classified events as they are published — the pattern a downstream service follows.

    Reads events-classified-v1 (or events-<type>-v1), keyed by canonical event id, each message
    a JSON object with schema_version, change (created | updated | merged) and the event.
    """
    import orjson
    from kafka import KafkaConsumer

    from sitrep.model import EVENT_TYPES
    from sitrep.topics import client_config

    settings = Settings()
    if event_type is not None and event_type not in EVENT_TYPES:
        raise typer.BadParameter(f"unknown type {event_type!r}; choose one of {', '.join(EVENT_TYPES)}")
    topic = settings.topic_for_type(event_type) if event_type else settings.topic_classified
    consumer = KafkaConsumer(
        topic,
        group_id=group,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=group is not None,
        # The worker publishes inside Kafka transactions: never show an aborted one.
        isolation_level="read_committed",
        consumer_timeout_ms=int(idle_timeout * 1000) if idle_timeout else float("inf"),
        **client_config(settings),
    )
    seen = 0
    try:
        for message in consumer:
            doc: dict[str, Any] = orjson.loads(message.value)
            if as_json:
                sys.stdout.write(orjson.dumps(doc).decode() + "\n")
                sys.stdout.flush()
            else:
                ev = doc["event"]
                place = ", ".join(p for p in (ev.get("place_name"), ev.get("admin1"), ev.get("country")) if p)
                console.print(
                    f"[bold]{doc['change']:<8}[/] {doc['event_id']}  {' '.join(ev['types'])}  {place}  "
                    f"killed={ev.get('killed')} injured={ev.get('injured')} sources={ev.get('sources_count')}"
                )
            seen += 1
            if limit is not None and seen >= limit:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
