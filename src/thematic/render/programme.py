"""The programme report: forces side by side against the pooled rate, as view data, charts and files.

`programme_report_context` turns the statistics of `thematic.stats.programme` (a funnel per criterion,
theme and grade share) into frozen dataclasses of strings and `RateView`s, in the order the report
reads: what the comparison found (forces outside the limits, named, with what the limits mean, and
how many comparisons were made against how many chance alone would put outside), the forces side
by side, a funnel plot and table per criterion, themes and grades, and the method. Forces are
listed by name, never ranked. `render_programme_report` adds the charts and renders the HTML and
PDF (`programme.html.j2`); `write_programme_report` writes them beside `programme.json`, from the
results files its caller has loaded (`thematic.load.results.load_results_files`) and the criteria set
it found for them (`thematic.scoring.results_criteria.criteria_texts`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from thematic.core.atomic import OutputSet, output_set
from thematic.core.errors import InputError
from thematic.load.results import Results
from thematic.render.charts import Chart, FunnelPoint, funnel_chart
from thematic.render.context import question_text
from thematic.render.findings import FindingView, finding_view
from thematic.render.output import DOCUMENTS, Formats, Report, check_template_dir
from thematic.render.publication import DEFAULT_MARKING, Publication
from thematic.render.views import ABOVE as CLEARLY_ABOVE
from thematic.render.views import BELOW as CLEARLY_BELOW
from thematic.render.views import (
    MIN_ASSESSED,
    RateView,
    Suppression,
    few_limit,
    few_text,
    interval_text,
    label,
    min_assessed_text,
    slug,
)
from thematic.scoring.criteria import CriteriaSet
from thematic.stats.programme import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    FEW_CASES,
    NO_CASES,
    WITHIN,
    Funnel,
    Programme,
    build_programme,
)

__all__ = ["ProgrammeReport", "programme_report_context", "render_programme_report", "write_programme_report",
           "programme_formats", "summary_lines", "key_facts", "FILE_NAMES", "PROGRAMME", "TEMPLATE"]

TEMPLATE = "programme.html.j2"
FILE_NAMES = {"html": "programme.html", "pdf": "programme.pdf", "json": "programme.json"}
PROGRAMME = Report(TEMPLATE, FILE_NAMES)
#: What `thematic report --format` accepts for several results files.
PROGRAMME_FORMATS = Formats(
    ("json", "html", "pdf"), "unknown format '{name}'; expected json, html, pdf or a comma-separated list of them",
    "no format given; expected json, html, pdf or a comma-separated list of them")

POSITION_TEXT = {
    WITHIN: "within the limits", ABOVE_95: "above the 95% limit", ABOVE_998: "above the 99.8% limit",
    BELOW_95: "below the 95% limit", BELOW_998: "below the 99.8% limit", NO_CASES: "no cases assessed",
}
# The force report's words for a rate against a reference (views.ABOVE, views.BELOW): the pooled rate
# is this report's reference, and only a force beyond the 99.8% limits is "clearly" above or below it.
POSITION_MEANING = {
    ABOVE_998: f"{CLEARLY_ABOVE} the pooled rate, beyond chance",
    BELOW_998: f"{CLEARLY_BELOW} the pooled rate, beyond chance",
    ABOVE_95: "higher than the pooled rate: worth a look, though chance can do this",
    BELOW_95: "lower than the pooled rate: worth a look, though chance can do this",
}
LIMITS_MEANING = (
    "The limits show how far a force's rate can lie from the pooled rate by chance alone, given how many cases "
    "it assessed: if a force's true rate were the pooled rate, its sample would fall outside the 95% limits "
    "less than 1 time in 20, and outside the 99.8% limits less than 1 time in 500. A force outside the 99.8% "
    "limits differs from the pooled rate beyond chance; outside the 95% limits only, it is worth a look but is "
    "not a finding on its own."
)
METHOD = (
    ("Pooled rate", "For each criterion, the pooled rate is the number of cases that met it in all the forces "
                    "together, divided by the number of cases assessed in all of them, so a larger sample counts "
                    "for more. Each force's own rate carries its 95% Wilson interval (statsmodels)."),
    ("Limits", "The funnel limits are exact binomial quantiles around the pooled rate for the force's number of "
               "assessed cases (scipy.stats.binom.ppf at 2.5% and 97.5% for the 95% limits, at 0.1% and 99.9% for "
               "the 99.8% limits), without interpolation. A force is outside a limit when its count is strictly "
               "beyond the quantile, which happens by chance with probability at most 2.5% (0.1%) on each side, "
               "so the limits are conservative for small samples. They narrow as samples grow, which is why the "
               "plot is a funnel."),
    ("Many comparisons", "Every force is compared on every criterion, theme and grade share, so some results "
                         "fall outside the 95% limits by chance alone. A force is said to differ beyond chance "
                         "only outside the 99.8% limits. For each family of comparisons the report gives how "
                         "many were made and at most how many would fall outside each limit by chance, so that "
                         "the forces named can be weighed against it. No allowance is made for over-dispersion: "
                         "many more forces outside than chance allows suggests real variation between forces."),
    ("No league table", "Forces are listed by name and never ranked: most of the intervals overlap, and a rank "
                        "would claim differences the samples cannot support."),
    ("Like with like", "A criterion pools only the forces whose definition and parameter values (fingerprint) "
                       "are the most common among them; themes and suggested grades pool only forces whose "
                       "criteria all match. Anything left out is listed as not compared, with the reason."),
)


@dataclass(frozen=True)
class ForcePoint:
    """One force on one funnel: its rate, the limits at its denominator, and where it lies."""

    name: str
    inspection: str
    rate: RateView
    limits_95: str
    limits_998: str
    position: str
    position_text: str
    meaning: str
    withheld: bool = False  # the rate is withheld (suppression), and with it the limits and position

    @property
    def outside(self) -> bool:
        return self.position in POSITION_MEANING and not self.withheld


@dataclass(frozen=True)
class FunnelView:
    """A criterion, theme or grade share across the forces; `funnel` keeps the statistics for its chart."""

    kind: str
    key: str
    anchor: str
    name: str
    question: str
    pooled: RateView
    points: tuple[ForcePoint, ...]
    not_compared: tuple[tuple[str, str], ...]
    funnel: Funnel


@dataclass(frozen=True)
class CriterionGroup:
    title: str
    finding: FindingView | None
    funnels: tuple[FunnelView, ...]


@dataclass(frozen=True)
class OutsideRow:
    """A force outside a limit: the item (criterion, theme or grade share) and the force, in words."""

    item: str
    anchor: str
    point: ForcePoint
    pooled: str


@dataclass(frozen=True)
class FamilyRow:
    name: str
    comparisons: int
    outside_95: int
    outside_998: int
    chance_95: str
    chance_998: str


@dataclass(frozen=True)
class InspectionRow:
    name: str
    inspection: str
    year: str
    as_of: str
    cases: str
    file: str


@dataclass(frozen=True)
class OverviewRow:
    """One criterion with every force's rate beside the pooled rate (cells in the order of `forces`)."""

    id: str
    anchor: str
    pooled: RateView
    cells: tuple[ForcePoint | None, ...]  # None: the force is not compared on this criterion


