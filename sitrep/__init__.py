"""sitrep: raw conflict reporting in, curated and deduplicated event records out."""

__version__ = "0.1.0"
