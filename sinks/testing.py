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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import port_for
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

from sitrep.errors import ConfigurationError

SYSTEM_USER = (
    "postgres"  # OS account from the Debian package; the server runs as it when we're root
)
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

    def start(self) -> None:
        """Start again on the same port and data directory (no-op when already running)."""
        if not self.running():
            self.executor.start()

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
def throwaway_postgres(base_dir: Path | None = None) -> Iterator[PostgresServer]:
    """Init and start a PostgreSQL cluster on a free port; stop it and delete its files on exit.

    The server is tuned for throwaway use (``fsync=off``): it is fast, and a crash loses it, which is fine.
    """
    pg_ctl = find_pg_ctl()
    workdir = Path(tempfile.mkdtemp(prefix="sitrep-pg-", dir=base_dir))
    executable = pg_ctl
    if os.geteuid() == 0:
        shutil.chown(workdir, user=SYSTEM_USER)
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
        postgres_options="-c fsync=off -c full_page_writes=off -c listen_addresses=127.0.0.1",
    )
    server = PostgresServer(host="127.0.0.1", port=port, user=SUPERUSER, executor=executor)
    try:
        executor.start()
        yield server
    finally:
        server.stop()
        executor.clean_directory()
        shutil.rmtree(workdir, ignore_errors=True)
