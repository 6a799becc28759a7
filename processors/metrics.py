"""Prometheus metrics of the worker (served at /metrics by :mod:`processors.worker`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_IN = Counter("sitrep_messages_in_total", "Messages consumed, by topic", ["topic"])
MESSAGES_OUT = Counter("sitrep_messages_out_total", "Messages produced, by topic", ["topic"])
DEAD_LETTERS = Counter(
    "sitrep_dead_letters_total", "Messages sent to the dead-letter topic, by reason", ["reason"]
)
CLASSIFY_SECONDS = Histogram(
    "sitrep_classify_seconds",
    "Time to prepare one report (fingerprint, signature, classification)",
    buckets=(0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 1.0),
)
SINK_SECONDS = Histogram(
    "sitrep_sink_batch_seconds",
    "Time to write one batch to the store",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SINK_BATCH_SIZE = Histogram(
    "sitrep_sink_batch_size",
    "Curated reports per store batch",
    buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 5000),
)
SINK_RETRIES = Counter("sitrep_sink_retries_total", "Store writes retried because the store was unavailable")
EVENTS = Counter("sitrep_events_total", "Canonical event changes published, by change", ["change"])
EVENTS_BY_TYPE = Counter(
    "sitrep_events_by_type_total", "Canonical event changes published, by type", ["type"]
)
DUPLICATES = Counter("sitrep_duplicates_total", "Reports recognised as duplicates, by kind", ["kind"])
CONSUMER_LAG = Gauge(
    "sitrep_consumer_lag", "Messages behind the end of each partition", ["topic", "partition"]
)
