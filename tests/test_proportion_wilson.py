"""The Wilson interval written with `math` (stats/proportion.py) against statsmodels', bit for bit.

`thematic score` summarises every criterion with this interval; it no longer imports statsmodels
for it, so these tests hold the closed form to the library's floats over many counts.
"""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from thematic.stats.proportion import _CRITICAL, proportion, wilson_interval


def _statsmodels(k: int, n: int, alpha: float) -> tuple[float, float]:
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def test_every_count_up_to_300_equals_statsmodels_to_the_last_bit() -> None:
    for n in range(1, 301):
        for k in range(n + 1):
            assert wilson_interval(k, n) == _statsmodels(k, n, 0.05), (k, n)


def test_large_and_random_counts_equal_statsmodels() -> None:
    rng = random.Random(17)
    totals = [10**6, 10**7, 2**31 - 1, 43 * 10**6] + [rng.randint(1, 10**9) for _ in range(2000)]
    for n in totals:
        for k in (0, 1, n // 3, n // 2, n - 1, n, rng.randint(0, n)):
            assert wilson_interval(k, n) == _statsmodels(k, n, 0.05), (k, n)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**12).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.05, 0.1, 0.01, 0.2, 0.001, 0.37]))
def test_any_count_and_alpha_equals_statsmodels(counts: tuple[int, int], alpha: float) -> None:
    k, n = counts
    assert wilson_interval(k, n, alpha) == _statsmodels(k, n, alpha)


@pytest.mark.parametrize("alpha", sorted(_CRITICAL))
def test_the_stored_quantiles_are_scipys(alpha: float) -> None:
    assert _CRITICAL[alpha] == float(stats.norm.isf(alpha / 2.0))


def test_proportion_carries_the_interval() -> None:
    p = proportion(7, 10)
    assert (p.ci_low, p.ci_high) == _statsmodels(7, 10, 0.05)
    assert p.ci_low is not None and p.ci_high is not None and 0.0 <= p.ci_low < 0.7 < p.ci_high <= 1.0
