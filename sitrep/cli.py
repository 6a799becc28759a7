"""The ``sitrep`` command line: one entry point for users, operators and tests.

Each command imports what it needs inside its body, so ``sitrep --help`` is fast and nothing
touches the network, the disk or the broker at import time.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sitrep.settings import Settings

app = typer.Typer(
    name="sitrep",
    help=(
        "Turn raw conflict reporting into curated, deduplicated event records.\n\n"
        "Reports go to Kafka (sitrep ingest), a Faust worker dedupes and classifies them "
        "(sitrep worker) and writes curated rows to SQL. Settings come from SITREP_* "
        "environment variables; the defaults use a local broker (sitrep broker up) and a "
        "SQLite file in ./var."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_show_locals=False,
)


def _settings() -> Settings:
    return Settings()


def _register_broker() -> None:
    try:
        from sitrep.commands.broker import broker_app
    except ImportError:  # the broker tooling is optional for a pip-installed worker image
        return
    app.add_typer(broker_app, name="broker", help="Run a local single-node Apache Kafka (KRaft) broker.")


@app.command()
def migrate(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
    database_url: Annotated[
        str | None, typer.Option(help="Database URL (default: SITREP_DATABASE_URL).", show_default=False)
    ] = None,
) -> None:
    """Create or upgrade the store's schema (Alembic) to REVISION."""
    from sinks.migrate import upgrade

    url = database_url or _settings().database_url_plain()
    upgrade(url, revision)
    typer.echo(f"store migrated to {revision}")


@app.command()
def worker(
    log_format: Annotated[str, typer.Option(help="Log format: text or json.")] = "text",
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
) -> None:
    """Run the pipeline continuously: dedupe, classify, publish and store every report.

    Stops cleanly on SIGTERM/SIGINT. Serves /health, /ready and /metrics on SITREP_WEB_PORT.
    """
    from processors.worker import run_worker

    raise typer.Exit(run_worker(_settings(), log_format=log_format, log_level=log_level))


@app.command()
def classify(
    file: Annotated[Path | None, typer.Argument(help="JSON lines {id, text}; stdin when omitted.")] = None,
) -> None:
    """Classify reports offline: one JSON line of events per input line (no broker needed)."""
    from sitrep.commands.classify import run_classify

    with file.open(encoding="utf-8") if file else sys.stdin as inp:
        raise typer.Exit(run_classify(inp, sys.stdout))


@app.command(name="eval")
def eval_(
    gold: Annotated[list[Path], typer.Option("--gold", help="Labelled JSONL file(s); repeat for several.")],
) -> None:
    """Score the classifier against labelled JSONL: per-type P/R/F1, killed exact, admin1 accuracy."""
    from sitrep.commands.classify import run_eval

    raise typer.Exit(run_eval(gold, sys.stdout))


@app.command()
def dedupe(
    file: Annotated[
        Path | None, typer.Argument(help="JSON lines {id, text, published_at?, source?}.")
    ] = None,
) -> None:
    """Decide duplicates and canonical events offline, in input order (no broker needed)."""
    from sitrep.commands.dedupe import run_dedupe
    from sitrep.dedupe import DedupeParams

    params = DedupeParams.from_settings(_settings())
    with file.open(encoding="utf-8") if file else sys.stdin as inp:
        raise typer.Exit(run_dedupe(inp, sys.stdout, params=params))


def main() -> None:
    from sitrep.errors import SitrepError

    _register_broker()
    _register_late_commands()
    try:
        app()
    except SitrepError as error:  # a named, explained failure: the message, not a traceback
        typer.secho(f"sitrep: {error}", err=True, fg=typer.colors.RED)
        sys.exit(1)


def _register_late_commands() -> None:
    """Commands defined in their own modules register themselves here (keeps this file short)."""
    from sitrep.commands import dlq, operator, replay, status

    operator.register(app)
    dlq.register(app)
    status.register(app)
    replay.register(app)


if __name__ == "__main__":
    main()
