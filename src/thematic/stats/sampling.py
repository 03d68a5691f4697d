"""Stratified random sampling of a case register: the sample size, its allocation and the draw.

Pure: no file access, no clock, no printing. The caller passes each register row's stratum (in
register order), a size (or asks `size_for_margin` for one) and a seed, and gets back the strata's
populations, samples and weights and the indices of the rows drawn.

- **Size for a margin.** The normal-approximation size for a 95% interval of half-width `margin`
  on a rate comes from statsmodels; the finite-population correction is applied here (see
  `size_for_margin`). Proportional stratification never does worse than a simple random sample
  of the same size for an overall rate, so the size is a safe upper bound for the stratified one.
- **Allocation.** Proportional to each stratum's population, rounded by the largest-remainder
  rule so the strata sum exactly to the size; then, with `min_per_stratum`, small strata are
  raised and the cases are taken from the largest samples (see `allocate`).
- **Draw.** One `random.Random(seed)`; strata in name order; `Random.sample` over each stratum's
  rows in register order. The same register and seed therefore always give the same rows.
"""
from __future__ import annotations

import math
import operator
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "MarginSize",
    "StratifiedDraw",
    "SamplingError",
    "Stratum",
    "allocate",
    "draw",
    "margin_too_small",
    "size_for_margin",
    "stratified_sample",
]

MAX_MARGIN = 0.5  # a half-width beyond 50 points says nothing about a rate
# ±0.1 points already asks for 960,365 cases of an unlimited population (about 400,000 of a million);
# below it the size is the whole register, and near zero the arithmetic overflows.
MIN_MARGIN = 0.001


class SamplingError(ValueError):
    """A size, margin, rate or minimum that the register cannot satisfy or that makes no sense."""


@dataclass(frozen=True)
class MarginSize:
    """The sample size giving a 95% margin (half-width) on a rate, before and after the FPC."""

    margin: float
    expected_rate: float
    population: int
    n0: float  # infinite-population size (statsmodels)
    corrected: float  # after the finite-population correction, unrounded
    size: int  # `corrected` rounded up, never more than the population


@dataclass(frozen=True)
class Stratum:
    """One stratum: its population, the cases allocated to it and its weight (population/sample)."""

    name: str
    population: int
    sample: int
    proportional: int  # the allocation before `min_per_stratum` moved any cases

    @property
    def weight(self) -> float | None:
        """How many register cases each sampled case stands for; None if none was sampled."""
        return self.population / self.sample if self.sample else None


@dataclass(frozen=True)
class StratifiedDraw:
    """A stratified draw from a register: the strata in name order and the register indices drawn, in
    register order. (The sample of cases an inspection then reads is `thematic.load.sample.Sample`.)"""

    strata: tuple[Stratum, ...]
    selected: tuple[int, ...]
    seed: int

    @property
    def population(self) -> int:
        return sum(s.population for s in self.strata)

    @property
    def size(self) -> int:
        return len(self.selected)


def _whole(value: object, name: str, minimum: int) -> int:
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise SamplingError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise SamplingError(f"{name} must be at least {minimum}, got {number}")
    return number


def margin_too_small(margin: float) -> str:
    return (f"must be at least {MIN_MARGIN:g} (±{MIN_MARGIN * 100:g} points), got {margin:g}: a smaller margin asks "
            "for more cases than a register holds, so the sample would be the whole register; give --size N instead")


def size_for_margin(margin: float, population: int, *, expected_rate: float = 0.5, alpha: float = 0.05) -> MarginSize:
    """The size whose (1 - alpha) interval on a rate has half-width `margin`, for a finite population.

    `expected_rate` 0.5 is the worst case (the largest size for any rate). The result is rounded
    up, so the margin is met or beaten, and capped at the population.
    """
    population = _whole(population, "population", 1)
    margin, expected_rate = float(margin), float(expected_rate)
    if not 0.0 < margin <= MAX_MARGIN:
        raise SamplingError(f"margin must be more than 0 and at most {MAX_MARGIN}, got {margin:g}")
    if margin < MIN_MARGIN:
        raise SamplingError(margin_too_small(margin))
    if not 0.0 < expected_rate < 1.0:
        raise SamplingError(f"expected rate must lie strictly between 0 and 1, got {expected_rate:g}")
    # slow to import: on use
    from statsmodels.stats.proportion import samplesize_confint_proportion  # type: ignore[import-untyped]  # no stubs exist

    n0 = float(samplesize_confint_proportion(expected_rate, margin, alpha=alpha, method="normal"))
    # Finite-population correction n = n0 / (1 + (n0 - 1) / N): Cochran, Sampling Techniques,
    # 3rd ed. (1977), section 4.4; algebraically the formula of Krejcie and Morgan (1970).
    corrected = n0 / (1.0 + (n0 - 1.0) / population)
    # Round up, but not past a whole number that floating point missed by a hair (78.0000000001).
    size = min(population, max(1, math.ceil(corrected - 1e-9)))
    return MarginSize(margin, expected_rate, population, n0, corrected, size)


