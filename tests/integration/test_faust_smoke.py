"""Risk check: does faust-streaming (on aiokafka) run against the real broker sitrep starts?

A minimal Faust app runs as a real worker subprocess (``python -m faust -A smokeapp worker``): one agent reads
a topic, counts per key in a changelog-backed Table (``memory://`` store) and forwards each value to a second
topic. A second worker run of the same app must recover the counts from the changelog and resume after the
committed offsets instead of re-reading the topic.

Found while writing this (faust-streaming 0.15.3, aiokafka 0.14):
- ``faust worker`` starts the web server even when the app says ``web_enabled=False``: the CLI's
  ``--with-web/--without-web`` flag defaults to on and overwrites the setting, so pass ``--without-web`` (or a
  free ``--web-port``) or two workers on one machine collide on port 6066.
- A restarted worker may process records that were already waiting in its topic twice (see below).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from tests.fixtures.kafka import MakeTopic

pytestmark = pytest.mark.integration

APP_SOURCE = textwrap.dedent(
    """
    import os

    import faust

    app = faust.App(
        os.environ["SMOKE_APP_ID"],
        broker="kafka://" + os.environ["SMOKE_BOOTSTRAP"],
        store="memory://",
        datadir=os.environ["SMOKE_DATADIR"],
        topic_partitions=2,
        topic_replication_factor=1,
        web_enabled=False,
    )
    source = app.topic(os.environ["SMOKE_IN"], key_serializer="raw", value_serializer="raw")
    sink = app.topic(os.environ["SMOKE_OUT"], key_serializer="raw", value_serializer="raw")
    counts = app.Table("counts", default=int, partitions=2, key_type=str, value_type=int)


    @app.agent(source)
    async def relay(stream):
        async for key, value in stream.items():
            name = key.decode()
            counts[name] += 1
            await sink.send(key=key, value=value.upper() + b":" + str(counts[name]).encode())
    """
)


@dataclass(frozen=True)
class SmokeApp:
    directory: Path
    app_id: str
    source: str
    sink: str
    bootstrap: str

    @property
    def changelog(self) -> str:
        return f"{self.app_id}-counts-changelog"


@pytest.fixture
def smoke_app(tmp_path: Path, kafka_bootstrap: str, make_topic: MakeTopic, topic_name: str) -> SmokeApp:
    (tmp_path / "smokeapp.py").write_text(APP_SOURCE)
    return SmokeApp(
        directory=tmp_path,
        app_id=f"{topic_name}-app",
        source=make_topic(f"{topic_name}-in", partitions=2),
        sink=make_topic(f"{topic_name}-out", partitions=2),
        bootstrap=kafka_bootstrap,
    )


class Worker:
    """One ``faust worker`` subprocess of the smoke app, its output in ``<dir>/worker-<n>.log``."""

    def __init__(self, app: SmokeApp, run: int) -> None:
        self.log = app.directory / f"worker-{run}.log"
        env = {
            **os.environ,
            "PYTHONPATH": str(app.directory),
            "SMOKE_APP_ID": app.app_id,
            "SMOKE_BOOTSTRAP": app.bootstrap,
            "SMOKE_DATADIR": str(app.directory / f"data-{run}"),
            "SMOKE_IN": app.source,
            "SMOKE_OUT": app.sink,
        }
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "faust", "-A", "smokeapp", "worker", "--without-web", "-l", "info"],
                cwd=app.directory,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while "[^Worker]: Ready" not in self.text():
            assert self.proc.poll() is None, f"faust worker exited ({self.proc.returncode}):\n{self.tail()}"
            assert time.monotonic() < deadline, f"faust worker not ready after {timeout} s:\n{self.tail()}"
            time.sleep(0.1)

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(
                    f"faust worker ignored SIGTERM for {timeout} s:\n{self.tail()}"
                ) from None
        return self.proc.returncode


@pytest.fixture
def workers(smoke_app: SmokeApp) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        if worker.proc.poll() is None:
            worker.proc.kill()
            worker.proc.wait()


def _send(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for key, value in records:
            producer.send(topic, key=key, value=value)
        producer.flush(timeout=10)
    finally:
        producer.close()


Pairs = list[tuple[bytes, bytes]]


def _read(consumer: KafkaConsumer, count: int | None, timeout: float, worker: Worker) -> Pairs:
    """Poll until ``count`` records arrived (failing after ``timeout``); ``count`` None: poll ``timeout``."""
    got: Pairs = []
    deadline = time.monotonic() + timeout
    while (count is None or len(got) < count) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            got += [(r.key, r.value) for r in records]
    assert count is None or len(got) >= count, f"got {got} of {count} records:\n{worker.tail()}"
    return got


def _end_offsets(bootstrap: str, topic: str, partitions: int) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        return sum(consumer.end_offsets([TopicPartition(topic, p) for p in range(partitions)]).values())
    finally:
        consumer.close()


def test_faust_agent_relays_records_and_its_table_recovers_from_the_changelog(
    smoke_app: SmokeApp, workers: list[Worker]
) -> None:
    out = KafkaConsumer(smoke_app.sink, bootstrap_servers=smoke_app.bootstrap, auto_offset_reset="earliest")
    try:
        first = Worker(smoke_app, 1)
        workers.append(first)
        _send(smoke_app.bootstrap, smoke_app.source, [(b"k%d" % (i % 2), b"hello%d" % i) for i in range(6)])
        relayed = _read(out, 6, timeout=90, worker=first)
        assert sorted(relayed) == [
            (b"k0", b"HELLO0:1"),
            (b"k0", b"HELLO2:2"),
            (b"k0", b"HELLO4:3"),
            (b"k1", b"HELLO1:1"),
            (b"k1", b"HELLO3:2"),
            (b"k1", b"HELLO5:3"),
        ]
        assert first.stop() == 0, first.tail()
        assert _end_offsets(smoke_app.bootstrap, smoke_app.changelog, 2) == 6

        second = Worker(smoke_app, 2)
        workers.append(second)
        # Sent only once the worker is ready: records already waiting while a faust 0.15.3 worker starts are
        # sometimes processed twice (it resumes the stream before seeking to the committed offsets; seen
        # here in 5 of 12 restarts, with Kafka 4.1.1 and 4.4.0 alike), which would make this test flaky.
        second.wait_ready()
        _send(smoke_app.bootstrap, smoke_app.source, [(b"k0", b"again"), (b"k1", b"again")])
        resumed = _read(out, 2, timeout=90, worker=second)
        # Give a (wrong) re-read of the first six records time to show up before judging.
        resumed += _read(out, None, timeout=3, worker=second)
        assert sorted(resumed) == [(b"k0", b"AGAIN:4"), (b"k1", b"AGAIN:4")], second.tail()
        assert second.stop() == 0, second.tail()
    finally:
        out.close()

    assert "Traceback" not in first.text() + second.text(), first.tail() + second.tail()
