"""``sitrep ingest``: files, directories, stdin and feeds into ``reports-raw-v1``.

Glue only: readers come from ``ingest.sources``, sending from ``ingest.producer`` and the
``--follow`` memory from ``ingest.state``. :func:`run_ingest` is a plain function (the CLI and
tests call it); :func:`ingest_command` is the ready-made typer command.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated

import typer
from kafka.errors import KafkaError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ingest.producer import (
    Delivery,
    ProducerLike,
    ReportSender,
    connection_hint,
    open_producer,
    topic_exists,
)
from ingest.sources import STDIN_NAME, Item, SourceError, fetch_feed, is_url, read_path, read_stream
from ingest.state import STATE_FILE, SentStore
from sitrep.settings import Settings
from sitrep.topics import ensure_topics

# Record delivered ids in the follow state at least this often, not only at the end of a poll,
# so a crash in the middle of a large directory loses little.
_MARK_BATCH = 500
_CLOSE_TIMEOUT_SECONDS = 10.0
# With --follow, files in a watched directory are read once they have not changed for this long.
_QUIET_SECONDS = 1.0


@dataclass
class _Source:
    """Somewhere reports come from. ``key`` names it in the follow state and in delivery tags."""

    key: str
    read: Callable[[], Iterable[Item]]
    once: bool = False  # stdin is read once; paths and feeds are polled again with --follow
    done: bool = False


def _feed_source(location: str) -> _Source:
    etag: dict[str, str | None] = {"value": None}

    def read() -> Iterable[Item]:
        fetched = fetch_feed(location, etag=etag["value"])
        etag["value"] = fetched.etag
        return fetched.items

    key = location if is_url(location) else str(Path(location).resolve())
    return _Source(key=key, read=read)


def _path_source(path: Path, *, follow: bool) -> _Source:
    def read() -> Iterable[Item]:
        # While watching, a file modified in the last moments may still be being written: next poll.
        quiet = time.time() - _QUIET_SECONDS if follow else None
        return read_path(path, modified_before=quiet)

    return _Source(key=str(path.resolve()), read=read)


def _sources(
    paths: list[str], *, stdin: bool, feeds: list[str], stdin_stream: IO[bytes] | None, follow: bool
) -> list[_Source]:
    out: list[_Source] = []
    use_stdin = stdin or "-" in paths
    for raw in paths:
        if raw == "-":
            continue
        out.append(_path_source(Path(raw), follow=follow))
    out.extend(_feed_source(location) for location in feeds)
    if use_stdin:
        stream = stdin_stream if stdin_stream is not None else sys.stdin.buffer
        out.append(_Source(key=STDIN_NAME, read=lambda: read_stream(stream), once=True))
    return out


@dataclass
class _Tally:
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    malformed: int = 0
    skipped: int = 0


@dataclass
class _Run:
    """One ingest run's moving parts; ``state`` is set only with ``--follow``."""

    sender: ReportSender
    console: Console
    progress: Progress
    task: int
    state: SentStore | None
    clock: Callable[[], datetime]
    stop: threading.Event
    tally: _Tally = field(default_factory=_Tally)
    in_flight: set[tuple[str, str]] = field(default_factory=set)
    to_mark: dict[str, list[str]] = field(default_factory=dict)
    errors_seen: set[str] = field(default_factory=set)

    def pump(self, source: _Source) -> None:
        """Send every new report ``source`` yields now; report malformed input and go on."""
        for item in source.read():
            if self.stop.is_set():
                break
            if isinstance(item, SourceError):
                self._malformed(item)
                continue
            if self.state is not None:
                seen = (source.key, item.id)
                if seen in self.in_flight or self.state.was_sent(*seen):
                    self.tally.skipped += 1
                    continue
                self.in_flight.add(seen)
            self.sender.send(item, tag=source.key)
            self.tally.queued += 1
            self.progress.update(self.task, total=self.tally.queued)  # type: ignore[arg-type]
            self._absorb(self.sender.drain())
        source.done = True

    def settle(self, timeout: float | None = None) -> None:
        """Wait for every queued report's confirmation and record the delivered ones."""
        self._absorb(self.sender.flush(timeout))
        self._mark()

    def _malformed(self, error: SourceError) -> None:
        text = str(error)
        if text in self.errors_seen:  # --follow re-reads files; say each problem once
            return
        self.errors_seen.add(text)
        self.tally.malformed += 1
        self.console.print(f"[yellow]malformed[/] {text}", markup=True, highlight=False, soft_wrap=True)

    def _absorb(self, deliveries: list[Delivery]) -> None:
        for d in deliveries:
            self.in_flight.discard((d.tag, d.report_id))
            if d.ok:
                self.tally.delivered += 1
                self.to_mark.setdefault(d.tag, []).append(d.report_id)
            else:
                self.tally.failed += 1
                self.console.print(
                    f"[red]failed[/] {d.report_id}: {d.error}", highlight=False, soft_wrap=True
                )
            self.progress.advance(self.task)  # type: ignore[arg-type]
        if sum(len(v) for v in self.to_mark.values()) >= _MARK_BATCH:
            self._mark()

    def _mark(self) -> None:
        if self.state is not None:
            now = self.clock()
            for source, ids in self.to_mark.items():
                self.state.mark_sent(source, ids, at=now)
        self.to_mark.clear()


