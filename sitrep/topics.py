"""Every topic sitrep owns, and creating the missing ones (kafka-python admin client).

Brokers in production usually forbid auto-creation, and Faust only creates the topics its
agents and tables read; the outputs (dead letters, classified events) and the raw topic must
exist before anything is sent there, with the partition count the deployment chose.
"""

from __future__ import annotations

import logging
from typing import Any

from sitrep.model import EVENT_TYPES
from sitrep.settings import Settings

log = logging.getLogger("sitrep.topics")


def client_config(settings: Settings) -> dict[str, Any]:
    """Connection and security keyword arguments shared by every kafka-python client."""
    from ingest.producer import kafka_config

    shared = ("bootstrap_servers", "security_protocol")
    return {k: v for k, v in kafka_config(settings).items() if k in shared or k.startswith(("sasl_", "ssl_"))}


def owned_topics(settings: Settings) -> dict[str, int]:
    """Topic name -> partitions, for every topic sitrep reads or writes (Faust's changelogs aside)."""
    n = settings.topic_partitions
    topics = {
        settings.topic_raw: n,
        settings.topic_dlq: n,
        settings.topic_prepared: 1,  # the single decision owner: see processors/app.py
        settings.topic_curated: n,
        settings.topic_curated_dlq: n,
        settings.topic_classified: n,
    }
    topics.update({settings.topic_for_type(t): n for t in EVENT_TYPES})
    return topics


#: What every topic accepts beyond ``max_message_bytes``: a raw report at the limit becomes a prepared and a
#: curated message with what was read from it (events, spans), and a dead letter gains headers.
MESSAGE_HEADROOM = 65_536


def topic_configs(settings: Settings, name: str) -> dict[str, str]:
    """Per-topic broker settings: the raw reports and their dead letters are the system of record
    that replays rebuild the store from, so they are kept forever (the broker default is 7 days);
    every topic accepts the largest message sitrep lets through."""
    configs = {"max.message.bytes": str(settings.max_message_bytes + MESSAGE_HEADROOM)}
    if name in (settings.topic_raw, settings.topic_dlq):
        configs["retention.ms"] = "-1"
    elif name == settings.topic_prepared:
        # The decision owner rebuilds its state from this log (sitrep.pipeline.DecisionLog): keep what
        # the dedupe window needs, a day more for safety.
        configs["retention.ms"] = str(int((settings.state_window_days + 1) * 86_400_000))
    return configs


def ensure_topics(settings: Settings, names: list[str] | None = None) -> list[str]:
    """Create the missing topics among ``names`` (default: all owned); return those created."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    wanted = owned_topics(settings)
    if names is not None:
        wanted = {name: wanted.get(name, settings.topic_partitions) for name in names}
    admin = KafkaAdminClient(client_id=f"{settings.app_id}-admin", **client_config(settings))
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(name, p, 1, topic_configs=topic_configs(settings, name))
            for name, p in wanted.items()
            if name not in existing
        ]
        created: list[str] = []
        for topic in missing:
            try:
                admin.create_topics([topic])
                created.append(topic.name)
            except TopicAlreadyExistsError:  # another process won the race
                pass
        if created:
            log.info("created topics: %s", ", ".join(created))
        return created
    finally:
        admin.close()
