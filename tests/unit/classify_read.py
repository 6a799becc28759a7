"""The one helper the classifier tests share: read a text as a report."""

from __future__ import annotations

from datetime import datetime

from sitrep.classify import Classifier
from sitrep.model import Classification, Report


def read(classifier: Classifier, text: str, published: datetime | None = None) -> Classification:
    return classifier(Report(id="t", text=text, published_at=published))
