"""Year-on-year comparison of two results files: which changes in rate the samples can support.

For every criterion whose fingerprint is the same in both files (same definition, same parameter
values), and for themes and grade mixes where that is honest, the change in rate AFTER - BEFORE
is given with:

- a 95% Newcombe hybrid-score interval for the difference (statsmodels
  `confint_proportions_2indep(method="newcomb")`, built from two Wilson intervals);
- Fisher's exact test, two-sided (scipy.stats.fisher_exact), p-values adjusted by Holm's method
  within each family of comparisons (statsmodels `multipletests(method="holm")`): the criteria,
  the themes, the inspector grades and the suggested grades are four separate families;
- a word: "improved" ("rose" for a grade share) when the Holm-adjusted p-value is below 0.05 and
  the whole interval lies above zero, "declined" ("fell") when it is below 0.05 and the whole
  interval lies below zero; when only the (unadjusted) interval lies wholly on one side of zero,
  "improvement suggested, not confirmed" (decline, rise, fall: `SUGGESTED`); otherwise, the
  interval including zero, "no change the sample can detect". Requiring both for improved or
  declined is deliberately conservative: the report must never claim a change the data cannot
  support, nor print "no change" beside an interval that excludes zero.

Both samples are taken to be independent random samples of each round's cases. Criteria whose
fingerprints differ, and criteria present in only one file, are listed apart and never compared.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scipy.stats import fisher_exact  # type: ignore[import-untyped]  # no stubs installed
from statsmodels.stats.multitest import multipletests  # type: ignore[import-untyped]  # no stubs exist
from statsmodels.stats.proportion import confint_proportions_2indep  # type: ignore[import-untyped]  # no stubs exist

from thematic.core.errors import InputError
from thematic.load.results import Results
from thematic.model.case import GRADES
from thematic.stats.proportion import Proportion, proportion

__all__ = [
    "ALPHA", "COMPARISON_FORMAT", "Change", "Comparison", "CriterionChange", "GradeChange", "NotCompared",
    "RateTest", "ResultsSource", "ThemeChange", "compare", "holm", "rate_change", "verdict", "MIN_ASSESSED",
    "few_cases_word", "SUGGESTED",
]

COMPARISON_FORMAT = "thematic.comparison/1"
ALPHA = 0.05
IMPROVED, DECLINED = "improved", "declined"
ROSE, FELL = "rose", "fell"
NO_DETECTABLE_CHANGE = "no change the sample can detect"
#: A change whose own 95% interval excludes zero but which Holm's adjustment does not confirm: the
#: sample suggests it, but not once every comparison of its family is allowed for. Never worded
#: "no change", which would contradict the interval printed beside it.
SUGGESTED: dict[str, str] = {
    IMPROVED: "improvement suggested, not confirmed",
    DECLINED: "decline suggested, not confirmed",
    ROSE: "rise suggested, not confirmed",
    FELL: "fall suggested, not confirmed",
}
#: The fewest assessed cases on each side for a change to be called one: the reports' default
#: (`--min-assessed`). `compare` itself defaults to 1, no minimum, for callers that set none.
MIN_ASSESSED = 10


def few_cases_word(min_assessed: int) -> str:
    """The word for a change with fewer than `min_assessed` assessed cases on a side: never a change."""
    return f"few cases: fewer than {min_assessed} assessed"

METHOD: dict[str, str] = {
    "change": "AFTER rate minus BEFORE rate, as a fraction (0.25 is 25 percentage points)",
    "interval": "95% Newcombe hybrid-score interval for the difference of two independent proportions "
                "(statsmodels confint_proportions_2indep, method newcomb); not adjusted for multiplicity",
    "test": "Fisher's exact test, two-sided (scipy.stats.fisher_exact)",
    "adjustment": "Holm's step-down method (statsmodels multipletests, method holm) within each family: "
                  "criteria, themes, inspector grades, suggested grades",
    "decision": "improved (or rose) if the adjusted p-value is below 0.05 and the whole interval is above 0; "
                "declined (or fell) if it is below 0.05 and the whole interval is below 0; "
                "otherwise, if the whole (unadjusted) interval is above or below 0, improvement (decline, rise, "
                "fall) suggested, not confirmed; otherwise no change the sample can detect; a change with fewer "
                "than min_assessed assessed "
                "cases on either side (--min-assessed N) is tested and counted in the Holm family but worded "
                "\"few cases: fewer than N assessed\", never improved or declined",
    "grades": "each grade's share of the inspector-graded cases (cases not graded left out), and of all cases "
              "for suggested grades (provisional ones included)",
    "matching": "a criterion is compared only if its fingerprint (definition and parameter values) is the "
                "same in both files",
}


@dataclass(frozen=True)
class Change:
    """One rate before and after, the difference with its interval, and what may be said about it.

    `difference`, `ci_low`, `ci_high` and the p-values are None when either side has no cases to
    count (a zero denominator): then nothing is tested and `verdict` says why.
    """

    before: Proportion
    after: Proportion
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None
    verdict: str

    def to_json(self) -> dict[str, Any]:
        return {
            "before": dataclasses.asdict(self.before), "after": dataclasses.asdict(self.after),
            "difference": self.difference, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "p_value": self.p_value, "p_adjusted": self.p_adjusted, "change": self.verdict,
        }


@dataclass(frozen=True)
class CriterionChange:
    """A criterion with the same fingerprint in both files: met of assessed, before and after."""

    criterion: str
    fingerprint: str
    change: Change

    def to_json(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "fingerprint": self.fingerprint, **self.change.to_json()}


@dataclass(frozen=True)
class ThemeChange:
    """A theme's share of cases meeting every assessed criterion, before and after."""

    theme: str
    change: Change

    def to_json(self) -> dict[str, Any]:
        return {"theme": self.theme, **self.change.to_json()}


