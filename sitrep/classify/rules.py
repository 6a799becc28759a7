"""The rule set: lexicons and cue patterns kept as data in ``sitrep/rules/*.json``, compiled once.

The JSON holds regex fragments by name (``lexicons``) and a few numbers (``weights``). ``load_rules`` reads
and compiles them; the result is a frozen value the engine reads. Fragments may reference each other as
``{name}`` — expanded before compilation so one lexicon (say, weapons) is written once and reused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "v1.json"
# The version of the bundled rules: bumped with every change that can change an output.
CLASSIFIER_VERSION = "rules-2026.11.7"

_REF = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Rules:
    """A compiled rule set.

    Patterns whose name ends in ``_cs`` are case-sensitive and run over the original text; all others are
    lower-cased and must run over ``lower_text(text)`` (same offsets).
    """

    version: str
    patterns: Mapping[str, re.Pattern[str]]
    fragments: Mapping[str, str]
    weights: Mapping[str, float]
    words: Mapping[str, frozenset[str]]
    tables: Mapping[str, Mapping[str, str]]
    cue_stems: Mapping[str, tuple[str, ...]]

    def p(self, name: str) -> re.Pattern[str]:
        return self.patterns[name]


def expand(fragments: Mapping[str, str], text: str, depth: int = 0) -> str:
    """Replace ``{name}`` references in ``text`` by their (expanded) fragments."""
    if depth > 8:
        raise ValueError("rule fragments reference each other in a cycle")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in fragments:
            return m.group(0)
        return "(?:" + expand(fragments, fragments[name], depth + 1) + ")"

    return _REF.sub(sub, text)


def compile_rules(data: Mapping[str, object], extra_fragments: Mapping[str, str] | None = None) -> Rules:
    """Compile an already-parsed rule document (pure; used by ``load_rules`` and by tests)."""
    raw_fragments = data.get("fragments", {})
    raw_patterns = data.get("patterns", {})
    if not isinstance(raw_fragments, dict) or not isinstance(raw_patterns, dict):
        raise ValueError("rules: 'fragments' and 'patterns' must be objects")
    fragments: dict[str, str] = {k: _joined(v) for k, v in raw_fragments.items()}
    fragments.update(extra_fragments or {})
    patterns: dict[str, re.Pattern[str]] = {}
    for name, body in raw_patterns.items():
        source = expand(fragments, _joined(body))
        # Case-insensitive patterns are compiled lower-cased and run over lower-cased text: Python's re
        # is several times faster case-sensitively, and the classifier lower-cases each report once.
        patterns[name] = re.compile(source if name.endswith("_cs") else lower_pattern(source))
    raw_weights = data.get("weights", {})
    raw_words = data.get("words", {})
    raw_tables = data.get("tables", {})
    assert isinstance(raw_weights, dict) and isinstance(raw_words, dict) and isinstance(raw_tables, dict)
    return Rules(
        version=str(data.get("version", CLASSIFIER_VERSION)),
        patterns=MappingProxyType(patterns),
        fragments=MappingProxyType(fragments),
        weights=MappingProxyType({k: float(v) for k, v in raw_weights.items()}),
        words=MappingProxyType({k: frozenset(str(w).casefold() for w in v) for k, v in raw_words.items()}),
        tables=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in raw_tables.items()}),
        cue_stems=MappingProxyType(
            {k: tuple(str(x).lower() for x in v) for k, v in dict(data.get("cue_stems", {})).items()}  # type: ignore[call-overload]
        ),
    )


_ESCAPE_OR_TEXT = re.compile(r"(\\.)|([^\\]+)", re.DOTALL)


def lower_pattern(source: str) -> str:
    """Lower-case a regex source except its escapes (``\\S`` must stay ``\\S``)."""
    lowered = "".join(m.group(1) or m.group(2).lower() for m in _ESCAPE_OR_TEXT.finditer(source))
    return lowered.replace("(?p<", "(?P<").replace("(?p=", "(?P=")


def lower_text(text: str) -> str:
    """``text.lower()`` with every offset preserved (a few characters lower-case to two)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def load_rules(path: Path) -> Rules:
    """Read and compile a rule file. The only I/O in this module."""
    from sitrep.classify.numbers import QUANTITY

    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a rule file is one JSON object")
    return compile_rules(data, {"quantity": QUANTITY})


def _joined(value: object) -> str:
    # A fragment may be written as a list of alternatives, which reads better in JSON than one long regex.
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)
