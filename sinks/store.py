"""Engine factory for the curated store: PostgreSQL (psycopg 3) in production, SQLite embedded.

Call :func:`make_engine` from ``main()`` (never at import time) and pass the engine down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str | URL) -> URL:
    """Return ``url`` with PostgreSQL pinned to psycopg 3.

    ``postgresql://`` and ``postgres://`` (Heroku-style) would otherwise pick psycopg2, which sitrep does not
    ship; an explicit driver (``postgresql+psycopg://``) is kept. Other URLs are returned parsed, unchanged.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(foreign_keys: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # WAL lets readers (CLI, dashboards) read while the sink writes; NORMAL sync is safe in WAL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()

    return on_connect


def make_engine(url: str | URL, *, echo: bool = False, sqlite_foreign_keys: bool = True) -> Engine:
    """Build an engine for ``url``.

    SQLite connections get WAL, a busy timeout and (unless ``sqlite_foreign_keys`` is False, which batch
    migrations need while they copy tables) enforced foreign keys. PostgreSQL uses psycopg 3 with
    ``pool_pre_ping`` so connections broken by a server restart are replaced instead of failing a batch.
    Nothing connects until the engine is first used; a SQLite file's directory is created if missing.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            # The default URL points into ./var, which a fresh checkout does not have yet.
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, echo=echo)
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_foreign_keys))
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True)
