"""Forces side by side: each force's rate against the pooled rate, with funnel-plot control limits.

A league table ranks forces by rates whose intervals mostly overlap; a funnel plot instead asks
whether each force differs from the pooled rate by more than its sample size explains
(Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in Medicine
2005). For every criterion, theme and grade share:

- the pooled rate is the sum of the forces' numerators over the sum of their denominators;
- each force's rate carries its 95% Wilson interval (`thematic.stats.proportion`);
- the control limits for a denominator n are exact binomial quantiles around the pooled rate p0,
  `scipy.stats.binom.ppf(q, n, p0) / n` for q = 0.025, 0.975 (95%) and 0.001, 0.999 (99.8%), without
  interpolation. A force is outside a limit when its count is strictly beyond the quantile, which
  happens by chance with probability at most 2.5% (0.1%) on each side: the exact limits are
  conservative, where the normal approximation p0 ± z·sqrt(p0(1-p0)/n) is not at the small
  denominators (3 to 120 cases) of these samples. Forces outside are named.
- Multiple comparisons: a force is said to differ beyond chance only outside the 99.8% limits
  (at most 1 in 500 comparisons by chance); outside the 95% limits alone it is "worth a look".
  For each family (criteria, themes, grades) the report states how many comparisons were made
  and at most how many would fall outside each limit by chance alone, so a reader can weigh the
  named forces. No allowance is made for over-dispersion: many more forces outside the limits
  than chance allows suggests real variation between forces rather than a few outliers.

Only like is pooled with like: per criterion, forces whose fingerprint differs from the most common
one are listed apart; themes and suggested grades take only forces whose whole criteria match.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from scipy.stats import binom  # type: ignore[import-untyped]  # no stubs installed

from thematic.core.errors import InputError, Problem
from thematic.load.results import Results
from thematic.model.case import GRADES
from thematic.stats.compare import NotCompared, ResultsSource
from thematic.stats.proportion import Proportion, proportion

__all__ = [
    "PROGRAMME_FORMAT", "FEW_CASES", "Funnel", "FunnelLimits", "ForceRate", "Programme", "build_programme",
    "funnel_limits",
]

PROGRAMME_FORMAT = "thematic.programme/1"
#: Position of a force against the limits; the codes used in the JSON.
WITHIN, ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, NO_CASES = (
    "within", "above_95", "above_99.8", "below_95", "below_99.8", "no_cases")
#: A force with from 1 to min_assessed - 1 assessed cases: shown with its limits, never compared or named.
FEW_CASES = "few_cases"
_OUTSIDE_998 = frozenset({ABOVE_998, BELOW_998})
_OUTSIDE_95 = frozenset({ABOVE_95, BELOW_95}) | _OUTSIDE_998

METHOD: dict[str, str] = {
    "pooled": "sum of the forces' numerators over the sum of their denominators",
    "interval": "95% Wilson interval for each force's rate (statsmodels)",
    "limits": "exact binomial quantiles around the pooled rate (scipy.stats.binom.ppf) at 2.5%/97.5% (95%) "
              "and 0.1%/99.9% (99.8%), without interpolation; a force is outside when its count is strictly "
              "beyond a quantile, which happens by chance with probability at most 2.5% (0.1%) on each side",
    "multiple_comparisons": "a force is said to differ beyond chance only outside the 99.8% limits; for each "
                            "family the number of comparisons and the most that chance alone would put outside "
                            "each limit are given",
    "over_dispersion": "no allowance is made: many more forces outside than chance allows suggests real "
                       "variation between forces",
    "matching": "a criterion pools only forces with the most common fingerprint; themes and suggested grades "
                "only forces whose criteria all match",
    "few_cases": "a force with fewer than min_assessed assessed cases on a funnel is shown with its limits but "
                 "lies few_cases: it is neither compared with the pooled rate nor counted or named as outside",
}


@dataclass(frozen=True)
class FunnelLimits:
    """The control limits for a denominator `total`, as counts (the quantiles) and as rates."""

    total: int
    low_998: int
    low_95: int
    high_95: int
    high_998: int

    def rates(self) -> dict[str, float]:
        n = self.total
        return {"low_99.8": self.low_998 / n, "low_95": self.low_95 / n,
                "high_95": self.high_95 / n, "high_99.8": self.high_998 / n}

    def position(self, count: int) -> str:
        """Where `count` of `total` lies: strictly beyond a quantile is outside it."""
        if count > self.high_998:
            return ABOVE_998
        if count > self.high_95:
            return ABOVE_95
        if count < self.low_998:
            return BELOW_998
        if count < self.low_95:
            return BELOW_95
        return WITHIN


def funnel_limits(pooled_rate: float, total: int) -> FunnelLimits:
    """Exact binomial 95% and 99.8% limits around `pooled_rate` for a denominator `total` (>= 1)."""
    if total < 1:
        raise ValueError(f"a funnel limit needs a denominator of at least 1, got {total}")
    if not 0.0 <= pooled_rate <= 1.0:
        raise ValueError(f"the pooled rate must lie between 0 and 1, got {pooled_rate}")
    low_998, low_95, high_95, high_998 = (int(q) for q in binom.ppf([0.001, 0.025, 0.975, 0.999], total, pooled_rate))
    return FunnelLimits(total, low_998, low_95, high_95, high_998)


@dataclass(frozen=True)
class ForceRate:
    """One inspection's rate on one funnel, its limits and where it lies against them."""

    inspection: str
    force: str | None
    year: int | None
    rate: Proportion
    limits: FunnelLimits | None  # None when the force has no cases to count
    position: str

    def to_json(self) -> dict[str, Any]:
        return {
            "inspection": self.inspection, "force": self.force, "year": self.year, **dataclasses.asdict(self.rate),
            "limits": self.limits.rates() if self.limits else None, "position": self.position,
        }


