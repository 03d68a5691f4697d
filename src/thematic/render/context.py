"""The force report's view data: plain typed values built from a results document and its criteria.

No Jinja, matplotlib or file access here: `force_report_context` reads a results document
(`thematic.model.results.ResultsDocument`, scored now or read back) and the criteria set it was
scored with and returns the frozen dataclasses of
`thematic.render.sections` (strings, counts and `RateView`s), in the order the report reads: key
findings, grades, themes, the cases an inspector must look at, data quality, agreement between
inspectors (only when an agreement document with double-scored cases is given; built by
`thematic.render.agreement`) and method.
Suppression (`Suppression`) is applied here, once, so no template or chart can show a count it
should not. Every count, rate and interval of the summary is the model's, worked out once by
scoring: nothing here works a criterion's or a theme's statistic out again.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from thematic import __version__
from thematic.model.inspection import InspectionRound
from thematic.model.results import FAILED, NO_GRADE, CaseResult, GradeCounts, ResultsDocument, Summary
from thematic.render.agreement import agreement_section
from thematic.render.findings import finding_view
from thematic.render.plain_words import evidence_words, force_name, plural_words
from thematic.render.sections import (
    CriterionRow,
    DataQualitySection,
    EvidenceRow,
    ForceReport,
    GradeRow,
    GradeSection,
    KeyFinding,
    MethodSection,
    OutstandingRow,
    ParameterRow,
    ReviewCase,
    ReviewSection,
    ThemeSection,
)
from thematic.render.views import (
    COMMAND_LINE_SOURCE,
    DEFAULT_THRESHOLDS,
    MIN_ASSESSED,
    RateView,
    Reference,
    Suppression,
    eligible,
    few_cases,
    format_number,
    grade_label,
    label,
    min_assessed_text,
    round_of,
    slug,
    threshold_text,
)
from thematic.scoring.criteria import CriteriaSet
from thematic.stats.grades import grade_shares
from thematic.stats.proportion import Proportion

#: Criteria whose failure means escalating or cumulative risk was not acted on: every such case is
#: listed for an inspector to look at (when the criteria set has them).
REVIEW_CRITERIA: tuple[str, ...] = ("RISK-01", "RISK-02")
GRADE_ORDER: tuple[str, ...] = ("good", "requires_improvement", "inadequate")

STATISTICS = (
    "A criterion's rate is met ÷ (met + not met + not evidenced): cases where it did not apply, "
    "could not be assessed, awaits an inspector's answer or failed with an error are left out of "
    "the denominator and counted under data quality. A theme's rate is the share of cases, among "
    "those with at least one assessed criterion in the theme, in which every assessed criterion was "
    "met. Every rate has a 95% Wilson score interval (statsmodels proportion_confint, "
    "method=\"wilson\"), which stays inside 0–100% and behaves well for small samples."
)


def question_text(question: str, parameters: Mapping[str, Any]) -> str:
    """A criterion's question with each parameter name replaced by its value ("within 24 hours").

    Only names with an underscore are replaced: a one-word name could be an ordinary word.
    """
    names = sorted((n for n in parameters if "_" in n), key=len, reverse=True)
    if not names:
        return plural_words(question)
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
    return plural_words(pattern.sub(lambda m: format_number(parameters[m.group(1)]), question))


def force_report_context(
    document: ResultsDocument,
    criteria: CriteriaSet,
    *,
    suppress_below: int | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    review_criteria: Sequence[str] = REVIEW_CRITERIA,
    agreement: Mapping[str, Any] | None = None,
    min_assessed: int = MIN_ASSESSED,
) -> ForceReport:
    """The force report's view data for a results document scored against `criteria`; the document
    must hold its cases.

    `thresholds`: references given on the command line (proportions); they replace every reference
    of the criteria file. Without them each theme is compared with its own `reference`, or the
    file's, if any; a rate is flagged only when its whole 95% interval is above or below it.
    `agreement`: the inspection's `thematic.agreement/1` document (`Agreement.to_json()`), if any.
    `min_assessed`: a rate from fewer assessed cases is marked "few cases" and never named lowest.
    """
    if document.cases is None:
        raise ValueError("a force report lists cases: the results document holds none")
    hide = Suppression(suppress_below)
    thresholds = tuple(sorted(thresholds))
    parameters = document.parameters
    summary = document.summary
    cases = document.cases
    questions = {c.id: question_text(c.definition.question, parameters) for c in criteria.criteria}

    themes = _themes(criteria, summary, questions, hide, thresholds, min_assessed)
    inspection = document.inspection
    force = inspection.force or "unknown force"
    year = "" if inspection.year is None else str(inspection.year)
    title = inspection.title or f"{force_name(force)} child protection inspection {year}".strip()
    round_ = round_of(inspection.year)
    return ForceReport(
        title=title,
        inspection_id=inspection.id or "",
        force=force_name(inspection.force, inspection.title) or label(force),
        year=year,
        as_of=inspection.as_of,
        cases=hide.count(len(cases)),
        key_findings=tuple(_key_finding(t, min_assessed) for t in themes),
        grades=_grades(summary.grades, cases, hide, round_),
        themes=themes,
        review=_review(cases, questions, review_criteria, hide, round_),
        data_quality=_data_quality(summary, cases, questions, hide),
        method=_method(document, criteria, cases, hide, references_text(themes), review_criteria, min_assessed),
        suppressed=hide.active,
        suppress_below=hide.below if hide.active else None,
        thresholds=thresholds,
        thresholds_text=threshold_text(thresholds) if thresholds else "",
        agreement=agreement_section(agreement, hide, questions),
        references_text=references_text(themes),
        round=round_.name if round_ is not None else "",
        round_note=round_note(round_, criteria, inspection.as_of),
    )


def round_note(round_: InspectionRound | None, criteria: CriteriaSet, as_of: str) -> str:
    """What the sample's round changes in this report, in a sentence or two; "" when nothing does.

    The grade words, when the round's differ from the stored ones (2015's "adequate"), and the
    criteria that applied only from a date after the sample was taken (so not to cases dated before).
    """
    parts: list[str] = []
    if round_ is not None and any(round_.grade_word(g) != label(g) for g in GRADE_ORDER):
        words = [round_.grade_word(g) for g in GRADE_ORDER]
        parts.append(f"Grades are given in that round\u2019s words: {', '.join(words[:-1])} or {words[-1]}.")
    try:
        taken: date | None = date.fromisoformat(as_of)
    except ValueError:
        taken = None
    later = [(c.id, c.applies_from) for c in criteria.criteria
             if c.applies_from is not None and taken is not None and c.applies_from > taken]
    if later:
        dated = [f"{cid} from {day.day} {day:%B %Y}" for cid, day in later]
        listed = dated[0] if len(dated) == 1 else ", ".join(dated[:-1]) + " and " + dated[-1]
        parts.append(f"Some criteria apply only from a later date than this sample ({listed}): "
                     "they are not applicable to cases dated before it.")
    return " ".join(parts)


def theme_references(criteria: CriteriaSet, theme_id: str, thresholds: Sequence[float]) -> tuple[Reference, ...]:
    """What a theme's rates are compared with: the command line's references, else the theme's own
    `reference`, else the criteria file's; none when none is given (a reference needs a source)."""
    if thresholds:
        return tuple(Reference(t, COMMAND_LINE_SOURCE) for t in thresholds)
    given = criteria.file.themes[theme_id].reference or criteria.file.reference
    return (Reference(given.rate, given.source),) if given is not None else ()


