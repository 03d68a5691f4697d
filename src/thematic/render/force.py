"""The force report end to end: view data, charts, HTML and PDF, and writing them to a folder.

Each step is its own function so that the benchmark can time it and a caller can stop after the
HTML; `write_force_report` is the library call behind `thematic run` and `thematic report`.
Nothing is written until every requested format has rendered, and the files are moved into place
together (`thematic.core.atomic.OutputSet`), so a failure never leaves a half-made report.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thematic import __version__
from thematic.core.atomic import OutputSet, output_set
from thematic.core.errors import InputError
from thematic.render.charts import Chart, grade_chart, theme_chart
from thematic.render.context import ForceReport, force_report_context
from thematic.render.html import check_template, render_template
from thematic.render.pdf import html_to_pdf
from thematic.render.views import DEFAULT_THRESHOLDS
from thematic.scoring.criteria import CriteriaSet

FORMATS: tuple[str, ...] = ("html", "pdf")
TEMPLATE = "force.html.j2"
FILE_NAMES = {"html": "report.html", "pdf": "report.pdf"}


@dataclass(frozen=True)
class ForceCharts:
    grades: Chart
    themes: Mapping[str, Chart]  # by theme anchor


def force_charts(report: ForceReport) -> ForceCharts:
    return ForceCharts(
        grades=grade_chart(report.grades),
        themes={theme.anchor: theme_chart(theme, report.thresholds) for theme in report.themes},
    )


def force_html(report: ForceReport, charts: ForceCharts, *, template_dir: str | Path | None = None,
               paged: bool = False) -> str:
    """The report's HTML; `paged` adds the paged-media styles (print.css) that only WeasyPrint reads."""
    return render_template(TEMPLATE, template_dir, report=report, charts=charts, paged=paged,
                           generator=f"thematic {__version__}")


def force_pdf(report: ForceReport, charts: ForceCharts, *, template_dir: str | Path | None = None) -> bytes:
    return html_to_pdf(force_html(report, charts, template_dir=template_dir, paged=True))


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats asked for, each known, in order and once; InputError otherwise."""
    chosen: list[str] = []
    for name in formats:
        name = name.strip().lower()
        if name not in FORMATS:
            raise InputError.single("--format", f"unknown format '{name}'; expected html, pdf or html,pdf")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise InputError.single("--format", "no format given; expected html, pdf or html,pdf")
    return tuple(chosen)


def render_force_report(
    document: Mapping[str, Any],
    criteria: CriteriaSet,
    *,
    formats: Sequence[str] = FORMATS,
    template_dir: str | Path | None = None,
    suppress_below: int | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    agreement: Mapping[str, Any] | None = None,
) -> dict[str, bytes]:
    """The force report in each format, as bytes by format name ("html", "pdf").

    `agreement`: the inspection's `thematic.agreement/1` document; with double-scored cases, the
    report gains its "Agreement between inspectors" section.
    """
    chosen = check_formats(formats)
    check_template(TEMPLATE, template_dir)  # a missing or broken template stops before any work
    report = force_report_context(document, criteria, suppress_below=suppress_below, thresholds=thresholds,
                                  agreement=agreement)
    charts = force_charts(report)
    rendered: dict[str, bytes] = {}
    if "html" in chosen:
        rendered["html"] = force_html(report, charts, template_dir=template_dir).encode("utf-8")
    if "pdf" in chosen:
        rendered["pdf"] = force_pdf(report, charts, template_dir=template_dir)
    return rendered


def write_force_report(
    document: Mapping[str, Any],
    criteria: CriteriaSet,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    template_dir: str | Path | None = None,
    suppress_below: int | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    agreement: Mapping[str, Any] | None = None,
    outputs: OutputSet | None = None,
) -> list[Path]:
    """Write DIR/report.html and/or DIR/report.pdf (staged in `outputs` if given: its owner commits);
    the paths, in format order."""
    rendered = render_force_report(document, criteria, formats=formats, template_dir=template_dir,
                                   suppress_below=suppress_below, thresholds=thresholds, agreement=agreement)
    return write_rendered(rendered, out_dir, outputs)


def write_rendered(rendered: Mapping[str, bytes], out_dir: str | Path, outputs: OutputSet | None = None) -> list[Path]:
    """Stage what `render_force_report` returned into `out_dir` in `outputs` (its owner commits), or
    without `outputs` write the files together now; the paths, in format order."""
    with output_set(outputs) as chosen:
        return [chosen.add_in(out_dir, FILE_NAMES[name], data, option="-o") for name, data in rendered.items()]