@dataclass(frozen=True)
class Funnel:
    """One funnel plot: a criterion, a theme or a grade share across the forces."""

    kind: str  # criterion, theme, inspector_grade or suggested_grade
    key: str
    pooled: Proportion
    forces: tuple[ForceRate, ...]
    not_compared: tuple[NotCompared, ...] = ()
    fingerprint: str | None = None

    @property
    def outside_998(self) -> tuple[ForceRate, ...]:
        """Forces beyond the 99.8% limits: different from the pooled rate beyond chance."""
        return tuple(f for f in self.forces if f.position in _OUTSIDE_998)

    @property
    def outside_95(self) -> tuple[ForceRate, ...]:
        """Forces beyond the 95% limits (those beyond 99.8% included): worth a look."""
        return tuple(f for f in self.forces if f.position in _OUTSIDE_95)

    @property
    def comparisons(self) -> int:
        """Forces compared with the pooled rate: those with limits and enough assessed cases."""
        return sum(1 for f in self.forces if f.limits is not None and f.position != FEW_CASES)

    def curve(self, max_total: int | None = None) -> list[FunnelLimits]:
        """The limits at every denominator from 1 to `max_total` (default: the largest force's), for drawing."""
        top = max_total if max_total is not None else max((f.rate.total for f in self.forces), default=0)
        if self.pooled.rate is None:
            return []
        return [funnel_limits(self.pooled.rate, n) for n in range(1, top + 1)]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "key": self.key, "fingerprint": self.fingerprint,
            "pooled": dataclasses.asdict(self.pooled),
            "forces": [f.to_json() for f in self.forces],
            "outside_99.8": [f.inspection for f in self.outside_998],
            "outside_95": [f.inspection for f in self.outside_95],
            "not_compared": [n.to_json() for n in self.not_compared],
        }


@dataclass(frozen=True)
class Programme:
    """Everything the programme report shows; `to_json()` is the `thematic.programme/1` document."""

    criteria_id: str
    samples: tuple[ResultsSource, ...]
    criteria: tuple[Funnel, ...]
    themes: tuple[Funnel, ...]
    grades: tuple[Funnel, ...]
    notes: tuple[str, ...] = ()
    min_assessed: int = 1  # a force with fewer assessed cases is shown but not compared (FEW_CASES)

    def families(self) -> dict[str, dict[str, float]]:
        """Per family: comparisons made, forces outside each limit, and the most expected by chance."""
        out: dict[str, dict[str, float]] = {}
        for name, funnels in (("criteria", self.criteria), ("themes", self.themes), ("grades", self.grades)):
            comparisons = sum(f.comparisons for f in funnels)
            out[name] = {
                "comparisons": comparisons,
                "outside_95": sum(len(f.outside_95) for f in funnels),
                "outside_99.8": sum(len(f.outside_998) for f in funnels),
                "chance_at_most_95": round(0.05 * comparisons, 3),
                "chance_at_most_99.8": round(0.002 * comparisons, 3),
            }
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROGRAMME_FORMAT,
            "criteria_id": self.criteria_id,
            "inspections": [s.to_json() for s in self.samples],
            "method": {**METHOD, "min_assessed": self.min_assessed},
            "multiple_comparisons": self.families(),
            "criteria": [f.to_json() for f in self.criteria],
            "themes": [f.to_json() for f in self.themes],
            "grades": [f.to_json() for f in self.grades],
            "notes": list(self.notes),
        }


# --- building ------------------------------------------------------------------------------------

