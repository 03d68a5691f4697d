"""A force's own audit beside the inspectors': agreement, and whether the force rates itself more favourably.

Two results files (`thematic.results/1`) scored on the same cases, one from the force's
self-assessment and one from the inspectors, are matched by case id. For every criterion whose
fingerprint is the same in both, on the cases both could assess (met, or not met / not evidenced):

- raw agreement with its Wilson interval, Cohen's kappa and Gwet's AC1 (`thematic.stats.agreement`,
  from statsmodels and Gwet's formulas), since kappa collapses when nearly every case is met;
- the direction of disagreement: cases the force calls met and the inspectors do not (b) against
  the reverse (c), with McNemar's test on the paired results (statsmodels `mcnemar`: the exact
  binomial test when b + c < 25, otherwise the chi-square test with continuity correction), and
  p-values adjusted across criteria by Holm's method.

For the grade (each side's assessor grade, or `thematic`'s suggested grade): the same agreement
figures (kappa also linearly weighted, as grades are ordered), the counts of cases the force
grades better, the same or worse, and a two-sided sign test on better against worse
(scipy.stats.binomtest). A difference is called a bias only when the (adjusted) p-value is below
0.05; otherwise the counts are shown and the words say the sample cannot tell.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scipy.stats import binomtest  # type: ignore[import-untyped]  # no stubs installed
from statsmodels.stats.contingency_tables import mcnemar  # type: ignore[import-untyped]  # no stubs exist

from thematic.core.errors import InputError, Problem
from thematic.load.results import CaseStates
from thematic.model.case import GRADES
from thematic.model.results import FAILED, MET
from thematic.stats.agreement import Coefficient, cohens_kappa, contingency, gwet_ac1
from thematic.stats.compare import NotCompared, ResultsSource, holm
from thematic.stats.proportion import Proportion, proportion

__all__ = [
    "ASSESSOR_COMPARISON_FORMAT", "ALPHA", "EXACT_BELOW", "PairedTest", "CriterionAgreement", "GradeAgreement",
    "AssessorComparison", "mcnemar_test", "sign_test", "compare_assessors",
    "METHOD",
]

ASSESSOR_COMPARISON_FORMAT = "thematic.assessor-comparison/1"
ALPHA = 0.05
EXACT_BELOW = 25  # b + c below this: McNemar's exact binomial test
FORCE_MORE, FORCE_LESS, NO_DIRECTION = "force more favourable", "force less favourable", "no difference"
MORE_BIAS = "the force rates itself more favourably"
LESS_BIAS = "the force rates itself less favourably"
NO_BIAS = "no bias the sample can detect"
_MET_NOT_MET = ("met", "not met")

METHOD: dict[str, str] = {
    "matching": "cases matched by case_id; a criterion is compared only if its fingerprint is the same in both files",
    "paired": "cases both sides assessed: met against not met or not evidenced; not applicable, unable to assess, "
              "pending and error leave a case out of that criterion",
    "agreement": "raw agreement with a 95% Wilson interval; Cohen's kappa (statsmodels; linearly weighted too for "
                 "the grade) and Gwet's AC1, which stays meaningful when nearly every case is met",
    "criterion_test": f"McNemar's test on the paired results (statsmodels mcnemar): exact binomial when b + c < "
                      f"{EXACT_BELOW}, else chi-square with continuity correction; Holm-adjusted across criteria",
    "grade_test": "two-sided sign test on cases the force grades better against worse (scipy.stats.binomtest, p = 0.5)",
    "decision": "a bias is reported only when the (adjusted) p-value is below 0.05",
}


# --- the statistics -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PairedTest:
    """McNemar's test: b = force met, inspectors not; c = the reverse."""

    force_only: int
    inspectors_only: int
    statistic: float | None
    p_value: float | None
    exact: bool

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def mcnemar_test(both: int, force_only: int, inspectors_only: int, neither: int) -> PairedTest:
    """McNemar's test of the 2×2 paired table (rows the force, columns the inspectors: met, not met)."""
    discordant = force_only + inspectors_only
    if discordant == 0:
        return PairedTest(force_only, inspectors_only, None, None, True)
    exact = discordant < EXACT_BELOW
    result = mcnemar([[both, force_only], [inspectors_only, neither]], exact=exact, correction=True)
    return PairedTest(force_only, inspectors_only, float(result.statistic), min(float(result.pvalue), 1.0), exact)


