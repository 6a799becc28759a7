"""Regression gate: the classifier's scores on the project's own authored corpus (tests/data/eval/).

These files were written for this project (see their README), each measured once before the rules were
tuned on it, so these floors guard against regressions; they do not measure accuracy on unseen text
(that was each file's first score, and in session 4 real published text kept outside the project; see
``docs/classifier.md``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitrep.classify import Classifier
from sitrep.commands.classify import EvalResult, evaluate, normalise_admin1

EVAL = Path(__file__).resolve().parents[1] / "data" / "eval"


def _score(classifier: Classifier, name: str) -> EvalResult:
    items = [
        json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return evaluate(items, classifier)


@pytest.mark.parametrize(
    "name",
    [
        *("tune.jsonl", "holdout.jsonl", "final.jsonl", "blind.jsonl", "blind2.jsonl", "blind3.jsonl"),
        *("blind4.jsonl", "blind5.jsonl", "blind6.jsonl", "blind7.jsonl"),
    ],
)
def test_scores_on_the_authored_corpus_stay_above_their_floors(classifier: Classifier, name: str) -> None:
    res = _score(classifier, name)
    assert res.n >= 140 and res.errors == 0
    f1 = {t: tally.f1 for t, tally in res.per_type.items()}
    # Floors a little under the scores measured when the rules were last changed (rules-2026.11.6), F1 for
    # strike / casualty / aircraft_loss / airspace_response, then killed exact and admin1 accuracy; the
    # lowest file for each: strike 0.956 (blind7), casualty 0.943 (blind5), aircraft_loss 0.945 (blind4),
    # airspace_response 0.947 (blind5), killed exact 0.959 (blind2), admin1 0.795 (blind4).
    assert (f1["strike"] or 0) >= 0.95
    assert (f1["casualty"] or 0) >= 0.94
    assert (f1["aircraft_loss"] or 0) >= 0.94
    assert (f1["airspace_response"] or 0) >= 0.94
    assert res.killed_exact / res.killed_total >= 0.95
    assert res.admin1_correct / res.admin1_total >= 0.78
    assert res.aircraft_false_alarms / res.non_aircraft_items < 0.02


def test_admin1_keys_ignore_region_words_and_arabic_endings() -> None:
    assert normalise_admin1("Hama governorate") == normalise_admin1("Ḩamāh")
    assert normalise_admin1("Tulcea county") == normalise_admin1("Tulcea")
    assert normalise_admin1("Lublin voivodeship") == normalise_admin1("Lublin")
    assert normalise_admin1("Kyiv city") != normalise_admin1("Kyiv oblast")
