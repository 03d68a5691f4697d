"""`thematic import-workbook`: read a filled-in audit workbook into each inspector's judgements file."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from thematic.commands._options import add_output
from thematic.core.atomic import OutputSet

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top: every command's start-up would pay for them (docs/architecture.md).
    from thematic.scoring.prepare import load_inspection
    from thematic.workbook.importing import import_workbook

    inspection = load_inspection(args.inspection)
    if args.output:  # an inspector's judgements file is updated in place; any other input never is
        inputs = [(p, w) for p, w in inspection.input_files() if w != "a judgements file"]
        outputs = OutputSet()
        for path, what in (*inputs, (args.workbook, "the workbook")):
            outputs.read(path, what=what)
        outputs.file(args.output, option="-o")
    imported = import_workbook(args.workbook, inspection, args.output)
    if not imported:
        print(f"{args.workbook}: no answers or grades to import; nothing was written")
        return 0
    for item in imported:
        c = item.changes
        print(f"{item.inspector}: {item.cases} case(s): {c.added} added, {c.changed} changed, {c.unchanged} unchanged "
              f"-> {item.path}")
    missing = [item.path for item in imported if not item.read_by_inspection]
    if missing:
        print(f"note: {args.inspection} does not read {', '.join(missing)} yet; add it to its `judgements:` list "
              "(for example `judgements: [judgements/*.yaml]`) so that scoring and agreement use it")
    return 0


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "import-workbook", help="read a filled-in audit workbook into each inspector's judgements file",
        description="Read an audit workbook back. Every bad cell is reported with its address (Cases!F12: ...) "
                    "and nothing is written until the whole workbook is valid. Each inspector's answers go to "
                    "their own judgements file: importing again updates it, and no other inspector's answers "
                    "are ever overwritten.")
    p.add_argument("workbook", metavar="WORKBOOK.xlsx", help="the filled-in workbook made by `thematic workbook`")
    p.add_argument("--inspection", required=True, metavar="INSPECTION.yaml",
                   help="the inspection the workbook was made for")
    add_output(p, metavar="FILE",
               help="the judgements file to write (one inspector only; default: the file the inspection "
                    "already reads for that inspector, else judgements/INSPECTION-ID-INSPECTOR.yaml beside it)")
    p.set_defaults(handler=run)
