"""A throwaway PostgreSQL server for tests and benchmarks, on a free port, in a temporary directory.

Server management is pytest-postgresql's ``PostgreSQLExecutor`` (initdb, ``pg_ctl start -w``, ``pg_ctl stop``)
and per-database set-up/tear-down is its ``DatabaseJanitor``. The one thing added here is running as root:
PostgreSQL refuses to initdb or start as root, so when ``os.geteuid() == 0`` the executor is handed a tiny
``pg_ctl`` wrapper script that ``exec``\\ s the real one through ``runuser -u postgres --``, and the data
directory's parent is handed to that user. When not root the real ``pg_ctl`` is used directly.

Nothing here runs at import time; :func:`throwaway_postgres` does all the work.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import port_for
import psycopg
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

from sitrep.errors import ConfigurationError

SYSTEM_USER = "postgres"  # OS account from the Debian package; the server runs as it when we're root
SUPERUSER = "postgres"  # the database superuser initdb creates (trust auth over TCP on 127.0.0.1)


def find_pg_ctl() -> Path:
    """Return the newest ``pg_ctl`` found via ``pg_config --bindir`` or under /usr/lib/postgresql/*/bin.

    Raises ``ConfigurationError`` when PostgreSQL's server binaries are not installed.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if bindir.returncode == 0:
            candidates.append(Path(bindir.stdout.strip()) / "pg_ctl")

    def major(path: str) -> int:
        version = Path(path).parent.parent.name
        return int(version) if version.isdigit() else 0

    candidates += [
        Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=major, reverse=True)
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ConfigurationError("PostgreSQL server binaries (pg_ctl) not found; install postgresql")


def _runuser_wrapper(pg_ctl: Path, directory: Path) -> Path:
    """Write an executable ``pg_ctl`` into ``directory`` that runs the real one as the postgres OS user."""
    wrapper = directory / "pg_ctl"
    wrapper.write_text(f'#!/bin/sh\nexec runuser -u {SYSTEM_USER} -- "{pg_ctl}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


@dataclass
class PostgresServer:
    """A running throwaway server. ``stop()``/``start()`` simulate the database going away mid-run."""

    host: str
    port: int
    user: str
    executor: PostgreSQLExecutor

    def url(self, dbname: str) -> str:
        """A SQLAlchemy URL for ``dbname`` using the psycopg 3 driver."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def running(self) -> bool:
        return bool(self.executor.running())

    def stop(self) -> None:
        """Fast shutdown (``pg_ctl stop -m fast``); existing connections are cut. Data is kept."""
        if self.running():
            self.executor.stop()

    def start(self, timeout: float = 60.0) -> None:
        """Start (again) on the same port and data directory and wait until it accepts sessions.

        A no-op when already running.
        """
        if not self.running():
            self.executor.start()
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until a session can be opened.

        The executor returns once the TCP port accepts, which is before recovery ends ("the database system
        is starting up"); a real login is the only reliable readiness check.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname="postgres"):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _janitor(self, dbname: str) -> DatabaseJanitor:
        return DatabaseJanitor(
            user=self.user, host=self.host, port=self.port, dbname=dbname, connection_timeout=10
        )

    def create_database(self, prefix: str = "t") -> str:
        """Create a fresh empty database with a unique name and return the name."""
        dbname = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self._janitor(dbname).init()
        return dbname

    def drop_database(self, dbname: str) -> None:
        """Drop ``dbname``, terminating any connections left open to it."""
        self._janitor(dbname).drop()


@contextmanager
def throwaway_postgres(
    base_dir: Path | None = None, *, tls: tuple[Path, Path] | None = None
) -> Iterator[PostgresServer]:
    """Init and start a PostgreSQL cluster on a free port; stop it and delete its files on exit.

    The server is tuned for throwaway use (``fsync=off``): it is fast, and a crash loses it, which is fine.
    ``tls`` = (certificate chain, private key) PEM files turns on ``ssl``; they are copied into the server's
    own directory, since PostgreSQL insists its key be readable by its OS user alone.
    """
    pg_ctl = find_pg_ctl()
    workdir = Path(tempfile.mkdtemp(prefix="sitrep-pg-", dir=base_dir))
    executable = pg_ctl
    options = "-c fsync=off -c full_page_writes=off -c listen_addresses=127.0.0.1"
    if tls is not None:
        cert, key = workdir / "server.crt", workdir / "server.key"
        shutil.copyfile(tls[0], cert)
        shutil.copyfile(tls[1], key)
        key.chmod(0o600)
        options += f" -c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}"
    if os.geteuid() == 0:
        for path in (workdir, *workdir.iterdir()):
            shutil.chown(path, user=SYSTEM_USER)
        executable = _runuser_wrapper(pg_ctl, workdir)
    port = port_for.select_random()
    executor = PostgreSQLExecutor(
        executable=str(executable),
        host="127.0.0.1",
        port=port,
        datadir=str(workdir / "data"),
        unixsocketdir=str(workdir),
        logfile=str(workdir / "postgresql.log"),
        startparams="-w",
        dbname="postgres",
        user=SUPERUSER,
        postgres_options=options,
    )
    server = PostgresServer(host="127.0.0.1", port=port, user=SUPERUSER, executor=executor)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        executor.clean_directory()
        shutil.rmtree(workdir, ignore_errors=True)


_PLACES = (
    ("Kherson", "Khersonska", "UA", 46.6354, 32.6169),
    ("Kharkiv", "Kharkivska", "UA", 49.9935, 36.2304),
    ("Cherkasy", "Cherkaska", "UA", 49.4444, 32.0598),
    ("Rzeszow", "Podkarpackie", "PL", 50.0412, 21.9991),
)
_TYPE_SETS: tuple[tuple[str, ...], ...] = (
    ("strike",),
    ("strike", "casualty"),
    ("casualty",),
    ("aircraft_loss", "casualty"),
    ("airspace_response",),
)


def curated_item(n: int, *, revision: int = 1, mentions: int = 2, text_chars: int = 1200) -> dict[str, Any]:
    """A realistic curated item (the sink's wire shape) for report number ``n``; deterministic in its inputs.

    Synthetic: the text is filler of ``text_chars`` characters, facts vary with ``n``. Each mention gets its
    own canonical event (``event-<n>-<i>``) at ``revision``; every tenth report also records a merge.
    """
    day = 1 + n % 28
    published = f"2026-10-{day:02d}T{n % 24:02d}:15:00+03:00"
    received = f"2026-10-{day:02d}T{n % 24:02d}:16:30+00:00"
    report_id = f"report-{n:08d}"
    body = (f"Report {n}: overnight attack described by officials. " * (1 + text_chars // 52))[:text_chars]
    item_mentions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for i in range(mentions):
        place = _PLACES[(n + i) % len(_PLACES)]
        types = list(_TYPE_SETS[(n + i) % len(_TYPE_SETS)])
        event_id = f"event-{n:08d}-{i}"
        killed = (n + i) % 4 or None
        item_mentions.append(
            {
                "report_id": report_id,
                "mention_index": i,
                "event_id": event_id,
                "types": types,
                "killed": killed,
                "injured": (n * 3 + i) % 7 or None,
                "children": 1 if (n + i) % 9 == 0 else None,
                "killed_approximate": (n + i) % 5 == 0,
                "injured_approximate": False,
                "place_name": place[0],
                "admin1": place[1],
                "country": place[2],
                "lat": place[3],
                "lon": place[4],
                "precision": "city",
                "weapon": "drone" if "strike" in types else None,
                "aircraft": "Su-25" if "aircraft_loss" in types else None,
                "evidence": [{"start": 10 * i, "end": 10 * i + 40}],
                "rules": ["strike.verb", "casualty.count"],
                "confidence": 0.5 + ((n + i) % 5) / 10,
            }
        )
        events.append(
            {
                "id": event_id,
                "types": types,
                "killed": killed,
                "killed_max": (killed or 0) + 1 if killed else None,
                "injured": (n * 3 + i) % 7 or None,
                "injured_max": (n * 3 + i) % 7 or None,
                "children": None,
                "place_name": place[0],
                "admin1": place[1],
                "country": place[2],
                "lat": place[3],
                "lon": place[4],
                "precision": "city",
                "weapon": "drone" if "strike" in types else None,
                "aircraft": "Su-25" if "aircraft_loss" in types else None,
                "actor": "Russia" if "strike" in types else None,
                "target": None,
                "occurred_on": f"2026-10-{day:02d}",
                "event_time": published,
                "report_time": published,
                "confidence": 0.7,
                "classifier_version": "rules-1",
                "sources_count": revision,
                "first_seen": received,
                "last_seen": received,
                "status": "active",
                "merged_into": None,
                "revision": revision,
                "change": "created" if revision == 1 else "updated",
            }
        )
    merges = (
        [
            {
                "merged_id": f"event-{n:08d}-dup",
                "into_id": f"event-{n:08d}-0",
                "at": received,
                "report_id": report_id,
            }
        ]
        if n % 10 == 0
        else []
    )
    return {
        "report": {
            "id": report_id,
            "title": f"Overnight attack {n}",
            "source": "wire",
            "url": f"https://example.org/reports/{n}",
            "text": body,
            "published_at": published,
            "received_at": received,
            "fingerprint": f"{n:016x}",
            "duplicate_of": None,
            "duplicate_kind": None,
            "kafka_topic": "events-classified-v1",
            "kafka_partition": n % 3,
            "kafka_offset": n,
            "classifier_version": "rules-1",
        },
        "mentions": item_mentions,
        "events": events,
        "merges": merges,
    }
