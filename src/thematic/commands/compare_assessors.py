"""`thematic compare-assessors FORCE.json INSPECTORS.json`: a force's own audit beside the inspectors'.

Reads two results files scored on the same cases, calls `thematic.assessors` for agreement and
the direction of any bias, prints the plain-text table and writes the JSON document
(`thematic.assessor-comparison/1`) atomically when asked.
"""
from __future__ import annotations

import argparse
import json
from typing import Any

from thematic.atomic import write_text_atomic

DESCRIPTION = (
    "Compare a force's self-assessment with the inspectors' assessment of the same cases (two results "
    "files, matched by case id): per criterion and for the grade, the cases both assessed, raw agreement, "
    "Cohen's kappa and Gwet's AC1, and whether the force rates itself more favourably (McNemar's test on "
    "the paired met / not met results, Holm-adjusted across criteria; a sign test for the grade)."
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("compare-assessors", help="set a force's own audit beside the inspectors' on the same cases",
                              description=DESCRIPTION)
    p.add_argument("force", metavar="FORCE.json", help="results of the force's own audit (thematic.results/1)")
    p.add_argument("inspectors", metavar="INSPECTORS.json", help="results of the inspectors' assessment of the same cases")
    p.add_argument("-o", "--output", metavar="FILE", help="also write the comparison as JSON (thematic.assessor-comparison/1)")
    p.add_argument("--grade", choices=("assessor", "suggested"), default="assessor",
                   help="compare each side's own grade (assessor, the default) or thematic's suggested grade")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: scipy and statsmodels take a second to load, which every other command would pay.
    from thematic.assessors import compare_assessor_files, comparison_text

    comparison = compare_assessor_files(args.force, args.inspectors, grade_source=args.grade)
    print(comparison_text(comparison))
    if args.output:
        write_text_atomic(args.output, json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n")
        print(f"\ncomparison written to {args.output}")
    return 0