@dataclass(frozen=True)
class GradeChange:
    """The share of cases given one grade, before and after (`source`: inspector or suggested)."""

    source: str
    grade: str
    change: Change

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "grade": self.grade, **self.change.to_json()}


@dataclass(frozen=True)
class NotCompared:
    """Something left out of the comparison, and why."""

    item: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"item": self.item, "reason": self.reason}


@dataclass(frozen=True)
class ResultsSource:
    """Where one side of a comparison comes from: the results file, its inspection, criteria set and
    number of cases (not the sample of cases itself, which is `thematic.load.sample.Sample`)."""

    file: str
    inspection: str | None
    force: str | None
    year: int | None
    as_of: str
    title: str | None
    criteria_id: str
    criteria_version: str
    cases: int

    @classmethod
    def of(cls, results: Results) -> ResultsSource:
        i = results.inspection
        return cls(results.path, i.id, i.force, i.year, i.as_of, i.title, results.criteria_id,
                   results.criteria_version, results.cases)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Comparison:
    """Everything the year-on-year report shows; `to_json()` is the `thematic.comparison/1` document."""

    before: ResultsSource
    after: ResultsSource
    criteria: tuple[CriterionChange, ...]
    changed: tuple[str, ...]  # same id, different fingerprint: not compared
    added: tuple[str, ...]  # only in AFTER
    removed: tuple[str, ...]  # only in BEFORE
    themes: tuple[ThemeChange, ...]
    themes_not_compared: tuple[NotCompared, ...]
    grades: tuple[GradeChange, ...]
    grades_not_compared: tuple[NotCompared, ...]
    notes: tuple[str, ...]
    alpha: float = ALPHA
    min_assessed: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "format": COMPARISON_FORMAT,
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "method": {"alpha": self.alpha, **METHOD},
            "criteria": [row.to_json() for row in self.criteria],
            "not_compared": {"changed": list(self.changed), "added": list(self.added), "removed": list(self.removed)},
            "themes": {"compared": [row.to_json() for row in self.themes],
                       "not_compared": [n.to_json() for n in self.themes_not_compared]},
            "grades": {"compared": [row.to_json() for row in self.grades],
                       "not_compared": [n.to_json() for n in self.grades_not_compared]},
            "notes": list(self.notes),
        }


# --- the statistics -----------------------------------------------------------------------------

@dataclass(frozen=True)
class RateTest:
    """A difference of two rates, unadjusted: AFTER - BEFORE, its interval and Fisher's p."""

    before: Proportion
    after: Proportion
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None


