"""``sitrep worker``: build the app from settings, add health/metrics pages, run until signalled."""

from __future__ import annotations

import logging
from typing import Any

import faust
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from processors.preparer import Preparer
from sitrep.pipeline import Pipeline
from sitrep.settings import Settings

log = logging.getLogger("sitrep.worker")


def json_logging_config(level: str) -> dict[str, Any]:
    """A dictConfig emitting one JSON object per line (``--log-format json``)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "processors.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["console"], "level": level.upper()},
    }


def add_service_pages(app: faust.App, ready_check: Any) -> None:
    """``/health`` (alive), ``/ready`` (broker + store + assignment) and ``/metrics`` (Prometheus)."""

    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            return self.json({"status": "ok"})

    @app.page("/ready")
    class Ready(View):
        async def get(self, request: Request) -> Response:
            problems = await ready_check()
            status = 200 if not problems else 503
            return self.json({"ready": not problems, "problems": problems}, status=status)

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            return self.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])


def build_worker_app(settings: Settings, preparer: Preparer | None = None) -> faust.App:
    """Everything the worker runs, assembled once at start-up (rules, gazetteer, engine, app)."""
    import asyncio

    from processors.app import build, create_app
    from processors.lag import LagMonitor
    from sinks.store import make_engine
    from sinks.writer import write_batch

    pipeline = preparer.pipeline if preparer else Pipeline.from_settings(settings)
    engine = make_engine(settings.database_url_plain())
    app = create_app(settings)

    def writer(items: list[dict[str, Any]]) -> None:
        write_batch(engine, items)

    build(app, settings, pipeline, writer, preparer)
    lag = LagMonitor(app)

    async def ready_check() -> list[str]:
        problems: list[str] = []
        try:
            await asyncio.to_thread(_ping_store, engine)
        except Exception as exc:
            problems.append(f"store: {exc.__class__.__name__}: {exc}")
        if not await _broker_listening(settings.kafka_bootstrap_servers):
            problems.append(
                f"broker: no bootstrap server accepts connections ({settings.kafka_bootstrap_servers})"
            )
        if not app.consumer.assignment():
            problems.append("broker: no partitions assigned yet")
        return problems

    add_service_pages(app, ready_check)
    lag.install()
    return app


async def _broker_listening(bootstrap: str, timeout: float = 2.0) -> bool:
    """Whether any bootstrap server accepts a TCP connection within ``timeout``.

    A plain connect rather than a Kafka request: Faust's clients run on their own event loop
    thread, so the web view cannot borrow them, and a fresh Kafka client per probe is heavy.
    Assignment (checked separately) says the group protocol itself works.
    """
    import asyncio

    for server in (s.strip() for s in bootstrap.split(",") if s.strip()):
        host, _, port = server.rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), int(port)), timeout)
        except (OSError, TimeoutError, ValueError):
            continue
        writer.close()
        return True
    return False


def _ping_store(engine: Any) -> None:
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def run_worker(settings: Settings, *, log_format: str = "text", log_level: str = "info") -> int:
    from sitrep.topics import ensure_topics

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_topics(settings)
    # With stage A in its own processes, this one loads the classifier only if it ever runs a batch inline.
    preparer = Preparer(settings, Pipeline.from_settings(settings, lazy=settings.prepare_processes > 0))
    # Spawn stage A's processes before Faust starts its threads, and end them with the worker.
    preparer.start()
    app = build_worker_app(settings, preparer)
    worker = faust.Worker(
        app,
        loglevel=log_level.upper(),
        logging_config=json_logging_config(log_level) if log_format == "json" else None,
        quiet=True,
    )
    try:
        worker.execute_from_commandline()
    finally:
        preparer.close(wait=True)
    return 0
