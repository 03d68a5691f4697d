"""`thematic workbook`: make the audit workbook inspectors fill in for an inspection's sample
(`thematic.workbook.make`)."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from thematic.commands._options import add_marking, add_output

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: every command's start-up would pay for them (docs/architecture.md).
    from thematic.workbook.make import make_workbook

    made = make_workbook(args.inspection, args.output, args.inspector, args.marking)
    filled = f"; filled in with {args.inspector}'s {made.own} answer(s) and grade(s) so far" if args.inspector else ""
    print(f"audit workbook for {made.cases} case(s) and {made.questions} judgement question(s) "
          f"written to {made.path}{filled}")
    return 0


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "workbook", help="make the audit workbook (.xlsx) inspectors fill in for an inspection",
        description="Make an audit workbook for an inspection's sample: a row per case with its automatic "
                    "results (locked), a drop-down answer and a note per judgement question, the grade, "
                    "referred back and the inspector's reference; a guidance sheet and a criteria sheet. "
                    "Read it back with `thematic import-workbook`.")
    p.add_argument("inspection", metavar="INSPECTION.yaml", help="the inspection file")
    add_output(p, metavar="FILE",
               help="the workbook to write, ending in .xlsx (default: out/INSPECTION-ID/audit[-INSPECTOR].xlsx)")
    p.add_argument("--inspector", metavar="REF",
                   help="the inspector it is for (a reference such as insp-a): their answers so far are filled in, "
                        "and no one else's")
    add_marking(p, what="every printed page")
    p.set_defaults(handler=run)
