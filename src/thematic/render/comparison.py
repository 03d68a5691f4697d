"""The year-on-year report: two inspections' rates and what their change can be said to be.

`comparison_report_context` turns a `thematic.stats.compare.Comparison` into frozen dataclasses of
strings and `RateView`s, in the order the report reads: the share of cases graded inadequate
first, what changed beyond what the samples can explain (improved or declined), what the samples
suggest but cannot confirm, how many criteria were compared and how many of each kind, whether
most moved the same way, the change chart and table per theme, themes and grades, the criteria left
out (changed, added, removed), and the method. Each change carries both rates as "n of N" with
their 95% intervals, the change in percentage points with its Newcombe interval, Fisher's p and
the Holm-adjusted p. `render_comparison_report` adds the charts and renders the HTML and PDF
(`comparison.html.j2`); `write_comparison_report` writes them beside `comparison.json`, from the two
results files its caller has loaded (`thematic.load.results.load_results_files`) and the criteria set
it found for them (`thematic.scoring.results_criteria.criteria_texts`).
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from thematic.core.atomic import SAFE_NAME, SAFE_NAME_TEXT, OutputSet, check_safe_name, output_set
from thematic.core.errors import InputError
from thematic.load.results import Results
from thematic.render.charts import ChangePoint, Chart, change_chart
from thematic.render.context import question_text
from thematic.render.findings import FindingView, finding_view
from thematic.render.output import DOCUMENTS, Formats, Report, check_template_dir
from thematic.render.publication import DEFAULT_MARKING, Publication
from thematic.render.views import (
    MIN_ASSESSED,
    RateView,
    Suppression,
    few_limit,
    few_text,
    label,
    min_assessed_text,
    percent,
    slug,
    snapped,
    whole_percent,
)
from thematic.scoring.criteria import CriteriaSet
from thematic.stats.compare import (
    DECLINED,
    FELL,
    IMPROVED,
    NO_DETECTABLE_CHANGE,
    ROSE,
    SUGGESTED,
    Change,
    Comparison,
    ResultsSource,
    compare,
    few_cases_word,
)

__all__ = ["ComparisonReport", "comparison_report_context", "render_comparison_report", "write_comparison_report",
           "COMPARISON", "COMPARISON_FORMATS", "FILE_NAMES", "TEMPLATE", "points", "p_text", "key_facts",
           "summary_lines", "default_output", "check_default_names", "comparison_formats", "few_cases"]

TEMPLATE = "comparison.html.j2"
FILE_NAMES = {"html": "comparison.html", "pdf": "comparison.pdf", "json": "comparison.json"}
COMPARISON = Report(TEMPLATE, FILE_NAMES)
#: What `thematic compare --format` accepts.
COMPARISON_FORMATS = Formats(("json", "html", "pdf"), 'unknown format "{name}"; expected json, html, pdf',
                             "is empty; expected one or more of json, html, pdf, comma-separated")
_UP, _DOWN = (IMPROVED, ROSE), (DECLINED, FELL)
#: A suggested change in a sentence: "an improvement the sample suggests but cannot confirm once 29
#: comparisons are allowed for" (the number is the size of its Holm family).
_SUGGESTED_NOUN = {SUGGESTED[IMPROVED]: "an improvement", SUGGESTED[DECLINED]: "a decline",
                   SUGGESTED[ROSE]: "a rise", SUGGESTED[FELL]: "a fall"}


def suggested_text(verdict: str, family: int) -> str:
    """"a fall the sample suggests but cannot confirm once 3 comparisons are allowed for"."""
    return (f"{_SUGGESTED_NOUN[verdict]} the sample suggests but cannot confirm once {family} "
            f"comparison{'s are' if family != 1 else ' is'} allowed for")


#: The one method of every report that states a change (comparison, index), said once in plain words.
WORDS = ("A change is called improved (rose, for a grade's share) only when its Holm-adjusted p-value is below "
         "0.05 and its whole 95% interval lies above zero, and declined (fell) only when the adjusted p-value is "
         "below 0.05 and the whole interval lies below zero. When the whole interval lies on one side of zero but "
         "the adjusted p-value is not below 0.05, the change is one the sample suggests but cannot confirm once "
         "the number of comparisons is allowed for: \u201cimprovement (decline, rise, fall) suggested, not "
         "confirmed\u201d. Only when the interval includes zero is it \u201cno change the sample can detect\u201d: "
         "the rate may have changed, but by less than samples of this size can show.")

METHOD = (
    ("The change", "The change is the later rate minus the earlier, in percentage points, with a 95% Newcombe "
                   "hybrid-score interval for the difference of two independent proportions (statsmodels "
                   "confint_proportions_2indep, method newcomb), built from the two rates' Wilson intervals."),
    ("The test", "Fisher's exact test, two-sided (scipy.stats.fisher_exact), gives each change's p-value. Many "
                 "criteria are compared at once, so the p-values are adjusted by Holm's step-down method "
                 "(statsmodels multipletests) within each family: the criteria, the themes, the inspector's "
                 "grades and the suggested grades."),
    ("The words", WORDS + " Requiring both for improved or declined is deliberately cautious: the report must "
                          "not claim a change the data cannot support, nor deny one its interval shows."),
    ("The samples", "Both samples are taken to be independent random samples of each inspection's cases."),
    ("Like with like", "A criterion is compared only when its fingerprint (its definition and the parameter values "
                       "it reads) is the same in both results files. Criteria whose definition changed, and "
                       "criteria in only one of the files, are listed apart and never compared. Themes and "
                       "suggested grades are compared only when every criterion matches."),
)


def points(value: float) -> str:
    """Signed percentage points: +25, −5 (a true minus sign), 0; below one point, one decimal (−0.3)."""
    value = snapped(value)
    if value == 0:
        return "0"
    size = abs(value) * 100
    if size < 1:  # a change of less than a point is not printed as 0 or 1
        text = f"{math.floor(round(size * 10, 9) + 0.5) / 10:g}"
    else:
        text = str(whole_percent(abs(value)))  # the rounding of every percentage shown
    if text == "0":  # below 0.05 points: no change as printed, so no sign ("+0" reads as a rise)
        return "0"
    return ("+" if value > 0 else "\u2212") + text


def p_text(value: float | None) -> str:
    """A p-value as printed: 0.015, "less than 0.001", or "–" when there is none."""
    if value is None:
        return "–"
    return "less than 0.001" if value < 0.001 else f"{value:.3f}"


@dataclass(frozen=True)
class SideView:
    name: str
    inspection: str
    year: str
    as_of: str
    cases: str
    file: str


@dataclass(frozen=True)
class ChangeRow:
    """One compared rate: before and after, the change with its interval, the p-values and the word."""

    id: str
    anchor: str
    name: str
    question: str
    before: RateView
    after: RateView
    change: str          # "+25 points", or "–" when untestable
    interval: str        # "−5 to +50 points", or ""
    p_value: str
    p_adjusted: str
    verdict: str
    tag: str             # "improved", "declined", "suggested" or "": the flag shown beside the word
    sentence: str
    point: ChangePoint   # what the change chart draws


@dataclass(frozen=True)
class ChangeGroup:
    title: str
    finding: FindingView | None
    rows: tuple[ChangeRow, ...]

    @property
    def anchor(self) -> str:
        return f"group-{slug(self.title)}"


@dataclass(frozen=True)
class ComparisonReport:
    title: str
    criteria_id: str
    before: SideView
    after: SideView
    compared_text: str
    counts_text: str
    caution: str
    detected: tuple[ChangeRow, ...]
    groups: tuple[ChangeGroup, ...]
    themes: tuple[ChangeRow, ...]
    themes_not_compared: tuple[tuple[str, str], ...]
    grades: tuple[tuple[str, tuple[ChangeRow, ...]], ...]   # (source heading, rows)
    grades_not_compared: tuple[tuple[str, str], ...]
    changed: tuple[tuple[str, str], ...]                   # (criterion id, question)
    added: tuple[tuple[str, str], ...]
    removed: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    method: tuple[tuple[str, str], ...]
    headline: str = ""                       # the share graded inadequate, before and after: said first
    suggested: tuple[ChangeRow, ...] = ()    # criteria whose change is suggested, not confirmed
    direction: str = ""                      # "Most criteria moved the same way: …", or ""

    @property
    def rows(self) -> tuple[ChangeRow, ...]:
        return tuple(row for group in self.groups for row in group.rows)


def _side(sample: ResultsSource, same_force: bool, hide: Suppression) -> SideView:
    year = "" if sample.year is None else str(sample.year)
    if same_force and year:
        name = year
    else:
        name = sample.inspection or Path(sample.file).stem
    return SideView(name, sample.inspection or "not named", year, sample.as_of, hide.count(sample.cases).text,
                    sample.file)


def few_cases(change: Change, min_assessed: int) -> bool:
    """Whether a change was tested with fewer than `min_assessed` assessed cases on a side (so not called one)."""
    return change.verdict == few_cases_word(min_assessed)


def _row(key: str, name: str, question: str, change: Change, anchor: str, hide: Suppression | None = None,
         min_assessed: int = 1, family: int = 1) -> ChangeRow:
    hide = hide or Suppression(None)
    before = hide.rate(change.before.successes, change.before.total, change.before.ci_low, change.before.ci_high, ())
    after = hide.rate(change.after.successes, change.after.total, change.after.ci_low, change.after.ci_high, ())
    withheld = before.withheld or after.withheld  # the change would reveal a withheld rate
    tested = (change.difference is not None and change.ci_low is not None and change.ci_high is not None
              and not withheld)
    few = few_cases(change, min_assessed) or (withheld and (before.total.suppressed or after.total.suppressed))
    verdict = few_text(min_assessed, hide) if few else change.verdict
    tag = ("" if few else "improved" if change.verdict in _UP else "declined" if change.verdict in _DOWN
           else "suggested" if change.verdict in _SUGGESTED_NOUN else "")
    if tested:
        text = f"{points(change.difference)} points"  # type: ignore[arg-type]
        interval = f"{points(change.ci_low)} to {points(change.ci_high)} points"  # type: ignore[arg-type]
        if tag == "suggested":
            sentence = (f"{name}: from {_rate_text(before)} to {_rate_text(after)}, a change of {text} (95% interval "
                        f"{interval}): {suggested_text(change.verdict, family)} (Holm-adjusted p "
                        f"{p_text(change.p_adjusted)}).")
        elif tag:
            sentence = (f"{name} {verdict}: from {_rate_text(before)} to {_rate_text(after)}, a change of {text} "
                        f"(95% interval {interval}), Holm-adjusted p {p_text(change.p_adjusted)}.")
        else:
            sentence = (f"{name}: from {_rate_text(before)} to {_rate_text(after)}, a change of {text} (95% interval "
                        f"{interval}), Holm-adjusted p {p_text(change.p_adjusted)}: {verdict}.")
        short = "suggested, not confirmed" if tag == "suggested" else verdict  # the chart's label stays short
        chart_label = f"{points(change.difference)} pts: {short}"  # type: ignore[arg-type]
        point = ChangePoint(name, change.difference, change.ci_low, change.ci_high, chart_label)
        p_value, p_adjusted = p_text(change.p_value), p_text(change.p_adjusted)
    else:
        text, interval = "–", ""
        if withheld:
            verdict = verdict if few else "withheld: small numbers"
        sentence = f"{name}: {verdict} (before {before.n_of_n}, after {after.n_of_n})."
        point = ChangePoint(name, None, None, None, verdict)
        p_value, p_adjusted = ("–", "–") if withheld else (p_text(change.p_value), p_text(change.p_adjusted))
    return ChangeRow(
        id=key, anchor=anchor, name=name, question=question, before=before, after=after, change=text,
        interval=interval, p_value=p_value, p_adjusted=p_adjusted, verdict=verdict, tag=tag, sentence=sentence,
        point=point)


def _rate_text(rate: RateView) -> str:
    """"5 of 19 (26%, 95% interval 12%–49%)"."""
    return f"{rate.n_of_n} ({rate.percent}, 95% interval {rate.interval})" if rate.has_rate else rate.sentence


def comparison_report_context(comparison: Comparison, criteria: CriteriaSet | None = None,
                              parameters: dict[str, Any] | None = None, *,
                              suppress_below: int | None = None) -> ComparisonReport:
    """The year-on-year report's view data; `criteria` (optional) gives questions and theme titles.

    A change with fewer than the comparison's `min_assessed` assessed cases on either side is shown,
    marked "few cases", and never counted as improved or declined; `suppress_below` withholds small
    counts and every rate, change and p-value that would reveal one.
    """
    hide = Suppression(suppress_below)
    min_assessed = comparison.min_assessed
    b, a = comparison.before, comparison.after
    same_force = bool(b.force) and b.force == a.force and b.year != a.year
    definitions = {c.id: c.definition for c in criteria.criteria} if criteria else {}

    def question(cid: str) -> str:
        d = definitions.get(cid)
        return question_text(d.question, parameters or {}) if d else ""

    family = _family_size([c.change for c in comparison.criteria])
    sides, starts = _dates(comparison, criteria)
    rows = []
    for c in comparison.criteria:
        change = _explained(c.change, starts.get(c.criterion), sides)
        row = _row(c.criterion, c.criterion, question(c.criterion), change, f"criterion-{slug(c.criterion)}",
                   hide, min_assessed, family)
        if change is not c.change:  # the chart's word stays short: the table and the list give the whole reason
            start = starts[c.criterion]
            assert start is not None  # `_explained` words only a criterion with a date
            row = dataclasses.replace(row, point=dataclasses.replace(
                row.point, label=f"cannot be compared: applies from {_day(start)}"))
        rows.append(row)
    themes_titles = {t: v.title for t, v in criteria.file.themes.items()} if criteria else {}
    theme_family = _family_size([t.change for t in comparison.themes])
    themes = tuple(_row(t.theme, themes_titles.get(t.theme, label(t.theme)), "", t.change, f"theme-{slug(t.theme)}",
                        hide, min_assessed, theme_family) for t in comparison.themes)
    grades = []
    for source, heading in (("inspector", "Inspector's grades"), ("suggested", "Suggested grades")):
        grade_family = _family_size([g.change for g in comparison.grades if g.source == source])
        members = tuple(_row(g.grade, label(g.grade), "", g.change, f"grade-{source}-{slug(g.grade)}", hide,
                             min_assessed, grade_family) for g in comparison.grades if g.source == source)
        if members:
            grades.append((heading, members))
    detected = tuple(r for r in rows if r.tag in ("improved", "declined"))
    suggested = tuple(r for r in rows if r.tag == "suggested")
    few = [r for r in rows if r.verdict.startswith("few cases")]
    tested = [r for r in rows if r.change != "–" and r not in few]
    counts = {word: sum(1 for r in tested if r.verdict == word)
              for word in (IMPROVED, DECLINED, SUGGESTED[IMPROVED], SUGGESTED[DECLINED], NO_DETECTABLE_CHANGE)}
    untestable = len(rows) - len(tested) - len(few)
    apart = len(comparison.changed) + len(comparison.added) + len(comparison.removed)
    compared_text = (f"{_criteria(len(rows))} the same definition and parameter values in both inspections and "
                     f"{'are' if len(rows) != 1 else 'is'} compared.")
    if apart:
        compared_text += f" {_criteria(apart, 'listed apart')}: their definitions differ or they are in one file only."
    counts_text = (f"Improved: {counts[IMPROVED]}. Declined: {counts[DECLINED]}. "
                   f"Improvement suggested, not confirmed: {counts[SUGGESTED[IMPROVED]]}. "
                   f"Decline suggested, not confirmed: {counts[SUGGESTED[DECLINED]]}. "
                   f"No change the sample can detect: {counts[NO_DETECTABLE_CHANGE]}.")
    if few:
        counts_text += (f" Too few cases to say (fewer than {few_limit(min_assessed, hide)} assessed on "
                        f"one side): {len(few)}.")
    if untestable:
        counts_text += f" Could not be compared (no assessed cases on one side): {untestable}."
    title = (f"{label(a.force).title()}: {b.year} and {a.year} inspections compared" if same_force
             else f"{b.inspection or Path(b.file).stem} and {a.inspection or Path(a.file).stem} compared")
    return ComparisonReport(
        title=title, criteria_id=a.criteria_id, before=_side(b, same_force, hide), after=_side(a, same_force, hide),
        compared_text=compared_text, counts_text=counts_text,
        caution=("\u201cNo change the sample can detect\u201d does not mean nothing changed: the samples are too small "
                 "to show a change of that size. A change \u201csuggested, not confirmed\u201d has a 95% interval "
                 f"wholly on one side of zero, but {family} {'criterion was' if family == 1 else 'criteria were'} "
                 "tested together, and with that many some intervals exclude zero by chance alone."),
        headline=_headline(grades, b, a, same_force), suggested=suggested,
        direction=_direction(comparison, rows, tested),
        detected=detected, groups=_groups(rows, criteria), themes=themes,
        themes_not_compared=tuple((label(n.item), n.reason) for n in comparison.themes_not_compared),
        grades=tuple(grades),
        grades_not_compared=tuple((n.item, n.reason) for n in comparison.grades_not_compared),
        changed=tuple((c, question(c)) for c in comparison.changed),
        added=tuple((c, question(c)) for c in comparison.added),
        removed=tuple((c, question(c)) for c in comparison.removed),
        notes=comparison.notes, method=(*METHOD, ("Small numbers", _small_numbers(hide, min_assessed))),
    )


def _dates(comparison: Comparison, criteria: CriteriaSet | None,
           ) -> tuple[tuple[tuple[str, ResultsSource], ...], dict[str, date | None]]:
    """Each side as the report names it ("2015", or the inspection id), and the day each criterion applies
    from (none without a criteria set): what `_explained` needs."""
    b, a = comparison.before, comparison.after
    same_force = bool(b.force) and b.force == a.force and b.year != a.year
    hide = Suppression(None)  # the name only
    sides = ((_side(b, same_force, hide).name, b), (_side(a, same_force, hide).name, a))
    return sides, ({c.id: c.applies_from for c in criteria.criteria} if criteria else {})


def _explained(change: Change, start: date | None, sides: Sequence[tuple[str, ResultsSource]]) -> Change:
    """`change`, its "cannot be compared" worded with the reason when the criterion's date is it: the
    criterion applies from a day after a side's sample was taken, so that side assessed no case (a
    2015 inspection and the duty to notify, from 1 November 2015). Any other change is returned as it is."""
    if start is None or change.difference is not None:
        return change
    empty = [(name, source) for (name, source), p in zip(sides, (change.before, change.after), strict=True)
             if p.total == 0]
    dated = [name for name, source in empty if start > _taken(source)]
    if not dated or len(dated) != len(empty):  # a side empty for some other reason: say no more than we know
        return change
    who = f"the {dated[0]} inspection" if len(dated) == 1 else f"the {dated[0]} and {dated[1]} inspections"
    return dataclasses.replace(change, verdict=f"cannot be compared: the criterion applies from {_day(start)}, "
                                               f"so {who} assessed no case")


def _taken(source: ResultsSource) -> date:
    """The day a side's sample was taken (its `as_of`); when that is not a date, the last day there is,
    so that no criterion's date is said to come after it."""
    try:
        return date.fromisoformat(source.as_of)
    except ValueError:
        return date.max