def _proportional(populations: Mapping[str, int], size: int) -> dict[str, int]:
    """Hamilton's largest-remainder rounding of size * population / total, in exact integers.

    Every stratum first gets the whole part of its quota; the cases left over go one each to the
    strata with the largest fractional parts. Ties go to the larger population, then to the
    stratum whose name sorts first, so the rule never depends on dictionary order.
    """
    total = sum(populations.values())
    whole = {name: size * count // total for name, count in populations.items()}
    remainder = {name: size * count % total for name, count in populations.items()}
    left = size - sum(whole.values())
    for name in sorted(populations, key=lambda h: (-remainder[h], -populations[h], h))[:left]:
        whole[name] += 1  # a fractional quota is below its population, so this never overfills
    return whole


def allocate(populations: Mapping[str, int], size: int, *, min_per_stratum: int = 0) -> dict[str, int]:
    """Cases to draw from each stratum: proportional, largest remainder, then `min_per_stratum`.

    With `min_per_stratum` K, every stratum gets at least K cases, or all of its cases when it has
    fewer than K. Each case a small stratum needs is taken, one at a time, from the stratum with the
    largest allocation still above its own minimum (ties: larger population, then name). Raises
    SamplingError when the size cannot give every stratum its minimum, or is out of range.
    """
    if not populations:
        raise SamplingError("there are no strata to allocate to")
    for name, count in populations.items():
        _whole(count, f"population of stratum {name!r}", 1)
    total = sum(populations.values())
    size = _whole(size, "sample size", 1)
    if size > total:
        raise SamplingError(f"sample size {size} is larger than the population of {total} cases")
    min_per_stratum = _whole(min_per_stratum, "minimum per stratum", 0)

    allocation = _proportional(populations, size)
    floor = {name: min(min_per_stratum, count) for name, count in populations.items()}
    needed = sum(floor.values())
    if needed > size:
        raise SamplingError(
            f"a sample of {size} cannot give each of the {len(populations)} strata {min_per_stratum} "
            f"case(s) (or all of a smaller stratum): that needs at least {needed}"
        )
    for name in sorted(populations):
        while allocation[name] < floor[name]:
            donor = min(
                (h for h in populations if allocation[h] > floor[h]),
                key=lambda h: (-allocation[h], -populations[h], h),
            )  # exists: the allocations sum to size >= the sum of the floors
            allocation[donor] -= 1
            allocation[name] += 1
    return allocation


def draw(members: Mapping[str, Sequence[int]], allocation: Mapping[str, int], seed: int) -> tuple[int, ...]:
    """Draw `allocation[h]` of `members[h]` at random, without replacement; indices in ascending order.

    `members[h]` lists stratum h's register indices in register order. Strata are visited in name
    order with one `random.Random(seed)`, so the result depends only on the register and the seed.
    """
    seed = _whole(seed, "seed", 0)  # Random(-s) equals Random(s): negative seeds would alias
    rng = random.Random(seed)
    chosen: list[int] = []
    for name in sorted(members):
        chosen.extend(rng.sample(list(members[name]), allocation.get(name, 0)))
    return tuple(sorted(chosen))


def stratified_sample(strata_of_rows: Sequence[str], size: int, *, seed: int,
                      min_per_stratum: int = 0) -> StratifiedDraw:
    """A stratified random sample of rows, given each row's stratum in register order."""
    members: dict[str, list[int]] = {}
    for index, name in enumerate(strata_of_rows):
        members.setdefault(name, []).append(index)
    if not members:
        raise SamplingError("the register has no cases")
    populations = {name: len(rows) for name, rows in members.items()}
    proportional = allocate(populations, size)
    allocation = allocate(populations, size, min_per_stratum=min_per_stratum)
    selected = draw(members, allocation, seed)
    strata = tuple(
        Stratum(name=name, population=populations[name], sample=allocation[name], proportional=proportional[name])
        for name in sorted(members)
    )
    return StratifiedDraw(strata=strata, selected=selected, seed=seed)
