"""The local broker's pure parts: rendered configuration, cluster ids, versions, jar checks."""

from __future__ import annotations

import base64
import zipfile
from pathlib import Path

import pytest

from sitrep.broker import (
    BrokerConfig,
    BrokerInfo,
    cluster_id_from_bytes,
    log4j_version_for,
    port_is_free,
    render_log4j2_properties,
    render_server_properties,
    verify_kafka_lib,
    version_key,
)
from sitrep.commands.broker import port_from_bootstrap
from sitrep.errors import BrokerError, ConfigurationError


def _props(text: str) -> dict[str, str]:
    """Parse like java.util.Properties for our simple output: later duplicates win."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return dict(pairs)


def _config(**overrides: object) -> BrokerConfig:
    values: dict[str, object] = {"port": 19092, "controller_port": 19093, "data_dir": Path("/srv/kafka/data")}
    values.update(overrides)
    return BrokerConfig(**values)  # type: ignore[arg-type]


def test_server_properties_describe_a_one_node_kraft_cluster_on_ipv4_loopback() -> None:
    props = _props(render_server_properties(_config()))

    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == props["listeners"]
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == "/srv/kafka/data"
    assert "localhost" not in render_server_properties(_config())


def test_every_internal_topic_is_single_replica_and_groups_rebalance_without_delay() -> None:
    props = _props(render_server_properties(_config()))

    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
        "default.replication.factor",
        "min.insync.replicas",
        "offsets.topic.num.partitions",
    ):
        assert props[key] == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_partitions_auto_creation_and_message_size_follow_the_config() -> None:
    props = _props(
        render_server_properties(
            _config(num_partitions=4, auto_create_topics=True, message_max_bytes=5_000_000)
        )
    )

    assert props["num.partitions"] == "4"
    assert props["auto.create.topics.enable"] == "true"
    assert props["message.max.bytes"] == "5000000"
    assert int(props["replica.fetch.max.bytes"]) >= 5_000_000
    assert _props(render_server_properties(_config()))["auto.create.topics.enable"] == "false"


def test_extra_properties_come_last_and_so_override_the_defaults() -> None:
    text = render_server_properties(_config(extra=(("num.partitions", "7"), ("log.retention.ms", "1000"))))

    assert _props(text)["num.partitions"] == "7"
    assert text.rstrip().splitlines()[-1] == "log.retention.ms=1000"


@pytest.mark.parametrize(
    "overrides",
    [{"num_partitions": 0}, {"message_max_bytes": 10}, {"controller_port": 19092}],
    ids=["no-partitions", "tiny-messages", "same-ports"],
)
def test_impossible_configs_are_configuration_errors(overrides: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        render_server_properties(_config(**overrides))


def test_log4j2_config_writes_server_log_into_the_kafka_logs_dir() -> None:
    text = render_log4j2_properties()

    assert "appender.server.fileName = ${sys:kafka.logs.dir}/server.log" in text
    assert "rootLogger.level = INFO" in text


def test_cluster_id_is_16_bytes_in_unpadded_url_safe_base64() -> None:
    raw = bytes(range(250, 256)) + bytes(range(10))
    cluster_id = cluster_id_from_bytes(raw)

    assert len(cluster_id) == 22
    assert "=" not in cluster_id and "+" not in cluster_id and "/" not in cluster_id
    assert base64.urlsafe_b64decode(cluster_id + "==") == raw
    with pytest.raises(ValueError):
        cluster_id_from_bytes(b"short")


def test_log4j_follows_the_kafka_release_and_pre_4_kafka_is_refused() -> None:
    assert log4j_version_for("4.0.1") == "2.24.3"
    assert log4j_version_for("4.1.1") == "2.24.3"
    assert log4j_version_for("4.2.0").startswith("2.25.")
    assert log4j_version_for("4.4.0").startswith("2.25.")
    with pytest.raises(ConfigurationError, match="needs Kafka 4"):
        log4j_version_for("3.9.1")
    with pytest.raises(ConfigurationError, match="not a Kafka version"):
        log4j_version_for("latest")


def test_broker_info_survives_a_json_round_trip() -> None:
    info = BrokerInfo(
        bootstrap="127.0.0.1:9092", port=9092, controller_port=9093, pid=42, home=Path("/x"), version="4.1.1"
    )

    assert BrokerInfo.from_json(info.to_json()) == info


def test_a_lib_dir_without_the_broker_entry_points_is_rejected(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "kafka_2.13-4.1.1.jar", "w") as jar:
        jar.writestr("kafka/Kafka.class", b"")
    with pytest.raises(BrokerError, match="StorageTool"):
        verify_kafka_lib(tmp_path)

    with zipfile.ZipFile(tmp_path / "kafka_2.13-4.1.1.jar", "a") as jar:
        jar.writestr("kafka/tools/StorageTool.class", b"")
    assert verify_kafka_lib(tmp_path).name == "kafka_2.13-4.1.1.jar"


def test_an_empty_lib_dir_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match=r"no kafka_2\.13"):
        verify_kafka_lib(tmp_path)


def test_a_listening_port_is_not_free() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert port_is_free(sock.getsockname()[1]) is False


@pytest.mark.parametrize(
    ("bootstrap", "port"),
    [
        ("127.0.0.1:19092", 19092),
        ("localhost:9094,localhost:9095", 9094),
        ("kafka.example.org:9092", 9092),
        ("127.0.0.1", 9092),
    ],
)
def test_broker_up_binds_the_port_a_local_bootstrap_setting_names(bootstrap: str, port: int) -> None:
    assert port_from_bootstrap(bootstrap) == port


def test_kafka_versions_order_numerically() -> None:
    assert version_key("4.10.0") > version_key("4.9.1") > version_key("4.1.1")
    with pytest.raises(ConfigurationError):
        version_key("4.x")
