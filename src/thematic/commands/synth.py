"""`thematic synth`: write a sample of fictional case files from a practice profile."""
from __future__ import annotations

import argparse
import importlib.util
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from thematic.commands._options import add_as_of, add_case_format, add_criteria, add_output
from thematic.core.atomic import OutputSet
from thematic.core.errors import InputError, Problem
from thematic.core.options import parse_whole_number
from thematic.core.timeutil import parse_date
from thematic.load.profile import profile_names

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def _numbers(args: argparse.Namespace) -> tuple[int, int, int, date | None]:
    """--year, --cases, --seed and --as-of, every problem reported at once."""
    problems: list[Problem] = []
    values = []
    for option, text in (("--year", args.year), ("--cases", args.cases), ("--seed", args.seed)):
        try:
            values.append(parse_whole_number(text))
        except ValueError as exc:
            problems.append(Problem(option, str(exc)))
            values.append(0)
    as_of = None
    if args.as_of:
        try:
            as_of = parse_date(args.as_of)
        except ValueError as exc:
            problems.append(Problem("--as-of", str(exc)))
    if problems:
        raise InputError(problems)
    return values[0], values[1], values[2], as_of


def check_output(args: argparse.Namespace, fmt: str) -> None:
    """Before any work: a JSON Lines output is never the profile, the criteria or a special file."""
    outputs = OutputSet()
    for path, what in ((args.profile, "the practice profile"), (args.criteria, "the criteria file (--criteria)")):
        if path and Path(path).is_file():
            outputs.read(path, what=what)
    if fmt == "jsonl" and not Path(args.output).is_dir():  # a folder is refused with its own message
        outputs.file(args.output, option="-o")


def shipped_profile_names() -> list[str]:
    """The shipped profiles' names for --help, found as `thematic.synth.profile.shipped_profiles` finds
    them but without importing `thematic.synth`: every command builds this parser, and the generator
    is a tenth of a second to import (find_spec imports only the parent package)."""
    spec = importlib.util.find_spec("thematic.synth")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        return []
    return profile_names(Path(next(iter(folders))) / "profiles")


def run(args: argparse.Namespace) -> int:
    from thematic.scoring.criteria import load_criteria
    from thematic.synth import synthesize

    year, count, seed, as_of = _numbers(args)
    fmt = args.format or ("jsonl" if str(args.output).endswith(".jsonl") else "yaml")
    check_output(args, fmt)
    criteria = load_criteria(args.criteria) if args.criteria else None
    written = synthesize(args.profile, force=args.force, year=year, count=count, seed=seed,
                         output=Path(args.output), fmt=fmt, as_of=as_of, criteria=criteria)
    grades = ", ".join(f"{number} {grade}" for grade, number in written.grades.items())
    print(f"wrote {written.count} fictional case(s) of {args.force} {year} (profile {written.profile}, "
          f"seed {written.seed}, as of {written.as_of}) to {written.location}")
    print(f"inspector grades: {grades}")
    return 0


def register(subparsers: Subparsers) -> None:
    names = ", ".join(shipped_profile_names())
    p = subparsers.add_parser(
        "synth", help="write a sample of fictional case files from a practice profile",
        description="Generate fictional but realistic case files (case-file format v1) for a force and an "
                    "inspection year, with inspector answers and grades, from a practice profile. The same "
                    "arguments always give the same bytes. All output is fictional: no names, children known "
                    "only by pseudonyms, inspectors by references.")
    p.add_argument("--profile", required=True, metavar="NAME_OR_FILE",
                   help=f"a shipped practice profile ({names}) or a profile file (.yaml)")
    p.add_argument("--force", required=True, metavar="CODE", help="force code written into every case, e.g. northmoor")
    p.add_argument("--year", required=True, metavar="YYYY",
                   help="inspection year (round); outcome codes not yet in use that year are refused")
    p.add_argument("--cases", required=True, metavar="N", help="number of cases to generate (1 to 100000)")
    p.add_argument("--seed", required=True, metavar="S",
                   help="random seed (a whole number): the same seed gives the same files")
    add_as_of(p, required=False, help="date the sample is taken (YYYY-MM-DD, in YEAR; default YEAR-11-30)")
    add_criteria(p, help="criteria whose parameters the records are built around and whose results inform the "
                         "inspector (default: the shipped 2019 set)")
    add_output(p, required=True, metavar="OUT",
               help="a folder for YAML (one CASE_ID.yaml per case) or a .jsonl file for JSON Lines")
    add_case_format(p, choices=("yaml", "jsonl"),
                    help="yaml (one file per case, the default) or jsonl (one file); default from OUT's suffix")
    p.set_defaults(handler=run)
