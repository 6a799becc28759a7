"""Count phrases in words and digits."""

from __future__ import annotations

import pytest

from sitrep.classify.numbers import QUANTITY_RE, Quantity, parse_quantity


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("six", Quantity(6)),
        ("Twenty-three", Quantity(23)),
        ("one hundred and twelve", Quantity(112)),
        ("1,200", Quantity(1200)),
        ("17", Quantity(17)),
        ("over 500", Quantity(500, approximate=True)),
        ("more than 30", Quantity(30, approximate=True)),
        ("at least two", Quantity(2, approximate=True)),
        ("three to five", Quantity(3, approximate=True)),
        ("2-4", Quantity(2, approximate=True)),
        ("dozens", Quantity(24, approximate=True)),
        ("a dozen", Quantity(12, approximate=True)),
        ("hundreds", Quantity(200, approximate=True)),
    ],
)
def test_count_phrases_parse_to_lower_bounds(phrase: str, expected: Quantity) -> None:
    assert QUANTITY_RE.fullmatch(phrase) is not None
    assert parse_quantity(phrase) == expected


def test_non_numbers_are_not_counts() -> None:
    assert parse_quantity("several") is None
    assert parse_quantity("") is None


def test_absurd_values_are_rejected() -> None:
    assert parse_quantity("99999999") is None