def _utc_now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _stop_on_sigterm(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (docker stop) ends a --follow loop like Ctrl-C: finish, flush, record, exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_ingest(
    settings: Settings,
    paths: list[str],
    *,
    stdin: bool,
    feeds: list[str],
    follow: bool,
    interval: float,
    topic: str | None,
    progress: bool,
    stop: threading.Event | None = None,
    console: Console | None = None,
    producer: ProducerLike | None = None,
    stdin_stream: IO[bytes] | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> int:
    """Send every report from ``paths`` (files or directories; ``"-"`` = stdin), stdin and ``feeds``.

    Without ``follow`` each source is read once and everything is sent. With ``follow`` the paths
    and feeds are polled every ``interval`` seconds until ``stop`` is set, SIGTERM or Ctrl-C, and a
    report already delivered from the same source (remembered in ``<data_dir>/ingest-state.db``,
    across restarts) is never sent again. Malformed input is reported with file and line and
    skipped. ``producer`` replaces the Kafka producer (tests); it is then not closed here.

    Returns 0 when every report read was delivered and nothing was malformed, else 1.
    """
    console = console or Console(stderr=True)
    sources = _sources(paths, stdin=stdin, feeds=feeds, stdin_stream=stdin_stream, follow=follow)
    if not sources:
        console.print("[red]nothing to ingest:[/] give PATHS, --stdin or --feed")
        return 1
    own_producer = producer is None
    if producer is None:
        try:
            # A fresh broker (auto-creation off) has no raw topic until the worker first starts;
            # create it with the configured partitions. Where the client may not create topics,
            # the existence check below explains what to do.
            ensure_topics(settings, [topic or settings.topic_raw])
        except KafkaError as exc:
            console.print(f"[yellow]could not create topic {topic or settings.topic_raw}:[/] {exc!r}")
        try:
            producer = open_producer(settings)
        except KafkaError as exc:
            console.print(f"[red]cannot reach Kafka at {settings.kafka_bootstrap_servers}:[/] {exc!r}")
            console.print(connection_hint(settings), markup=False)
            return 1
        if not topic_exists(producer, topic or settings.topic_raw):
            producer.close(timeout=_CLOSE_TIMEOUT_SECONDS)
            console.print(
                f"[red]topic {topic or settings.topic_raw} does not exist[/] on "
                f"{settings.kafka_bootstrap_servers}: start the worker once (it declares its topics) "
                "or create it"
            )
            return 1
    sender = ReportSender(
        producer, topic=topic or settings.topic_raw, max_bytes=settings.max_message_bytes, clock=clock
    )
    state = SentStore.open(settings.data_dir / STATE_FILE) if follow else None
    stop = stop or threading.Event()
    columns = (
        SpinnerColumn(),
        TextColumn(f"[bold]→ {sender.topic}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("confirmed"),
        TimeElapsedColumn(),
    )
    bar = Progress(*columns, console=console, disable=not progress, transient=False)
    try:
        with bar:
            run = _Run(sender, console, bar, bar.add_task("sending", total=0), state, clock, stop)
            if follow:
                _follow(run, sources, interval)
            else:
                for source in sources:
                    run.pump(source)
                run.settle()
    finally:
        if own_producer:
            producer.close(timeout=_CLOSE_TIMEOUT_SECONDS)
        if state is not None:
            state.close()
    tally = run.tally
    unconfirmed = sender.outstanding
    if unconfirmed:
        console.print(f"[red]failed[/] {unconfirmed} report(s) not confirmed by the broker")
    failed = tally.failed + unconfirmed
    summary = f"delivered {tally.delivered}, failed {failed}, malformed {tally.malformed}"
    if follow:
        summary += f", already sent {tally.skipped}"
    console.print(f"{summary} (topic {sender.topic})", highlight=False)
    return 0 if failed == 0 and tally.malformed == 0 else 1


def _follow(run: _Run, sources: list[_Source], interval: float) -> None:
    with _stop_on_sigterm(run.stop):
        try:
            while not run.stop.is_set():
                for source in sources:
                    if not (source.once and source.done):
                        run.pump(source)
                run.settle()
                if run.stop.wait(interval):
                    break
        except KeyboardInterrupt:
            pass
        run.settle()


def ingest_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or directories to send. *.jsonl: one {id, text, title, source, url, published_at} "
            "per line; *.json: one such object or an array; *.xml/*.rss/*.atom: a feed; anything else: "
            "one text report per file (a first line followed by a blank line is the title). Directories: "
            "every *.txt, *.jsonl and *.json inside, sorted. '-' reads stdin.",
            show_default=False,
        ),
    ] = None,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read stdin too: JSON lines, or one text report.")
    ] = False,
    feed: Annotated[
        list[str] | None,
        typer.Option("--feed", help="An RSS/Atom feed URL or file (repeatable).", show_default=False),
    ] = None,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            help="Keep polling feeds and watching paths for new reports; never re-send one already "
            "delivered, across restarts (state in SITREP_DATA_DIR/ingest-state.db). Stop with Ctrl-C.",
        ),
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between polls with --follow.")
    ] = 60.0,
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="Topic to send to (default: SITREP_TOPIC_RAW).", show_default=False),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
) -> None:
    """Send raw reports to Kafka (reports-raw-v1), keyed by report id, and wait for the broker's
    confirmation of each. Malformed lines are reported with file and line number and skipped.
    Exits 0 only if every report was delivered and nothing was malformed, 1 otherwise."""
    code = run_ingest(
        Settings(),
        [str(p) for p in paths or []],
        stdin=stdin,
        feeds=list(feed or []),
        follow=follow,
        interval=interval,
        topic=topic,
        progress=progress,
    )
    raise typer.Exit(code)
