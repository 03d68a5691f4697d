"""`thematic run`'s work: one inspection validated, scored and reported, its files written together.

`run_inspection` loads the inspection (with its sample, loaded once for scoring and for the
agreement between inspectors), checks every output before any work (never a file the inspection
reads, a FIFO or a device), scores it, renders the force report (with the agreement section when
judgements files could hold a second inspector's answers) and writes DIR/results.json,
DIR/report.html and DIR/report.pdf together, or none of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from thematic.core.atomic import OutputSet, check_safe_name
from thematic.load.sample import load_judged_sample
from thematic.model.results import ResultsDocument
from thematic.render.force import FILE_NAMES, FORCE, render_force_report
from thematic.render.output import json_text
from thematic.render.publication import DEFAULT_MARKING
from thematic.scoring.inspection import inspection_results
from thematic.scoring.prepare import load_inspection


@dataclass(frozen=True)
class InspectionRun:
    """What a run wrote: the results document, each criterion's severity, and the files."""

    document: ResultsDocument
    severities: dict[str, str]
    results: Path
    reports: list[Path]


def default_folder(inspection_id: str, inspection_file: str) -> Path:
    """out/INSPECTION-ID, the id checked to be a safe folder name."""
    return Path("out") / check_safe_name(inspection_id, file=inspection_file, field="inspection",
                                         use="the default output folder out/ID")


def run_inspection(inspection_file: str, output: str | None = None, marking: str = DEFAULT_MARKING) -> InspectionRun:
    """Score the inspection in `inspection_file` and write its results and force report to `output`
    (-o; default out/INSPECTION-ID)."""
    inspection = load_inspection(inspection_file)
    out = Path(output) if output else default_folder(inspection.id, inspection_file)
    with OutputSet() as outputs:  # checked before any work; all three files appear together, or none
        for path, what in inspection.input_files():
            outputs.read(path, what=what)
        for name in ("results.json", *FILE_NAMES.values()):
            outputs.in_folder(out, name, option="-o")
        sample = load_judged_sample(inspection)  # loaded once: scored, and measured for agreement
        document = inspection_results(inspection, sample)
        agreement = None
        if sample is not None:  # only judgements files can hold a second inspector's answers to a case
            from thematic.stats.agreement import agreement_from_sample  # scipy and statsmodels: only here

            agreement = agreement_from_sample(sample).to_json()  # the report shows it if any case is double-scored
        rendered = render_force_report(document, inspection.criteria, agreement=agreement, marking=marking)
        results = outputs.add(out / "results.json", json_text(document.to_json()))
        reports = FORCE.write(rendered, out, outputs)
        outputs.commit()
    severities: dict[str, str] = {c.id: c.definition.severity for c in inspection.criteria.criteria}
    return InspectionRun(document, severities, results, reports)
