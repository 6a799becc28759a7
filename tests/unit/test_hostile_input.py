"""Hostile input against the pure edge and core: the decoder only says InvalidReport, the core never raises.

The labelled strategies of ``tests/fixtures/hostile.py`` are checked here against the decoder, so the
end-to-end test (tests/e2e/test_bad_input.py) can trust their labels when it counts dead letters.
"""

from __future__ import annotations

import contextlib
import functools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemas
from sitrep.dedupe import DedupeState
from sitrep.errors import InvalidReport
from sitrep.model import Report
from sitrep.pipeline import Origin, Pipeline
from sitrep.settings import Settings
from tests.fixtures.hostile import LIMIT_BYTES, Hostile, bad_messages, hostile_messages, texts

# Bytes right around the size limit, built from a short pattern (Hypothesis refuses to draw 20 KB of entropy).
_around_the_limit = st.tuples(st.binary(min_size=1, max_size=16), st.integers(-8, 8)).map(
    lambda t: (t[0] * LIMIT_BYTES)[: LIMIT_BYTES + t[1]]
)
BIG = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def pipeline() -> Pipeline:
    return Pipeline.from_settings(Settings())


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.binary(max_size=4096), _around_the_limit))
def test_decoding_arbitrary_bytes_raises_nothing_but_invalid_report(raw: bytes) -> None:
    try:
        report = schemas.decode_report(raw, max_bytes=LIMIT_BYTES)
    except InvalidReport as error:
        assert error.reason in {"empty", "too_large", "invalid_utf8", "invalid_json", "schema_violation"}
    else:
        assert isinstance(report, Report) and report.id and report.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers(-(2**63), 2**63 - 1) | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=12,
    ).flatmap(
        lambda doc: (
            st.fixed_dictionaries(
                {}, optional={"id": st.just(doc), "text": st.just(doc), "published_at": st.just(doc)}
            )
            | st.just(doc)
        )
    )
)
def test_decoding_arbitrary_json_raises_nothing_but_invalid_report(doc: object) -> None:
    with contextlib.suppress(InvalidReport):
        schemas.decode_report(json.dumps(doc).encode(), max_bytes=LIMIT_BYTES)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=BIG,
)
@given(hostile_messages)
def test_every_hostile_message_gets_the_verdict_it_was_built_for(message: Hostile) -> None:
    if message.reason is not None:
        with pytest.raises(InvalidReport) as caught:
            schemas.decode_report(message.value, max_bytes=LIMIT_BYTES)
        assert caught.value.reason == message.reason, (message.kind, message.value and message.value[:300])
        return
    assert message.report is not None
    report = schemas.decode_report(message.value, max_bytes=LIMIT_BYTES)
    for name in ("id", "text", "title", "source", "url"):
        assert getattr(report, name) == message.report.get(name), name  # verbatim, nothing escaped


@settings(max_examples=200, deadline=None, suppress_health_check=BIG)
@given(bad_messages)
def test_poison_never_decodes(message: Hostile) -> None:
    with pytest.raises(InvalidReport):
        schemas.decode_report(message.value, max_bytes=LIMIT_BYTES)


def _through_the_core(text: str, offset: int, state: DedupeState, title: str | None = None) -> None:
    report = Report(id=f"r{offset}", text=text, title=title)
    p = pipeline()
    prepared = p.prepare(report, Origin("reports-raw-v1", 0, offset, 1_760_000_000_000 + offset))
    assert p.load_prepared(p.dump_prepared(prepared)) == prepared
    outcome = p.curate(prepared, state)
    assert outcome.record["report"]["id"] == report.id


@SLOW
@given(st.lists(st.one_of(texts, st.text(min_size=1)), min_size=1, max_size=6))
def test_the_classifier_and_dedupe_never_raise_on_arbitrary_text(batch: list[str]) -> None:
    state = DedupeState.empty()
    for offset, text in enumerate(batch):
        _through_the_core(text, offset, state, title=text[:50])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Дрон атакував Харків, загинули двоє людей. " * 24_000, id="1MB-cyrillic"),
        pytest.param("A drone strike killed 3 people in Kyiv. " * 25_000, id="1MB-english"),
        pytest.param("".join(chr(c) for c in range(1, 32)) * 1000 + " killed 2 in Odesa", id="control-chars"),
        pytest.param("\u202e\ufeff\u200b" * 10_000, id="invisible-only"),
        pytest.param("9" * 100_000 + " people killed", id="100k-digit-number"),
        pytest.param(" ".join(["killed"] * 50_000), id="one-trigger-repeated"),
    ],
)
def test_the_core_survives_pathological_texts(text: str) -> None:
    _through_the_core(text, 0, DedupeState.empty())