def _day(day: date) -> str:
    """"1 November 2015", as the reports write a day."""
    return f"{day.day} {day:%B %Y}"


def _family_size(changes: Sequence[Change]) -> int:
    """How many changes of a family were tested, and so Holm-adjusted together."""
    return sum(1 for c in changes if c.p_adjusted is not None)


def _headline(grades: Sequence[tuple[str, tuple[ChangeRow, ...]]], before: ResultsSource, after: ResultsSource,
              same_force: bool) -> str:
    """The change a reader asks about first: the share of cases graded inadequate (the inspectors' grades,
    else the suggested ones), in the words every change is given."""
    for heading, members in grades:
        row = next((r for r in members if r.id == "inadequate"), None)
        if row is None or not row.before.total.value or not row.after.total.value:
            continue
        who = "inspectors graded" if heading.startswith("Inspector") else "suggested as"
        name = f"The share of cases {who} inadequate"
        sides = f" ({before.year} and {after.year})" if same_force and before.year and after.year else ""
        sentence = row.sentence[len(row.name):] if row.sentence.startswith(row.name) else f": {row.sentence}"
        return f"{name}{sides}{sentence}"
    return ""


def _direction(comparison: Comparison, rows: Sequence[ChangeRow], tested: Sequence[ChangeRow]) -> str:
    """Whether most compared criteria moved the same way in the samples, confirmed or not: a pattern no
    single criterion's test shows, stated as a count, not as a finding."""
    shown = {r.id for r in tested}
    differences = [c.change.difference for c in comparison.criteria
                   if c.criterion in shown and c.change.difference is not None]
    if len(differences) < 2:
        return ""
    up = sum(1 for d in differences if snapped(d) > 0)
    down = sum(1 for d in differences if snapped(d) < 0)
    total = len(differences)
    if max(up, down) * 2 <= total:
        return ""
    way, count, other, other_word = ("higher", up, down, "lower") if up > down else ("lower", down, up, "higher")
    return (f"Most criteria moved the same way: {count} of {total} compared rates were {way} in the later sample "
            f"({other} {other_word}, {total - up - down} the same), whether or not each change is confirmed on "
            "its own.")


