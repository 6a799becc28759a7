"""Normalisation, fingerprints and signatures of the dedupe core."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sitrep.dedupe import (
    DedupeParams,
    band_keys,
    fingerprint,
    jaccard,
    normalise,
    signature,
    sketch,
    strip_boilerplate,
    word_shingles,
)

STORY = (
    "A drone attack on the port of Izmail wounded four workers early on Tuesday, the regional governor said. "
    "Fires broke out at two grain silos and an administrative building was damaged. "
    "Air defence units destroyed most of the drones launched overnight, the air force said. "
    "Emergency crews were still clearing debris at the site by midday. "
    "The governor said the injured men were taken to hospital and were in a stable condition."
)


def test_normalise_ignores_case_whitespace_and_punctuation() -> None:
    assert normalise("A  drone HIT a car!\n\nOne  man, 45, was killed.") == normalise(
        "a drone hit a car. one man 45 was killed"
    )


def test_normalise_removes_datelines_bylines_and_agency_tags() -> None:
    wire = "By John Smith and Anna Kovalenko\n\nKYIV (Reuters) - Shelling hit a school (AP).\nRead more: link"
    assert normalise(wire) == "shelling hit a school"
    assert normalise("ODESA, Ukraine (AP) \u2014 Shelling hit a school.") == "shelling hit a school"
    assert normalise("NEW DELHI (PTI) - Shelling hit a school.") == "shelling hit a school"
    assert normalise("MOSCOW, November 10. /TASS/. Shelling hit a school.") == "shelling hit a school"


def test_strip_boilerplate_keeps_an_ordinary_first_sentence() -> None:
    text = "By nightfall rescuers had found two more bodies - officials said."
    assert strip_boilerplate(text) == text


def test_normalise_joins_apostrophes_and_folds_unicode() -> None:
    assert normalise("Ukraine\u2019s air force") == normalise("Ukraine's AIR force") == "ukraines air force"
    assert normalise("\u041a\u0418\u0407\u0412 \u2014 \u0434\u0440\u043e\u043d") == (
        "\u043a\u0438\u0457\u0432 \u0434\u0440\u043e\u043d"
    )


def test_fingerprint_is_equal_for_exact_duplicates_and_differs_otherwise() -> None:
    assert fingerprint(STORY) == fingerprint("By Jane Doe\n" + STORY.upper())
    assert fingerprint(STORY) != fingerprint(STORY.replace("four", "five"))
    assert len(fingerprint(STORY)) == 32


def test_sketch_gives_the_same_fingerprint_and_signature_as_the_separate_functions() -> None:
    for text in (STORY, "\u0414\u0440\u043e\u043d \u0432\u043b\u0443\u0447\u0438\u0432. Ukraine\u2019s", ""):
        assert sketch(text) == (fingerprint(text), signature(text))


def test_shingles_are_word_trigrams_that_do_not_cross_sentences() -> None:
    assert word_shingles("One two three four. Five six") == {"one two three", "two three four", "five six"}


def test_reordering_sentences_leaves_the_signature_unchanged() -> None:
    sentences = STORY.split(". ")
    reordered = ". ".join(reversed(sentences))
    assert signature(reordered) == signature(STORY)


def test_signature_is_a_json_friendly_list_of_ints_of_the_configured_length() -> None:
    sig = signature(STORY)
    assert isinstance(sig, list)
    assert len(sig) == DedupeParams().num_perm
    assert all(isinstance(v, int) and 0 <= v < 2**32 for v in sig)


def test_signature_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = (
        "import sys, json; from sitrep.dedupe import signature; "
        "print(json.dumps(signature(sys.stdin.read())))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=STORY,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )
    assert json.loads(out.stdout) == signature(STORY)


def test_jaccard_estimate_tracks_similarity() -> None:
    same = jaccard(signature(STORY), signature(STORY))
    edited = jaccard(signature(STORY), signature(STORY.replace("stable", "serious")))
    other = jaccard(signature(STORY), signature("Russia fired missiles at Lviv overnight, the mayor said."))
    assert same == 1.0
    assert 0.8 < edited < 1.0
    assert other < 0.1


def test_jaccard_rejects_signatures_of_different_lengths() -> None:
    with pytest.raises(ValueError):
        jaccard([1, 2, 3], [1, 2])


def test_band_keys_are_one_string_per_band_and_shared_by_identical_signatures() -> None:
    params = DedupeParams()
    keys = band_keys(signature(STORY), params)
    assert len(keys) == params.bands
    assert len(set(keys)) == params.bands
    assert keys == band_keys(signature(STORY.upper()), params)
    unrelated = band_keys(signature("Completely different words about the weather today."), params)
    assert not set(keys) & set(unrelated)


def test_params_reject_more_bands_than_permutations() -> None:
    with pytest.raises(ValueError):
        DedupeParams(num_perm=64, bands=20, rows=4)
