"""The self-assessment report: a force's own audit beside the inspectors', as HTML and tagged PDF.

`assessors_report` turns an `AssessorComparison` (thematic.stats.assessors) into plain view data:
per criterion the paired cases, raw agreement with its Wilson interval beside Cohen's kappa and
Gwet's AC1, and the direction of any bias in words, decided by the Holm-adjusted McNemar p-value;
the grade cross-table with the sign test; and the method. `render_assessors_report` and
`write_assessors_report` (DIR/assessors.html and DIR/assessors.pdf, from the two results files its
caller has loaded with `thematic.load.results.load_case_states_files` and the criteria set it found
for them, `thematic.scoring.results_criteria.criteria_of`) are the library calls behind
`thematic compare-assessors --report DIR`; `declare_assessors_report` declares the files first.
Nothing is written until both formats have rendered.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thematic.core.atomic import OutputSet, output_set
from thematic.load.results import CaseStates
from thematic.render.agreement import coefficient_view
from thematic.render.context import question_text
from thematic.render.html import Templates
from thematic.render.output import DOCUMENTS, GENERATOR, Report, json_text
from thematic.render.publication import DEFAULT_MARKING, Publication
from thematic.render.sections import CoefficientView
from thematic.render.views import RateView, Suppression, label, slug

if TYPE_CHECKING:
    from thematic.scoring.criteria import CriteriaSet
    from thematic.stats.assessors import AssessorComparison
    from thematic.stats.proportion import Proportion

TEMPLATE = "assessors.html.j2"
FILE_NAMES = {"html": "assessors.html", "pdf": "assessors.pdf"}
ASSESSORS = Report(TEMPLATE, FILE_NAMES, option="--report")  # no --format: both formats, always
GRADE_ORDER = ("good", "requires_improvement", "inadequate")  # thematic.model.case.GRADES

MORE = "Force more favourable"
LESS = "Force less favourable"
NONE = "No difference the sample can detect"
UNPAIRED = "Not assessed by both"
ALIKE = "Same result in every paired case"
VERDICT_SENTENCES = {
    MORE: "The force rates itself more favourably than the inspectors.",
    LESS: "The force rates itself less favourably than the inspectors.",
    NONE: "The sample can detect no difference in direction.",
}

METHOD_TITLES = {
    "matching": "Matching cases",
    "paired": "Paired results",
    "agreement": "Agreement",
    "criterion_test": "Direction per criterion",
    "grade_test": "Direction of the grade",
    "decision": "When a difference is named",
}
_NO_SUPPRESSION = Suppression(None)


@dataclass(frozen=True)
class AssessorCriterionRow:
    id: str
    anchor: str
    question: str
    paired: int
    not_paired: int
    raw: RateView                # results alike, of the paired cases
    kappa: CoefficientView
    ac1: CoefficientView
    force_met: RateView          # met by the force, of the paired cases
    inspectors_met: RateView
    force_only: int              # met by the force, not by the inspectors (McNemar's b)
    inspectors_only: int         # the reverse (c)
    test: str                    # "exact" or "chi-square"
    p: str
    p_adjusted: str
    finding: str                 # MORE, LESS, NONE, ALIKE or UNPAIRED
    significant: bool


@dataclass(frozen=True)
class AssessorGradeView:
    source: str
    paired: int
    not_paired: int
    raw: RateView
    kappa: CoefficientView
    weighted_kappa: CoefficientView
    ac1: CoefficientView
    columns: tuple[str, ...]                         # the inspectors' grades
    matrix: tuple[tuple[str, tuple[int, ...]], ...]  # the force's grade -> counts by the inspectors' grade
    better: int
    same: int
    worse: int
    p: str
    finding: str
    significant: bool
    sentence: str


@dataclass(frozen=True)
class AssessorsReport:
    title: str
    force: str                   # the force's inspection id, or its file's name
    inspectors: str
    force_file: str
    inspectors_file: str
    criteria_id: str
    criteria_version: str
    cases_in_both: int
    only_force: tuple[str, ...]
    only_inspectors: tuple[str, ...]
    findings: tuple[str, ...]
    criteria: tuple[AssessorCriterionRow, ...]
    not_compared: tuple[tuple[str, str], ...]
    grade: AssessorGradeView
    method: tuple[tuple[str, str], ...]
    generator: str
    years: tuple[int | None, ...] = ()  # the two sides' inspection years: the template names their rounds


def p_text(value: float | None) -> str:
    """A p-value as printed: "0.043", "less than 0.001", or "–" when nothing was tested."""
    if value is None:
        return "–"
    return "less than 0.001" if value < 0.001 else f"{value:.3f}"


def _share(share: Proportion) -> RateView:
    """A share `thematic.stats.assessors` worked out, with its interval, as printed."""
    return _NO_SUPPRESSION.rate(share.successes, share.total, share.ci_low, share.ci_high, ())


def _raw(agreement: Any) -> RateView:
    """Raw agreement with the interval `thematic.stats.assessors` worked out for it."""
    return _NO_SUPPRESSION.rate(agreement.agreed, agreement.paired, agreement.raw_ci_low, agreement.raw_ci_high, ())


def _finding(verdict: str, paired: int, discordant: int | None = None) -> str:
    from thematic.stats.assessors import LESS_BIAS, MORE_BIAS

    if paired == 0:
        return UNPAIRED
    if discordant == 0:
        return ALIKE
    return MORE if verdict == MORE_BIAS else LESS if verdict == LESS_BIAS else NONE


def _names(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def assessors_report(comparison: AssessorComparison, questions: Mapping[str, str] | None = None) -> AssessorsReport:
    """The report's view data; `questions` (criterion id -> question) labels the criteria when known."""
    questions = questions or {}
    rows = tuple(_criterion(c, questions.get(c.criterion, "")) for c in comparison.criteria)
    grade = _grade(comparison.grade)
    force = comparison.force.inspection or Path(comparison.force.file).name
    inspectors = comparison.inspectors.inspection or Path(comparison.inspectors.file).name
    return AssessorsReport(
        title="Self-assessment against inspection",
        force=force,
        inspectors=inspectors,
        force_file=comparison.force.file,
        inspectors_file=comparison.inspectors.file,
        years=(comparison.force.year, comparison.inspectors.year),
        criteria_id=comparison.force.criteria_id,
        criteria_version=comparison.force.criteria_version,
        cases_in_both=comparison.cases_in_both,
        only_force=comparison.only_force,
        only_inspectors=comparison.only_inspectors,
        findings=_findings(rows, grade),
        criteria=rows,
        not_compared=tuple((n.item, n.reason) for n in comparison.not_compared),
        grade=grade,
        method=_method(comparison),
        generator=GENERATOR,
    )


