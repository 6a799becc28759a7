"""Counts written in words or digits, with the hedges news text puts around them.

``QUANTITY`` is a regex fragment matching one count phrase ("six", "over 500", "three to five", "dozens",
"1,200", "twenty-five"); ``parse_quantity`` turns a matched phrase into a ``Quantity``. Word numbers are read
by the ``number-parser`` library (cached: it is slow per call and the vocabulary of counts is small).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from number_parser import parse_number

_UNITS = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen"
)
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_WORD_NUMBER = (
    rf"(?:(?:{_TENS})(?:[- ](?:{_UNITS}))?|(?:{_UNITS}))"
    rf"(?:\s+(?:hundred|thousand)(?:\s+(?:and\s+)?(?:(?:{_TENS})(?:[- ](?:{_UNITS}))?|(?:{_UNITS})))?)?"
)
_DIGITS = r"\d{1,3}(?:[,\u202f ]\d{3})+(?!\d)|\d+"
_BASE = rf"(?:{_DIGITS}|{_WORD_NUMBER})"
# Vague plurals: a lower bound that a reader would accept, always approximate.
_VAGUE = {
    "dozens": 24,
    "a dozen": 12,
    "dozen": 12,
    "scores": 40,
    "hundreds": 200,
    "thousands": 2000,
    "a hundred": 100,
    "a thousand": 1000,
}
_VAGUE_RE = r"(?:dozens|a\s+dozen|scores|hundreds|thousands|a\s+hundred|a\s+thousand)"
_APPROX_PREFIX = (
    r"(?:over|more\s+than|at\s+least|nearly|almost|about|around|approximately|roughly|some|up\s+to|"
    r"upwards\s+of|as\s+many\s+as|no\s+fewer\s+than|no\s+less\s+than|an\s+estimated|close\s+to)"
)
_RANGE_JOIN = r"(?:\s*(?:-|\u2013|\u2014)\s*|\s+to\s+|\s+or\s+)"

# An age is not a count: "Russians kill 70-year-old woman" (the lookahead also stops a backtrack to "7").
_NOT_AN_AGE = r"(?![\w\-]*[\s\-]*(?:year|month|week|day)s?[\s\-]+old)"
_QUANTITY_BODY = rf"(?:(?:{_APPROX_PREFIX}\s+)?(?:{_BASE}(?:{_RANGE_JOIN}{_BASE})?|{_VAGUE_RE}(?:\s+of)?))"
QUANTITY = _QUANTITY_BODY + _NOT_AN_AGE
QUANTITY_RE = re.compile(QUANTITY, re.IGNORECASE)
_PREFIX_RE = re.compile(rf"^{_APPROX_PREFIX}\s+", re.IGNORECASE)
_RANGE_RE = re.compile(rf"^({_BASE}){_RANGE_JOIN}({_BASE})$", re.IGNORECASE)
_DIGITS_RE = re.compile(rf"^(?:{_DIGITS})$")
_WORD_NUMBER_RE = re.compile(rf"^{_WORD_NUMBER}$", re.IGNORECASE)

# Absurd values are almost always years or identifiers, not body counts.
MAX_COUNT = 1_000_000


@dataclass(frozen=True, slots=True)
class Quantity:
    """A count as stated: ``value`` is the lower bound when ``approximate``."""

    value: int
    approximate: bool = False


def parse_quantity(phrase: str) -> Quantity | None:
    """Read one count phrase; ``None`` when it is not a count sitrep can use. Never raises."""
    text = " ".join(phrase.lower().split())
    if text.endswith(" of"):
        text = text[:-3]
    if text in _VAGUE:
        return Quantity(_VAGUE[text], approximate=True)
    approximate = False
    stripped = _PREFIX_RE.sub("", text)
    if stripped != text:
        approximate, text = True, stripped
    if text in _VAGUE:
        return Quantity(_VAGUE[text], approximate=True)
    # "twenty-three" is one number, not the range "twenty to three".
    ranged = None if _WORD_NUMBER_RE.match(text) else _RANGE_RE.match(text)
    if ranged:
        low = _base_value(ranged.group(1))
        high = _base_value(ranged.group(2))
        if low is None or high is None or high <= low:
            # "two or three" reads as a range; "1-2" where high <= low is not one, keep the first.
            return None if low is None else Quantity(low, approximate=True)
        return Quantity(low, approximate=True)
    value = _base_value(text)
    if value is None:
        return None
    return Quantity(value, approximate)


def _base_value(text: str) -> int | None:
    if _DIGITS_RE.match(text):
        value = int(re.sub(r"[,\u202f ]", "", text))
    else:
        parsed = _parse_words(text)
        if parsed is None:
            return None
        value = parsed
    return value if 0 <= value <= MAX_COUNT else None


@lru_cache(maxsize=4096)
def _parse_words(text: str) -> int | None:
    result = parse_number(text)
    return result if isinstance(result, int) else None
