"""`thematic screen`: list the cases of a whole caseload that fail chosen criteria, as CSV.

Reads the options, loads the criteria set, and calls `thematic.scoring.screening.screen_caseload`, which
streams the caseload (in parallel with `--jobs`) and writes the list atomically; prints how many
cases were screened and listed. A progress bar is shown on standard error when it is a terminal.
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from thematic.commands._options import (
    add_as_of,
    add_criteria,
    add_jobs,
    add_output,
    add_set,
    as_of,
    criteria_set,
    parameters,
)
from thematic.core.atomic import OutputSet
from thematic.core.progress import Progress

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: every command's start-up would pay for them (docs/architecture.md).
    from thematic.scoring.caseload import declare_caseload
    from thematic.scoring.screening import parse_criteria_list, screen_caseload

    criteria = criteria_set(args.criteria)
    date = as_of(args.as_of)
    fail = parse_criteria_list(args.fail, criteria)
    values = parameters(criteria, args.set)
    if args.output:  # before any case is scored: never a case file, the criteria, a FIFO or a device
        outputs = OutputSet()
        declare_caseload(outputs, args.cases, criteria)
        outputs.file(args.output, option="-o")
    with Progress(sys.stderr, "screening") as progress:
        result = screen_caseload(args.cases, criteria=criteria, as_of=date, parameters=values, fail=fail,
                                 output=args.output, stream=None if args.output else sys.stdout,
                                 jobs=args.jobs, progress=progress)
    where = f"; list written to {args.output}" if args.output else ""
    print(f"screened {result.cases} case(s): {result.listed} fail {', '.join(fail.criteria)}{where}", file=sys.stderr)
    return 0


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "screen", help="list the cases of a caseload failing chosen criteria, as CSV",
        description="Score every case of a caseload (JSON Lines, YAML or JSON case files) and list those where "
                    "a chosen criterion is not met or not evidenced, most serious severity first, then most "
                    "recently reported: one CSV row per case with the child's reference, the failing criteria, "
                    "their severities and evidence. Nothing is written unless every case file is valid.")
    p.add_argument("cases", nargs="+", metavar="CASES",
                   help="case files, folders or globs (.jsonl, .yaml, .yml, .json)")
    p.add_argument("--fail", required=True, metavar="IDS",
                   help="criteria to screen for, separated by commas, e.g. RISK-01,RISK-02,CRM-01")
    add_criteria(p, help="criteria file (default: the shipped ncpi-thematic-2019)")
    add_as_of(p, help="the date the caseload was extracted (YYYY-MM-DD)")
    add_set(p)
    add_output(p, metavar="FILE.csv", help="write the list here (default: standard output)")
    add_jobs(p, help="score in N processes (JSON Lines input); the list is the same as with one")
    p.set_defaults(handler=run)
