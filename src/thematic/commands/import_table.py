"""`thematic import-table`: turn a force's CSV or XLSX export into case files, through a mapping.

Nothing is written unless every row of every table is valid; with `--skip-invalid` the valid cases
are written and the problems of the rest go to a CSV of rejected rows. `--template` writes a blank,
commented mapping to fill in.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from thematic.core.atomic import OutputSet, write_text_atomic
from thematic.core.errors import InputError, Problem
from thematic.tabular import import_tables
from thematic.tabular.output import FORMATS, other_case_files, plan_outputs, rejected_csv, write_cases
from thematic.tabular.sources import display_name
from thematic.tabular.template import template_text

DESCRIPTION = (
    "Turn a force's own export (a main table of cases, CSV or XLSX, with optional child tables of "
    "incidents, supervision, referrals and so on, joined on the case id) into case files, through a "
    "YAML mapping from the force's columns and codes to case-file fields. Every problem of every row "
    "is listed with its file, row and column; nothing is written unless every row is valid (or with "
    "--skip-invalid). Use --template to start a mapping."
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("import-table", help="turn a force's CSV or XLSX export into case files, through a mapping",
                              description=DESCRIPTION)
    p.add_argument("table", nargs="?", metavar="TABLE",
                   help="the main table, one row per case: a .csv file or an .xlsx workbook")
    p.add_argument("--mapping", metavar="FILE", help="the YAML mapping from the export's columns and codes to case-file fields")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="where to write: a folder (one CASE_ID.yaml per case), or with --format jsonl a .jsonl "
                        "file or a folder for cases.jsonl; with --template, the mapping file (default: standard output)")
    p.add_argument("--format", choices=FORMATS, help="yaml: one file per case (default); jsonl: one JSON Lines file "
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


def _template(args: argparse.Namespace) -> int:
    text = template_text()
    if not args.output:
        sys.stdout.write(text)
        return 0
    target = Path(args.output)
    if target.exists():
        raise InputError.single(args.output, "already exists; a template never replaces a file (choose another name)")
    write_text_atomic(target, text, option="-o")
    print(f"blank mapping written to {args.output}; fill in your column names, then run "
          f"thematic import-table TABLE --mapping {args.output} -o cases/")
    return 0


def _rejected_path(args: argparse.Namespace, output: Path, fmt: str) -> Path:
    if args.rejected:
        return Path(args.rejected)
    if fmt == "jsonl" and output.suffix.lower() == ".jsonl":
        return output.with_name(f"{output.stem}-rejected.csv")
    return output / "rejected.csv"


def run(args: argparse.Namespace) -> int:
    if args.template:
        if args.table or args.mapping:
            raise _usage("--template takes no TABLE or --mapping")
        return _template(args)
    missing = [name for name, value in (("TABLE", args.table), ("--mapping", args.mapping), ("-o", args.output)) if not value]
    if missing:
        raise _usage(f"{', '.join(missing)} required")
    if args.rejected and not args.skip_invalid:
        raise _usage("--rejected goes with --skip-invalid")
    output = Path(args.output)
    fmt = args.format or ("jsonl" if output.suffix.lower() == ".jsonl" else "yaml")

    outcome = import_tables(args.table, args.mapping)
    for table, columns in outcome.unmapped.items():
        listed = ", ".join(f'"{c}"' for c in columns)
        print(f"warning: {table}: {len(columns)} column(s) not mapped, so not imported: {listed} "
              f"(list them under ignore: to silence this)", file=sys.stderr)
    problems = outcome.as_problems()
    if problems and not args.skip_invalid:
        raise InputError(problems)
    if not outcome.cases:
        raise InputError(problems or [Problem(display_name(Path(args.table)), "has no rows; there is nothing to import")])

    planned = plan_outputs(outcome.cases, output, fmt)  # may raise: nothing is written yet
    outputs = OutputSet()
    for path, what in [(args.table, "the table"), (args.mapping, "the mapping"),
                       *((t, "a table of the export") for t in outcome.tables)]:
        if Path(path).is_file():
            outputs.read(path, what=what)
    for path in planned:  # never an input, a FIFO or a device; checked before anything is written
        outputs.file(path, option="-o")
    rejected = _rejected_path(args, output, fmt) if problems else None
    if rejected is not None:
        outputs.file(rejected, option="--rejected" if args.rejected else "-o")
    with outputs:  # the case files and the rejected rows appear together, or none
        written = write_cases(planned, fmt, display_name(Path(args.mapping)), outputs)
        if rejected is not None:
            outputs.add(rejected, rejected_csv(outcome.problems))
        outputs.commit()
    folder = output if fmt == "yaml" or output.suffix.lower() != ".jsonl" else output.parent
    others = other_case_files(folder, written)
    if others:
        print(f"warning: {display_name(folder)} also holds {len(others)} case file(s) this import did not write "
              f"(e.g. {others[0].name}); they would be scored with the imported cases", file=sys.stderr)
    print(f"imported {len(outcome.cases)} case(s) from {len(outcome.tables)} table(s) to {display_name(output)}")
    if rejected is not None:
        print(f"rejected {len(outcome.rejected_ids)} case(s); {len(problems)} problem(s) listed with reasons in "
              f"{display_name(rejected)}", file=sys.stderr)
        for problem in problems:
            print(f"skipped: {problem}", file=sys.stderr)
    return 0
