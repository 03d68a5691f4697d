"""Effective parameter values: a criteria set's defaults with an inspection's and a run's overrides.

An unknown parameter name is an error (a misspelt override must never be silently ignored), and
so is a value that is not a number from 0 to MAX_NUMBER (the largest number a criteria file may
hold, so that a parameter cannot make arithmetic unbounded).
"""
from __future__ import annotations

import math
from typing import Any

from thematic.core.options import parse_decimal, parse_whole_number
from thematic.model.criteria import MAX_NUMBER
from thematic.scoring.criteria import CriteriaSet


class ParameterError(ValueError):
    """An override that names no parameter or gives an unusable value; `name` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def check_value(criteria: CriteriaSet, name: str, value: Any) -> float | int:
    """The value as a number, or ParameterError saying what is expected."""
    known = criteria.file.parameters
    if name not in known:
        raise ParameterError(name, f"unknown parameter '{name}'; parameters are: {', '.join(known)}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= MAX_NUMBER:
        # repr() of an int of thousands of digits is itself refused by Python
        shown = "a number of over 100 digits" if isinstance(value, int) and abs(value) >= 10**100 else repr(value)
        raise ParameterError(name, f"{shown} is not usable for {name}; expected a number from 0 to {MAX_NUMBER:,}")
    if known[name].unit in ("working_days", "count", "level") and value != int(value):
        unit = known[name].unit.replace("_", " ")
        raise ParameterError(name, f"{value!r} is not usable for {name}; expected a whole number of {unit}")
    return value


def parse_set_option(criteria: CriteriaSet, text: str) -> tuple[str, float | int]:
    """Read one `--set NAME=VALUE` option."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name or not raw:
        raise ParameterError(name or text, f"--set {text!r}: expected NAME=VALUE, e.g. --set referral_max_hours=48")
    # The options' own readers: int() and float() would take digits of other scripts (٤٨ as 48).
    try:
        value: float | int = parse_whole_number(raw)
    except ValueError:
        try:
            value = parse_decimal(raw)
        except ValueError:
            raise ParameterError(name, f"--set {text!r}: {raw!r} is not a number (digits 0-9 only)") from None
    return name, check_value(criteria, name, value)

