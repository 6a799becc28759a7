"""docker-compose.yml is valid for Compose and wires the services the way the deployment needs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sitrep.settings import Settings

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read docker-compose.yml")

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SITREP_SERVICES = ("migrate", "worker", "producer")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return doc


def _env(service: dict[str, Any]) -> dict[str, Any]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        return dict(item.split("=", 1) for item in env)
    return dict(env)


def _conditions(service: dict[str, Any]) -> dict[str, str]:
    depends = service.get("depends_on") or {}
    assert isinstance(depends, dict), "depends_on must use the long form with conditions"
    return {name: spec["condition"] for name, spec in depends.items()}


def test_docker_compose_accepts_the_file_with_every_profile() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose (v1, Debian package 'docker-compose') is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SITREP_", "COMPOSE_", "KAFKA_"))}
    result = subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), "--profile", "samples", "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == {"kafka", "postgres", "migrate", "worker", "producer"}
    assert (
        resolved["services"]["worker"]["depends_on"]["migrate"]["condition"]
        == "service_completed_successfully"
    )
    assert resolved["services"]["worker"]["environment"]["SITREP_DATABASE_URL"].startswith(
        "postgresql+psycopg://"
    )


def test_the_stack_has_kafka_postgres_migrate_worker_and_a_samples_producer(compose: dict[str, Any]) -> None:
    services = compose["services"]

    assert set(services) == {"kafka", "postgres", "migrate", "worker", "producer"}
    assert re.fullmatch(r"apache/kafka:4\.\d+\.\d+", services["kafka"]["image"])
    assert services["postgres"]["image"] == "postgres:15"
    assert services["producer"]["profiles"] == ["samples"]
    assert "profiles" not in services["worker"]


def test_long_running_services_have_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]

    for name in ("kafka", "postgres", "worker"):
        test = services[name]["healthcheck"]["test"]
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "6066/health" in " ".join(services["worker"]["healthcheck"]["test"])


def test_startup_order_waits_for_health_and_a_successful_migration(compose: dict[str, Any]) -> None:
    services = compose["services"]

    assert _conditions(services["migrate"]) == {"postgres": "service_healthy"}
    assert _conditions(services["worker"]) == {
        "kafka": "service_healthy",
        "migrate": "service_completed_successfully",
    }
    assert _conditions(services["producer"])["kafka"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"


def test_sitrep_services_are_configured_only_by_known_sitrep_settings(compose: dict[str, Any]) -> None:
    known = {f"SITREP_{name.upper()}" for name in Settings.model_fields}

    for name in SITREP_SERVICES:
        env = _env(compose["services"][name])
        assert env, name
        assert all(key.startswith("SITREP_") for key in env), (name, sorted(env))
        assert set(env) <= known, (name, sorted(set(env) - known))
        assert env["SITREP_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["SITREP_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_sitrep_services_run_the_project_image_with_the_right_commands(compose: dict[str, Any]) -> None:
    services = compose["services"]

    images = {services[name]["image"] for name in SITREP_SERVICES}
    assert len(images) == 1
    for name in SITREP_SERVICES:
        assert services[name]["build"]["context"] == "."
    assert services["migrate"]["command"] == ["migrate"]
    assert services["worker"]["command"] == ["worker"]
    producer_command = services["producer"]["command"]
    assert producer_command[0] == "ingest" and producer_command[-1] == "/app/sitrep/samples/reports.jsonl"
    assert (ROOT / "sitrep" / "samples" / "reports.jsonl").is_file()


def test_kafka_is_a_single_kraft_node_advertising_the_address_the_workers_use(
    compose: dict[str, Any],
) -> None:
    env = _env(compose["services"]["kafka"])

    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert int(env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == 1


def test_dockerfile_builds_the_project_on_python_311_slim_and_runs_sitrep() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")

    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert re.search(r"^RUN /opt/sitrep/bin/pip install \.$", dockerfile, re.MULTILINE)
    assert "COPY --from=build /opt/sitrep /opt/sitrep" in dockerfile
    # plain Dockerfile syntax: docker-compose v1 builds without BuildKit, so no RUN --mount
    assert "--mount" not in dockerfile
    assert 'ENTRYPOINT ["sitrep"]' in dockerfile
    assert re.search(r"^USER sitrep$", dockerfile, re.MULTILINE)
    assert "COPY sitrep/samples/reports.jsonl ./sitrep/samples/reports.jsonl" in dockerfile
    assert "WORKDIR /app" in dockerfile
    # every package pyproject.toml ships is copied into the build stage
    for package in ("sitrep", "ingest", "processors", "sinks", "schemas", "migrations"):
        assert f"COPY {package} ./{package}" in dockerfile