def sign_test(better: int, worse: int) -> float | None:
    """Two-sided sign test of `better` against `worse` (ties left out); None when there is neither."""
    if better + worse == 0:
        return None
    return float(binomtest(better, better + worse, 0.5, alternative="two-sided").pvalue)


def _direction(force_up: int, force_down: int) -> str:
    return FORCE_MORE if force_up > force_down else FORCE_LESS if force_down > force_up else NO_DIRECTION


def _verdict(force_up: int, force_down: int, p: float | None) -> str:
    if p is None or p >= ALPHA or force_up == force_down:
        return NO_BIAS
    return MORE_BIAS if force_up > force_down else LESS_BIAS


@dataclass(frozen=True)
class CriterionAgreement:
    """One criterion on the cases both sides assessed."""

    criterion: str
    paired: int
    not_paired: int  # in both files, but not assessed by one side or both
    agreed: int
    raw_agreement: float | None
    raw_ci_low: float | None
    raw_ci_high: float | None
    force_met: int
    inspectors_met: int
    kappa: Coefficient
    gwet_ac1: Coefficient
    test: PairedTest
    p_adjusted: float | None
    direction: str
    verdict: str

    @property
    def force_met_share(self) -> Proportion:
        """The paired cases the force found met, with the 95% Wilson interval the report shows."""
        return proportion(self.force_met, self.paired)

    @property
    def inspectors_met_share(self) -> Proportion:
        """The paired cases the inspectors found met, with its 95% Wilson interval."""
        return proportion(self.inspectors_met, self.paired)

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.update(kappa=self.kappa.to_json(), gwet_ac1=self.gwet_ac1.to_json(), test=self.test.to_json())
        return out


@dataclass(frozen=True)
class GradeAgreement:
    """The grade on the cases both sides graded. `table[i][j]`: force grade i, inspectors' grade j
    (good, requires improvement, inadequate)."""

    source: str  # "assessor" (each side's own grade) or "suggested"
    paired: int
    not_paired: int
    agreed: int
    raw_agreement: float | None
    raw_ci_low: float | None
    raw_ci_high: float | None
    table: tuple[tuple[int, ...], ...]
    kappa: Coefficient
    weighted_kappa: Coefficient
    gwet_ac1: Coefficient
    force_better: int
    same: int
    force_worse: int
    p_value: float | None
    direction: str
    verdict: str

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.update(kappa=self.kappa.to_json(), weighted_kappa={**self.weighted_kappa.to_json(), "weights": "linear"},
                   gwet_ac1=self.gwet_ac1.to_json(), table=[list(r) for r in self.table], grades=list(GRADES))
        return out


@dataclass(frozen=True)
class AssessorComparison:
    """Everything a report section on self-assessment needs; `to_json()` is the document."""

    force: ResultsSource
    inspectors: ResultsSource
    cases_in_both: int
    only_force: tuple[str, ...]
    only_inspectors: tuple[str, ...]
    criteria: tuple[CriterionAgreement, ...]
    not_compared: tuple[NotCompared, ...]
    grade: GradeAgreement
    alpha: float = ALPHA

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ASSESSOR_COMPARISON_FORMAT,
            "force": self.force.to_json(),
            "inspectors": self.inspectors.to_json(),
            "method": {"alpha": self.alpha, "exact_below": EXACT_BELOW, **METHOD},
            "cases": {"in_both": self.cases_in_both, "only_force": list(self.only_force),
                      "only_inspectors": list(self.only_inspectors)},
            "criteria": [c.to_json() for c in self.criteria],
            "not_compared": [n.to_json() for n in self.not_compared],
            "grade": self.grade.to_json(),
        }


# --- per case ------------------------------------------------------------------------------------

def _binary(state: str | None) -> str | None:
    if state == MET:
        return "met"
    return "not met" if state in FAILED else None


