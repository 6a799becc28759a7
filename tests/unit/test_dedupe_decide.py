"""Report-level duplicate decisions: exact, near, new, and replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sitrep.dedupe import DedupeParams, DedupeState, ReportDecision, decide_report, sketch

T0 = datetime(2025, 3, 4, 6, 0, tzinfo=UTC)

STORY = (
    "A drone attack on the port of Izmail wounded four workers early on Tuesday, the regional governor "
    "said.\n"
    "Fires broke out at two grain silos and an administrative building was damaged. "
    "Air defence units destroyed most of the drones launched overnight, the air force said. "
    "Emergency crews were still clearing debris at the site by midday. "
    "The governor said the injured men were taken to hospital and were in a stable condition. "
    "It was the third attack on the Danube ports this month, disrupting grain shipments to Romania."
)
SAME_TOPIC_OTHER_STORY = (
    "A missile attack on the port of Odesa killed two dock workers late on Friday, the regional governor "
    "said.\n"
    "A warehouse storing sunflower oil caught fire and three vessels moored nearby were damaged. "
    "Air defence units destroyed two of the missiles launched from Crimea, the air force said. "
    "Rescue teams searched the rubble through the night for a missing crane operator. "
    "The governor said five wounded people were being treated in hospital. "
    "It was the second attack on the Black Sea ports this week, the navy spokesman said."
)


def _decide(rid: str, text: str, state: DedupeState, minutes: int = 0, **kw: float) -> ReportDecision:
    params = DedupeParams(**kw)  # type: ignore[arg-type]
    fp, sig = sketch(text, params)
    return decide_report(rid, fp, sig, T0 + timedelta(minutes=minutes), state, params)


def test_first_report_is_new() -> None:
    state = DedupeState.empty()
    d = _decide("r1", STORY, state)
    assert (d.kind, d.duplicate_of, d.replayed) == (None, None, False)
    assert not d.is_duplicate
    assert state.reports["r1"]["kind"] is None


def test_same_text_with_other_whitespace_and_byline_is_an_exact_duplicate_of_the_first() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    d = _decide("r2", "By Olha Petrenko\n\nIZMAIL (Reuters) - " + STORY.replace(" ", "  "), state, 5)
    assert (d.kind, d.duplicate_of, d.similarity) == ("exact", "r1", 1.0)


def test_replayed_report_gets_its_recorded_decision_not_duplicate_of_itself() -> None:
    state = DedupeState.empty()
    first = _decide("r1", STORY, state)
    again = _decide("r1", STORY, state, 60)
    assert (again.kind, again.duplicate_of, again.replayed) == (first.kind, first.duplicate_of, True)


def test_replayed_duplicate_keeps_pointing_at_its_original() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    _decide("r2", STORY, state)
    snapshot = json.dumps(dict(state.reports), sort_keys=True)
    again = _decide("r2", STORY, state)
    assert (again.kind, again.duplicate_of, again.replayed) == ("exact", "r1", True)
    assert json.dumps(dict(state.reports), sort_keys=True) == snapshot


def test_reordered_sentences_are_a_near_duplicate() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    sentences = STORY.replace("\n", " ").split(". ")
    d = _decide("r2", ". ".join(sentences[3:] + sentences[:3]), state, 10)
    assert (d.kind, d.duplicate_of, d.similarity) == ("near", "r1", 1.0)


def test_one_changed_word_is_a_near_duplicate() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    d = _decide("r2", STORY.replace("stable", "serious"), state, 10)
    assert (d.kind, d.duplicate_of) == ("near", "r1")
    assert d.similarity is not None and 0.8 <= d.similarity < 1.0


def test_added_headline_and_dropped_sentence_are_a_near_duplicate() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    edited = "Drones hit Danube port of Izmail, four hurt\n" + STORY.replace(
        "Emergency crews were still clearing debris at the site by midday. ", ""
    )
    d = _decide("r2", edited, state, 10)
    assert (d.kind, d.duplicate_of) == ("near", "r1")


def test_different_story_on_the_same_topic_is_not_a_duplicate() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    d = _decide("r2", SAME_TOPIC_OTHER_STORY, state, 10)
    assert d.kind is None


def test_threshold_is_configurable() -> None:
    strict, lenient = DedupeState.empty(), DedupeState.empty()
    edited = STORY.replace("stable", "serious").replace("third", "fourth").replace("midday", "noon")
    _decide("r1", STORY, strict, near_duplicate_threshold=0.99)
    _decide("r1", STORY, lenient, near_duplicate_threshold=0.5)
    assert _decide("r2", edited, strict, 1, near_duplicate_threshold=0.99).kind is None
    assert _decide("r2", edited, lenient, 1, near_duplicate_threshold=0.5).kind == "near"


def test_near_duplicate_points_at_the_earliest_original_by_event_time() -> None:
    state = DedupeState.empty()
    params = DedupeParams()
    fp, sig = sketch(STORY, params)
    # r-late arrives first but happened later; r-early is a near duplicate that arrives second.
    decide_report("r-late", fp, sig, T0 + timedelta(hours=2), state, params)
    fp2, sig2 = sketch(STORY.replace("stable", "serious"), params)
    decide_report("r-early", fp2, sig2, T0, state, params)
    fp3, sig3 = sketch(STORY.replace("midday", "noon"), params)
    d = decide_report("r3", fp3, sig3, T0 + timedelta(hours=3), state, params)
    # r-early is itself a duplicate of r-late, and decisions always point at roots.
    assert (d.kind, d.duplicate_of) == ("near", "r-late")


def test_duplicate_of_a_duplicate_points_at_the_root() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    _decide("r2", STORY.replace("stable", "serious"), state, 1)
    d = _decide("r3", STORY.replace("stable", "serious"), state, 2)
    assert (d.kind, d.duplicate_of) == ("exact", "r1")


def test_state_values_are_json_serialisable() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    _decide("r2", STORY.replace("stable", "serious"), state, 1)
    for table in (state.reports, state.fingerprints, state.bands, state.signatures):
        json.dumps(dict(table))


def test_state_is_only_ever_assigned_never_mutated_in_place() -> None:
    class AssignOnly(dict[str, object]):
        """Records assignments; the values it hands out are frozen copies, like a changelog-backed table."""

        def __getitem__(self, key: str) -> object:
            return json.loads(json.dumps(super().__getitem__(key)))

        def get(self, key: str, default: object = None) -> object:
            return self[key] if key in self else default  # noqa: SIM401 - must go through __getitem__

    state = DedupeState(AssignOnly(), AssignOnly(), AssignOnly(), AssignOnly(), AssignOnly(), AssignOnly())
    _decide("r1", STORY, state)
    d = _decide("r2", STORY.replace("stable", "serious"), state, 1)
    assert (d.kind, d.duplicate_of) == ("near", "r1")
    assert _decide("r1", STORY, state).replayed


def test_band_buckets_keep_only_the_newest_ids() -> None:
    params = DedupeParams(max_band_size=8)
    state = DedupeState.empty()
    for k in range(20):
        # Every signature shares band 0 and nothing else, so none is a near duplicate of another.
        sig = [7] * params.rows + [10_000 + 1_000 * k + j for j in range(params.num_perm - params.rows)]
        d = decide_report(f"r{k}", f"fp{k}", sig, T0, state, params)
        assert d.kind is None
    shared = [ids for ids in state.bands.values() if len(ids) > 1]
    assert shared == [[f"r{k}" for k in range(12, 20)]]


def test_duplicates_are_not_indexed_for_later_matching() -> None:
    state = DedupeState.empty()
    _decide("r1", STORY, state)
    _decide("r2", STORY.replace("stable", "serious"), state, 1)
    assert set(state.signatures) == {"r1"}
    assert all(ids == ["r1"] for ids in state.bands.values())


def test_a_report_whose_decision_was_cut_short_by_a_crash_is_not_a_duplicate_of_itself() -> None:
    from datetime import UTC, datetime

    from sitrep.dedupe import DedupeState, decide_report, sketch

    state = DedupeState.empty()
    fp, sig = sketch("A drone hit a fuel depot in Dnipro overnight, the governor said.")
    # The crash left the fingerprint index written but not the report's own decision.
    state.fingerprints[fp] = {"id": "r-1", "t": 0.0}

    decision = decide_report("r-1", fp, sig, datetime(2025, 7, 1, tzinfo=UTC), state)

    assert decision.kind is None and decision.duplicate_of is None
    assert state.reports["r-1"]["kind"] is None