def _small_numbers(hide: Suppression, min_assessed: int) -> str:
    text = min_assessed_text(min_assessed)
    if hide.active:
        text += (f" Counts from 1 to {hide.below - 1} are shown as \u201cfewer than {hide.below}\u201d; a rate, "  # type: ignore[operator]
                 "a change and its p-values are withheld when they would reveal such a count.")
    return text


def _criteria(count: int, rest: str = "have") -> str:
    if rest == "have":
        return "1 criterion has" if count == 1 else f"{count} criteria have"
    return f"1 criterion is {rest}" if count == 1 else f"{count} criteria are {rest}"


def _groups(rows: list[ChangeRow], criteria: CriteriaSet | None) -> tuple[ChangeGroup, ...]:
    if criteria is None:
        return (ChangeGroup("Criteria", None, tuple(rows)),)
    theme_of = {c.id: c.definition.theme for c in criteria.criteria}
    by_theme: dict[str, list[ChangeRow]] = {}
    for row in rows:
        by_theme.setdefault(theme_of.get(row.id, ""), []).append(row)
    groups = []
    for theme_id, members in by_theme.items():
        theme = criteria.file.themes.get(theme_id)
        groups.append(ChangeGroup(theme.title if theme else "Other criteria", finding_view(theme) if theme else None,
                                  tuple(members)))
    return tuple(groups)