@dataclass(frozen=True)
class ProgrammeReport:
    title: str
    criteria_id: str
    criteria_version: str
    years: str
    inspections: tuple[InspectionRow, ...]
    forces: tuple[str, ...]
    cases: str
    beyond_chance: tuple[OutsideRow, ...]
    beyond_chance_text: str
    worth_a_look: tuple[OutsideRow, ...]
    worth_a_look_text: str
    families: tuple[FamilyRow, ...]
    comparisons_text: str
    overview: tuple[OverviewRow, ...]
    groups: tuple[CriterionGroup, ...]
    themes: tuple[FunnelView, ...]
    grades: tuple[FunnelView, ...]
    notes: tuple[str, ...]
    limits_meaning: str
    method: tuple[tuple[str, str], ...]
    suppressed: bool
    suppress_below: int | None

    @property
    def funnels(self) -> tuple[FunnelView, ...]:
        return tuple(f for g in self.groups for f in g.funnels)


def expected_text(value: float) -> str:
    """How many results chance alone would put outside, as a reader wants it: 4.3, 0.17, 0.

    Halves round up, as published figures do (4.25 reads 4.3, not Python's 4.2).
    """
    if value == 0:
        return "0"
    places = Decimal("0.1") if value >= 1 else Decimal(1).scaleb(Decimal(str(value)).adjusted() - 1)
    return format(Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP).normalize(), "f")