def _criterion(
    cid: str, cases: Sequence[str], force: CaseStates, inspectors: CaseStates,
) -> tuple[CriterionAgreement, PairedTest]:
    pairs = []
    for case_id in cases:
        ours, theirs = _binary(force.states[case_id].get(cid)), _binary(inspectors.states[case_id].get(cid))
        if ours is not None and theirs is not None:
            pairs.append((ours, theirs))
    table = contingency(pairs, _MET_NOT_MET)
    both, force_only = int(table[0, 0]), int(table[0, 1])
    inspectors_only, neither = int(table[1, 0]), int(table[1, 1])
    agreed = both + neither
    raw = proportion(agreed, len(pairs))
    test = mcnemar_test(both, force_only, inspectors_only, neither)
    row = CriterionAgreement(
        criterion=cid, paired=len(pairs), not_paired=len(cases) - len(pairs), agreed=agreed,
        raw_agreement=raw.rate, raw_ci_low=raw.ci_low, raw_ci_high=raw.ci_high,
        force_met=both + force_only, inspectors_met=both + inspectors_only,
        kappa=cohens_kappa(table), gwet_ac1=gwet_ac1(table), test=test, p_adjusted=None,
        direction=_direction(force_only, inspectors_only), verdict=NO_BIAS)
    return row, test


def _grade(cases: Sequence[str], force: CaseStates, inspectors: CaseStates, source: str) -> GradeAgreement:
    rank = {grade: i for i, grade in enumerate(GRADES)}  # 0 = good: a lower rank is a better grade
    pairs = [(force.grades[c][source], inspectors.grades[c][source]) for c in cases]
    graded = [(a, b) for a, b in pairs if a is not None and b is not None]
    table = contingency(graded, GRADES)
    better = sum(1 for a, b in graded if rank[a] < rank[b])
    worse = sum(1 for a, b in graded if rank[a] > rank[b])
    same = len(graded) - better - worse
    raw = proportion(same, len(graded))
    p = sign_test(better, worse)
    return GradeAgreement(
        source=source, paired=len(graded), not_paired=len(cases) - len(graded), agreed=same,
        raw_agreement=raw.rate, raw_ci_low=raw.ci_low, raw_ci_high=raw.ci_high,
        table=tuple(tuple(int(x) for x in row) for row in table),
        kappa=cohens_kappa(table), weighted_kappa=cohens_kappa(table, weighted=True), gwet_ac1=gwet_ac1(table),
        force_better=better, same=same, force_worse=worse, p_value=p,
        direction=_direction(better, worse), verdict=_verdict(better, worse, p))


def compare_assessors(
    force: CaseStates, inspectors: CaseStates, *, grade_source: str = "assessor",
) -> AssessorComparison:
    """Compare two results files read case by case (`thematic.load.results.load_case_states_files`);
    InputError if they share no case."""
    force_ids = list(force.states)
    inspector_ids = set(inspectors.states)
    common = [c for c in force_ids if c in inspector_ids]
    if not common:
        raise InputError([Problem(force.results.path,
                                  f"no case id appears both here and in {inspectors.results.path}; "
                                  f"the force's audit and the inspectors' must cover the same cases")])
    ours, theirs = force.results.fingerprints, inspectors.results.fingerprints
    not_compared = [NotCompared(cid, "only in the force's results") for cid in ours if cid not in theirs]
    not_compared += [NotCompared(cid, "only in the inspectors' results") for cid in theirs if cid not in ours]
    rows: list[CriterionAgreement] = []
    tests: list[PairedTest] = []
    for cid in ours:
        if cid not in theirs:
            continue
        if ours[cid] != theirs[cid]:
            not_compared.append(NotCompared(
                cid, "fingerprints differ: the definition or its parameters are not the same"))
            continue
        row, test = _criterion(cid, common, force, inspectors)
        rows.append(row)
        tests.append(test)
    tested = [i for i, t in enumerate(tests) if t.p_value is not None]
    adjusted = dict(zip(tested, holm([tests[i].p_value for i in tested]), strict=True))  # type: ignore[misc]
    rows = [dataclasses.replace(row, p_adjusted=adjusted.get(i),
                                verdict=_verdict(row.test.force_only, row.test.inspectors_only, adjusted.get(i)))
            for i, row in enumerate(rows)]
    return AssessorComparison(
        force=ResultsSource.of(force.results), inspectors=ResultsSource.of(inspectors.results),
        cases_in_both=len(common),
        only_force=tuple(c for c in force_ids if c not in inspector_ids),
        only_inspectors=tuple(c for c in inspectors.states if c not in set(force_ids)),
        criteria=tuple(rows), not_compared=tuple(not_compared), grade=_grade(common, force, inspectors, grade_source))