def comparison_charts(report: ComparisonReport) -> dict[str, Chart]:
    """A change chart per theme's criteria (by the group's anchor), and one for the themes if compared."""
    charts = {}
    for group in report.groups:
        charts[group.anchor] = change_chart(
            [r.point for r in group.rows], chart_id=f"chart-{group.anchor}", table_id=f"table-{group.anchor}",
            title=f"{group.title}: change in each criterion's rate met, with 95% intervals")
    if report.themes:
        charts["themes"] = change_chart([r.point for r in report.themes], chart_id="chart-themes-change",
                                        table_id="table-themes-change",
                                        title="Change in each theme's rate, with 95% intervals")
    return charts


def render_comparison_report(comparison: Comparison, criteria: CriteriaSet | None = None,
                             parameters: dict[str, Any] | None = None, *, formats: Sequence[str] = ("html", "pdf"),
                             template_dir: str | Path | None = None,
                             suppress_below: int | None = None, marking: str = DEFAULT_MARKING) -> dict[str, bytes]:
    """The year-on-year report in each of `formats` (html, pdf), as bytes by format."""
    def context() -> dict[str, Any]:
        report = comparison_report_context(comparison, criteria, parameters, suppress_below=suppress_below)
        return {"report": report, "charts": comparison_charts(report)}

    sides = (comparison.before, comparison.after)
    return COMPARISON.render(formats, template_dir, context, publication=Publication.of(
        marking, [(side.criteria_id, side.criteria_version) for side in sides]))


