"""`thematic import-table`: turn a force's CSV or XLSX export into case files, through a mapping.

Reads the arguments and calls `thematic.tabular` to import (`import_tables`) and to save
(`thematic.tabular.save`); prints the warnings and what was written.

Nothing is written unless every row of every table is valid; with `--skip-invalid` the valid cases
are written and the problems of the rest go to a CSV of rejected rows. `--template` writes a blank,
commented mapping to fill in.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from thematic.commands._options import add_case_format, add_output
from thematic.core.errors import InputError, Problem
from thematic.tabular import import_tables
from thematic.tabular.output import FORMATS
from thematic.tabular.save import accepted, case_format, save_import, write_template
from thematic.tabular.sources import display_name
from thematic.tabular.template import template_text

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers

DESCRIPTION = (
    "Turn a force's own export (a main table of cases, CSV or XLSX, with optional child tables of "
    "incidents, supervision, referrals and so on, joined on the case id) into case files, through a "
    "YAML mapping from the force's columns and codes to case-file fields. Every problem of every row "
    "is listed with its file, row and column; nothing is written unless every row is valid (or with "
    "--skip-invalid). Use --template to start a mapping."
)


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("import-table",
                              help="turn a force's CSV or XLSX export into case files, through a mapping",
                              description=DESCRIPTION)
    p.add_argument("table", nargs="?", metavar="TABLE",
                   help="the main table, one row per case: a .csv file or an .xlsx workbook")
    p.add_argument("--mapping", metavar="FILE",
                   help="the YAML mapping from the export's columns and codes to case-file fields")
    add_output(p, metavar="PATH",
               help="where to write: a folder (one CASE_ID.yaml per case), or with --format jsonl a .jsonl "
                    "file or a folder for cases.jsonl; with --template, the mapping file (default: standard output)")
    add_case_format(p, choices=FORMATS, help="yaml: one file per case (default); jsonl: one JSON Lines file "
                                             "(the default when -o ends in .jsonl)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="write the valid cases anyway, and list the rejected rows with their reasons in a CSV file")
    p.add_argument("--rejected", metavar="FILE",
                   help="with --skip-invalid: the CSV of rejected rows (default: rejected.csv in the output folder, "
                        "or NAME-rejected.csv beside a .jsonl file)")
    p.add_argument("--template", action="store_true", help="write a blank, commented mapping to fill in, and stop")
    p.set_defaults(handler=run)


def _usage(message: str) -> InputError:
    return InputError([Problem("thematic import-table", f"{message} (see thematic import-table --help)")])


def run(args: argparse.Namespace) -> int:
    if args.template:
        if args.table or args.mapping:
            raise _usage("--template takes no TABLE or --mapping")
        if not args.output:
            sys.stdout.write(template_text())
            return 0
        write_template(args.output)
        print(f"blank mapping written to {args.output}; fill in your column names, then run "
              f"thematic import-table TABLE --mapping {args.output} -o cases/")
        return 0
    given = (("TABLE", args.table), ("--mapping", args.mapping), ("-o", args.output))
    missing = [name for name, value in given if not value]
    if missing:
        raise _usage(f"{', '.join(missing)} required")
    if args.rejected and not args.skip_invalid:
        raise _usage("--rejected goes with --skip-invalid")
    output = Path(args.output)
    fmt = case_format(output, args.format)

    outcome = import_tables(args.table, args.mapping)
    for table, columns in outcome.unmapped.items():
        listed = ", ".join(f'"{c}"' for c in columns)
        print(f"warning: {table}: {len(columns)} column(s) not mapped, so not imported: {listed} "
              f"(list them under ignore: to silence this)", file=sys.stderr)
    problems = accepted(outcome, args.table, skip_invalid=args.skip_invalid)
    saved = save_import(outcome, table=args.table, mapping=args.mapping, output=output, fmt=fmt, problems=problems,
                        rejected=args.rejected)
    if saved.others:
        print(f"warning: {display_name(saved.folder)} also holds {len(saved.others)} case file(s) this import did "
              f"not write (e.g. {saved.others[0].name}); they would be scored with the imported cases", file=sys.stderr)
    print(f"imported {len(outcome.cases)} case(s) from {len(outcome.tables)} table(s) to {display_name(output)}")
    if saved.rejected is not None:
        print(f"rejected {len(outcome.rejected_ids)} case(s); {len(problems)} problem(s) listed with reasons in "
              f"{display_name(saved.rejected)}", file=sys.stderr)
        for problem in problems:
            print(f"skipped: {problem}", file=sys.stderr)
    return 0
