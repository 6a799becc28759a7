"""Unit-test wiring: the classifier every classifier test reads with (built once per process)."""

from __future__ import annotations

import pytest

from sitrep.classify import Classifier, load_classifier


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return load_classifier()
