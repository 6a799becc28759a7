"""MinHash signatures over word shingles, LSH band keys and Jaccard estimates.

``rensa`` (Rust) computes the signatures: measured on this machine it is about 40x faster than
``datasketch`` for 128 permutations (about 157k versus 3.6k signatures/s of 170 shingles), and its hashing
does not depend on ``PYTHONHASHSEED``, so with a fixed seed a signature is the same in every process. A
signature is a plain ``list[int]`` (unsigned 32-bit values) so it travels in JSON messages and table values.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

import rensa

from sitrep.dedupe.params import DEFAULT_PARAMS, DedupeParams
from sitrep.dedupe.text import word_shingles

# Band keys carry the hashing algorithm's version so a rensa upgrade that changed its hashing could never
# match old signatures against new ones by accident.
_ALGORITHM = f"r{rensa.RMinHash.ALGORITHM_VERSION}"

Signature = list[int]


def signature(text: str, params: DedupeParams = DEFAULT_PARAMS) -> Signature:
    """The MinHash signature (``params.num_perm`` ints) of the word shingles of ``text``; deterministic."""
    m = rensa.RMinHash(num_perm=params.num_perm, seed=params.seed)
    shingles = word_shingles(text, params.shingle_words)
    if shingles:
        m.update(sorted(shingles))
    return [int(v) for v in m.digest()]


def band_keys(sig: Sequence[int], params: DedupeParams = DEFAULT_PARAMS) -> list[str]:
    """One string key per LSH band: two signatures sharing any key are near-duplicate candidates."""
    if len(sig) < params.bands * params.rows:
        raise ValueError(f"signature has {len(sig)} values, need {params.bands * params.rows}")
    keys = []
    for b in range(params.bands):
        rows = sig[b * params.rows : (b + 1) * params.rows]
        digest = hashlib.blake2b(struct.pack(f"<{params.rows}I", *rows), digest_size=8).hexdigest()
        keys.append(f"{_ALGORITHM}:{params.num_perm}:{b}:{digest}")
    return keys


def jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures of equal length."""
    if len(a) != len(b) or not a:
        raise ValueError("signatures must be non-empty and of equal length")
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)
