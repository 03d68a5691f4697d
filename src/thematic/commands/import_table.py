"""`thematic import-table`: turn a force's CSV or XLSX export, or queries of its reporting database,
into case files, through a mapping.

Reads the arguments and calls `thematic.tabular` to import (`import_tables`) and to save
(`thematic.tabular.save`); prints the warnings and what was written. With `--database-url` (or the
THEMATIC_IMPORT_DATABASE_URL variable, and no TABLE) each table of the mapping is its `query:`;
the URL's password is never printed.

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

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers
    from thematic.load.database_tables import DatabaseUrl

#: `thematic.tabular.output.FORMATS`, written out so that building the parser does not import the
#: importer (tests/test_cli.py checks the two agree).
FORMATS: tuple[str, ...] = ("yaml", "jsonl")

DESCRIPTION = (
    "Turn a force's own export (a main table of cases, CSV or XLSX, with optional child tables of "
    "incidents, supervision, referrals and so on, joined on the case id) into case files, through a "
    "YAML mapping from the force's columns and codes to case-file fields. Every problem of every row "
    "is listed with its file, row and column; nothing is written unless every row is valid (or with "
    "--skip-invalid). Use --template to start a mapping. Instead of files, the tables can be queries of "
    "a SQL database (query: in the mapping): give --database-url env:NAME, NAME being a variable that "
    "holds the connection URL, or set THEMATIC_IMPORT_DATABASE_URL and give no TABLE."
)


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser("import-table",
                              help="turn a force's CSV or XLSX export, or its database, into case files, "
                                   "through a mapping",
                              description=DESCRIPTION)
    p.add_argument("table", nargs="?", metavar="TABLE",
                   help="the main table, one row per case: a .csv file or an .xlsx workbook (not with a database)")
    p.add_argument("--database-url", metavar="URL",
                   help="read the mapping's queries from this database instead of files: env:NAME for the URL held "
                        "in the variable NAME (so no password is on the command line), or the URL itself, e.g. "
                        "postgresql+psycopg://USER@HOST/NAME; without TABLE or this option, the variable "
                        "THEMATIC_IMPORT_DATABASE_URL is used if set")
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
    # The importer is loaded only when this command runs: every command builds this parser.
    from thematic.tabular import import_tables
    from thematic.tabular.save import accepted, case_format, save_import, write_template
    from thematic.tabular.sources import display_name
    from thematic.tabular.template import template_text

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
    if args.table and args.database_url:
        raise _usage("give TABLE (a file export) or --database-url (a database), not both")
    database = None if args.table else _database(args.database_url)
    given = (("TABLE (or --database-url)", args.table or database), ("--mapping", args.mapping),
             ("-o", args.output))
    missing = [name for name, value in given if not value]
    if missing:
        raise _usage(f"{', '.join(missing)} required")
    if args.rejected and not args.skip_invalid:
        raise _usage("--rejected goes with --skip-invalid")
    output = Path(args.output)
    fmt = case_format(output, args.format)

    outcome = import_tables(args.table, args.mapping, database=database)
    main_table = args.table or outcome.tables[0]
    for table, columns in outcome.unmapped.items():
        listed = ", ".join(f'"{c}"' for c in columns)
        print(f"warning: {table}: {len(columns)} column(s) not mapped, so not imported: {listed} "
              f"(list them under ignore: to silence this)", file=sys.stderr)
    problems = accepted(outcome, main_table, skip_invalid=args.skip_invalid)
    saved = save_import(outcome, table=main_table, mapping=args.mapping, output=output, fmt=fmt, problems=problems,
                        rejected=args.rejected)
    if saved.others:
        print(f"warning: {display_name(saved.folder)} also holds {len(saved.others)} case file(s) this import did "
              f"not write (e.g. {saved.others[0].name}); they would be scored with the imported cases", file=sys.stderr)
    source = f" of {database.shown}" if database is not None else ""
    print(f"imported {len(outcome.cases)} case(s) from {len(outcome.tables)} table(s){source} to "
          f"{display_name(output)}")
    if saved.rejected is not None:
        print(f"rejected {len(outcome.rejected_ids)} case(s); {len(problems)} problem(s) listed with reasons in "
              f"{display_name(saved.rejected)}", file=sys.stderr)
        for problem in problems:
            print(f"skipped: {problem}", file=sys.stderr)
    return 0


def _database(given: str | None) -> DatabaseUrl | None:
    """The database to read (--database-url, env:NAME, or THEMATIC_IMPORT_DATABASE_URL), or None;
    a warning when a password is written on the command line, where others can see it."""
    from thematic.load.database_tables import ENV_VARIABLE, database_url

    found = database_url(given)
    if found is not None and found.password and given is not None and not given.startswith("env:"):
        print(f"warning: --database-url holds a password, which the process list and shell history show; put the "
              f"URL in a variable and give --database-url env:NAME (or set {ENV_VARIABLE})", file=sys.stderr)
    return found