#: What a flag means, in the words every report uses (the force report's method and tables).
FLAG_MEANING = ("A rate is flagged \u201cclearly above\u201d or \u201cclearly below\u201d a reference only when the "
                "whole of its 95% interval is above, or below, the reference. Otherwise (an interval that contains "
                "or touches the reference) the sample cannot tell the force's rate from the reference: the table "
                "says \u201cnot distinguishable from\u201d it, as plain text and not as a flag.")


def references_text(themes: Sequence[ThemeSection]) -> str:
    """What each theme is compared with and where the figure comes from, or that nothing is flagged."""
    by_reference: dict[Reference, list[str]] = {}
    for theme in themes:
        for reference in theme.references:
            by_reference.setdefault(reference, []).append(theme.title)
    if not by_reference:
        return ("No rate is flagged: no reference was given. The criteria file sets none (a reference is shown "
                "only with its source, and no published source gives one for these criteria), and none was "
                "given on the command line (thematic report --reference PCT).")
    parts = []
    for reference, titles in by_reference.items():
        which = "every theme" if len(titles) == len(themes) else "the themes " + ", ".join(titles)
        parts.append(f"{reference.text} for {which} ({reference.source})")
    return f"{FLAG_MEANING} References: {'; '.join(parts)}."


def _themes(criteria: CriteriaSet, summary: Summary, questions: Mapping[str, str],
            hide: Suppression, thresholds: tuple[float, ...], min_assessed: int) -> tuple[ThemeSection, ...]:
    by_theme: dict[str, list[CriterionRow]] = {}
    references = {theme_id: theme_references(criteria, theme_id, thresholds) for theme_id in criteria.file.themes}
    for compiled in criteria.criteria:
        d = compiled.definition
        entry = summary.criteria[d.id]
        assessed = entry.assessed
        by_theme.setdefault(d.theme, []).append(CriterionRow(
            id=d.id,
            anchor=f"criterion-{slug(d.id)}",
            question=questions[d.id],
            severity=d.severity,
            type=d.type,
            source=d.source,
            rate=few_cases(hide.rate(entry.met, assessed, entry.ci_low, entry.ci_high, references[d.theme]), assessed,
                           min_assessed, hide),
            not_applicable=hide.count(entry.not_applicable),
            unable_to_assess=hide.count(entry.unable_to_assess),
            pending=hide.count(entry.pending),
            error=hide.count(entry.error),
        ))
    sections = []
    for theme_id, rows in by_theme.items():
        theme = criteria.file.themes[theme_id]
        totals = summary.themes[theme_id]
        sections.append(ThemeSection(
            id=theme_id,
            anchor=f"theme-{slug(theme_id)}",
            title=theme.title,
            finding=finding_view(theme),
            rate=few_cases(hide.rate(totals.all_met, totals.cases, totals.ci_low, totals.ci_high,
                                         references[theme_id]),
                           totals.cases, min_assessed, hide),
            criteria=tuple(rows),
            references=references[theme_id],
        ))
    return tuple(sections)