def write_comparison_report(before: Results, after: Results, out: str | Path | None = None, *,
                            formats: Sequence[str] | None = COMPARISON_FORMATS.names,
                            criteria: CriteriaSet | None = None,
                            template_dir: str | Path | None = None,
                            outputs: OutputSet | None = None, suppress_below: int | None = None,
                            min_assessed: int = MIN_ASSESSED,
                            marking: str = DEFAULT_MARKING) -> tuple[Comparison, list[Path]]:
    """`thematic compare BEFORE AFTER`: the comparison of two loaded results files
    (`load_results_files`) and the paths written, comparison.json first. `out` defaults to
    out/BEFORE-to-AFTER. `formats` as in `comparison_formats`; `criteria` the set whose questions and
    theme titles the report shows (`criteria_texts` of AFTER; None: criteria shown by id). The outputs
    are checked before rendering and staged in `outputs` (its owner declared the inputs and commits),
    or without `outputs` written together now."""
    chosen = comparison_formats(formats, suppress_below)
    check_template_dir(template_dir)  # a wrong folder is an error even when only JSON is asked for
    with output_set(outputs) as run:
        if not out:
            check_default_names((before, after))
        comparison = compare(before, after, min_assessed=min_assessed)
        folder = Path(out) if out else default_output(comparison)
        COMPARISON.declare(run, folder, chosen)
        documents = [fmt for fmt in chosen if fmt in DOCUMENTS]
        rendered: dict[str, bytes] = {}
        if documents:  # rendered before anything is written, so a failure leaves no half-made report
            rendered = render_comparison_report(comparison, criteria, after.parameters,
                                                formats=documents, template_dir=template_dir,
                                                suppress_below=suppress_below, marking=marking)
        document = comparison.to_json() if "json" in chosen else None
        written = COMPARISON.write(rendered, folder, run, document=document)
    return comparison, written


