"""A draft of the findings at the top of the force report, every sentence built from the model's figures.

Issue 12 item 9. The draft is generated, not written: each sentence is made here from the counts of
the results document (`GradeCounts`, the cases) and the force report's view data (the themes' and
criteria's `RateView`s, with their suppression, "few cases" marks and reference flags), so it can
never disagree with the tables below it. In the order the inspectorate's force reports use: grades
first, then each theme, causes of concern and areas for improvement (criteria clearly below their
reference: none can be drawn without one), critical failures by case, and results by area of child
protection (the case categories). No sentence rests on fewer than `min_assessed` cases: it says
"too few cases to say" instead. Printed by reports/templates/_draft_findings.html.j2.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from thematic.model.results import FAILED, NO_GRADE, CaseResult, ResultsDocument
from thematic.render.plain_words import agree, and_list, plural_words
from thematic.render.sections import CriterionRow, ForceReport, KeyFinding
from thematic.render.views import (
    BELOW,
    MIN_ASSESSED,
    RateView,
    Suppression,
    few_limit,
    grade_label,
    label,
    round_of,
)

__all__ = ["CRITICAL", "CriticalCase", "CriticalFailure", "DraftConcern", "DraftFindings", "DraftTheme",
           "TOO_FEW", "draft_findings"]

#: The severity whose failures are listed case by case, and whose shortfalls are causes of concern.
CRITICAL = "critical"
#: What a sentence says instead of a figure from fewer than the minimum of cases.
TOO_FEW = "Too few cases to say"
#: Grades worst first: the inspectorate's reports lead with the cases found inadequate.
WORST_FIRST: tuple[str, ...] = ("inadequate", "requires_improvement", "good")
#: How a count of cases of a grade in the 2019 words reads: (after one or none, after any other count).
GRADE_WORDS: dict[str, tuple[str, str]] = {
    "inadequate": ("was inadequate", "were inadequate"),
    "requires_improvement": ("required improvement", "required improvement"),
    "good": ("was good", "were good"),
}


def grade_verbs(year: str) -> dict[str, tuple[str, str]]:
    """GRADE_WORDS in the words of the round of an inspection of `year` ("were adequate" in 2015)."""
    round_ = round_of(year)
    verbs = dict(GRADE_WORDS)
    for grade in WORST_FIRST:
        word = grade_label(grade, round_)
        if word != "requires improvement":
            verbs[grade] = (f"was {word}", f"were {word}")
    return verbs
#: What a breakdown of grades counts: the inspectors' grades, or (before any) the suggested ones.
BY_INSPECTORS = "as the inspectors graded them"
BY_SUGGESTION = "by the grades the criteria results suggest"


@dataclass(frozen=True)
class DraftTheme:
    """One theme's one or two sentences, and where its table is."""

    title: str
    anchor: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class DraftConcern:
    """A criterion clearly below its reference, in one sentence, and its row in its theme's table."""

    criterion_id: str
    anchor: str
    sentence: str


@dataclass(frozen=True)
class CriticalFailure:
    criterion_id: str
    anchor: str
    state: str      # "not met" or "not evidenced"


@dataclass(frozen=True)
class CriticalCase:
    """A case in which at least one critical criterion was not met or not evidenced."""

    case_id: str
    category: str
    failures: tuple[CriticalFailure, ...]


@dataclass(frozen=True)
class DraftFindings:
    """The draft's sentences, section by section, as the partial template prints them."""

    grades: tuple[str, ...]
    themes: tuple[DraftTheme, ...]
    concerns: tuple[DraftConcern, ...]       # critical criteria clearly below their reference
    improvements: tuple[DraftConcern, ...]   # other criteria clearly below their reference
    concerns_note: str                       # why there is none, or ""
    improvements_note: str
    critical: str                            # how many cases failed a critical criterion
    critical_cases: tuple[CriticalCase, ...]  # empty when suppressed
    categories: tuple[str, ...]              # one sentence per area of child protection


def draft_findings(document: ResultsDocument, report: ForceReport, *,
                   min_assessed: int = MIN_ASSESSED) -> DraftFindings:
    """The draft of the findings of `document` (with its cases), whose force report's view data is `report`."""
    hide = Suppression(report.suppress_below)
    cases = document.cases or ()
    inspector = sum(document.summary.grades.graded.values()) > 0
    concerns, improvements = _below_reference(report)
    referenced = any(theme.references for theme in report.themes)
    critical, critical_cases = _critical(cases, report, hide, min_assessed)
    return DraftFindings(
        grades=_grades(document, report, hide, min_assessed),
        themes=tuple(_theme(finding, hide, min_assessed) for finding in report.key_findings),
        concerns=concerns,
        improvements=improvements,
        concerns_note="" if concerns else _none_below(referenced, "critical criterion", min_assessed),
        improvements_note="" if improvements else _none_below(referenced, "other criterion", min_assessed),
        critical=critical,
        critical_cases=critical_cases,
        categories=_categories(cases, inspector, hide, min_assessed, grade_verbs(report.year)),
    )