def rate_change(before_met: int, before_total: int, after_met: int, after_total: int, alpha: float = ALPHA) -> RateTest:
    """AFTER - BEFORE with its Newcombe interval and Fisher's two-sided p; no test if a total is 0."""
    before, after = proportion(before_met, before_total), proportion(after_met, after_total)
    if before.total == 0 or after.total == 0:
        return RateTest(before, after)
    low, high = confint_proportions_2indep(after_met, after_total, before_met, before_total,
                                           method="newcomb", compare="diff", alpha=alpha)
    table = [[after_met, after_total - after_met], [before_met, before_total - before_met]]
    p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
    assert before.rate is not None and after.rate is not None  # both totals are above 0
    return RateTest(before, after, after.rate - before.rate, float(low), float(high), min(p_value, 1.0))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given (statsmodels multipletests)."""
    if not p_values:
        return []
    return [float(p) for p in multipletests(list(p_values), alpha=ALPHA, method="holm")[1]]


def verdict(ci_low: float, ci_high: float, p_adjusted: float, *, up: str = IMPROVED, down: str = DECLINED,
            alpha: float = ALPHA) -> str:
    """The word for a tested change: `up` or `down` when Holm confirms it and the whole interval agrees;
    SUGGESTED[up] or SUGGESTED[down] when only the interval excludes zero; else NO_DETECTABLE_CHANGE."""
    if ci_low > 0:
        return up if p_adjusted < alpha else SUGGESTED[up]
    if ci_high < 0:
        return down if p_adjusted < alpha else SUGGESTED[down]
    return NO_DETECTABLE_CHANGE


def _untestable(test: RateTest, what: str) -> str:
    sides = [side for side, p in (("before", test.before), ("after", test.after)) if p.total == 0]
    return f"cannot be compared: no {what} {' or '.join(sides)}"


def _family(tests: Sequence[RateTest], what: str, up: str, down: str, min_assessed: int = 1) -> list[Change]:
    """Changes for one family of comparisons, Holm-adjusted together; a tested change with fewer than
    `min_assessed` assessed cases on a side is worded `few_cases_word`, whatever its p-value."""
    tested = [i for i, t in enumerate(tests) if t.p_value is not None]
    adjusted = dict(zip(tested, holm([tests[i].p_value for i in tested]), strict=True))  # type: ignore[misc]
    changes = []
    for i, t in enumerate(tests):
        if i in adjusted:
            word = verdict(t.ci_low, t.ci_high, adjusted[i], up=up, down=down)  # type: ignore[arg-type]
            if min(t.before.total, t.after.total) < min_assessed:
                word = few_cases_word(min_assessed)
        else:
            word = _untestable(t, what)
        changes.append(Change(t.before, t.after, t.difference, t.ci_low, t.ci_high, t.p_value, adjusted.get(i), word))
    return changes


# --- the comparison ------------------------------------------------------------------------------

def compare(before: Results, after: Results, *, min_assessed: int = 1) -> Comparison:
    """Compare two results of the same criteria set; InputError if they cannot be compared at all.

    A change with fewer than `min_assessed` assessed cases on either side is never called one.
    """
    _refuse_incomparable(before, after)
    same, changed, added, removed = _match_criteria(before, after)
    tests = [rate_change(before.criteria[c].met, before.criteria[c].assessed,
                         after.criteria[c].met, after.criteria[c].assessed) for c in same]
    changes = _family(tests, "assessed cases", IMPROVED, DECLINED, min_assessed)
    criteria = tuple(CriterionChange(c, after.fingerprints[c], change) for c, change in zip(same, changes, strict=True))
    identical = not (changed or added or removed)
    themes, themes_skipped = _themes(before, after, identical, min_assessed)
    grades, grades_skipped = _grades(before, after, identical, min_assessed)
    return Comparison(
        before=ResultsSource.of(before), after=ResultsSource.of(after), criteria=criteria,
        changed=tuple(changed), added=tuple(added), removed=tuple(removed),
        themes=themes, themes_not_compared=themes_skipped, grades=grades, grades_not_compared=grades_skipped,
        notes=tuple(_notes(before, after)), min_assessed=min_assessed,
    )


def _refuse_incomparable(before: Results, after: Results) -> None:
    if before.criteria_id != after.criteria_id:
        raise InputError([after.problem(
            ("criteria", "id"), f"scored against criteria set \"{after.criteria_id}\", but {before.path} against "
                                f"\"{before.criteria_id}\"; a comparison needs results of the same criteria set")])
    if before.inspection.id is not None and before.inspection.id == after.inspection.id:
        raise InputError([after.problem(
            ("inspection", "id"), f"is the same inspection as {before.path} (\"{after.inspection.id}\"); a "
                                  "year-on-year comparison needs two independent samples, one from each inspection")])


def _match_criteria(before: Results, after: Results) -> tuple[list[str], list[str], list[str], list[str]]:
    """Criteria in both with equal fingerprints (AFTER's order), with different ones, added and removed."""
    same = [c for c in after.fingerprints if before.fingerprints.get(c) == after.fingerprints[c]]
    changed = [c for c in after.fingerprints if c in before.fingerprints and c not in same]
    added = [c for c in after.fingerprints if c not in before.fingerprints]
    removed = [c for c in before.fingerprints if c not in after.fingerprints]
    return same, changed, added, removed


_CRITERIA_DIFFER = ("the criteria differ between the two files, and a results file does not record which "
                    "criteria make up a theme or a suggested grade")


def _themes(
    before: Results, after: Results, identical: bool, min_assessed: int,
) -> tuple[tuple[ThemeChange, ...], tuple[NotCompared, ...]]:
    # A theme's rate depends on every criterion in it; fingerprints include each criterion's theme,
    # so with identical fingerprints the themes are made up alike.
    names = list(after.themes) + [t for t in before.themes if t not in after.themes]
    if not identical:
        return (), tuple(NotCompared(t, _CRITERIA_DIFFER) for t in names)
    both = [t for t in names if t in before.themes and t in after.themes]
    skipped = [NotCompared(t, "only in " + ("AFTER" if t in after.themes else "BEFORE"))
               for t in names if t not in both]
    tests = [rate_change(before.themes[t].all_met, before.themes[t].cases,
                         after.themes[t].all_met, after.themes[t].cases)
             for t in both]
    changes = _family(tests, "cases in the theme", IMPROVED, DECLINED, min_assessed)
    rows = tuple(ThemeChange(t, c) for t, c in zip(both, changes, strict=True))
    return rows, tuple(skipped)


def _grades(
    before: Results, after: Results, identical: bool, min_assessed: int,
) -> tuple[tuple[GradeChange, ...], tuple[NotCompared, ...]]:
    """Each grade's share of graded cases: the inspectors' always, the suggested only under identical criteria."""
    rows: list[GradeChange] = []
    skipped: list[NotCompared] = []
    sources: list[tuple[str, Callable[[Results], dict[str, int]]]] = [("inspector", lambda r: r.inspector_grades)]
    if identical and before.criteria_version == after.criteria_version:
        sources.append(("suggested", lambda r: r.suggested_grades))
    else:
        skipped.append(NotCompared("suggested grades", _CRITERIA_DIFFER if not identical
                                   else "the criteria set's version differs, and with it perhaps the grading rule"))
    for source, counts in sources:
        b, a = counts(before), counts(after)
        tests = [rate_change(b[g], sum(b.values()), a[g], sum(a.values())) for g in GRADES]
        for grade, change in zip(GRADES, _family(tests, "graded cases", ROSE, FELL, min_assessed), strict=True):
            rows.append(GradeChange(source, grade, change))
    return tuple(rows), tuple(skipped)


def _notes(before: Results, after: Results) -> list[str]:
    notes: list[str] = []
    b, a = before.inspection, after.inspection
    if b.force and a.force and b.force != a.force:
        notes.append(f"The files are from different forces ({b.force} before, {a.force} after).")
    if b.year is not None and a.year is not None and b.year >= a.year:
        notes.append(f"BEFORE's year ({b.year}) is not earlier than AFTER's ({a.year}).")
    if before.criteria_version != after.criteria_version:
        notes.append(f"The criteria set's version differs ({before.criteria_version} before, "
                     f"{after.criteria_version} after); only criteria with equal fingerprints are compared.")
    shared = set(before.case_ids) & set(after.case_ids)
    if shared:
        notes.append(f"{len(shared)} case id(s) appear in both samples; the tests assume two independent "
                     "samples, so changes in these cases count twice.")
    return notes