def comparison_formats(formats: Sequence[str] | None, suppress_below: int | None) -> tuple[str, ...]:
    """The formats asked of a comparison, checked: json, html and pdf by default, html and pdf for
    publication (comparison.json holds every count, unsuppressed), as for the programme report."""
    if formats is None:
        formats = ["html", "pdf"] if suppress_below else list(COMPARISON_FORMATS.names)
    chosen = COMPARISON_FORMATS.check(formats)
    if "json" in chosen and suppress_below:
        raise InputError.single("--format", "json holds every count unsuppressed, so it cannot be prepared for "
                                            "publication with --suppress-below; ask for html,pdf")
    return chosen


def default_output(comparison: Comparison) -> Path:
    """out/BEFORE-to-AFTER from the inspection ids (or the files' names without their suffix), each
    checked against SAFE_NAME so that an id such as `../../x` never writes outside out/."""
    def name(side: ResultsSource) -> str:
        if side.inspection:
            return check_safe_name(side.inspection, file=side.file, field="inspection.id",
                                   use="the default output folder (give -o DIR to choose one)")
        return check_safe_name(Path(side.file).stem, file=side.file, field=None,
                               use="the default output folder as a file name (give -o DIR to choose one)")
    return Path("out") / f"{name(comparison.before)}-to-{name(comparison.after)}"


