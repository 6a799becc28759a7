"""The classifier never raises and stays fast on any text."""

from __future__ import annotations

import json
import time
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.classify import CLASSIFIER_VERSION, Classifier
from sitrep.classify.engine import _WORD
from sitrep.model import Report


def test_empty_and_blank_texts_give_no_events(classifier: Classifier) -> None:
    for text in ("", " ", "\n\n\t"):
        result = classifier(Report(id="e", text=text))
        assert result.events == () and result.report_id == "e"
        assert result.classifier_version == CLASSIFIER_VERSION


def test_a_megabyte_of_text_finishes_in_bounded_time(classifier: Classifier) -> None:
    paragraph = (
        "A drone struck a house in Kherson, killing two people. Air defence shot down 12 of 15 drones. "
        "Officials said the attack was the third this week, and no further casualties were reported. "
    )
    text = paragraph * (1_048_576 // len(paragraph) + 1)
    started = time.perf_counter()
    result = classifier(Report(id="big", text=text))
    assert time.perf_counter() - started < 30
    assert result.events
    assert all(s.end <= len(text) for e in result.events for s in e.evidence)


def test_cyrillic_text_does_not_break_reading(classifier: Classifier) -> None:
    text = "Росія атакувала Харків дронами. Загинули двоє людей. Ракета влучила в будинок у Києві."  # noqa: RUF001 (Cyrillic on purpose)
    result = classifier(Report(id="cy", text=text))
    assert isinstance(result.events, tuple)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=2000))
def test_any_unicode_text_is_classified_without_error(classifier: Classifier, text: str) -> None:
    result = classifier(Report(id="h", text=text))
    for event in result.events:
        assert 0.0 <= event.confidence <= 1.0
        for span in event.evidence:
            assert 0 <= span.start <= span.end <= len(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "A missile hit Kharkiv",
                "killing three",
                "no one was hurt",
                "Su-25 was shot down",
                "air defence shot down 9 drones",
                "in the Donetsk region",
                ",",
                ".",
                ";",
                " and another ",
                "including a child",
                "dozens",
                "Kyiv",
                "—",
                "Poland scrambled jets",
            ]
        ),
        max_size=40,
    )
)
def test_shuffled_report_fragments_never_raise(classifier: Classifier, parts: list[str]) -> None:
    text = " ".join(parts)
    result = classifier(Report(id="f", text=text))
    assert all(e.types for e in result.events)


@pytest.mark.parametrize(
    "text",
    [
        ", ".join(["two people were killed"] * 6000),
        "; ".join(["A drone hit Kyiv, killing two"] * 6000),
        " ".join(["Kharkiv Kherson"] * 8000) + " killed",
        "losses " + "a " * 50000 + "amounted to 5",
    ],
    ids=["run-on-commas", "run-on-semicolons", "capitalised-run", "long-gap"],
)
def test_run_on_input_stays_fast(classifier: Classifier, text: str) -> None:
    started = time.perf_counter()
    classifier(Report(id="r", text=text))
    assert time.perf_counter() - started < 15


def test_every_cue_stem_can_match_a_token() -> None:
    """Cues are read token by token (a stem is a token's prefix): a stem with a space or other
    punctuation the tokenizer splits on could never match, and its rules would silently never run."""
    data = json.loads(resources.files("sitrep").joinpath("rules/v1.json").read_text(encoding="utf-8"))
    dead = [
        (family, stem)
        for family, stems in data["cue_stems"].items()
        for stem in stems
        if _WORD.fullmatch(stem.lower()) is None
    ]
    assert dead == []
