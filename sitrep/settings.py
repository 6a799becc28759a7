"""The one settings object. Read from the environment (prefix ``SITREP_``) once, at start-up.

Defaults give the embedded setup: a local broker started by ``sitrep broker up`` and a
SQLite file in ``./var``. Nothing else in sitrep reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SITREP_", frozen=True, extra="ignore")

    # --- Kafka -------------------------------------------------------------------------------------
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None

    #: Prefixed to every topic name below (tests and shared clusters use it to keep runs apart).
    topic_namespace: str = ""
    topic_raw: str = "reports-raw-v1"
    topic_dlq: str = "reports-raw-v1-dlq"
    topic_prepared: str = "reports-prepared-v1"
    topic_curated: str = "reports-curated-v1"
    topic_curated_dlq: str = "reports-curated-v1-dlq"
    topic_classified: str = "events-classified-v1"
    topic_partitions: int = Field(default=1, ge=1)
    max_message_bytes: int = Field(default=1_048_576, ge=1024)

    # --- Store -------------------------------------------------------------------------------------
    database_url: SecretStr = SecretStr("sqlite:///var/sitrep.db")

    # --- Worker ------------------------------------------------------------------------------------
    app_id: str = "sitrep"
    data_dir: Path = Path("var")
    web_port: int = 6066
    web_host: str = "127.0.0.1"
    sink_batch_size: int = Field(default=500, ge=1)
    # How long each agent waits to fill a batch. Three agents wait in a row, so this bounds the latency
    # added by batching at low rates; under backlog batches fill to the size first. 0.5 s gave p50 2.8 s /
    # p99 3.8 s produce->row at 400 reports/s, 0.05 s gave 0.6 s / 0.9 s, with no loss of throughput
    # (bench/bench_e2e.py, bench/README.md).
    sink_batch_seconds: float = Field(default=0.05, gt=0)
    # Processes that decode and classify raw reports beside the event loop (0: on the loop itself).
    prepare_processes: int = Field(default=1, ge=0)

    # --- Classifier ---------------------------------------------------------------------------------
    rules_path: Path | None = None  # default: the bundled rule set

    # --- Dedupe / corroboration --------------------------------------------------------------------
    near_duplicate_threshold: float = Field(default=0.7, gt=0, le=1)
    corroboration_km: float = Field(default=30.0, ge=0)
    corroboration_hours: float = Field(default=36.0, ge=0)
    state_window_days: float = Field(default=7.0, gt=0)
    # How long a report id is remembered after its state expired, so that a late re-send changes nothing.
    report_memory_days: float = Field(default=365.0, gt=0)

    # --- Local broker (sitrep broker up) -----------------------------------------------------------
    kafka_version: str = "4.4.0"
    broker_home: Path = Path("var/kafka")

    def database_url_plain(self) -> str:
        """The URL with its password, for building an engine; never log this."""
        return self.database_url.get_secret_value()

    @model_validator(mode="after")
    def _apply_topic_namespace(self) -> Settings:
        if self.topic_namespace:
            for name in _TOPIC_FIELDS:
                value = getattr(self, name)
                if not value.startswith(self.topic_namespace):
                    object.__setattr__(self, name, self.topic_namespace + value)
        return self

    def topic_for_type(self, event_type: str) -> str:
        """The per-type events topic, e.g. ``events-aircraft-loss-v1``."""
        return f"{self.topic_namespace}events-{event_type.replace('_', '-')}-v1"


_TOPIC_FIELDS = (
    "topic_raw",
    "topic_dlq",
    "topic_prepared",
    "topic_curated",
    "topic_curated_dlq",
    "topic_classified",
)