def check_default_names(loaded: Sequence[Results]) -> None:
    """The inspection ids that name the default folder, each a SAFE_NAME; else InputError at their line."""
    problems = []
    for results in loaded:
        ident = results.inspection.id
        if ident is not None and not SAFE_NAME.fullmatch(ident):
            problems.append(results.problem(("inspection", "id"), f"{ident!r} cannot name the default output folder: "
                                                                  f"expected {SAFE_NAME_TEXT}; or give -o DIR"))
    if problems:
        raise InputError(problems)


# --- the printed summary ---------------------------------------------------------------------------

def _percent(value: float | None) -> str:
    # The reports' rounding (halves up, k of k reads 100%), short enough for the column.
    return "–" if value is None else percent(value, short=True)


def _points(value: float) -> str:
    # The report's figure (`points`: one decimal below a point, "0" with no sign for no change), with an
    # ASCII minus for the terminal; whole points alone printed a change of a third of a point as "-0".
    return points(value).replace("\u2212", "-")


def _summary_row(name: str, c: Change, width: int) -> str:
    before = f"{c.before.successes}/{c.before.total} {_percent(c.before.rate)}"
    after = f"{c.after.successes}/{c.after.total} {_percent(c.after.rate)}"
    if c.difference is None or c.ci_low is None or c.ci_high is None or c.p_adjusted is None:
        change, p = "", ""
    else:
        change = f"{_points(c.difference)} pts ({_points(c.ci_low)} to {_points(c.ci_high)})"
        p = "<0.001" if c.p_adjusted < 0.001 else f"{c.p_adjusted:.3f}"
    return f"{name:<{width}} {before:>12} {after:>12} {change:>26} {p:>7}  {c.verdict}"


