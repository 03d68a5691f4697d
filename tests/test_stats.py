"""Proportions and Wilson intervals, checked against statsmodels and published worked examples."""
from __future__ import annotations

import dataclasses
import json
import math

import pytest
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint

from thematic.stats.proportion import Proportion, proportion


@pytest.mark.parametrize(
    ("successes", "total"),
    [(0, 1), (1, 1), (0, 10), (10, 10), (7, 10), (3, 10), (1, 24), (12, 24), (60, 120), (119, 120)],
)
def test_proportion_matches_statsmodels_wilson(successes: int, total: int) -> None:
    low, high = proportion_confint(successes, total, alpha=0.05, method="wilson")
    p = proportion(successes, total)
    assert p == Proportion(successes, total, successes / total, low, high)
    assert p.ci_low <= p.rate <= p.ci_high


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.002])
def test_alpha_is_passed_through_to_statsmodels(alpha: float) -> None:
    low, high = proportion_confint(7, 10, alpha=alpha, method="wilson")
    p = proportion(7, 10, alpha=alpha)
    assert (p.ci_low, p.ci_high) == (low, high)


def test_lower_alpha_gives_a_wider_interval() -> None:
    p95, p99 = proportion(7, 10), proportion(7, 10, alpha=0.01)
    assert p99.ci_low < p95.ci_low and p99.ci_high > p95.ci_high


def test_design_worked_example_7_of_10_is_about_40_to_89_percent() -> None:
    # design.md: "7 of 10 met gives a Wilson interval of about 40%-89%".
    p = proportion(7, 10)
    assert p.rate == pytest.approx(0.7)
    assert round(p.ci_low, 3) == 0.397
    assert round(p.ci_high, 3) == 0.892
    assert (p.ci_low, p.ci_high) == proportion_confint(7, 10, alpha=0.05, method="wilson")


def test_interfaces_example_3_of_10() -> None:
    # interfaces.md, results JSON example: 3 met of 10 assessed, rate 0.3, interval 0.108-0.603.
    p = proportion(3, 10)
    assert p.rate == pytest.approx(0.3)
    assert round(p.ci_low, 3) == 0.108
    assert round(p.ci_high, 3) == 0.603


@pytest.mark.parametrize("total", [1, 5, 10, 24, 120])
def test_boundaries_none_and_all(total: int) -> None:
    # At 0 of n and n of n the Wilson interval has a closed form: the bound away from the data is
    # z^2 / (n + z^2) from the edge (Wilson 1927), an independent check on the library call.
    z2 = norm.ppf(0.975) ** 2
    none = proportion(0, total)
    assert none.rate == 0.0 and none.ci_low == 0.0
    assert none.ci_high == pytest.approx(z2 / (total + z2), rel=1e-12)
    every = proportion(total, total)
    assert every.rate == 1.0 and every.ci_high == 1.0
    assert every.ci_low == pytest.approx(total / (total + z2), rel=1e-12)


def test_zero_of_zero_has_no_rate_or_interval() -> None:
    assert proportion(0, 0) == Proportion(successes=0, total=0, rate=None, ci_low=None, ci_high=None)


@pytest.mark.parametrize(("successes", "total"), [(0, 0), (0, 10), (7, 10), (10, 10)])
def test_values_are_plain_python_numbers(successes: int, total: int) -> None:
    p = proportion(successes, total)
    for value in (p.rate, p.ci_low, p.ci_high):
        assert value is None or type(value) is float
    assert type(p.successes) is int and type(p.total) is int
    json.dumps(dataclasses.asdict(p), allow_nan=False)


def test_numpy_integers_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    p = proportion(np.int64(7), np.int64(10))
    assert p == proportion(7, 10)
    assert type(p.successes) is int and type(p.total) is int


@pytest.mark.parametrize(
    ("successes", "total", "alpha", "message"),
    [
        (-1, 10, 0.05, "successes"),
        (0, -1, 0.05, "total"),
        (11, 10, 0.05, "exceed"),
        (1, 0, 0.05, "exceed"),
        (7, 10, 0.0, "alpha"),
        (7, 10, 1.0, "alpha"),
        (7, 10, -0.5, "alpha"),
        (7, 10, math.nan, "alpha"),
    ],
)
def test_invalid_counts_and_alpha_are_rejected(successes: int, total: int, alpha: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        proportion(successes, total, alpha=alpha)


@pytest.mark.parametrize(("successes", "total"), [(2.5, 10), (2, 10.0), ("2", 10)])
def test_non_integer_counts_are_rejected(successes: object, total: object) -> None:
    with pytest.raises(TypeError):
        proportion(successes, total)  # type: ignore[arg-type]


def test_proportion_is_frozen() -> None:
    p = proportion(7, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.rate = 0.5  # type: ignore[misc]
