"""Alembic environment for the curated store.

Where the URL comes from, first match wins: a connection handed in by the caller
(``config.attributes["connection"]``, used by pytest-alembic), ``config.attributes["url"]`` (set by
``sinks.migrate``), the ``sqlalchemy.url`` main option (``alembic -x``-free CLI use with an ini), and finally
``Settings().database_url_plain()`` (``SITREP_DATABASE_URL``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from sinks.models import Base
from sinks.store import make_engine
from sitrep.settings import Settings

config = context.config
target_metadata = Base.metadata


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
    if given is not None:
        _run(given)
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
