"""`thematic run`: validate, score and report one inspection (`thematic.render.inspection.run_inspection`)."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from thematic.commands._options import add_marking, add_output
from thematic.render.table import summary_table

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("run", help="validate, score and report one inspection",
                              description="Validate and score one inspection: writes DIR/results.json, the force "
                                          "report DIR/report.html and DIR/report.pdf, and prints a summary.")
    p.add_argument("inspection", metavar="INSPECTION.yaml", help="the inspection file")
    add_output(p, metavar="DIR", help="output folder (default: out/INSPECTION-ID)")
    add_marking(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate, score and report one inspection: DIR/results.json, report.html and report.pdf."""
    from thematic.render.inspection import run_inspection  # loads matplotlib: only here

    ran = run_inspection(args.inspection, args.output, args.marking)
    print(summary_table(ran.document, ran.severities))
    print(f"\nresults written to {ran.results}")
    for report in ran.reports:
        print(f"report written to {report}")
    return 0
