"""Typed numbers are real, finite and representable, or refused with the reason."""

from __future__ import annotations

import pytest

from scorer.numbers import parse_number


@pytest.mark.parametrize("text, value", [
    ("12", 12.0), (" 0.5 ", 0.5), ("1e-3", 0.001), ("1_000", 1000.0), ("0", 0.0), ("-0", 0.0),
    ("0e5", 0.0), ("0.000", 0.0), ("1e308", 1e308), ("1.7976931348623157e308", 1.7976931348623157e308),
    ("5e-324", 5e-324), ("-2", -2.0),
])
def test_ordinary_numbers_are_read_as_python_reads_them(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text, reason", [
    ("nan", "'nan' is not a number (NaN)"),
    ("NaN", "'NaN' is not a number (NaN)"),
    ("-nan", "'-nan' is not a number (NaN)"),
    ("inf", "'inf' is not a finite number"),
    ("-inf", "'-inf' is not a finite number"),
    ("Infinity", "'Infinity' is not a finite number"),
    ("1e400", "'1e400' is not a finite number"),
    ("-1e309", "'-1e309' is not a finite number"),
    ("1e-400", "'1e-400' is too small to be stored: it would become 0"),
    ("-2.5e-330", "'-2.5e-330' is too small to be stored"),
    ("lots", "'lots' is not a number"),
    ("", "'' is not a number"),
])
def test_non_finite_and_unrepresentable_numbers_are_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_number(text)
    assert str(err.value).startswith(reason)
