"""The tunable numbers of the dedupe and corroboration core, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitrep.settings import Settings


@dataclass(frozen=True, slots=True)
class DedupeParams:
    """Thresholds and windows.

    ``num_perm``, ``bands``, ``rows``, ``seed`` and ``shingle_words`` shape the stored signatures and band
    keys: changing them invalidates existing state (start from empty tables or a new topic version).
    """

    near_duplicate_threshold: float = 0.8
    corroboration_km: float = 30.0
    corroboration_hours: float = 36.0
    state_window_days: float = 7.0
    shingle_words: int = 3
    num_perm: int = 128
    bands: int = 21
    rows: int = 6
    seed: int = 20240611
    # Two death/injury tolls for one incident are compatible unless the larger exceeds
    # ``count_ratio`` times the smaller plus ``count_slack`` (tolls rise, but 1 versus 40 is two incidents).
    count_ratio: float = 4.0
    count_slack: int = 10

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError("bands * rows must not exceed num_perm")
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
