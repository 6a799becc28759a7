"""The tunable numbers of the dedupe and corroboration core, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitrep.settings import Settings


@dataclass(frozen=True, slots=True)
class DedupeParams:
    """Thresholds and windows.

    ``num_perm``, ``bands``, ``rows``, ``seed``, ``shingle_words`` and ``number_weight`` shape the stored
    signatures and band keys: changing them invalidates existing state (start from empty tables or a new
    topic version).
    """

    # Tuned with bench/bench_dedupe.py (precision and recall 1.0 from 0.65 to 0.75 with number_weight=4;
    # without number weighting 0.6 admits sibling stories) and checked against short templated bulletins,
    # where lower thresholds call different days' bulletins duplicates. Lightly rewritten wire copy of a
    # 600-character story scores about 0.77.
    near_duplicate_threshold: float = 0.7
    corroboration_km: float = 30.0
    corroboration_hours: float = 36.0
    state_window_days: float = 7.0
    shingle_words: int = 3
    # Each distinct number in a text adds this many pseudo-shingles (see ``text.number_marks``).
    number_weight: int = 4
    # A near duplicate must be within this many hours of event time of its original: copies of a story
    # circulate together, while the same template days apart is a new bulletin.
    near_duplicate_hours: float = 48.0
    num_perm: int = 128
    # 25 bands of 5 rows with min_band_hits=2: a pair at J=0.7 becomes a candidate with p~0.94, at 0.75
    # with 0.99, at 0.8 with 0.999; a pair at J=0.5 with only 0.37 (and is then rejected by its estimate).
    bands: int = 25
    rows: int = 5
    seed: int = 20240611
    # LSH candidates must share at least this many bands before their Jaccard estimate is computed.
    min_band_hits: int = 2
    # Each band bucket keeps at most this many (the newest) report ids.
    max_band_size: int = 64
    # Two death/injury tolls for one incident are compatible unless the larger exceeds
    # ``count_ratio`` times the smaller plus ``count_slack`` (tolls rise, but 1 versus 40 is two incidents).
    count_ratio: float = 4.0
    count_slack: int = 10

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError("bands * rows must not exceed num_perm")
        if self.min_band_hits < 1 or self.max_band_size < 1:
            raise ValueError("min_band_hits and max_band_size must be at least 1")
        if not 0 < self.near_duplicate_threshold <= 1:
            raise ValueError("near_duplicate_threshold must be in (0, 1]")

    @classmethod
    def from_settings(cls, settings: Settings) -> DedupeParams:
        """The parameters the deployment configured (``SITREP_NEAR_DUPLICATE_THRESHOLD`` and friends)."""
        return cls(
            near_duplicate_threshold=settings.near_duplicate_threshold,
            corroboration_km=settings.corroboration_km,
            corroboration_hours=settings.corroboration_hours,
            state_window_days=settings.state_window_days,
        )


DEFAULT_PARAMS = DedupeParams()
