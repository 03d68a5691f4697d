"""`thematic compare-assessors FORCE.json INSPECTORS.json`: a force's own audit beside the inspectors'.

Reads two results files scored on the same cases, calls `thematic.stats.assessors` for agreement and
the direction of any bias, prints the plain-text table, writes the JSON document
(`thematic.assessor-comparison/1`) when asked (`-o FILE.json`) and the self-assessment report
(`--report DIR`: DIR/assessors.html and DIR/assessors.pdf, through `thematic.render.assessors`).
Everything is made before anything is written, and the files are moved into place together.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError

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
    p.add_argument("--report", metavar="DIR",
                   help="also write the self-assessment report as DIR/assessors.html and DIR/assessors.pdf "
                        "(tagged PDF/UA-1)")
    p.add_argument("--criteria", metavar="FILE",
                   help="the criteria file both were scored with, to name each criterion's question in the report "
                        "(default: the shipped set of the same id and version, if there is one)")
    p.add_argument("--grade", choices=("assessor", "suggested"), default="assessor",
                   help="compare each side's own grade (assessor, the default) or thematic's suggested grade")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: scipy and statsmodels take a second to load, which every other command would pay.
    from thematic.load.results import load_case_states_files
    from thematic.render.agreement_text import comparison_text
    from thematic.render.assessors import FILE_NAMES
    from thematic.stats.assessors import compare_assessors

    with OutputSet() as outputs:  # checked before any work; the files appear together, or none
        for path, what in ((args.force, "the force's results file"), (args.inspectors, "the inspectors' results file"),
                           (args.criteria, "the criteria file (--criteria)")):
            if path:
                outputs.read(path, what=what)
        if args.output:
            outputs.file(args.output, option="-o")
        if args.report:
            for name in FILE_NAMES.values():
                outputs.in_folder(args.report, name, option="--report")
        comparison = compare_assessors(*load_case_states_files([args.force, args.inspectors]), grade_source=args.grade)
        rendered: dict[str, bytes] = {}
        if args.report:
            from thematic.render.assessors import render_assessors_report, write_assessors_report

            rendered = render_assessors_report(comparison, questions=questions(comparison, args.criteria))
            write_assessors_report(rendered, args.report, outputs)
        if args.output:
            outputs.add(args.output, json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n")
        written = outputs.commit()
    print(comparison_text(comparison))
    if args.output:
        print(f"\ncomparison written to {args.output}")
    for path in written:
        if path != Path(args.output or ""):
            print(f"report written to {path}")
    return 0


def questions(comparison: Any, path: str | None) -> dict[str, str]:
    """Each compared criterion's question, with the force's parameter values in it.

    From `path`, or else the shipped criteria set of the results' id and version; {} when there is none
    (the report then names criteria by id). A file given that is not the results' set is an InputError.
    """
    from thematic.load.criteria import shipped_criteria_path
    from thematic.load.results import load_results
    from thematic.render.context import question_text
    from thematic.scoring.criteria import load_criteria

    force = comparison.force
    if path is None:
        try:
            path = str(shipped_criteria_path(force.criteria_id))
        except InputError:
            return {}
        criteria = load_criteria(path)
        if criteria.file.version != force.criteria_version:
            return {}
    else:
        criteria = load_criteria(path)
        if criteria.id != force.criteria_id or criteria.file.version != force.criteria_version:
            raise InputError.single(path, f"is {criteria.id} version {criteria.file.version}, but the results were "
                                          f"scored with {force.criteria_id} version {force.criteria_version}",
                                    field="--criteria")
    parameters = {**criteria.defaults(), **load_results(force.file).parameters}
    return {c.id: question_text(c.definition.question, parameters) for c in criteria.criteria}
