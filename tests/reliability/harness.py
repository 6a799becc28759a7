"""Shared moves of the fault tests: sizes (CI or soak), a corpus on disk, the expected rows, a timed run.

``SITREP_SOAK=1`` selects the full sizes (``make soak``); without it the bounded CI sizes run and the
``slow`` tests skip. Expected rows are computed once per (size, seed) per session: the pure pipeline over
a few thousand reports takes tens of seconds on this machine.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.reliability.corpus import corpus
from tests.reliability.expected import Rows, expected_rows

SOAK = os.environ.get("SITREP_SOAK") == "1"

soak_only = pytest.mark.skipif(not SOAK, reason="full-size fault test: set SITREP_SOAK=1 (make soak)")

SEED = 5


@functools.cache
def reports(n: int, seed: int = SEED) -> tuple[dict[str, Any], ...]:
    return tuple(corpus(n, seed)[0])


@functools.cache
def expected(n: int, seed: int = SEED) -> Rows:
    return expected_rows(reports(n, seed))


_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="expected-rows")


def expected_soon(n: int, seed: int = SEED) -> Future[Rows]:
    """``expected(n)`` computed in a background thread while the worker process does the real run."""
    return _BACKGROUND.submit(expected, n, seed)


def write_jsonl(path: Path, items: tuple[dict[str, Any], ...]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(item) + b"\n" for item in items))
    return path


def ingest(env: dict[str, str], path: Path, timeout: float = 300) -> None:
    """``sitrep ingest <path>`` as a user runs it; fail with its output unless it exits 0."""
    done = subprocess.run(
        [sys.executable, "-m", "sitrep.cli", "ingest", str(path), "--no-progress"],
        env=env,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")[-3000:]


def start_ingest(env: dict[str, str], path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sitrep.cli", "ingest", str(path), "--no-progress"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@contextmanager
def timed(label: str) -> Iterator[dict[str, float]]:
    """Measure a block and print how long it took (pytest shows it with ``-s`` or on failure)."""
    marks: dict[str, float] = {}
    start = time.monotonic()
    try:
        yield marks
    finally:
        total = time.monotonic() - start
        detail = ", ".join(f"{k} {v:.1f}s" for k, v in marks.items())
        print(f"\n[reliability] {label}: {total:.1f}s" + (f" ({detail})" if detail else ""), flush=True)


def raw_end_offset(bootstrap: str, topic: str) -> int:
    """How many messages ``topic`` (partition 0) holds: the producer's progress as the broker sees it."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        tp = TopicPartition(topic, 0)
        return int(consumer.end_offsets([tp])[tp])
    finally:
        consumer.close()
