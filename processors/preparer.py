"""Stage A (decode, fingerprint, classify) off the event loop: in worker processes, batch by batch.

Why: the worker is CPU-bound, and one Python process runs its event loop on one core. Profiling the
end-to-end bench (py-spy, bench/README.md) put about half of the worker's CPU in stage A: classification,
the MinHash sketch, JSON Schema validation and the prepared message's encoding, all run inline in the
``prepare`` agent, so the loop could not fetch, decide, publish or commit meanwhile. Stage A is a pure
function of the raw bytes, so it parallelises without changing a single decision: the agent hands each
batch to a ``ProcessPoolExecutor`` (spawned, not forked: the worker has threads) and awaits the results
in input order. ``prepare_processes = 0`` keeps stage A on the loop (tests, one-core hosts).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import schemas
from sitrep.errors import InvalidReport
from sitrep.pipeline import Origin, Pipeline
from sitrep.settings import Settings
from sitrep.topics import MESSAGE_HEADROOM

log = logging.getLogger("sitrep.worker")


@dataclass(frozen=True, slots=True)
class RawJob:
    """One raw message, as plain values (picklable)."""

    value: bytes | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class Ready:
    """A prepared report: its key and encoded ``reports-prepared-v1`` message."""

    key: bytes
    value: bytes
    seconds: float  # time spent classifying, for the latency histogram


@dataclass(frozen=True, slots=True)
class Rejected:
    """A raw message that is not a valid report (it goes to the dead-letter topic)."""

    error: InvalidReport


Result = Ready | Rejected


def prepare_one(pipeline: Pipeline, job: RawJob, max_bytes: int) -> Result:
    """Decode and prepare one raw message. Pure: the same bytes and origin give the same result."""
    try:
        report = schemas.decode_report(job.value, max_bytes=max_bytes)
    except InvalidReport as error:
        return Rejected(error)
    start = time.perf_counter()
    prepared = pipeline.prepare(report, job.origin)
    seconds = time.perf_counter() - start
    value = pipeline.dump_prepared(prepared)
    if len(value) > max_bytes + MESSAGE_HEADROOM:
        # The report with what was read from it (and later its curated record, of about the same size)
        # must fit the topics downstream (the limit plus a headroom): dead-letter it here rather than let
        # the broker refuse it on every retry.
        return Rejected(
            InvalidReport(
                "too_large",
                f"the prepared report is {len(value)} bytes (text and extracted events), over the "
                f"topics' limit of {max_bytes + MESSAGE_HEADROOM}",
            )
        )
    return Ready(report.id.encode(), value, seconds)


# The child process's pipeline: loaded once by the pool's initializer (a process-wide singleton is what a
# process pool offers for per-worker start-up state; the parent never reads it).
_CHILD: tuple[Pipeline, int] | None = None


def _init_child(settings: Settings) -> None:
    global _CHILD
    # Ctrl-C in a terminal reaches the whole process group: the parent worker decides what stops when.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with(os.getppid())
    _CHILD = (Pipeline.from_settings(settings), settings.max_message_bytes)


def _exit_with(parent: int) -> None:
    """End this process when its parent is gone (SIGKILL, OOM): it must not outlive the worker."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _prepare_chunk(jobs: Sequence[RawJob]) -> list[Result]:
    assert _CHILD is not None, "pool initializer did not run"
    pipeline, max_bytes = _CHILD
    return [prepare_one(pipeline, job, max_bytes) for job in jobs]


class Preparer:
    """Runs stage A for a batch, in a process pool or (``processes == 0``) inline."""

    def __init__(self, settings: Settings, pipeline: Pipeline) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.processes = settings.prepare_processes
        self._pool: Executor | None = None

    def start(self) -> None:
        """Spawn the pool and load the classifier in every process (a few seconds), before input flows."""
        if self.processes and self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_child,
                initargs=(self.settings,),
            )
            # Start every process now, so the first batch does not pay the classifier's load time.
            list(self._pool.map(_noop, range(self.processes)))

    async def run(self, jobs: Sequence[RawJob]) -> list[Result]:
        if not self.processes:
            return [prepare_one(self.pipeline, job, self.settings.max_message_bytes) for job in jobs]
        if self._pool is None:
            await asyncio.to_thread(self.start)
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        size = max(1, -(-len(jobs) // self.processes))  # ceil: one chunk per process
        chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        try:
            done = await asyncio.gather(
                *(loop.run_in_executor(self._pool, _prepare_chunk, c) for c in chunks)
            )
        except BrokenProcessPool as error:
            # A pool process died (OOM killer, a signal). Nothing was sent for this batch yet: start a
            # new pool for the next batches and do this one inline, so the worker neither stops nor skips.
            log.error("stage A process pool broke (%s); restarting it, this batch runs inline", error)
            self.close()
            return [prepare_one(self.pipeline, job, self.settings.max_message_bytes) for job in jobs]
        return [result for chunk in done for result in chunk]

    def close(self, wait: bool = False) -> None:
        """End the pool. ``wait`` (at the worker's exit) lets the pool's manager thread finish here, so the
        interpreter's exit has no thread left to wait on. A clean-clone CI run once found a non-JSON
        "Exception ignored in <module 'threading'>" line at the end of a JSON log; that wait is the likely
        place."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None


def _noop(_: int) -> None:
    return None