def _criterion(c: Any, question: str) -> AssessorCriterionRow:
    finding = _finding(c.verdict, c.paired, c.test.force_only + c.test.inspectors_only)
    return AssessorCriterionRow(
        id=c.criterion,
        anchor=f"assessed-{slug(c.criterion)}",
        question=question,
        paired=c.paired,
        not_paired=c.not_paired,
        raw=_raw(c),
        kappa=coefficient_view(c.kappa.to_json()),
        ac1=coefficient_view(c.gwet_ac1.to_json()),
        force_met=_share(c.force_met_share),
        inspectors_met=_share(c.inspectors_met_share),
        force_only=c.test.force_only,
        inspectors_only=c.test.inspectors_only,
        test="–" if c.test.p_value is None else "exact" if c.test.exact else "chi-square",
        p=p_text(c.test.p_value),
        p_adjusted=p_text(c.p_adjusted),
        finding=finding,
        significant=finding in (MORE, LESS),
    )


def _grade(g: Any) -> AssessorGradeView:
    finding = _finding(g.verdict, g.paired)
    source = "each side's own grade" if g.source == "assessor" else "thematic's suggested grade"
    if g.paired == 0:
        sentence = f"No case was graded by both sides ({source})."
    else:
        sentence = (f"Of {g.paired} cases graded by both sides ({source}), the force gives a better grade than the "
                    f"inspectors in {g.force_better}, the same grade in {g.same} and a worse grade in {g.force_worse}")
        if g.p_value is not None:
            sentence += f"; sign test p {'= ' if g.p_value >= 0.001 else ''}{p_text(g.p_value)}"
        sentence += ". " + VERDICT_SENTENCES[finding]
    return AssessorGradeView(
        source=source,
        paired=g.paired,
        not_paired=g.not_paired,
        raw=_raw(g),
        kappa=coefficient_view(g.kappa.to_json()),
        weighted_kappa=coefficient_view(g.weighted_kappa.to_json()),
        ac1=coefficient_view(g.gwet_ac1.to_json()),
        columns=tuple(label(x) for x in GRADE_ORDER),
        matrix=tuple((label(grade), tuple(row)) for grade, row in zip(GRADE_ORDER, g.table, strict=True)),
        better=g.force_better,
        same=g.same,
        worse=g.force_worse,
        p=p_text(g.p_value),
        finding=finding,
        significant=finding in (MORE, LESS),
        sentence=sentence,
    )