def _lie(count: int) -> str:
    return "1 result lies" if count == 1 else f"{count} results lie"


def force_names(results: Sequence[Results]) -> dict[str, str]:
    """Each inspection's name in the report: the force (and its year when the years differ)."""
    years = {r.inspection.year for r in results}
    names = {}
    for r in results:
        name = label(r.inspection.force).title() if r.inspection.force else r.label
        if len(years) > 1 and r.inspection.year is not None and r.inspection.force:
            name = f"{name} {r.inspection.year}"
        names[r.label] = name
    if len(set(names.values())) < len(names):  # two inspections of one force and year: use their ids
        return {r.label: r.label for r in results}
    return names


def programme_report_context(programme: Programme, results: Sequence[Results], criteria: CriteriaSet | None = None,
                             *, suppress_below: int | None = None) -> ProgrammeReport:
    """The programme report's view data; `criteria` (optional) gives questions and theme titles.

    A force with fewer than the programme's `min_assessed` cases on a funnel is marked "few cases" and
    never named; `suppress_below` withholds small counts and the rates, limits and positions that
    would reveal them.
    """
    hide = Suppression(suppress_below)
    min_assessed = programme.min_assessed
    names = force_names(results)
    by_label = {r.label: r for r in results}
    forces = tuple(sorted(names.values(), key=str.lower))
    theme_titles = {t: v.title for t, v in criteria.file.themes.items()} if criteria else {}

    def view(funnel: Funnel, name: str, question: str) -> FunnelView:
        points = []
        for force in funnel.forces:
            rate = hide.rate(force.rate.successes, force.rate.total, force.rate.ci_low, force.rate.ci_high, ())
            # Limits at a suppressed denominator would reveal it; a position would reveal the count.
            limits = force.limits.rates() if force.limits and not rate.withheld else None
            few = force.position == FEW_CASES or (rate.total.suppressed and force.rate.total < min_assessed)
            if few:
                position_text = few_text(min_assessed, hide)
            elif rate.withheld:
                position_text = "withheld: small numbers"
            else:
                position_text = POSITION_TEXT[force.position]
            points.append(ForcePoint(
                name=names[force.inspection], inspection=force.inspection, rate=rate,
                limits_95=interval_text(limits["low_95"], limits["high_95"]) if limits else "–",
                limits_998=interval_text(limits["low_99.8"], limits["high_99.8"]) if limits else "–",
                position=force.position, position_text=position_text,
                meaning="" if few or rate.withheld else POSITION_MEANING.get(force.position, ""),
                withheld=rate.withheld))
        points.sort(key=lambda p: p.name.lower())
        pooled = funnel.pooled
        return FunnelView(
            kind=funnel.kind, key=funnel.key, anchor=f"{funnel.kind.replace('_', '-')}-{slug(funnel.key)}", name=name,
            question=question, pooled=hide.rate(pooled.successes, pooled.total, pooled.ci_low, pooled.ci_high, ()),
            points=tuple(points),
            not_compared=tuple((names.get(n.item, n.item), n.reason) for n in funnel.not_compared), funnel=funnel)

    definitions = {c.id: c.definition for c in criteria.criteria} if criteria else {}
    criterion_views = []
    for funnel in programme.criteria:
        definition = definitions.get(funnel.key)
        question = ""
        if definition is not None and funnel.forces:
            question = question_text(definition.question, by_label[funnel.forces[0].inspection].parameters)
        criterion_views.append(view(funnel, funnel.key, question))
    themes = tuple(view(f, theme_titles.get(f.key, label(f.key)), "") for f in programme.themes)
    grades = tuple(view(f, ("Inspector's grade: " if f.kind == "inspector_grade" else "Suggested grade: ")
                        + label(f.key), "") for f in programme.grades)
    groups = _groups(criterion_views, criteria)
    beyond, look = _outside([*criterion_views, *themes, *grades])
    families = programme.families()
    family_rows = tuple(FamilyRow(
        name=name, comparisons=int(f["comparisons"]), outside_95=int(f["outside_95"]),
        outside_998=int(f["outside_99.8"]), chance_95=expected_text(f["chance_at_most_95"]),
        chance_998=expected_text(f["chance_at_most_99.8"])) for name, f in
        (("criteria", families["criteria"]), ("themes", families["themes"]), ("grade shares", families["grades"])))
    years = sorted({r.inspection.year for r in results if r.inspection.year is not None})
    years_text = " and ".join(map(str, years)) if len(years) <= 2 else f"{years[0]} to {years[-1]}"
    return ProgrammeReport(
        title=f"Child protection inspections {years_text}: forces side by side".replace("  ", " "),
        criteria_id=programme.criteria_id,
        criteria_version=results[0].criteria_version,
        years=years_text,
        inspections=tuple(sorted((InspectionRow(
            name=names[s.inspection or s.file], inspection=s.inspection or "not named",
            year="" if s.year is None else str(s.year), as_of=s.as_of, cases=hide.count(s.cases).text, file=s.file)
            for s in programme.samples), key=lambda row: row.name.lower())),
        forces=forces,
        cases=hide.count(sum(s.cases for s in programme.samples)).text,
        beyond_chance=beyond,
        beyond_chance_text=(f"{_lie(len(beyond))} outside the 99.8% limits: "
                            + ("this force differs" if len(beyond) == 1 else "these forces differ")
                            + " from the pooled rate by more than chance explains." if beyond else
                            "No force is outside the 99.8% limits on any criterion, theme or grade share: no force "
                            "differs from the pooled rate beyond chance."),
        worth_a_look=look,
        worth_a_look_text=(f"{_lie(len(look))} outside the 95% limits but inside the 99.8% limits. Each is worth a "
                           "look, but among this many comparisons some fall there by chance alone: they are not "
                           "findings on their own." if look else
                           "No force is outside the 95% limits on any criterion, theme or grade share."),
        families=family_rows,
        comparisons_text=_comparisons_text(family_rows[0], len(programme.criteria)),
        overview=tuple(OverviewRow(v.key, v.anchor, v.pooled, tuple(
            next((p for p in v.points if p.name == force), None) for force in forces)) for v in criterion_views),
        groups=groups,
        themes=themes,
        grades=grades,
        notes=programme.notes,
        limits_meaning=LIMITS_MEANING,
        method=(*METHOD, ("Small numbers", _small_numbers(hide, min_assessed))),
        suppressed=hide.active,
        suppress_below=hide.below if hide.active else None,
    )


