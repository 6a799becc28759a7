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
from itertools import chain

# Agencies whose tag appears in datelines ("KYIV (Reuters) -") or inline ("(AP)").
_AGENCIES = (
    r"Reuters|AP|AFP|dpa|Ukrinform|Interfax(?:-Ukraine)?|TASS|UNIAN|RIA(?: Novosti)?|Xinhua|Anadolu|EFE"
    r"|ANSA|PAP|Bloomberg|CNN|BBC"
)
_AGENCY_TAG = re.compile(rf"\((?:{_AGENCIES})\)", re.IGNORECASE)
# A dateline at the start of a line: an upper-case place, optionally ", Country" and/or a date, then an
# outlet's tag or a dash ("KYIV (Reuters) - ", "NEW DELHI (PTI) - ", "WAD MADANI, Sudan: "), or TASS's
# "MOSCOW, November 10. /TASS/.".
# Upper case is required so that an ordinary first sentence is never mistaken for it. Shared with the
# classifier, which takes a dateline's place only when the story names no other.
DATELINE = re.compile(
    rf"^[ \t]*[A-Z][A-Z .'\-]{{1,40}}(?:,[ \t]*[A-Z][A-Za-z .'\-]{{1,40}})?"
    rf"(?:,[ \t]*[A-Z][a-z]{{2,8}}\.?[ \t]+\d{{1,2}})?[ \t]*(?:\((?:{_AGENCIES}|[A-Z][A-Za-z.]{{1,15}})\))?"
    r"[ \t]*(?:[-\u2013\u2014:]+|\.?[ \t]*/[A-Z]{2,}/\.?)[ \t]+",
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
# Sentences break at every full stop, question or exclamation mark and line break, even inside "3.5" or
# "U.S.": splitting the same way in every copy is what matters, and it lets one str.translate do the work.
_SENTENCE_BREAK = re.compile(r"[.!?\u2026\u3002]")
_APOSTROPHE = re.compile(r"['\u2019\u2018`]")
_NON_WORD_KEEP_LINES = re.compile(r"[^\w\n]+|_+")
# Most reports are ASCII: str.translate is several times faster than the Unicode-aware regexes above.
_ASCII_FOLD = str.maketrans(
    {
        c: (None if c in "'`" else "\n" if c in ".!?" else " ")
        for c in map(chr, range(128))
        if not (c.isalnum() or c == "\n")
    }
)


def strip_boilerplate(text: str) -> str:
    """Remove datelines, bylines, agency tags and boilerplate lines; keep everything else verbatim."""
    text = _BOILERPLATE_LINE.sub("", text)
    text = _BYLINE.sub("", text)
    text = DATELINE.sub("", text)
    return _AGENCY_TAG.sub(" ", text)


def normalise(text: str) -> str:
    """Case-folded words of ``text`` without boilerplate, punctuation or extra whitespace, space-separated.

    Two texts that differ only in case, whitespace, punctuation, bylines, datelines or agency tags normalise
    to the same string.
    """
    return " ".join(w for words in sentences(text) for w in words)


def fingerprint(text: str) -> str:
    """A stable 128-bit hex digest (BLAKE2b) of ``normalise(text)``: equal for exact duplicates."""
    return hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=16).hexdigest()


def fingerprint_of(sents: list[list[str]]) -> str:
    """``fingerprint`` of the text whose ``sentences`` are ``sents`` (saves a second pass in stage A)."""
    return hashlib.blake2b(" ".join(w for s in sents for w in s).encode("utf-8"), digest_size=16).hexdigest()


def sentences(text: str) -> list[list[str]]:
    """The normalised words of each sentence or line of ``text`` (boilerplate removed, empty ones skipped).

    Joining all the words with single spaces gives exactly ``normalise(text)``.
    """
    # One pass of each regex over the whole text (not per sentence): this runs for every report in stage A.
    stripped = strip_boilerplate(text)
    if stripped.isascii():
        lines = stripped.lower().translate(_ASCII_FOLD).split("\n")
    else:
        joined = _SENTENCE_BREAK.sub("\n", unicodedata.normalize("NFKC", stripped))
        folded = _APOSTROPHE.sub("", joined.casefold())
        lines = _NON_WORD_KEEP_LINES.sub(" ", folded).split("\n")
    return [words for words in (line.split() for line in lines) if words]


def shingles_of(sents: list[list[str]], k: int = 3) -> set[str]:
    """The set of ``k``-word shingles of the given sentences, never crossing a sentence boundary.

    Shingles stay inside sentences so that reordering sentences leaves the set unchanged; a sentence shorter
    than ``k`` words contributes itself as one shingle.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    out: set[str] = set()
    for words in sents:
        if len(words) <= k:
            out.add(" ".join(words))
            continue
        out.update(map(" ".join, zip(*(words[i:] for i in range(k)), strict=False)))
    return out


# English cardinals, hand-listed (a parser such as number-parser would also turn them into values, but only
# their identity matters here and a set lookup is all stage A can afford per word).
NUMBER_WORDS = frozenset(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "dozen",
        "dozens",
        "million",
        "millions",
    ]
)


def number_marks(sents: list[list[str]], weight: int) -> set[str]:
    """``weight`` pseudo-shingles per distinct number (digits or an English number word) in ``sents``.

    Different stories from one template (daily bulletins: "Six servicemen died..." / "Two servicemen
    died...") differ mostly in their numbers, which a plain shingle set barely notices; copies of one story
    keep them. Weighting numbers pulls the former apart and leaves the latter together.
    """
    if weight <= 0:
        return set()
    distinct = set(chain.from_iterable(sents))
    numbers = (distinct & NUMBER_WORDS) | {w for w in distinct if w.isdigit()}
    return {f"#{n}#{i}" for n in numbers for i in range(weight)}


def word_shingles(text: str, k: int = 3) -> set[str]:
    """The set of ``k``-word shingles of ``text`` (see ``shingles_of``)."""
    return shingles_of(sentences(text), k)
