"""Security at the edges: Kafka over TLS with SASL/SCRAM, PostgreSQL over TLS, secrets kept out of output.

The Kafka tests run a dedicated broker (tests/fixtures/secure.py) whose client listener is SASL_SSL with a
SCRAM user created when its storage is formatted; the CLI (kafka-python) and a ``sitrep worker`` process
(Faust/aiokafka) are configured only through ``SITREP_KAFKA_*`` settings, as a deployment would be.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from sinks.models import Report
from sinks.store import make_engine
from sinks.testing import PostgresServer, curated_item, throwaway_postgres
from sinks.writer import write_batch
from sitrep.broker import free_port
from sitrep.settings import Settings
from tests.fixtures.pipeline import WorkerProcess, sitrep
from tests.fixtures.secure import SecureBroker, Tls, make_tls

pytestmark = pytest.mark.integration

REPORT = {
    "id": "secure-kharkiv-1",
    "text": "A Russian missile struck Kharkiv on Monday evening, injuring four people, the mayor said.",
    "published_at": "2025-07-07T18:00:00+00:00",
}


def secure_env(broker: SecureBroker, password: str | None = None) -> dict[str, str]:
    return {
        "SITREP_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "SITREP_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "SITREP_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "SITREP_KAFKA_SASL_USERNAME": broker.username,
        "SITREP_KAFKA_SASL_PASSWORD": broker.password if password is None else password,
        "SITREP_KAFKA_SSL_CAFILE": str(broker.tls.ca),
    }


def _wait_stored(url: str, report_id: str, worker: WorkerProcess, timeout: float = 90) -> None:
    engine = make_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.scalar(select(Report.id).where(Report.id == report_id)) is not None:
                    return
            assert worker.alive, worker.log_tail()
            time.sleep(0.3)
        raise AssertionError(f"{report_id} not stored within {timeout}s:\n{worker.log_tail()}")
    finally:
        engine.dispose()


def test_ingest_and_worker_work_end_to_end_over_sasl_ssl_with_scram(
    secure_broker: SecureBroker,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    sqlite_url: str,
    tmp_path: Path,
) -> None:
    env = pipeline_env(sqlite_url, **secure_env(secure_broker))
    assert sitrep(["migrate"], env).returncode == 0
    worker = start_worker(env)
    reports = tmp_path / "reports.jsonl"
    reports.write_bytes(orjson.dumps(REPORT) + b"\n")
    sent = sitrep(["ingest", str(reports), "--no-progress"], env)
    assert sent.returncode == 0, sent.stdout.decode() + sent.stderr.decode()

    _wait_stored(sqlite_url, REPORT["id"], worker)
    assert worker.stop(signal.SIGTERM) == 0
    # The password reached neither the worker's log nor the CLI's output.
    outputs = [worker.log_path.read_bytes(), sent.stdout, sent.stderr]
    assert not any(secure_broker.password.encode() in out for out in outputs)


def test_a_wrong_scram_password_is_refused_with_a_clear_error(
    secure_broker: SecureBroker, pipeline_env: Callable[..., dict[str, str]], sqlite_url: str, tmp_path: Path
) -> None:
    env = pipeline_env(sqlite_url, **secure_env(secure_broker, password="not-the-password-0123"))
    reports = tmp_path / "reports.jsonl"
    reports.write_bytes(orjson.dumps(REPORT) + b"\n")
    sent = sitrep(["ingest", str(reports), "--no-progress"], env, timeout=120)
    output = (sent.stdout + sent.stderr).decode()
    assert sent.returncode != 0, output
    # kafka-python sees only a closed connection; the CLI names what to check, the broker says why.
    assert re.search(r"(?i)authenticat", output) and "SCRAM-SHA-512" in output, output
    assert "not-the-password-0123" not in output
    server_log = (secure_broker.info.home / "logs" / "server.log").read_text(errors="replace")
    assert re.search(r"Failed authentication with .*invalid credentials", server_log)


def test_a_plaintext_client_cannot_use_the_secure_listener(
    secure_broker: SecureBroker, pipeline_env: Callable[..., dict[str, str]], sqlite_url: str, tmp_path: Path
) -> None:
    env = pipeline_env(sqlite_url, SITREP_KAFKA_BOOTSTRAP_SERVERS=secure_broker.bootstrap)
    reports = tmp_path / "reports.jsonl"
    reports.write_bytes(orjson.dumps(REPORT) + b"\n")
    sent = sitrep(["ingest", str(reports), "--no-progress"], env, timeout=120)
    assert sent.returncode != 0, (sent.stdout + sent.stderr).decode()


# --------------------------------------------------------------------------------------------------
# PostgreSQL over TLS
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PostgresServer, Tls]]:
    tls = make_tls(tmp_path_factory.mktemp("pg-tls"))
    with throwaway_postgres(tls=(tls.cert, tls.key)) as server:
        yield server, tls


def test_the_store_is_migrated_and_written_over_verified_tls(
    tls_postgres: tuple[PostgresServer, Tls], tmp_path: Path
) -> None:
    server, tls = tls_postgres
    dbname = server.create_database()
    url = f"{server.url(dbname)}?sslmode=verify-full&sslrootcert={tls.ca}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    env["SITREP_DATABASE_URL"] = url
    migrated = sitrep(["migrate"], env)
    assert migrated.returncode == 0, (migrated.stdout + migrated.stderr).decode()

    engine = make_engine(url)
    try:
        write_batch(engine, [curated_item(1), curated_item(2)])
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) is True
            assert conn.scalar(select(func.count()).select_from(Report)) == 2
    finally:
        engine.dispose()


def test_verify_full_refuses_a_server_certificate_from_another_ca(
    tls_postgres: tuple[PostgresServer, Tls], tmp_path: Path
) -> None:
    server, _ = tls_postgres
    stranger = make_tls(tmp_path / "other-ca")
    engine = make_engine(f"{server.url('postgres')}?sslmode=verify-full&sslrootcert={stranger.ca}")
    try:
        with pytest.raises(OperationalError, match=r"(?i)certificate verify failed"):
            engine.connect().close()
    finally:
        engine.dispose()


def test_sslmode_require_against_a_server_without_tls_fails_clearly(pg_server: PostgresServer) -> None:
    engine = make_engine(f"{pg_server.url('postgres')}?sslmode=require")
    try:
        with pytest.raises(OperationalError, match=r"server does not support SSL, but SSL was required"):
            engine.connect().close()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------------

DB_PASSWORD = "db-secret-7f3a91c2e5"
KAFKA_PASSWORD = "kafka-secret-0b4d6e8f1a"


def test_settings_never_show_their_secrets() -> None:
    settings = Settings(
        database_url=SecretStr(f"postgresql+psycopg://sitrep:{DB_PASSWORD}@db:5432/sitrep"),
        kafka_sasl_password=SecretStr(KAFKA_PASSWORD),
    )
    for shown in (repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())):
        assert DB_PASSWORD not in shown and KAFKA_PASSWORD not in shown


def test_the_worker_and_the_cli_never_print_a_password(
    pg_server: PostgresServer,
    pg_url: str,
    pipeline_env: Callable[..., dict[str, str]],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
    tmp_path: Path,
) -> None:
    # The throwaway server trusts local connections, so the password is carried but never checked.
    url = pg_url.replace(f"{pg_server.user}@", f"{pg_server.user}:{DB_PASSWORD}@")
    env = pipeline_env(url, SITREP_KAFKA_SASL_PASSWORD=KAFKA_PASSWORD)
    outputs: list[tuple[str, bytes]] = []

    def run(*args: str, env: dict[str, str] = env) -> int:
        done = sitrep(list(args), env)
        outputs.append((" ".join(args), done.stdout + done.stderr))
        return int(done.returncode)

    assert run("migrate") == 0
    worker = start_worker(env)
    reports = tmp_path / "reports.jsonl"
    reports.write_bytes(orjson.dumps(REPORT) + b"\n" + b"{not json\n")
    run("ingest", str(reports), "--no-progress")
    _wait_stored(url, REPORT["id"], worker)
    run("status")
    run("dlq", "list")
    # Failures are where URLs get printed: a store that is not there, a broker on a closed port.
    nowhere = {**env, "SITREP_DATABASE_URL": url.replace(f":{pg_server.port}/", f":{free_port()}/")}
    assert run("migrate", env=nowhere) != 0
    assert run("status", env=nowhere) != 0
    no_broker = {**env, "SITREP_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}"}
    assert run("ingest", str(reports), "--no-progress", env=no_broker) != 0
    assert worker.stop(signal.SIGTERM) == 0
    outputs.append(("worker", worker.log_path.read_bytes()))

    for command, output in outputs:
        for secret in (DB_PASSWORD, KAFKA_PASSWORD):
            assert secret.encode() not in output, f"`sitrep {command}` printed a password:\n{output.decode()}"


# --------------------------------------------------------------------------------------------------
# SQL is only ever built from constants
# --------------------------------------------------------------------------------------------------

_TEXT_CALL = re.compile(r"\btext\(\s*(?P<arg>[^)\n]*)")


def test_no_raw_sql_is_built_from_interpolated_strings() -> None:
    """Every ``text(...)`` takes a literal or a module constant: values travel as bound parameters.

    An f-string, ``%``-formatting, ``.format`` or concatenation inside ``text(`` would be a place where data
    could become SQL; the injection strings stored verbatim (tests/e2e/test_bad_input.py) cover the ORM paths.
    """
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("sitrep", "sinks", "processors", "ingest", "migrations"):
        for path in sorted((root / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                for call in _TEXT_CALL.finditer(line):
                    arg = call["arg"]
                    if re.match(r"\s*[rbu]*f[\"']", arg) or re.search(r"\.format\(|[\"']\s*(%|\+)\s*\w", arg):
                        offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "SQL built from interpolated strings:\n" + "\n".join(offenders)
