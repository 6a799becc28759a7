"""The throwaway PostgreSQL fixture itself: fresh databases, and stop/start for outage tests."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import inspect, text

from sinks.store import make_engine
from sinks.testing import PostgresServer

pytestmark = pytest.mark.integration


def test_each_test_gets_a_fresh_empty_psycopg_database(pg_server: PostgresServer, pg_url: str) -> None:
    assert pg_url.startswith(f"postgresql+psycopg://{pg_server.user}@{pg_server.host}:{pg_server.port}/")
    engine = make_engine(pg_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.connect() as connection:
            assert connection.execute(text("SHOW server_version")).scalar_one().startswith("15")
    finally:
        engine.dispose()


def test_a_stopped_server_refuses_connections_and_a_restarted_one_keeps_its_data(
    pg_server: PostgresServer, pg_url: str
) -> None:
    engine = make_engine(pg_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE kept (n int)"))
            connection.execute(text("INSERT INTO kept VALUES (7)"))
        pg_server.stop()
        assert not pg_server.running()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(host=pg_server.host, port=pg_server.port, user=pg_server.user, connect_timeout=2)
        pg_server.start()
        assert pg_server.running()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT n FROM kept")).scalar_one() == 7
    finally:
        pg_server.start()
        engine.dispose()
