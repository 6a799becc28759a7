"""The curated store's tables (SQLAlchemy 2.x typed models). The schema itself is owned by ``migrations/``.

Works on PostgreSQL and SQLite: JSON columns are ``JSON`` with a ``JSONB`` variant on PostgreSQL, and every
datetime goes through :class:`UTCDateTime` so both dialects store UTC and give back timezone-aware values.
Constraint and index names follow :data:`NAMING_CONVENTION` so migrations can name what they drop.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")

# SQLite has no integer autoincrement for BIGINT primary keys; only "INTEGER PRIMARY KEY" is a rowid alias.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored as UTC and always read back timezone-aware.

    PostgreSQL's ``timestamptz`` does this already; SQLite stores text without an offset, so values are
    converted to UTC on the way in and marked UTC on the way out. Naive datetimes are refused: every
    datetime in sitrep's wire format carries an offset.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: sitrep stores timezone-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        date: Date(),
        str: Text(),
        int: Integer(),
        float: Float(),
        bool: Boolean(),
    }


class Report(Base):
    """One received report with its Kafka provenance; duplicates point at their original."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(primary_key=True)
    title: Mapped[str | None]
    source: Mapped[str | None]
    url: Mapped[str | None]
    text: Mapped[str]
    published_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    fingerprint: Mapped[str | None] = mapped_column(index=True)
    # Deliberately not a foreign key: the original may arrive in a later batch (or have been pruned).
    duplicate_of: Mapped[str | None] = mapped_column(index=True)
    duplicate_kind: Mapped[str | None] = mapped_column(String(8))
    kafka_topic: Mapped[str | None]
    kafka_partition: Mapped[int | None]
    kafka_offset: Mapped[int | None] = mapped_column(BigInteger)
    classifier_version: Mapped[str | None]
    # Set once, on first insert; a replay does not touch it, so re-writing a batch changes nothing.
    ingested_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (
        CheckConstraint("duplicate_kind IN ('exact', 'near')", name="duplicate_kind"),
        Index("ix_reports_published_at", "published_at"),
    )


class Event(Base):
    """A canonical (corroborated) event. ``revision`` orders versions: older ones never overwrite newer."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(primary_key=True)
    types: Mapped[list[str]] = mapped_column(JSONType)
    is_strike: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_casualty: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_aircraft_loss: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_airspace_response: Mapped[bool] = mapped_column(default=False, server_default=false())
    killed: Mapped[int | None]  # the conservative (minimum) figure across sources
    killed_max: Mapped[int | None]
    injured: Mapped[int | None]
    injured_max: Mapped[int | None]
    children: Mapped[int | None]
    place_name: Mapped[str | None]
    admin1: Mapped[str | None]
    country: Mapped[str | None] = mapped_column(String(2))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    precision: Mapped[str | None] = mapped_column(String(16))
    weapon: Mapped[str | None]
    aircraft: Mapped[str | None]
    actor: Mapped[str | None]
    target: Mapped[str | None]
    occurred_on: Mapped[date | None]
    event_time: Mapped[datetime | None]
    report_time: Mapped[datetime | None]
    confidence: Mapped[float | None]
    classifier_version: Mapped[str | None]
    sources_count: Mapped[int] = mapped_column(default=1, server_default="1")
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(8), default="active", server_default="active")
    merged_into: Mapped[str | None] = mapped_column(index=True)
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The change that produced this revision (created | updated | merged); added by revision 0002.
    last_change: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (
        CheckConstraint("status IN ('active', 'merged')", name="status"),
        CheckConstraint("last_change IN ('created', 'updated', 'merged')", name="last_change"),
        Index("ix_events_strike_time", "is_strike", "event_time"),
        Index("ix_events_casualty_time", "is_casualty", "event_time"),
        Index("ix_events_aircraft_loss_time", "is_aircraft_loss", "event_time"),
        Index("ix_events_airspace_response_time", "is_airspace_response", "event_time"),
        Index("ix_events_country_admin1", "country", "admin1"),
        Index("ix_events_last_seen", "last_seen"),
    )


class EventMention(Base):
    """One incident as one report told it, linked to the canonical event it was folded into."""

    __tablename__ = "event_mentions"

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    mention_index: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(index=True)
    types: Mapped[list[str]] = mapped_column(JSONType)
    killed: Mapped[int | None]
    injured: Mapped[int | None]
    children: Mapped[int | None]
    killed_approximate: Mapped[bool] = mapped_column(default=False, server_default=false())
    injured_approximate: Mapped[bool] = mapped_column(default=False, server_default=false())
    place_name: Mapped[str | None]
    admin1: Mapped[str | None]
    country: Mapped[str | None] = mapped_column(String(2))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    precision: Mapped[str | None] = mapped_column(String(16))
    weapon: Mapped[str | None]
    aircraft: Mapped[str | None]
    evidence: Mapped[list[dict[str, int]]] = mapped_column(JSONType)
    rules: Mapped[list[Any]] = mapped_column(JSONType)
    confidence: Mapped[float | None]


class EventMerge(Base):
    """Provenance of a merge: ``merged_id`` was folded into ``into_id`` (at most once)."""

    __tablename__ = "event_merges"

    merged_id: Mapped[str] = mapped_column(primary_key=True)
    into_id: Mapped[str] = mapped_column(index=True)
    at: Mapped[datetime | None]
    report_id: Mapped[str | None]


class DeadLetter(Base):
    """A message an agent could not process, kept for operators. One row per (topic, partition, offset)."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    topic: Mapped[str]
    partition: Mapped[int]
    offset: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str]
    detail: Mapped[str | None]
    received_at: Mapped[datetime | None]
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    payload_size: Mapped[int | None]  # the original size; payload may be truncated to keep the table small
    payload_truncated: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (UniqueConstraint("topic", "partition", "offset"),)