def _count(hide: Suppression, value: int) -> str:
    """A count as a sentence says it: "none", "23", or "fewer than 5" when suppressed."""
    return "none" if value == 0 else hide.count(value).text


def _breakdown(hide: Suppression, counts: dict[str, int], basis: str,
               verbs: dict[str, tuple[str, str]]) -> str | None:
    """"23 were inadequate, 40 required improvement and 27 were good, as the inspectors graded them;
    2 are not yet graded": worst first, the cases not graded (NO_GRADE) only when there are some.
    None when suppression hides exactly one count: the total less the others would reveal it."""
    shown = {grade: n for grade, n in counts.items() if n or grade != NO_GRADE}
    if sum(1 for n in shown.values() if hide.hides(n)) == 1:
        return None
    parts = []
    for grade in WORST_FIRST:
        text = _count(hide, shown[grade])
        parts.append(f"{text} {agree(text, *verbs[grade])}")
    clause = f"{and_list(parts)}, {basis}"
    if NO_GRADE in shown:
        ungraded = _count(hide, shown[NO_GRADE])
        clause += f"; {ungraded} {agree(ungraded, 'is', 'are')} not yet graded"
    return clause


def _grade_counts(cases: Sequence[CaseResult], inspector: bool) -> dict[str, int]:
    """Cases by the grade the draft counts (the inspector's, or the suggested one), worst first."""
    counted = Counter((case.grade or NO_GRADE) if inspector else case.suggested_grade for case in cases)
    return {grade: counted[grade] for grade in (*WORST_FIRST, *((NO_GRADE,) if inspector else ()))}


def _grades(document: ResultsDocument, report: ForceReport, hide: Suppression, min_assessed: int) -> tuple[str, ...]:
    grades = document.summary.grades
    total = document.summary.cases
    graded = sum(grades.graded.values())
    reviewed = _count(hide, total)
    if total < max(min_assessed, 1) or hide.hides(total):
        return (f"{TOO_FEW} how the cases were graded: fewer than {few_limit(min_assessed, hide)} cases were "
                "reviewed.",)
    if graded:
        counts = {grade: grades.inspector.get(grade, 0) for grade in WORST_FIRST}
        counts[NO_GRADE] = total - graded
        basis = BY_INSPECTORS
    else:
        counts = {grade: grades.suggested.get(grade, 0) for grade in WORST_FIRST}
        basis = f"{BY_SUGGESTION} (no inspector has graded a case yet)"
    breakdown = _breakdown(hide, counts, basis, grade_verbs(report.year))
    if breakdown is None:
        sentences = [f"Of the {reviewed} cases we reviewed, the count of each grade ({basis}) is withheld: one "
                     "of them is small enough to be suppressed and the others would reveal it."]
    else:
        sentences = [plural_words(f"Of the {reviewed} cases we reviewed, {breakdown}.")]
    differ = report.grades.disagreements
    if graded and graded >= min_assessed and not differ.total.suppressed:
        differing = "none" if differ.met.value == 0 else differ.met.text
        sentences.append(plural_words(f"The grade the criteria results suggest differs from the inspector\u2019s in "
                                      f"{differing} of the {differ.total.text} graded cases."))
    return tuple(sentences)


def _theme(finding: KeyFinding, hide: Suppression, min_assessed: int) -> DraftTheme:
    theme = finding.theme
    rate = theme.rate
    if rate.total.value == 0:
        sentences = ["No case in the sample could be assessed on this theme."]
    elif rate.few:
        sentences = [f"{TOO_FEW}: fewer than {few_limit(min_assessed, hide)} cases were assessed on this theme."]
    else:
        sentences = [plural_words(f"In {rate.met.text} of the {rate.total.text} cases assessed, every criterion "
                                  f"of this theme that applied was met{_figures(rate)}.")]
        if len(theme.criteria) > 1:
            sentences.append(_weakest(finding, min_assessed))
    return DraftTheme(theme.title, theme.anchor, tuple(sentences))


def _figures(rate: RateView) -> str:
    """" (44%, 95% interval 31%–58%), clearly below 80% (source)", or why there is no rate."""
    if rate.rate is None:
        return f" ({rate.note})"
    text = f" ({rate.percent}, 95% interval {rate.interval})"
    for flag in rate.flags:
        text += f", {flag.text} ({flag.reference.source})"
    return text


