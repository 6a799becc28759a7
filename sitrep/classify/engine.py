"""The classifier proper (stub until the rules land)."""

from __future__ import annotations

from sitrep.classify.gazetteer import Gazetteer
from sitrep.classify.rules import Rules
from sitrep.model import Classification, Report


class Classifier:
    """Holds compiled rules and a gazetteer; calling it on a report is pure and never raises."""

    def __init__(self, rules: Rules, gazetteer: Gazetteer) -> None:
        self.rules = rules
        self.gazetteer = gazetteer
        self.version = rules.version

    def __call__(self, report: Report) -> Classification:
        return Classification(report_id=report.id, events=(), classifier_version=self.version)
