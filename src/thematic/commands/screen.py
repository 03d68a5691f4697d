"""`thematic screen`: list the cases of a whole caseload that fail chosen criteria, as CSV.

Parses the options, loads the criteria set, and calls `thematic.scoring.screening.screen_caseload`, which
streams the caseload (in parallel with `--jobs`) and writes the list atomically; prints how many
cases were screened and listed. A progress bar is shown on standard error when it is a terminal.
"""
from __future__ import annotations

import argparse
import sys

from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError
from thematic.core.options import jobs_option
from thematic.core.progress import Progress
from thematic.core.timeutil import parse_date
from thematic.load.criteria import shipped_criteria_path
from thematic.scoring.caseload import declare_caseload
from thematic.scoring.criteria import load_criteria
from thematic.scoring.parameters import ParameterError, parse_set_option
from thematic.scoring.screening import parse_criteria_list, screen_caseload


def run(args: argparse.Namespace) -> int:
    criteria = load_criteria(args.criteria if args.criteria else shipped_criteria_path())
    try:
        as_of = parse_date(args.as_of)
    except ValueError as exc:
        raise InputError.single("--as-of", str(exc)) from None
    fail = parse_criteria_list(args.fail, criteria)
    parameters = criteria.defaults()
    for option in args.set or []:
        try:
            name, value = parse_set_option(criteria, option)
        except ParameterError as exc:
            raise InputError.single("--set", str(exc)) from None
        parameters[name] = value
    if args.output:  # before any case is scored: never a case file, the criteria, a FIFO or a device
        outputs = OutputSet()
        declare_caseload(outputs, args.cases, criteria)
        outputs.file(args.output, option="-o")
    with Progress(sys.stderr, "screening") as progress:
        result = screen_caseload(args.cases, criteria=criteria, as_of=as_of, parameters=parameters, fail=fail,
                                 output=args.output, stream=None if args.output else sys.stdout,
                                 jobs=args.jobs, progress=progress)
    where = f"; list written to {args.output}" if args.output else ""
    print(f"screened {result.cases} case(s): {result.listed} fail {', '.join(fail.criteria)}{where}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "screen", help="list the cases of a caseload failing chosen criteria, as CSV",
        description="Score every case of a caseload (JSON Lines, YAML or JSON case files) and list those where "
                    "a chosen criterion is not met or not evidenced, most serious severity first, then most "
                    "recently reported: one CSV row per case with the child's reference, the failing criteria, "
                    "their severities and evidence. Nothing is written unless every case file is valid.")
    p.add_argument("cases", nargs="+", metavar="CASES", help="case files, folders or globs (.jsonl, .yaml, .yml, .json)")
    p.add_argument("--fail", required=True, metavar="IDS",
                   help="criteria to screen for, separated by commas, e.g. RISK-01,RISK-02,CRM-01")
    p.add_argument("--criteria", metavar="FILE", help="criteria file (default: the shipped ncpi-thematic-2019)")
    p.add_argument("--as-of", required=True, metavar="DATE", help="the date the caseload was extracted (YYYY-MM-DD)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter; may be repeated")
    p.add_argument("-o", "--output", metavar="FILE.csv", help="write the list here (default: standard output)")
    p.add_argument("--jobs", type=jobs_option, default=1, metavar="N",
                   help="score in N processes (JSON Lines input); the list is the same as with one")
    p.set_defaults(handler=run)
