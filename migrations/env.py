"""Alembic environment for the curated store.

Where the URL comes from, first match wins: a connection handed in by the caller
(``config.attributes["connection"]``: a Connection, or an Engine as pytest-alembic passes),
``config.attributes["url"]`` (set by ``sinks.migrate``), the ``sqlalchemy.url`` main option (an ini that
sets one), and finally ``Settings().database_url_plain()`` (``SITREP_DATABASE_URL``, what the plain
``alembic`` command with the repository's alembic.ini uses).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine

from sinks.models import Base
from sinks.store import make_engine
from sitrep.settings import Settings

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None:
    # Only the plain `alembic` command has an ini; sinks.migrate leaves logging to the application.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    return str(url) if url else Settings().database_url_plain()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    if isinstance(given, Engine):  # pytest-alembic hands in an engine
        with given.connect() as connection:
            _run(connection)
            connection.commit()
        return
    # Foreign keys off while migrating: SQLite batch mode drops and re-creates tables, which would
    # otherwise cascade into (or be refused by) the rows that reference them.
    engine = make_engine(_url(), sqlite_foreign_keys=False)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
