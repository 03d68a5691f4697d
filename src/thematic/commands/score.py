"""`thematic score`: score case files, streamed case by case (`thematic.scoring.caseload.score_caseload`).

The results JSON goes to a file (`-o`) or standard output; a progress bar is drawn on standard
error when it is a terminal.
"""
from __future__ import annotations

import argparse
import gc
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
from thematic.core.errors import InputError

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("score", help="score case files; results JSON to a file or standard output",
                              description="Score case files against a criteria set and print the results JSON "
                                          "(thematic.results/1), or write it to FILE.")
    p.add_argument("cases", nargs="+", metavar="CASES",
                   help="case files, folders or globs (.yaml, .yml, .json, .jsonl)")
    add_criteria(p, help="criteria file (default: the shipped ncpi-thematic-2019)")
    add_as_of(p, help="the date the sample was taken (YYYY-MM-DD)")
    add_set(p)
    add_output(p, metavar="FILE", help="write the results JSON here instead of standard output")
    p.add_argument("--cases-out", metavar="FILE.jsonl",
                   help="write each case's results to FILE as JSON Lines; the results JSON then holds the summary")
    p.add_argument("--summary-only", action="store_true",
                   help="leave out per-case results (and their evidence): the results JSON holds the summary")
    add_jobs(p, help="score JSON Lines in N processes; the results are the same as with one, in the same order")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Score case files, streamed case by case; results JSON to a file or standard output."""
    criteria = criteria_set(args.criteria)
    date = as_of(args.as_of)
    values = parameters(criteria, args.set)
    if args.cases_out and args.summary_only:
        raise InputError.single("--cases-out", "--cases-out and --summary-only exclude each other: choose one")
    from thematic.core.progress import Progress
    from thematic.scoring.caseload import score_caseload

    # What exists now (modules, the criteria) lives as long as the run: kept out of the collector's full
    # passes, which otherwise walk it again and again while cases are scored (0.07 CPU s in 40,000 cases);
    # given back afterwards, for a caller that goes on in the same process.
    gc.freeze()
    try:
        with Progress(sys.stderr, "scoring") as progress:  # drawn only when standard error is a terminal
            result = score_caseload(args.cases, criteria=criteria, as_of=date, parameters=values,
                                    output=args.output, stream=None if args.output else sys.stdout,
                                    cases_out=args.cases_out, summary_only=args.summary_only, jobs=args.jobs,
                                    progress=progress)
    finally:
        gc.unfreeze()
    if args.output:
        where = f"; case results in {args.cases_out}" if args.cases_out else ""
        print(f"scored {result.cases} case(s); results written to {args.output}{where}", file=sys.stderr)
    return 0