def summary_lines(comparison: Comparison, criteria: CriteriaSet | None = None) -> list[str]:
    """The printed summary: one line per compared criterion, then what was left out; with the criteria
    set, a criterion that cannot be compared because of the day it applies from says so, as the report does."""
    b, a = comparison.before, comparison.after
    sides, starts = _dates(comparison, criteria)
    lines = [f"{b.inspection or b.file} ({b.cases} cases) → {a.inspection or a.file} ({a.cases} cases), "
             f"criteria {a.criteria_id}", "",
             f"{'criterion':<9} {'before':>12} {'after':>12} {'change, 95% interval':>26} {'adj. p':>7}  verdict"]
    lines.extend(_summary_row(row.criterion, _explained(row.change, starts.get(row.criterion), sides), 9)
                 for row in comparison.criteria)
    if comparison.themes:
        lines.append("")
        lines.append(f"{'theme':<22} {'before':>12} {'after':>12} {'change, 95% interval':>26} {'adj. p':>7}  verdict")
        lines.extend(_summary_row(row.theme, row.change, 22) for row in comparison.themes)
    tail = [f"{label}: {', '.join(ids)}" for label, ids in (
        ("changed (not compared)", comparison.changed), ("added", comparison.added), ("removed", comparison.removed))
        if ids]
    tail.extend(f"note: {note}" for note in comparison.notes)
    return lines + [""] + tail if tail else lines


def key_facts(comparison: Comparison) -> str:
    """One line for an index, from the comparison report's own view data (so the two never disagree): the
    share graded inadequate first, then how many criteria improved, declined, were suggested but not
    confirmed or show no change; a change with fewer than `min_assessed` assessed cases on a side is
    counted apart."""
    report = comparison_report_context(comparison)
    rows = report.rows
    few = [r for r in rows if r.verdict.startswith("few cases")]
    tested = [r for r in rows if r.change != "\u2013" and r not in few]
    words = [r.verdict for r in tested]
    suggested = sum(1 for r in tested if r.tag == "suggested")
    text = ""
    inadequate = next((r for heading, members in report.grades for r in members if r.id == "inadequate"
                       and r.before.has_rate and r.after.has_rate), None)
    if inadequate is not None:
        who = "inspectors' grades" if inadequate.anchor.startswith("grade-inspector") else "suggested grades"
        text = (f"graded inadequate ({who}): {inadequate.before.percent} to {inadequate.after.percent}, "
                f"{inadequate.verdict}; ")
    text += (f"{len(comparison.criteria)} criteria compared: {words.count(IMPROVED)} improved, "
             f"{words.count(DECLINED)} declined, {suggested} suggested but not confirmed, "
             f"{words.count(NO_DETECTABLE_CHANGE)} no change the sample can detect")
    if few:
        text += f", {len(few)} with too few cases (fewer than {comparison.min_assessed} assessed on one side)"
    untestable = len(rows) - len(tested) - len(few)
    if untestable:
        text += f", {untestable} could not be compared"
    apart = len(comparison.changed) + len(comparison.added) + len(comparison.removed)
    text = text[:1].upper() + text[1:]
    return text + (f"; {apart} listed apart" if apart else "")
