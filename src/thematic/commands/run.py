"""`thematic run`: validate, score and report one inspection (DIR/results.json, report.html, report.pdf)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from thematic.commands._options import add_output
from thematic.core.atomic import OutputSet, check_safe_name
from thematic.load.sample import load_judged_sample
from thematic.render.table import summary_table
from thematic.scoring.inspection import score_inspection
from thematic.scoring.prepare import load_inspection

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("run", help="validate, score and report one inspection",
                              description="Validate and score one inspection: writes DIR/results.json, the force "
                                          "report DIR/report.html and DIR/report.pdf, and prints a summary.")
    p.add_argument("inspection", metavar="INSPECTION.yaml", help="the inspection file")
    add_output(p, metavar="DIR", help="output folder (default: out/INSPECTION-ID)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate, score and report one inspection: DIR/results.json, report.html and report.pdf."""
    from thematic.render.force import FILE_NAMES, FORCE, render_force_report  # loads matplotlib: only here
    from thematic.render.output import json_text

    inspection = load_inspection(args.inspection)
    out = Path(args.output) if args.output else Path("out") / check_safe_name(
        inspection.id, file=args.inspection, field="inspection", use="the default output folder out/ID")
    with OutputSet() as outputs:  # checked before any work; all three files appear together, or none
        for path, what in inspection.input_files():
            outputs.read(path, what=what)
        for name in ("results.json", *FILE_NAMES.values()):
            outputs.in_folder(out, name, option="-o")
        sample = load_judged_sample(inspection)  # loaded once: scored, and measured for agreement
        document = score_inspection(inspection, sample)
        agreement = None
        if sample is not None:  # only judgements files can hold a second inspector's answers to a case
            from thematic.stats.agreement import agreement_from_sample

            agreement = agreement_from_sample(sample).to_json()  # the report shows it if any case is double-scored
        rendered = render_force_report(document, inspection.criteria, agreement=agreement)
        outputs.add(out / "results.json", json_text(document))
        written = FORCE.write(rendered, out, outputs)
        outputs.commit()
    severities: dict[str, str] = {c.id: c.definition.severity for c in inspection.criteria.criteria}
    print(summary_table(document, severities))
    print(f"\nresults written to {out / 'results.json'}")
    for report in written:
        print(f"report written to {report}")
    return 0