def _key_finding(theme: ThemeSection, min_assessed: int) -> KeyFinding:
    rate = theme.rate
    if rate.total.value == 0:
        summary = "No case in the sample could be assessed on this theme."
    elif rate.rate is None:
        summary = f"{rate.n_of_n} cases met every criterion of this theme that could be assessed ({rate.note})."
    else:
        summary = (f"{rate.n_of_n} cases met every criterion of this theme that could be assessed: "
                   f"{rate.percent}, 95% interval {rate.interval}.")
        for flag in rate.flags:  # "Clearly below 80%: the whole 95% interval is below it."
            side = flag.position.split()[-1]
            summary += f" {flag.text[:1].upper()}{flag.text[1:]}: the whole 95% interval is {side} it."
    if rate.few:
        summary += f" Too few cases to draw a finding from ({rate.few})."
    summary = summary[:1].upper() + summary[1:]  # "fewer than 5 of …" starts a sentence
    # The lowest rate names the criterion the sample says most about; ties go to the larger sample.
    # Only criteria with at least `min_assessed` assessed cases may be named.
    rated = [row for row in theme.criteria if row.rate.rate is not None]
    named = [row for row in rated if not row.rate.few and eligible(row.rate.total.value or 0, min_assessed)]
    weakest = min(named, key=_lowest_key) if named else None
    lower = [row for row in rated if row not in named and (weakest is None or _lowest_key(row) < _lowest_key(weakest))]
    if weakest is None:
        weakest_text = (f"No criterion of this theme has {min_assessed} or more assessed cases, so none is named as "
                        "the lowest." if rated else "No criterion of this theme has a rate to show.")
    else:
        weakest_text = (f"Lowest: {weakest.id}, \u201c{weakest.question}\u201d: met in {weakest.rate.n_of_n} cases, "
                        f"{weakest.rate.percent}, 95% interval {weakest.rate.interval}.")
        if lower:
            ids = ", ".join(row.id for row in lower)
            weakest_text += (f" Lower rates from fewer than {min_assessed} assessed cases ({ids}) are not named: "
                             "so few cases say little.")
    return KeyFinding(theme=theme, summary=summary, weakest=weakest, weakest_text=weakest_text)