def _small_numbers(hide: Suppression, min_assessed: int) -> str:
    text = min_assessed_text(min_assessed)
    if min_assessed > 1:
        text += (f" A force with fewer than {min_assessed} assessed cases on a criterion, theme or grade share is not "
                 "compared with the pooled rate: it is left out of the comparisons counted and never named as outside "
                 "the limits.")
    if hide.active:
        text += (f" Counts from 1 to {few_limit(1, hide) - 1} are shown as \u201cfewer than {hide.below}\u201d; a "
                 "rate, its limits and where it lies are withheld when they would reveal such a count.")
    return text


def _groups(views: list[FunnelView], criteria: CriteriaSet | None) -> tuple[CriterionGroup, ...]:
    if criteria is None:
        return (CriterionGroup("Criteria", None, tuple(views)),)
    by_theme: dict[str, list[FunnelView]] = {}
    theme_of = {c.id: c.definition.theme for c in criteria.criteria}
    for v in views:
        by_theme.setdefault(theme_of.get(v.key, ""), []).append(v)
    groups = []
    for theme_id, members in by_theme.items():
        theme = criteria.file.themes.get(theme_id)
        groups.append(CriterionGroup(theme.title if theme else "Other criteria", finding_view(theme) if theme else None,
                                     tuple(members)))
    return tuple(groups)


