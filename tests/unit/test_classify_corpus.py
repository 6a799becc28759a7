"""Regression gate: the classifier's scores on the project's own authored corpus (tests/data/eval/).

These files were written for this project (see their README), each measured once before the rules were
tuned on it, so these floors guard against regressions; they do not measure accuracy on unseen text
(``blind5.jsonl``, the last, is kept out of tuning and out of this test for that).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitrep.classify import Classifier, load_classifier
from sitrep.commands.classify import EvalResult, evaluate, normalise_admin1

EVAL = Path(__file__).resolve().parents[1] / "data" / "eval"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classifier()


def _score(classifier: Classifier, name: str) -> EvalResult:
    items = [
        json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return evaluate(items, classifier)


@pytest.mark.parametrize(
    "name", ["tune.jsonl", "holdout.jsonl", "final.jsonl", "blind.jsonl", "blind2.jsonl"]
)
def test_scores_on_the_authored_corpus_stay_above_their_floors(classifier: Classifier, name: str) -> None:
    res = _score(classifier, name)
    assert res.n >= 150 and res.errors == 0
    f1 = {t: tally.f1 for t, tally in res.per_type.items()}
    # Floors a little under the scores measured when the rules were last changed (rules-2026.11.4), F1 for
    # strike / casualty / aircraft_loss / airspace_response, then killed exact and admin1 accuracy:
    # tune 0.989 0.985 1.000 1.000 1.000 0.821; holdout 0.988 0.977 0.968 1.000 0.957 0.798;
    # final 0.987 0.992 0.969 0.988 1.000 0.674; blind 0.982 0.986 0.983 1.000 1.000 0.752;
    # blind2 0.952 0.979 0.949 0.953 0.959 0.637.
    assert (f1["strike"] or 0) >= 0.93
    assert (f1["casualty"] or 0) >= 0.95
    assert (f1["aircraft_loss"] or 0) >= 0.92
    assert (f1["airspace_response"] or 0) >= 0.93
    assert res.killed_exact / res.killed_total >= 0.93
    assert res.admin1_correct / res.admin1_total >= 0.61
    assert res.aircraft_false_alarms / res.non_aircraft_items < 0.02


def test_admin1_keys_ignore_region_words_and_arabic_endings() -> None:
    assert normalise_admin1("Hama governorate") == normalise_admin1("Ḩamāh")
    assert normalise_admin1("Tulcea county") == normalise_admin1("Tulcea")
    assert normalise_admin1("Lublin voivodeship") == normalise_admin1("Lublin")
    assert normalise_admin1("Kyiv city") != normalise_admin1("Kyiv oblast")
