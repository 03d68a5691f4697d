"""`thematic workbook`: make the audit workbook inspectors fill in for an inspection's sample."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError
from thematic.load.sample import load_sample
from thematic.model.judgements import INSPECTOR_HINT, INSPECTOR_PATTERN
from thematic.scoring.prepare import Inspection, load_inspection
from thematic.workbook.write import build_workbook, save_workbook


def check_output(inspection: Inspection, output: Path) -> None:
    """Before any work: `output` is never a file the inspection reads, a FIFO or a device."""
    outputs = OutputSet()
    for path, what in inspection.input_files():
        outputs.read(path, what=what)
    outputs.file(output, option="-o")


def run(args: argparse.Namespace) -> int:
    if args.inspector is not None and not re.fullmatch(INSPECTOR_PATTERN, args.inspector):
        raise InputError.single("--inspector", f'"{args.inspector}" is not {INSPECTOR_HINT}')
    inspection = load_inspection(args.inspection)
    name = f"audit-{args.inspector}.xlsx" if args.inspector else "audit.xlsx"
    output = Path(args.output) if args.output else Path("out") / inspection.id / name
    if output.suffix.lower() != ".xlsx":
        raise InputError.single(str(output), "the workbook's file name must end in .xlsx", field="-o")
    check_output(inspection, output)
    sample = load_sample(inspection)
    save_workbook(build_workbook(sample, args.inspector), output)
    own = sum(1 for items in sample.ratings.values() for by in items.values() if args.inspector in by)
    filled = f"; filled in with {args.inspector}'s {own} answer(s) and grade(s) so far" if args.inspector else ""
    print(f"audit workbook for {len(sample.cases)} case(s) and {len(sample.judgement_ids)} judgement question(s) "
          f"written to {output}{filled}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "workbook", help="make the audit workbook (.xlsx) inspectors fill in for an inspection",
        description="Make an audit workbook for an inspection's sample: a row per case with its automatic "
                    "results (locked), a drop-down answer and a note per judgement question, the grade, "
                    "referred back and the inspector's reference; a guidance sheet and a criteria sheet. "
                    "Read it back with `thematic import-workbook`.")
    p.add_argument("inspection", metavar="INSPECTION.yaml", help="the inspection file")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="the workbook to write, ending in .xlsx (default: out/INSPECTION-ID/audit[-INSPECTOR].xlsx)")
    p.add_argument("--inspector", metavar="REF",
                   help="the inspector it is for (a reference such as insp-a): their answers so far are filled in, "
                        "and no one else's")
    p.set_defaults(handler=run)
