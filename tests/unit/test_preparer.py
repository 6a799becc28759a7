"""Stage A in a process pool: the same results as inline, and no process outlives the worker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

import schemas
from processors.preparer import Preparer, RawJob, Ready, Rejected, prepare_one
from sitrep.pipeline import Origin, Pipeline
from sitrep.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def run_python(script: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter at the project root (exit codes and signals stay its own)."""
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def _jobs() -> list[RawJob]:
    good = [
        {"id": f"p{i}", "text": f"A drone struck a bus in Kherson, killing {i + 1} people.", "source": "wire"}
        for i in range(5)
    ]
    values: list[bytes | None] = [orjson.dumps(d) for d in good]
    values.insert(2, b"{not json")
    values.append(None)
    return [RawJob(v, Origin("reports-raw-v1", 0, i, 1_700_000_000_000)) for i, v in enumerate(values)]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(Settings())


def test_inline_stage_a_encodes_valid_reports_and_rejects_the_rest_with_a_reason(pipeline: Pipeline) -> None:
    results = [prepare_one(pipeline, job, 1 << 20) for job in _jobs()]
    assert [type(r) for r in results] == [Ready, Ready, Rejected, Ready, Ready, Ready, Rejected]
    first = results[0]
    assert isinstance(first, Ready) and first.key == b"p0"
    assert pipeline.load_prepared(first.value).classification.events[0].killed == 1
    rejected = results[2]
    assert isinstance(rejected, Rejected) and rejected.error.reason == "invalid_json"


def test_the_process_pool_gives_exactly_the_inline_results_in_input_order(pipeline: Pipeline) -> None:
    jobs = _jobs() * 3
    inline = Preparer(Settings(prepare_processes=0), pipeline)
    pooled = Preparer(Settings(prepare_processes=2), pipeline)
    try:
        pooled.start()
        got = asyncio.run(pooled.run(jobs))
    finally:
        pooled.close()
    want = asyncio.run(inline.run(jobs))

    def comparable(results: list[Ready | Rejected]) -> list[object]:
        # Classification time differs run to run; everything else must be identical.
        return [(r.key, r.value) if isinstance(r, Ready) else r.error.reason for r in results]

    assert comparable(got) == comparable(want)


def test_pool_processes_end_when_the_worker_is_killed() -> None:
    script = (
        "import os, signal, sys\n"
        "from processors.preparer import Preparer\n"
        "from sitrep.pipeline import Pipeline\n"
        "from sitrep.settings import Settings\n"
        "s = Settings(prepare_processes=2)\n"
        "p = Preparer(s, Pipeline.from_settings(s))\n"
        "p.start()\n"
        "print(' '.join(str(q) for q in p._pool._processes), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = run_python(script, timeout=120)
    assert done.returncode == -9, done.stderr[-2000:]
    children = [int(pid) for pid in done.stdout.split()]
    assert len(children) == 2, done.stdout
    deadline = time.monotonic() + 10
    alive = children
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in children if _running(pid)]
    assert not alive, f"pool processes {alive} outlived their SIGKILLed parent"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False
    except OSError:
        return os.path.exists(f"/proc/{pid}")


def test_a_broken_pool_is_replaced_and_its_batch_done_inline(pipeline: Pipeline) -> None:
    pooled = Preparer(Settings(prepare_processes=1), pipeline)
    try:
        pooled.start()
        assert pooled._pool is not None
        for process in list(pooled._pool._processes.values()):  # type: ignore[attr-defined]
            process.kill()  # as the OOM killer would
            process.join()
        got = asyncio.run(pooled.run(_jobs()))
        assert [type(r) for r in got] == [Ready, Ready, Rejected, Ready, Ready, Ready, Rejected]
        again = asyncio.run(pooled.run(_jobs()))  # a fresh pool takes the next batch
        assert [type(r) for r in again] == [type(r) for r in got]
    finally:
        pooled.close()


def test_a_report_whose_prepared_form_exceeds_the_limit_is_dead_lettered_as_too_large(
    pipeline: Pipeline,
) -> None:
    from sitrep.topics import MESSAGE_HEADROOM

    text = " ".join(f"A drone struck a bus in Kherson, killing {i % 9 + 1} people." for i in range(500))
    raw = orjson.dumps({"id": "big", "text": text})
    assert len(
        pipeline.dump_prepared(
            pipeline.prepare(schemas.decode_report(raw, max_bytes=1 << 20), Origin("r", 0, 0))
        )
    ) > (len(raw) + MESSAGE_HEADROOM), "the extracted events must outgrow the headroom for this test"
    limit = len(raw) + 100  # the raw message fits; with its extracted events it does not fit the topics
    result = prepare_one(pipeline, RawJob(raw, Origin("reports-raw-v1", 0, 0)), limit)
    assert isinstance(result, Rejected)
    assert result.error.reason == "too_large" and "prepared report" in result.error.detail


def test_an_agent_that_fails_unexpectedly_ends_the_worker_process_with_code_70() -> None:
    script = (
        "import asyncio\n"
        "from processors.app import stop_on_failure\n"
        "async def agent(stream):\n"
        "    raise RuntimeError('broken invariant')\n"
        "asyncio.run(stop_on_failure(agent)(None))\n"
        "print('carried on')\n"
    )
    done = run_python(script)
    assert done.returncode == 70, done.stderr[-2000:]
    assert "carried on" not in done.stdout
    assert "agent agent failed" in done.stderr and "RuntimeError: broken invariant" in done.stderr


def test_an_agent_cut_short_by_shutdown_returns_quietly() -> None:
    script = (
        "import asyncio\n"
        "from types import SimpleNamespace\n"
        "from processors.app import stop_on_failure\n"
        "async def agent(stream):\n"
        "    raise ConnectionError('producer closed')\n"
        "asyncio.run(stop_on_failure(agent)(SimpleNamespace(app=SimpleNamespace(should_stop=True))))\n"
        "print('carried on')\n"
    )
    done = run_python(script)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "carried on" in done.stdout
