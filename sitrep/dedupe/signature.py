"""MinHash signatures over word shingles, LSH band keys and Jaccard estimates.

``rensa`` (Rust) computes the signatures: measured on this machine it is about 40x faster than
``datasketch`` for 128 permutations (about 157k versus 3.6k signatures/s of 170 shingles), and its hashing
does not depend on ``PYTHONHASHSEED``, so with a fixed seed a signature is the same in every process. A
signature is a plain ``list[int]`` (unsigned 32-bit values) so it travels in JSON messages and table values.
"""

from __future__ import annotations

import operator
import struct
from collections.abc import Sequence

import rensa

from sitrep.dedupe.params import DEFAULT_PARAMS, DedupeParams
from sitrep.dedupe.text import fingerprint_of, number_marks, sentences, shingles_of

# Band keys carry the hashing algorithm's version so a rensa upgrade that changed its hashing could never
# match old signatures against new ones by accident.
_ALGORITHM = f"r{rensa.RMinHash.ALGORITHM_VERSION}"

Signature = list[int]


def _minhash(shingles: set[str], params: DedupeParams) -> Signature:
    m = rensa.RMinHash(num_perm=params.num_perm, seed=params.seed)
    if shingles:
        m.update(list(shingles))  # MinHash is order-independent, so set order does not matter
    return [int(v) for v in m.digest()]


def _features(sents: list[list[str]], params: DedupeParams) -> set[str]:
    return shingles_of(sents, params.shingle_words) | number_marks(sents, params.number_weight)


def signature(text: str, params: DedupeParams = DEFAULT_PARAMS) -> Signature:
    """The MinHash signature (``params.num_perm`` ints) of ``text``'s word shingles plus weighted numbers.

    Deterministic across processes and runs for the same ``params``.
    """
    return _minhash(_features(sentences(text), params), params)


def sketch(text: str, params: DedupeParams = DEFAULT_PARAMS) -> tuple[str, Signature]:
    """``(fingerprint(text), signature(text, params))`` in one pass over the text (what stage A computes)."""
    sents = sentences(text)
    return fingerprint_of(sents), _minhash(_features(sents, params), params)


def band_keys(sig: Sequence[int], params: DedupeParams = DEFAULT_PARAMS) -> list[str]:
    """One string key per LSH band: two signatures sharing any key are near-duplicate candidates."""
    if len(sig) < params.bands * params.rows:
        raise ValueError(f"signature has {len(sig)} values, need {params.bands * params.rows}")
    packed = struct.pack(f"<{params.bands * params.rows}I", *sig[: params.bands * params.rows])
    width = 4 * params.rows
    prefix = f"{_ALGORITHM}:{params.num_perm}:{params.seed}:"
    # The band's own bytes in hex (40 characters for 5 rows) rather than a hash of them: as unique, and
    # cheaper to compute, which matters because stage B computes 25 per report.
    return [f"{prefix}{b}:{packed[b * width : (b + 1) * width].hex()}" for b in range(params.bands)]


def jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures of equal length."""
    if len(a) != len(b) or not a:
        raise ValueError("signatures must be non-empty and of equal length")
    equal: int = sum(map(operator.eq, a, b))
    return equal / len(a)
