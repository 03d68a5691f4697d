"""Each grade's share of a scored sample, with its 95% Wilson interval: worked out here, once.

The results summary (`thematic.model.results.GradeCounts`) holds how many cases got each suggested
and inspector grade; the force report shows each as a share of the sample with its interval, and
the inspectors' disagreements as a share of the cases they graded. `grade_shares` makes those
proportions from the counts, so a renderer only formats them. They are not part of the results
file (its `thematic.results/1` form is unchanged): a report works them out from the counts, the
same way whether the results were scored now or read back.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from thematic.model.case import GRADES
from thematic.model.results import NO_GRADE, GradeCounts
from thematic.stats.proportion import Proportion, proportion

__all__ = ["GradeShares", "grade_shares"]


@dataclass(frozen=True)
class GradeShares:
    """Grades as shares of the `cases` scored, each with its 95% Wilson interval.

    `suggested` and `inspector` by grade (GRADES order); `inspector` also holds NO_GRADE, the cases
    nobody graded (the sample less those given a grade). `disagreements` is the share of the cases
    graded (`compared`) whose inspector's grade differs from the suggested one; None when the
    summary leaves either count out.
    """

    cases: int
    suggested: Mapping[str, Proportion]
    inspector: Mapping[str, Proportion]
    disagreements: Proportion | None


def grade_shares(grades: GradeCounts, cases: int) -> GradeShares:
    """The shares of `grades` in a sample of `cases`."""
    inspector = {grade: proportion(grades.inspector.get(grade, 0), cases) for grade in GRADES}
    inspector[NO_GRADE] = proportion(cases - sum(grades.inspector.get(grade, 0) for grade in GRADES), cases)
    disagreements = None
    if grades.disagreements is not None and grades.compared is not None:
        disagreements = proportion(grades.disagreements, grades.compared)
    return GradeShares(
        cases=cases,
        suggested={grade: proportion(grades.suggested.get(grade, 0), cases) for grade in GRADES},
        inspector=inspector,
        disagreements=disagreements,
    )