def _findings(rows: tuple[AssessorCriterionRow, ...], grade: AssessorGradeView) -> tuple[str, ...]:
    if not rows:
        return ("No criterion could be compared: none has the same definition in both results files.", grade.sentence)
    compared = [r for r in rows if r.paired > 0]
    more = [r.id for r in compared if r.finding == MORE]
    less = [r.id for r in compared if r.finding == LESS]
    n = len(compared)
    if more or less:
        parts = []
        if more:
            parts.append(f"more favourably than the inspectors on {len(more)} ({_names(more)})")
        if less:
            parts.append(f"less favourably on {len(less)} ({_names(less)})")
        direction = (f"Of {n} criteria with cases both sides assessed, the force rates itself {' and '.join(parts)}. "
                     f"On the other {n - len(more) - len(less)} the sample can detect no difference.")
    else:
        direction = (f"On none of the {n} criteria with cases both sides assessed can the sample detect the force "
                     "rating itself more or less favourably than the inspectors.")
    alike = [r for r in compared if r.finding == ALIKE]
    if alike:
        direction += f" On {len(alike)} of them both sides gave the same result in every paired case."
    unpaired = [r.id for r in rows if r.paired == 0]
    if unpaired:
        direction += f" No case was assessed by both on {_names(unpaired)}."
    found = [direction]
    rated = [r for r in compared if r.raw.rate is not None]
    if rated:
        low = min(rated, key=lambda r: (r.raw.rate, -r.paired))
        found.append(f"Agreement is lowest on {low.id}: the same result in {low.raw.n_of_n} paired cases, "
                     f"{low.raw.percent}, 95% interval {low.raw.interval}.")
    found.append(grade.sentence)
    return tuple(found)


def _method(comparison: AssessorComparison) -> tuple[tuple[str, str], ...]:
    from thematic.stats.assessors import METHOD

    texts = [(METHOD_TITLES.get(key, key), text[:1].upper() + text[1:] + ".") for key, text in METHOD.items()]
    texts.append(("Significance level", f"{comparison.alpha:g}, after Holm's adjustment across criteria."))
    return tuple(texts)


# --- the report through the render pipeline --------------------------------------------------------

def render_assessors_report(comparison: AssessorComparison, *, questions: Mapping[str, str] | None = None,
                            template_dir: str | Path | None = None, marking: str = DEFAULT_MARKING) -> dict[str, bytes]:
    """The self-assessment report as {"html": bytes, "pdf": bytes}."""
    sides = (comparison.force, comparison.inspectors)
    return ASSESSORS.render(DOCUMENTS, template_dir, lambda: {"report": assessors_report(comparison, questions)},
                            publication=Publication.of(marking, [(s.criteria_id, s.criteria_version) for s in sides]))


def assessors_html(report: AssessorsReport, *, template_dir: str | Path | None = None, paged: bool = False) -> str:
    """The report's HTML from its view data (`paged`: with the paged-media styles the PDF uses)."""
    return ASSESSORS.html(Templates(template_dir), {"report": report}, paged=paged)


def declare_assessors_report(outputs: OutputSet, force: str, inspectors: str, *, output: str | None = None,
                             report: str | None = None, criteria: str | None = None) -> None:
    """Declare the inputs (the two results files and the criteria file if given) and the outputs (the
    JSON file `output`, the report's files in the folder `report`): checked before anything is loaded."""
    for path, what in ((force, "the force's results file"), (inspectors, "the inspectors' results file"),
                       (criteria, "the criteria file (--criteria)")):
        if path:
            outputs.read(path, what=what)
    if output:
        outputs.file(output, option="-o")
    if report:
        ASSESSORS.declare(outputs, report, DOCUMENTS)


def write_assessors_report(force: CaseStates, inspectors: CaseStates, *, output: str | None = None,
                           report: str | None = None, criteria: CriteriaSet | None = None,
                           grade_source: str = "assessor",
                           outputs: OutputSet | None = None,
                           marking: str = DEFAULT_MARKING) -> tuple[AssessorComparison, list[Path]]:
    """`thematic compare-assessors FORCE INSPECTORS`: the comparison of the two loaded results files,
    written as JSON to `output` and as the report in the folder `report` if given; the comparison and
    the report's paths. `criteria`: the set whose questions the report shows (`criteria_of` the force's
    results; None: criteria named by id). Everything is made before anything is written; the files are
    staged in `outputs` (its owner declared them with `declare_assessors_report` and commits), or
    without `outputs` declared and written together now."""
    from thematic.stats.assessors import compare_assessors  # scipy and statsmodels: only when used

    with output_set(outputs) as run:
        if outputs is None:
            declare_assessors_report(run, force.results.path, inspectors.results.path, output=output, report=report,
                                     criteria=criteria.path if criteria is not None else None)
        comparison = compare_assessors(force, inspectors, grade_source=grade_source)
        written: list[Path] = []
        if report:
            questions = assessor_questions(criteria, force.results.parameters)
            rendered = render_assessors_report(comparison, questions=questions, marking=marking)
            written = ASSESSORS.write(rendered, report, run)
        if output:
            run.add(output, json_text(comparison.to_json()))
    return comparison, written


def assessor_questions(criteria: CriteriaSet | None, parameters: Mapping[str, Any]) -> dict[str, str]:
    """Each question of `criteria`, with the force's parameter values (`parameters`, those of its
    results file) in it; {} without a set (the report then names criteria by id)."""
    if criteria is None:
        return {}
    values = {**criteria.defaults(), **parameters}
    return {c.id: question_text(c.definition.question, values) for c in criteria.criteria}
