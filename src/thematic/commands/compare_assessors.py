"""`thematic compare-assessors FORCE.json INSPECTORS.json`: a force's own audit beside the inspectors'.

Reads two results files scored on the same cases, calls `thematic.stats.assessors` for agreement and
the direction of any bias, prints the plain-text table, writes the JSON document
(`thematic.assessor-comparison/1`) when asked (`-o FILE.json`) and the self-assessment report
(`--report DIR`: DIR/assessors.html and DIR/assessors.pdf), all through
`thematic.render.assessors.write_assessors_report` from the two files, each loaded once, and (for
the report's questions) the criteria set they were scored with, found by
`thematic.scoring.results_criteria.criteria_of`. Everything is made before anything is written, and
the files are moved into place together.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from thematic.commands._options import add_criteria, add_marking, add_output

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers

DESCRIPTION = (
    "Compare a force's self-assessment with the inspectors' assessment of the same cases (two results "
    "files, matched by case id): per criterion and for the grade, the cases both assessed, raw agreement, "
    "Cohen's kappa and Gwet's AC1, and whether the force rates itself more favourably (McNemar's test on "
    "the paired met / not met results, Holm-adjusted across criteria; a sign test for the grade)."
)


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("compare-assessors",
                              help="set a force's own audit beside the inspectors' on the same cases",
                              description=DESCRIPTION)
    p.add_argument("force", metavar="FORCE.json", help="results of the force's own audit (thematic.results/1)")
    p.add_argument("inspectors", metavar="INSPECTORS.json",
                   help="results of the inspectors' assessment of the same cases")
    add_output(p, metavar="FILE", help="also write the comparison as JSON (thematic.assessor-comparison/1)")
    p.add_argument("--report", metavar="DIR",
                   help="also write the self-assessment report as DIR/assessors.html and DIR/assessors.pdf "
                        "(tagged PDF/UA-1)")
    add_criteria(p, help="the criteria file both were scored with, to name each criterion's question in the "
                         "report (default: the shipped set of the same id and version, if there is one)")
    p.add_argument("--grade", choices=("assessor", "suggested"), default="assessor",
                   help="compare each side's own grade (assessor, the default) or thematic's suggested grade")
    add_marking(p, what="every page of the report")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: scipy and statsmodels take a second to load, which every other command would pay.
    from thematic.core.atomic import output_set
    from thematic.load.results import load_case_states_files
    from thematic.render.agreement_text import comparison_text
    from thematic.render.assessors import declare_assessors_report, write_assessors_report
    from thematic.scoring.results_criteria import criteria_of

    with output_set(None) as run:
        declare_assessors_report(run, args.force, args.inspectors, output=args.output, report=args.report,
                                 criteria=args.criteria)
        force, inspectors = load_case_states_files([args.force, args.inspectors])
        # The questions are read only for the report that shows them.
        criteria = (criteria_of(force.results.criteria_id, force.results.criteria_version, args.criteria)
                    if args.report else None)
        comparison, written = write_assessors_report(force, inspectors, output=args.output, report=args.report,
                                                     criteria=criteria, grade_source=args.grade, outputs=run,
                                                     marking=args.marking)
    print(comparison_text(comparison))
    if args.output:
        print(f"\ncomparison written to {args.output}")
    for path in written:
        print(f"report written to {path}")
    return 0