def build_programme(results: Sequence[Results], *, min_assessed: int = 1) -> Programme:
    """Funnels for every criterion, theme and grade share; InputError if the files cannot be set side by side.

    A force with from 1 to `min_assessed` - 1 cases on a funnel keeps its limits but lies FEW_CASES:
    it is neither compared with the pooled rate nor named as outside the limits.
    """
    _refuse(results)
    criteria = tuple(_criterion_funnel(results, cid, min_assessed) for cid in _criterion_ids(results))
    reference = _most_common([tuple(r.fingerprints.items()) for r in results])
    matching = [r for r in results if tuple(r.fingerprints.items()) == reference]
    differing = tuple(NotCompared(r.label, "its criteria differ from the other inspections'")
                      for r in results if tuple(r.fingerprints.items()) != reference)
    theme_ids = list(dict.fromkeys(t for r in matching for t in r.themes))
    themes = tuple(_funnel("theme", t, matching, partial(_theme_counts, theme=t), differing,
                           min_assessed=min_assessed) for t in theme_ids)
    grades: list[Funnel] = []
    for grade in GRADES:
        grades.append(_funnel("inspector_grade", grade, results, partial(_inspector_grade, grade=grade), (),
                              min_assessed=min_assessed))
    for grade in GRADES:  # suggested grades follow from every criterion, so only under identical criteria
        grades.append(_funnel("suggested_grade", grade, matching, partial(_suggested_grade, grade=grade), differing,
                              min_assessed=min_assessed))
    return Programme(results[0].criteria_id, tuple(ResultsSource.of(r) for r in results), criteria, themes,
                     tuple(grades), tuple(_notes(results)), min_assessed)


def _refuse(results: Sequence[Results]) -> None:
    if len(results) < 2:
        raise InputError.single(results[0].path if results else "programme",
                                "a programme report needs the results of at least two inspections")
    problems: list[Problem] = []
    ids = Counter(r.criteria_id for r in results)
    if len(ids) > 1:
        common = ids.most_common(1)[0][0]
        problems.extend(r.problem(("criteria", "id"),
                                  f"scored against criteria set \"{r.criteria_id}\", but the others against "
                                  f"\"{common}\"; forces can be set side by side only under one criteria set")
                        for r in results if r.criteria_id != common)
    seen: dict[str, str] = {}
    files: dict[Path, str] = {}
    for r in results:
        where = Path(r.path).resolve()
        if where in files:
            problems.append(Problem(r.path, "is given more than once"))
            continue
        files[where] = r.path
        if r.inspection.id is not None:
            if r.inspection.id in seen:
                problems.append(r.problem(("inspection", "id"),
                                          f"inspection \"{r.inspection.id}\" is already given by "
                                          f"{seen[r.inspection.id]}; each inspection may appear only once"))
            seen.setdefault(r.inspection.id, r.path)
    if problems:
        raise InputError(problems)


def _criterion_ids(results: Sequence[Results]) -> list[str]:
    return list(dict.fromkeys(cid for r in results for cid in r.fingerprints))


def _most_common(values: list[Any]) -> Any:
    """The most frequent value; a tie goes to the one seen first (Counter keeps insertion order)."""
    return Counter(values).most_common(1)[0][0]


def _criterion_funnel(results: Sequence[Results], cid: str, min_assessed: int = 1) -> Funnel:
    having = [r for r in results if cid in r.fingerprints]
    reference = _most_common([r.fingerprints[cid] for r in having])
    included = [r for r in having if r.fingerprints[cid] == reference]
    skipped = tuple(
        NotCompared(r.label, "criterion not in its criteria" if cid not in r.fingerprints
                    else "its definition or parameter values (fingerprint) differ from the other inspections'")
        for r in results if r.fingerprints.get(cid) != reference)
    return _funnel("criterion", cid, included, lambda r: (r.criteria[cid].met, r.criteria[cid].assessed), skipped,
                   fingerprint=reference, min_assessed=min_assessed)


def _theme_counts(results: Results, theme: str) -> tuple[int, int]:
    counts = results.themes.get(theme)
    return (counts.all_met, counts.cases) if counts else (0, 0)


def _inspector_grade(results: Results, grade: str) -> tuple[int, int]:
    return results.inspector_grades[grade], sum(results.inspector_grades.values())


def _suggested_grade(results: Results, grade: str) -> tuple[int, int]:
    return results.suggested_grades[grade], sum(results.suggested_grades.values())


def _funnel(kind: str, key: str, included: Sequence[Results], counts: Callable[[Results], tuple[int, int]],
            skipped: tuple[NotCompared, ...], fingerprint: str | None = None, *, min_assessed: int = 1) -> Funnel:
    pairs = [counts(r) for r in included]
    pooled = proportion(sum(k for k, _ in pairs), sum(n for _, n in pairs))
    forces = []
    for r, (k, n) in zip(included, pairs, strict=True):
        limits = funnel_limits(pooled.rate, n) if n > 0 and pooled.rate is not None else None
        position = limits.position(k) if limits else NO_CASES
        if limits and n < min_assessed:
            position = FEW_CASES
        forces.append(ForceRate(r.label, r.inspection.force, r.inspection.year, proportion(k, n), limits, position))
    return Funnel(kind, key, pooled, tuple(forces), skipped, fingerprint)


def _notes(results: Sequence[Results]) -> list[str]:
    notes = []
    years = sorted({r.inspection.year for r in results if r.inspection.year is not None})
    if len(years) > 1:
        notes.append(f"The inspections come from more than one year ({', '.join(map(str, years))}).")
    forces = Counter(r.inspection.force for r in results if r.inspection.force)
    for force, count in forces.items():
        if count > 1:
            notes.append(f"Force {force} appears in {count} inspections; each counts in the pooled rate.")
    return notes
