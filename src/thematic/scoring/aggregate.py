"""The `summary` block of `thematic.results/1`: counts, rates and intervals over case results.

Pure and streaming: cases are added one at a time and only counters are kept, so a sample of any
size is summarised in constant memory. Rates follow the criteria catalogue ("Result states",
"Theme summary"): a criterion's rate is met / (met + not met + not evidenced); a theme's rate is
the share of cases with at least one assessed criterion in the theme for which every assessed
criterion is met. Every rate carries a
95% Wilson interval from `thematic.stats.proportion`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from thematic.model.case import GRADES
from thematic.model.results import (
    ASSESSED,
    MET,
    NO_GRADE,
    STATES,
    CaseResult,
    CriterionSummary,
    GradeCounts,
    Summary,
    ThemeSummary,
)
from thematic.stats.proportion import proportion

__all__ = ["BatchTotals", "SummaryAccumulator", "summarise", "summary_of"]

_STATE_INDEX: dict[str, int] = {state: i for i, state in enumerate(STATES)}
_MET_INDEX = _STATE_INDEX[MET]
_ASSESSED_INDICES: frozenset[int] = frozenset(_STATE_INDEX[s] for s in ASSESSED)


def _rate_fields(successes: int, total: int) -> dict[str, float | None]:
    p = proportion(successes, total)
    return {"rate": p.rate, "ci_low": p.ci_low, "ci_high": p.ci_high}


@dataclass(frozen=True)
class BatchTotals:
    """The counts of a number of cases, without the cases: what `SummaryAccumulator.add_totals` takes.

    `states` holds, per criterion in catalogue order, its count of each state (in `STATES` order);
    `theme_cases` and `theme_all_met` per theme (in the order first seen in the catalogue) the cases
    with an assessed criterion in it and those whose assessed criteria in it are all met; `suggested`
    and `inspector` the cases per grade (`inspector` with NO_GRADE for an ungraded case)."""

    cases: int
    states: Sequence[Sequence[int]]
    theme_cases: Sequence[int]
    theme_all_met: Sequence[int]
    suggested: Mapping[str, int]
    inspector: Mapping[str, int]
    provisional: int
    disagreements: int
    referred_back: int


class SummaryAccumulator:
    """Counts criterion states, theme outcomes and grades over cases added one at a time.

    `criteria` lists (criterion id, theme id) pairs in catalogue order; the summary lists criteria
    in that order and themes in the order they are first seen there. Every case must carry a
    result for exactly these criteria: anything else raises ValueError and leaves the counts as
    they were.
    """

    def __init__(self, criteria: Sequence[tuple[str, str]]):
        ids: list[str] = []
        known: set[str] = set()
        themes: dict[str, int] = {}
        plan: list[tuple[str, int]] = []
        for criterion_id, theme_id in criteria:
            if criterion_id in known:
                raise ValueError(f"criterion {criterion_id!r} is listed more than once")
            theme_index = themes.setdefault(theme_id, len(themes))
            ids.append(criterion_id)
            known.add(criterion_id)
            plan.append((criterion_id, theme_index))
        self._ids: tuple[str, ...] = tuple(ids)
        self._known: frozenset[str] = frozenset(known)
        self._themes: tuple[str, ...] = tuple(themes)
        self._plan: tuple[tuple[str, int], ...] = tuple(plan)
        self._states: list[list[int]] = [[0] * len(STATES) for _ in ids]
        self._theme_cases: list[int] = [0] * len(themes)
        self._theme_all_met: list[int] = [0] * len(themes)
        self._suggested: dict[str, int] = dict.fromkeys(GRADES, 0)
        self._inspector: dict[str, int] = dict.fromkeys((*GRADES, NO_GRADE), 0)
        self._provisional = 0
        self._compared = 0
        self._disagreements = 0
        self._referred_back = 0
        self._cases = 0

    def _state_indices(self, case: CaseResult) -> list[int]:
        """The index of each criterion's state, in catalogue order; ValueError if incomplete."""
        results = case.results
        indices: list[int] = []
        for criterion_id, _ in self._plan:
            result = results.get(criterion_id)
            if result is None:
                raise ValueError(f"case {case.case_id!r}: no result for criterion {criterion_id!r}")
            index = _STATE_INDEX.get(result.state)
            if index is None:
                raise ValueError(
                    f"case {case.case_id!r}: criterion {criterion_id!r} has unknown state {result.state!r}"
                )
            indices.append(index)
        if len(results) != len(self._plan):
            extra = next(cid for cid in results if cid not in self._known)
            raise ValueError(f"case {case.case_id!r}: result for unknown criterion {extra!r}")
        return indices

    def add(self, case: CaseResult) -> None:
        """Count one case. Raises ValueError, counting nothing, if the case is incomplete or malformed."""
        indices = self._state_indices(case)
        if case.suggested_grade not in self._suggested:
            raise ValueError(f"case {case.case_id!r}: unknown suggested grade {case.suggested_grade!r}")
        if case.grade is not None and case.grade not in self._suggested:
            raise ValueError(f"case {case.case_id!r}: unknown inspector grade {case.grade!r}")
        self._count(indices, case.suggested_grade, case.grade, bool(case.provisional), bool(case.referred_back), 1)

    def add_totals(self, totals: BatchTotals) -> None:
        """Count the cases whose totals alone are known (a columnar batch's one row of counts).

        The same as adding those cases one at a time; ValueError, counting nothing, if the totals do
        not fit these criteria or cannot be the counts of `totals.cases` cases (a state count or a
        grade count that does not add up to the cases, a theme with more all-met cases than cases)."""
        cases = totals.cases
        numbers = [cases, totals.provisional, totals.disagreements, totals.referred_back,
                   *totals.theme_cases, *totals.theme_all_met, *totals.suggested.values(), *totals.inspector.values()]
        if any(type(n) is not int or n < 0 for n in numbers):
            raise ValueError("every count must be a whole number, not below 0")
        if len(totals.states) != len(self._plan) or len(totals.theme_cases) != len(self._themes) \
                or len(totals.theme_all_met) != len(self._themes):
            raise ValueError("the totals are not of these criteria and themes")
        for criterion_id, counts in zip(self._ids, totals.states, strict=True):
            if len(counts) != len(STATES) or any(type(n) is not int or n < 0 for n in counts) or sum(counts) != cases:
                raise ValueError(f"criterion {criterion_id!r}: state counts {list(counts)!r} are not of {cases} cases")
        if any(not all_met <= counted <= cases for counted, all_met in
               zip(totals.theme_cases, totals.theme_all_met, strict=True)):
            raise ValueError("a theme counts more cases than there are, or more all met than assessed")
        if not totals.suggested.keys() <= self._suggested.keys() or sum(totals.suggested.values()) != cases:
            raise ValueError(f"suggested grades {totals.suggested!r} are not of {cases} cases")
        if not totals.inspector.keys() <= self._inspector.keys() or sum(totals.inspector.values()) != cases:
            raise ValueError(f"inspector grades {totals.inspector!r} are not of {cases} cases")
        compared = cases - totals.inspector.get(NO_GRADE, 0)
        if totals.provisional > cases or totals.referred_back > cases or totals.disagreements > compared:
            raise ValueError("more provisional, referred back or disagreeing cases than cases")
        for mine, counts in zip(self._states, totals.states, strict=True):
            for index, n in enumerate(counts):
                mine[index] += n
        for theme, (counted, all_met) in enumerate(zip(totals.theme_cases, totals.theme_all_met, strict=True)):
            self._theme_cases[theme] += counted
            self._theme_all_met[theme] += all_met
        for grade, n in totals.suggested.items():
            self._suggested[grade] += n
        for grade, n in totals.inspector.items():
            self._inspector[grade] += n
        self._provisional += totals.provisional
        self._compared += compared
        self._disagreements += totals.disagreements
        self._referred_back += totals.referred_back
        self._cases += cases

    def _count(self, indices: Sequence[int], suggested: str, grade: str | None, provisional: bool,
               referred_back: bool, n: int) -> None:
        """Add n cases of these (already checked) results to every count."""
        assessed = [False] * len(self._themes)
        all_met = [True] * len(self._themes)
        for (_, theme), index, counts in zip(self._plan, indices, self._states, strict=True):
            counts[index] += n
            if index in _ASSESSED_INDICES:
                assessed[theme] = True
                if index != _MET_INDEX:
                    all_met[theme] = False
        for theme, counted in enumerate(assessed):
            if counted:
                self._theme_cases[theme] += n
                if all_met[theme]:
                    self._theme_all_met[theme] += n

        self._suggested[suggested] += n
        self._inspector[NO_GRADE if grade is None else grade] += n
        if provisional:
            self._provisional += n
        if grade is not None:
            self._compared += n
            if grade != suggested:
                self._disagreements += n
        if referred_back:
            self._referred_back += n
        self._cases += n

    def merge(self, other: SummaryAccumulator) -> None:
        """Add the counts of `other` (built for the same criteria, e.g. in another process) to these."""
        if other._plan != self._plan:
            raise ValueError("cannot merge summaries of different criteria")
        for mine, theirs in zip(self._states, other._states, strict=True):
            for index, count in enumerate(theirs):
                mine[index] += count
        for theme in range(len(self._themes)):
            self._theme_cases[theme] += other._theme_cases[theme]
            self._theme_all_met[theme] += other._theme_all_met[theme]
        for grade, count in other._suggested.items():
            self._suggested[grade] += count
        for grade, count in other._inspector.items():
            self._inspector[grade] += count
        self._provisional += other._provisional
        self._compared += other._compared
        self._disagreements += other._disagreements
        self._referred_back += other._referred_back
        self._cases += other._cases

    def result(self) -> Summary:
        """The summary of the cases added so far: counts, and every rate with its interval, worked out here once."""
        criteria: dict[str, CriterionSummary] = {}
        for criterion_id, counts in zip(self._ids, self._states, strict=True):
            assessed = sum(counts[i] for i in _ASSESSED_INDICES)
            criteria[criterion_id] = CriterionSummary(**dict(zip(STATES, counts, strict=True)),
                                                      **_rate_fields(counts[_MET_INDEX], assessed))
        themes = {
            theme_id: ThemeSummary(cases=cases, all_met=all_met, **_rate_fields(all_met, cases))
            for theme_id, cases, all_met in zip(self._themes, self._theme_cases, self._theme_all_met, strict=True)
        }
        grades = GradeCounts(suggested=dict(self._suggested), inspector=dict(self._inspector),
                             provisional=self._provisional, compared=self._compared,
                             disagreements=self._disagreements, referred_back=self._referred_back)
        return Summary(criteria=criteria, themes=themes, grades=grades, cases=self._cases)

    def summary(self) -> dict[str, Any]:
        """The summary block as JSON data (`result().to_json()`; a new dict on every call)."""
        return self.result().to_json()


def summary_of(cases: Iterable[CaseResult], criteria: Sequence[tuple[str, str]]) -> Summary:
    """The summary of `cases`, scored against `criteria`."""
    accumulator = SummaryAccumulator(criteria)
    for case in cases:
        accumulator.add(case)
    return accumulator.result()


def summarise(cases: Iterable[CaseResult], criteria: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The summary block of `thematic.results/1` for `cases`, as JSON data."""
    return summary_of(cases, criteria).to_json()
