"""Dedupe and corroboration: the pure decision core behind the single-owner stage.

Shape of the pipeline around it: every worker runs stage A on its share of ``reports-raw-v1`` (decode,
``normalise``/``fingerprint``, MinHash ``signature``, classify: stateless and parallel), then forwards a small
message to the repartition topic ``reports-prepared-v1``, which has ONE partition. Stage B, the one owner of
that partition, holds the tables (``DedupeState``, in memory: a pure fold of that topic, rebuilt from it after
any crash, see ``sitrep.pipeline.DecisionLog``) and makes the stateful decisions with ``decide_report``
(exact / near duplicate / new) and ``corroborate`` (created / updated / merged canonical events), and
periodically ``expire``.

Why one owner: the decision step is cheap (well over 10,000 reports/s on one core, see
``bench/bench_dedupe.py``) and news volumes are far below that, so a single owner gives exact, race-free
and replay-deterministic decisions across all raw partitions (a twin can never be missed because it landed
on another partition, and two owners can never both create the same incident), while the expensive part,
classification, still scales out in stage A.

Everything here is pure: no I/O, no clock, no environment. Functions take the state they need and the
(event) time as arguments, update the given mappings by assignment only, and return decisions.
"""

from sitrep.dedupe.corroborate import EventDecision, corroborate, event_id_for, haversine_km
from sitrep.dedupe.decide import ReportDecision, decide_report
from sitrep.dedupe.expire import ExpiryResult, expire
from sitrep.dedupe.params import DedupeParams
from sitrep.dedupe.signature import Signature, band_keys, jaccard, signature, sketch
from sitrep.dedupe.state import DedupeState
from sitrep.dedupe.text import fingerprint, normalise, strip_boilerplate, word_shingles

__all__ = [
    "DedupeParams",
    "DedupeState",
    "EventDecision",
    "ExpiryResult",
    "ReportDecision",
    "Signature",
    "band_keys",
    "corroborate",
    "decide_report",
    "event_id_for",
    "expire",
    "fingerprint",
    "haversine_km",
    "jaccard",
    "normalise",
    "signature",
    "sketch",
    "strip_boilerplate",
    "word_shingles",
]
