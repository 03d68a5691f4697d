"""The `summary` block of `thematic.results/1`: counts, rates and intervals over case results.

Pure and streaming: cases are added one at a time and only counters are kept, so a sample of any
size is summarised in constant memory. Rates follow the criteria catalogue ("Result states",
"Theme summary"): a criterion's rate is met / (met + not met + not evidenced); a theme's rate is
the share of cases with at least one assessed criterion in the theme for which every assessed
criterion is met. Every rate carries a
95% Wilson interval from `thematic.stats.proportion`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
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

__all__ = ["SummaryAccumulator", "summarise", "summary_of"]

_STATE_INDEX: dict[str, int] = {state: i for i, state in enumerate(STATES)}
_MET_INDEX = _STATE_INDEX[MET]
_ASSESSED_INDICES: frozenset[int] = frozenset(_STATE_INDEX[s] for s in ASSESSED)


def _rate_fields(successes: int, total: int) -> dict[str, float | None]:
    p = proportion(successes, total)
    return {"rate": p.rate, "ci_low": p.ci_low, "ci_high": p.ci_high}


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

    def add_counts(self, indices: Sequence[int], suggested: str, grade: str | None, provisional: bool,
                   referred_back: bool, n: int) -> None:
        """Count `n` cases with the same results: `indices` holds each criterion's index into STATES,
        in catalogue order (a columnar run hands over its cases grouped this way).

        The same as `add` of n such cases; ValueError, counting nothing, for anything `add` refuses
        (a wrong number of states, an unknown state, an unknown grade) or an n below 1."""
        if type(n) is not int or n < 1:
            raise ValueError(f"a group of identical cases must count at least 1, got {n!r}")
        if len(indices) != len(self._plan):
            raise ValueError(f"{len(indices)} states given for {len(self._plan)} criteria")
        for criterion_id, index in zip(self._ids, indices, strict=True):
            if type(index) is not int or not 0 <= index < len(STATES):
                raise ValueError(f"criterion {criterion_id!r} has unknown state index {index!r}")
        if suggested not in self._suggested:
            raise ValueError(f"unknown suggested grade {suggested!r}")
        if grade is not None and grade not in self._suggested:
            raise ValueError(f"unknown inspector grade {grade!r}")
        self._count(indices, suggested, grade, provisional, referred_back, n)

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