def _lowest_key(row: CriterionRow) -> tuple[float, int]:
    return (row.rate.rate if row.rate.rate is not None else 2.0, -(row.rate.total.value or 0))


def _grades(grades: GradeCounts, cases: Sequence[CaseResult], hide: Suppression,
            round_: InspectionRound | None = None) -> GradeSection:
    total = len(cases)

    def label(grade: str | None) -> str:  # a grade in the words of the sample's round
        return grade_label(grade, round_)

    differing = tuple(
        (c.case_id, label(c.suggested_grade), label(c.grade))
        for c in cases if c.grade is not None and c.grade != c.suggested_grade
    )
    shares = grade_shares(grades, total)  # each grade's share of the sample, with its interval
    rows: list[GradeRow] = []
    for grade in (*GRADE_ORDER, NO_GRADE):
        suggested = None if grade == NO_GRADE else _share(hide, shares.suggested[grade])
        rows.append(GradeRow(grade=label(grade), suggested=suggested, inspector=_share(hide, shares.inspector[grade])))
    columns = (*GRADE_ORDER, NO_GRADE)
    cross = Counter((c.suggested_grade, c.grade or NO_GRADE) for c in cases)
    matrix = tuple(
        (label(s), tuple(hide.count(cross[(s, i)]) for i in columns)) for s in GRADE_ORDER
    )
    compared = _known(grades.compared, "compared")
    return GradeSection(
        cases=hide.count(total),
        graded=hide.count(compared),
        rows=tuple(rows),
        columns=tuple(label(c) for c in columns),
        matrix=matrix,
        provisional=hide.count(_known(grades.provisional, "provisional")),
        disagreements=_share(hide, shares.disagreements, "disagreements"),
        referred_back=hide.count(_known(grades.referred_back, "referred_back")),
        differing=() if hide.active else differing,
    )


def _known(count: int | None, name: str) -> int:
    """A grade total of the summary; a document that leaves it out cannot make a force report."""
    if count is None:
        raise ValueError(f"the results summary has no grades.{name} count")
    return count


def _share(hide: Suppression, share: Proportion | None, name: str = "") -> RateView:
    # A grade's share of the sample and its interval, worked out by thematic.stats.grades.
    if share is None:  # grade_shares leaves out a share whose counts the summary leaves out
        raise ValueError(f"the results summary has no grades.{name} count")
    return hide.rate(share.successes, share.total, share.ci_low, share.ci_high, ())


def _review(cases: Sequence[CaseResult], questions: Mapping[str, str], review_criteria: Sequence[str],
            hide: Suppression, round_: InspectionRound | None = None) -> ReviewSection:
    present = tuple(cid for cid in review_criteria if cid in questions)
    listed: list[ReviewCase] = []
    for case in cases:
        results = case.results
        reasons: list[str] = []
        if case.suggested_grade == "inadequate":
            reasons.append("suggested grade inadequate" + (" (provisional)" if case.provisional else ""))
        if case.grade == "inadequate":
            reasons.append("inspector's grade inadequate")
        if case.referred_back:
            reasons.append("referred back to the force")
        for cid in present:
            state = results[cid].state
            if state in FAILED:
                reasons.append(f"{cid} {label(state)}")
        if not reasons:
            continue
        evidence = tuple(
            EvidenceRow(case.case_id, cid, questions.get(cid, cid), label(r.state), evidence_words(r.evidence))
            for cid, r in results.items() if r.state in FAILED
        )
        listed.append(ReviewCase(
            case_id=case.case_id,
            anchor=f"case-{slug(case.case_id)}",
            category=label(case.category or None),
            reasons=tuple(reasons),
            suggested=grade_label(case.suggested_grade, round_) + (" (provisional)" if case.provisional else ""),
            inspector=grade_label(case.grade, round_),
            evidence=evidence,
        ))
    return ReviewSection(
        criteria=tuple((cid, questions[cid]) for cid in present),
        count=hide.count(len(listed)),
        cases=() if hide.active else tuple(listed),
        withheld=hide.active,
    )


