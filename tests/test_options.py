"""Option values are read only as they look: ASCII digits, no underscores, no nan, bounded length."""
from __future__ import annotations

import pytest

from thematic.core.options import parse_decimal, parse_whole_number


@pytest.mark.parametrize("text, value", [("0", 0), ("16", 16), ("-3", -3), ("+7", 7), (" 5 ", 5),
                                         ("9" * 18, int("9" * 18))])
def test_whole_numbers_in_ascii_digits_are_read(text, value):
    assert parse_whole_number(text) == value


@pytest.mark.parametrize("text", ["٢٠", "１２", "1_0", "ten", "", "1.0", "9" * 19, "9" * 5000, "²"])
def test_other_whole_numbers_are_refused_saying_what_is_expected(text):
    with pytest.raises(ValueError, match=r"expected a whole number, got .* \(digits 0-9 only\)"):
        parse_whole_number(text)


@pytest.mark.parametrize("text, value", [("0.1", 0.1), ("1e-3", 0.001), (".5", 0.5), ("2", 2.0), ("-0.25", -0.25)])
def test_decimals_in_ascii_digits_are_read(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "٠٫١", "1_0.5", "1e-1000", "0x10", ""])
def test_other_decimals_are_refused(text):
    with pytest.raises(ValueError, match=r"expected a number such as 0.1, got .* \(digits 0-9 only\)"):
        parse_decimal(text)
