"""Rows into the curated store: models, engine factory, migrations helper and the batch writer.

Public API::

    from sinks import make_engine, write_batch, write_dead_letters, WriteStats
    from sinks import migrate          # migrate.upgrade(url), downgrade(url, rev), current(url), check(url)

``sinks.testing`` (a throwaway PostgreSQL server, synthetic curated items) is for tests and benchmarks and
needs the dev extras; it is not imported here.
"""

from .store import make_engine, normalise_url
from .writer import WriteStats, rows_for_batch, write_batch, write_dead_letters

__all__ = [
    "WriteStats",
    "make_engine",
    "normalise_url",
    "rows_for_batch",
    "write_batch",
    "write_dead_letters",
]
