"""The Wilson score interval of one proportion: every rate the project reports carries one.

Every rate carries its numerator, its denominator and a confidence interval. The interval is
`statsmodels`' `proportion_confint(method="wilson")`, written out here with `math` in the same
operations in the same order, so that it gives the same floats to the last bit
(tests/test_proportion_wilson.py compares the two over many counts): importing statsmodels (and
with it scipy and pandas) took about a second of every `thematic score` run, which summarises
every criterion with this interval. Only the normal quantile of an unusual `alpha` still comes
from `scipy.stats` (imported then). Results are frozen dataclasses of plain Python numbers, so
they serialise to JSON as they are.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass

__all__ = ["Proportion", "proportion", "wilson_interval"]


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
    low, high = wilson_interval(k, n, alpha)
    return Proportion(successes=k, total=n, rate=k / n, ci_low=low, ci_high=high)


#: scipy.stats.norm.isf(alpha / 2) of the usual alphas, as scipy computes it (its `ndtri`, whose
#: last bit differs from `statistics.NormalDist`'s): tests/test_proportion_wilson.py checks each.
_CRITICAL: dict[float, float] = {0.05: 1.9599639845400545, 0.1: 1.6448536269514729, 0.01: 2.575829303548901}


def _critical(alpha: float) -> float:
    """The two-sided normal quantile of `alpha`, exactly as statsmodels takes it (`stats.norm.isf`)."""
    crit = _CRITICAL.get(alpha)
    if crit is None:
        from scipy import stats  # type: ignore[import-untyped]  # only for an unusual alpha; no stubs installed

        crit = float(stats.norm.isf(alpha / 2.0))
    return crit


def wilson_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The Wilson score interval of `k` successes of `n` (n > 0), statsmodels' arithmetic step for step."""
    crit = _critical(alpha)
    crit2 = crit * crit  # numpy squares a float64 by multiplying it by itself
    q = k / n
    denom = 1 + crit2 / n
    center = (q + crit2 / (2 * n)) / denom
    dist = crit * math.sqrt(q * (1.0 - q) / n + crit2 / (4.0 * n**2))
    dist /= denom
    # np.clip(x, 0, 1)
    return min(max(center - dist, 0.0), 1.0), min(max(center + dist, 0.0), 1.0)
