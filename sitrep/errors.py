"""Every error sitrep names. Poison (can never be processed) versus trouble (retry later)."""

from __future__ import annotations


class SitrepError(Exception):
    """Base class for sitrep's own errors."""


class InvalidReport(SitrepError):
    """Poison: a raw message that can never become a report (bad JSON, schema violation, too big).

    ``reason`` is a short machine-readable code that goes into the dead-letter headers.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    def __reduce__(self) -> tuple[type[InvalidReport], tuple[str, str]]:
        # Pickled across processes (stage A's pool hands rejections back to the worker).
        return (type(self), (self.reason, self.detail))


class SinkUnavailable(SitrepError):
    """Trouble: the store cannot be written right now; retry with backoff, do not acknowledge."""


class BrokerError(SitrepError):
    """The local broker could not be fetched, started or reached."""


class ConfigurationError(SitrepError):
    """Settings or the environment are unusable (missing Java, port taken, ...)."""


class StoreRejected(SitrepError):
    """Poison for the sink: the store refuses this data (constraint, type, shape); retrying cannot help."""
