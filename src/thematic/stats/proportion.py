"""Statistics for small samples, taken from well-kept libraries rather than hand-written formulas.

Every rate the project reports carries its numerator, its denominator and a confidence interval.
Intervals come from `statsmodels` (the Wilson score interval for one proportion); comparisons
between two proportions and multiple-testing corrections belong here too, built on `statsmodels`
and `scipy.stats`. Results are frozen dataclasses of plain Python numbers, so they serialise to
JSON as they are.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass

__all__ = ["Proportion", "proportion"]


@dataclass(frozen=True)
class Proportion:
    """A count of successes out of a total, its rate and a Wilson confidence interval.

    `rate`, `ci_low` and `ci_high` are None when `total` is 0: there is nothing to estimate.
    """

    successes: int
    total: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None


def _count(value: object, name: str) -> int:
    try:
        count = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be a whole number, got {value!r}") from None
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    return alpha


def proportion(successes: int, total: int, alpha: float = 0.05) -> Proportion:
    """`successes` of `total`, with the two-sided (1 - alpha) Wilson score interval.

    Raises ValueError for a negative count, successes greater than total, or alpha outside (0, 1).
    """
    k = _count(successes, "successes")
    n = _count(total, "total")
    if k > n:
        raise ValueError(f"successes ({k}) must not exceed total ({n})")
    alpha = _check_alpha(alpha)
    if n == 0:
        return Proportion(successes=0, total=0, rate=None, ci_low=None, ci_high=None)
    # Imported on first use: statsmodels takes over a second to import, and commands such as
    # `thematic --help` or `validate` never need it.
    from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]  # no stubs exist

    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    return Proportion(successes=k, total=n, rate=k / n, ci_low=float(low), ci_high=float(high))
