"""Text normalisation, exact fingerprints and word shingles for duplicate detection.

Pure functions: no I/O, no clock, no environment. The boilerplate patterns are hand-written regular
expressions because no maintained library strips wire-service bylines and datelines; they are kept
deliberately conservative (anchored to line starts or to the well-known agency tags) so that they never eat
the body of a report.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator

# Agencies whose tag appears in datelines ("KYIV (Reuters) -") or inline ("(AP)").
_AGENCIES = (
    r"Reuters|AP|AFP|dpa|Ukrinform|Interfax(?:-Ukraine)?|TASS|UNIAN|RIA(?: Novosti)?|Xinhua|Anadolu|EFE"
    r"|ANSA|PAP|Bloomberg|CNN|BBC"
)
_AGENCY_TAG = re.compile(rf"\((?:{_AGENCIES})\)", re.IGNORECASE)
# A dateline at the start of a line: an upper-case place, optionally ", Country" and/or a date, then an
# agency tag or a dash. Upper case is required so that an ordinary first sentence is never mistaken for it.
_DATELINE = re.compile(
    rf"^[ \t]*[A-Z][A-Z .'\-]{{1,40}}(?:,[ \t]*[A-Z][A-Za-z .'\-]{{1,40}})?"
    rf"(?:,[ \t]*[A-Z][a-z]{{2,8}}\.?[ \t]+\d{{1,2}})?[ \t]*(?:\((?:{_AGENCIES})\))?"
    r"[ \t]*[-\u2013\u2014:]+[ \t]+",
    re.MULTILINE,
)
_BYLINE = re.compile(
    r"^[ \t]*By[ \t]+[A-Z][\w.'\-]*(?:[ \t]+(?:and[ \t]+|&[ \t]+)?[A-Z][\w.'\-]*){0,7}[ \t]*"
    r"(?:,[ \t]*[\w .'\-]{1,40})?[ \t]*$",
    re.MULTILINE,
)
_BOILERPLATE_LINE = re.compile(
    r"^[ \t]*(?:\(?(?:Reporting|Writing|Additional reporting|Editing)[ \t]+by\b.*"
    r"|Read more\b.*|Related:.*|Advertisement|Subscribe\b.*|Follow us on\b.*|Share this\b.*"
    r"|Sign up\b.*|\u00a9.*|Copyright\b.*)$",
    re.MULTILINE | re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+|\n+")
_APOSTROPHE = re.compile(r"['\u2019\u2018`]")
_NON_WORD = re.compile(r"[^\w]+")


def strip_boilerplate(text: str) -> str:
    """Remove datelines, bylines, agency tags and boilerplate lines; keep everything else verbatim."""
    text = _BOILERPLATE_LINE.sub("", text)
    text = _BYLINE.sub("", text)
    text = _DATELINE.sub("", text)
    return _AGENCY_TAG.sub(" ", text)


def _words(fragment: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", fragment).casefold()
    # "Ukraine's" and "Ukraines" must compare equal, so apostrophes join rather than split.
    folded = _APOSTROPHE.sub("", folded)
    return [w for w in _NON_WORD.sub(" ", folded).replace("_", " ").split() if w]


def normalise(text: str) -> str:
    """Case-folded words of ``text`` without boilerplate, punctuation or extra whitespace, space-separated.

    Two texts that differ only in case, whitespace, punctuation, bylines, datelines or agency tags normalise
    to the same string.
    """
    return " ".join(_words(strip_boilerplate(text)))


def fingerprint(text: str) -> str:
    """A stable 128-bit hex digest (BLAKE2b) of ``normalise(text)``: equal for exact duplicates."""
    return hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=16).hexdigest()


def sentences(text: str) -> Iterator[list[str]]:
    """The normalised words of each sentence or line of ``text`` (boilerplate removed, empty ones skipped)."""
    for part in _SENTENCE_BREAK.split(strip_boilerplate(text)):
        words = _words(part)
        if words:
            yield words


def word_shingles(text: str, k: int = 3) -> set[str]:
    """The set of ``k``-word shingles of ``text``, never crossing a sentence boundary.

    Shingles stay inside sentences so that reordering sentences leaves the set unchanged; a sentence shorter
    than ``k`` words contributes itself as one shingle.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    out: set[str] = set()
    for words in sentences(text):
        if len(words) <= k:
            out.add(" ".join(words))
            continue
        out.update(" ".join(words[i : i + k]) for i in range(len(words) - k + 1))
    return out