def _outside(views: Sequence[FunnelView]) -> tuple[tuple[OutsideRow, ...], tuple[OutsideRow, ...]]:
    beyond, look = [], []
    for v in views:
        item = f"{v.key}" if v.kind == "criterion" else v.name
        for p in v.points:
            if not p.outside:
                continue
            if p.position in (ABOVE_998, BELOW_998):
                beyond.append(OutsideRow(item, v.anchor, p, v.pooled.percent))
            elif p.position in (ABOVE_95, BELOW_95):
                look.append(OutsideRow(item, v.anchor, p, v.pooled.percent))
    return tuple(beyond), tuple(look)


def _comparisons_text(criteria: FamilyRow, count: int) -> str:
    return (f"{criteria.comparisons} comparisons of a force with the pooled rate were made on {count} criteria. "
            f"If every force's true rate were the pooled rate, at most about {criteria.chance_95} of them would "
            f"fall outside the 95% limits and {criteria.chance_998} outside the 99.8% limits by chance alone; "
            f"{criteria.outside_95} fell outside the 95% limits and {criteria.outside_998} outside the 99.8% limits.")


# --- charts and files ----------------------------------------------------------------------------

def programme_charts(report: ProgrammeReport) -> dict[str, Chart]:
    """A funnel plot per criterion, by the criterion's anchor."""
    charts = {}
    for v in report.funnels:
        points = [FunnelPoint(p.name, p.rate.total.value or 0, p.rate.rate,
                              "" if not p.outside else p.position_text)
                  for p in v.points if p.rate.rate is not None]
        pooled = v.funnel.pooled.rate
        curve = v.funnel.curve() if pooled is not None else []
        title = f"{v.key}: each force's rate against its number of cases, with the pooled rate and 95% and 99.8% limits"
        charts[v.anchor] = funnel_chart(points, pooled or 0.0, curve, chart_id=f"chart-{v.anchor}",
                                        table_id=f"table-{v.anchor}", title=title)
    return charts


def render_programme_report(programme: Programme, results: Sequence[Results], criteria: CriteriaSet | None = None, *,
                            formats: Sequence[str] = ("html", "pdf"), template_dir: str | Path | None = None,
                            suppress_below: int | None = None, marking: str = DEFAULT_MARKING) -> dict[str, bytes]:
    """The programme report in each of `formats` (html, pdf), as bytes by format."""
    def context() -> dict[str, Any]:
        report = programme_report_context(programme, results, criteria, suppress_below=suppress_below)
        return {"report": report, "charts": programme_charts(report)}

    return PROGRAMME.render(formats, template_dir, context, publication=Publication.of(
        marking, [(r.criteria_id, r.criteria_version) for r in results]))


