"""sitrep ingest against a real broker: exact messages on the topic, and --follow across restarts."""

from __future__ import annotations

import functools
import io
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
from rich.console import Console

import schemas
from sitrep.commands.ingest import run_ingest
from sitrep.settings import Settings
from tests.fixtures.kafka import MakeTopic

pytestmark = pytest.mark.integration


class _Topic:
    """Reads one topic from the beginning, accumulating every record seen."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        from kafka import KafkaConsumer, TopicPartition

        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
        partition = TopicPartition(topic, 0)
        self.consumer.assign([partition])
        self.consumer.seek_to_beginning(partition)
        self.records: list[Any] = []

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Any]:
        """Poll until at least ``count`` records arrived (or ``timeout``); returns everything so far."""
        deadline = time.monotonic() + timeout
        while len(self.records) < count and time.monotonic() < deadline:
            for batch in self.consumer.poll(timeout_ms=200).values():
                self.records.extend(batch)
        return self.records

    def settle(self, seconds: float) -> list[Any]:
        """Keep polling for ``seconds`` to catch anything sent late (e.g. an unwanted re-send)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for batch in self.consumer.poll(timeout_ms=200).values():
                self.records.extend(batch)
        return self.records

    def keys(self) -> list[str]:
        return [r.key.decode() for r in self.records]

    def close(self) -> None:
        self.consumer.close()


@pytest.fixture
def settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    return Settings(kafka_bootstrap_servers=kafka_bootstrap, data_dir=tmp_path / "var")


def _ingest(settings: Settings, topic: str, **kwargs: Any) -> tuple[int, str]:
    out = io.StringIO()
    options: dict[str, Any] = {"paths": [], "stdin": False, "feeds": [], "follow": False, "interval": 0.2}
    options.update(kwargs)
    code = run_ingest(settings, topic=topic, progress=False, console=Console(file=out, width=200), **options)
    return code, out.getvalue()