def _weakest(finding: KeyFinding, min_assessed: int) -> str:
    row = finding.weakest
    if row is None:
        return (f"{TOO_FEW} which criterion was met least often: none has {min_assessed} or more assessed cases "
                "and a rate to show.")
    return plural_words(f"The criterion met least often was {row.id}, \u201c{row.question}\u201d: met in "
                        f"{row.rate.met.text} of the {row.rate.total.text} cases assessed{_figures(row.rate)}.")


def _below_reference(report: ForceReport) -> tuple[tuple[DraftConcern, ...], tuple[DraftConcern, ...]]:
    """Critical criteria (causes of concern) and the others (areas for improvement) whose whole 95%
    interval is below a reference, from the flags of the rows; never a row marked "few cases"."""
    concerns: list[DraftConcern] = []
    improvements: list[DraftConcern] = []
    for theme in report.themes:
        for row in theme.criteria:
            if row.rate.few or row.rate.rate is None or not any(a.position == BELOW for a in row.rate.flags):
                continue
            (concerns if row.severity == CRITICAL else improvements).append(_concern(row))
    return tuple(concerns), tuple(improvements)


def _concern(row: CriterionRow) -> DraftConcern:
    sentence = plural_words(f"{row.id}, \u201c{row.question}\u201d: met in {row.rate.met.text} of the "
                            f"{row.rate.total.text} cases assessed{_figures(row.rate)}.")
    return DraftConcern(row.id, row.anchor, sentence)


def _none_below(referenced: bool, which: str, min_assessed: int) -> str:
    if not referenced:
        return ("None can be drawn from the figures: no reference rate was given to compare them with (the "
                "criteria file sets none, and none was given on the command line with --reference).")
    return (f"No {which} with {min_assessed} or more assessed cases is clearly below its reference "
            "(its whole 95% interval below it).")


def _critical(cases: Sequence[CaseResult], report: ForceReport, hide: Suppression,
              min_assessed: int) -> tuple[str, tuple[CriticalCase, ...]]:
    rows = [row for theme in report.themes for row in theme.criteria if row.severity == CRITICAL]
    if not rows:
        return "The criteria set has no critical criterion.", ()
    found: list[CriticalCase] = []
    for case in cases:
        failures = tuple(CriticalFailure(row.id, row.anchor, label(case.results[row.id].state)) for row in rows
                         if row.id in case.results and case.results[row.id].state in FAILED)
        if failures:
            found.append(CriticalCase(case.case_id, label(case.category) if case.category else "no category",
                                      failures))
    ids = and_list([row.id for row in rows])
    if len(cases) < max(min_assessed, 1) or hide.hides(len(cases)):
        sentence = (f"{TOO_FEW} how often a critical criterion ({ids}) was not met or not evidenced: fewer than "
                    f"{few_limit(min_assessed, hide)} cases were reviewed.")
    elif not found:
        sentence = f"No critical criterion ({ids}) was not met or not evidenced in any of the {len(cases)} cases."
    else:
        many = _count(hide, len(found))
        sentence = plural_words(f"In {many} of the {len(cases)} cases at least one critical criterion ({ids}) was "
                                "not met or not evidenced.")
    if found and hide.active:
        return sentence + " The cases are not listed in this version, which is prepared for publication.", ()
    return sentence, tuple(found)


def _categories(cases: Sequence[CaseResult], inspector: bool, hide: Suppression, min_assessed: int,
                verbs: dict[str, tuple[str, str]]) -> tuple[str, ...]:
    """One sentence per area of child protection (case category), the largest first."""
    by_category: dict[str, list[CaseResult]] = {}
    for case in cases:
        by_category.setdefault(case.category or "", []).append(case)
    basis = BY_INSPECTORS if inspector else BY_SUGGESTION
    sentences = []
    for category, members in sorted(by_category.items(), key=lambda item: (-len(item[1]), item[0])):
        name = label(category) if category else "no category"
        n = len(members)
        if n < max(min_assessed, 1) or hide.hides(n):
            count = hide.count(n).text
            sentences.append(plural_words(f"{name[:1].upper()}{name[1:]}: {count} cases; too few cases to say how "
                                          "they were graded."))
            continue
        breakdown = _breakdown(hide, _grade_counts(members, inspector), basis, verbs)
        if breakdown is None:
            breakdown = "the count of each grade is withheld, as it would reveal a suppressed count"
        sentences.append(plural_words(f"Of the {n} {name} cases, {breakdown}."))
    return tuple(sentences)