def _data_quality(summary: Summary, cases: Sequence[CaseResult], questions: Mapping[str, str],
                  hide: Suppression) -> DataQualitySection:
    rows: list[OutstandingRow] = []
    totals = Counter[str]()
    for cid, entry in summary.criteria.items():
        counts = {k: entry.count(k) for k in ("unable_to_assess", "pending", "error")}
        totals.update(counts)
        if any(counts.values()):
            rows.append(OutstandingRow(cid, *(hide.count(counts[k]) for k in ("unable_to_assess", "pending", "error"))))
    not_captured: list[tuple[str, str]] = []
    errors: list[EvidenceRow] = []
    notes: list[tuple[str, str]] = []
    for case in cases:
        missing = sorted({evidence_words(r.evidence) for r in case.results.values() if r.state == "unable_to_assess"})
        if missing:
            not_captured.append((case.case_id, "; ".join(missing)))
        errors.extend(
            EvidenceRow(case.case_id, cid, questions.get(cid, cid), label(r.state), evidence_words(r.evidence))
            for cid, r in case.results.items() if r.state == "error"
        )
        notes.extend((case.case_id, evidence_words(note)) for note in case.data_quality)
    return DataQualitySection(
        unable_to_assess=hide.count(totals["unable_to_assess"]),
        pending=hide.count(totals["pending"]),
        error=hide.count(totals["error"]),
        provisional=hide.count(_known(summary.grades.provisional, "provisional")),
        rows=tuple(rows),
        not_captured=() if hide.active else tuple(not_captured),
        errors=() if hide.active else tuple(errors),
        notes=() if hide.active else tuple(notes),
        noted_cases=hide.count(len({case_id for case_id, _ in notes})),
        withheld=hide.active,
    )


def _method(document: ResultsDocument, criteria: CriteriaSet, cases: Sequence[CaseResult],
            hide: Suppression, references: str, review_criteria: Sequence[str],
            min_assessed: int) -> MethodSection:
    parameters = document.parameters
    defaults = criteria.defaults()
    rows = []
    for name, definition in criteria.file.parameters.items():
        value = parameters.get(name, definition.default)
        rows.append(ParameterRow(
            name=name,
            value=format_number(value),
            default=format_number(definition.default),
            unit=label(definition.unit),
            description=definition.description,
            basis=definition.basis,
            overridden=value != defaults[name],
        ))
    categories = Counter(c.category or "unknown" for c in cases)
    meta = document.criteria
    if hide.active:
        suppression = (f"Counts from 1 to {hide.below - 1} are shown as \u201cfewer than {hide.below}\u201d; a rate is "  # type: ignore[operator]
                       "withheld when it would reveal such a count (its numerator, its denominator or the cases "
                       "that did not meet it). Lists of individual cases are left out.")
    else:
        suppression = ("No counts are suppressed: this report lists individual cases and is not for publication as "
                       "it stands.")
    present = [cid for cid in review_criteria if any(c.id == cid for c in criteria.criteria)]
    review = ("Cases are listed for an inspector to look at when the suggested or the inspector's grade is "
              "inadequate or the case was referred back to the force"
              + (f", or when {' or '.join(present)} was not met or not evidenced" if present else "") + ".")
    return MethodSection(
        criteria_id=meta.id,
        criteria_version=meta.version,
        criteria_title=criteria.file.title,
        criteria_source=criteria.file.source,
        fingerprints=tuple(meta.fingerprints.items()),
        parameters=tuple(rows),
        as_of=document.inspection.as_of,
        cases=hide.count(len(cases)),
        categories=tuple((label(name), hide.count(n)) for name, n in sorted(categories.items())),
        statistics=f"{STATISTICS} {min_assessed_text(min_assessed)}",
        thresholds=references,
        suppression=suppression,
        grading=criteria.file.grading.description,
        review=review,
        generator=f"thematic {__version__}",
    )
