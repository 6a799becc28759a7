"""sitrep's classifier: one report in, the incidents it describes out.

Public surface (others code against it): ``CLASSIFIER_VERSION``, ``Classifier``, ``load_classifier``,
``Gazetteer`` and ``distance_km``. Files are read only by ``load_classifier`` (once per process, cached).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sitrep.classify.engine import Classifier
from sitrep.classify.gazetteer import Gazetteer, build_gazetteer, distance_km
from sitrep.classify.rules import CLASSIFIER_VERSION, DEFAULT_RULES_PATH, load_rules

__all__ = ["CLASSIFIER_VERSION", "Classifier", "Gazetteer", "distance_km", "load_classifier"]


def load_classifier(rules_path: Path | None = None) -> Classifier:
    """Return the process-wide classifier for ``rules_path`` (default: the bundled rule set).

    The rule file and the gazetteer are read on the first call only; later calls return the same object.
    """
    return _load(rules_path or DEFAULT_RULES_PATH)


@lru_cache(maxsize=4)
def _load(rules_path: Path) -> Classifier:
    rules = load_rules(rules_path)
    return Classifier(rules, build_gazetteer(region_aliases=rules.tables.get("region_alias", {})))
