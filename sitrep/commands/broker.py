"""``sitrep broker up | down | status``: a local single-node Apache Kafka for development and tests.

Glue only: the broker's life cycle is :mod:`sitrep.broker`; this module reads the settings, shows progress
and turns sitrep's named errors into a message and a non-zero exit code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sitrep.errors import BrokerError, ConfigurationError
from sitrep.settings import Settings

broker_app = typer.Typer(
    help=(
        "Run a local single-node Apache Kafka broker (KRaft, no ZooKeeper, no Docker).\n\n"
        "The broker's jars come from Maven Central (first run: about 45 MB, cached in "
        "~/.cache/sitrep/kafka/<version>) and need Java 17+ and Maven. Its data, logs and pid file "
        "live in the home directory (SITREP_BROKER_HOME, default var/kafka), so topics survive "
        "down + up."
    ),
    no_args_is_help=True,
)

# Room for the record batch framing and headers around a report of the largest allowed size.
_BATCH_HEADROOM_BYTES = 64 * 1024


def port_from_bootstrap(bootstrap_servers: str) -> int:
    """The port of SITREP_KAFKA_BOOTSTRAP_SERVERS when it names one local broker, else Kafka's 9092."""
    first = bootstrap_servers.split(",")[0].strip()
    host, _, port = first.rpartition(":")
    if host in {"127.0.0.1", "localhost"} and port.isdigit():
        return int(port)
    return 9092


HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Directory of the broker's data, logs, pid file (default: SITREP_BROKER_HOME, else var/kafka)",
        show_default=False,
    ),
]


@broker_app.command()
def up(
    port: Annotated[
        int | None,
        typer.Option(
            help=(
                "Client (PLAINTEXT) port on 127.0.0.1; 0 picks a free one. "
                "(default: the port in SITREP_KAFKA_BOOTSTRAP_SERVERS, else 9092)"
            ),
            show_default=False,
        ),
    ] = None,
    home: HomeOption = None,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            help="Kafka version on Maven Central. (default: SITREP_KAFKA_VERSION)",
            show_default=False,
        ),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Partitions of topics created without an explicit count. (default: SITREP_TOPIC_PARTITIONS)",
            show_default=False,
        ),
    ] = None,
    auto_create_topics: Annotated[
        bool, typer.Option("--auto-create-topics", help="Let clients create topics just by naming them.")
    ] = False,
    message_max_bytes: Annotated[
        int | None,
        typer.Option(
            min=1024,
            help="Largest record batch the broker accepts. (default: SITREP_MAX_MESSAGE_BYTES + 64 KiB)",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the broker to become ready.")] = 60.0,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where Kafka's jars are cached. (default: ~/.cache/sitrep/kafka)", show_default=False
        ),
    ] = None,
) -> None:
    """Start the broker in the background and wait until it serves requests (does nothing if it runs)."""
    from sitrep.broker import broker_status, start_broker

    settings = Settings()
    home = home or settings.broker_home
    console = Console(stderr=True, highlight=False)
    running = broker_status(home)
    if running is not None:
        console.print(
            f"Kafka {running.version} is already running at [bold]{running.bootstrap}[/] (pid {running.pid})"
        )
        return
    with console.status("Starting Kafka") as status:

        def progress(line: str) -> None:
            status.update(line if len(line) <= 100 else line[:97] + "...")

        try:
            info = start_broker(
                home,
                port=_port_to_bind(port, settings),
                version=version or settings.kafka_version,
                cache_dir=cache_dir,
                num_partitions=partitions or settings.topic_partitions,
                auto_create_topics=auto_create_topics,
                message_max_bytes=message_max_bytes or settings.max_message_bytes + _BATCH_HEADROOM_BYTES,
                ready_timeout=timeout,
                progress=progress,
            )
        except (BrokerError, ConfigurationError) as exc:
            console.print(f"[red]Kafka did not start:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(code=1) from None
    console.print(
        f"Kafka {info.version} ready at [bold]{info.bootstrap}[/] (pid {info.pid}, home {info.home}); "
        "stop it with `sitrep broker down`"
    )


def _port_to_bind(port: int | None, settings: Settings) -> int | None:
    """The port to bind: an explicit ``--port`` (0 meaning any free port), else the one the settings name."""
    if port is None:
        return port_from_bootstrap(settings.kafka_bootstrap_servers)
    return port or None


@broker_app.command()
def down(
    home: HomeOption = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for a clean shutdown before SIGKILL.")
    ] = 30.0,
) -> None:
    """Stop the broker cleanly (SIGTERM, then SIGKILL after --timeout); data stays in the home directory."""
    from sitrep.broker import stop_broker

    home = home or Settings().broker_home
    console = Console(stderr=True, highlight=False)
    with console.status("Stopping Kafka"):
        stopped = stop_broker(home, timeout=timeout)
    console.print("Kafka stopped" if stopped else f"no Kafka broker was running for {home}")


@broker_app.command()
def status(home: HomeOption = None) -> None:
    """Print the running broker's address and pid; exit with code 1 when it is not running."""
    from sitrep.broker import broker_status

    home = home or Settings().broker_home
    info = broker_status(home)
    if info is None:
        typer.echo(f"not running (home {home})")
        raise typer.Exit(code=1)
    typer.echo(f"running: Kafka {info.version} at {info.bootstrap} (pid {info.pid}, home {info.home})")