def programme_formats(formats: Sequence[str] | None, suppress_below: int | None) -> tuple[str, ...]:
    """The formats asked of a programme report (the parts of `--format`), checked: json, html and pdf by
    default, html and pdf for publication (programme.json holds every count, unsuppressed)."""
    if formats is None:
        formats = ["html", "pdf"] if suppress_below else ["json", "html", "pdf"]
    chosen = PROGRAMME_FORMATS.check(formats)
    if "json" in chosen and suppress_below:
        raise InputError.single("--format", "json holds every count unsuppressed, so it cannot be prepared for "
                                            "publication with --suppress-below; ask for html,pdf")
    return chosen


def write_programme_report(results: Sequence[Results], out: str | Path | None = None, *,
                           formats: Sequence[str] | None = None, criteria: CriteriaSet | None = None,
                           template_dir: str | Path | None = None, suppress_below: int | None = None,
                           outputs: OutputSet | None = None,
                           min_assessed: int = MIN_ASSESSED,
                           marking: str = DEFAULT_MARKING) -> tuple[Programme, list[Path]]:
    """`thematic report` of several results files, loaded (`load_results_files`): the programme
    (InputError for different criteria sets or an inspection given twice) and the paths written,
    programme.json first. `formats` as in `programme_formats`; `criteria` the set whose questions and
    theme titles the report shows (`criteria_texts`; None: criteria shown by id); `out` defaults to
    out/programme-YEARS. The outputs are checked once the folder is known, and staged in `outputs`
    (its owner declared the inputs and commits), or without `outputs` written together now."""
    chosen = programme_formats(formats, suppress_below)
    check_template_dir(template_dir)  # a wrong folder is an error even when only JSON is asked for
    with output_set(outputs) as run:
        programme = build_programme(results, min_assessed=min_assessed)
        years = sorted({str(r.inspection.year) for r in results if r.inspection.year is not None})
        folder = Path(out) if out else Path("out") / "-".join(["programme", *years])
        PROGRAMME.declare(run, folder, chosen)
        documents = [fmt for fmt in chosen if fmt in DOCUMENTS]
        rendered: dict[str, bytes] = {}
        if documents:  # rendered before anything is written, so a failure leaves no half-made report
            rendered = render_programme_report(programme, results, criteria,
                                               formats=documents, template_dir=template_dir,
                                               suppress_below=suppress_below, marking=marking)
        written = PROGRAMME.write(rendered, folder, run, document=programme.to_json() if "json" in chosen else None)
    return programme, written


def summary_lines(programme: Programme) -> list[str]:
    """What `thematic report` prints of a programme: its key facts and each result outside the 99.8% limits."""
    lines = [f"programme of {key_facts(programme)}"]
    for funnel in (*programme.criteria, *programme.themes, *programme.grades):
        for force in funnel.outside_998:
            lines.append(f"  outside the 99.8% limits: {force.inspection} on {funnel.key}: {force.rate.successes} of "
                         f"{force.rate.total}, {force.position.split('_')[0]} the pooled rate")
    return lines


def key_facts(programme: Programme) -> str:
    """One line for an index: the forces, the cases, and the comparisons outside each limit."""
    f = programme.families()["criteria"]
    count = len(programme.samples)
    distinct = len({s.force for s in programme.samples if s.force})
    who = f"{count} forces" if distinct == count else f"{count} inspections"
    cases = sum(s.cases for s in programme.samples)
    return (f"{who}, {cases} cases; {int(f['comparisons'])} comparisons on {len(programme.criteria)} criteria: "
            f"{int(f['outside_99.8'])} outside the 99.8% limits (chance alone: at most "
            f"{expected_text(f['chance_at_most_99.8'])}), {int(f['outside_95'])} outside the 95% limits "
            f"(chance alone: at most {expected_text(f['chance_at_most_95'])})" + _few_facts(programme))


def _few_facts(programme: Programme) -> str:
    few = sum(1 for funnel in programme.criteria for force in funnel.forces if force.position == FEW_CASES)
    if not few:
        return ""
    return (f"; {few} {'result' if few == 1 else 'results'} from fewer than {programme.min_assessed} assessed cases "
            "not compared")
