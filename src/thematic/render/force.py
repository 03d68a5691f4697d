"""The force report end to end: view data, charts, and the report through the render pipeline.

`render_force_report` is the library call behind `thematic run`, `thematic report` and the demo;
`write_force_report` writes the report of a results file the command has loaded
(`thematic.load.results`, into the same `ResultsDocument` scoring makes) with the criteria set it
was scored with (found by the command: `thematic.scoring.results_criteria.criteria_for`) and the
agreement file if given: DIR/report.html,
DIR/report.pdf and (unless suppressed) the cases table DIR/cases.csv and DIR/cases.xlsx together
(`thematic.render.output`), so a failure never leaves a half-made report. `declare_force_report`
declares those files, and the inputs they must not overwrite, before anything is loaded. `force_charts` and
`FORCE.html` / `FORCE.pdf` are separate steps so that the benchmark can time each.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thematic.core.atomic import OutputSet, output_set
from thematic.load.results import Results
from thematic.model.results import ResultsDocument
from thematic.render.case_lists import case_lists
from thematic.render.cases_table import CASES_FILES, case_table_files
from thematic.render.charts import Chart, grade_chart, theme_chart
from thematic.render.context import force_report_context
from thematic.render.draft_findings import draft_findings
from thematic.render.inputs import declare_inputs
from thematic.render.output import DOCUMENT_FORMATS, Report
from thematic.render.publication import DEFAULT_MARKING, Publication
from thematic.render.sections import ForceReport
from thematic.render.views import DEFAULT_THRESHOLDS, MIN_ASSESSED, Suppression
from thematic.scoring.criteria import CriteriaSet

__all__ = ["FORCE", "FORCE_FORMATS", "FILE_NAMES", "FORMATS", "TEMPLATE", "ForceCharts", "declare_force_report",
           "force_charts", "render_force_report", "write_force_report"]

FORMATS: tuple[str, ...] = DOCUMENT_FORMATS.names
TEMPLATE = "force.html.j2"
# cases.csv and cases.xlsx (every case's states and evidence) go beside the report unless suppressed.
FILE_NAMES = {"html": "report.html", "pdf": "report.pdf", **CASES_FILES}
FORCE = Report(TEMPLATE, FILE_NAMES)
FORCE_FORMATS = DOCUMENT_FORMATS


@dataclass(frozen=True)
class ForceCharts:
    grades: Chart
    themes: Mapping[str, Chart]  # by theme anchor


def force_charts(report: ForceReport) -> ForceCharts:
    return ForceCharts(
        grades=grade_chart(report.grades),
        themes={theme.anchor: theme_chart(theme, report.thresholds) for theme in report.themes},
    )


def render_force_report(
    document: ResultsDocument,
    criteria: CriteriaSet,
    *,
    formats: Sequence[str] = FORMATS,
    template_dir: str | Path | None = None,
    suppress_below: int | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    agreement: Mapping[str, Any] | None = None,
    min_assessed: int = MIN_ASSESSED,
    marking: str = DEFAULT_MARKING,
) -> dict[str, bytes]:
    """The force report of a results document in each format, as bytes by format name ("html", "pdf"),
    and, unless `suppress_below` suppresses counts, its cases table ("csv", "xlsx":
    `thematic.render.cases_table`), written beside it as cases.csv and cases.xlsx.

    `agreement`: the inspection's `thematic.agreement/1` document; with double-scored cases, the
    report gains its "Agreement between inspectors" section.
    """
    withheld = Suppression(suppress_below).active

    def context() -> dict[str, Any]:
        report = force_report_context(document, criteria, suppress_below=suppress_below, thresholds=thresholds,
                                      agreement=agreement, min_assessed=min_assessed)
        # The appendix follows the report's order of criteria, worded as its rows are.
        questions = {row.id: row.question for theme in report.themes for row in theme.criteria}
        return {"report": report, "charts": force_charts(report),
                "draft": draft_findings(document, report, min_assessed=min_assessed),
                "case_lists": case_lists(document.cases or (), questions, withheld=withheld)}

    publication = Publication.of(marking, [(criteria.id, criteria.file.version)])
    rendered = FORCE.render(formats, template_dir, context, publication=publication)
    if not withheld:
        rendered.update(case_table_files(document.cases or (), [c.id for c in criteria.criteria], publication))
    return rendered


def force_files(formats: Sequence[str], suppress_below: int | None) -> tuple[str, ...]:
    """The files of a force report by format: the formats asked for (checked), and the cases table
    unless `suppress_below` suppresses counts."""
    tables = () if Suppression(suppress_below).active else tuple(CASES_FILES)
    return (*FORCE_FORMATS.check(formats), *tables)


def declare_force_report(outputs: OutputSet, results: str, out: str | Path, *, formats: Sequence[str] = FORMATS,
                         criteria: str | None = None, agreement: str | None = None,
                         suppress_below: int | None = None) -> None:
    """Declare the report's inputs (the results file, and the criteria and agreement files if given)
    and its files in `out`: checked before anything is loaded, so a file that must not be written
    stops the run first."""
    declare_inputs(outputs, [results], criteria, agreement)
    FORCE.declare(outputs, out, force_files(formats, suppress_below))


def write_force_report(
    results: Results,
    criteria: CriteriaSet,
    out: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    agreement: Mapping[str, Any] | None = None,
    template_dir: str | Path | None = None,
    suppress_below: int | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    outputs: OutputSet | None = None,
    min_assessed: int = MIN_ASSESSED,
    marking: str = DEFAULT_MARKING,
) -> list[Path]:
    """`thematic report RESULTS.json`: the force report of the loaded results file `results` (read
    with its cases) in `out`, with the criteria set it was scored with and the checked agreement
    document if given; the paths written, in format order. The files are staged in `outputs` (its
    owner declared them with `declare_force_report` and commits), or without `outputs` declared and
    written together now."""
    with output_set(outputs) as run:
        FORCE.declare(run, out, force_files(formats, suppress_below))  # already declared by the owner: no change
        rendered = render_force_report(results.document, criteria, formats=formats, template_dir=template_dir,
                                       suppress_below=suppress_below, thresholds=thresholds,
                                       agreement=agreement, min_assessed=min_assessed, marking=marking)
        return FORCE.write(rendered, out, run)
