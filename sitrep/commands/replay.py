"""``sitrep replay``: re-read the raw topic to rebuild or re-curate the store (logic in ``sitrep.replay``)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import ProgressColumn, Task
from rich.text import Text

if TYPE_CHECKING:
    from sitrep.replay import ReplayOptions, ReplayPlan
    from sitrep.settings import Settings

console = Console(highlight=False, soft_wrap=True)  # whole lines: scripts grep them
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_FAILED = 1
EXIT_USAGE = 2  # also a refused --reset-worker-group


class Mode(StrEnum):
    rebuild = "rebuild"
    recurate = "recurate"


def register(app: typer.Typer) -> None:
    app.command(name="replay")(replay)


def _when(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    from sitrep.replay import parse_when

    try:
        return parse_when(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=flag) from None


def replay(
    topic: Annotated[
        str | None,
        typer.Option(help="Topic to replay (default: SITREP_TOPIC_RAW, namespaced).", show_default=False),
    ] = None,
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the earliest offset still in the log.")
    ] = False,
    from_offset: Annotated[
        int | None,
        typer.Option(
            "--from-offset",
            metavar="N",
            min=0,
            help="Start at offset N (the same N in every partition).",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="ISO",
            help="Start at the first message whose timestamp is at or after this ISO datetime (naive = UTC).",
            show_default=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            metavar="ISO",
            help="Stop before the first message at or after this ISO datetime (default: the end offsets "
            "captured at start).",
            show_default=False,
        ),
    ] = None,
    partition: Annotated[
        list[int] | None,
        typer.Option(
            "--partition",
            metavar="P",
            help="Only this partition; repeat for several (default: all).",
            show_default=False,
        ),
    ] = None,
    mode: Annotated[
        Mode,
        typer.Option(
            help="rebuild: same classifier, the store ends as the worker wrote it. recurate: a new "
            "classifier or rule set; changed events are updated above their stored revision and published.",
        ),
    ] = Mode.rebuild,
    rules: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Rule file for the classifier (default: the configured one).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print each partition's offset range and count; read nothing.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Reports per store transaction.")] = 500,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    publish: Annotated[
        bool | None,
        typer.Option(
            "--publish/--no-publish",
            help="recurate: publish every changed event on events-classified-v1 and the per-type topics "
            "(default: on). rebuild never publishes: the worker already did.",
            show_default=False,
        ),
    ] = None,
    reset_worker_group: Annotated[
        bool,
        typer.Option(
            "--reset-worker-group",
            help="Instead of replaying here, rewind the live worker's consumer group (SITREP_APP_ID) on the "
            "topic to the range start; the worker then re-reads with the state it already has. Refused while "
            "the group has active members.",
        ),
    ] = False,
) -> None:
    """Replay a topic of raw reports through the pipeline to rebuild or re-curate the store.

    Reads with its own group-less consumer (assign + seek, no commits), so the live worker's offsets are
    never touched, and the range's end is fixed at start, so the replay is bounded while producers keep
    writing. Messages are merged across partitions by (timestamp, partition, offset), decoded (poison is
    skipped and counted: it is already in the dead-letter topic), classified and curated against fresh
    in-memory dedupe state, and written in batches, one transaction each. Replaying twice leaves the store
    unchanged.

    To make decisions inside a partial range (--from-offset, --since) the same as a full replay, every
    message before the range is read and curated first without writing: --since on a long history costs
    a read (and classification) from the beginning.

    Examples:

        sitrep replay --from-beginning --dry-run

        sitrep replay --since 2025-07-08 --until 2025-07-09T00:00+03:00

        sitrep replay --from-beginning --mode recurate --rules rules-v2.json
    """
    from sitrep.replay import GroupBusy, ReplayError, ReplayOptions
    from sitrep.settings import Settings

    chosen = [from_beginning, from_offset is not None, since is not None]
    if sum(chosen) != 1:
        raise typer.BadParameter(
            "choose exactly one of --from-beginning, --from-offset N, --since ISO", param_hint="start"
        )
    if mode is Mode.rebuild and publish:
        raise typer.BadParameter(
            "rebuild reproduces what the worker already published; use --mode recurate",
            param_hint="--publish",
        )
    if reset_worker_group and (mode is Mode.recurate or rules is not None or publish):
        raise typer.BadParameter(
            "the rewound worker re-reads with its own classifier and publishes as usual; "
            "--mode recurate, --rules and --publish apply to a replay run here",
            param_hint="--reset-worker-group",
        )
    start_at = _when(since, "--since")
    until_at = _when(until, "--until")
    if start_at is not None and until_at is not None and until_at <= start_at:
        raise typer.BadParameter("--until must be later than --since", param_hint="--until")

    settings = Settings()
    options = ReplayOptions(
        topic=topic or settings.topic_raw,
        start=start_at if start_at is not None else from_offset,
        until=until_at,
        partitions=tuple(partition or ()),
        mode="recurate" if mode is Mode.recurate else "rebuild",
        batch_size=batch_size,
        publish=mode is Mode.recurate and publish is not False,
    )
    try:
        rc = _run(settings, options, rules, dry_run=dry_run, reset=reset_worker_group, show=progress)
    except GroupBusy as error:
        err.print(f"[red]refused:[/] {error}")
        raise typer.Exit(EXIT_USAGE) from None
    except ReplayError as error:
        err.print(f"[red]replay failed:[/] {error}")
        raise typer.Exit(EXIT_FAILED) from None
    raise typer.Exit(rc)


def _run(
    settings: Settings, options: ReplayOptions, rules: Path | None, *, dry_run: bool, reset: bool, show: bool
) -> int:
    import psycopg
    from kafka.errors import KafkaError
    from sqlalchemy.exc import SQLAlchemyError

    from sitrep.replay import ReplayError

    try:
        return _plan_and_run(settings, options, rules, dry_run=dry_run, reset=reset, show=show)
    except KafkaError as error:
        raise ReplayError(f"Kafka: {error.__class__.__name__}: {error}") from error
    except (SQLAlchemyError, psycopg.Error) as error:  # psycopg: the writer's raw COPY path
        raise ReplayError(f"the store refused the replay: {error.__class__.__name__}: {error}") from error


def _plan_and_run(
    settings: Settings, options: ReplayOptions, rules: Path | None, *, dry_run: bool, reset: bool, show: bool
) -> int:
    from sinks.store import make_engine
    from sitrep.pipeline import Pipeline
    from sitrep.replay import (
        ReplayError,
        open_consumer,
        orphaned_events,
        plan_replay,
        reset_worker_group,
        run_replay,
    )

    consumer = open_consumer(settings)
    try:
        plan = plan_replay(consumer, options)
    finally:
        consumer.close()
    _print_plan(plan, options.mode)
    if dry_run:
        return 0
    if reset:
        offsets = reset_worker_group(settings, plan)
        rewound = ", ".join(f"{p}→{o}" for p, o in sorted(offsets.items()))
        console.print(f"rewound consumer group {settings.app_id} on {plan.topic}: {rewound}")
        return 0

    if rules is not None:
        from sitrep.classify import load_classifier
        from sitrep.dedupe import DedupeParams

        try:
            classifier = load_classifier(rules.resolve())
        except (ValueError, re.error, KeyError, TypeError) as error:
            raise ReplayError(f"rule file {rules} is unusable: {error}") from error
        pipeline = Pipeline(classifier, DedupeParams.from_settings(settings), classifier.version)
    else:
        pipeline = Pipeline.from_settings(settings)
    engine = make_engine(settings.database_url_plain())
    try:
        with _Progress(plan, show) as advance:
            tally = run_replay(settings, options, plan, pipeline, engine, on_message=advance)
        orphans = orphaned_events(engine) if options.mode == "recurate" else 0
    finally:
        engine.dispose()
    console.print(
        f"replayed {tally.replayed} reports ({tally.duplicates} duplicates) after {tally.warmed} warm-up "
        f"messages; {tally.poison} poison messages skipped; wrote {tally.reports_written} reports and "
        f"{tally.events_written} event rows; published {tally.events_published} event changes "
        f"(classifier {pipeline.classifier_version})"
    )
    if orphans:
        err.print(
            f"[yellow]{orphans} active events have no mention left[/] (the re-curation moved their "
            "mentions to other events); they are kept in the store"
        )
    return 0


def _print_plan(plan: ReplayPlan, mode: str) -> None:
    console.print(f"replay plan for {plan.topic} (mode {mode}):")
    for p in plan.partitions:
        if not p.selected:
            console.print(f"  partition {p.partition}: not replayed; up to {p.warm} messages warm the state")
            continue
        console.print(
            f"  partition {p.partition}: offsets [{p.start}, {p.end}) {p.count} messages "
            f"(warm-up: {p.warm} earlier messages from offset {p.first})"
        )
    console.print(f"total: {plan.count} messages in range, {plan.warm} warm-up")


class _Progress:
    def __init__(self, plan: ReplayPlan, show: bool) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = (
            Progress(
                TextColumn("[bold]replay[/] {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                _RateColumn(),
                TimeRemainingColumn(),
                console=err,
            )
            if show
            else None
        )
        self.total = plan.count + plan.warm
        self.task = self.progress.add_task(plan.topic, total=self.total) if self.progress else None

    def __enter__(self) -> _Progress:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            if exc[0] is None and self.task is not None:
                # A replay stops early once nothing is left to write; the bar still ends full.
                self.progress.update(self.task, completed=self.total)
            self.progress.stop()

    def __call__(self, _message: object) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)


class _RateColumn(ProgressColumn):
    """Messages per second (rich ships only a bytes-per-second column)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-" if speed is None else f"{speed:,.0f} msg/s", style="progress.data.speed")