def test_a_jsonl_file_lands_on_the_topic_as_exact_schema_valid_messages_keyed_by_id(
    settings: Settings, make_topic: MakeTopic, tmp_path: Path
) -> None:
    topic = make_topic()
    docs = [
        {
            "id": "it-1",
            "text": "A drone hit a bus stop in Kherson, wounding two.",
            "title": "Kherson drone strike",
            "source": "Test Wire",
            "url": "https://wire.example/it-1",
            "published_at": "2025-07-01T05:00:00+00:00",
        },
        {"id": "it-2", "text": "Air defence shot down nine drones over Odesa region."},
        {"text": "Jets were scrambled over the Baltic after an airspace violation.", "source": "Desk"},
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n{broken line\n", encoding="utf-8")
    reader = _Topic(settings.kafka_bootstrap_servers, topic)
    try:
        code, out = _ingest(settings, topic, paths=[str(path)])
        records = reader.wait_for(3)
        reader.settle(1.0)
    finally:
        reader.close()

    assert code == 1  # the broken line is malformed; everything else was delivered
    assert f"{path}:4: invalid JSON" in out and "delivered 3, failed 0, malformed 1" in out
    assert len(records) == 3
    values = [orjson.loads(r.value) for r in records]
    for value in values:
        schemas.validate("reports-raw-v1", value)
        assert value["received_at"] is not None
    assert [r.key.decode() for r in records] == [v["id"] for v in values]
    assert [v["id"] for v in values[:2]] == ["it-1", "it-2"]
    assert values[2]["id"].startswith("r-")
    assert {k: values[0][k] for k in docs[0]} == docs[0]
    assert [v["text"] for v in values] == [d["text"] for d in docs]


def test_everything_delivered_is_exit_code_zero(
    settings: Settings, make_topic: MakeTopic, tmp_path: Path
) -> None:
    topic = make_topic()
    path = tmp_path / "ok.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"ok-{i}", "text": f"Report {i}."}) for i in range(50)))
    reader = _Topic(settings.kafka_bootstrap_servers, topic)
    try:
        code, out = _ingest(settings, topic, paths=[str(path)])
        records = reader.wait_for(50)
    finally:
        reader.close()

    assert code == 0, out
    assert [r.key.decode() for r in records] == [f"ok-{i}" for i in range(50)]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``(url, file)``: an RSS file served over HTTP from 127.0.0.1 by ``http.server`` in a thread."""
    root = tmp_path / "www"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml", root / "feed.xml"
    finally:
        server.shutdown()
        server.server_close()


def _write_feed(path: Path, *guids: str) -> None:
    items = "".join(
        f"<item><guid>{g}</guid><title>Report {g}</title>"
        f"<description>Shelling reported in item {g}.</description>"
        "<pubDate>Tue, 01 Jul 2025 04:10:00 +0000</pubDate></item>"
        for g in guids
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local desk</title>{items}</channel></rss>'
    )
    staging = path.with_suffix(".tmp")
    staging.write_text(body, encoding="utf-8")
    staging.replace(path)  # atomic: a poll never sees half a document


class _Follower:
    """``run_ingest --follow`` in a thread, stopped like Ctrl-C by setting its event."""

    def __init__(self, settings: Settings, topic: str, feed_url: str) -> None:
        self.stop = threading.Event()
        self.code: int | None = None
        self.output = ""
        self._thread = threading.Thread(target=self._run, args=(settings, topic, feed_url), daemon=True)
        self._thread.start()

    def _run(self, settings: Settings, topic: str, feed_url: str) -> None:
        self.code, self.output = _ingest(settings, topic, feeds=[feed_url], follow=True, stop=self.stop)

    def finish(self) -> int | None:
        self.stop.set()
        self._thread.join(timeout=60)
        assert not self._thread.is_alive()
        return self.code


def test_follow_on_a_served_feed_sends_new_items_and_never_resends_old_ones_across_a_restart(
    settings: Settings, make_topic: MakeTopic, feed_server: tuple[str, Path]
) -> None:
    topic = make_topic()
    url, feed = feed_server
    _write_feed(feed, "g1", "g2")
    reader = _Topic(settings.kafka_bootstrap_servers, topic)
    try:
        first = _Follower(settings, topic, url)
        assert reader.wait_for(2) and reader.keys() == ["g1", "g2"]
        _write_feed(feed, "g3", "g1", "g2")
        reader.wait_for(3)
        reader.settle(1.0)  # several more polls of the same feed: nothing re-sent
        assert first.finish() == 0, first.output
        assert reader.keys() == ["g1", "g2", "g3"]

        restarted = _Follower(settings, topic, url)
        reader.settle(1.5)  # the restarted process polls the unchanged feed several times
        assert reader.keys() == ["g1", "g2", "g3"]
        _write_feed(feed, "g4", "g3", "g1", "g2")
        reader.wait_for(4)
        reader.settle(1.0)
        assert restarted.finish() == 0, restarted.output
    finally:
        reader.close()

    assert reader.keys() == ["g1", "g2", "g3", "g4"]
    assert "already sent" in restarted.output
    for record in reader.records:
        schemas.validate("reports-raw-v1", orjson.loads(record.value))


def test_a_missing_raw_topic_is_created_with_the_configured_partitions_and_used(
    settings: Settings, tmp_path: Path, kafka_admin: Any
) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text('{"id": "x1", "text": "Nowhere to go yet."}\n')
    topic = f"test-created-by-ingest-{uuid.uuid4().hex[:8]}"

    code, out = _ingest(settings, topic, paths=[str(path)])

    assert code == 0, out
    [meta] = kafka_admin.describe_topics([topic])
    assert len(meta["partitions"]) == settings.topic_partitions
    reader = _Topic(settings.kafka_bootstrap_servers, topic)
    try:
        assert [r.key for r in reader.wait_for(1)] == [b"x1"]
    finally:
        reader.close()


def test_the_broker_grants_the_ingest_producer_an_idempotent_producer_id(
    settings: Settings, make_topic: MakeTopic
) -> None:
    from ingest.producer import ReportSender, open_producer
    from sitrep.model import Report

    topic = make_topic()
    producer = open_producer(settings)
    try:
        sender = ReportSender(producer, topic=topic, max_bytes=settings.max_message_bytes)
        sender.send(Report(id="pid-1", text="Checking the producer id."))
        [delivery] = sender.flush(timeout=30)
        pid = producer._transaction_manager.producer_id_and_epoch
    finally:
        producer.close(timeout=10)

    assert delivery.ok and delivery.offset == 0
    assert pid.producer_id >= 0 and pid.epoch >= 0  # InitProducerId succeeded: retries cannot duplicate
